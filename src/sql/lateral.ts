/** What a LATERAL join needs beside `select.lateral(name)` (selectable.ts): an ON clause that always holds. */
import { TextClause, type ColumnElement } from './expressions.js';

/**
 * `TRUE`, SQLAlchemy's `true()`: the ON clause of a LATERAL join, whose subquery does the matching.
 *
 * @example
 * ```ts
 * import { select, true_ } from 'relata';
 *
 * const latest = select(Post.title).where(Post.userId.eq(User.id)).orderBy(Post.id.desc()).limit(1).lateral('latest');
 * const rows = await session.execute(select(User.username, latest.c.title!).join(latest, true_())); // PostgreSQL, MySQL
 * ```
 */
export function true_(): ColumnElement<boolean> {
  return new TextClause('TRUE');
}

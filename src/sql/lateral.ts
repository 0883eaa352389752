/** What a LATERAL join needs beside `select.lateral(name)` (selectable.ts): an ON clause that always holds. */
import { TextClause, type ColumnElement } from './expressions.js';

/**
 * `TRUE`, SQLAlchemy's `true()`: the ON clause of a LATERAL join, whose subquery does the matching.
 *
 * @example
 * ```ts
 * import { selectColumns, true_ } from 'relata';
 *
 * const latest = selectColumns(Post.title).filter(Post.userId.eq(User.id)).orderByAlso(Post.id.desc()).withLimit(1).lateral('latest');
 * const rows = await session.execute(selectColumns(User.username, latest.c.title).join(latest, true_()));
 * ```
 */
export function true_(): ColumnElement<boolean> {
  return new TextClause('TRUE');
}

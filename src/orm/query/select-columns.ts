/**
 * `select(...)`: a Core SELECT of columns (not objects) whose FROM is inferred from the columns'
 * tables. Its rows, typed from the columns, come back through `session.execute()`, so it sits with
 * the queries, apart from `Database`.
 */
import type { ColumnElement } from '../../sql/expressions.js';
import { Select, type FromClause } from '../../sql/selectable.js';
import { adaptColumns } from '../../sql/visitors.js';

/**
 * `select(User.id, User.username, func.count(Post.id).label('n'))`: a Core SELECT of columns (not
 * objects), FROM the tables of the columns (join() turns a second table into a join). Run it with
 * `session.execute(stmt)`: rows typed from the columns, `{ id: number; username: string; n: number }`,
 * or tuples `[number, string, number]` with `.tuples()` (SQLAlchemy's `Row` is both).
 *
 * @example
 * ```ts
 * import { func, select } from 'relata';
 *
 * const stmt = select(User.username, func.count(Post.id).label('posts'))
 *   .outerJoin(Post.__table__)
 *   .groupBy(User.username)
 *   .orderBy(User.username);
 * for (const row of await session.execute(stmt)) console.log(row.username, row.posts);
 * for (const [name, posts] of await session.execute(stmt).tuples()) console.log(name, posts);
 * ```
 */
export function select<const C extends readonly ColumnElement[]>(...columns: C): Select<C> {
  return new Select<C>({ columns, from: inferFrom(columns) });
}

/**
 * The first name of {@link select}, kept: the same function.
 *
 * @example
 * ```ts
 * import { selectColumns } from 'relata';
 *
 * const ids = await session.execute(selectColumns(User.id).orderBy(User.id)).scalars(); // number[]
 * ```
 */
export const selectColumns = select;

/**
 * Tables, aliases and subqueries of every column referenced, also inside labels and functions
 * (`func.sum(Invoice.Total).label('t')`).
 */
function inferFrom(columns: readonly ColumnElement[]): FromClause[] {
  const out: FromClause[] = [];
  for (const c of columns) {
    adaptColumns(c, (ref) => {
      if (ref.from.kind !== 'join' && !out.includes(ref.from)) out.push(ref.from);
      return null;
    });
  }
  return out;
}

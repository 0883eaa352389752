/**
 * `selectColumns(...)`: a Core SELECT of columns (not objects) whose FROM is inferred from the
 * columns' tables. It returns plain rows through `session.execute()`, so it sits with the queries, apart
 * from `Database`.
 */
import type { ColumnElement } from '../../sql/expressions.js';
import type { Table as SqlTable } from '../../sql/schema.js';
import { Select } from '../../sql/selectable.js';
import type { Cte } from '../../sql/cte.js';
import { adaptColumns } from '../../sql/visitors.js';
import type { ColumnAttribute } from '../mapping/attributes.js';

/**
 * `selectColumns(User.id, func.count(Post.id))`: a Core SELECT of columns (not objects), FROM the tables of the columns, run with `session.execute(...)`, which returns plain rows keyed by label.
 *
 * @example
 * ```ts
 * import { func, selectColumns } from 'relata';
 *
 * const rows = await session.execute(
 *   selectColumns(User.username, func.count(Post.id).label('posts'))
 *     .join(Post.__table__, Post.userId.eq(User.id))
 *     .with({ groupBy: [User.username] }),
 * );
 * for (const row of rows) console.log(row.username, row.posts);
 * ```
 */
export function selectColumns(...columns: (ColumnElement | ColumnAttribute)[]): Select {
  return new Select({ columns, from: inferFrom(columns) });
}

/** Tables of every column referenced, also inside labels and functions (`func.sum(Invoice.Total).label('t')`). */
function inferFrom(columns: readonly ColumnElement[]): (SqlTable | Cte)[] {
  const out: (SqlTable | Cte)[] = [];
  for (const c of columns) {
    adaptColumns(c, (ref) => {
      if ((ref.from.kind === 'table' || ref.from.kind === 'cte') && !out.includes(ref.from)) out.push(ref.from);
      return null;
    });
  }
  return out;
}

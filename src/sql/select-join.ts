/**
 * Core joins: `select(...).join(Post.__table__)` adds `right` to the FROM clause, with ON inferred
 * from the one foreign key between it and a table already there (SQLAlchemy's rule: foreign keys,
 * not relationships; none or several is an error that says to pass ON).
 */
import { ArgumentError } from './errors.js';
import { ColumnRef, requireElement, type ColumnElement } from './expressions.js';
import { Table, type ForeignKey } from './schema.js';
import { Join, SubqueryAlias, TableAlias, fromElements, type FromClause } from './selectable.js';
import { Cte } from './cte.js';

/** What join() takes: a FROM element, or a model class (anything with its `__table__`). */
export type JoinableFrom = FromClause | { readonly __table__: Table };

/** `from` with `right` joined onto its last element (a table inferred from the columns is replaced by its join). */
export function joinOnto(
  from: readonly FromClause[],
  target: JoinableFrom,
  on: ColumnElement<boolean> | undefined,
  outer: boolean,
): FromClause[] {
  const right = asFrom(target);
  const rest = from.filter((f) => f !== right);
  if (rest.length === 0) throw new ArgumentError(`join(${nameOf(right)}) needs a FROM clause to join onto`);
  const left = rest.pop()!;
  const cond = on === undefined ? inferOn(left, right) : requireElement(on, `join(${nameOf(right)}) ON clause`);
  rest.push(new Join(left, right, cond, outer));
  return rest;
}

function asFrom(target: JoinableFrom): FromClause {
  if (target instanceof Table || target instanceof TableAlias || target instanceof SubqueryAlias) return target;
  if (target instanceof Cte) return target;
  if (target instanceof Join) return target;
  const table = (target as { __table__?: unknown } | null)?.__table__;
  if (table instanceof Table) return table;
  throw new ArgumentError(
    `join() takes a table, an alias, a subquery, a CTE or a model class, got ${target === null ? 'null' : typeof target}`,
  );
}

function nameOf(f: FromClause): string {
  return f.kind === 'join' ? 'a join' : f.name;
}

/** A FROM element's table, when it has one (a subquery has none: its ON must be given). */
function tableOf(f: Table | TableAlias | SubqueryAlias | Cte): Table | null {
  return f instanceof Table ? f : f instanceof TableAlias ? f.table : null;
}

/** ON from the single foreign key between `right` and the tables of `left`. */
function inferOn(left: FromClause, right: FromClause): ColumnElement<boolean> {
  const rightTable = right.kind === 'join' ? null : tableOf(right);
  if (!rightTable || right.kind === 'join')
    throw new ArgumentError(`join(${nameOf(right)}): pass the ON clause (it is inferred only for tables)`);
  const found: { from: Table | TableAlias; fk: ForeignKey; fromRight: boolean }[] = [];
  for (const el of fromElements(left)) {
    const t = tableOf(el);
    if (!t || el.kind === 'subquery' || el.kind === 'cte') continue;
    for (const fk of t.foreignKeysTo(rightTable)) found.push({ from: el, fk, fromRight: false });
    if (t !== rightTable) for (const fk of rightTable.foreignKeysTo(t)) found.push({ from: el, fk, fromRight: true });
  }
  const where = `join(${rightTable.name})`;
  if (found.length === 0)
    throw new ArgumentError(
      `${where}: no foreign key links '${rightTable.name}' to the FROM clause; pass the ON clause`,
    );
  if (found.length > 1) {
    const list = found.map((f) => `${f.fk.parent.table.name}.${f.fk.parent.name}`).join(', ');
    throw new ArgumentError(`${where}: several foreign keys link the tables (${list}); pass the ON clause`);
  }
  const { from, fk, fromRight } = found[0]!;
  return fromRight
    ? new ColumnRef(fk.parent, right).eq(new ColumnRef(fk.column, from))
    : new ColumnRef(fk.parent, from).eq(new ColumnRef(fk.column, right));
}

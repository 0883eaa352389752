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
import { adaptColumns } from './visitors.js';

/** What join() takes: a FROM element, or a model class (anything with its `__table__`). */
export type JoinableFrom = FromClause | { readonly __table__: Table };

/**
 * `from` with `right` joined onto the FROM element it links to: the one its ON clause refers to, or
 * without ON, the one a foreign key links it to (the last element when ON names none). A table
 * inferred into FROM from the selected columns is replaced by its join, not listed twice.
 */
export function joinOnto(
  from: readonly FromClause[],
  target: JoinableFrom,
  on: ColumnElement<boolean> | undefined,
  outer: boolean,
): FromClause[] {
  const right = asFrom(target);
  const rest = from.filter((f) => f !== right);
  if (rest.length === 0) throw new ArgumentError(`join(${nameOf(right)}) needs a FROM clause to join onto`);
  let at: number;
  let cond: ColumnElement<boolean>;
  if (on === undefined) {
    ({ at, cond } = inferOn(rest, right));
  } else {
    cond = requireElement(on, `join(${nameOf(right)}) ON clause`);
    const named = referencedFroms(cond);
    const i = rest.findLastIndex((f) => fromElements(f).some((el) => named.has(el)));
    at = i < 0 ? rest.length - 1 : i;
  }
  rest[at] = new Join(rest[at]!, right, cond, outer);
  return rest;
}

/** The tables, aliases and subqueries whose columns `e` refers to. */
function referencedFroms(e: ColumnElement): Set<FromClause> {
  const out = new Set<FromClause>();
  adaptColumns(e, (ref) => {
    out.add(ref.from);
    return null;
  });
  return out;
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

/** ON from the single foreign key between `right` and a table of one FROM element, and that element's index. */
function inferOn(from: readonly FromClause[], right: FromClause): { at: number; cond: ColumnElement<boolean> } {
  const rightTable = right.kind === 'join' ? null : tableOf(right);
  if (!rightTable)
    throw new ArgumentError(`join(${nameOf(right)}): pass the ON clause (it is inferred only for tables)`);
  const found: { at: number; from: Table | TableAlias; fk: ForeignKey; fromRight: boolean }[] = [];
  from.forEach((f, at) => {
    for (const el of fromElements(f)) {
      const t = el.kind === 'subquery' ? null : tableOf(el);
      if (!t || el.kind === 'subquery' || el.kind === 'cte') continue;
      for (const fk of t.foreignKeysTo(rightTable)) found.push({ at, from: el, fk, fromRight: false });
      if (t !== rightTable)
        for (const fk of rightTable.foreignKeysTo(t)) found.push({ at, from: el, fk, fromRight: true });
    }
  });
  const where = `join(${rightTable.name})`;
  if (found.length === 0)
    throw new ArgumentError(
      `${where}: no foreign key links '${rightTable.name}' to the FROM clause; pass the ON clause`,
    );
  if (found.length > 1) {
    const list = found.map((f) => `${f.fk.parent.table.name}.${f.fk.parent.name}`).join(', ');
    throw new ArgumentError(`${where}: several foreign keys link it to the FROM clause (${list}); pass the ON clause`);
  }
  const { at, from: el, fk, fromRight } = found[0]!;
  const cond = fromRight
    ? new ColumnRef(fk.parent, right).eq(new ColumnRef(fk.column, el))
    : new ColumnRef(fk.parent, el).eq(new ColumnRef(fk.column, right));
  return { at, cond };
}

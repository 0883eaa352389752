/**
 * A many-to-many through a custom join: `primaryJoin` (parent to association table) and
 * `secondaryJoin` (association table to target), SQLAlchemy's primaryjoin/secondaryjoin. Each
 * condition is split into key equalities (the column pairs every loader, join and write uses) and
 * extra criteria, which every read adds to the association-to-target ON clause. The followers graph
 * (both foreign keys to one table) needs both; with one, the other side comes from the foreign keys.
 */
import { BinaryExpression, BooleanClauseList, ColumnRef, and_, type ColumnElement } from '../../sql/expressions.js';
import type { Table } from '../../sql/schema.js';
import type { FromClause } from '../../sql/selectable.js';
import { adaptColumns, replaceFrom } from '../../sql/visitors.js';
import { MappingError } from '../errors.js';
import type { ColumnPair, RelationshipProperty } from './relationships.js';

/** What a custom condition gave: `side` ↔ secondary column pairs, and the other clauses. */
interface SplitCondition {
  readonly pairs: ColumnPair[];
  readonly extra: ColumnElement<boolean>[];
}

/**
 * The parent ↔ secondary pairs from `primaryJoin` (or null: from the foreign keys), the secondary
 * ↔ target pairs from `secondaryJoin` (or null), and their extra criteria on the secondary and
 * target tables, as one condition (or null).
 */
export interface CustomSecondaryJoin {
  readonly local: ColumnPair[] | null;
  readonly remote: ColumnPair[] | null;
  readonly criteria: ColumnElement<boolean> | null;
}

export function resolveCustomSecondary(prop: RelationshipProperty, secondary: Table): CustomSecondaryJoin {
  const pt = prop.parent.table;
  const tt = prop.target.table;
  const extra: ColumnElement<boolean>[] = [];
  let local: ColumnPair[] | null = null;
  let remote: ColumnPair[] | null = null;
  if (prop.options.primaryJoin) {
    const { pairs, extra: more } = split(evaluate(prop, 'primaryJoin'), pt, secondary);
    if (pairs.length === 0) throw noEquality(prop, 'primaryJoin', pt, secondary);
    local = pairs.map((p) => ({ local: p.local, remote: p.remote }));
    for (const c of more) {
      // The parent's own columns would need its values bound into every load: SQLAlchemy's lazy clause.
      const bad = [...tablesOf(c)].find((t) => t !== secondary && (t === pt || t !== tt));
      if (bad) {
        throw new MappingError(
          `relationship ${prop.name}: primaryJoin's condition ${describe(c)} uses table '${bad.name}'; ` +
            `beyond the equalities with '${secondary.name}', it may use only '${secondary.name}'` +
            (pt === tt ? '' : ` and '${tt.name}'`) +
            (pt === tt ? `: put a condition on the target in secondaryJoin` : ''),
        );
      }
    }
    extra.push(...more);
  }
  if (prop.options.secondaryJoin) {
    const { pairs, extra: more } = split(evaluate(prop, 'secondaryJoin'), tt, secondary);
    if (pairs.length === 0) throw noEquality(prop, 'secondaryJoin', tt, secondary);
    // Stored as secondary ↔ target, the way the association-to-target ON clause reads.
    remote = pairs.map((p) => ({ local: p.remote, remote: p.local }));
    for (const c of more) {
      const bad = [...tablesOf(c)].find((t) => t !== secondary && t !== tt);
      if (bad) {
        throw new MappingError(
          `relationship ${prop.name}: secondaryJoin's condition ${describe(c)} uses table '${bad.name}'; ` +
            `beyond the equalities, it may use only '${secondary.name}' and '${tt.name}'`,
        );
      }
    }
    extra.push(...more);
  }
  return { local, remote, criteria: extra.length ? and_(...extra) : null };
}

/**
 * The extra criteria on the association-to-target ON clause, re-pointed at the aliases a query
 * uses. Written against the tables, where (self-referential) the target's table is the parent's:
 * only the target side is ever in them, so re-pointing that table is right.
 */
export function secondaryCriteria(
  prop: RelationshipProperty,
  secondaryFrom: FromClause,
  targetFrom: FromClause,
): ColumnElement<boolean> | null {
  const c = prop.secondaryCriteria;
  if (!c) return null;
  return replaceFrom(replaceFrom(c, prop.secondary!, secondaryFrom), prop.target.table, targetFrom);
}

function split(cond: ColumnElement<boolean>, side: Table, secondary: Table): SplitCondition {
  const clauses = cond instanceof BooleanClauseList && cond.operator === 'AND' ? cond.clauses : [cond];
  const pairs: ColumnPair[] = [];
  const extra: ColumnElement<boolean>[] = [];
  for (const c of clauses) {
    if (
      c instanceof BinaryExpression &&
      c.operator === '=' &&
      c.left instanceof ColumnRef &&
      c.right instanceof ColumnRef
    ) {
      const [a, b] = [c.left.column, c.right.column];
      const onSide =
        a.table === side && b.table === secondary ? a : b.table === side && a.table === secondary ? b : null;
      if (onSide) {
        pairs.push({ local: onSide, remote: onSide === a ? b : a });
        continue;
      }
    }
    extra.push(c as ColumnElement<boolean>);
  }
  return { pairs, extra };
}

function evaluate(prop: RelationshipProperty, option: 'primaryJoin' | 'secondaryJoin'): ColumnElement<boolean> {
  const thunk = prop.options[option]!;
  let cond: unknown;
  try {
    cond = thunk();
  } catch (err) {
    throw new MappingError(`relationship ${prop.name}: its ${option} thunk threw: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof cond !== 'object' || cond === null || !('kind' in cond)) {
    throw new MappingError(
      `relationship ${prop.name}: ${option} must return a SQL condition such as followers.c.follower_id.eq(User.id), got ${String(cond)}`,
    );
  }
  return cond as ColumnElement<boolean>;
}

function noEquality(prop: RelationshipProperty, option: string, side: Table, secondary: Table): MappingError {
  return new MappingError(
    `relationship ${prop.name}: ${option} has no equality between a column of ${side.name} and a column of ${secondary.name}; ` +
      `it must say which columns of '${secondary.name}' hold the keys (${secondary.name}.c.<column>.eq(<Model>.id))`,
  );
}

/** The tables whose columns an expression uses. */
function tablesOf(expr: ColumnElement<boolean>): Set<Table> {
  const out = new Set<Table>();
  adaptColumns(expr, (ref) => {
    out.add(ref.column.table);
    return null;
  });
  return out;
}

function describe(c: ColumnElement<boolean>): string {
  const cols: string[] = [];
  adaptColumns(c, (ref) => {
    cols.push(`${ref.column.table.name}.${ref.column.name}`);
    return null;
  });
  return `on ${cols.join(', ')}`;
}

/**
 * A backref of a many-to-many with extra criteria: criteria on the association table alone hold
 * both ways; criteria on the target's columns would be on the backref's parent, which a load of it
 * cannot bind, so that reverse side is declared with its own conditions instead.
 */
export function mirrorSecondaryCriteria(prop: RelationshipProperty, other: RelationshipProperty): void {
  const c = other.secondaryCriteria!;
  const foreign = [...tablesOf(c)].filter((t) => t !== other.secondary);
  if (foreign.length) {
    throw new MappingError(
      `relationship ${prop.name} (the backref of ${other.name}): ${other.name}'s join has a condition ${describe(c)} ` +
        `on its target's table, which would be this side's own row. Declare ${prop.name} on ${prop.parent.name} with its ` +
        `own primaryJoin/secondaryJoin, linked with backPopulates, instead of a backref`,
    );
  }
  prop.secondaryCriteria = c;
  prop.viewonly = prop.options.viewonly ?? other.viewonly;
}

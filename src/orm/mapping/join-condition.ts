/**
 * How a relationship's two sides join: the key pairs inferred from the tables' foreign keys (or
 * from a custom primaryJoin, or through a secondary table), with the errors when there are none or
 * several, and the ON clauses built from those pairs. SQLAlchemy's JoinCondition; secondaryJoin
 * (self-referential many-to-many) and polymorphic criteria belong here.
 */
import { BinaryExpression, BooleanClauseList, ColumnRef, and_, type ColumnElement } from '../../sql/expressions.js';
import type { Column, ForeignKey, Table } from '../../sql/schema.js';
import type { FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import { AmbiguousForeignKeysError, MappingError, NoForeignKeysError } from '../errors.js';
import type { ColumnPair, RelationshipProperty } from './relationships.js';
import { resolveCustomSecondary, secondaryCriteria } from './secondary-join.js';

/** A many-to-many through `secondary`: its foreign keys to both tables give the key pairs. */
export function resolveSecondary(prop: RelationshipProperty, secondary: Table | string): void {
  const meta = prop.parent.registry.metadata;
  const table = typeof secondary === 'string' ? meta.tables.get(secondary) : secondary;
  if (!table) {
    throw new MappingError(
      `relationship ${prop.name}: secondary table '${String(secondary)}' is not defined (use db.Table(...))`,
    );
  }
  prop.secondary = table;
  prop.direction = 'MANYTOMANY';
  const pt = prop.parent.table;
  const tt = prop.target.table;
  const custom = resolveCustomSecondary(prop, table);
  const local =
    custom.local ?? keyPairsTo(prop, table, pt, 'primaryJoin', (fk) => ({ local: fk.column, remote: fk.parent }));
  const remote =
    custom.remote ?? keyPairsTo(prop, table, tt, 'secondaryJoin', (fk) => ({ local: fk.parent, remote: fk.column }));
  // Association rows are unique pairs: give the table a key when it has none (Galera refuses tables without).
  if (table.primaryKey.length === 0 && table.associationPrimaryKey) {
    table.markPrimaryKey([...new Set([...local.map((p) => p.remote), ...remote.map((p) => p.local)])]);
  }
  prop.secondaryLocal = local;
  prop.secondaryRemote = remote;
  prop.secondaryCriteria = custom.criteria;
  prop.viewonly = prop.options.viewonly ?? custom.criteria !== null;
}

/** The pairs of the one foreign key from the association table to `other` (the parent's or the target's table). */
function keyPairsTo(
  prop: RelationshipProperty,
  table: Table,
  other: Table,
  option: 'primaryJoin' | 'secondaryJoin',
  pair: (fk: ForeignKey) => ColumnPair,
): ColumnPair[] {
  const fks = table.foreignKeysTo(other);
  if (fks.length === 0) {
    throw new NoForeignKeysError(
      `relationship ${prop.name}: secondary table '${table.name}' has no foreign key to table '${other.name}'; ` +
        `add one, or pass ${option} to say which columns join them`,
    );
  }
  if (!coversKey(fks)) {
    const selfRef = prop.parent.table === prop.target.table;
    throw new AmbiguousForeignKeysError(
      `relationship ${prop.name}: secondary table '${table.name}' has several foreign keys to '${other.name}' ` +
        `(${fks.map((f) => f.parent.name).join(', ')}): pass ` +
        (selfRef
          ? `primaryJoin (from ${prop.parent.name} to '${table.name}') and secondaryJoin (from '${table.name}' to the ${prop.target.name} it leads to)`
          : `${option} to say which one this relationship follows`),
    );
  }
  return fks.map(pair);
}

/** Parent ↔ target key pairs and direction, from the one foreign key between the tables (or primaryJoin). */
export function resolvePairs(prop: RelationshipProperty): void {
  const o = prop.options;
  const pt = prop.parent.table;
  const tt = prop.target.table;
  if (o.primaryJoin) return resolvePrimaryJoin(prop, o.primaryJoin());
  const named = o.foreignKeys === undefined ? null : resolveColumnNames(prop, o.foreignKeys, 'foreignKeys');
  let fks: ForeignKey[] = pt === tt ? pt.foreignKeysTo(pt) : [...pt.foreignKeysTo(tt), ...tt.foreignKeysTo(pt)];
  if (named) fks = fks.filter((fk) => named.includes(fk.parent));
  if (fks.length === 0) {
    throw new NoForeignKeysError(
      `relationship ${prop.name}: no foreign key links table '${pt.name}' and table '${tt.name}'` +
        (named ? ` through ${named.map((c) => c.name).join(', ')}` : '') +
        `. Add a ForeignKey to one of them, or pass primaryJoin`,
    );
  }
  if (!coversKey(fks) || (pt !== tt && new Set(fks.map((f) => f.parent.table)).size > 1)) {
    throw new AmbiguousForeignKeysError(
      `relationship ${prop.name}: several foreign keys link table '${pt.name}' and table '${tt.name}' ` +
        `(${fks.map((f) => `${f.parent.table.name}.${f.parent.name}`).join(', ')}). ` +
        `Pass foreignKeys: '<attribute>' to say which one this relationship uses`,
    );
  }
  let manyToOne: boolean;
  if (pt === tt) {
    // Self-referential: one-to-many unless remoteSide names the referenced (usually primary key) columns.
    const remote = o.remoteSide === undefined ? null : resolveColumnNames(prop, o.remoteSide, 'remoteSide');
    manyToOne = remote !== null && fks.every((fk) => remote.includes(fk.column));
  } else {
    manyToOne = fks[0]!.parent.table === pt;
  }
  prop.direction = manyToOne ? 'MANYTOONE' : 'ONETOMANY';
  prop.pairs = fks.map((fk) =>
    manyToOne ? { local: fk.parent, remote: fk.column } : { local: fk.column, remote: fk.parent },
  );
}

/** Splits a custom join condition into key equalities (along a foreign key) and extra criteria. */
function resolvePrimaryJoin(prop: RelationshipProperty, cond: ColumnElement<boolean>): void {
  const pt = prop.parent.table;
  const tt = prop.target.table;
  const named =
    prop.options.foreignKeys === undefined ? null : resolveColumnNames(prop, prop.options.foreignKeys, 'foreignKeys');
  const clauses = cond instanceof BooleanClauseList && cond.operator === 'AND' ? cond.clauses : [cond];
  const extra: ColumnElement<boolean>[] = [];
  let manyToOne: boolean | null = null;
  for (const c of clauses) {
    if (
      c instanceof BinaryExpression &&
      c.operator === '=' &&
      c.left instanceof ColumnRef &&
      c.right instanceof ColumnRef
    ) {
      const [a, b] = [c.left.column, c.right.column];
      const pc = a.table === pt ? a : b.table === pt ? b : null;
      const tc = pc === a ? b : a;
      if (pc && tc.table === tt && pc !== tc) {
        const isFk = (col: Column, other: Column) =>
          named ? named.includes(col) : col.foreignKeys.some((fk) => fk.column === other);
        if (isFk(tc, pc)) manyToOne = false;
        else if (isFk(pc, tc)) manyToOne = true;
        else continue;
        prop.pairs.push({ local: pc, remote: tc });
        continue;
      }
    }
    extra.push(c as ColumnElement<boolean>);
  }
  if (manyToOne === null) {
    throw new NoForeignKeysError(
      `relationship ${prop.name}: primaryJoin has no equality along a foreign key between '${pt.name}' and '${tt.name}'; pass foreignKeys`,
    );
  }
  prop.direction = manyToOne ? 'MANYTOONE' : 'ONETOMANY';
  prop.extraCriteria = extra.length ? and_(...extra) : null;
  prop.viewonly = prop.options.viewonly ?? prop.extraCriteria !== null;
}

/** Attribute names ('userId', or 'Model.attr') to columns of the parent or target table. */
function resolveColumnNames(prop: RelationshipProperty, names: string | readonly string[], option: string): Column[] {
  const list = typeof names === 'string' ? names.split(',').map((s) => s.trim()) : names;
  return list.map((name) => {
    const [model, attr] = name.includes('.') ? (name.split('.') as [string, string]) : [null, name];
    const mappers = model
      ? [prop.parent.registry.byName(model, `relationship ${prop.name} ${option}`)]
      : [prop.parent, prop.target];
    for (const m of mappers) {
      const mc = m.columnsByKey.get(attr);
      if (mc) return mc.column;
    }
    throw new MappingError(
      `relationship ${prop.name}: ${option} names '${name}', which is not a column of ${mappers.map((m) => m.name).join(' or ')}`,
    );
  });
}

/** ON clause from the parent (on `parentFrom`) to the target (on `targetFrom`); not for many-to-many. */
export function joinCondition(
  prop: RelationshipProperty,
  parentFrom: FromClause,
  targetFrom: FromClause,
): ColumnElement<boolean> {
  const parts = prop.pairs.map((p) => new ColumnRef(p.local, parentFrom).eq(new ColumnRef(p.remote, targetFrom)));
  if (prop.extraCriteria) parts.push(replaceFrom(prop.extraCriteria, prop.target.table, targetFrom));
  return and_(...parts);
}

/** ON clause from the parent to the association table. */
export function secondaryCondition(
  prop: RelationshipProperty,
  parentFrom: FromClause,
  secondaryFrom: FromClause,
): ColumnElement<boolean> {
  return and_(
    ...prop.secondaryLocal.map((p) => new ColumnRef(p.local, parentFrom).eq(new ColumnRef(p.remote, secondaryFrom))),
  );
}

/** ON clause from the association table to the target, with the join's extra criteria (only visible tags). */
export function targetCondition(
  prop: RelationshipProperty,
  secondaryFrom: FromClause,
  targetFrom: FromClause,
): ColumnElement<boolean> {
  const parts = prop.secondaryRemote.map((p) =>
    new ColumnRef(p.local, secondaryFrom).eq(new ColumnRef(p.remote, targetFrom)),
  );
  const criteria = secondaryCriteria(prop, secondaryFrom, targetFrom);
  if (criteria) parts.push(criteria);
  return and_(...parts);
}

/** True when a list of foreign keys is one key: one column, or several columns of one composite key. */
function coversKey(fks: ForeignKey[]): boolean {
  if (fks.length <= 1) return true;
  const parents = new Set(fks.map((f) => f.parent));
  const targets = new Set(fks.map((f) => f.column));
  const targetTables = new Set(fks.map((f) => f.column.table));
  return (
    parents.size === fks.length &&
    targets.size === fks.length &&
    targetTables.size === 1 &&
    [...targets].every((c) => c.primaryKey) &&
    [...targetTables][0]!.primaryKey.length === fks.length
  );
}

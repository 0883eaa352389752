/**
 * A table's keys, constraints and indexes, models against database (Alembic's compare of uniques,
 * indexes, foreign keys and CHECKs). Indexes, UNIQUEs and CHECKs match by name; a foreign key by what
 * it does (columns, referred table and columns, actions), whatever it is called, since the names
 * each database gives an unnamed key differ. A changed index or UNIQUE is a drop and an add of the
 * same name. CHECK conditions are not compared (every database rewrites them: PostgreSQL's
 * `status IN ('a')` comes back as `status = ANY (ARRAY['a'::text])`), only which names exist; the
 * database's unnamed CHECKs are not reported, as Alembic leaves them.
 */
import type { CheckConstraint, ForeignKeyConstraint, UniqueConstraint } from '../../sql/constraints.js';
import { TextClause } from '../../sql/expressions.js';
import type { ForeignKey, Index, ReferentialAction, Table } from '../../sql/schema.js';
import type { SchemaChange, UniqueConstraintInfo } from './changes.js';
import type { CompareDialect } from './columns.js';
import { normaliseExpression } from './sql-text.js';

/** The changes of one table's constraints, by the phase they belong to (drops run before adds). */
export interface ConstraintChanges {
  readonly drops: SchemaChange[];
  readonly adds: SchemaChange[];
}

const uniqueInfo = (u: UniqueConstraint): UniqueConstraintInfo => ({ name: u.name, columns: u.columnNames });

/** An index as comparable text: uniqueness, each part (a column or a normalised expression), its WHERE. */
function indexKey(ix: Index): string {
  const parts = ix.elements.map((e) => (e instanceof TextClause ? `e:${normaliseExpression(e.text)}` : `c:${e.name}`));
  const where = ix.where === undefined ? '' : normaliseExpression(ix.where);
  return `${ix.unique ? 'unique' : 'index'}(${parts.join(',')})${where ? ` where ${where}` : ''}`;
}

/** A plain unique index over columns: what MySQL reports as a UNIQUE constraint, and PostgreSQL may hold one as. */
function uniqueIndexColumns(ix: Index): string | null {
  if (!ix.unique || ix.where !== undefined || !ix.columns) return null;
  return ix.columns.map((c) => c.name).join(',');
}

/** The referred table (full name) and column of a key, read from its target without resolving it. */
function target(fk: ForeignKey): string {
  if (typeof fk.target === 'string') return fk.target;
  const col = fk.column;
  return `${col.table.fullName}.${col.name}`;
}

/** What a foreign key does, as text: its columns, referred table and columns, and actions. */
function foreignKeyKey(k: ForeignKeyConstraint, dialect: CompareDialect): string {
  // NO ACTION is every database's default; InnoDB's RESTRICT is NO ACTION (both check at once).
  const action = (a: ReferentialAction | undefined) =>
    a === undefined || a === 'NO ACTION' || (dialect === 'mysql' && a === 'RESTRICT') ? '' : a;
  const targets = k.elements.map(target);
  return `(${k.columnNames.join(',')}) -> ${targets.join(',')} ON DELETE ${action(k.options.onDelete)} ON UPDATE ${action(k.options.onUpdate)}`;
}

/** Indexes and UNIQUEs, which cross over: a UNIQUE may be held as a unique index of the same name. */
function compareIndexesAndUniques(model: Table, live: Table, table: string, out: ConstraintChanges): void {
  const liveIndexes = new Map(live.indexes.map((ix) => [ix.name, ix]));
  const liveUniques = new Map(live.uniqueConstraints.map((u) => [u.name, u]));
  for (const u of model.uniqueConstraints) {
    const same = liveUniques.get(u.name);
    const asIndex = liveIndexes.get(u.name);
    if (same) {
      liveUniques.delete(u.name);
      if (same.columnNames.join(',') === u.columnNames.join(',')) continue;
      out.drops.push({ kind: 'drop-unique', table, destructive: false, liveUnique: uniqueInfo(same) });
    } else if (asIndex && uniqueIndexColumns(asIndex) === u.columnNames.join(',')) {
      liveIndexes.delete(u.name);
      continue;
    }
    out.adds.push({ kind: 'add-unique', table, destructive: false, modelUnique: uniqueInfo(u) });
  }
  for (const ix of model.indexes) {
    const same = liveIndexes.get(ix.name);
    const asUnique = liveUniques.get(ix.name);
    if (same) {
      liveIndexes.delete(ix.name);
      if (indexKey(same) === indexKey(ix)) continue;
      out.drops.push({ kind: 'drop-index', table, destructive: false, liveIndex: same });
    } else if (asUnique && uniqueIndexColumns(ix) === asUnique.columnNames.join(',')) {
      // MySQL does not tell a unique index from a UNIQUE constraint: introspection lists it as the latter.
      liveUniques.delete(ix.name);
      continue;
    }
    out.adds.push({ kind: 'add-index', table, destructive: false, modelIndex: ix });
  }
  for (const u of liveUniques.values()) {
    out.drops.push({ kind: 'drop-unique', table, destructive: false, liveUnique: uniqueInfo(u) });
  }
  for (const ix of liveIndexes.values())
    out.drops.push({ kind: 'drop-index', table, destructive: false, liveIndex: ix });
}

function compareForeignKeys(
  model: Table,
  live: Table,
  table: string,
  dialect: CompareDialect,
  out: ConstraintChanges,
): void {
  const liveKeys = new Map<string, ForeignKeyConstraint[]>();
  for (const k of live.foreignKeyConstraints) {
    const key = foreignKeyKey(k, dialect);
    liveKeys.set(key, [...(liveKeys.get(key) ?? []), k]);
  }
  const adds: SchemaChange[] = [];
  for (const k of model.foreignKeyConstraints) {
    const matches = liveKeys.get(foreignKeyKey(k, dialect));
    if (matches?.length) matches.shift();
    else adds.push({ kind: 'add-foreign-key', table, destructive: false, modelForeignKey: k });
  }
  for (const k of [...liveKeys.values()].flat()) {
    out.drops.push({ kind: 'drop-foreign-key', table, destructive: false, liveForeignKey: k });
  }
  out.adds.push(...adds);
}

function compareChecks(model: Table, live: Table, table: string, out: ConstraintChanges): void {
  const named = (c: CheckConstraint) => c.options.name !== undefined;
  const liveNames = new Set(live.checks.filter(named).map((c) => c.name));
  const modelNames = new Set(model.checks.map((c) => c.name));
  for (const c of live.checks.filter(named)) {
    if (!modelNames.has(c.name)) out.drops.push({ kind: 'drop-check', table, destructive: false, liveCheck: c });
  }
  for (const c of model.checks) {
    if (!liveNames.has(c.name)) out.adds.push({ kind: 'add-check', table, destructive: false, modelCheck: c });
  }
}

/**
 * The constraint changes of a table present on both sides. Drops come in the order foreign keys,
 * CHECKs, UNIQUEs/indexes (what may depend on a column goes before the column does); adds in the
 * order UNIQUEs/indexes, CHECKs, foreign keys (a key's referred UNIQUE exists before the key).
 */
export function compareConstraints(
  model: Table,
  live: Table,
  table: string,
  dialect: CompareDialect,
): ConstraintChanges {
  const fks: ConstraintChanges = { drops: [], adds: [] };
  const checks: ConstraintChanges = { drops: [], adds: [] };
  const indexes: ConstraintChanges = { drops: [], adds: [] };
  compareForeignKeys(model, live, table, dialect, fks);
  compareChecks(model, live, table, checks);
  compareIndexesAndUniques(model, live, table, indexes);
  return {
    drops: [...fks.drops, ...checks.drops, ...indexes.drops],
    adds: [...indexes.adds, ...checks.adds, ...fks.adds],
  };
}

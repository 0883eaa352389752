/**
 * The SQL a flush emits for rows (SQLAlchemy's persistence.py): batched INSERTs with their
 * generated keys and server defaults read back, UPDATEs of the changed columns with optimistic
 * locking, DELETEs by key, and the association rows of many-to-many relationships. It writes what
 * the plan holds in the order it is given, with the mapper events (beforeInsert … afterDelete)
 * around each row; per-table INSERTs of an inheritance hierarchy belong here.
 */
import { Delete, Insert, Update } from '../../sql/dml.js';
import { rowsPerStatement } from '../../sql/limits.js';
import {
  BindParameter,
  ColumnRef,
  TupleInExpression,
  and_,
  or_,
  bindValue,
  InExpression,
  type ColumnElement,
} from '../../sql/expressions.js';
import type { Column, Table } from '../../sql/schema.js';
import { Select } from '../../sql/selectable.js';
import { FlushError, StaleDataError } from '../errors.js';
import { groupKey } from '../loading/keys.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';
import { sameValue } from './flush-journal.js';
import type { FlushContext } from './flush-plan.js';
import type { InstanceState } from './state.js';
import { applyAssignments } from './sync.js';
import { fireMapperEvent } from '../mapping/events.js';
import { loadExpiredVersion } from './refresh.js';
import { keyConditions, primaryKeyIn } from './row-key.js';
/**
 * INSERTs for rows of `mapper` that do not refer to each other: their foreign keys and defaults
 * set, rows with the same columns batched, one statement per parameter-limit chunk.
 */
export async function insertBatch(ctx: FlushContext, mapper: Mapper, states: InstanceState[]): Promise<void> {
  const { session, journal } = ctx;
  const groups = new Map<number | string, InstanceState[]>();
  for (const st of states) {
    applyAssignments(st, journal);
    // Before defaults, as SQLAlchemy: a column the listener sets (an audit column) keeps its value.
    fireMapperEvent(st, 'beforeInsert', session);
    for (const mc of mapper.columnsWithDefaults) {
      if (st.v[mc.key] === undefined) journal.write(st, mc.key, mc.column.defaultValue());
    }
    if (mapper.versionColumn && st.v[mapper.versionColumn.key] === undefined)
      journal.write(st, mapper.versionColumn.key, 1);
    const sig = presentColumns(mapper, st);
    const g = groups.get(sig);
    if (g) g.push(st);
    else groups.set(sig, [st]);
  }
  const compiler = session.dialect.compiler;
  const tables = mapper.inheritance.tables;
  for (const group of groups.values()) {
    const first = group[0]!;
    // Decided once per group, before any INSERT assigns generated keys to its objects.
    const given = new Set(mapper.columns.filter((mc) => first.v[mc.key] !== undefined).map((mc) => mc.key));
    const columnCount = given.size + tables.length - 1;
    const perStatement = rowsPerStatement(columnCount, compiler.maxParameters);
    const keys = [...given];
    // A joined subclass's row is one row per table, the base's first: the others take its generated
    // key. What each table's INSERT writes is the same for the whole group.
    const inserts = tables.map((table, t) => {
      const tableCols = mapper.inheritance.columnsOf(table);
      const cols = tableCols.filter((mc) => given.has(mc.key) || (t > 0 && mc.column.primaryKey));
      const generated = t > 0 ? [] : tableCols.filter((mc) => mc.column.primaryKey && !given.has(mc.key));
      const returning = generated.length && compiler.supportsReturning ? generated.map((g) => g.column) : [];
      return {
        table,
        columns: cols.map((c) => c.column),
        read: rowValues(cols.map((c) => c.key)),
        generated,
        returning,
      };
    });
    for (let i = 0; i < group.length; i += perStatement) {
      const chunk = group.slice(i, i + perStatement);
      const rows = chunk.map(rowValues(keys));
      journal.recordInsertChunk(chunk, keys, rows);
      for (const { table, columns, read, generated, returning } of inserts) {
        // One table: its columns are `keys`, so the journal's rows are the INSERT's. Otherwise each
        // table's rows are read after the INSERT before it, which assigned the generated key.
        const values = tables.length === 1 ? rows : chunk.map(read);
        const result = await session.executeWrite(new Insert(table, columns, values, returning));
        if (generated.length) assignGeneratedKeys(ctx, table, chunk, generated[0]!.key, result);
      }
      const serverDefaulted = mapper.columnsWithServerDefaults.filter((mc) => first.v[mc.key] === undefined);
      if (serverDefaulted.length) await readServerDefaults(ctx, mapper, chunk, serverDefaulted);
      for (const st of chunk) {
        session.registerInserted(st);
        journal.recordInserted(st);
      }
      for (const st of chunk) fireMapperEvent(st, 'afterInsert', session);
    }
  }
}

/** Reads back the values the database defaulted for these new rows: one SELECT by key per chunk. */
async function readServerDefaults(
  ctx: FlushContext,
  mapper: Mapper,
  chunk: InstanceState[],
  cols: MappedColumn[],
): Promise<void> {
  const { session, journal } = ctx;
  const from = mapper.inheritance.selectable;
  const ref = (mc: MappedColumn) => new ColumnRef(mc.column, from);
  const byKey = (st: InstanceState) => and_(...mapper.primaryKey.map((pk) => ref(pk).eq(st.v[pk.key] as never)));
  const select = new Select({ columns: [...mapper.primaryKey, ...cols].map(ref), from: [from] }).filter(
    or_(...chunk.map(byKey)),
  );
  const { rows } = await session.executeRead(select);
  const all = mapper.processors(session.dialect);
  const processors = cols.map((mc) => all[mc.index] ?? null);
  const keyOfRow = (values: readonly unknown[]) => JSON.stringify(values.map((v) => String(v)));
  const found = new Map(rows.map((r) => [keyOfRow(r.slice(0, mapper.primaryKey.length)), r]));
  for (const st of chunk) {
    const row = found.get(keyOfRow(mapper.primaryKey.map((pk) => st.v[pk.key])));
    if (!row) throw new FlushError(`${st}: its row was not found after its INSERT, to read its server defaults`);
    cols.forEach((mc, i) => {
      const v = row[mapper.primaryKey.length + i];
      const p = processors[i];
      journal.write(st, mc.key, p && v !== null ? p(v) : v);
    });
  }
}

/** Writes the keys the database generated for `chunk` into its objects, from RETURNING or the first insert id. */
function assignGeneratedKeys(
  ctx: FlushContext,
  table: Table,
  chunk: InstanceState[],
  key: string,
  result: { rows: unknown[][]; insertId?: number | bigint },
): void {
  let ids: unknown[];
  if (result.rows.length === chunk.length) {
    // Keys are generated in increasing order within one statement; RETURNING order is not guaranteed.
    ids = result.rows.map((r) => r[0]);
    if (!ascending(ids)) ids.sort((a, b) => (Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0));
  } else if (result.insertId !== undefined) {
    const first = Number(result.insertId);
    ids = chunk.map((_, i) => first + i);
  } else {
    throw new FlushError(`INSERT into ${table.name} returned no generated keys`);
  }
  const toNumber = chunk[0]!.mapper.columnsByKey.get(key)!.column.type.typeName === 'Integer';
  for (let i = 0; i < chunk.length; i++) {
    const id = ids[i];
    ctx.journal.write(chunk[i]!, key, typeof id === 'bigint' && toNumber ? Number(id) : id);
  }
}

/**
 * An object the flush updates: its keys set, then beforeUpdate (whose column changes join the
 * UPDATE), the UPDATE if any column changed, and afterUpdate. As SQLAlchemy's, both events run for
 * every object the flush updates, also when no column changed (a collection of it did).
 */
export async function update(ctx: FlushContext, st: InstanceState): Promise<void> {
  if (st.expired !== null) await loadExpiredVersion(ctx.session, st);
  applyAssignments(st, ctx.journal);
  fireMapperEvent(st, 'beforeUpdate', ctx.session);
  await updateRow(ctx, st);
  fireMapperEvent(st, 'afterUpdate', ctx.session);
}

/** One UPDATE of `st`'s changed columns (none changed: none), checking the version it loaded. */
async function updateRow(ctx: FlushContext, st: InstanceState): Promise<void> {
  const orig = st.orig;
  if (!orig) return;
  const values = new Map<Column, unknown>();
  const written: Record<string, unknown> = {};
  for (const [k, before] of Object.entries(orig)) {
    const now = st.v[k];
    if (sameValue(now, before)) continue;
    written[k] = now;
    const column = st.mapper.columnsByKey.get(k)!.column;
    // A bound node, not the raw value, so the engine compiles this UPDATE once per column set.
    values.set(column, new BindParameter(now, column.type));
    st.txnOrig ??= {};
    if (!(k in st.txnOrig)) st.txnOrig[k] = before;
  }
  if (values.size === 0) return;
  for (const mc of st.mapper.columnsWithOnUpdate) {
    if (values.has(mc.column)) continue;
    const now = mc.column.onUpdateValue();
    st.noteModified(mc.key, st.v[mc.key]);
    st.txnOrig ??= {};
    if (!(mc.key in st.txnOrig)) st.txnOrig[mc.key] = st.v[mc.key];
    st.v[mc.key] = now;
    written[mc.key] = now;
    values.set(mc.column, new BindParameter(now, mc.column.type));
  }
  const version = st.mapper.versionColumn;
  // Optimistic locking: only the version we loaded may be updated, and the update bumps it.
  const loaded = version ? (st.stored(version.key) as number) : 0;
  if (version) {
    st.noteModified(version.key, loaded);
    st.txnOrig ??= {};
    if (!(version.key in st.txnOrig)) st.txnOrig[version.key] = loaded;
    st.v[version.key] = loaded + 1;
    written[version.key] = loaded + 1;
    values.set(version.column, new BindParameter(loaded + 1, version.column.type));
  }
  ctx.journal.recordUpdate(st, written);
  // A joined subclass's row spans several tables: one UPDATE for each whose columns changed.
  for (const table of st.mapper.inheritance.tables) {
    const changed = new Map([...values].filter(([column]) => column.table === table));
    if (changed.size === 0) continue;
    const conds = keyConditions(st, table);
    if (version && version.column.table === table) {
      conds.push(new ColumnRef(version.column, table).eq(loaded));
    }
    const result = await ctx.session.executeWrite(new Update(table, changed, and_(...conds)));
    if (result.rowsAffected === 0) {
      const why = version
        ? 'it was changed or deleted by someone else since it was loaded'
        : 'it was deleted or its key changed outside this session';
      throw new StaleDataError(`UPDATE of ${st} matched no row: ${why}`);
    }
  }
  ctx.session.txnUpdated.add(st);
}

/** The association rows of many-to-many relationships: a deleted parent's cleared, removed links deleted, new ones inserted in batches. */
export async function writeAssociations(ctx: FlushContext): Promise<void> {
  const { session, plan } = ctx;
  for (const { prop, parent } of plan.associationClears) {
    const sec = prop.secondary!;
    const where = and_(
      ...prop.secondaryLocal.map((p) =>
        new ColumnRef(p.remote, sec).eq(parent.v[keyOf(prop.parent, p.local)] as never),
      ),
    );
    await session.executeWrite(new Delete(sec, where));
  }
  for (const row of plan.associationDeletes) {
    if (plan.deletes.has(row.parent)) continue;
    const sec = row.prop.secondary!;
    const conds = [
      ...row.prop.secondaryLocal.map((p) =>
        new ColumnRef(p.remote, sec).eq(row.parent.v[keyOf(row.prop.parent, p.local)] as never),
      ),
      ...row.prop.secondaryRemote.map((p) =>
        new ColumnRef(p.local, sec).eq(row.child.v[keyOf(row.prop.target, p.remote)] as never),
      ),
    ];
    await session.executeWrite(new Delete(sec, and_(...conds)));
  }
  const byTable = new Map<Table, { cols: Column[]; rows: unknown[][]; seen: Set<unknown> }>();
  for (const row of plan.associationInserts) {
    if (plan.deletes.has(row.child) || plan.deletes.has(row.parent)) continue;
    const sec = row.prop.secondary!;
    const cols = [...row.prop.secondaryLocal.map((p) => p.remote), ...row.prop.secondaryRemote.map((p) => p.local)];
    const values = [
      ...row.prop.secondaryLocal.map((p) => row.parent.v[keyOf(row.prop.parent, p.local)]),
      ...row.prop.secondaryRemote.map((p) => row.child.v[keyOf(row.prop.target, p.remote)]),
    ];
    let entry = byTable.get(sec);
    if (!entry) byTable.set(sec, (entry = { cols, rows: [], seen: new Set() }));
    // Both sides of a bidirectional many-to-many may record the same link; write it once.
    const ordered = entry.cols.map((c) => values[cols.indexOf(c)]);
    const link = groupKey(ordered);
    if (entry.seen.has(link)) continue;
    entry.seen.add(link);
    entry.rows.push(ordered);
  }
  const max = session.dialect.compiler.maxParameters;
  for (const [table, { cols, rows }] of byTable) {
    const per = rowsPerStatement(cols.length, max);
    for (let i = 0; i < rows.length; i += per) {
      await session.executeWrite(new Insert(table, cols, rows.slice(i, i + per)));
    }
  }
}

/**
 * One multi-row DELETE per parameter-limit chunk (rows that do not refer to each other); a joined
 * subclass's rows from each of its tables, the subclass's first (its key refers to the base's).
 */
export async function deleteRows(ctx: FlushContext, mapper: Mapper, states: InstanceState[]): Promise<void> {
  const { session, journal } = ctx;
  const tables = [...mapper.inheritance.tables].reverse();
  const per = Math.max(1, Math.floor(session.dialect.compiler.maxParameters / mapper.primaryKey.length));
  for (let i = 0; i < states.length; i += per) {
    const chunk = states.slice(i, i + per);
    if (mapper.versionColumn) for (const st of chunk) if (st.expired !== null) await loadExpiredVersion(session, st);
    for (const st of chunk) fireMapperEvent(st, 'beforeDelete', session);
    for (const table of tables) {
      if (mapper.versionColumn?.column.table === table) await deleteVersioned(ctx, mapper, table, chunk);
      else await deleteByKey(ctx, mapper, table, chunk);
    }
    for (const st of chunk) {
      session.registerDeleted(st);
      journal.recordDeleted(st);
    }
    for (const st of chunk) fireMapperEvent(st, 'afterDelete', session);
  }
}

async function deleteByKey(ctx: FlushContext, mapper: Mapper, table: Table, chunk: InstanceState[]): Promise<void> {
  const pk = primaryKeyIn(mapper, table);
  const pkCols = pk.map((mc) => new ColumnRef(mc.column, table));
  const values = chunk.map((st) => pk.map((mc) => st.stored(mc.key)));
  let where: ColumnElement<boolean>;
  if (pkCols.length === 1) {
    where = new InExpression(
      pkCols[0]!,
      values.map((v) => bindValue(v[0], pkCols[0]!.sqlType, 'delete')),
      false,
    );
  } else {
    where = new TupleInExpression(
      pkCols,
      values.map((row) => row.map((v, j) => bindValue(v, pkCols[j]!.sqlType, 'delete'))),
    );
  }
  const result = await ctx.session.executeWrite(new Delete(table, where));
  if (result.rowsAffected !== chunk.length) {
    throw new FlushError(
      `DELETE from ${table.name} expected to delete ${chunk.length} row(s) but deleted ${result.rowsAffected}: deleted or changed outside this session?`,
    );
  }
}

/** One DELETE per row, each checking the version it loaded. */
async function deleteVersioned(ctx: FlushContext, mapper: Mapper, table: Table, chunk: InstanceState[]): Promise<void> {
  const version = mapper.versionColumn!;
  const pk = primaryKeyIn(mapper, table);
  for (const st of chunk) {
    const conds = [...pk, version].map((mc) => new ColumnRef(mc.column, table).eq(st.stored(mc.key) as never));
    const result = await ctx.session.executeWrite(new Delete(table, and_(...conds)));
    if (result.rowsAffected !== 1) {
      throw new StaleDataError(
        `DELETE of ${st} matched no row: it was changed or deleted by someone else since it was loaded`,
      );
    }
  }
}

const rowReaders = new Map<string, (st: InstanceState) => unknown[]>();

/**
 * The values of `keys` of a state, as an INSERT row. Compiled per key list, like the load side's row
 * readers: named property loads, where a loop over the keys would be megamorphic keyed loads.
 */
function rowValues(keys: readonly string[]): (st: InstanceState) => unknown[] {
  const id = keys.join('\u0000');
  let read = rowReaders.get(id);
  if (!read) {
    const loop = (st: InstanceState) => keys.map((k) => st.v[k]);
    try {
      read = keys.includes('__proto__')
        ? loop
        : (new Function(
            'st',
            `"use strict"; const v = st.v; return [${keys.map((k) => `v[${JSON.stringify(k)}]`).join(', ')}];`,
          ) as (st: InstanceState) => unknown[]);
    } catch {
      read = loop; // code generation not allowed (a Content-Security-Policy without 'unsafe-eval')
    }
    rowReaders.set(id, read);
  }
  return read;
}

/** True when the values are strictly increasing as numbers (generated keys usually are already). */
function ascending(values: readonly unknown[]): boolean {
  for (let i = 1; i < values.length; i++) if (!(Number(values[i - 1]) < Number(values[i]))) return false;
  return true;
}

/** Which columns of a row to insert have a value: rows with the same answer share an INSERT. */
function presentColumns(mapper: Mapper, st: InstanceState): number | string {
  const cols = mapper.columns;
  if (cols.length > 30) return cols.map((mc) => (st.v[mc.key] === undefined ? '0' : '1')).join('');
  let bits = 0;
  for (let i = 0; i < cols.length; i++) if (st.v[cols[i]!.key] !== undefined) bits |= 1 << i;
  return bits;
}

/** The attribute of `mapper` mapped to `col`. */
function keyOf(mapper: Mapper, col: Column): string {
  return mapper.columnsByColumn.get(col)!.key;
}

/**
 * Deferred columns: which columns of a model load with its row, the value an unloaded column reads
 * as (awaitable, loud on synchronous use), and the load `await obj.column` runs: one SELECT of the
 * column, or of its deferred group, by primary key.
 */
import { ColumnRef } from '../../sql/expressions.js';
import { Select } from '../../sql/selectable.js';
import type { Column } from '../../sql/schema.js';
import { MappingError, NotLoadedError } from '../errors.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';
import type { EntityPlan } from './planner.js';
import type { ColumnLoadingOptions } from '../mapping/declarative.js';
import { checkOptions, isBoolean, isString, type OptionTable } from '../../sql/options.js';
import { lowerFirst } from '../mapping/unloaded-value.js';

/** How a column loads, from its declaration (`deferred`, `deferredGroup`, `deferredRaiseload`). */
export interface ColumnLoading {
  readonly group: string | null;
  readonly raiseload: boolean;
}

const declared = new WeakMap<Column, ColumnLoading>();

/**
 * Records how a model column loads, from its declaration's loading options (`where` names it in
 * errors). A column is deferred by `deferred: true` or a `deferredGroup`.
 */
export function declareColumnLoading(where: string, column: Column, options: ColumnLoadingOptions | null): void {
  if (options === null) return;
  checkOptions(options, loadingOptionTable, where, MappingError);
  const { deferred, deferredGroup, deferredRaiseload } = options;
  const isDeferred = deferred === true || deferredGroup !== undefined;
  if (deferredRaiseload && !isDeferred)
    throw new MappingError(`${where}: deferredRaiseload needs deferred: true or a deferredGroup`);
  if (deferred === false && deferredGroup !== undefined)
    throw new MappingError(`${where}: deferredGroup makes the column deferred; drop deferred: false`);
  if (!isDeferred) return;
  if (column.primaryKey) throw new MappingError(`${where}: a primary key cannot be deferred (it identifies the row)`);
  declared.set(column, { group: deferredGroup ?? null, raiseload: deferredRaiseload === true });
}

const loadingOptionTable = {
  known: { deferred: isBoolean, deferredGroup: isString, deferredRaiseload: isBoolean },
  refused: {},
} as const satisfies OptionTable<ColumnLoadingOptions>;

/** A mapper's columns as loading sees them: worked out once, after the mappers are configured. */
export interface ColumnLoadInfo {
  /** Keys deferred by declaration. */
  readonly deferred: ReadonlySet<string>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly raiseload: ReadonlySet<string>;
  /** Keys that always load: the primary key, the version column, the keys relationships join on. */
  readonly always: ReadonlyMap<string, string>;
}

const infos = new WeakMap<Mapper, ColumnLoadInfo>();

export function columnLoadInfo(mapper: Mapper): ColumnLoadInfo {
  let info = infos.get(mapper);
  if (info) return info;
  const always = new Map<string, string>();
  for (const pk of mapper.primaryKey) always.set(pk.key, `${mapper.name}.${pk.key} is the primary key`);
  const on = mapper.inheritance.root.inheritance.on;
  if (on && mapper.columnsByKey.has(on.key))
    always.set(on.key, `${mapper.name}.${on.key} is the discriminator (it says which class a row is)`);
  if (mapper.versionColumn)
    always.set(mapper.versionColumn.key, `${mapper.name}.${mapper.versionColumn.key} is the version column`);
  // Its own relationships first, so a message names Book.author rather than Author.books.
  const mappers = [mapper, ...[...mapper.registry.mappers.values()].filter((m) => m !== mapper)];
  for (const m of mappers) {
    for (const prop of m.relationships.values()) {
      const mine = (cols: readonly Column[]) => {
        for (const c of cols) {
          const mc = mapper.columnsByColumn.get(c);
          if (mc && !always.has(mc.key))
            always.set(mc.key, `${mapper.name}.${mc.key} is a key of relationship ${prop.name}`);
        }
      };
      if (prop.parent === mapper)
        mine(prop.secondary ? prop.secondaryLocal.map((p) => p.local) : prop.pairs.map((p) => p.local));
      if (prop.target === mapper)
        mine(prop.secondary ? prop.secondaryRemote.map((p) => p.remote) : prop.pairs.map((p) => p.remote));
    }
  }
  const deferred = new Set<string>();
  const groups = new Map<string, string[]>();
  const raiseload = new Set<string>();
  for (const mc of mapper.columns) {
    const loading = declared.get(mc.column);
    if (!loading) continue;
    const why = always.get(mc.key);
    if (why) throw new MappingError(`${mapper.name}.${mc.key} cannot be deferred: ${why}, which always loads`);
    deferred.add(mc.key);
    if (loading.raiseload) raiseload.add(mc.key);
    if (loading.group !== null) {
      const list = groups.get(loading.group);
      if (list) list.push(mc.key);
      else groups.set(loading.group, [mc.key]);
    }
  }
  info = { deferred, groups, raiseload, always };
  infos.set(mapper, info);
  return info;
}

/** The keys `await obj[key]` loads: its deferred group's unloaded columns, or the column alone. */
function keysToLoad(st: InstanceState, key: string): string[] {
  const info = columnLoadInfo(st.mapper);
  const group = declared.get(st.mapper.columnsByKey.get(key)!.column)?.group;
  const members = group ? info.groups.get(group)! : [key];
  return members.filter((k) => st.unloaded?.has(k));
}

/** The value of an unloaded column: awaitable (loads it), and loud on any synchronous use. */
export function unloadedColumn(st: InstanceState, mc: MappedColumn): unknown {
  const name = `${st.mapper.name}.${mc.key}`;
  const target = {
    then(resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) {
      return loadColumn(st, mc.key).then(resolve, reject);
    },
  };
  const describe = () => `<${name} not loaded>`;
  Object.defineProperty(target, INSPECT, { value: describe });
  return new Proxy(target, {
    get(t, key) {
      if (key === 'then') return t.then;
      if (key === INSPECT) return describe;
      if (key === 'toJSON') return () => undefined;
      if (key === Symbol.toPrimitive || key === 'constructor' || key === Symbol.toStringTag) return undefined;
      throw new NotLoadedError(
        `${name} is not loaded (a deferred column). Use \`await ${lowerFirst(st.mapper.name)}.${mc.key}\` to load it, ` +
          `or load it with the query: .options(undefer(${name}))`,
      );
    },
  });
}

/** `await obj.column`: loads it (with its group) by primary key, one SELECT, unless it loaded meanwhile. */
export function loadColumn(st: InstanceState, key: string): Promise<unknown> {
  const name = `${st.mapper.name}.${key}`;
  if (!st.unloaded?.has(key)) return Promise.resolve(st.v[key] ?? null);
  if (columnLoadInfo(st.mapper).raiseload.has(key))
    return Promise.reject(
      new NotLoadedError(`${name} is set to raise on load; load it with the query: .options(undefer(${name}))`),
    );
  const session = st.session;
  if (!session || st.status !== 'persistent')
    return Promise.reject(
      new NotLoadedError(`${name} cannot be loaded: ${st} is not in a session (it was expunged or its session closed)`),
    );
  return session.run(async () => {
    const keys = keysToLoad(st, key);
    if (keys.length > 0) {
      const cols = keys.map((k) => st.mapper.columnsByKey.get(k)!);
      const values = await readColumnsByKey(session, st, cols);
      if (!values) throw new NotLoadedError(`${name} cannot be loaded: the row of ${st} no longer exists`);
      cols.forEach((mc, i) => {
        if (!st.unloaded?.has(mc.key)) return; // assigned while the SELECT ran: keep the assignment
        st.v[mc.key] = values[i];
        markLoaded(st, mc.key);
      });
    }
    return st.v[key] ?? null;
  });
}

/**
 * One SELECT of `columns` of `st`'s row by its primary key, the values converted; null when the row
 * is gone. A subclass's columns may live in a base's table (joined inheritance): read through the join.
 */
export async function readColumnsByKey(
  session: Session,
  st: InstanceState,
  columns: readonly MappedColumn[],
): Promise<unknown[] | null> {
  const mapper = st.mapper;
  const where = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, pk.column.table).eq(st.v[pk.key] as never));
  const select = new Select({
    columns: columns.map((mc) => new ColumnRef(mc.column, mc.column.table)),
    from: [mapper.inheritance.selectable],
  }).filter(...where);
  const row = (await session.executeRead(select)).rows[0];
  if (!row) return null;
  const processors = mapper.processors(session.dialect);
  return columns.map((mc, i) => {
    const raw = row[i];
    const p = processors[mc.index];
    return p && raw !== null ? p(raw) : raw;
  });
}

/**
 * Fills the columns an object already in the session had not loaded from a row that has them (a
 * later query undeferring them); what it holds, changed or not, stays.
 */
export function fillUnloaded(st: InstanceState, plan: EntityPlan, row: readonly unknown[]): void {
  const unloaded = st.unloaded!;
  if (plan.poly) {
    // A polymorphic plan reads each class's columns with that class's reader: fill what it read.
    const read = plan.poly.read(st.mapper, row);
    let left: Set<string> | null = null;
    for (const k of unloaded) {
      if (k in read) st.v[k] = read[k];
      else (left ??= new Set()).add(k);
    }
    st.unloaded = left;
    return;
  }
  if (plan.unloaded !== null && [...unloaded].every((k) => plan.unloaded!.has(k))) return;
  const values = plan.read(row, plan.offset);
  let rest: Set<string> | null = null;
  for (const k of unloaded) {
    if (plan.unloaded?.has(k)) (rest ??= new Set()).add(k);
    else st.v[k] = values[k];
  }
  st.unloaded = rest;
}

/** Marks `key` loaded (the set is shared between the objects of one load: replaced, never changed). */
export function markLoaded(st: InstanceState, key: string): void {
  const unloaded = st.unloaded;
  if (!unloaded?.has(key)) return;
  if (unloaded.size === 1) {
    st.unloaded = null;
    return;
  }
  const rest = new Set(unloaded);
  rest.delete(key);
  st.unloaded = rest;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

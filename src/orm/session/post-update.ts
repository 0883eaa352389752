/**
 * SQLAlchemy's post_update: the foreign key of a relationship declared `postUpdate: true` is not
 * written by its row's INSERT or UPDATE but by an UPDATE of its own once every INSERT and UPDATE
 * of the flush has run (so rows that point at each other can both be inserted first), and it is
 * set to NULL by an UPDATE before the flush's DELETEs (so either row can go first).
 */
import { BindParameter, and_ } from '../../sql/expressions.js';
import { Update } from '../../sql/dml.js';
import type { Column, Table } from '../../sql/schema.js';
import { FlushError } from '../errors.js';
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushContext } from './flush-plan.js';
import type { InstanceState } from './state.js';
import { fkColumns } from './sync.js';
import { keyConditions } from './row-key.js';

/** Whether the key `prop` copies is written after the rows (postUpdate on it, or on its other side). */
export function postUpdated(prop: RelationshipProperty): boolean {
  return prop.postUpdate || (prop.reverse?.postUpdate ?? false);
}

/** After the INSERTs and UPDATEs: one UPDATE per row whose post-update keys change, setting only them. */
export async function writePostUpdates(ctx: FlushContext): Promise<void> {
  const inserted = new Set(ctx.plan.inserts);
  for (const st of ctx.plan.keys.children) {
    if (ctx.plan.deletes.has(st) || st.status !== 'persistent' || !st.fk) continue;
    const values = new Map<Column, BindParameter>();
    for (const a of st.fk) {
      if (!a.postUpdate) continue;
      for (let i = 0; i < a.childKeys.length; i++) {
        const key = a.childKeys[i]!;
        const value = a.parent ? a.parent.v[a.parentKeys[i]!] : null;
        if (value === undefined) {
          throw new FlushError(
            `cannot set ${st.mapper.name}.${key}: the ${a.parent!.mapper.name} it refers to has no key`,
          );
        }
        const prev = st.v[key];
        if (prev === value) continue;
        if (inserted.has(st)) ctx.journal.write(st, key, value);
        else {
          st.noteModified(key, prev);
          st.txnOrig ??= {};
          if (!(key in st.txnOrig)) st.txnOrig[key] = prev;
          st.v[key] = value;
        }
        const column = st.mapper.columnsByKey.get(key)!.column;
        values.set(column, new BindParameter(value, column.type));
      }
    }
    await updateRow(ctx, st, values);
  }
}

/** Before the DELETEs: the post-update keys of rows to delete set to NULL, one UPDATE per row that holds one. */
export async function clearPostUpdateKeys(ctx: FlushContext): Promise<void> {
  const columnsOf = new Map<Mapper, readonly string[]>();
  for (const st of ctx.plan.deletes) {
    if (st.status !== 'persistent') continue;
    let keys = columnsOf.get(st.mapper);
    if (!keys) columnsOf.set(st.mapper, (keys = postUpdateKeys(st.mapper)));
    const values = new Map<Column, BindParameter>();
    for (const key of keys) {
      if (st.stored(key) === null || st.stored(key) === undefined) continue;
      const column = st.mapper.columnsByKey.get(key)!.column;
      values.set(column, new BindParameter(null, column.type));
    }
    await updateRow(ctx, st, values);
  }
}

/** The attributes of `mapper` that a postUpdate relationship (of any model) copies a key into. */
function postUpdateKeys(mapper: Mapper): string[] {
  const out = new Set<string>();
  for (const m of mapper.registry.mappers.values()) {
    for (const prop of m.relationships.values()) {
      if (!prop.postUpdate || prop.direction === 'MANYTOMANY') continue;
      const child = prop.direction === 'MANYTOONE' ? prop.parent : prop.target;
      if (child === mapper) for (const k of fkColumns(prop).childKeys) out.add(k);
    }
  }
  return [...out];
}

/** One UPDATE per table the values' columns are in (a joined subclass's keys may be in its base's table). */
async function updateRow(ctx: FlushContext, st: InstanceState, values: Map<Column, BindParameter>): Promise<void> {
  const byTable = new Map<Table, Map<Column, BindParameter>>();
  for (const [column, value] of values) {
    let set = byTable.get(column.table!);
    if (!set) byTable.set(column.table!, (set = new Map()));
    set.set(column, value);
  }
  for (const [table, set] of byTable)
    await ctx.session.executeWrite(new Update(table, set, and_(...keyConditions(st, table))));
}

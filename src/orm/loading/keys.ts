/**
 * Parent keys of a related load: which columns hold them, how values group parents (equal numbers
 * and bigints collide), how many fit one IN list, and when the identity map answers without SQL.
 */
import type { Column } from '../../sql/schema.js';
import type { KeyMap } from '../session/keymap.js';
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';

/**
 * Keys per selectin IN list: as many as the driver's parameter limit allows (DESIGN.md), so loading
 * the children of N parents is one statement, not N/500 as with SQLAlchemy's fixed chunk. Each
 * dialect's `maxParameters` already keeps a margin under the real limit for the query's other
 * parameters (relationship criteria).
 */
export function selectinBatchSize(session: Session, keyWidth: number): number {
  return Math.max(1, Math.floor(session.dialect.compiler.maxParameters / keyWidth));
}

/** The parent's columns that a load of `prop` filters on (the secondary's local side for many-to-many). */
export function parentKeyColumns(prop: RelationshipProperty): Column[] {
  return prop.secondary ? prop.secondaryLocal.map((p) => p.local) : prop.pairs.map((p) => p.local);
}

/** A parent's group key from one attribute; undefined when NULL (nothing to load). */
export function singleKey(attr: string): (st: InstanceState) => unknown {
  return (st) => {
    const v = st.v[attr];
    return v === null || v === undefined ? undefined : groupKey1(v);
  };
}

export function compositeKey(attrs: readonly string[]): (st: InstanceState) => unknown {
  return (st) => {
    const values = attrs.map((a) => st.v[a]);
    return values.some((v) => v === null || v === undefined) ? undefined : groupKey(values);
  };
}

/** Whether the identity map can answer a load of `prop`: a many-to-one by the target's primary key. */
function answeredByIdentity(prop: RelationshipProperty): boolean {
  return (
    prop.direction === 'MANYTOONE' &&
    !prop.extraCriteria &&
    isPrimaryKey(
      prop.target,
      prop.pairs.map((p) => p.remote),
    )
  );
}

/**
 * The key values (`width` per parent) the identity map cannot answer, putting the targets it has
 * into `found`; all of them when it cannot answer `prop` at all.
 */
export function keysToQuery(
  session: Session,
  prop: RelationshipProperty,
  keyValues: unknown[],
  width: number,
  found: KeyMap<object[]>,
): unknown[] {
  if (!answeredByIdentity(prop)) return keyValues;
  const toQuery: unknown[] = [];
  for (let i = 0; i < keyValues.length; i += width) {
    const values = keyValues.slice(i, i + width);
    const hit = session.lookupIdentity(prop.target, orderedKey(prop, values));
    if (hit) found.set(groupKey(values), [hit.obj]);
    else toQuery.push(...values);
  }
  return toQuery;
}

/**
 * True when loading `prop` for one parent needs no SQL: its key is NULL, or it is a many-to-one by
 * primary key whose target is already in the identity map. Such a load is never an N+1.
 */
export function loadsWithoutSql(session: Session, st: InstanceState, prop: RelationshipProperty): boolean {
  const values = parentKeyColumns(prop).map((c) => st.v[prop.parent.columnsByColumn.get(c)!.key]);
  if (values.some((v) => v === null || v === undefined)) return true;
  if (!answeredByIdentity(prop)) return false;
  return session.lookupIdentity(prop.target, orderedKey(prop, values)) !== undefined;
}

function isPrimaryKey(mapper: Mapper, cols: Column[]): boolean {
  return cols.length === mapper.primaryKey.length && mapper.primaryKey.every((pk) => cols.includes(pk.column));
}

/** Parent-side values reordered to the target's primary key order, as an identity key. */
function orderedKey(prop: RelationshipProperty, values: unknown[]): unknown {
  const byCol = new Map(prop.pairs.map((p, i) => [p.remote, values[i]]));
  const record: Record<string, unknown> = {};
  for (const pk of prop.target.primaryKey) record[pk.key] = byCol.get(pk.column);
  return prop.target.keyFromValues(record);
}

/** A Map key for one or more key values; numbers and bigints of equal value must collide. */
export function groupKey(values: readonly unknown[]): unknown {
  if (values.length === 1) return groupKey1(values[0]);
  return values.map((v) => (typeof v === 'bigint' ? Number(v) : v)).join('\u0000');
}

/** groupKey of a single value, without the array. */
export function groupKey1(v: unknown): unknown {
  return typeof v === 'bigint' && v <= MAX_SAFE_BIGINT ? Number(v) : v;
}

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

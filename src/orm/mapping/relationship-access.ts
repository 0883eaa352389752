/**
 * A relationship's instance attribute (`user.posts`, `post.author`): what reading it gives before
 * it is loaded, recording a loaded value, and assignment. Kept apart from what a relationship is
 * (relationships.ts) so attribute behaviour (collection classes, writeOnly) grows here.
 */
import { ArgumentError } from '../../sql/errors.js';
import { InstrumentedList } from '../session/collections.js';
import { assignWriteOnly } from '../session/write-only.js';
import { InvalidRequestError, NotLoadedError } from '../errors.js';
import { NOT_LOADED, stateOf, type InstanceState } from '../session/state.js';
import type { RelationshipProperty } from './relationships.js';
import { takeKnownMembers } from './unloaded-collection.js';
import { lowerFirst, makeUnloaded } from './unloaded-value.js';
import { validated, validatedReplacement } from './validators.js';

export function checkMember(prop: RelationshipProperty, item: unknown): void {
  if (!prop.target.owns(item)) {
    const got = item === null || typeof item !== 'object' ? String(item) : (item.constructor?.name ?? 'an object');
    throw new ArgumentError(`${prop.name} holds ${prop.target.name} objects, got ${got}`);
  }
}

/**
 * A viewonly relationship is never written by the flush: an assignment or a collection change
 * would be silently lost, so it is refused, naming the relationship and the writable way.
 */
export function checkWritable(prop: RelationshipProperty, action: string): void {
  if (!prop.viewonly) return;
  const why = prop.options.viewonly
    ? 'it is declared viewonly: true'
    : 'its primaryJoin has conditions beyond the foreign key, which the flush cannot write, so it is viewonly';
  throw new InvalidRequestError(
    `${prop.name} cannot be ${action}: ${why}, and the change would never be saved. ` +
      `Write through a relationship that is not viewonly, or set the foreign key columns` +
      (prop.extraCriteria && !prop.options.viewonly
        ? `; for one child table pointing at several parent tables (comments on posts and photos) use db.polymorphicRelationship`
        : ''),
  );
}

/**
 * The value of a relationship read before it is loaded: the awaitable placeholder, or for
 * `noload` (the relationship's `lazy` or the query's option) the empty value, readable at once.
 */
export function unloaded(prop: RelationshipProperty, state: InstanceState): unknown {
  if ((state.loadOptions?.get(prop) ?? prop.lazy) === 'noload') {
    setLoaded(prop, state, prop.uselist ? [] : null);
    return state.rel![prop.key];
  }
  return makeUnloaded(prop, state, nPlusOneSite(prop, state));
}

/**
 * Where user code read the attribute (an Error, for its stack: `then` runs later, from a microtask),
 * when that read is about to be reported as an N+1: the second lazy load of this relationship for
 * objects of one query result. Capturing a stack costs microseconds, so no other read pays for it.
 */
function nPlusOneSite(prop: RelationshipProperty, state: InstanceState): Error | null {
  const batch = state.batch;
  if (!batch || batch.size < 2 || state.session?.nPlusOne === 'off') return null;
  return (batch.lazyCounts.get(prop) ?? 0) === 1 ? new Error() : null;
}

/** Empty value for a new object: an empty collection or null. */
export function emptyValue(prop: RelationshipProperty, state: InstanceState): unknown {
  return prop.uselist ? InstrumentedList.of_(state, prop, []) : null;
}

/** Records a loaded value without marking anything changed. */
export function setLoaded(prop: RelationshipProperty, state: InstanceState, value: unknown): void {
  state.rel ??= {};
  if (!prop.uselist) {
    state.rel[prop.key] = value;
    return;
  }
  const items = value as object[];
  const list = InstrumentedList.of_(state, prop, items);
  state.rel[prop.key] = list;
  if (state.pendingMutations !== null) applyPending(prop, state, list);
  // Loading a one-to-many also answers each child's many-to-one back to this parent: fill it for free.
  const back = prop.reverse;
  if (back && back.direction === 'MANYTOONE' && !back.extraCriteria) {
    for (let i = 0; i < items.length; i++) {
      const child = stateOf(items[i]!)!;
      if (!child.isLoaded(back.key)) (child.rel ??= {})[back.key] = state.obj;
    }
  }
}

/**
 * Backref changes queued while this collection was not loaded, laid over the rows just read:
 * removals go, additions follow the rows (once: the database may have them already, after a
 * flush). An item deleted or expunged since it was queued is not shown.
 */
function applyPending(prop: RelationshipProperty, state: InstanceState, list: InstrumentedList<object>): void {
  const pending = state.pendingMutations!.get(prop.key);
  if (!pending) return;
  state.pendingMutations!.delete(prop.key);
  if (state.pendingMutations!.size === 0) state.pendingMutations = null;
  for (const item of pending.removed) list.removeQuietly(item);
  for (const item of pending.added) {
    const st = stateOf(item)!;
    if (st.session === state.session && st.status !== 'deleted') list.appendQuietly(item);
  }
}

/** `user.posts = [...]` or `post.author = user`. */
export function set(prop: RelationshipProperty, state: InstanceState, value: unknown): void {
  prop.parent.registry.configure();
  checkWritable(prop, 'assigned');
  if (prop.lazy === 'writeOnly') return assignWriteOnly(prop, state, value);
  const current = replacedValue(prop, state);
  if (prop.uselist) {
    if (!Array.isArray(value))
      throw new ArgumentError(`${prop.name} is a collection: assign an array of ${prop.target.name}`);
    const before = current === NOT_LOADED ? null : (current as object[]);
    const members: object[] =
      prop.parent.hooks === null
        ? (value as object[])
        : validatedReplacement(prop.parent, prop.key, value as object[], before, state.obj);
    members.forEach((v) => checkMember(prop, v));
    const old = before ?? replaceUnloaded(prop, state);
    const next = InstrumentedList.of_(state, prop, members);
    state.rel ??= {};
    state.rel[prop.key] = next;
    for (const item of old) if (!members.includes(item)) prop.onRemove(state, item);
    for (const item of members) if (!old.includes(item)) prop.onAppend(state, item);
    return;
  }
  if (prop.parent.hooks !== null) value = validated(prop.parent, prop.key, value, state.obj, 'set');
  if (value !== null) checkMember(prop, value);
  if (current === value) return;
  state.rel ??= {};
  state.rel![prop.key] = value;
  noteScalarChange(prop, state, current === TARGET_NOT_IN_SESSION ? null : current);
  if (prop.reverse) {
    if (current && current !== NOT_LOADED && current !== TARGET_NOT_IN_SESSION)
      prop.reverse.detachQuietly(stateOf(current as object)!, state.obj);
    if (value) prop.reverse.attachQuietly(stateOf(value as object)!, state.obj);
  }
  if (value !== null) prop.polymorphic?.linked(prop, state);
}

/**
 * What an assignment replaces. Unloaded on a persistent object: a many-to-one's old target from
 * the identity map (its own foreign key is all the flush changes); a one-to-one's or a
 * collection's NOT_LOADED, which the flush loads (old rows must let go of the key, or be
 * deleted as orphans); a `noload` collection's empty list. No SQL at assignment time.
 */
function replacedValue(prop: RelationshipProperty, state: InstanceState): unknown {
  if (state.isLoaded(prop.key) || state.status !== 'persistent') return currentValue(prop, state, 'assigned');
  if (prop.uselist)
    return (state.loadOptions?.get(prop) ?? prop.lazy) === 'noload' ? unloaded(prop, state) : NOT_LOADED;
  if (prop.direction !== 'MANYTOONE') return NOT_LOADED;
  return targetInIdentityMap(prop, state) ?? (refersToARow(prop, state) ? TARGET_NOT_IN_SESSION : null);
}

/**
 * What an unloaded many-to-one replaces when its key refers to a row this session has not loaded:
 * not null (assigning null must still clear the key), and nothing in memory to detach.
 */
const TARGET_NOT_IN_SESSION: unique symbol = Symbol('relata.targetNotInSession');

/** Whether a many-to-one's foreign key columns all hold a value. */
function refersToARow(prop: RelationshipProperty, state: InstanceState): boolean {
  return prop.pairs.every((p) => {
    const v = state.v[prop.parent.columnsByColumn.get(p.local)!.key];
    return v !== null && v !== undefined;
  });
}

/**
 * `owner.items = [...]` before `items` was loaded: marked for the flush to load what the
 * database holds and write the difference. Returns the members memory knows of, which the
 * assignment removes or keeps as if the collection had been loaded with them.
 */
function replaceUnloaded(prop: RelationshipProperty, state: InstanceState): object[] {
  const known = takeKnownMembers(prop, state);
  state.collectionChangesFor(prop.key).replacedUnloaded = true;
  state.session?.noteChanged(state);
  return known;
}

/** The current many-to-one target by its key, from the identity map (no SQL); null when not there. */
export function targetInIdentityMap(prop: RelationshipProperty, state: InstanceState): object | null {
  const values: Record<string, unknown> = {};
  for (const p of prop.pairs) {
    const v = state.v[prop.parent.columnsByColumn.get(p.local)!.key];
    if (v === null || v === undefined) return null;
    values[prop.target.columnsByColumn.get(p.remote)!.key] = v;
  }
  const key = prop.target.keyFromValues(values);
  return (key !== undefined && state.session?.lookupIdentity(prop.target, key)?.obj) || null;
}

/** Remembers a many-to-one's or one-to-one's value before its first change, for the flush. */
export function noteScalarChange(prop: RelationshipProperty, state: InstanceState, previous: unknown): void {
  state.scalarChanges ??= new Map();
  if (!state.scalarChanges.has(prop.key)) state.scalarChanges.set(prop.key, previous);
  state.session?.noteChanged(state);
}

/** The loaded value, or the empty value for objects never flushed; throws for unloaded persistent ones. */
export function currentValue(prop: RelationshipProperty, state: InstanceState, action: string): unknown {
  if (state.isLoaded(prop.key)) return state.rel![prop.key];
  if (state.status === 'transient' || state.status === 'pending') {
    const empty = emptyValue(prop, state);
    state.rel ??= {};
    state.rel[prop.key] = empty;
    return empty;
  }
  throw new NotLoadedError(
    `${prop.name} must be loaded before it is ${action}: await ${lowerFirst(prop.parent.name)}.${prop.key} first`,
  );
}

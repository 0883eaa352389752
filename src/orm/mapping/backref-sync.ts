/**
 * Keeping both sides of a relationship consistent in memory (backref / backPopulates): a change
 * on one side is mirrored on the other without SQL, queued when the other side is not loaded, and
 * recorded for the flush. Its own module because this is the session-facing half of a
 * relationship's attribute behaviour, and the part association proxies will build on.
 */
import type { InstrumentedList } from '../session/collections.js';
import { NOT_LOADED, stateOf, type InstanceState } from '../session/state.js';
import { noteScalarChange, setLoaded } from './relationship-access.js';
import { attachToWriteOnly, detachFromWriteOnly } from '../session/write-only.js';
import type { RelationshipProperty } from './relationships.js';

/** `item` joined `owner`'s collection: record the change for the flush and set the reverse side. */
export function onAppend(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  // A new owner's collections are not tracked: its flush writes them whole (see UnitOfWork).
  if (!writtenWhole(owner)) {
    const changes = owner.collectionChangesFor(prop.key);
    if (changes.removed.has(item)) changes.removed.delete(item);
    else changes.added.add(item);
    owner.session?.noteChanged(owner);
  }
  if (prop.reverse) prop.reverse.attachQuietly(stateOf(item)!, owner.obj);
}

/** `item` left `owner`'s collection: record the change for the flush and clear the reverse side. */
export function onRemove(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  if (writtenWhole(owner)) {
    if (prop.reverse) prop.reverse.detachQuietly(stateOf(item)!, owner.obj);
    return;
  }
  const changes = owner.collectionChangesFor(prop.key);
  if (changes.added.has(item)) changes.added.delete(item);
  else changes.removed.add(item);
  owner.session?.noteChanged(owner);
  if (prop.reverse) prop.reverse.detachQuietly(stateOf(item)!, owner.obj);
}

/** Backref sync: `other` now points at `state` through the reverse side; mirror it here. */
export function attachQuietly(prop: RelationshipProperty, state: InstanceState, other: object): void {
  if (prop.lazy === 'writeOnly') {
    attachToWriteOnly(prop, state, other); // nothing held in memory, nothing loaded
    cascadeInto(prop, state, other);
    return;
  }
  if (prop.uselist) {
    if (state.isLoaded(prop.key)) (state.rel![prop.key] as InstrumentedList<object>).appendQuietly(other);
    else if (state.status === 'transient' || state.status === 'pending') setLoaded(prop, state, [other]);
    else if (state.status === 'persistent') {
      // Not loaded: queue it for when it loads, without SQL now (SQLAlchemy's pending collection).
      const pending = state.pendingMutationsFor(prop.key);
      pending.removed.delete(other);
      pending.added.add(other);
      state.session?.pendingOwners.add(state);
    }
    cascadeInto(prop, state, other);
    return;
  }
  const loaded = state.isLoaded(prop.key);
  const prev = loaded ? state.rel![prop.key] : undefined;
  if (prev === other) return;
  state.rel ??= {};
  state.rel[prop.key] = other;
  // The previous owner of a many-to-one loses this object from its collection.
  if (prev && prop.reverse && prop.reverse.uselist) prop.reverse.detachQuietly(stateOf(prev as object)!, state.obj);
  if (prop.direction !== 'MANYTOONE' && !prop.viewonly && state.status === 'persistent' && (prev || !loaded)) {
    // A one-to-one taken over from the other side: the row it held lets go at flush (loaded then if need be).
    noteScalarChange(prop, state, loaded ? prev : NOT_LOADED);
    if (prev && prop.reverse) prop.reverse.detachQuietly(stateOf(prev as object)!, state.obj);
  }
  cascadeInto(prop, state, other);
}

/** Backref sync: `other` no longer points at `state` through the reverse side; mirror it here. */
export function detachQuietly(prop: RelationshipProperty, state: InstanceState, other: object): void {
  if (prop.lazy === 'writeOnly') return detachFromWriteOnly(prop, state, other);
  if (!state.isLoaded(prop.key)) {
    if (prop.uselist && state.status === 'persistent') {
      const pending = state.pendingMutationsFor(prop.key);
      pending.added.delete(other);
      pending.removed.add(other);
      state.session?.pendingOwners.add(state);
    }
    return;
  }
  if (prop.uselist) (state.rel![prop.key] as InstrumentedList<object>).removeQuietly(other);
  else if (state.rel![prop.key] === other) state.rel![prop.key] = null;
}

/**
 * save-update cascade through a backref: a new object linked to one in a session (`post.author =
 * user`) joins that session, as adding it to the collection directly would make it.
 */
function cascadeInto(prop: RelationshipProperty, state: InstanceState, item: object): void {
  const session = state.session;
  if (!session || prop.viewonly || !prop.cascade.has('save-update')) return;
  const st = stateOf(item)!;
  if (st.status === 'transient' && st.session === null) session.add(item);
}

/**
 * A new object's collections, which its first flush writes whole instead of change by change. Once
 * a running flush has read them, further changes are tracked, for the next flush to write.
 */
function writtenWhole(state: InstanceState): boolean {
  if (state.status !== 'transient' && state.status !== 'pending') return false;
  return !state.session?.activeFlush?.collected;
}

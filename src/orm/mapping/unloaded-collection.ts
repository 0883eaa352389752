/**
 * Assigning a whole collection that was never loaded (`user.posts = [a, b]`): no SQL then. What
 * the collection held in the database is loaded by the flush (see session/load-replaced.ts), which
 * writes the difference; until then, the members already in memory stand for the old contents, so
 * their backrefs change at once, as they do when the collection is loaded.
 */
import type { RelationshipProperty } from './relationships.js';
import { stateOf, type InstanceState } from '../session/state.js';

/**
 * The members of `owner`'s unloaded collection `prop` that memory knows of, without SQL: objects
 * of the session whose loaded reverse side holds `owner`, and backref changes queued on the
 * collection (InstanceState.pendingMutations). The queue is consumed: the assignment replaces it.
 */
export function takeKnownMembers(prop: RelationshipProperty, owner: InstanceState): object[] {
  const known = new Set<object>();
  const back = prop.reverse;
  if (back) {
    const holds = back.uselist
      ? (st: InstanceState) => (st.rel![back.key] as object[]).includes(owner.obj)
      : (st: InstanceState) => st.rel![back.key] === owner.obj;
    owner.session?.loadedObjects(prop.target)?.forEach((st) => {
      if (st.isLoaded(back.key) && holds(st)) known.add(st.obj);
    });
  }
  const queued = owner.pendingMutations?.get(prop.key);
  if (queued) {
    for (const item of queued.added) if (stateOf(item)!.session === owner.session) known.add(item);
    for (const item of queued.removed) known.delete(item);
    owner.pendingMutations!.delete(prop.key);
    if (owner.pendingMutations!.size === 0) owner.pendingMutations = null;
  }
  return [...known];
}

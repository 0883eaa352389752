/**
 * Relationships assigned before they were loaded (`user.profile = p`, `user.posts = [a, b]`): the
 * flush loads what they held, so the rows they no longer hold let go of the owner. Its own file
 * because it is the one part of collecting changes that reads from the database.
 */
import { loadRelated } from '../loading/context.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushContext } from './flush-plan.js';
import { NOT_LOADED, stateOf, type CollectionChanges, type InstanceState } from './state.js';

/**
 * One-to-ones assigned before they were loaded (`user.profile = new Profile()`): what each held
 * is loaded now, one SELECT each, so the old row's key is cleared (or the row deleted as an
 * orphan) and no second row is left pointing at the owner. The assigned value stays as it is.
 */
export async function loadReplaced(ctx: FlushContext): Promise<void> {
  await loadReplacedCollections(ctx);
  for (const st of [...ctx.plan.updates]) {
    const changes = st.scalarChanges;
    if (!changes) continue;
    for (const [key, previous] of changes) {
      if (previous !== NOT_LOADED) continue;
      const prop = st.mapper.relationships.get(key)!;
      const rel = st.rel!;
      const assigned = rel[key];
      delete rel[key];
      try {
        await loadRelated(ctx.session, [st], prop, new Map(), [prop], null);
      } catch (err) {
        rel[key] = assigned; // still NOT_LOADED in `changes`: the next flush tries again
        throw err;
      }
      const old = (rel[key] ?? null) as object | null;
      rel[key] = assigned;
      changes.set(key, old);
      if (old && old !== assigned && prop.reverse) prop.reverse.detachQuietly(stateOf(old)!, st.obj);
    }
  }
}

/**
 * Collections assigned whole before they were loaded (`user.posts = [a, b]`): what they held is
 * loaded now, one SELECT per relationship for all its owners, and their changes become exact.
 * The lists stay as assigned.
 */
async function loadReplacedCollections(ctx: FlushContext): Promise<void> {
  const byProp = new Map<RelationshipProperty, { st: InstanceState; ch: CollectionChanges; assigned: object[] }[]>();
  for (const st of ctx.plan.updates) {
    for (const [key, ch] of st.collectionChanges ?? []) {
      const prop = st.mapper.relationships.get(key)!;
      if (!ch.replacedUnloaded || prop.viewonly) continue; // a viewonly collection writes nothing
      let owners = byProp.get(prop);
      if (!owners) byProp.set(prop, (owners = []));
      owners.push({ st, ch, assigned: st.rel![key] as object[] });
    }
  }
  for (const [prop, owners] of byProp) {
    for (const o of owners) delete o.st.rel![prop.key];
    try {
      await loadRelated(
        ctx.session,
        owners.map((o) => o.st),
        prop,
        new Map(),
        [prop],
        null,
      );
    } catch (err) {
      for (const o of owners) o.st.rel![prop.key] = o.assigned; // still marked: the next flush tries again
      throw err;
    }
    for (const o of owners) {
      const held = o.st.rel![prop.key] as object[];
      o.st.rel![prop.key] = o.assigned;
      replaceChanges(o.st, prop, o.ch, held, o.assigned);
    }
  }
}

/**
 * An assigned collection's changes against what the database `held`: what it held and the list
 * does not is removed (its key cleared, its link row deleted, or it is deleted as an orphan), what
 * the list holds and it did not is added.
 */
function replaceChanges(
  owner: InstanceState,
  prop: RelationshipProperty,
  ch: CollectionChanges,
  held: readonly object[],
  assigned: readonly object[],
): void {
  ch.replacedUnloaded = false;
  const had = new Set(held);
  const kept = new Set(assigned);
  for (const item of assigned) if (had.has(item)) ch.added.delete(item);
  for (const item of held) {
    if (kept.has(item)) continue;
    ch.removed.add(item);
    // Its backref was just filled by the load (or was loaded before): it no longer holds the owner.
    const other = stateOf(item)!;
    if (prop.reverse && other.isLoaded(prop.reverse.key)) prop.reverse.detachQuietly(other, owner.obj);
  }
}

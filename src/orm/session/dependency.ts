/**
 * The dependency rules of a flush (SQLAlchemy's dependency.py): what each relationship change
 * means for the rows. A many-to-one or one-to-many change sets or clears a foreign key, a
 * many-to-many change adds or removes an association row, a child that left its parent is cleared
 * or deleted as an orphan. It records all of it in the flush's plan; nothing here writes SQL.
 */
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushContext, FlushPlan } from './flush-plan.js';
import { stateOf, type InstanceState } from './state.js';
import { fkColumns } from './sync.js';

type CollectionsOf = (mapper: Mapper) => readonly RelationshipProperty[];

/** Collection and scalar changes → foreign key assignments, association rows, orphans. */
export function collectRelationshipChanges(ctx: FlushContext): void {
  const { plan, journal } = ctx;
  const states = [...plan.inserts, ...plan.updates].filter((st) => st.status !== 'transient');
  const collections = new Map<Mapper, RelationshipProperty[]>();
  const collectionsOf: CollectionsOf = (mapper) => {
    let props = collections.get(mapper);
    if (!props) {
      props = [...mapper.relationships.values()].filter((p) => p.uselist && !p.viewonly);
      collections.set(mapper, props);
    }
    return props;
  };
  // Only a removal asks whether the object was added elsewhere: skip the index when nothing was removed.
  const anyRemoved = states.some(
    (st) =>
      st.status === 'persistent' &&
      st.collectionChanges &&
      [...st.collectionChanges.values()].some((ch) => ch.removed.size > 0),
  );
  const addedTo = anyRemoved ? additionsByRelationship(states, collectionsOf) : null;
  plan.collected = true;
  for (const st of states) {
    if (st.status === 'pending') {
      collectNewCollections(plan, st, collectionsOf(st.mapper));
      // A write-only collection holds no list to write whole: its add()s are changes, new owner or not.
      collectCollectionChanges(ctx, st, addedTo, isWriteOnly);
    } else collectCollectionChanges(ctx, st, addedTo);
    collectScalarChanges(ctx, st);
    journal.takeChanges(st);
  }
}

/** A scalar relationship's change: the new value is referred to (or linked), the previous one let go. */
function collectScalarChanges(ctx: FlushContext, st: InstanceState): void {
  const { plan } = ctx;
  for (const [key, previous] of st.scalarChanges ?? []) {
    const prop = st.mapper.relationships.get(key)!;
    if (prop.viewonly) continue;
    const current = (st.rel?.[key] ?? null) as object | null;
    if (prop.direction === 'MANYTOONE') {
      plan.assign(st, prop, current ? stateOf(current)! : null);
    } else if (prop.direction === 'ONETOMANY') {
      if (current) plan.assign(stateOf(current)!, prop, st);
      if (previous && previous !== current) {
        removeChild(ctx, stateOf(previous as object)!, prop);
        if (current) releaseUniqueKey(plan, stateOf(previous as object)!, prop);
      }
    } else if (prop.direction === 'MANYTOMANY') {
      if (current) plan.associationInserts.push({ prop, parent: st, child: stateOf(current)! });
      if (previous && previous !== current)
        plan.associationDeletes.push({ prop, parent: st, child: stateOf(previous as object)! });
    }
  }
}

/** A new object's collections are written whole: every item is added (their changes were not tracked). */
function collectNewCollections(plan: FlushPlan, st: InstanceState, props: readonly RelationshipProperty[]): void {
  const rel = st.rel;
  if (!rel) return;
  for (const prop of props) {
    const items = rel[prop.key] as object[] | undefined;
    if (!items) continue;
    if (prop.direction === 'MANYTOMANY') {
      for (let i = 0; i < items.length; i++)
        plan.associationInserts.push({ prop, parent: st, child: stateOf(items[i]!)! });
    } else {
      for (let i = 0; i < items.length; i++) plan.assign(stateOf(items[i]!)!, prop, st);
    }
  }
}

/** A persistent object's collections: what was added and removed since they were loaded. */
function collectCollectionChanges(
  ctx: FlushContext,
  st: InstanceState,
  addedTo: Map<RelationshipProperty, Set<object>> | null,
  only: (prop: RelationshipProperty) => boolean = all,
): void {
  const { plan } = ctx;
  for (const [key, ch] of st.collectionChanges ?? []) {
    const prop = st.mapper.relationships.get(key)!;
    if (prop.viewonly || !only(prop)) continue;
    if (prop.direction === 'MANYTOMANY') {
      for (const a of ch.added) plan.associationInserts.push({ prop, parent: st, child: stateOf(a)! });
      for (const r of ch.removed) plan.associationDeletes.push({ prop, parent: st, child: stateOf(r)! });
      continue;
    }
    for (const a of ch.added) plan.assign(stateOf(a)!, prop, st);
    for (const r of ch.removed) {
      if (addedTo?.get(prop)?.has(r)) continue; // moved to another parent, not orphaned
      removeChild(ctx, stateOf(r)!, prop);
    }
  }
}

const all = (): boolean => true;
const isWriteOnly = (prop: RelationshipProperty): boolean => prop.lazy === 'writeOnly';

/** Per relationship, every object added to one of its collections in this flush. */
function additionsByRelationship(
  states: readonly InstanceState[],
  collectionsOf: CollectionsOf,
): Map<RelationshipProperty, Set<object>> {
  const addedTo = new Map<RelationshipProperty, Set<object>>();
  const add = (prop: RelationshipProperty, items: Iterable<object>) => {
    let set = addedTo.get(prop);
    if (!set) addedTo.set(prop, (set = new Set()));
    for (const a of items) set.add(a);
  };
  for (const st of states) {
    if (st.status === 'pending') {
      for (const prop of collectionsOf(st.mapper)) {
        const items = st.rel?.[prop.key] as object[] | undefined;
        if (items) add(prop, items);
        const writeOnly = prop.lazy === 'writeOnly' ? st.collectionChanges?.get(prop.key) : undefined;
        if (writeOnly) add(prop, writeOnly.added);
      }
    } else {
      for (const [key, ch] of st.collectionChanges ?? []) add(st.mapper.relationships.get(key)!, ch.added);
    }
  }
  return addedTo;
}

/** A child left its one-to-many parent: deleted if it is an orphan by cascade, else its foreign key is cleared. */
function removeChild(ctx: FlushContext, child: InstanceState, prop: RelationshipProperty): void {
  const { session, plan } = ctx;
  if (prop.cascade.has('delete-orphan')) {
    if (child.status === 'persistent') {
      plan.deletes.add(child);
      plan.updates.delete(child);
    } else if (child.status === 'pending') {
      session.expunge(child.obj); // no longer pending: execute() skips it
    }
    return;
  }
  if (child.status === 'persistent') plan.assign(child, prop, null);
}

/**
 * A one-to-one replaced and deleted as an orphan keeps its unique key until the DELETEs, which
 * run after its successor's INSERT: clear the key first (one UPDATE) when the column allows NULL.
 */
function releaseUniqueKey(plan: FlushPlan, child: InstanceState, prop: RelationshipProperty): void {
  if (!plan.deletes.has(child) || child.mapper.versionColumn) return;
  const cols = fkColumns(prop).childKeys.map((k) => child.mapper.columnsByKey.get(k)!.column);
  if (!cols.some((c) => c.unique) || !cols.every((c) => c.nullable)) return;
  plan.assign(child, prop, null);
  plan.updates.add(child);
}

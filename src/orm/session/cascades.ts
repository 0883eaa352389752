/**
 * The cascades a flush follows before it writes anything: save-update brings the objects reachable
 * from new and changed ones into the flush, delete takes children down with their parent (or
 * clears their keys). They decide which objects the flush touches; dependency.ts decides what it
 * writes for each relationship.
 */
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushContext } from './flush-plan.js';
import type { Session } from './session.js';
import { nextMark, stateOf, type InstanceState } from './state.js';
import { writeOnlyAdded } from './write-only.js';
import { InvalidRequestError } from '../errors.js';

/**
 * save-update cascade: objects reachable from pending or changed ones join the session. `roots`
 * are what the flush took from the session, in the order they are visited.
 */
export function cascadeSaves(ctx: FlushContext, roots: readonly Iterable<InstanceState>[]): void {
  const { session, plan } = ctx;
  // Breadth-first in add() order, so rows are inserted in the order the user added them.
  const queue: InstanceState[] = [];
  const seen = nextMark();
  for (const set of roots) {
    for (const st of set) {
      if (st.mark === seen) continue;
      st.mark = seen;
      queue.push(st);
    }
  }
  const cascading = new Map<Mapper, RelationshipProperty[]>();
  const visit = (item: object) => {
    const child = stateOf(item)!;
    if (child.mark === seen) return;
    child.mark = seen;
    // A new object reached by cascade goes straight into this flush; session.pending is only for
    // objects waiting for one (it is emptied when the flush succeeds, refilled when it fails).
    if (child.status === 'transient' && child.session === null) session.adoptPending(child);
    else if (child.status === 'transient' || child.status === 'detached') {
      session.add(item);
      session.pending.delete(child); // written by this flush, not the next
    }
    if (child.session === session && (child.status === 'pending' || child.hasChanges)) queue.push(child);
  };
  for (let i = 0; i < queue.length; i++) {
    const st = queue[i]!;
    if (st.status === 'pending') plan.inserts.push(st);
    else if (st.status === 'persistent' && st.hasChanges) plan.updates.add(st);
    // What was add()ed to a write-only collection is all the cascade can reach of it.
    if (st.collectionChanges) for (const item of writeOnlyAdded(st)) visit(item);
    const rel = st.rel;
    if (!rel) continue;
    let props = cascading.get(st.mapper);
    if (!props) {
      props = [...st.mapper.relationships.values()].filter((p) => !p.viewonly && p.cascade.has('save-update'));
      cascading.set(st.mapper, props);
    }
    for (const prop of props) {
      if (!(prop.key in rel)) continue;
      const value = rel[prop.key];
      if (!prop.uselist) {
        if (value) visit(value as object);
        continue;
      }
      // Indexed: for-of over an Array subclass (InstrumentedList) allocates a result object per item.
      const items = value as object[];
      for (let i = 0; i < items.length; i++) visit(items[i]!);
    }
  }
}

/** delete cascade, and what deleting a parent does to children that are not deleted with it. */
export async function cascadeDeletes(ctx: FlushContext): Promise<void> {
  const { session, plan } = ctx;
  const queue = [...session.toDelete];
  while (queue.length) {
    const st = queue.pop()!;
    if (plan.deletes.has(st)) continue;
    plan.deletes.add(st);
    plan.updates.delete(st);
    for (const prop of st.mapper.relationships.values()) {
      if (prop.viewonly) continue;
      if (prop.direction === 'MANYTOMANY') {
        if (!prop.passiveDeletes) plan.associationClears.push({ prop, parent: st });
        continue;
      }
      const cascadeDelete = prop.cascade.has('delete');
      if (prop.direction === 'MANYTOONE' && !cascadeDelete) continue;
      if (prop.passiveDeletes && !st.isLoaded(prop.key)) continue;
      if (prop.lazy === 'writeOnly') refuseDeleteOfWriteOnly(prop);
      for (const item of await related(session, st, prop)) {
        const child = stateOf(item)!;
        if (cascadeDelete) {
          if (child.status === 'persistent') queue.push(child);
          else if (child.status === 'pending') session.expunge(item);
        } else if (!plan.deletes.has(child) && !prop.passiveDeletes) {
          plan.assign(child, prop, null);
        }
      }
    }
  }
}

/**
 * Deleting the owner of a one-to-many write-only collection would load every child to clear its key
 * or delete it: refused, as SQLAlchemy does; the database's ON DELETE does it with passiveDeletes.
 */
function refuseDeleteOfWriteOnly(prop: RelationshipProperty): never {
  const one = prop.parent.name;
  throw new InvalidRequestError(
    `${prop.name} is a writeOnly collection: deleting a ${one} would load all its ${prop.key} to ` +
      `${prop.cascade.has('delete') ? 'delete them' : 'clear their foreign key'}. Declare it with passiveDeletes: true ` +
      `and give the foreign key ondelete: 'CASCADE' (or 'SET NULL'), or delete the children first with a bulk delete_(${prop.target.name})`,
  );
}

async function related(session: Session, st: InstanceState, prop: RelationshipProperty): Promise<object[]> {
  const value = st.isLoaded(prop.key) ? st.rel![prop.key] : await session.loadRelationshipNow(st, prop);
  return prop.uselist ? [...(value as object[])] : value ? [value as object] : [];
}

/**
 * How an object moves through a session's lifecycle (SQLAlchemy's transient → pending → persistent →
 * deleted / detached): add(), delete() and expunge(), a row becoming an object, and the unit of work's
 * register…() calls after its INSERTs and DELETEs. Each move changes the object's status, the session's
 * sets (pending, toDelete, changed, txn…) and the identity map together, here and nowhere else; the
 * Session's methods check their arguments and come through. Where merge(), expire() and makeTransient()
 * belong.
 */
import { ArgumentError } from '../../sql/errors.js';
import { InvalidRequestError } from '../errors.js';
import type { LoadBatch } from '../loading/context.js';
import type { EntityPlan } from '../loading/planner.js';
import { fillUnloaded } from '../loading/deferred-columns.js';
import type { Mapper } from '../mapping/mapper.js';
import type { IdentityMaps } from './identity.js';
import type { IdentityMap } from './keymap.js';
import type { Session } from './session.js';
import { loadExpiredFromRow } from './expire.js';
import { stateOf, type InstanceState } from './state.js';
import { fireMapperEvent } from '../mapping/events.js';

/** The state of `obj` for `session.<action>()`; anything but a model instance is an ArgumentError. */
export function requireState(obj: unknown, action: string): InstanceState {
  const st = typeof obj === 'object' && obj !== null ? stateOf(obj) : undefined;
  if (!st)
    throw new ArgumentError(`session.${action}() takes a model instance, got ${obj === null ? 'null' : typeof obj}`);
  return st;
}

/** Leaves the session: no session, no load batch, and the status it goes back to. */
export function detach(st: InstanceState, status: 'transient' | 'detached'): void {
  st.status = status;
  st.session = null;
  st.batch = null;
}

/** The state transitions of one session's objects. */
export class ObjectLifecycle {
  constructor(
    private readonly session: Session,
    private readonly identity: IdentityMaps,
  ) {}

  /** session.add() of a checked object: pending when new, persistent again when deleted or detached. */
  add(st: InstanceState): void {
    const session = this.session;
    if (st.session && st.session !== session) {
      throw new InvalidRequestError(`${st} is already attached to another session; expunge it there first`);
    }
    if (st.status === 'deleted' || session.toDelete.has(st)) {
      session.toDelete.delete(st);
      if (st.status === 'deleted') st.status = 'persistent';
      return;
    }
    if (st.status === 'transient') {
      st.status = 'pending';
      st.session = session;
      session.pending.add(st);
    } else if (st.status === 'detached') {
      this.attachDetached(st);
    }
  }

  /** session.delete() of a checked object: a pending one just leaves, a persistent one waits for the flush. */
  delete(st: InstanceState): void {
    if (st.status === 'pending') {
      this.expunge(st);
      return;
    }
    if (st.status !== 'persistent' || st.session !== this.session) {
      throw new InvalidRequestError(
        `cannot delete ${st}: it is ${st.status === 'persistent' ? 'in another session' : st.status}`,
      );
    }
    this.session.toDelete.add(st);
  }

  /** Out of the session without touching the database: transient when it was pending, else detached. */
  expunge(st: InstanceState): void {
    this.session.pending.delete(st);
    this.session.toDelete.delete(st);
    this.session.changed.delete(st);
    this.identity.remove(st);
    detach(st, st.status === 'pending' ? 'transient' : 'detached');
  }

  /** makeTransient(): out of every set of the session and of its identity map, as if never added. */
  forget(st: InstanceState): void {
    const session = this.session;
    for (const set of [session.pending, session.toDelete, session.changed, session.pendingOwners]) set.delete(st);
    for (const set of [session.txnInserted, session.txnUpdated, session.txnDeleted]) set.delete(st);
    this.identity.remove(st);
    detach(st, 'transient');
  }

  /** An attribute of `st` was set: a persistent object is changed (and touched, should a flush be running). */
  noteChanged(st: InstanceState): void {
    if (st.status !== 'persistent') return;
    this.session.changed.add(st);
    this.session.activeFlush?.noteTouched(st);
  }

  /** The object with this key, unless it is marked for deletion. */
  lookup(mapper: Mapper, key: unknown): InstanceState | undefined {
    const st = this.identity.loaded(mapper)?.get(key);
    // An object of another class of the hierarchy is not this model's (get(Customer, anEmployeeId)).
    if (st && st.mapper !== mapper && !st.mapper.inheritance.isA(mapper)) return undefined;
    return st && !this.session.toDelete.has(st) ? st : undefined;
  }

  /** The existing object for this row's key, or a new persistent one built from the row. */
  fromRow(
    map: IdentityMap,
    key: unknown,
    row: readonly unknown[],
    plan: EntityPlan,
    batch: LoadBatch | null,
  ): InstanceState {
    const existing = map.get(key);
    if (existing) {
      if (batch?.populated) this.populate(existing, plan.read(row, plan.offset), batch.populated);
      else if (existing.expired !== null) loadExpiredFromRow(existing, plan.read(row, plan.offset));
      // An object loaded without some columns gets those this row has (SQLAlchemy does the same).
      if (existing.unloaded !== null) fillUnloaded(existing, plan, row);
      return existing;
    }
    const st = plan.poly ? plan.poly.instantiate(row) : plan.mapper.instantiate(plan.read, row, plan.offset);
    const unloaded = plan.poly ? plan.poly.unloaded(st.mapper) : plan.unloaded;
    if (unloaded !== null) st.unloaded = unloaded;
    st.key = key;
    st.status = 'persistent';
    st.session = this.session;
    st.batch = batch;
    map.set(key, st);
    fireMapperEvent(st, 'loaded', this.session);
    return st;
  }

  /**
   * populateExisting: the row's values written over an object already loaded (once per query), its
   * unflushed changes dropped and its relationships unloaded, so the query's eager loads fill them afresh.
   */
  private populate(st: InstanceState, values: Record<string, unknown>, populated: Set<InstanceState>): void {
    if (populated.has(st)) return;
    populated.add(st);
    Object.assign(st.v, values);
    st.orig = null;
    st.expired = null;
    st.rel = null;
    st.collectionChanges = null;
    st.scalarChanges = null;
    st.pendingMutations = null;
    this.session.changed.delete(st);
    this.session.pendingOwners.delete(st);
  }

  /** After INSERT: the object joins the identity map. */
  registerInserted(st: InstanceState): void {
    st.key = st.mapper.keyFromValues(st.v);
    st.status = 'persistent';
    this.identity.of(st.mapper).set(st.key, st);
    this.session.txnInserted.add(st);
  }

  /** Undoes registerInserted when the flush that did it fails (the flush makes it pending again). */
  unregisterInserted(st: InstanceState): void {
    this.identity.remove(st);
    this.session.txnInserted.delete(st);
  }

  /** A new object reached by a flush's save-update cascade: pending, and written by that flush. */
  adoptPending(st: InstanceState): void {
    st.status = 'pending';
    st.session = this.session;
  }

  /** Undoes registerDeleted when the flush that did it fails. */
  unregisterDeleted(st: InstanceState): void {
    this.session.txnDeleted.delete(st);
    st.status = 'persistent';
    this.identity.of(st.mapper).set(st.key, st);
    this.session.toDelete.add(st);
  }

  /** After DELETE. */
  registerDeleted(st: InstanceState): void {
    this.identity.remove(st);
    this.session.toDelete.delete(st);
    this.session.changed.delete(st);
    st.status = 'deleted';
    this.session.txnDeleted.add(st);
  }

  /** A detached object added again: persistent, unless another object already holds its key. */
  private attachDetached(st: InstanceState): void {
    const key = st.mapper.keyFromValues(st.v);
    const map = this.identity.of(st.mapper);
    const existing = map.get(key);
    if (existing && existing !== st) {
      throw new InvalidRequestError(`another object with the same primary key as ${st} is already in this session`);
    }
    st.key = key;
    st.status = 'persistent';
    st.session = this.session;
    map.set(key, st);
    // Changed while detached (or before expunge()): its snapshot says what to UPDATE.
    if (st.hasChanges) this.session.changed.add(st);
  }
}

/**
 * What one flush took from the session and changed, kept so that it can be undone or reconciled:
 * a failed flush puts every object and the session back as they were before it; a flush that
 * succeeded compares objects changed meanwhile with what it wrote. The unit of work decides when;
 * this file knows what to keep and how to put it back.
 */
import type { Session } from './session.js';
import type { InstanceState, Status } from './state.js';

/** A persistent object's values, copied whole before the flush may change them. */
export interface Snapshot {
  readonly v: Record<string, unknown>;
  readonly orig: Record<string, unknown> | null;
  readonly status: Status;
  readonly key: unknown;
}

interface TakenChanges {
  st: InstanceState;
  collections: InstanceState['collectionChanges'];
  scalars: InstanceState['scalarChanges'];
}

/** One flush's record of what it took and wrote, for restore (failure) and reconcile (success). */
export class FlushJournal {
  /**
   * Values this flush wrote into objects being inserted (keys, foreign keys, defaults), as
   * (state, attribute, previous value) triples: a failed flush puts them back. Cheaper than copying
   * every inserted object's values up front.
   */
  private readonly writes: unknown[] = [];
  private readonly inserted: InstanceState[] = [];
  private readonly deleted: InstanceState[] = [];
  /**
   * What this flush took from the session when it began: the pending and changed objects, and each
   * object's collection and scalar relationship changes. Changes made while it runs start afresh on
   * the session and the objects, for the next flush; a failed flush puts what it took back.
   */
  private takenPending: Set<InstanceState> | null = null;
  /** Objects whose queued backref changes this flush writes (see Session.pendingOwners). */
  private takenPendingOwners: Set<InstanceState> | null = null;
  private takenChanged: Set<InstanceState> | null = null;
  private readonly takenChanges: TakenChanges[] = [];
  /** What each INSERT wrote, chunk by chunk, and what each UPDATE wrote, for objects touched meanwhile. */
  private readonly insertChunks: { states: InstanceState[]; keys: string[]; rows: unknown[][] }[] = [];
  private readonly updateWrites: { st: InstanceState; values: Record<string, unknown> }[] = [];

  /** Takes the session's pending and changed objects for this flush; returns them, pending first. */
  take(session: Session): readonly Set<InstanceState>[] {
    this.takenPending = session.pending;
    this.takenChanged = session.changed;
    this.takenPendingOwners = session.pendingOwners;
    session.pending = new Set();
    session.changed = new Set();
    session.pendingOwners = new Set();
    return [this.takenPending, this.takenChanged];
  }

  /** Takes `st`'s relationship changes: those made from now on are for the next flush. */
  takeChanges(st: InstanceState): void {
    if (st.collectionChanges || st.scalarChanges) {
      this.takenChanges.push({ st, collections: st.collectionChanges, scalars: st.scalarChanges });
      st.collectionChanges = null;
      st.scalarChanges = null;
    }
  }

  /** The objects whose queued backref changes this flush wrote (null before take). */
  get pendingOwners(): Set<InstanceState> | null {
    return this.takenPendingOwners;
  }

  /**
   * Sets a value of an object being inserted, journaled so a failed flush can put the old one back
   * (undefined: there was none; a column's value is never undefined, the setters refuse it).
   */
  write(st: InstanceState, key: string, value: unknown): void {
    const v = st.v;
    this.writes.push(st, key, v[key]);
    v[key] = value;
  }

  /** `st`'s row was inserted (and registered with the session): a failed flush unregisters it. */
  recordInserted(st: InstanceState): void {
    this.inserted.push(st);
  }

  /** `st`'s row was deleted (and registered with the session): a failed flush unregisters it. */
  recordDeleted(st: InstanceState): void {
    this.deleted.push(st);
  }

  /** What one INSERT wrote, to reconcile objects changed while the flush ran. */
  recordInsertChunk(states: InstanceState[], keys: string[], rows: unknown[][]): void {
    this.insertChunks.push({ states, keys, rows });
  }

  /** What one UPDATE wrote, to reconcile objects changed while the flush ran. */
  recordUpdate(st: InstanceState, values: Record<string, unknown>): void {
    this.updateWrites.push({ st, values });
  }

  /** Undoes what the flush did to the session's registers and to the objects it inserted. */
  undoWrites(session: Session): void {
    for (const st of this.inserted) session.unregisterInserted(st);
    for (const st of this.deleted) session.unregisterDeleted(st);
    const j = this.writes;
    for (let i = j.length - 3; i >= 0; i -= 3) {
      const st = j[i] as InstanceState;
      const key = j[i + 1] as string;
      if (j[i + 2] === undefined) delete st.v[key];
      else st.v[key] = j[i + 2];
    }
  }

  /**
   * After a failed flush, what it took goes back to the session: every object it was to insert waits
   * for the next one, changed objects are changed again, and relationship changes made meanwhile are
   * laid over the ones it took.
   */
  giveBack(session: Session, inserts: readonly InstanceState[]): void {
    for (const st of inserts) if (st.status === 'pending') session.pending.add(st);
    for (const st of this.takenPending ?? []) if (st.status === 'pending') session.pending.add(st);
    for (const st of this.takenChanged ?? []) if (st.status === 'persistent') session.changed.add(st);
    for (const st of this.takenPendingOwners ?? []) session.pendingOwners.add(st);
    for (const { st, collections, scalars } of this.takenChanges) {
      st.collectionChanges = mergeCollectionChanges(collections, st.collectionChanges);
      if (scalars) {
        for (const [k, v] of st.scalarChanges ?? []) if (!scalars.has(k)) scalars.set(k, v);
        st.scalarChanges = scalars;
      }
      if (st.status === 'persistent') session.changed.add(st);
    }
  }

  /**
   * An object written by this flush and changed by other code while it ran: what is in the database
   * now is what the flush wrote, so the changes still to write are the values that differ from that.
   */
  reconcile(st: InstanceState): void {
    const orig = st.orig;
    st.orig = null;
    if (st.status !== 'persistent') return;
    const insert = this.insertChunks.find((c) => c.states.includes(st));
    if (insert) {
      const row = insert.rows[insert.states.indexOf(st)]!;
      for (const mc of st.mapper.columns) {
        const i = insert.keys.indexOf(mc.key);
        if (i < 0 && mc.column.primaryKey && mc.column.autoincrement) continue; // generated by this INSERT
        const inDatabase = i >= 0 ? row[i] : null;
        const now = st.v[mc.key] ?? null;
        if (!sameValue(now, inDatabase)) st.noteModified(mc.key, inDatabase);
      }
      return;
    }
    if (!orig) return;
    const written = this.updateWrites.find((u) => u.st === st)?.values;
    for (const [k, before] of Object.entries(orig)) {
      const inDatabase = written && k in written ? written[k] : before;
      if (!sameValue(st.v[k], inDatabase)) st.noteModified(k, inDatabase);
    }
  }
}

/** Persistent objects of `sets` the flush may change, copied whole; objects being inserted are journaled instead (see write). */
export function snapshot(sets: readonly Iterable<InstanceState>[]): Map<InstanceState, Snapshot> {
  const snaps = new Map<InstanceState, Snapshot>();
  for (const set of sets) {
    for (const st of set) {
      if (st.status === 'pending' || snaps.has(st)) continue;
      snaps.set(st, { v: { ...st.v }, orig: st.orig && { ...st.orig }, status: st.status, key: st.key });
    }
  }
  return snaps;
}

/** Puts the snapshotted objects back as they were. */
export function restoreSnapshots(snaps: Map<InstanceState, Snapshot>): void {
  for (const [st, s] of snaps) {
    st.v = s.v;
    st.orig = s.orig;
    st.status = s.status;
    st.key = s.key;
  }
}

/** Collection changes `earlier` followed by `later`, as onAppend/onRemove would have recorded them in one. */
function mergeCollectionChanges(
  earlier: InstanceState['collectionChanges'],
  later: InstanceState['collectionChanges'],
): InstanceState['collectionChanges'] {
  if (!earlier) return later;
  if (!later) return earlier;
  for (const [key, ch] of later) {
    const into = earlier.get(key);
    if (!into) {
      earlier.set(key, ch);
      continue;
    }
    for (const a of ch.added) if (!into.removed.delete(a)) into.added.add(a);
    for (const r of ch.removed) if (!into.added.delete(r)) into.removed.add(r);
    if (ch.replacedUnloaded) into.replacedUnloaded = true;
  }
  return earlier;
}

/** Equal as column values: dates by their time. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/**
 * Nested transactions (SAVEPOINTs): `session.beginNested()`, SQLAlchemy's `begin_nested()`. Rolling one
 * back undoes its work in the database and in memory, and leaves the enclosing transaction usable: the
 * way to survive an expected failure (a duplicate key, say) without losing the rest of the transaction.
 */
import type { Connection } from '../../engine/engine.js';
import { InvalidRequestError } from '../errors.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import type { TransactionState } from './transaction-state.js';

/** What the session held when the savepoint began (right after a flush, so nothing was pending). */
interface SavepointSnapshot {
  readonly values: Map<
    InstanceState,
    { readonly v: Record<string, unknown>; readonly rel: Record<string, unknown> | null }
  >;
  readonly inserted: ReadonlySet<InstanceState>;
  readonly deleted: ReadonlySet<InstanceState>;
}

/**
 * One SAVEPOINT of a session's transaction. `commit()` releases it (its work becomes part of the enclosing
 * transaction and is written when that commits); `rollback()` returns database and objects to where they
 * were when it began.
 *
 * @example
 * ```ts
 * import { IntegrityError } from 'relata';
 *
 * const sp = await session.beginNested();
 * session.add(new User({ username: 'maybe-taken' }));
 * try {
 *   await sp.commit();
 * } catch (err) {
 *   if (!(err instanceof IntegrityError)) throw err;
 *   await sp.rollback(); // the user is gone again; everything before the savepoint is intact
 * }
 * ```
 */
export class NestedTransaction {
  private readonly snapshot: SavepointSnapshot;

  /** @internal Use session.beginNested(). */
  constructor(
    private readonly session: Session,
    private readonly conn: Connection,
    /** The SAVEPOINT's name. */
    readonly name: string,
  ) {
    this.snapshot = takeSnapshot(session);
  }

  /** False once committed or rolled back, or when the enclosing transaction ended. */
  get isActive(): boolean {
    return this.session.savepoints.includes(this);
  }

  /** Flushes, then releases the savepoint. Its changes commit with the enclosing transaction. */
  commit(): Promise<void> {
    return this.session.run(async () => {
      this.requireActive('commit');
      await this.session.flushNow();
      await this.session.onTransaction(() => this.conn.releaseSavepoint(this.name));
      this.close();
    });
  }

  /**
   * Rolls back to the savepoint. Objects added since it began leave the session, objects deleted since
   * come back, changed values return to what they were, and relationships that changed unload (the next
   * `await` reloads them). Also what to call after a flush inside the savepoint failed.
   */
  rollback(): Promise<void> {
    // Not refused when the session failed: rolling the savepoint back is how it recovers.
    return this.session.exclusive(async () => {
      this.requireActive('rollback');
      try {
        await this.conn.rollbackToSavepoint(this.name);
      } catch (err) {
        // The savepoint itself is lost (e.g. the connection died): only the whole transaction can be rolled back.
        this.session.failNested(err as Error);
        throw err;
      }
      this.close();
      restoreSnapshot(this.session, this.snapshot);
      this.session.recoverNested();
    });
  }

  /** This savepoint and any opened inside it end. */
  private close(): void {
    const stack = this.session.savepoints;
    stack.splice(stack.indexOf(this));
  }

  private requireActive(action: string): void {
    if (!this.isActive) {
      throw new InvalidRequestError(
        `cannot ${action} savepoint ${this.name}: it already ended (committed, rolled back, or its transaction ended)`,
      );
    }
  }
}

/**
 * The callback form: commits the savepoint when `fn` resolves, rolls it back and rethrows when `fn`
 * (or the flush at commit) throws, like SQLAlchemy's `with session.begin_nested():`.
 */
export async function runNested<R>(
  nested: NestedTransaction,
  fn: (nested: NestedTransaction) => Promise<R>,
): Promise<R> {
  let result: R;
  try {
    result = await fn(nested);
    if (nested.isActive) await nested.commit();
  } catch (err) {
    // If even the rollback fails, the session already demands a full rollback; the first error says more.
    if (nested.isActive) await nested.rollback().catch(() => undefined);
    throw err;
  }
  return result;
}

function takeSnapshot(session: Session): SavepointSnapshot {
  const values: SavepointSnapshot['values'] = new Map();
  for (const mapper of session.registry.mappers.values()) {
    session.identityMap(mapper).forEach((st) => values.set(st, { v: { ...st.v }, rel: copyRel(st.rel) }));
  }
  return { values, inserted: new Set(session.txnInserted), deleted: new Set(session.txnDeleted) };
}

function restoreSnapshot(session: Session, snap: SavepointSnapshot): void {
  // Added or inserted since the savepoint: the rows are gone, the objects become transient again.
  for (const st of [...session.pending, ...session.txnInserted]) {
    if (snap.inserted.has(st)) continue;
    if (session.txnInserted.delete(st)) {
      const map = session.identityMap(st.mapper);
      if (map.get(st.key) === st) map.delete(st.key);
      for (const pk of st.mapper.primaryKey) if (pk.column.autoincrement) delete st.v[pk.key];
    }
    session.pending.delete(st);
    st.status = 'transient';
    st.session = null;
    st.batch = null;
  }
  // Deleted since the savepoint: the rows are back.
  for (const st of [...session.txnDeleted]) {
    if (snap.deleted.has(st)) continue;
    session.txnDeleted.delete(st);
    st.status = 'persistent';
    st.session = session;
    session.identityMap(st.mapper).set(st.key, st);
  }
  session.toDelete.clear();
  session.changed.clear();
  for (const [st, saved] of snap.values) {
    if (st.session !== session) continue;
    Object.assign(st.v, saved.v);
    st.orig = null;
    st.collectionChanges = null;
    st.pendingMutations = null;
    st.scalarChanges = null;
    if (!sameRel(st.rel, saved.rel)) st.rel = null;
  }
  // Loaded after the savepoint began: values written since go back to what the transaction saw before
  // (orig: unflushed edits; txnOrig: flushed ones), and relationships unload, as they may list rolled-back rows.
  for (const mapper of session.registry.mappers.values()) {
    session.identityMap(mapper).forEach((st) => {
      if (snap.values.has(st)) return;
      if (st.orig) Object.assign(st.v, st.orig);
      if (st.txnOrig) Object.assign(st.v, st.txnOrig);
      st.orig = null;
      st.collectionChanges = null;
      st.pendingMutations = null;
      st.scalarChanges = null;
      st.rel = null;
    });
  }
}

function copyRel(rel: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!rel) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rel)) out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

function sameRel(now: Record<string, unknown> | null, then: Record<string, unknown> | null): boolean {
  if (now === null || then === null) return now === then;
  const keys = Object.keys(now);
  if (keys.length !== Object.keys(then).length) return false;
  return keys.every((k) => {
    const a = now[k];
    const b = then[k];
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
    return a === b;
  });
}

/** beginNested()'s step under the session's lock: flush, then a SAVEPOINT the session keeps open. */
export async function openNested(session: Session, tx: TransactionState): Promise<NestedTransaction> {
  await session.flushNow();
  const { conn, name } = await tx.savepoint();
  const sp = new NestedTransaction(session, conn, name);
  tx.savepoints.push(sp);
  return sp;
}

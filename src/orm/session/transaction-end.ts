/**
 * How a session's transaction ends: commit() (the last flushes, COMMIT, then its objects settle: deleted
 * ones detach, the values kept for a rollback are dropped) and rollback() (ROLLBACK, then its objects go
 * back to the last commit). The connection's part is TransactionState's; this is the order of the steps
 * and the objects' part, apart from the Session; then the afterCommit / afterRollback events.
 */
import type { IdentityMaps } from './identity.js';
import { detach } from './lifecycle.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import type { TransactionState } from './transaction-state.js';
import { fireSessionEvent } from './session-events.js';

/** Flushes commit() runs at most, when objects keep changing while it flushes. */
const COMMIT_FLUSH_ROUNDS = 10;

/** commit(), for callers holding the session's lock. When COMMIT fails the objects are reverted. */
export async function commitNow(session: Session, tx: TransactionState, identity: IdentityMaps): Promise<void> {
  // What other code changed while a flush ran is written by another one, before COMMIT (a few
  // rounds at most: what keeps changing after that waits for the next commit, still pending).
  for (let round = 0; round < COMMIT_FLUSH_ROUNDS && session.isDirty; round++) await session.flushNow();
  try {
    await tx.commit();
  } catch (err) {
    revertToCommitted(session, identity);
    throw err;
  }
  settleCommitted(session);
  fireSessionEvent(session, 'afterCommit', { session });
}

/** rollback(), for callers holding the session's lock (even a failed session's). */
export async function rollbackNow(session: Session, tx: TransactionState, identity: IdentityMaps): Promise<void> {
  // afterRollback is for a database transaction rolled back: not a read-only session's close().
  const active = tx.active;
  await tx.reset();
  revertToCommitted(session, identity);
  if (active) fireSessionEvent(session, 'afterRollback', { session });
}

/** After COMMIT: the transaction's deletions are final and its objects' saved values no longer needed. */
function settleCommitted(session: Session): void {
  for (const st of session.txnDeleted) st.status = 'detached';
  for (const st of session.txnUpdated) st.txnOrig = null;
  session.txnInserted.clear();
  session.txnUpdated.clear();
  session.txnDeleted.clear();
}

/** The in-memory half of a rollback: objects as of the last commit. */
function revertToCommitted(session: Session, identity: IdentityMaps): void {
  const untouched =
    session.pending.size +
      session.txnInserted.size +
      session.txnDeleted.size +
      session.changed.size +
      session.txnUpdated.size +
      session.pendingOwners.size ===
    0;
  if (untouched && session.toDelete.size === 0) return; // a read-only session: the common close()
  for (const st of [...session.pending, ...session.txnInserted]) {
    if (session.txnInserted.has(st)) identity.remove(st);
    for (const pk of st.mapper.primaryKey) if (pk.column.autoincrement) delete st.v[pk.key];
    detach(st, 'transient');
  }
  for (const st of session.txnDeleted) {
    st.status = 'persistent';
    st.session = session;
    identity.of(st.mapper).set(st.key, st);
  }
  for (const st of new Set([...session.changed, ...session.txnUpdated, ...session.txnDeleted])) revert(st);
  session.dropPendingMutations(session.pendingOwners);
  session.pending.clear();
  session.toDelete.clear();
  session.changed.clear();
  session.txnInserted.clear();
  session.txnUpdated.clear();
  session.txnDeleted.clear();
}

/** One object back to its values at the last commit; relationships changed since then unload. */
function revert(st: InstanceState): void {
  if (st.orig) Object.assign(st.v, st.orig);
  if (st.txnOrig) Object.assign(st.v, st.txnOrig);
  st.orig = null;
  st.txnOrig = null;
  if (st.rel && (st.collectionChanges || st.scalarChanges)) st.rel = null;
  st.collectionChanges = null;
  st.pendingMutations = null;
  st.scalarChanges = null;
}

/**
 * One flush of a session: its pending changes written by a UnitOfWork, and what a failure of it means
 * for the transaction, with the session events around it: beforeFlush (whose changes this flush
 * writes), afterFlush, and afterRollback when a failure rolled the database transaction back.
 */
import type { Session } from './session.js';
import type { TransactionState } from './transaction-state.js';
import { UnitOfWork } from './unitofwork.js';
import { fireSessionEvent, flushEvent, hasSessionListeners } from './session-events.js';

/** Writes what `session` has pending (for callers holding its lock); a failure fails the transaction. */
export async function flushPending(session: Session, tx: TransactionState): Promise<void> {
  if (!session.isDirty) return;
  if (hasSessionListeners(session, 'beforeFlush')) {
    fireSessionEvent(session, 'beforeFlush', flushEvent(session));
    if (!session.isDirty) return;
  }
  const flushed = hasSessionListeners(session, 'afterFlush') ? flushEvent(session) : null;
  const uow = new UnitOfWork(session);
  session.activeFlush = uow;
  try {
    await uow.flush();
    if (flushed) fireSessionEvent(session, 'afterFlush', flushed);
  } catch (err) {
    // The transaction is gone: roll it back now so nothing half-written stays, and require rollback().
    // Inside beginNested() only the savepoint is lost: its rollback() undoes the half-written part.
    const rollsBack = tx.active && tx.savepoints.length === 0;
    await tx.fail(err as Error, 'a flush');
    if (rollsBack) fireRollbackAfterFailure(session, err as Error);
    throw err;
  } finally {
    session.activeFlush = null;
  }
}

/** afterRollback for a transaction a failed flush rolled back: a listener's own error is thrown, the flush's its cause. */
function fireRollbackAfterFailure(session: Session, flushError: Error): void {
  try {
    fireSessionEvent(session, 'afterRollback', { session });
  } catch (listenerError) {
    if (listenerError instanceof Error && listenerError.cause === undefined) listenerError.cause = flushError;
    throw listenerError;
  }
}

/**
 * One flush of a session: its pending changes written by a UnitOfWork, and what a failure of it means
 * for the transaction. Apart from the Session so the flush has one entry point, where beforeFlush /
 * afterFlush events will go.
 */
import type { Session } from './session.js';
import type { TransactionState } from './transaction-state.js';
import { UnitOfWork } from './unitofwork.js';

/** Writes what `session` has pending (for callers holding its lock); a failure fails the transaction. */
export async function flushPending(session: Session, tx: TransactionState): Promise<void> {
  if (!session.isDirty) return;
  const uow = new UnitOfWork(session);
  session.activeFlush = uow;
  try {
    await uow.flush();
  } catch (err) {
    // The transaction is gone: roll it back now so nothing half-written stays, and require rollback().
    // Inside beginNested() only the savepoint is lost: its rollback() undoes the half-written part.
    await tx.fail(err as Error, 'a flush');
    throw err;
  } finally {
    session.activeFlush = null;
  }
}

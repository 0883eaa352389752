/**
 * The errors for a connection that died, shared by the server drivers: before COMMIT the server rolls
 * the transaction back, so running all of it again is safe; during COMMIT nobody can know.
 */
import { CommitOutcomeUnknownError, OperationalError, type DatabaseErrorDetails } from '../sql/errors.js';

/** The connection to `server` died (`now`, in this call, or `earlier`); retryable. */
export function connectionLost(
  server: string,
  err: Error,
  when: 'now' | 'earlier',
  inTransaction: boolean,
  codes: DatabaseErrorDetails,
): OperationalError {
  const what =
    when === 'now'
      ? `the connection to ${server} was lost (${err.message})`
      : `this connection to ${server} was lost earlier (${err.message})`;
  const advice = inTransaction
    ? 'its transaction is gone: roll back (session.rollback()) and retry on a new connection'
    : 'retry on a new connection';
  return new OperationalError(`${what}; ${advice}`, { ...codes, cause: err, retryable: true });
}

/** The connection to `server` died while a COMMIT (or a write outside a transaction) was in flight. */
export function commitOutcomeUnknown(
  server: string,
  err: unknown,
  codes: DatabaseErrorDetails,
): CommitOutcomeUnknownError {
  return new CommitOutcomeUnknownError(
    `the connection to ${server} was lost while the transaction was committing: it may or may not have been committed`,
    { ...codes, cause: err },
  );
}

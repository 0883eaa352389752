/**
 * `db.transaction(async (session) => …)`: a unit of work in a session of its own, committed when the
 * callback resolves, rolled back when it throws, and run again from the start when the database says
 * a retry may succeed (serialization failure, deadlock, lock timeout, busy SQLite, a connection lost
 * before COMMIT, a stale version). A COMMIT whose outcome is unknown is never retried.
 */
import type { BeginOptions, IsolationLevel } from '../../dialects/dialect.js';
import { ISOLATION_LEVELS } from '../../dialects/dialect.js';
import { ArgumentError, DatabaseError } from '../../sql/errors.js';
import { PendingRollbackError, StaleDataError } from '../errors.js';
import type { Session } from './session.js';

/**
 * Options of `db.transaction(fn, options)`: how the transaction begins, and how it is retried.
 *
 * @example
 * ```ts
 * await db.transaction(
 *   async (session) => {
 *     const account = await session.get(Account, 1);
 *     if (account) account.balance += 100;
 *   },
 *   { isolation: 'serializable', retries: 5, onRetry: (err, attempt) => console.warn(`attempt ${attempt}:`, err.message) },
 * );
 * ```
 */
export interface TransactionOptions {
  /** The isolation level; the database's default when absent. */
  readonly isolation?: IsolationLevel;
  /** A transaction that may only read. */
  readonly readOnly?: boolean;
  /**
   * How many times to run the callback again after a retryable error (default 3). The callback may
   * therefore run more than once: keep side effects other than the database's (emails, HTTP calls)
   * out of it, or after it.
   */
  readonly retries?: number;
  /** Called before each retry, with the error that caused it and the attempt about to start (2, 3…). */
  readonly onRetry?: (error: Error, attempt: number) => void;
}

export const DEFAULT_TRANSACTION_RETRIES = 3;

/**
 * True when running the whole transaction again may succeed: a retryable database error (serialization failure, deadlock, lock timeout, busy SQLite, connection lost before COMMIT) or a StaleDataError. What `db.transaction()` retries on; for loops of your own.
 *
 * @example
 * ```ts
 * import { isRetryable } from 'relata';
 *
 * for (let attempt = 1; ; attempt++) {
 *   const s = db.newSession();
 *   try {
 *     s.add(new Post({ title: 'hello' }));
 *     await s.commit();
 *     break;
 *   } catch (err) {
 *     await s.rollback();
 *     if (!isRetryable(err) || attempt === 3) throw err;
 *   } finally {
 *     await s.close();
 *   }
 * }
 * ```
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof DatabaseError) return err.retryable;
  if (err instanceof StaleDataError) return true; // optimistic locking: a re-run reads the new version
  if (err instanceof PendingRollbackError) return isRetryable(err.cause);
  return false;
}

/** Checks the options once, so a typo fails before anything runs. */
export function checkTransactionOptions(options: TransactionOptions): BeginOptions {
  const known = new Set(['isolation', 'readOnly', 'retries', 'onRetry']);
  for (const k of Object.keys(options)) {
    if (!known.has(k))
      throw new ArgumentError(`db.transaction(): unknown option '${k}' (known: ${[...known].join(', ')})`);
  }
  const { isolation, readOnly, retries } = options;
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation)) {
    throw new ArgumentError(
      `db.transaction(): unknown isolation level '${String(isolation)}' (expected one of: ${ISOLATION_LEVELS.join(', ')})`,
    );
  }
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new ArgumentError(`db.transaction(): retries must be a whole number ≥ 0, got ${String(retries)}`);
  }
  if (readOnly !== undefined && typeof readOnly !== 'boolean') {
    throw new ArgumentError(`db.transaction(): readOnly must be true or false, got ${String(readOnly)}`);
  }
  return { isolation, readOnly };
}

/**
 * Runs `fn` in a fresh session per attempt (`open`), inside `scoped` so `db.session` is that session,
 * with jittered exponential backoff between attempts.
 */
export async function runTransaction<R>(
  open: () => Session,
  scoped: <X>(session: Session, fn: () => Promise<X>) => Promise<X>,
  fn: (session: Session) => Promise<R>,
  options: TransactionOptions,
): Promise<R> {
  const begin = checkTransactionOptions(options);
  const retries = options.retries ?? DEFAULT_TRANSACTION_RETRIES;
  for (let attempt = 1; ; attempt++) {
    const session = open();
    try {
      return await scoped(session, async () => {
        await session.begin(begin);
        const result = await fn(session);
        await session.commit();
        return result;
      });
    } catch (err) {
      if (attempt > retries || !isRetryable(err)) throw err;
      options.onRetry?.(err as Error, attempt + 1);
    } finally {
      await session.end('db.transaction()').catch(() => undefined);
    }
    await backoff(attempt);
  }
}

/** Full jitter: a random pause up to 5 ms × 2^attempt, at most 500 ms, so retries of contending tasks spread out. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(500, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

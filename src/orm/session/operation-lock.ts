/**
 * A session's "one operation at a time": each call that reaches the database runs after every one
 * called before it and before any called after (see the top of session.ts), and none runs once the
 * session's scope has ended. Apart from the Session so its queueing, and the check made before each
 * operation, live in one small place.
 */
import { Lock } from '../../sql/lock.js';
import { InvalidRequestError } from '../errors.js';

export class OperationLock {
  private readonly lock = new Lock();
  /** Set when the scope that owned this session ended: any further use is a bug in the caller. */
  private endedBy: string | null = null;

  /** `checkNotFailed` throws when the session's transaction failed and waits for rollback(). */
  constructor(private readonly checkNotFailed: () => void) {}

  /** Whether the scope that owned the session ended (see markEnded). */
  get ended(): boolean {
    return this.endedBy !== null;
  }

  /** The scope that owned the session (`db.scope()`, a request) ended: refuse every later use. */
  markEnded(scope: string): void {
    this.endedBy = scope;
  }

  /** Throws when the session may not be used: its scope ended, or it waits for rollback(). */
  checkUsable(): void {
    if (this.endedBy) {
      throw new InvalidRequestError(
        `this session belonged to ${this.endedBy}, which has ended: its work was rolled back and its objects detached. ` +
          `Use the session of the current scope (db.session), or open one (db.scope(), db.transaction())`,
      );
    }
    this.checkNotFailed();
  }

  /**
   * Runs `op` as the session's one operation: after every operation called before it, and before any
   * called after. Checks first that the session may be used.
   */
  run<R>(op: () => Promise<R>): Promise<R> {
    try {
      this.checkUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.lock.isHeld) return this.holding(op);
    return this.lock.acquire().then(() => {
      try {
        this.checkUsable(); // what ran while this call waited its turn may have failed
      } catch (err) {
        this.lock.release();
        throw err;
      }
      return this.holding(op, true);
    });
  }

  /** run() without the check that the session is usable: for rolling back a failed one. */
  exclusive<R>(op: () => Promise<R>): Promise<R> {
    if (!this.lock.isHeld) return this.holding(op);
    return this.lock.acquire().then(() => this.holding(op, true));
  }

  /**
   * Runs `op` holding the lock (taken here when `taken` is false: the common case, a session used by
   * one task, takes the free lock without waiting a turn) and frees it when `op` settles. An async
   * function that awaits `op`, not a `.then()` on its promise: a second reaction on that promise would
   * cut V8's async stack trace there, and errors would lose the caller's line.
   */
  private async holding<R>(op: () => Promise<R>, taken = false): Promise<R> {
    if (!taken) void this.lock.acquire();
    try {
      return await op();
    } finally {
      this.lock.release();
    }
  }
}

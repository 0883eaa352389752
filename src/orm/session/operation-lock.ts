/**
 * A session's "one operation at a time": each call that reaches the database runs after every one
 * called before it and before any called after (see the top of session.ts). Apart from the Session so
 * its queueing, and the check made before each operation, live in one small place.
 */
import { Lock } from '../../sql/lock.js';

export class OperationLock {
  private readonly lock = new Lock();

  /** `checkUsable` throws when the session may not be used (ended, or waiting for rollback()). */
  constructor(private readonly checkUsable: () => void) {}

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

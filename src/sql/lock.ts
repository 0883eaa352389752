/**
 * A first-come, first-served async lock: what a Session takes for each operation, and what the
 * SQLite driver takes around a write transaction. Taking a free lock costs no timer and no wait.
 */
export class Lock {
  private held = false;
  private readonly waiters: { grant: () => void; timer: ReturnType<typeof setTimeout> | null }[] = [];

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Resolves once the lock is ours; call `release()` exactly once afterwards. With `timeoutMs`, rejects
   * with `onTimeout()` when it is still held by then (the waiter leaves the queue).
   */
  acquire(timeoutMs?: number, onTimeout?: () => Error): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { grant: resolve, timer: null as ReturnType<typeof setTimeout> | null };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(onTimeout ? onTimeout() : new Error(`timed out after ${timeoutMs} ms waiting for a lock`));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.held = false;
      return;
    }
    if (next.timer) clearTimeout(next.timer);
    next.grant();
  }

  /** Runs `op` holding the lock. */
  async run<R>(op: () => Promise<R>): Promise<R> {
    await this.acquire();
    try {
      return await op();
    } finally {
      this.release();
    }
  }
}

/** Runs `fn` on a later turn of the event loop (after pending I/O and timers get theirs). */
export function nextTurn(fn: () => void): void {
  if (typeof setImmediate === 'function') setImmediate(fn);
  else setTimeout(fn, 0);
}

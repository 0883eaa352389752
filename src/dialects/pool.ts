/**
 * A small connection pool for drivers that have none of their own (SQLite): idle connections are
 * reused last-in first-out (their statement caches are warm), at most `max` are open, and a caller
 * beyond that waits in line until `acquireTimeoutMs`. A connection returned inside a transaction is
 * rolled back before anyone else gets it; a broken one is closed, never handed out again.
 */
import { OperationalError } from '../sql/errors.js';

export interface PooledConnection {
  readonly usable: boolean;
  readonly inTransaction: boolean;
  rollback(): Promise<void>;
  close(): void;
}

export interface ConnectionPoolOptions {
  readonly max: number;
  readonly acquireTimeoutMs: number;
  /** The error for a caller that waited `acquireTimeoutMs` in vain. */
  readonly timeoutError: () => Error;
}

export class ConnectionPool<C extends PooledConnection> {
  private readonly idle: C[] = [];
  private readonly all = new Set<C>();
  private opening = 0;
  /** Callers waiting for a connection, first come first served: given one, a free slot (null), or an error. */
  private readonly waiting: ((conn: C | null | Error) => void)[] = [];
  private closed = false;

  constructor(
    private readonly open: () => Promise<C>,
    private readonly options: ConnectionPoolOptions,
  ) {}

  /** Connections open now (idle or in use). */
  get size(): number {
    return this.all.size;
  }

  acquire(): Promise<C> {
    if (this.closed) return Promise.reject(new OperationalError('the database was closed'));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size + this.opening < this.options.max) return this.openOne();
    return this.waitForOne();
  }

  private async openOne(): Promise<C> {
    this.opening++;
    try {
      const conn = await this.open();
      this.all.add(conn);
      return conn;
    } finally {
      this.opening--;
    }
  }

  private waitForOne(): Promise<C> {
    return new Promise<C>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(hand);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(this.options.timeoutError());
      }, this.options.acquireTimeoutMs);
      const hand = (conn: C | null | Error) => {
        clearTimeout(timer);
        if (conn instanceof Error) reject(conn);
        else if (conn) resolve(conn);
        // A slot freed up (a broken connection was closed): open a new one for this caller.
        else this.openOne().then(resolve, reject);
      };
      this.waiting.push(hand);
    });
  }

  release(conn: C): void {
    if (!this.all.has(conn)) return;
    if (conn.usable && conn.inTransaction) {
      // Returned mid-transaction (a session dropped without commit or rollback): its work must not
      // leak into the next user's transaction, and its write lock must not outlive it.
      conn.rollback().then(
        () => this.giveBack(conn),
        () => this.discard(conn),
      );
      return;
    }
    if (conn.usable && !this.closed) this.giveBack(conn);
    else this.discard(conn);
  }

  private giveBack(conn: C): void {
    if (this.closed) return this.discard(conn);
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  private discard(conn: C): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    conn.close();
    const next = this.waiting.shift();
    if (next && !this.closed) next(null);
  }

  /** Closes every connection, in use or not; waiting callers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.all) {
      if (conn.usable && conn.inTransaction) await conn.rollback().catch(() => undefined);
      conn.close();
    }
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0))
      w(new OperationalError('the database was closed while waiting for a connection'));
  }
}

/** Resolves after `ms`, for retrying a busy resource without blocking the event loop. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

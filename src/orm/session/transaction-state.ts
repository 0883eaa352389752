/**
 * A session's hold on the database: the one connection its transaction runs on, the savepoints open
 * in it, and whether it failed (SQLAlchemy's SessionTransaction). The session decides when; this
 * does the connection's part and keeps the "rollback required" state.
 */
import type { BeginOptions, QueryResult } from '../../dialects/dialect.js';
import type { Connection, Engine } from '../../engine/engine.js';
import type { EngineCursor } from '../../engine/cursor.js';
import type { Statement } from '../../sql/dml.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import { DatabaseError, RelataError } from '../../sql/errors.js';
import { InvalidRequestError, PendingRollbackError } from '../errors.js';
import type { NestedTransaction } from './nested.js';

/**
 * A session dropped while its transaction is open (never committed, rolled back or closed) must not
 * keep its connection, locks and SQLite write lock for ever: once it is garbage, its connection goes
 * back to the pool, which rolls the transaction back. The registry holds the connection only.
 */
const abandoned = new FinalizationRegistry<Connection>((conn) => {
  try {
    conn.release();
  } catch {
    // Nobody to tell (the session is gone); the driver destroys a connection it cannot reset.
  }
});

/**
 * The joined session (SessionOptions.connection) whose transaction is open on each external
 * connection: two of them interleaving savepoints on one connection would release each other's.
 */
const joinedHolder = new WeakMap<Connection, TransactionState>();

export class TransactionState {
  private conn: Connection | null = null;
  /** Why the session must be rolled back before it is used again, and what failed. */
  private failure: { readonly error: Error; readonly during: string } | null = null;
  /** Open savepoints, outermost first. */
  readonly savepoints: NestedTransaction[] = [];
  private savepointSeq = 0;
  /** A joined session's own savepoint on the external connection; null when it began a real transaction there. */
  private joinSavepoint: string | null = null;
  /** Told the SQL of each statement a joined session runs on the external connection (the migration's report). */
  onExternalStatement: ((sql: string) => void) | null = null;
  /** The connection borrowed for a stream outside the transaction, while it is open (see openStream). */
  private streaming: Connection | null = null;

  constructor(
    private readonly engine: Engine,
    /**
     * A connection owned by someone else (a migration's) whose transaction the session joins: its
     * transaction is a savepoint there (a real transaction when none is open), and it is never released.
     */
    private readonly external: Connection | null = null,
  ) {}

  /** True while a connection holds an open transaction. */
  get active(): boolean {
    return this.conn !== null;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /**
   * session.begin(): the transaction now, with these options. When one is open already, a second begin
   * is a no-op, unless it asks for an isolation level or read-only, which that transaction cannot change to.
   */
  async begin(options: BeginOptions): Promise<void> {
    if (this.active) {
      if (options.isolation || options.readOnly) {
        throw new InvalidRequestError(
          'begin({ isolation / readOnly }): this session is already in a transaction, begun by an earlier write or begin(); ' +
            'commit or roll it back first',
        );
      }
      return;
    }
    await this.connection(options);
  }

  /** The transaction's connection, beginning the transaction on first use. */
  async connection(options: BeginOptions = {}): Promise<Connection> {
    if (this.conn) return this.conn;
    // SQLite: not on a second connection (an in-memory database has one); MySQL's second connection is fine.
    const cursor = this.streaming?.cursor;
    if (cursor?.allows === 'reads') throw cursor.busyError('a write of the same session (its transaction would begin)');
    if (this.external) return this.join(this.external, options);
    const c = await this.engine.connect();
    try {
      await c.begin(options);
    } catch (err) {
      c.release();
      throw err;
    }
    this.conn = c;
    abandoned.register(this, c, this);
    return c;
  }

  /**
   * Joins the external connection (SQLAlchemy's join_transaction_mode="create_savepoint"): inside its
   * open transaction, a savepoint that commit() releases and rollback() rolls back to; with none open
   * (MySQL migrations, PostgreSQL's non-transactional ones), a transaction of its own that commits for real.
   */
  private async join(c: Connection, options: BeginOptions): Promise<Connection> {
    if (options.isolation || options.readOnly)
      throw new InvalidRequestError(
        'begin({ isolation / readOnly }): this session joins the transaction of the connection it was given, whose isolation is already set',
      );
    const holder = joinedHolder.get(c);
    if (holder && holder !== this)
      throw new InvalidRequestError(
        "another session joined to this connection has an open transaction: commit() or rollback() it before this one writes (their savepoints would release each other's)",
      );
    if (c.inTransaction) {
      const name = `relata_join_${++this.savepointSeq}`;
      await c.savepoint(name);
      this.joinSavepoint = name;
    } else {
      await c.begin(options);
      this.joinSavepoint = null;
    }
    joinedHolder.set(c, this);
    this.conn = c;
    return c;
  }

  /** A write: in the transaction, begun if needed. */
  async write(stmt: Statement | CompiledStatement, inFlush: boolean): Promise<QueryResult> {
    const conn = await this.connection();
    return this.guard(() => conn.execute(stmt), inFlush);
  }

  /** A read: in the open transaction if there is one, else on a connection borrowed for it. */
  async read(
    stmt: Statement | CompiledStatement,
    inFlush: boolean,
    options: { columnNames?: boolean } = {},
  ): Promise<QueryResult> {
    // During a stream outside the transaction, reads share its connection where it runs them beside the
    // stream (its snapshot on PostgreSQL; SQLite's one connection in memory); on MySQL they borrow another.
    const streaming = this.streaming;
    if (!this.conn && streaming?.cursor && streaming.cursor.allows !== 'nothing')
      return streaming.execute(stmt, options);
    const conn = this.conn;
    if (conn) return this.guard(() => conn.execute(stmt, options), inFlush, false);
    // A joined session reads on its connection, in the transaction there: never on another one.
    if (this.external) {
      const c = this.external;
      return c.execute(stmt, options);
    }
    const c = await this.engine.connect();
    try {
      return await c.execute(stmt, options);
    } finally {
      c.release();
    }
  }

  /**
   * Opens a stream (query.stream()): in the open transaction when there is one (a failure there
   * requires rollback, as any statement's), else on a connection borrowed until the stream closes.
   */
  async openStream(stmt: Statement | CompiledStatement, batchSize: number, inFlush: boolean): Promise<SessionCursor> {
    const tx = this.conn ?? this.external;
    if (tx) {
      const cursor = await this.guard(() => tx.openCursor(stmt, batchSize), inFlush, false);
      return {
        next: () => this.guard(() => cursor.next(), false, false),
        close: () => cursor.close(),
      };
    }
    if (this.streaming?.cursor) {
      throw new InvalidRequestError(
        `this session is already streaming ${this.streaming.cursor.sql}: one stream per session at a time (use another session)`,
      );
    }
    const c = await this.engine.connect();
    let cursor: EngineCursor;
    try {
      cursor = await c.openCursor(stmt, batchSize);
    } catch (err) {
      c.release();
      throw err;
    }
    this.streaming = c;
    return {
      next: () => cursor.next(),
      close: async () => {
        try {
          await cursor.close();
        } finally {
          if (this.streaming === c) this.streaming = null;
          c.release();
        }
      },
    };
  }

  /**
   * Runs a statement of the open transaction. When it fails in the database, the transaction is lost
   * as a whole (PostgreSQL refuses anything further; MySQL's lock wait timeout would let the rest
   * commit): roll it back and require rollback() before the session is used again. Inside a
   * savepoint only the savepoint is lost; rolling it back recovers.
   */
  async guard<R>(op: () => Promise<R>, inFlush = false, write = true): Promise<R> {
    try {
      return await (write ? this.tapped(op) : op());
    } catch (err) {
      // An error raised before anything reached the database (an invalid value, a statement that
      // does not compile) leaves the transaction as it was. A flush handles its own failures.
      const reachedDatabase = !(err instanceof RelataError) || err instanceof DatabaseError;
      if (reachedDatabase && !inFlush) await this.fail(err as Error, 'a statement');
      throw err;
    }
  }

  /**
   * Runs `op` (writes: what a failed MySQL migration lists as applied) with the external connection
   * reporting its statements to onExternalStatement. The
   * session runs one operation at a time; a statement the connection's owner runs meanwhile (in
   * parallel with the session, on the same connection) would be reported too.
   */
  private async tapped<R>(op: () => Promise<R>): Promise<R> {
    const c = this.external;
    const report = this.onExternalStatement;
    if (!c || !report) return op();
    const before = c.tap;
    c.tap = report;
    try {
      return await op();
    } finally {
      c.tap = before;
    }
  }

  /** Requires rollback after `err`, rolling the transaction back now (inside a savepoint, only that is lost). */
  async fail(err: Error, during: string): Promise<void> {
    if (this.failure) return;
    this.failure = { error: err, during };
    // Keep the connection's locks no longer than needed.
    if (this.savepoints.length === 0) await this.rollback().catch(() => undefined);
  }

  /** Throws PendingRollbackError when a failure requires rollback first. */
  checkNotFailed(): void {
    if (!this.failure) return;
    const { error, during } = this.failure;
    throw new PendingRollbackError(
      this.savepoints.length
        ? `${during} inside savepoint ${this.savepoints.at(-1)!.name} failed (${error.message}); roll the nested transaction back (nested.rollback()) or the whole session (session.rollback()) before using it again`
        : `this session's transaction was rolled back after ${during} failed (${error.message}); call session.rollback() before using it again`,
      { cause: error },
    );
  }

  /** Sets a savepoint in the transaction (begun if needed) and returns its name. */
  async savepoint(): Promise<{ conn: Connection; name: string }> {
    const conn = await this.connection();
    const name = `relata_sp_${++this.savepointSeq}`;
    await this.guard(() => conn.savepoint(name));
    return { conn, name };
  }

  /** A nested transaction was rolled back: the enclosing one is usable again. */
  recoverNested(): void {
    this.failure = null;
  }

  /** A savepoint could not be rolled back: only a full rollback() helps now. */
  failNested(err: Error): void {
    this.savepoints.length = 0;
    this.failure = { error: err, during: 'rolling back a savepoint' };
  }

  /** COMMIT. When it fails the session requires rollback; the connection is given back either way. */
  async commit(): Promise<void> {
    const c = this.conn;
    if (!c) return;
    this.conn = null;
    this.savepoints.length = 0;
    try {
      if (this.external) await this.endJoined(c, 'commit');
      else await c.commit();
    } catch (err) {
      this.failure = { error: err as Error, during: 'COMMIT' };
      throw err;
    } finally {
      this.release(c);
    }
  }

  /** ROLLBACK (if a transaction is open), and the session may be used again. */
  async rollback(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    this.savepoints.length = 0;
    if (!c) return;
    try {
      if (this.external) await this.endJoined(c, 'rollback');
      else await c.rollback();
    } finally {
      this.release(c);
    }
  }

  /** rollback(), then forget any failure: what session.rollback() does to the database. */
  async reset(): Promise<void> {
    await this.rollback();
    this.failure = null;
  }

  /** commit() or rollback() of a joined session: its savepoint (or its own transaction), never the connection's. */
  private async endJoined(c: Connection, how: 'commit' | 'rollback'): Promise<void> {
    const name = this.joinSavepoint;
    this.joinSavepoint = null;
    if (joinedHolder.get(c) === this) joinedHolder.delete(c);
    if (name === null) return how === 'commit' ? c.commit() : c.rollback();
    if (how === 'rollback') await c.rollbackToSavepoint(name);
    await c.releaseSavepoint(name);
  }

  private release(c: Connection): void {
    // A joined session's connection belongs to its owner (the migration): never given back here.
    if (this.external) return;
    abandoned.unregister(this);
    c.release();
  }
}

/** A session's open stream: batches of rows, and the close that gives back what it holds. */
export interface SessionCursor {
  next(): Promise<unknown[][]>;
  close(): Promise<void>;
}

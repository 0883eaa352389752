/**
 * Streaming at the engine: a SELECT read in batches on one connection (`connection.stream()`,
 * `engine.stream()`, and the ORM's `query.stream()` on top). The driver's RowCursor does the reading;
 * this adds what every statement gets (events, echo, counters: the SELECT is one statement, a FETCH
 * is a 'cursor' event) and keeps the connection honest while the cursor is open: a statement the
 * connection cannot run beside it (a write on SQLite, anything on MySQL) is refused at once with
 * ConnectionBusyError instead of deadlocking or failing in the driver, and a COMMIT or ROLLBACK
 * ends the cursor first.
 */
import type { CursorSharing, ExecuteOptions, QueryResult, RowCursor } from '../dialects/dialect.js';
import type { CompiledStatement } from '../sql/compiler.js';
import type { Statement } from '../sql/dml.js';
import { ArgumentError, RelataError } from '../sql/errors.js';
import { checkParameterCount } from '../sql/limits.js';
// A cycle engine.ts ↔ cursor.ts, safe: each uses the other's exports only when called.
import { exactIntegerColumns, type Connection } from './engine.js';

/**
 * A statement was sent to a connection that is streaming rows and cannot run it beside the stream:
 * SQLite writes nothing while it reads a result, MySQL runs one statement at a time per connection.
 *
 * @example
 * ```ts
 * import { ConnectionBusyError } from 'relata';
 *
 * try {
 *   for await (const user of User.query.stream()) {
 *     user.username = user.username.trim();
 *     await db.session.flush(); // a write mid-stream: refused on SQLite
 *   }
 * } catch (err) {
 *   if (!(err instanceof ConnectionBusyError)) throw err;
 *   await db.session.flush(); // once the stream has ended
 * }
 * ```
 */
export class ConnectionBusyError extends RelataError {
  /** Always `'connection-busy'`. */
  override readonly code = 'connection-busy';
}

/**
 * A stream was read after it ended early: the transaction it ran in was committed or rolled back
 * while it was open (a cursor lives no longer than its transaction).
 *
 * @example
 * ```ts
 * import { StreamClosedError } from 'relata';
 *
 * try {
 *   for await (const user of User.query.stream()) {
 *     if (user.id === 10) await db.session.rollback(); // ends the stream's transaction
 *   }
 * } catch (err) {
 *   if (!(err instanceof StreamClosedError)) throw err;
 * }
 * ```
 */
export class StreamClosedError extends RelataError {
  /** Always `'stream-closed'`. */
  override readonly code = 'stream-closed';
}

/**
 * Options of a stream: `connection.stream(stmt, options)`, `engine.stream(stmt, options)`.
 *
 * @example
 * ```ts
 * import { selectColumns, type RowStreamOptions } from 'relata';
 *
 * const options: RowStreamOptions = { batchSize: 500 };
 * for await (const [id, username] of db.engine.stream(selectColumns(User.id, User.username), options)) {
 *   console.log(id, username);
 * }
 * ```
 */
export interface RowStreamOptions {
  /** Rows fetched from the database at a time (default 1000). */
  readonly batchSize?: number;
}

/** SQLAlchemy's stream_results buffer grows to 1000 rows; psycopg's itersize is 2000. */
export const DEFAULT_STREAM_BATCH_SIZE = 1000;

/** The batch size from `options`, refusing anything but a positive integer; `where` names the caller. */
export function batchSizeOf(options: { batchSize?: number }, where: string): number {
  const n = options.batchSize ?? DEFAULT_STREAM_BATCH_SIZE;
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`${where}: batchSize must be a positive integer, got ${String(n)}`);
  }
  return n;
}

/** A cursor open on an engine connection. */
export class EngineCursor {
  private closed = false;
  /** A batch failed: the transaction the cursor began is rolled back, not committed. */
  private failed = false;
  private endedBecause: string | null = null;
  /** A short batch came: the rest is empty, no need to ask. */
  private drained = false;

  constructor(
    private readonly conn: Connection,
    private readonly raw: RowCursor,
    /** The SELECT it reads, for messages. */
    readonly sql: string,
    /** True when the cursor began the transaction it lives in (PostgreSQL outside one): it ends it too. */
    private readonly ownTransaction: boolean,
    private readonly batchSize: number,
  ) {}

  /** What else the connection may run while this cursor is open. */
  get allows(): CursorSharing {
    return this.raw.allows;
  }

  /** Whether a statement (a read, or not) may run on the connection beside this cursor. */
  permits(read: boolean): boolean {
    return this.raw.allows === 'everything' || (read && this.raw.allows === 'reads');
  }

  /** The next batch; empty once every row was read. */
  async next(): Promise<unknown[][]> {
    if (this.endedBecause) {
      throw new StreamClosedError(`the stream of ${briefly(this.sql)} ended early: ${this.endedBecause}`);
    }
    if (this.closed || this.drained) return [];
    const fetchSql = this.raw.fetchSql;
    if (!fetchSql) return this.raw.next().catch((err: unknown) => this.failedWith(err));
    const start = performance.now();
    try {
      const rows = await this.raw.next();
      if (rows.length < this.batchSize) this.drained = true;
      this.conn.engine.emit({
        kind: 'cursor',
        sql: fetchSql,
        params: [],
        durationMs: performance.now() - start,
        rowCount: rows.length,
      });
      return rows;
    } catch (err) {
      this.conn.engine.emit({
        kind: 'cursor',
        sql: fetchSql,
        params: [],
        durationMs: performance.now() - start,
        rowCount: 0,
        error: err as Error,
      });
      return this.failedWith(err);
    }
  }

  private failedWith(err: unknown): never {
    this.failed = true;
    throw err;
  }

  /** Closes the cursor (and the transaction it began); safe to call again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.conn.cursor === this) this.conn.cursor = null;
    let failure: unknown = null;
    try {
      await this.raw.close();
      if (this.raw.closeSql)
        this.conn.engine.emit({ kind: 'cursor', sql: this.raw.closeSql, params: [], durationMs: 0, rowCount: 0 });
    } catch (err) {
      failure = err;
    }
    if (this.ownTransaction && this.conn.inTransaction) {
      if (failure || this.failed) await this.conn.rollback().catch(() => undefined);
      else await this.conn.commit();
    }
    if (failure) throw failure;
  }

  /** The connection's transaction ends (COMMIT, ROLLBACK): close now, and say why to a later next(). */
  async endWithTransaction(how: string): Promise<void> {
    this.endedBecause = `its transaction ended (${how}) while it was open; a cursor lives no longer than its transaction`;
    this.closed = true;
    this.conn.cursor = null;
    await this.raw.close().catch(() => undefined);
  }

  /** The error for `sql`, which this cursor does not permit beside it (see permits). */
  busyError(sql: string): ConnectionBusyError {
    const why =
      this.raw.allows === 'reads'
        ? 'SQLite writes nothing on a connection while it reads a result. Write once the stream has ended (or break out of it first), or in another session'
        : 'MySQL runs one statement at a time per connection. Finish or break out of the stream first, stream outside the ' +
          "session's transaction (its eager and lazy loads then use other connections), or use another session";
    return new ConnectionBusyError(
      `cannot run ${briefly(sql)}: this connection is streaming the rows of ${briefly(this.sql)}, and ${why} ` +
        '(PostgreSQL cursors allow any statement between batches)',
    );
  }
}

/** A cursor on `conn` for a SELECT (a Core statement, or `{ sql, params }`); anything else is refused. */
export function openCursorFor(
  conn: Connection,
  stmt: Statement | CompiledStatement,
  batchSize: number,
): Promise<EngineCursor> {
  if (conn.cursor && !conn.cursor.permits(true)) throw conn.cursor.busyError('sql' in stmt ? stmt.sql : 'a SELECT');
  const compiler = conn.engine.dialect.compiler;
  if ('sql' in stmt) {
    checkParameterCount(compiler, stmt.params);
    return openEngineCursor(conn, stmt, { returnsRows: true, exactIntegers: stmt.exactIntegers }, batchSize);
  }
  if (stmt.kind !== 'select') {
    const article = stmt.kind === 'delete' ? 'a' : 'an';
    throw new ArgumentError(`stream() reads the rows of a SELECT, not of ${article} ${stmt.kind.toUpperCase()}`);
  }
  const compiled = conn.engine.compile(stmt);
  checkParameterCount(compiler, compiled.params);
  return openEngineCursor(conn, compiled, { returnsRows: true, exactIntegers: exactIntegerColumns(stmt) }, batchSize);
}

/**
 * Opens a cursor on `conn` for a compiled SELECT, announcing it as one statement. PostgreSQL's cursor
 * needs a transaction: begun here when none is open, and ended when the cursor closes.
 */
export async function openEngineCursor(
  conn: Connection,
  compiled: CompiledStatement,
  options: ExecuteOptions,
  batchSize: number,
): Promise<EngineCursor> {
  if (conn.cursor) {
    throw new ConnectionBusyError(
      `cannot stream ${briefly(compiled.sql)}: this connection is already streaming ${briefly(conn.cursor.sql)} (one stream per connection)`,
    );
  }
  const raw = conn.raw;
  const own = raw.cursorNeedsTransaction === true && !conn.inTransaction;
  if (own) await conn.begin();
  const start = performance.now();
  let cursor: RowCursor;
  try {
    cursor = raw.openCursor
      ? await raw.openCursor(compiled.sql, compiled.params, { ...options, batchSize })
      : bufferedCursor(await raw.execute(compiled.sql, compiled.params, options), batchSize);
  } catch (err) {
    conn.engine.emit({
      kind: 'statement',
      sql: compiled.sql,
      params: compiled.params,
      durationMs: performance.now() - start,
      rowCount: 0,
      error: err as Error,
    });
    if (own && conn.inTransaction) await conn.rollback().catch(() => undefined);
    throw err;
  }
  conn.engine.emit({
    kind: 'statement',
    sql: compiled.sql,
    params: compiled.params,
    durationMs: performance.now() - start,
    rowCount: 0,
  });
  const engineCursor = new EngineCursor(conn, cursor, compiled.sql, own, batchSize);
  conn.cursor = engineCursor;
  return engineCursor;
}

/** A driver without cursors (SQLite in WebAssembly): the whole result, handed out in batches. */
function bufferedCursor(result: QueryResult, batchSize: number): RowCursor {
  let at = 0;
  return {
    allows: 'everything',
    next: async () => {
      const rows = result.rows.slice(at, at + batchSize);
      at += rows.length;
      return rows;
    },
    close: async () => {
      at = result.rows.length;
    },
  };
}

/** Every row of `cursor`, closing it when the loop ends, breaks or throws. */
export async function* rowsOf(
  cursor: EngineCursor,
  onClose: () => void = () => {},
): AsyncGenerator<unknown[], void, undefined> {
  try {
    for (let rows = await cursor.next(); rows.length > 0; rows = await cursor.next()) yield* rows;
  } finally {
    try {
      await cursor.close();
    } finally {
      onClose();
    }
  }
}

function briefly(sql: string): string {
  const one = sql.replace(/\s+/g, ' ');
  return `"${one.length > 80 ? `${one.slice(0, 77)}...` : one}"`;
}

/**
 * The contract between the engine and a database: a compiler (nodes → SQL) and a driver
 * (connections, transactions, error mapping). The ORM core never imports a driver package.
 */
import type { SqlCompiler } from '../sql/compiler.js';
import type { SqlType } from '../sql/types.js';
import { ArgumentError } from '../sql/errors.js';

/**
 * What a statement returned. Rows come back as arrays, in the order of the selected columns: the
 * cheapest shape to hydrate.
 *
 * @example
 * ```ts
 * import type { QueryResult } from 'relata';
 *
 * const result: QueryResult = await db.engine.execute({ sql: 'SELECT id, username FROM "user"', params: [] });
 * for (const [id, username] of result.rows) console.log(id, username);
 * ```
 */
export interface QueryResult {
  /** The rows, each an array of column values in select order (empty for DML without RETURNING). */
  readonly rows: unknown[][];
  /** Rows returned by a query, or changed by INSERT, UPDATE or DELETE. */
  readonly rowsAffected: number;
  /** First generated id of an INSERT, for databases without RETURNING. */
  readonly insertId?: number | bigint;
  /** Names of the result columns, when the driver was asked for them. */
  readonly columns?: readonly string[];
}

export interface ExecuteOptions {
  /** Ask the driver for column names (for raw SQL whose shape Relata did not build). */
  readonly columnNames?: boolean;
  /** Whether the statement returns rows (SELECT, or DML with RETURNING). */
  readonly returnsRows: boolean;
  /**
   * Per result column, whether it is a BigInteger that must come back exact (as a bigint). Drivers whose
   * integers are JS numbers by default (better-sqlite3) switch to exact integers for these statements.
   */
  readonly exactIntegers?: readonly boolean[];
}

/** What a connection may run beside an open cursor (RowCursor.allows). */
export type CursorSharing = 'everything' | 'reads' | 'nothing';

/**
 * What a driver's openCursor() is given: a statement's options and how many rows each next() returns at most.
 *
 * @example
 * ```ts
 * import type { CursorOptions, DriverConnection } from 'relata';
 *
 * async function firstBatch(conn: DriverConnection): Promise<unknown[][]> {
 *   const options: CursorOptions = { returnsRows: true, batchSize: 100 };
 *   const cursor = await conn.openCursor!('SELECT 1', [], options);
 *   try {
 *     return await cursor.next();
 *   } finally {
 *     await cursor.close();
 *   }
 * }
 * ```
 */
export interface CursorOptions extends ExecuteOptions {
  /** The most rows one next() returns (and, where the protocol allows, fetches from the server). */
  readonly batchSize: number;
}

/**
 * An open result read in batches (a server-side cursor on PostgreSQL, row streaming on MySQL, a
 * stepped statement on SQLite): memory holds one batch, not the whole result.
 *
 * @example
 * ```ts
 * import type { RowCursor } from 'relata';
 *
 * async function countRows(cursor: RowCursor): Promise<number> {
 *   let n = 0;
 *   try {
 *     for (let rows = await cursor.next(); rows.length > 0; rows = await cursor.next()) n += rows.length;
 *   } finally {
 *     await cursor.close();
 *   }
 *   return n;
 * }
 * ```
 */
export interface RowCursor {
  /** The next rows (at most batchSize), each an array in select order; empty once the result is read. */
  next(): Promise<unknown[][]>;
  /** Ends the result early, freeing what the server holds for it; safe to call again. */
  close(): Promise<void>;
  /**
   * What else the connection may run while the cursor is open: 'everything' between batches
   * (PostgreSQL's FETCH), 'reads' (SQLite: other SELECTs, no writes), or 'nothing' (MySQL: one
   * statement at a time until the result is read).
   */
  readonly allows: CursorSharing;
  /** What the driver sends to read the next batch, when that is a statement of its own (PostgreSQL's FETCH). */
  readonly fetchSql?: string;
  /** What the driver sends to close the cursor, when that is a statement of its own (PostgreSQL's CLOSE). */
  readonly closeSql?: string;
}

/**
 * The SQL standard's isolation levels, as PostgreSQL and MySQL spell them.
 *
 * @example
 * ```ts
 * import type { IsolationLevel } from 'relata';
 *
 * const level: IsolationLevel = 'repeatable read';
 * await session.begin({ isolation: level });
 * ```
 */
export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

export const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'read uncommitted',
  'read committed',
  'repeatable read',
  'serializable',
];

/** The level as SQL (`SERIALIZABLE`), refusing anything that is not one of ISOLATION_LEVELS. */
export function isolationLevelSql(level: IsolationLevel): string {
  if (!ISOLATION_LEVELS.includes(level)) {
    throw new ArgumentError(
      `unknown isolation level '${String(level)}' (expected one of: ${ISOLATION_LEVELS.join(', ')})`,
    );
  }
  return level.toUpperCase();
}

/**
 * How a transaction begins: `session.begin(options)`, `db.transaction(fn, options)`, `connection.begin(options)`.
 *
 * @example
 * ```ts
 * await session.begin({ isolation: 'serializable', readOnly: true });
 * ```
 */
export interface BeginOptions {
  /** The transaction's isolation level; the server's default when absent. */
  readonly isolation?: IsolationLevel;
  /** A transaction that may not write (the database refuses writes in it). */
  readonly readOnly?: boolean;
}

/**
 * One physical connection, as a driver adapter implements it. Everything on it happens in order.
 *
 * @example
 * ```ts
 * import type { DriverConnection } from 'relata';
 *
 * async function ping(conn: DriverConnection): Promise<boolean> {
 *   const result = await conn.execute('SELECT 1', [], { returnsRows: true });
 *   return conn.usable && result.rows.length === 1;
 * }
 * ```
 */
export interface DriverConnection {
  /** Runs one statement in the driver's own placeholders. */
  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult>;
  /** Starts a transaction; a connection already in one refuses (transactions never nest: use savepoints). */
  begin(options?: BeginOptions): Promise<void>;
  /** The statements begin(options) sends, in order: what the echo and statement events show. */
  beginStatements(options?: BeginOptions): readonly string[];
  /** Commits the open transaction. */
  commit(): Promise<void>;
  /** Rolls back the open transaction. */
  rollback(): Promise<void>;
  /** Sets a savepoint in the open transaction. */
  savepoint(name: string): Promise<void>;
  /** Releases a savepoint, keeping its work in the transaction. */
  releaseSavepoint(name: string): Promise<void>;
  /** Undoes the work since a savepoint. */
  rollbackToSavepoint(name: string): Promise<void>;
  /**
   * Optional, with insertGeneratingKeys: whether the keys `table` generates in `column` can be known
   * without RETURNING, for databases where that is cheaper (SQLite numbers one statement's rows
   * consecutively). Synchronous, so the engine compiles the INSERT only once, one way or the other.
   */
  generatesKeysWithoutReturning?(table: string, column: string): boolean;
  /**
   * Runs an INSERT (without RETURNING) whose rows all leave the generated key to the database, into a
   * table generatesKeysWithoutReturning() accepted, and returns the keys as rows of one value, in row
   * order, as RETURNING would.
   */
  insertGeneratingKeys?(sql: string, params: readonly unknown[]): Promise<QueryResult>;
  /**
   * Optional: runs a SELECT and returns its rows in batches, without buffering the whole result.
   * Drivers without it (SQLite in WebAssembly) have their results read at once and handed out in batches.
   */
  openCursor?(sql: string, params: readonly unknown[], options: CursorOptions): Promise<RowCursor>;
  /** True when a cursor can only live inside a transaction (PostgreSQL): the engine begins one when none is open. */
  readonly cursorNeedsTransaction?: boolean;
  /** False once the connection broke; a broken connection is discarded, never reused. */
  readonly usable: boolean;
  /** True between begin() and commit()/rollback(). */
  readonly inTransaction: boolean;
}

export interface PoolOptions {
  /** Most connections open at once (default 10; an in-memory SQLite database always has one). */
  readonly max?: number;
  /**
   * How long `acquire()` waits for a free connection before failing, in ms (default 30,000 on servers).
   * On SQLite (default 5,000) it also bounds the wait for the database's write lock, and for the one
   * connection of an in-memory database, which another session's open transaction holds.
   */
  readonly acquireTimeoutMs?: number;
}

/**
 * A driver adapter: hands out connections of one database (pooled on servers).
 *
 * @example
 * ```ts
 * import type { Driver } from 'relata';
 *
 * async function withConnection(driver: Driver): Promise<number> {
 *   const conn = await driver.acquire();
 *   try {
 *     return (await conn.execute('SELECT 1', [], { returnsRows: true })).rowsAffected;
 *   } finally {
 *     driver.release(conn);
 *   }
 * }
 * ```
 */
export interface Driver {
  /** A free connection, waiting up to the pool's acquireTimeoutMs for one. */
  acquire(): Promise<DriverConnection>;
  /** Gives a connection back (a broken one is discarded). */
  release(connection: DriverConnection): void;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** Converts one value read from the database into the JS value of its column type. */
export type ResultProcessor = (value: unknown) => unknown;

/**
 * A database's SQL flavour and driver: what a URL scheme chooses, or what `new Database(url, { dialect })`
 * is given directly (SQLite compiled to WebAssembly, {@link SqliteWasmDialect}).
 *
 * @example
 * ```ts
 * import type { Dialect } from 'relata';
 *
 * const dialect: Dialect = db.engine.dialect;
 * console.log(dialect.name); // 'sqlite'
 * ```
 */
export interface Dialect {
  /** Which family of SQL it speaks. */
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  /** @internal Turns statement nodes into this dialect's SQL. */
  readonly compiler: SqlCompiler;
  /** null when the driver already returns the right JS value for this type. */
  resultProcessor(type: SqlType<unknown>): ResultProcessor | null;
  /** The driver adapter, created on the engine's first connection. */
  createDriver(pool: PoolOptions): Driver;
}

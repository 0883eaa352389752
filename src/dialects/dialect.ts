/**
 * The contract between the engine and a database: a compiler (nodes → SQL) and a driver
 * (connections, transactions, error mapping). The ORM core never imports a driver package.
 */
import type { SqlCompiler } from '../sql/compiler.js';
import type { SqlType } from '../sql/types.js';
import { ArgumentError } from '../sql/errors.js';

/** Rows come back as arrays, in the order of the selected columns: the cheapest shape to hydrate. */
export interface QueryResult {
  readonly rows: unknown[][];
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

/** The SQL standard's isolation levels, as PostgreSQL and MySQL spell them. */
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

export interface BeginOptions {
  /** The transaction's isolation level; the server's default when absent. */
  readonly isolation?: IsolationLevel;
  /** A transaction that may not write (the database refuses writes in it). */
  readonly readOnly?: boolean;
}

/** One physical connection. Everything on it happens in order. */
export interface DriverConnection {
  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult>;
  /** Starts a transaction; a connection already in one refuses (transactions never nest: use savepoints). */
  begin(options?: BeginOptions): Promise<void>;
  /** The statements begin(options) sends, in order: what the echo and statement events show. */
  beginStatements(options?: BeginOptions): readonly string[];
  commit(): Promise<void>;
  rollback(): Promise<void>;
  savepoint(name: string): Promise<void>;
  releaseSavepoint(name: string): Promise<void>;
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

export interface Driver {
  acquire(): Promise<DriverConnection>;
  release(connection: DriverConnection): void;
  close(): Promise<void>;
}

/** Converts one value read from the database into the JS value of its column type. */
export type ResultProcessor = (value: unknown) => unknown;

export interface Dialect {
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  readonly compiler: SqlCompiler;
  /** null when the driver already returns the right JS value for this type. */
  resultProcessor(type: SqlType<unknown>): ResultProcessor | null;
  createDriver(pool: PoolOptions): Driver;
}

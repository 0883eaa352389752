/**
 * The contract between the engine and a database: a compiler (nodes → SQL) and a driver
 * (connections, transactions, error mapping). The ORM core never imports a driver package.
 */
import type { SqlCompiler } from '../sql/compiler.js';
import type { SqlType } from '../sql/types.js';

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

/** One physical connection. Everything on it happens in order. */
export interface DriverConnection {
  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult>;
  begin(): Promise<void>;
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
}

export interface PoolOptions {
  /** Most connections open at once. */
  readonly max?: number;
  /** How long `acquire()` waits for a free connection before failing, in ms. */
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

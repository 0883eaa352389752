/**
 * SQLite compiled to WebAssembly (the official `@sqlite.org/sqlite-wasm` build, its "oo1" API) behind
 * the async driver contract. Like an in-memory better-sqlite3 database it is one connection: a
 * session's transaction holds it, and other sessions wait for it (pool.acquireTimeoutMs). The wasm module is passed in, never
 * imported here, so the core does not depend on the package and the caller decides how it is loaded.
 */
import type { BeginOptions, Driver, DriverConnection, ExecuteOptions, PoolOptions, QueryResult } from '../dialect.js';
import { ArgumentError, DataError, OperationalError, ProgrammingError } from '../../sql/errors.js';
import { ConnectionPool } from '../pool.js';
import { DEFAULT_SQLITE_TIMEOUT_MS, SQLITE_BEGIN, SQLITE_BEGIN_READ_ONLY, mapSqliteError } from '../sqlite/driver.js';

/**
 * An initialised `@sqlite.org/sqlite-wasm` module (`await sqlite3InitModule()`): the driver uses its
 * `oo1.DB` class and, from `capi`, `sqlite3_js_rc_str` and `sqlite3_get_autocommit` (which the
 * package's type declarations leave out, hence the loose type).
 *
 * @example
 * ```ts
 * import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
 * import { SqliteWasmDialect, type Sqlite3Module } from 'relata';
 *
 * const sqlite3: Sqlite3Module = await sqlite3InitModule();
 * const dialect = new SqliteWasmDialect(sqlite3, '/blog.db');
 * ```
 */
export interface Sqlite3Module {
  /** The object-oriented API: `new oo1.DB(filename, flags)` opens a database. */
  readonly oo1: { readonly DB: new (filename: string, flags: string) => WasmDatabase };
  /** The C API (see above for what the driver uses of it). */
  readonly capi: object;
}

interface WasmCapi {
  sqlite3_js_rc_str(resultCode: number): string | undefined;
  sqlite3_get_autocommit(db: number): number;
}

/** An `oo1.DB`. */
export interface WasmDatabase {
  readonly pointer?: number | undefined;
  prepare(sql: string): WasmStatement;
  exec(sql: string): unknown;
  changes(): number;
  close(): unknown;
}

/** What Relata's SQLite compiler binds: booleans and dates are already numbers and strings. */
export type WasmBindable = string | number | bigint | boolean | null | Uint8Array;

/** An `oo1.Stmt`. */
export interface WasmStatement {
  readonly columnCount: number;
  bind(values: readonly WasmBindable[]): unknown;
  step(): boolean;
  get(row: unknown[]): unknown[];
  getColumnNames(target?: string[]): string[];
  reset(alsoClearBinds?: boolean): unknown;
  finalize(): unknown;
}

const STATEMENT_CACHE_SIZE = 200;

export class SqliteWasmConnection implements DriverConnection {
  private queryOnly = false;
  private readonly cache = new Map<string, WasmStatement>();
  usable = true;

  constructor(
    private readonly capi: WasmCapi,
    private readonly db: WasmDatabase,
  ) {}

  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult> {
    try {
      const stmt = this.prepare(sql);
      try {
        if (params.length) stmt.bind(params as readonly WasmBindable[]);
        if (stmt.columnCount > 0) {
          const rows: unknown[][] = [];
          while (stmt.step()) rows.push(checkIntegers(stmt.get([]), options.exactIntegers));
          const columns = options.columnNames ? stmt.getColumnNames() : undefined;
          return { rows, rowsAffected: rows.length, columns };
        }
        stmt.step();
        return { rows: [], rowsAffected: this.db.changes() };
      } finally {
        stmt.reset(true);
      }
    } catch (err) {
      throw this.mapError(err);
    }
  }

  private prepare(sql: string): WasmStatement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.cache.keys().next().value!;
        this.cache.get(oldest)?.finalize();
        this.cache.delete(oldest);
      }
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  private exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw this.mapError(err);
    }
  }

  get inTransaction(): boolean {
    return this.db.pointer !== undefined && this.capi.sqlite3_get_autocommit(this.db.pointer) === 0;
  }

  /** As the better-sqlite3 driver: BEGIN IMMEDIATE, or BEGIN with PRAGMA query_only when read-only. */
  beginStatements(options: BeginOptions = {}): readonly string[] {
    return options.readOnly ? SQLITE_BEGIN_READ_ONLY : SQLITE_BEGIN;
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.inTransaction) {
      throw new ProgrammingError('this SQLite connection is already in a transaction (use a savepoint to nest)');
    }
    for (const sql of this.beginStatements(options)) this.exec(sql);
    if (options.readOnly) this.queryOnly = true;
  }
  async commit(): Promise<void> {
    try {
      if (this.inTransaction) this.exec('COMMIT');
    } catch (err) {
      if (this.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.endTransaction();
    }
  }
  async rollback(): Promise<void> {
    try {
      if (this.inTransaction) this.exec('ROLLBACK');
    } finally {
      this.endTransaction();
    }
  }
  private endTransaction(): void {
    if (!this.queryOnly) return;
    this.queryOnly = false;
    this.exec('PRAGMA query_only = 0');
  }
  async savepoint(name: string): Promise<void> {
    this.exec(`SAVEPOINT "${name}"`);
  }
  async releaseSavepoint(name: string): Promise<void> {
    this.exec(`RELEASE SAVEPOINT "${name}"`);
  }
  async rollbackToSavepoint(name: string): Promise<void> {
    this.exec(`ROLLBACK TO SAVEPOINT "${name}"`);
  }

  close(): void {
    this.usable = false;
    for (const stmt of this.cache.values()) stmt.finalize();
    this.cache.clear();
    this.db.close();
  }

  /**
   * The wasm build throws SQLite3Error with the extended result code ('SQLITE_CONSTRAINT_UNIQUE' once
   * named) and a message prefixed with it; given the better-sqlite3 shape (code + SQLite's own
   * message), the SQLite error mapping applies unchanged.
   */
  private mapError(err: unknown): Error {
    if (!(err instanceof Error) || typeof (err as { resultCode?: unknown }).resultCode !== 'number')
      return err as Error;
    const resultCode = (err as unknown as { resultCode: number }).resultCode;
    const code = this.capi.sqlite3_js_rc_str(resultCode) ?? `SQLITE_ERROR_${resultCode}`;
    const message = err.message.replace(/^SQLITE_\w+: sqlite3 result code \d+: /, '');
    return mapSqliteError(Object.assign(new Error(message, { cause: err }), { code }));
  }
}

/**
 * The wasm build reads an integer as a JS number when it fits one exactly and as a bigint when it
 * does not, so nothing is rounded. A bigint is kept for BigInteger columns and refused elsewhere,
 * as the better-sqlite3 driver does.
 */
function checkIntegers(row: unknown[], exact: readonly boolean[] | undefined): unknown[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'bigint' && !exact?.[i]) {
      throw new DataError(
        `integer ${v} in result column ${i + 1} does not fit a JS number exactly; declare the column BigInteger`,
      );
    }
  }
  return row;
}

export class SqliteWasmDriver implements Driver {
  private readonly pool: ConnectionPool<SqliteWasmConnection>;
  private readonly capi: WasmCapi;

  constructor(
    private readonly sqlite3: Sqlite3Module,
    private readonly filename: string,
    options: PoolOptions = {},
  ) {
    const capi = sqlite3.capi as Partial<WasmCapi>;
    if (
      typeof sqlite3.oo1?.DB !== 'function' ||
      typeof capi.sqlite3_get_autocommit !== 'function' ||
      typeof capi.sqlite3_js_rc_str !== 'function'
    ) {
      throw new ArgumentError(
        'SqliteWasmDialect needs the initialised @sqlite.org/sqlite-wasm module: await sqlite3InitModule()',
      );
    }
    this.capi = capi as WasmCapi;
    const timeoutMs = options.acquireTimeoutMs ?? DEFAULT_SQLITE_TIMEOUT_MS;
    this.pool = new ConnectionPool(async () => this.open(), {
      max: 1,
      acquireTimeoutMs: timeoutMs,
      timeoutError: () =>
        new OperationalError(
          `timed out after ${timeoutMs} ms waiting for SQLite database '${filename}': it has one connection, and ` +
            `another session's open transaction holds it (commit or roll that session back first)`,
          { errno: 5, driverCode: 'SQLITE_BUSY', retryable: true },
        ),
    });
  }

  acquire(): Promise<SqliteWasmConnection> {
    return this.pool.acquire();
  }

  private open(): SqliteWasmConnection {
    let db: WasmDatabase;
    try {
      db = new this.sqlite3.oo1.DB(this.filename, 'c');
    } catch (err) {
      throw new OperationalError(`cannot open SQLite database '${this.filename}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    db.exec('PRAGMA foreign_keys = ON');
    return new SqliteWasmConnection(this.capi, db);
  }

  release(connection: DriverConnection): void {
    this.pool.release(connection as SqliteWasmConnection);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

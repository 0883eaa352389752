import type { Driver, PoolOptions } from '../dialect.js';
import { SqliteDialect } from '../sqlite/dialect.js';
import { SqliteWasmDriver, type Sqlite3Module } from './driver.js';

/**
 * SQLite compiled to WebAssembly, for browsers: the SQLite dialect (same compiler, same result
 * processors) with a driver on the official `@sqlite.org/sqlite-wasm` build. Pass the initialised
 * module; the default database is private and in memory.
 *
 * @example
 * ```ts
 * import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
 * import { Database, SqliteWasmDialect } from 'relata';
 *
 * const dialect = new SqliteWasmDialect(await sqlite3InitModule());
 * const db = new Database('sqlite://', { dialect });
 * ```
 */
export class SqliteWasmDialect extends SqliteDialect {
  constructor(
    private readonly sqlite3: Sqlite3Module,
    filename: string = ':memory:',
  ) {
    super(filename);
  }

  /** The one-connection driver on the wasm module. */
  override createDriver(pool: PoolOptions): Driver {
    return new SqliteWasmDriver(this.sqlite3, this.filename, pool);
  }
}

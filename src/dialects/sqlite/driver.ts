/**
 * better-sqlite3 behind the async driver contract. SQLite is one connection per database file
 * (an in-memory database exists only on its connection), so every session shares it, as
 * SQLAlchemy's SingletonThreadPool does; transactions are reference-counted on it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { DatabaseError, DataError, IntegrityError, OperationalError, ProgrammingError } from '../../sql/errors.js';
import type { Driver, DriverConnection, ExecuteOptions, QueryResult } from '../dialect.js';

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[], unknown>;

const STATEMENT_CACHE_SIZE = 500;

export class SqliteConnection implements DriverConnection {
  private depth = 0;
  private readonly cache = new Map<string, Stmt>();
  usable = true;

  constructor(private readonly db: Db) {}

  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult> {
    return this.executeSync(sql, params, options);
  }

  /** Synchronous path, for callers that already hold the connection (saves a microtask per statement). */
  executeSync(sql: string, params: readonly unknown[], options: ExecuteOptions): QueryResult {
    try {
      const stmt = this.prepare(sql);
      if (stmt.reader) {
        const exact = options.exactIntegers;
        if (exact) return this.readExact(stmt, params, exact, options);
        const rows = stmt.raw(true).all(...params) as unknown[][];
        const columns = options.columnNames ? stmt.columns().map((c) => c.name) : undefined;
        return { rows, rowsAffected: rows.length, columns };
      }
      const info = stmt.run(...params);
      return { rows: [], rowsAffected: info.changes };
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  /**
   * better-sqlite3 reads integers as JS numbers, rounding past 2^53. For statements with BigInteger
   * columns, read every integer exactly and turn the others back into numbers, refusing a lossy one.
   */
  private readExact(
    stmt: Stmt,
    params: readonly unknown[],
    exact: readonly boolean[],
    options: ExecuteOptions,
  ): QueryResult {
    let rows: unknown[][];
    try {
      rows = stmt
        .raw(true)
        .safeIntegers(true)
        .all(...params) as unknown[][];
    } finally {
      stmt.safeIntegers(false);
    }
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (typeof v !== 'bigint' || exact[i]) continue;
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new DataError(
            `integer ${v} in result column ${i + 1} does not fit a JS number exactly; declare the column BigInteger`,
          );
        }
        row[i] = Number(v);
      }
    }
    const columns = options.columnNames ? stmt.columns().map((c) => c.name) : undefined;
    return { rows, rowsAffected: rows.length, columns };
  }

  /**
   * SQLite gives one INSERT's rows consecutive rowids, ending at last_insert_rowid(), so for a table
   * keyed by its rowid the keys of a multi-row INSERT are known without RETURNING, which costs SQLite
   * an extra pass (10,000 rows: 8 ms without, 14 ms with). Only where `column` is the rowid (see
   * rowidKeyed).
   */
  generatesKeysWithoutReturning(table: string, column: string): boolean {
    try {
      return this.rowidKeyed(table, column);
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async insertGeneratingKeys(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    try {
      const stmt = this.prepare(sql);
      let info: BetterSqlite3.RunResult;
      try {
        info = stmt.safeIntegers(true).run(...params);
      } finally {
        stmt.safeIntegers(false);
      }
      const n = info.changes;
      const last = BigInt(info.lastInsertRowid);
      const rows: unknown[][] = new Array<unknown[]>(n);
      if (last <= BigInt(Number.MAX_SAFE_INTEGER)) {
        const first = Number(last) - n + 1;
        for (let i = 0; i < n; i++) rows[i] = [first + i];
      } else {
        for (let i = 0; i < n; i++) rows[i] = [last - BigInt(n - 1 - i)];
      }
      return { rows, rowsAffected: n };
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  /** Per `table.column`, whether it is the rowid; valid while the schema version stays the same. */
  private rowidColumns = new Map<string, boolean>();
  private rowidSchemaVersion = -1;

  /**
   * True when `column` is `table`'s rowid (its single INTEGER PRIMARY KEY in a rowid table) and the
   * database has no triggers, one of which could insert into the same table between our rows.
   * Checked once per table until the schema changes (PRAGMA schema_version).
   */
  private rowidKeyed(table: string, column: string): boolean {
    const version = this.prepare('PRAGMA schema_version').pluck(true).get() as number;
    if (version !== this.rowidSchemaVersion) {
      this.rowidColumns.clear();
      this.rowidSchemaVersion = version;
    }
    const key = `${table}\u0000${column}`;
    let ok = this.rowidColumns.get(key);
    if (ok === undefined) {
      ok = this.inspectRowidKey(table, column);
      this.rowidColumns.set(key, ok);
    }
    return ok;
  }

  private inspectRowidKey(table: string, column: string): boolean {
    // One statement: the triggers, the table (a rowid table?), its primary key columns and its DDL.
    const row = this.db
      .prepare(
        `SELECT
           (SELECT count(*) FROM sqlite_master WHERE type = 'trigger')
             + (SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger') AS triggers,
           (SELECT count(*) FROM pragma_table_list WHERE name = :t) AS tables,
           t.schema, t.type, t.wr,
           (SELECT count(*) FROM pragma_table_info(:t, t.schema) WHERE pk > 0) AS pks,
           (SELECT name || char(0) || upper(type) FROM pragma_table_info(:t, t.schema) WHERE pk > 0) AS pk,
           CASE t.schema
             WHEN 'main' THEN (SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = :t)
             WHEN 'temp' THEN (SELECT sql FROM temp.sqlite_master WHERE type = 'table' AND name = :t)
           END AS ddl
         FROM pragma_table_list AS t WHERE t.name = :t`,
      )
      .get({ t: table }) as
      | { triggers: number; tables: number; type: string; wr: number; pks: number; pk: string; ddl: string | null }
      | undefined;
    if (!row || row.triggers > 0 || row.tables !== 1 || row.type !== 'table' || row.wr !== 0) return false;
    if (row.pks !== 1 || row.pk !== `${column}\u0000INTEGER` || row.ddl === null) return false;
    // SQLite's documented quirk: a column declared INTEGER PRIMARY KEY DESC is not the rowid.
    return !/INTEGER\s+PRIMARY\s+KEY\s+DESC/i.test(row.ddl);
  }

  private prepare(sql: string): Stmt {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql) as Stmt;
      if (this.cache.size >= STATEMENT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  private exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async begin(): Promise<void> {
    if (this.depth === 0 && !this.db.inTransaction) this.exec('BEGIN');
    this.depth++;
  }
  async commit(): Promise<void> {
    if (this.depth > 0) this.depth--;
    if (this.depth === 0 && this.db.inTransaction) this.exec('COMMIT');
  }
  async rollback(): Promise<void> {
    this.depth = 0;
    if (this.db.inTransaction) this.exec('ROLLBACK');
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
    this.cache.clear();
    this.db.close();
  }
}

export class SqliteDriver implements Driver {
  private connection: Promise<SqliteConnection> | undefined;
  constructor(private readonly filename: string) {}

  acquire(): Promise<SqliteConnection> {
    this.connection ??= this.open();
    return this.connection;
  }

  private async open(): Promise<SqliteConnection> {
    // Imported here, not at module load, so the core bundles for browsers without better-sqlite3.
    const { default: Database } = await import('better-sqlite3');
    let db: Db;
    try {
      db = new Database(this.filename);
    } catch (err) {
      throw new OperationalError(`cannot open SQLite database '${this.filename}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    db.pragma('foreign_keys = ON');
    if (this.filename !== ':memory:') db.pragma('journal_mode = WAL');
    return new SqliteConnection(db);
  }

  release(): void {
    // One shared connection: nothing to return.
  }

  async close(): Promise<void> {
    const conn = this.connection;
    this.connection = undefined;
    if (conn) (await conn).close();
  }
}

/** Maps better-sqlite3's SqliteError to Relata's error classes, keeping the table and constraint it names. */
export function mapSqliteError(err: unknown): Error {
  if (err instanceof DatabaseError) return err;
  if (err instanceof RangeError) return new DataError(`${err.message} (SQLite integers are 64-bit)`, { cause: err });
  if (!(err instanceof Error) || !('code' in err)) return err as Error;
  const code = String((err as { code: unknown }).code);
  const message = err.message;
  let mapped: DatabaseError;
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    mapped = new IntegrityError(message, { cause: err });
    const m = /constraint failed: ([^\s.]+)\.([^\s,]+)/.exec(message);
    if (m) {
      mapped.table = m[1];
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') mapped.constraint = `uq_${m[1]}_${m[2]}`;
      else if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') mapped.constraint = `pk_${m[1]}`;
      else mapped.constraint = `${m[1]}.${m[2]}`;
    } else if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      mapped.constraint = 'FOREIGN KEY';
    }
  } else if (/no such table|no such column|syntax error/.test(message)) {
    mapped = /syntax error|no such column/.test(message)
      ? new ProgrammingError(message, { cause: err })
      : new OperationalError(`${message} (were the tables created? await db.createAll())`, { cause: err });
    const m = /no such table: (\S+)/.exec(message);
    if (m) mapped.table = m[1];
  } else {
    mapped = new OperationalError(message, { cause: err });
  }
  return mapped;
}

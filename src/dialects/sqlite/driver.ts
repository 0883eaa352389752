/**
 * better-sqlite3 behind the async driver contract. Every session gets a connection of its own: on a
 * database file a pool of them (WAL, so readers never wait and never see another session's
 * uncommitted rows), with one writer at a time; an in-memory database exists only on its one
 * connection, so a session's transaction holds it and other sessions wait their turn.
 *
 * better-sqlite3 is synchronous: a busy wait inside SQLite would freeze the whole event loop, the
 * session holding the lock included. So connections run with SQLite's busy timeout at 0, writers of
 * one process queue on a lock in JavaScript, and a database busy with another process is retried
 * with timers until the deadline (`acquireTimeoutMs`, default 5 s).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  type DatabaseErrorDetails,
} from '../../sql/errors.js';
import { Lock, nextTurn } from '../../sql/lock.js';
import type {
  BeginOptions,
  CursorOptions,
  Driver,
  DriverConnection,
  ExecuteOptions,
  PoolOptions,
  QueryResult,
  RowCursor,
} from '../dialect.js';
import { SqliteCursor, numbersWhereInexactAllowed } from './cursor.js';
import { ConnectionPool, sleep } from '../pool.js';
import { loadDriver } from '../load-driver.js';

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[], unknown>;

const STATEMENT_CACHE_SIZE = 500;
export const DEFAULT_SQLITE_POOL_MAX = 10;
/** better-sqlite3's own default busy timeout, and SQLAlchemy's for pysqlite. */
export const DEFAULT_SQLITE_TIMEOUT_MS = 5_000;

/**
 * One lock per database file and process: held by the connection in a write transaction (or
 * running a write outside one). Keyed by the file's absolute path, so two `Database`s on one file
 * share it too.
 */
const writeLocks = new Map<string, Lock>();

/** What a connection knows of the database it belongs to. */
interface SqliteTarget {
  /** The file, as given ('app.db'), for messages; ':memory:' for an in-memory database. */
  readonly filename: string;
  /** How long to wait for the write lock or a busy database, in ms. */
  readonly timeoutMs: number;
}

/** What begin() sends: isolation levels need nothing, as SQLite runs every transaction serializably. */
export const SQLITE_BEGIN: readonly string[] = ['BEGIN IMMEDIATE'];
export const SQLITE_BEGIN_READ_ONLY: readonly string[] = ['BEGIN', 'PRAGMA query_only = 1'];

export class SqliteConnection implements DriverConnection {
  private readonly cache = new Map<string, Stmt>();
  usable = true;
  /** The file's write lock; null in memory, where holding the connection is holding the database. */
  private readonly writeLock: Lock | null;
  private holdsWriteLock = false;
  private queryOnly = false;

  constructor(
    private readonly db: Db,
    private readonly target: SqliteTarget,
  ) {
    this.writeLock = db.memory ? null : lockFor(db);
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult> {
    let stmt: Stmt;
    try {
      stmt = this.prepare(sql);
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
    // The common case, nothing to wait for, runs at once (see guarded).
    const inTransaction = this.db.inTransaction;
    if (!dueForATurn() && (inTransaction || stmt.readonly || !this.writeLock)) {
      try {
        return Promise.resolve(this.run(stmt, params, options));
      } catch (err) {
        if (inTransaction || !isBusy(err)) return Promise.reject(err);
      }
    }
    return this.guarded(stmt.readonly, () => this.run(stmt, params, options));
  }

  /** Steps through a SELECT's rows one batch at a time (see cursor.ts): a read, so it needs no write lock. */
  async openCursor(sql: string, params: readonly unknown[], options: CursorOptions): Promise<RowCursor> {
    let stmt: Stmt;
    try {
      stmt = this.db.prepare(sql) as Stmt;
    } catch (err) {
      throw mapSqliteError(err);
    }
    if (!stmt.reader) throw new ProgrammingError(`a stream needs a statement that returns rows, got: ${sql}`);
    try {
      return SqliteCursor.open(stmt, params, options.batchSize, options.exactIntegers ?? null, mapSqliteError);
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  /**
   * Runs `op`. Inside a transaction as it is; outside one, a write first waits for the file's writer to
   * finish, and a busy database is retried (a statement that met SQLITE_BUSY changed nothing).
   */
  private async guarded<R>(readonly: boolean, op: () => R): Promise<R> {
    if (performance.now() - lastTurn > TURN_SLICE_MS) await giveEventLoopATurn();
    if (this.db.inTransaction) return op();
    if (readonly || !this.writeLock) return this.retryWhileBusy(op);
    await this.takeWriteLock();
    try {
      return await this.retryWhileBusy(op);
    } finally {
      this.dropWriteLock();
    }
  }

  private run(stmt: Stmt, params: readonly unknown[], options: ExecuteOptions): QueryResult {
    try {
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
    for (const row of rows) numbersWhereInexactAllowed(row, exact);
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

  insertGeneratingKeys(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    let stmt: Stmt;
    try {
      stmt = this.prepare(sql);
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
    return this.guarded(false, () => {
      let info: BetterSqlite3.RunResult;
      try {
        info = stmt.safeIntegers(true).run(...params);
      } catch (err) {
        throw mapSqliteError(err);
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
    });
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

  /**
   * BEGIN IMMEDIATE: the write lock is taken up front, so a transaction that reads and then writes
   * cannot fail halfway with SQLITE_BUSY. A read-only transaction is a plain BEGIN (a snapshot, no
   * lock) with PRAGMA query_only, so SQLite itself refuses writes in it. SQLite runs every
   * transaction serializably, which satisfies any isolation level asked for.
   */
  beginStatements(options: BeginOptions = {}): readonly string[] {
    return options.readOnly ? SQLITE_BEGIN_READ_ONLY : SQLITE_BEGIN;
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.db.inTransaction) {
      throw new ProgrammingError('this SQLite connection is already in a transaction (use a savepoint to nest)');
    }
    if (options.readOnly) {
      for (const sql of SQLITE_BEGIN_READ_ONLY) this.exec(sql);
      this.queryOnly = true;
      return;
    }
    await this.takeWriteLock();
    try {
      await this.retryWhileBusy(() => this.exec(SQLITE_BEGIN[0]!));
    } catch (err) {
      this.dropWriteLock();
      throw err;
    }
  }

  async commit(): Promise<void> {
    try {
      if (this.db.inTransaction) this.exec('COMMIT');
    } catch (err) {
      // A COMMIT that failed (a deferred foreign key, a busy database) leaves SQLite's transaction
      // open: end it, so nothing of it survives on a connection the pool hands out again.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.endTransaction();
    }
  }

  async rollback(): Promise<void> {
    try {
      if (this.db.inTransaction) this.exec('ROLLBACK');
    } finally {
      this.endTransaction();
    }
  }

  private endTransaction(): void {
    if (this.queryOnly) {
      this.queryOnly = false;
      this.exec('PRAGMA query_only = 0');
    }
    this.dropWriteLock();
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

  private async takeWriteLock(): Promise<void> {
    if (!this.writeLock || this.holdsWriteLock) return;
    await this.writeLock.acquire(
      this.target.timeoutMs,
      () =>
        new OperationalError(
          `timed out after ${this.target.timeoutMs} ms waiting to write to SQLite database '${this.target.filename}': ` +
            `another session of this process has a write transaction open (commit or roll it back; or raise pool.acquireTimeoutMs)`,
          busyDetails(),
        ),
    );
    this.holdsWriteLock = true;
  }

  private dropWriteLock(): void {
    if (!this.holdsWriteLock) return;
    this.holdsWriteLock = false;
    this.writeLock!.release();
  }

  /** Runs `op` again after short pauses while SQLite answers SQLITE_BUSY (another process writes), until the deadline. */
  private async retryWhileBusy<R>(op: () => R): Promise<R> {
    const deadline = Date.now() + this.target.timeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 32)) {
      try {
        return op();
      } catch (err) {
        if (!isBusy(err) || Date.now() + pause > deadline) {
          if (isBusy(err)) {
            err.message = `${err.message}: SQLite database '${this.target.filename}' stayed busy for ${this.target.timeoutMs} ms (another process holds its write lock)`;
          }
          throw err;
        }
      }
      await sleep(pause / 2 + Math.random() * pause);
    }
  }

  close(): void {
    this.usable = false;
    this.cache.clear();
    this.db.close();
  }
}

/**
 * better-sqlite3 answers without waiting on I/O, so awaiting it never lets the event loop turn: a
 * loop of queries or transactions would starve timers (acquire timeouts, the caller's own) and
 * incoming requests for as long as it runs. Statements therefore give the event loop a turn when
 * TURN_SLICE_MS have passed since it last had one: at most one short pause per slice of work.
 */
const TURN_SLICE_MS = 10;
let lastTurn = 0;
/** The clock is read every 16th statement only: reading it costs more than a cached statement's bookkeeping. */
let statementsSinceClock = 0;

function dueForATurn(): boolean {
  if ((++statementsSinceClock & 15) !== 0) return false;
  return performance.now() - lastTurn > TURN_SLICE_MS;
}

function giveEventLoopATurn(): Promise<void> {
  return new Promise((resolve) =>
    nextTurn(() => {
      lastTurn = performance.now();
      resolve();
    }),
  );
}

let betterSqlite3: typeof BetterSqlite3 | undefined;

/**
 * Imported on first use, not at module load: better-sqlite3 is an optional peer dependency (a
 * PostgreSQL-only application never compiles it), and the core bundles for browsers without it. Kept
 * once loaded; a failure is not, so its error names the database that needed the driver.
 */
async function loadBetterSqlite3(filename: string): Promise<typeof BetterSqlite3> {
  betterSqlite3 ??= (
    (await loadDriver({ packageName: 'better-sqlite3', dialect: 'SQLite', database: `'${filename}'` })) as {
      default: typeof BetterSqlite3;
    }
  ).default;
  return betterSqlite3;
}

function lockFor(db: Db): Lock {
  const file = (db.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main')?.file;
  const key = file || db.name;
  let lock = writeLocks.get(key);
  if (!lock) writeLocks.set(key, (lock = new Lock()));
  return lock;
}

export class SqliteDriver implements Driver {
  private readonly pool: ConnectionPool<SqliteConnection>;
  private readonly target: SqliteTarget;

  constructor(filename: string, options: PoolOptions = {}) {
    const memory = filename === ':memory:';
    this.target = { filename, timeoutMs: options.acquireTimeoutMs ?? DEFAULT_SQLITE_TIMEOUT_MS };
    const max = memory ? 1 : (options.max ?? DEFAULT_SQLITE_POOL_MAX);
    this.pool = new ConnectionPool(() => this.open(), {
      max,
      acquireTimeoutMs: this.target.timeoutMs,
      timeoutError: () =>
        new OperationalError(
          memory
            ? `timed out after ${this.target.timeoutMs} ms waiting for the in-memory SQLite database: it has one connection, ` +
              `and another session's open transaction holds it, or its open stream (commit or roll that session back, ` +
              `or end the stream, first; ` +
              `for sessions that work side by side, use a database file: sqlite:///app.db)`
            : `timed out after ${this.target.timeoutMs} ms waiting for a connection to SQLite database '${filename}': ` +
              `all ${max} are in use (release them: commit, rollback or close sessions; or raise pool.max)`,
          busyDetails(),
        ),
    });
  }

  acquire(): Promise<SqliteConnection> {
    return this.pool.acquire();
  }

  private async open(): Promise<SqliteConnection> {
    const { filename } = this.target;
    const Database = await loadBetterSqlite3(filename);
    let db: Db;
    try {
      // timeout 0: SQLite never busy-waits inside a call (see the top of this file).
      db = new Database(filename, { timeout: 0 });
      db.pragma('foreign_keys = ON');
      // WAL is a property of the file: the first connection sets it, for good (later ones only read it,
      // which needs no lock, so opening a connection never waits for a writer).
      if (filename !== ':memory:' && db.pragma('journal_mode', { simple: true }) !== 'wal') {
        db.pragma('journal_mode = WAL');
      }
    } catch (err) {
      throw new OperationalError(`cannot open SQLite database '${filename}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new SqliteConnection(db, this.target);
  }

  release(connection: DriverConnection): void {
    this.pool.release(connection as SqliteConnection);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const SQLITE_BUSY = 5;

function isBusy(err: unknown): err is DatabaseError {
  return err instanceof DatabaseError && err.errno === SQLITE_BUSY;
}

/** SQLite's primary result codes, by name: `errno` of a mapped error. */
const RESULT_CODES: Record<string, number> = {
  SQLITE_ERROR: 1,
  SQLITE_INTERNAL: 2,
  SQLITE_PERM: 3,
  SQLITE_ABORT: 4,
  SQLITE_BUSY,
  SQLITE_LOCKED: 6,
  SQLITE_NOMEM: 7,
  SQLITE_READONLY: 8,
  SQLITE_INTERRUPT: 9,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_PROTOCOL: 15,
  SQLITE_SCHEMA: 17,
  SQLITE_TOOBIG: 18,
  SQLITE_CONSTRAINT: 19,
  SQLITE_MISMATCH: 20,
  SQLITE_MISUSE: 21,
  SQLITE_RANGE: 25,
  SQLITE_NOTADB: 26,
};

function busyDetails(): DatabaseErrorDetails {
  return { errno: SQLITE_BUSY, driverCode: 'SQLITE_BUSY', retryable: true };
}

/** errno, driverCode and retryable for a better-sqlite3 error code ('SQLITE_BUSY_SNAPSHOT'…). */
function detailsOf(code: string, cause: unknown): DatabaseErrorDetails {
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;
  const errno = RESULT_CODES[primary];
  // Busy and locked: another connection holds what this one needs; the whole transaction may be re-run.
  return { cause, errno, driverCode: code, retryable: errno === SQLITE_BUSY || errno === 6 };
}

/** Maps better-sqlite3's SqliteError to Relata's error classes, keeping the table and constraint it names. */
export function mapSqliteError(err: unknown): Error {
  if (err instanceof DatabaseError) return err;
  // better-sqlite3 refuses several statements in one text before running any: say what to do instead.
  if (err instanceof RangeError && /more than one statement/.test(err.message))
    return new ProgrammingError(
      `${err.message}: run one statement per execute() (nothing of it ran; PostgreSQL runs them all, MySQL refuses them too)`,
      { cause: err },
    );
  if (err instanceof RangeError) return new DataError(`${err.message} (SQLite integers are 64-bit)`, { cause: err });
  if (!(err instanceof Error) || !('code' in err)) return err as Error;
  const code = String((err as { code: unknown }).code);
  const message = err.message;
  const details = detailsOf(code, err);
  let mapped: DatabaseError;
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    mapped = new IntegrityError(message, details);
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
      ? new ProgrammingError(message, details)
      : new OperationalError(`${message} (were the tables created? await db.createAll())`, details);
    const m = /no such table: (\S+)/.exec(message);
    if (m) mapped.table = m[1];
  } else {
    mapped = new OperationalError(message, details);
  }
  return mapped;
}

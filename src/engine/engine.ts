/**
 * The Engine: a dialect, its driver's connections, and the one event point every statement passes
 * through (echo, counters, N+1 reports all hang off it).
 */
import {
  isolationLevelSql,
  type BeginOptions,
  type Dialect,
  type Driver,
  type DriverConnection,
  type PoolOptions,
  type QueryResult,
} from '../dialects/dialect.js';
import type { CompiledStatement, ShapedSql } from '../sql/compiler.js';
import { ShapeKey } from '../sql/shape.js';
import { BoundedMap, COMPILED_CACHE_SIZE } from '../sql/bounded.js';
import { Insert, type Statement } from '../sql/dml.js';
import { DatabaseError } from '../sql/errors.js';
import { checkParameterCount, splitInsert } from '../sql/limits.js';
import { dialectForUrl } from './url.js';
import { formatParams } from './format-params.js';
import { batchSizeOf, openCursorFor, rowsOf, type EngineCursor, type RowStreamOptions } from './cursor.js';

/**
 * One statement the database was sent, as listeners (`db.onStatement`) and the query counters
 * (`db.recordQueries`) see it.
 *
 * @example
 * ```ts
 * import type { StatementEvent } from 'relata';
 *
 * const slow: StatementEvent[] = [];
 * const off = db.onStatement((e) => {
 *   if (e.durationMs > 100) slow.push(e);
 * });
 * await User.query.all();
 * off();
 * for (const e of slow) console.log(e.sql, e.params, e.rowCount, e.error?.message);
 * ```
 */
export interface StatementEvent {
  /**
   * 'statement' for SQL that does work; 'transaction' for BEGIN/COMMIT/ROLLBACK/SAVEPOINT; 'cursor'
   * for the FETCH and CLOSE a PostgreSQL stream sends for its SELECT (which is the one 'statement').
   */
  readonly kind: 'statement' | 'transaction' | 'cursor';
  /** The SQL text sent, in the dialect's placeholders. */
  readonly sql: string;
  /** The bound parameters, in placeholder order. */
  readonly params: readonly unknown[];
  /** How long the database took, in milliseconds. */
  readonly durationMs: number;
  /** Rows returned or affected; 0 for a statement that failed. */
  readonly rowCount: number;
  /**
   * Set when the statement failed: the error it raised (an IntegrityError, a ProgrammingError…).
   * A failed statement is still one the database was sent, so counters see it.
   */
  readonly error?: Error;
}

/** A function called with every statement (see {@link Engine.onStatement}). */
export type StatementListener = (event: StatementEvent) => void;

/**
 * Options of an engine, also accepted by `new Database(url, options)`.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const lines: string[] = [];
 * const db = new Database('postgresql://postgres@127.0.0.1:5432/test', {
 *   echo: true, // every statement with its parameters, to logger
 *   logger: (line) => lines.push(line),
 *   pool: { max: 10 },
 * });
 * ```
 */
export interface EngineOptions {
  /** Log every statement with its parameters (to `logger`, default console.log). */
  readonly echo?: boolean;
  /** Where echo writes its lines (default console.log). */
  readonly logger?: (line: string) => void;
  /** Connection pool sizing and timeouts (server dialects). */
  readonly pool?: PoolOptions;
  /** A dialect object instead of one chosen by URL (e.g. SQLite compiled to WebAssembly in a browser). */
  readonly dialect?: Dialect;
}

/**
 * A dialect and its connections: what `db.engine` is. Every statement, the ORM's included, goes
 * through it, so its listeners and counters see everything. Most code uses the Database and its
 * sessions; the engine runs SQL of your own and counts statements.
 *
 * @example
 * ```ts
 * import { Engine } from 'relata';
 *
 * const engine = new Engine('sqlite://');
 * const result = await engine.execute({ sql: 'SELECT 1 + 1', params: [] });
 * console.log(result.rows); // [[2]]
 * const n = await engine.countQueries(() => engine.execute({ sql: 'SELECT 1', params: [] })); // 1
 * await engine.dispose();
 * ```
 */
export class Engine {
  /** The dialect: SQL compiler and driver of this database. */
  readonly dialect: Dialect;
  /** Whether every statement is logged (settable at any time). */
  echo: boolean;
  private readonly logger: (line: string) => void;
  private readonly listeners = new Set<StatementListener>();
  private driverInstance: Driver | undefined;
  private readonly poolOptions: PoolOptions;

  constructor(url: string = 'sqlite://', options: EngineOptions = {}) {
    this.dialect = options.dialect ?? dialectForUrl(url);
    this.echo = options.echo ?? false;
    this.logger = options.logger ?? ((line) => console.log(line));
    this.poolOptions = options.pool ?? {};
  }

  private get driver(): Driver {
    this.driverInstance ??= this.dialect.createDriver(this.poolOptions);
    return this.driverInstance;
  }

  /** Subscribes to every statement; returns the function that unsubscribes. */
  onStatement(listener: StatementListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` and returns how many SQL statements it ran, failed ones included (transaction control not counted). */
  async countQueries(fn: () => Promise<unknown>): Promise<number> {
    return (await this.recordQueries(fn)).length;
  }

  /** Runs `fn` and returns the SQL statements it ran, in order; a failed one carries its `error`. */
  async recordQueries(fn: () => Promise<unknown>): Promise<StatementEvent[]> {
    const seen: StatementEvent[] = [];
    const off = this.onStatement((e) => {
      if (e.kind === 'statement') seen.push(e);
    });
    try {
      await fn();
    } finally {
      off();
    }
    return seen;
  }

  /** Checks a connection out of the pool; `release()` it when done. */
  async connect(): Promise<Connection> {
    const driver = this.driver;
    return new Connection(this, await driver.acquire(), driver);
  }

  /** Runs one statement on a connection of its own (autocommit). */
  async execute(stmt: Statement | CompiledStatement, options: { columnNames?: boolean } = {}): Promise<QueryResult> {
    const conn = await this.connect();
    try {
      return await conn.execute(stmt, options);
    } finally {
      conn.release();
    }
  }

  /**
   * The rows of a SELECT, read in batches on a connection of its own (a server-side cursor on
   * PostgreSQL, row streaming on MySQL, stepping on SQLite), each an array in select order; the
   * connection goes back to the pool when the loop ends, breaks or throws.
   *
   * @example
   * ```ts
   * import { selectColumns } from 'relata';
   *
   * let n = 0;
   * for await (const [id] of db.engine.stream(selectColumns(User.id), { batchSize: 500 })) n += id === null ? 0 : 1;
   * ```
   */
  async *stream(
    stmt: Statement | CompiledStatement,
    options: RowStreamOptions = {},
  ): AsyncGenerator<unknown[], void, undefined> {
    batchSizeOf(options, 'engine.stream()');
    const conn = await this.connect();
    try {
      yield* conn.stream(stmt, options);
    } finally {
      conn.release();
    }
  }

  /** Compiled SQL by statement shape (null: a shape that must be compiled each time); see shape.ts. */
  private readonly compiledShapes = new BoundedMap<string, ShapedSql | null>(COMPILED_CACHE_SIZE);

  /**
   * SQL and parameters for a statement. A SELECT, UPDATE or DELETE whose shape was compiled before
   * only has its values bound (SQLAlchemy's compiled cache): the unit of work's UPDATEs and DELETEs,
   * refresh(), count() and Core selects are compiled once per shape.
   */
  compile(stmt: Statement): CompiledStatement {
    if (stmt.kind === 'select' || stmt.kind === 'compound' || stmt.kind === 'update' || stmt.kind === 'delete') {
      const shape = new ShapeKey();
      shape.statement(stmt);
      if (shape.cacheable) {
        let sql = this.compiledShapes.get(shape.key);
        if (sql === undefined) {
          sql = this.dialect.compiler.compileShape(stmt, shape);
          this.compiledShapes.set(shape.key, sql);
        }
        if (sql) return { sql: sql.sql, params: sql.params(shape) };
      }
    }
    return this.dialect.compiler.compile(stmt);
  }

  /** Closes every connection; the engine opens new ones if used again. */
  async dispose(): Promise<void> {
    const d = this.driverInstance;
    this.driverInstance = undefined;
    if (d) await d.close();
  }

  /** @internal */
  emit(event: StatementEvent): void {
    if (this.echo) {
      const params = event.params.length ? `  ${formatParams(event.params)}` : '';
      const failed = event.error ? `  -- failed: ${event.error.message}` : '';
      this.logger(`[SQL] ${event.sql}${params}${failed}`);
    }
    for (const l of this.listeners) l(event);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * A connection checked out of the engine; statements on it go through the engine's event point.
 *
 * @example
 * ```ts
 * const conn = await db.engine.connect();
 * try {
 *   await conn.begin({ isolation: 'serializable' });
 *   await conn.execute({ sql: 'SELECT count(*) FROM post', params: [] });
 *   await conn.commit();
 * } finally {
 *   conn.release();
 * }
 * ```
 */
export class Connection {
  private released = false;
  /**
   * @internal Also told the SQL of each statement run on this connection while set: how a migration
   * lists what the session it joined to this connection ran (op.session()).
   */
  tap: ((sql: string) => void) | null = null;
  /** @internal The stream open on this connection (see cursor.ts). */
  cursor: EngineCursor | null = null;
  constructor(
    /** The engine it came from. */
    readonly engine: Engine,
    /** @internal The driver's connection under it. */
    readonly raw: DriverConnection,
    /** The driver it came from: released there, even after the engine was disposed and opened anew. */
    private readonly driver: Driver,
  ) {}

  /** Runs one statement (a Core statement, or `{ sql, params }` in the dialect's placeholders). */
  async execute(stmt: Statement | CompiledStatement, options: { columnNames?: boolean } = {}): Promise<QueryResult> {
    const cursor = this.cursor;
    if (cursor && !cursor.permits('sql' in stmt ? /^\s*(select|with)\b/i.test(stmt.sql) : stmt.kind === 'select')) {
      throw cursor.busyError(
        'sql' in stmt ? stmt.sql : `a ${stmt.kind.toUpperCase()} of ${'table' in stmt ? stmt.table.name : 'a table'}`,
      );
    }
    if ('sql' in stmt) {
      const returnsRows = stmt.returnsRows ?? /^\s*(select|with|pragma|values)\b|\breturning\b/i.test(stmt.sql);
      return this.run(stmt, null, (c) =>
        this.raw.execute(c.sql, c.params, {
          returnsRows,
          columnNames: options.columnNames,
          exactIntegers: stmt.exactIntegers,
        }),
      );
    }
    if (stmt.kind === 'insert') {
      const parts = splitInsert(stmt, this.engine.dialect.compiler);
      if (parts.length > 1) return this.executeParts(parts, options);
    }
    if (stmt.kind === 'insert' && !stmt.onConflict && this.raw.insertGeneratingKeys && onlyGeneratedKeyReturned(stmt)) {
      // The driver may know the generated keys without RETURNING (SQLite's rowids).
      const table = stmt.table.name;
      if (this.raw.generatesKeysWithoutReturning?.(table, stmt.returning[0]!.name)) {
        const plain = this.engine.compile(new Insert(stmt.table, stmt.columns, stmt.rows));
        return this.run(plain, table, (c) => this.raw.insertGeneratingKeys!(c.sql, c.params));
      }
    }
    return this.run(this.engine.compile(stmt), 'table' in stmt ? stmt.table.name : null, (c) =>
      this.raw.execute(c.sql, c.params, {
        returnsRows: returnsRowsOf(stmt),
        columnNames: options.columnNames,
        exactIntegers: exactIntegerColumns(stmt),
      }),
    );
  }

  /**
   * The rows of a SELECT on this connection, read in batches (see Engine.stream). On PostgreSQL the
   * cursor lives in the connection's transaction, begun (and ended) by the stream when none is open.
   * While it is open, SQLite refuses writes on the connection, and MySQL any statement (ConnectionBusyError).
   *
   * @example
   * ```ts
   * const conn = await db.engine.connect();
   * try {
   *   for await (const row of conn.stream({ sql: 'SELECT id FROM "user"', params: [] }, { batchSize: 100 })) {
   *     console.log(row[0]);
   *   }
   * } finally {
   *   conn.release();
   * }
   * ```
   */
  async *stream(
    stmt: Statement | CompiledStatement,
    options: RowStreamOptions = {},
  ): AsyncGenerator<unknown[], void, undefined> {
    yield* rowsOf(await this.openCursor(stmt, batchSizeOf(options, 'stream()')));
  }

  /** @internal Opens a cursor for a SELECT (the ORM's stream reads its batches itself). */
  openCursor(stmt: Statement | CompiledStatement, batchSize: number): Promise<EngineCursor> {
    return openCursorFor(this, stmt, batchSize);
  }

  /**
   * An INSERT of more rows than one statement may bind, as several INSERTs in one transaction (the
   * caller's, or one of its own): rows affected summed, RETURNING rows in order.
   */
  private async executeParts(parts: Insert[], options: { columnNames?: boolean }): Promise<QueryResult> {
    const own = !this.inTransaction;
    if (own) await this.begin();
    try {
      const rows: unknown[][] = [];
      let rowsAffected = 0;
      let first: QueryResult | undefined;
      for (const part of parts) {
        const result = await this.execute(part, options);
        first ??= result;
        rowsAffected += result.rowsAffected;
        for (const row of result.rows) rows.push(row);
      }
      if (own) await this.commit();
      return { rows, rowsAffected, insertId: first?.insertId, columns: first?.columns };
    } catch (err) {
      if (own && this.inTransaction) await this.rollback().catch(() => {});
      throw err;
    }
  }

  /** Runs one compiled statement: errors get its SQL and table, and a statement that ran is announced. */
  private async run<R extends QueryResult>(
    compiled: CompiledStatement,
    table: string | null,
    execute: (compiled: CompiledStatement) => Promise<R>,
  ): Promise<R> {
    checkParameterCount(this.engine.dialect.compiler, compiled.params);
    this.tap?.(compiled.sql);
    const start = performance.now();
    let result: R;
    try {
      result = await execute(compiled);
    } catch (err) {
      if (err instanceof DatabaseError) {
        err.sql = compiled.sql;
        err.params = compiled.params;
        if (!err.table && table) err.table = table;
      }
      this.engine.emit({
        kind: 'statement',
        sql: compiled.sql,
        params: compiled.params,
        durationMs: performance.now() - start,
        rowCount: 0,
        error: asError(err),
      });
      throw err;
    }
    this.engine.emit({
      kind: 'statement',
      sql: compiled.sql,
      params: compiled.params,
      durationMs: performance.now() - start,
      rowCount: result.rowsAffected,
    });
    return result;
  }

  private async control(sql: string, run: () => Promise<void>): Promise<void> {
    const cursor = this.cursor;
    if (cursor) {
      // A cursor lives no longer than its transaction: end it first (MySQL must read the rest before it can send anything).
      if (/^(COMMIT|ROLLBACK)/.test(sql)) await cursor.endWithTransaction(sql);
      else if (cursor.allows !== 'everything') throw cursor.busyError(sql);
    }
    const start = performance.now();
    try {
      await run();
    } catch (err) {
      const durationMs = performance.now() - start;
      this.engine.emit({ kind: 'transaction', sql, params: [], durationMs, rowCount: 0, error: asError(err) });
      throw err;
    }
    this.engine.emit({ kind: 'transaction', sql, params: [], durationMs: performance.now() - start, rowCount: 0 });
  }

  /** Shown as the driver sends it (BEGIN IMMEDIATE on SQLite, SET TRANSACTION + START TRANSACTION on MySQL). */
  begin(options: BeginOptions = {}): Promise<void> {
    // Refused on every database, SQLite included (where any level is satisfied and nothing is sent).
    if (options.isolation) isolationLevelSql(options.isolation);
    return this.control(this.raw.beginStatements(options).join('; '), () => this.raw.begin(options));
  }

  /** True between begin() and commit()/rollback(). */
  get inTransaction(): boolean {
    return this.raw.inTransaction;
  }
  /** COMMIT. */
  commit(): Promise<void> {
    return this.control('COMMIT', () => this.raw.commit());
  }
  /** ROLLBACK. */
  rollback(): Promise<void> {
    return this.control('ROLLBACK', () => this.raw.rollback());
  }
  /** SAVEPOINT `name`. */
  savepoint(name: string): Promise<void> {
    return this.control(`SAVEPOINT ${name}`, () => this.raw.savepoint(name));
  }
  /** RELEASE SAVEPOINT `name`. */
  releaseSavepoint(name: string): Promise<void> {
    return this.control(`RELEASE SAVEPOINT ${name}`, () => this.raw.releaseSavepoint(name));
  }
  /** ROLLBACK TO SAVEPOINT `name`. */
  rollbackToSavepoint(name: string): Promise<void> {
    return this.control(`ROLLBACK TO SAVEPOINT ${name}`, () => this.raw.rollbackToSavepoint(name));
  }

  /** Returns the connection to the pool (once; later calls do nothing). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.driver.release(this.raw);
  }
}

/**
 * Which result columns are read with exact integers, when any is (undefined otherwise, the common
 * case): BigInteger, and Numeric and JSON, whose values SQLite's NUMERIC affinity may store as integers
 * past 2^53 ('3e16', a JSON 2^60 must load as the value they were, not fail as inexact integers).
 */
export function exactIntegerColumns(stmt: Statement): boolean[] | undefined {
  const types =
    stmt.kind === 'select' || stmt.kind === 'compound'
      ? stmt.columns.map((c) => c.sqlType?.typeName)
      : stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete'
        ? stmt.returning.map((c) => c.type.typeName)
        : [];
  return types.some(readExactly) ? types.map(readExactly) : undefined;
}

function readExactly(typeName: string | undefined): boolean {
  return typeName === 'BigInteger' || typeName === 'JSON' || typeName === 'Numeric';
}

/** An INSERT that returns only its table's generated key, a column none of its rows sets. */
function onlyGeneratedKeyReturned(stmt: Insert): boolean {
  const col = stmt.returning.length === 1 ? stmt.returning[0]! : null;
  return col !== null && col.autoincrement && !stmt.columns.includes(col) && stmt.rows.length > 0;
}

function returnsRowsOf(stmt: Statement): boolean {
  if (stmt.kind === 'select' || stmt.kind === 'compound') return true;
  if (stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') return stmt.returning.length > 0;
  return false;
}

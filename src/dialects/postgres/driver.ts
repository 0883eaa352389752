/**
 * node-postgres (`pg`) behind the driver contract: a pg.Pool with a size limit and an acquire
 * timeout, rows as arrays, exact int8/numeric/date values, and driver errors mapped to Relata's.
 * A connection that broke is destroyed on release, never handed out again; one released inside
 * a transaction is rolled back first, so no session inherits another's half-done work.
 */
import type pg from 'pg';
import {
  DataError,
  DatabaseError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  RelataError,
} from '../../sql/errors.js';
import type { Driver, DriverConnection, ExecuteOptions, PoolOptions, QueryResult } from '../dialect.js';

export const DEFAULT_POOL_MAX = 10;
/** SQLAlchemy's pool_timeout default: long enough for a busy pool, short enough that a leak is not a hang. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;

// Type OIDs whose default pg parsing loses information.
const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;

/** int8 (COUNT(*), BIGINT): a number when it is exact as one, else the decimal string; never a rounded float. */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** `timestamp without time zone` holds no zone; Relata writes UTC, so read it as UTC, not in the process's zone. */
function parseTimestampAsUtc(text: string): Date | string {
  // infinity and BC dates have no JS Date that means the same: leave them as text.
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text)) return text;
  return new Date(text.replace(' ', 'T') + 'Z');
}

/** A calendar date has no time zone: keep 'YYYY-MM-DD' (pg would make a local-midnight Date). */
function keepText(text: string): string {
  return text;
}

const TEXT_PARSERS = new Map<number, (text: string) => unknown>([
  [INT8, parseInt8],
  [DATE, keepText],
  [TIMESTAMP, parseTimestampAsUtc],
]);

/**
 * Names for the statements an application runs again and again, so PostgreSQL parses and plans each
 * once per connection instead of on every execution (asyncpg and SQLAlchemy's asyncpg dialect keep
 * such a cache too). A statement is named on its second execution, so one-off SQL never takes a slot;
 * once `capacity` statements are named, further ones run unnamed, as before. Names are never reused
 * for different SQL: pg refuses that, and the server keeps a name's plan until the connection ends.
 */
export class PreparedStatementNames {
  private readonly named = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  private counter = 0;

  constructor(readonly capacity: number) {}

  nameFor(sql: string): string | undefined {
    const name = this.named.get(sql);
    if (name !== undefined || this.named.size >= this.capacity) return name;
    if (!this.seenOnce.has(sql)) {
      // Bounded: an application generating endless distinct SQL must not grow this set forever.
      if (this.seenOnce.size >= 4 * this.capacity) this.seenOnce.clear();
      this.seenOnce.add(sql);
      return undefined;
    }
    this.seenOnce.delete(sql);
    const fresh = `relata_${++this.counter}`;
    this.named.set(sql, fresh);
    return fresh;
  }

  /** After the server rejected a stale plan: the SQL gets a new name (and a new Parse) next time. */
  forget(sql: string): void {
    this.named.delete(sql);
  }
}

/** 0A000 "cached plan must not change result type": a named statement outlived an ALTER TABLE. */
function isStalePlan(err: unknown): boolean {
  return (
    (err as PgErrorFields | null)?.code === '0A000' &&
    /cached plan must not change result type/.test(String((err as Error).message))
  );
}

export class PostgresConnection implements DriverConnection {
  private broken: Error | null = null;
  /** True between BEGIN and COMMIT/ROLLBACK: a connection released in this state is rolled back first. */
  inTransaction = false;
  private readonly onClientError = (err: Error): void => {
    // A checked-out client whose backend died (pg_terminate_backend, server restart) emits 'error'
    // between queries; without a listener Node would crash. Remember it: the next call fails fast.
    this.broken ??= err;
  };

  constructor(
    readonly client: pg.PoolClient,
    private readonly names: PreparedStatementNames | null = null,
  ) {
    client.on('error', this.onClientError);
  }

  get usable(): boolean {
    return this.broken === null;
  }

  /** The error that broke this connection, if one did. */
  get brokenBy(): Error | null {
    return this.broken;
  }

  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult> {
    const name = this.names?.nameFor(sql);
    let result: pg.QueryArrayResult<unknown[]>;
    try {
      result = await this.run(sql, params, name);
    } catch (err) {
      if (name === undefined || !isStalePlan((err as Error).cause)) throw err;
      this.names!.forget(sql);
      // Inside a transaction the error has already aborted it; outside, the statement simply runs again.
      if (this.inTransaction) throw err;
      result = await this.run(sql, params, undefined);
    }
    return {
      rows: result.rows,
      rowsAffected: result.rowCount ?? result.rows.length,
      columns: options.columnNames ? result.fields.map((f) => f.name) : undefined,
    };
  }

  private async run(sql: string, params: readonly unknown[], name?: string): Promise<pg.QueryArrayResult<unknown[]>> {
    if (this.broken) throw connectionLost(this.broken, 'earlier');
    try {
      return await this.client.query<unknown[]>({ text: sql, values: params as unknown[], rowMode: 'array', name });
    } catch (err) {
      if (isConnectionFailure(err)) {
        this.broken ??= err as Error;
        throw connectionLost(err as Error, 'now');
      }
      throw mapPostgresError(err);
    }
  }

  async begin(): Promise<void> {
    await this.run('BEGIN', []);
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    let result: pg.QueryArrayResult<unknown[]>;
    try {
      result = await this.run('COMMIT', []);
    } catch (err) {
      if (this.broken) {
        throw new OperationalError(
          'the connection to PostgreSQL was lost during COMMIT: the transaction may or may not have been committed',
          { cause: err },
        );
      }
      throw err;
    } finally {
      this.inTransaction = false;
    }
    // PostgreSQL answers COMMIT of a transaction aborted by an earlier error with ROLLBACK, not an error.
    // Reporting success here would be silent data loss.
    if (result.command === 'ROLLBACK') {
      throw new OperationalError(
        'COMMIT was refused: an earlier statement in this transaction failed, so PostgreSQL rolled it back; nothing was written',
      );
    }
  }

  async rollback(): Promise<void> {
    // The server rolls back on its own when the connection dies: nothing to send, and nothing to wait for.
    if (this.broken) {
      this.inTransaction = false;
      return;
    }
    try {
      await this.run('ROLLBACK', []);
    } finally {
      this.inTransaction = false;
    }
  }

  async savepoint(name: string): Promise<void> {
    await this.run(`SAVEPOINT ${quoteIdent(name)}`, []);
  }
  async releaseSavepoint(name: string): Promise<void> {
    await this.run(`RELEASE SAVEPOINT ${quoteIdent(name)}`, []);
  }
  async rollbackToSavepoint(name: string): Promise<void> {
    await this.run(`ROLLBACK TO SAVEPOINT ${quoteIdent(name)}`, []);
  }

  /** Hands the client back to pg.Pool (destroying it when broken). Called once, by the driver. */
  returnToPool(): void {
    this.client.removeListener('error', this.onClientError);
    this.client.release(this.broken ?? undefined);
  }

  /** Marks the connection broken, e.g. after a failed reset, so returnToPool() destroys it. */
  markBroken(err: Error): void {
    this.broken ??= err;
  }
}

export interface PostgresDriverConfig {
  /** A libpq-style URL (`postgresql://user:pass@host:5432/db?sslmode=require`), without Relata's own options. */
  readonly connectionString: string;
  /** The URL with its password hidden, for messages. */
  readonly displayUrl: string;
  /** How many distinct statements to keep prepared per connection; 0 turns naming off (e.g. behind PgBouncer in transaction mode before 1.21). */
  readonly preparedStatementCacheSize?: number;
}

/** asyncpg's default statement cache size. */
export const DEFAULT_PREPARED_STATEMENT_CACHE_SIZE = 100;

export class PostgresDriver implements Driver {
  private pool: Promise<pg.Pool> | undefined;
  private readonly resets = new Set<Promise<void>>();
  /** Checked-out connections, so close() can end them: pg.Pool.end() would wait for them forever. */
  private readonly active = new Set<PostgresConnection>();
  private readonly max: number;
  private readonly acquireTimeoutMs: number;
  private readonly names: PreparedStatementNames | null;

  constructor(
    private readonly config: PostgresDriverConfig,
    pool: PoolOptions = {},
  ) {
    const cacheSize = config.preparedStatementCacheSize ?? DEFAULT_PREPARED_STATEMENT_CACHE_SIZE;
    this.names = cacheSize > 0 ? new PreparedStatementNames(cacheSize) : null;
    this.max = pool.max ?? DEFAULT_POOL_MAX;
    this.acquireTimeoutMs = pool.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  }

  async acquire(): Promise<PostgresConnection> {
    this.pool ??= this.createPool();
    const pool = await this.pool;
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw this.acquireError(err);
    }
    const conn = new PostgresConnection(client, this.names);
    this.active.add(conn);
    return conn;
  }

  release(connection: DriverConnection): void {
    const conn = connection as PostgresConnection;
    if (!this.active.delete(conn)) return; // already ended by close()
    if (!conn.usable || !conn.inTransaction) {
      conn.returnToPool();
      return;
    }
    // Released mid-transaction (a session dropped without commit/rollback): roll back before anyone else
    // gets the connection, or its locks and half-written rows would leak into the next user's transaction.
    const reset = conn
      .rollback()
      .catch((err: unknown) => conn.markBroken(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        conn.returnToPool();
        this.resets.delete(reset);
      });
    this.resets.add(reset);
  }

  /**
   * Ends every connection. One still checked out (a session never committed, rolled back or closed) is
   * destroyed, which rolls its transaction back on the server; waiting for it could wait forever.
   */
  async close(): Promise<void> {
    for (const conn of this.active) {
      conn.markBroken(new Error('the database was closed while this connection was in use'));
      conn.returnToPool();
    }
    this.active.clear();
    await Promise.all(this.resets);
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).end();
  }

  private async createPool(): Promise<pg.Pool> {
    // Imported here, not at module load, so the core bundles for browsers without pg.
    const { default: pgModule } = await import('pg');
    const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
      (format !== 'binary' && TEXT_PARSERS.get(oid)) ||
      pgModule.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'];
    const pool = new pgModule.Pool({
      connectionString: this.config.connectionString,
      max: this.max,
      // pg-pool applies this both to waiting for a free client and to opening a new one.
      connectionTimeoutMillis: this.acquireTimeoutMs,
      // Idle clients must not keep a script alive after its work is done.
      allowExitOnIdle: true,
      types: { getTypeParser },
    });
    // An idle client whose server connection dies is removed by the pool, which then emits 'error';
    // unhandled, that would crash the process (node-postgres#2386). The next acquire opens a new one.
    pool.on('error', () => {});
    return pool;
  }

  private acquireError(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    if (/timeout exceeded when trying to connect/i.test(message)) {
      return new OperationalError(
        `timed out after ${this.acquireTimeoutMs} ms waiting for a PostgreSQL connection to ${this.config.displayUrl}: ` +
          `all ${this.max} pooled connections are in use (release them: commit, rollback or close sessions; or raise pool.max), ` +
          `or the server did not answer`,
        { cause: err },
      );
    }
    const mapped = mapPostgresError(err);
    if (mapped instanceof RelataError) {
      mapped.message = `cannot connect to PostgreSQL at ${this.config.displayUrl}: ${mapped.message}`;
      return mapped;
    }
    return new OperationalError(`cannot connect to PostgreSQL at ${this.config.displayUrl}: ${message}`, {
      cause: err,
    });
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface PgErrorFields {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** SQLSTATE classes and messages that mean the connection itself is gone. */
function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as PgErrorFields).code ?? '';
  if (/^(08|57P0[123])/.test(code)) return true; // connection exception; admin shutdown / crash shutdown
  if (/^E[A-Z]+$/.test(code)) return true; // socket errors: ECONNRESET, EPIPE…
  return !code && /Connection terminated|not queryable|connection error|Client was closed/i.test(err.message);
}

function connectionLost(err: Error, when: 'now' | 'earlier'): OperationalError {
  const what =
    when === 'now'
      ? `the connection to PostgreSQL was lost (${err.message})`
      : `this connection to PostgreSQL was lost earlier (${err.message})`;
  return new OperationalError(
    `${what}; its transaction is gone: roll back (session.rollback()) and retry on a new connection`,
    {
      cause: err,
    },
  );
}

/** Maps a pg error (SQLSTATE in `code`, plus `constraint`, `table`, `column`) to Relata's error classes. */
export function mapPostgresError(err: unknown): Error {
  if (err instanceof RelataError) return err;
  if (!(err instanceof Error)) return new OperationalError(String(err));
  const e = err as Error & PgErrorFields;
  const code = e.code ?? '';
  let mapped: DatabaseError;
  if (code.startsWith('23')) {
    // 23505 unique, 23503 foreign key, 23502 not null, 23514 check: pg reports the constraint and table by name.
    const where = e.table && !e.message.includes(`"${e.table}"`) ? ` on table "${e.table}"` : '';
    mapped = new IntegrityError(e.message + where, { cause: err });
    if (e.constraint) mapped.constraint = e.constraint;
    else if (code === '23502' && e.column) mapped.constraint = e.table ? `${e.table}.${e.column}` : e.column;
  } else if (code === '42P01') {
    mapped = new OperationalError(`${e.message} (were the tables created? await db.createAll())`, { cause: err });
    const m = /relation "([^"]+)" does not exist/.exec(e.message);
    if (m) mapped.table = m[1];
  } else if (code.startsWith('42')) {
    mapped = new ProgrammingError(e.message, { cause: err });
  } else if (code.startsWith('22')) {
    mapped = new DataError(e.message, { cause: err });
  } else {
    // 40001/40P01 (serialization failure, deadlock), 57014 (statement timeout), 25P02, 53xxx, 08xxx…
    mapped = new OperationalError(code ? `${e.message} (SQLSTATE ${code})` : e.message, { cause: err });
  }
  if (e.table) mapped.table = e.table;
  return mapped;
}

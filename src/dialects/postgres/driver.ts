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
import {
  isolationLevelSql,
  type BeginOptions,
  type CursorOptions,
  type Driver,
  type DriverConnection,
  type ExecuteOptions,
  type PoolOptions,
  type QueryResult,
  type RowCursor,
} from '../dialect.js';
import { commitOutcomeUnknown, connectionLost } from '../lost.js';
import { loadDriver } from '../load-driver.js';
import { PostgresCursor } from './cursor.js';

export const DEFAULT_POOL_MAX = 10;
/** SQLAlchemy's pool_timeout default: long enough for a busy pool, short enough that a leak is not a hang. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;

// Type OIDs whose default pg parsing loses information.
const INT8 = 20;
const NUMERIC_ARRAY = 1231;
const TEXT_ARRAY = 1009;
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
 * such a cache too): about 20 % of a primary-key lookup on a direct connection. A statement is named
 * on its second execution, so one-off SQL never takes a slot; once `capacity` statements are named,
 * further ones run unnamed.
 *
 * A name is this process's tag and a hash of the SQL, and one name is only ever given to one text:
 * two processes, or two Databases, can never run each other's statements under one name. Names are
 * only used on a connection verified to be a PostgreSQL backend of its own (see isDirect): behind a
 * transaction-mode pooler (PgBouncer) a name prepared in one transaction may be missing, or another
 * client's, in the next, so there every statement is unnamed.
 */
export class PreparedStatementNames {
  private readonly named = new Map<string, string>();
  private readonly seenOnce = new Set<string>();
  /** How many times a statement's plan went stale: its next name must be new (pg remembers the old one as prepared). */
  private readonly generations = new Map<string, number>();

  /** Bumped when a type is created, altered or dropped: every name given before is retired. */
  private epoch = 0;

  constructor(readonly capacity: number) {}

  /**
   * After DDL on a type (an enum dropped and made again by dropAll/createAll): a prepared statement
   * keeps its parameters' type OIDs, so one naming the old type fails with "cache lookup failed for
   * type", even inside a transaction where it cannot be retried. New names on every connection
   * make each statement parse again. (The old ones stay prepared until their connection closes.)
   */
  retireAll(): void {
    this.named.clear();
    this.seenOnce.clear();
    this.epoch++;
  }

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
    const fresh = statementName(sql, this.generations.get(sql) ?? 0, this.epoch);
    if (fresh === undefined) return undefined;
    this.named.set(sql, fresh);
    return fresh;
  }

  /**
   * After the server rejected a stale plan: the SQL gets a new name, hence a new Parse, next time.
   * (The same name again would not do: pg skips the Parse of a name it prepared on that connection.)
   */
  forget(sql: string): void {
    this.named.delete(sql);
    this.generations.set(sql, (this.generations.get(sql) ?? 0) + 1);
  }
}

/** This process's part of every statement name: random, so no other process's names can equal ours. */
const PROCESS_TAG = Math.floor(Math.random() * 36 ** 6)
  .toString(36)
  .padStart(6, '0');
/** Every name this process gave, with its SQL: a hash collision gets no name rather than a shared one. */
const namesGiven = new Map<string, string>();

function statementName(sql: string, generation: number, epoch: number): string | undefined {
  const name = `relata_${PROCESS_TAG}_${hash53(sql).toString(36)}${generation ? `_${generation}` : ''}${epoch ? `_e${epoch}` : ''}`;
  const owner = namesGiven.get(name);
  if (owner === undefined) namesGiven.set(name, sql);
  else if (owner !== sql) return undefined;
  return name;
}

/** cyrb53: a fast 53-bit string hash (not cryptographic; collisions are refused above). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Whether statement names are safe on this client: true when it talks to one PostgreSQL backend for
 * its whole life. PostgreSQL tells a client its backend's process id at connect (BackendKeyData);
 * a pooler (PgBouncer, pgcat, Odyssey, Supavisor) hands out a made-up one, since the backend changes
 * under it. So the id must equal what pg_backend_pid() answers. Asked once per physical connection.
 */
const directClients = new WeakMap<pg.ClientBase, Promise<boolean>>();

function isDirect(client: pg.PoolClient): Promise<boolean> {
  let direct = directClients.get(client);
  if (!direct) {
    const announced = (client as unknown as { processID: number | null }).processID;
    direct = client.query<[number]>({ text: 'SELECT pg_backend_pid()', rowMode: 'array' }).then(
      (r) => announced !== null && r.rows[0]?.[0] === announced,
      () => false,
    );
    directClients.set(client, direct);
  }
  return direct;
}

/** 0A000 "cached plan must not change result type": a named statement outlived an ALTER TABLE. */
function isStalePlan(err: unknown): boolean {
  return (
    (err as PgErrorFields | null)?.code === '0A000' &&
    /cached plan must not change result type/.test(String((err as Error).message))
  );
}

/** 26000 "prepared statement does not exist", 42P05 "already exists": the backend is not the one the name was prepared on. */
function isLostName(err: unknown): boolean {
  const code = (err as PgErrorFields | null)?.code;
  return code === '26000' || code === '42P05';
}

/** DDL that can change a type's OID under prepared statements: CREATE/ALTER/DROP TYPE, and DO blocks (createAll's enums). */
const TYPE_DDL = /^\s*(?:(?:CREATE|ALTER|DROP)\s+TYPE\b|DO\b)/i;

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
    let name = this.names?.nameFor(sql);
    if (name !== undefined && !(await isDirect(this.client))) name = undefined;
    let result: pg.QueryArrayResult<unknown[]>;
    try {
      result = await this.run(sql, params, name, options.returnsRows);
    } catch (err) {
      const cause = (err as Error).cause;
      if (name === undefined || !(isStalePlan(cause) || isLostName(cause))) throw err;
      // The named statement is gone or stale on this backend (an ALTER TABLE; DISCARD ALL; a pooler):
      // stop naming on this connection. Inside a transaction the error has already aborted it;
      // outside, the statement simply runs again, unnamed.
      if (isLostName(cause)) directClients.set(this.client, Promise.resolve(false));
      else this.names!.forget(sql);
      if (this.inTransaction) throw err;
      result = await this.run(sql, params, undefined, options.returnsRows);
    }
    if (TYPE_DDL.test(sql)) this.names?.retireAll();
    // Several statements in one text without parameters (a migration's SQL file) all ran, and pg
    // returns one result each: report the last one's rows, as psql shows, and every statement's count.
    const all = result as unknown as pg.QueryArrayResult<unknown[]> | pg.QueryArrayResult<unknown[]>[];
    const results = Array.isArray(all) ? all : [all];
    const last = results[results.length - 1] ?? result;
    return {
      rows: last.rows,
      rowsAffected: results.reduce((n, r) => n + (r.rowCount ?? r.rows.length), 0),
      columns: options.columnNames ? last.fields.map((f) => f.name) : undefined,
    };
  }

  /** A server-side cursor over `sql` (see cursor.ts); the engine has begun the transaction it needs. */
  openCursor(sql: string, params: readonly unknown[], options: CursorOptions): Promise<RowCursor> {
    return PostgresCursor.open(this, `relata_cursor_${++this.cursors}`, sql, params, options.batchSize);
  }

  readonly cursorNeedsTransaction = true;
  private cursors = 0;

  /** @internal A cursor's DECLARE, FETCH or CLOSE: run as execute() runs a statement, never named. */
  async cursorStatement(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return (await this.run(sql, params)).rows;
  }

  private async run(
    sql: string,
    params: readonly unknown[],
    name?: string,
    reads = true,
  ): Promise<pg.QueryArrayResult<unknown[]>> {
    if (this.broken)
      throw connectionLost('PostgreSQL', this.broken, 'earlier', this.inTransaction, codesOf(this.broken));
    try {
      return await this.client.query<unknown[]>({ text: sql, values: params as unknown[], rowMode: 'array', name });
    } catch (err) {
      if (isConnectionFailure(err)) {
        this.broken ??= err as Error;
        // A write outside a transaction commits by itself: lost in flight, nobody knows whether it did.
        if (!this.inTransaction && !reads) throw commitOutcomeUnknown('PostgreSQL', err, codesOf(err as Error));
        throw connectionLost('PostgreSQL', err as Error, 'now', this.inTransaction, codesOf(err as Error));
      }
      if (!isServerError(err)) {
        // An error raised in the client (a value it could not serialize, a protocol surprise) may leave
        // the connection mid-message: never hand it out again.
        this.broken ??= err as Error;
      }
      throw mapPostgresError(err);
    }
  }

  beginStatements(options: BeginOptions = {}): readonly string[] {
    let sql = 'BEGIN';
    if (options.isolation) sql += ` ISOLATION LEVEL ${isolationLevelSql(options.isolation)}`;
    if (options.readOnly) sql += ' READ ONLY';
    return [sql];
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.inTransaction) throw new ProgrammingError('this PostgreSQL connection is already in a transaction');
    await this.run(this.beginStatements(options)[0]!, []);
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    // Lost before COMMIT was sent: the server has rolled back, and saying so is exact.
    if (this.broken) {
      this.inTransaction = false;
      throw connectionLost('PostgreSQL', this.broken, 'earlier', true, codesOf(this.broken));
    }
    let result: pg.QueryArrayResult<unknown[]>;
    try {
      result = await this.run('COMMIT', []);
    } catch (err) {
      if (this.broken) throw commitOutcomeUnknown('PostgreSQL', err, codesOf(err as Error));
      throw err;
    } finally {
      this.inTransaction = false;
    }
    // PostgreSQL answers COMMIT of a transaction aborted by an earlier error with ROLLBACK, not an error.
    // Reporting success here would be silent data loss.
    if (result.command === 'ROLLBACK') {
      throw new OperationalError(
        'COMMIT was refused: an earlier statement in this transaction failed, so PostgreSQL rolled it back; nothing was written',
        { sqlState: '25P02', driverCode: '25P02' },
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
    // A pool that never came to be (its driver missing or broken) has nothing to end; its error was
    // raised to whoever asked for a connection.
    const created = await pool?.catch(() => undefined);
    await created?.end();
  }

  private async createPool(): Promise<pg.Pool> {
    // Imported here, not at module load: pg is an optional peer dependency, and the core bundles for
    // browsers without it.
    const { default: pgModule } = (await loadDriver({
      packageName: 'pg',
      dialect: 'PostgreSQL',
      database: this.config.displayUrl,
    })) as { default: typeof pg };
    const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
      (format !== 'binary' && TEXT_PARSERS.get(oid)) ||
      // pg reads numeric[] as floats, rounding them: read its elements as the exact text they are.
      pgModule.types.getTypeParser(
        format !== 'binary' && oid === NUMERIC_ARRAY ? TEXT_ARRAY : oid,
        format,
      )) as pg.CustomTypesConfig['getTypeParser'];
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
    mapped.message = `cannot connect to PostgreSQL at ${this.config.displayUrl}: ${mapped.message}`;
    // Refused or reset before any transaction began: trying again later is safe.
    if (mapped instanceof DatabaseError && isConnectionFailure(err)) mapped.retryable = true;
    return mapped;
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

/**
 * SQLSTATE classes and messages that mean the connection itself is gone. Not 08P01 (protocol
 * violation) as the answer to a statement: the server refused that one message (a Bind with more than
 * 65,535 parameters) and waits for the next, so the connection is fine. Had it closed the
 * connection too, the client's 'error' event marks it broken (see PostgresConnection).
 */
function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as PgErrorFields).code ?? '';
  if (code === PROTOCOL_VIOLATION && isServerError(err)) return false;
  if (/^(08|57P0[123])/.test(code)) return true; // connection exception; admin shutdown / crash shutdown
  if (/^E[A-Z]+$/.test(code)) return true; // socket errors: ECONNRESET, EPIPE…
  return !code && /Connection terminated|not queryable|connection error|Client was closed/i.test(err.message);
}

/** An error PostgreSQL itself reported (it carries a SQLSTATE); anything else was raised in the client. */
function isServerError(err: unknown): boolean {
  return err instanceof Error && /^[0-9A-Z]{5}$/.test((err as PgErrorFields).code ?? '') && 'severity' in err;
}

const PROTOCOL_VIOLATION = '08P01';

/** SQLSTATEs after which re-running the whole transaction may succeed. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

function codesOf(err: Error): { sqlState?: string; driverCode?: string } {
  const code = (err as PgErrorFields).code;
  if (!code) return {};
  return /^E[A-Z]+$/.test(code) ? { driverCode: code } : { sqlState: code, driverCode: code };
}

/** Maps a pg error (SQLSTATE in `code`, plus `constraint`, `table`, `column`) to Relata's error classes. */
export function mapPostgresError(err: unknown): Error {
  if (err instanceof RelataError) return err;
  if (!(err instanceof Error)) return new OperationalError(String(err));
  const e = err as Error & PgErrorFields;
  const code = e.code ?? '';
  const details = { cause: err, ...codesOf(e), retryable: RETRYABLE_SQLSTATES.has(code) };
  let mapped: DatabaseError;
  if (code.startsWith('23')) {
    // 23505 unique, 23503 foreign key, 23502 not null, 23514 check: pg reports the constraint and table by name.
    const where = e.table && !e.message.includes(`"${e.table}"`) ? ` on table "${e.table}"` : '';
    mapped = new IntegrityError(e.message + where, details);
    if (e.constraint) mapped.constraint = e.constraint;
    else if (code === '23502' && e.column) mapped.constraint = e.table ? `${e.table}.${e.column}` : e.column;
  } else if (code === '42P01') {
    mapped = new OperationalError(`${e.message} (were the tables created? await db.createAll())`, details);
    const m = /relation "([^"]+)" does not exist/.exec(e.message);
    if (m) mapped.table = m[1];
  } else if (code.startsWith('42')) {
    mapped = new ProgrammingError(e.message, details);
  } else if (code === PROTOCOL_VIOLATION) {
    mapped = new ProgrammingError(
      `${e.message} (SQLSTATE 08P01, protocol violation: PostgreSQL refused the statement as the driver sent it)`,
      details,
    );
  } else if (code.startsWith('22')) {
    mapped = new DataError(e.message, details);
  } else {
    // 40001/40P01 (serialization failure, deadlock), 57014 (statement timeout), 25P02, 53xxx, 08xxx…
    mapped = new OperationalError(code ? `${e.message} (SQLSTATE ${code})` : e.message, details);
  }
  if (e.table) mapped.table = e.table;
  return mapped;
}

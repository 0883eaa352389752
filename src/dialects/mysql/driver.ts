/**
 * mysql2 behind the driver contract, for MySQL and MariaDB: a pool with a size limit and an absolute
 * acquire deadline (mysql2 has none of its own), rows as arrays, statements with values as server-side
 * prepared statements (never client-side formatting), sessions in UTC, driver errors mapped to Relata's.
 * A broken connection is destroyed, never reused; one released mid-transaction is rolled back first.
 */
import type {
  FieldPacket,
  Pool,
  PoolConnection,
  PoolOptions as Mysql2PoolOptions,
  ResultSetHeader,
} from 'mysql2/promise';
import type * as Mysql2 from 'mysql2/promise';
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
import { MysqlCursor, type StreamingConnection } from './cursor.js';
import type { MysqlServerInfo } from './compiler.js';

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;
/**
 * Prepared statements kept per connection. The server caps them globally (max_prepared_stmt_count,
 * 16382 by default) across all clients, so mysql2's default of 16000 per connection would let one
 * pool exhaust it. Least recently used ones are closed.
 */
const PREPARED_STATEMENTS_PER_CONNECTION = 256;

/**
 * Added to the server's sql_mode on every connection (MariaDB 10.2+ and MySQL 5.7+ know each):
 * strict for every table, not only transactional ones; no '0000-00-00' nor '2024-00-10' dates
 * (they would read back as null); division by zero an error, not NULL.
 */
const SESSION_SQL_MODE =
  'STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO';

/** A SELECT (or WITH … SELECT): always preparable, and read exactly only through the binary protocol. */
const READS_ROWS = /^\s*(?:SELECT|WITH)\b/i;

/** The core (callback) connection under a promise PoolConnection: the one that emits 'error'. */
type CoreConnection = PoolConnection['connection'];

/** Errors that ended a connection, by its core connection (set by the listener attached at setup). */
const lostConnections = new WeakMap<CoreConnection, Error>();
/** Connections already set up (time zone, strict mode, server version), by core connection. */
const initialised = new WeakMap<CoreConnection, Promise<void>>();
/** @@auto_increment_increment per connection (not 1 on Galera / multi-primary setups). */
const autoIncrementSteps = new WeakMap<CoreConnection, number>();

export class MysqlConnection implements DriverConnection {
  /** True between BEGIN and COMMIT/ROLLBACK: a connection released in this state is rolled back first. */
  inTransaction = false;
  private failure: Error | null = null;

  constructor(readonly conn: PoolConnection) {}

  get usable(): boolean {
    return this.brokenBy === null;
  }

  get brokenBy(): Error | null {
    return this.failure ?? lostConnections.get(this.conn.connection) ?? null;
  }

  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<QueryResult> {
    const [result, fields] = await this.run(sql, params, options.returnsRows);
    if (Array.isArray(result)) {
      return {
        rows: result as unknown[][],
        rowsAffected: result.length,
        columns: options.columnNames ? (fields ?? []).map((f) => f.name) : undefined,
      };
    }
    const header = result as ResultSetHeader;
    // With supportBigNumbers an id past 2^53 arrives as a string: keep it exact.
    let id = header.insertId as number | string;
    // The unit of work numbers a multi-row INSERT's keys from the first one, one apart. With another step
    // that would assign wrong keys silently: report none, so the flush fails loudly instead.
    if (header.affectedRows > 1 && (autoIncrementSteps.get(this.conn.connection) ?? 1) !== 1) id = 0;
    return {
      rows: [],
      // affectedRows counts matched rows, not changed ones: mysql2 sets CLIENT_FOUND_ROWS, so an UPDATE that
      // writes the same values still reports its row (the unit of work relies on it to detect lost rows).
      rowsAffected: header.affectedRows,
      insertId: id ? (typeof id === 'string' ? BigInt(id) : id) : undefined,
    };
  }

  /** Streams the rows of a SELECT, always prepared as execute() prepares it (see cursor.ts). */
  async openCursor(sql: string, params: readonly unknown[], options: CursorOptions): Promise<RowCursor> {
    const lost = this.brokenBy;
    if (lost) throw connectionLost('MySQL', lost, 'earlier', this.inTransaction, codesOf(lost));
    const core = this.conn.connection as unknown as StreamingConnection;
    return MysqlCursor.open(core, sql, params, options.batchSize, (err) => {
      if (isConnectionFailure(err)) {
        this.failure ??= err;
        return connectionLost('MySQL', err, 'now', this.inTransaction, codesOf(err));
      }
      if (!isServerError(err)) this.failure ??= err;
      return mapMysqlError(err, sql);
    });
  }

  private async run(
    sql: string,
    params: readonly unknown[],
    reads = true,
  ): Promise<[unknown, FieldPacket[] | undefined]> {
    const lost = this.brokenBy;
    if (lost) throw connectionLost('MySQL', lost, 'earlier', this.inTransaction, codesOf(lost));
    try {
      // Values always travel as prepared-statement parameters; statements without any (DDL, SAVEPOINT,
      // which MySQL refuses to prepare) use the text protocol, where nothing is interpolated either.
      // A SELECT is always prepared: the text protocol prints a DOUBLE with 15 digits, which rounds it.
      const [result, fields] =
        params.length || READS_ROWS.test(sql)
          ? await this.conn.execute(sql, params as unknown[])
          : await this.conn.query(sql);
      return [result, fields];
    } catch (err) {
      if (isConnectionFailure(err)) {
        this.failure ??= err as Error;
        // A write outside a transaction commits by itself: lost in flight, nobody knows whether it did.
        if (!this.inTransaction && !reads) throw commitOutcomeUnknown('MySQL', err, codesOf(err as Error));
        throw connectionLost('MySQL', err as Error, 'now', this.inTransaction, codesOf(err as Error));
      }
      if (!isServerError(err)) {
        // Raised in the client, e.g. while encoding a parameter it cannot (a boxed Number): the packet
        // may be half-written, and the next query on this connection would wait forever. Destroy it.
        this.failure ??= err as Error;
      }
      throw mapMysqlError(err, sql);
    }
  }

  /** SET TRANSACTION for the isolation level (it applies to the next transaction only), then START TRANSACTION. */
  beginStatements(options: BeginOptions = {}): readonly string[] {
    const start = options.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION';
    if (!options.isolation) return [start];
    return [`SET TRANSACTION ISOLATION LEVEL ${isolationLevelSql(options.isolation)}`, start];
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.inTransaction) throw new ProgrammingError('this MySQL connection is already in a transaction');
    for (const sql of this.beginStatements(options)) await this.run(sql, []);
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    // Lost before COMMIT was sent: the server has rolled back, and saying so is exact.
    const lost = this.brokenBy;
    if (lost) {
      this.inTransaction = false;
      throw connectionLost('MySQL', lost, 'earlier', true, codesOf(lost));
    }
    try {
      await this.run('COMMIT', []);
    } catch (err) {
      if (this.brokenBy) throw commitOutcomeUnknown('MySQL', err, codesOf(err as Error));
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  async rollback(): Promise<void> {
    // The server rolls back on its own when the connection dies: nothing to send.
    if (this.brokenBy) {
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

  markBroken(err: Error): void {
    this.failure ??= err;
  }

  /** Hands the connection back to the pool, or destroys it when broken. Called once, by the driver. */
  returnToPool(): void {
    if (this.usable) this.conn.release();
    else this.conn.destroy();
  }
}

export interface MysqlDriverConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly ssl?: Mysql2PoolOptions['ssl'];
  /** The URL with its password hidden, for messages. */
  readonly displayUrl: string;
  /** Told the server's flavor and version on the first connection, before any statement runs on it. */
  readonly onServerInfo: (info: MysqlServerInfo) => void;
}

export class MysqlDriver implements Driver {
  private pool: Promise<Pool> | undefined;
  private readonly resets = new Set<Promise<void>>();
  private readonly max: number;
  private readonly acquireTimeoutMs: number;

  constructor(
    private readonly config: MysqlDriverConfig,
    pool: PoolOptions = {},
  ) {
    this.max = pool.max ?? DEFAULT_POOL_MAX;
    this.acquireTimeoutMs = pool.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  }

  async acquire(): Promise<MysqlConnection> {
    const deadline = Date.now() + this.acquireTimeoutMs;
    this.pool ??= this.createPool();
    const pool = await this.pool;
    let conn: PoolConnection;
    try {
      conn = await this.connectionBefore(pool, deadline);
    } catch (err) {
      throw err instanceof RelataError ? err : this.connectError(err);
    }
    try {
      await this.setUp(conn);
    } catch (err) {
      conn.destroy();
      throw err instanceof RelataError ? err : this.connectError(err);
    }
    return new MysqlConnection(conn);
  }

  /** pool.getConnection() with an absolute deadline; a connection that arrives after it goes straight back. */
  private connectionBefore(pool: Pool, deadline: number): Promise<PoolConnection> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(
        () => {
          timedOut = true;
          reject(
            new OperationalError(
              `timed out after ${this.acquireTimeoutMs} ms waiting for a MySQL connection to ${this.config.displayUrl}: ` +
                `all ${this.max} pooled connections are in use (release them: commit, rollback or close sessions; or raise pool.max), ` +
                `or the server did not answer`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      pool.getConnection().then(
        (conn) => {
          clearTimeout(timer);
          if (timedOut) conn.release();
          else resolve(conn);
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (!timedOut) reject(err);
        },
      );
    });
  }

  /** Once per physical connection: UTC session, strict mode, and which server this is. */
  private setUp(conn: PoolConnection): Promise<void> {
    const core = conn.connection;
    let ready = initialised.get(core);
    if (!ready) {
      // Outlives any one checkout, so a connection that dies while idle in the pool cannot crash the process.
      core.on('error', (err: Error) => {
        if (!lostConnections.has(core)) lostConnections.set(core, err);
      });
      ready = (async () => {
        // DATETIME values are UTC by convention, so NOW() and TIMESTAMP columns must be too. SESSION_SQL_MODE
        // makes a bad value an error instead of a silent truncation, zero date or NULL.
        await conn.query(`SET time_zone = '+00:00', sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), ?)`, [
          SESSION_SQL_MODE,
        ]);
        const [rows] = await conn.query('SELECT VERSION(), @@SESSION.auto_increment_increment');
        const row = (rows as unknown[][])[0] ?? [];
        autoIncrementSteps.set(core, Number(row[1] ?? 1));
        this.config.onServerInfo(parseServerVersion(String(row[0] ?? '')));
      })();
      initialised.set(core, ready);
    }
    return ready;
  }

  release(connection: DriverConnection): void {
    const conn = connection as MysqlConnection;
    if (!conn.usable || !conn.inTransaction) {
      conn.returnToPool();
      return;
    }
    // Released mid-transaction: roll back before the pool hands the connection to someone else.
    const reset = conn
      .rollback()
      .catch((err: unknown) => conn.markBroken(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        conn.returnToPool();
        this.resets.delete(reset);
      });
    this.resets.add(reset);
  }

  async close(): Promise<void> {
    await Promise.all(this.resets);
    const pool = this.pool;
    this.pool = undefined;
    // A pool that never came to be (its driver missing or broken) has nothing to end; its error was
    // raised to whoever asked for a connection.
    const created = await pool?.catch(() => undefined);
    await created?.end();
  }

  private async createPool(): Promise<Pool> {
    // Imported here, not at module load: mysql2 is an optional peer dependency, and the core bundles for
    // browsers without it.
    const mysql = (await loadDriver({
      packageName: 'mysql2',
      specifier: 'mysql2/promise',
      dialect: 'MySQL',
      database: this.config.displayUrl,
    })) as typeof Mysql2;
    const { host, port, user, password, database, ssl } = this.config;
    return mysql.createPool({
      host,
      port,
      user,
      password,
      database,
      ssl,
      connectionLimit: this.max,
      waitForConnections: true,
      queueLimit: 0,
      connectTimeout: this.acquireTimeoutMs,
      maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION,
      charset: 'utf8mb4_unicode_ci',
      rowsAsArray: true,
      // Exact values: BIGINT as a number only while exact (else a string), DECIMAL as a string,
      // DATETIME/DATE and JSON as text that the dialect's processors read (DATETIME as UTC).
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
      timezone: 'Z',
      multipleStatements: false,
    });
  }

  private connectError(err: unknown): Error {
    const mapped = mapMysqlError(err);
    mapped.message = `cannot connect to MySQL at ${this.config.displayUrl}: ${mapped.message}`;
    // Refused or reset before any transaction began: trying again later is safe.
    if (isConnectionFailure(err) || /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH)$/.test(mapped.driverCode ?? '')) {
      mapped.retryable = true;
    }
    return mapped;
  }
}

/** '10.11.19-MariaDB-0+deb12u1' → mariadb 10.11.19; '8.0.36' → mysql 8.0.36 (TiDB reports '8.0.11-TiDB-…'). */
export function parseServerVersion(version: string): MysqlServerInfo {
  // MariaDB 10 behind some proxies reports '5.5.5-10.11.19-MariaDB': the real version follows the prefix.
  const v = version.replace(/^5\.5\.5-/, '');
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  const num = (i: number) => Number(m?.[i] ?? 0);
  return { flavor: /mariadb/i.test(v) ? 'mariadb' : 'mysql', version: [num(1), num(2), num(3)] };
}

function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

interface MysqlErrorFields {
  errno?: number;
  code?: string;
  fatal?: boolean;
  sqlMessage?: string;
  sqlState?: string;
}

// Client-side error numbers (CR_*) and server ones that mean the session is gone.
const CONNECTION_ERRNOS = new Set([
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
]);

function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as MysqlErrorFields;
  if (e.fatal) return true;
  if (e.errno !== undefined && CONNECTION_ERRNOS.has(e.errno)) return true;
  return (
    /^(PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code ?? '') ||
    /connection is in closed state/i.test(err.message)
  );
}

/** An error the server sent (it carries the server's message); anything else was raised in the client. */
function isServerError(err: unknown): boolean {
  return typeof (err as MysqlErrorFields | null)?.sqlMessage === 'string';
}

/**
 * Errors after which re-running the whole transaction may succeed: deadlock (1213, also Galera's
 * certification failure), lock wait timeout (1205), Galera node not ready (1047 WSREP_NOT_READY), and
 * MariaDB's "Record has changed since last read" (1020, a write conflict under
 * innodb_snapshot_isolation, on by default from 11.6.2).
 */
const RETRYABLE_ERRNOS = new Set([1213, 1205, 1047, 1020]);

function codesOf(err: Error): { sqlState?: string; errno?: number; driverCode?: string } {
  const e = err as MysqlErrorFields;
  return { sqlState: e.sqlState, errno: e.errno, driverCode: e.code };
}

/** The table an INSERT/UPDATE/DELETE writes to, for messages that do not name it. */
function tableOf(sql: string | undefined): string | undefined {
  const m = sql && /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+`((?:[^`]|``)+)`/i.exec(sql);
  return m ? m[1]!.replace(/``/g, '`') : undefined;
}

/**
 * Maps a mysql2 error to Relata's classes. MySQL names the constraint only in its message:
 * "Duplicate entry 'x' for key 'uq_user_name'" (MySQL 8: 'user.uq_user_name'),
 * "… a foreign key constraint fails (`db`.`post`, CONSTRAINT `fk_…` FOREIGN KEY …)".
 * Where the message names no table, the statement's own table is used (`sql`).
 */
export function mapMysqlError(err: unknown, sql?: string): DatabaseError {
  if (err instanceof DatabaseError) return err;
  if (!(err instanceof Error)) return new OperationalError(String(err));
  const e = err as Error & MysqlErrorFields;
  const errno = e.errno ?? 0;
  const message = e.sqlMessage ?? e.message;
  const details = { cause: err, ...codesOf(e), retryable: RETRYABLE_ERRNOS.has(errno) };
  let mapped: DatabaseError;
  let m: RegExpExecArray | null;
  switch (errno) {
    case 1062: // ER_DUP_ENTRY
    case 1586: // ER_DUP_ENTRY_WITH_KEY_NAME
      mapped = new IntegrityError(message, details);
      m = /for key '(?:([^'.]+)\.)?([^']+)'/.exec(message);
      mapped.table = m?.[1] ?? tableOf(sql);
      // MySQL calls every primary key PRIMARY; name it as the other dialects do (pk_<table>).
      if (m) mapped.constraint = m[2] === 'PRIMARY' && mapped.table ? `pk_${mapped.table}` : m[2];
      break;
    case 1451: // ER_ROW_IS_REFERENCED_2
    case 1452: // ER_NO_REFERENCED_ROW_2
    case 1216:
    case 1217:
      mapped = new IntegrityError(message, details);
      m = /\(`[^`]*`\.`([^`]+)`, CONSTRAINT `([^`]+)`/.exec(message);
      if (m) {
        mapped.table = m[1];
        mapped.constraint = m[2];
      }
      break;
    case 1048: // ER_BAD_NULL_ERROR: "Column 'x' cannot be null"
    case 1364: // ER_NO_DEFAULT_FOR_FIELD: "Field 'x' doesn't have a default value"
      mapped = new IntegrityError(message, details);
      m = /(?:Column|Field) '([^']+)'/.exec(message);
      mapped.table = tableOf(sql);
      // As SQLite and PostgreSQL report it: <table>.<column>.
      if (m) mapped.constraint = mapped.table ? `${mapped.table}.${m[1]}` : m[1];
      break;
    case 3819: // ER_CHECK_CONSTRAINT_VIOLATED (MySQL): "Check constraint 'c' is violated."
    case 4025: // ER_CONSTRAINT_FAILED (MariaDB): "CONSTRAINT `c` failed for `db`.`t`"
      mapped = new IntegrityError(message, details);
      m = /constraint [`']([^`']+)[`']/i.exec(message);
      if (m) mapped.constraint = m[1];
      m = /for `[^`]*`\.`([^`]+)`/.exec(message);
      if (m) mapped.table = m[1];
      break;
    case 1146: // ER_NO_SUCH_TABLE: "Table 'db.t' doesn't exist"
      mapped = new OperationalError(`${message} (were the tables created? await db.createAll())`, details);
      m = /Table '(?:[^'.]*\.)?([^']+)' doesn't exist/.exec(message);
      if (m) mapped.table = m[1];
      break;
    case 1054: // ER_BAD_FIELD_ERROR
    case 1064: // ER_PARSE_ERROR
    case 1149: // ER_SYNTAX_ERROR
      mapped = new ProgrammingError(message, details);
      break;
    case 1264: // ER_WARN_DATA_OUT_OF_RANGE
    case 1406: // ER_DATA_TOO_LONG
    case 1366: // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case 1292: // ER_TRUNCATED_WRONG_VALUE
    case 1265: // WARN_DATA_TRUNCATED
    case 1690: // ER_DATA_OUT_OF_RANGE
    case 3140: // ER_INVALID_JSON_TEXT
    case 1365: // ER_DIVISION_BY_ZERO (an error under ERROR_FOR_DIVISION_BY_ZERO, see SESSION_SQL_MODE)
      mapped = new DataError(message, details);
      break;
    default:
      // 1213 deadlock, 1205 lock wait timeout, 1040 too many connections, 1045 access denied, 1049 unknown database…
      mapped = /^ER_(PARSE|SYNTAX|WRONG|BAD)_/.test(e.code ?? '')
        ? new ProgrammingError(message, details)
        : new OperationalError(e.code ? `${message} (${e.code})` : message, details);
  }
  return mapped;
}

/**
 * Every error Relata raises. Each has a stable `code` (used in docs/errors.md) and a message
 * that names the model, column or relationship at fault and says what to do.
 *
 * @example
 * ```ts
 * import { RelataError } from 'relata';
 *
 * try {
 *   await User.query.filterBy({ username: 'alice' }).one();
 * } catch (err) {
 *   if (!(err instanceof RelataError)) throw err;
 *   console.error(err.code, err.message); // 'no-result', naming the model
 * }
 * ```
 */
export class RelataError extends Error {
  /** A stable code for the kind of error ('argument', 'integrity', 'not-loaded'…), as docs/errors.md lists them. */
  readonly code: string = 'relata';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    keepCallerInStack(this, new.target);
  }
}

/** Frames a Relata error's stack keeps (V8's default of 10 is used up inside Relata, see below). */
const STACK_FRAMES = 40;

/**
 * An error raised deep in a flush passes a dozen of Relata's own frames (driver, engine, transaction,
 * unit of work) before it reaches the caller's `await session.commit()`; with V8's default limit of
 * 10 frames the stack would end before the caller's line. Where the engine allows it, capture it
 * again with room for the caller.
 */
function keepCallerInStack(error: Error, constructor: abstract new (...args: never[]) => unknown): void {
  const E = Error as { stackTraceLimit?: number; captureStackTrace?: (target: object, fn?: unknown) => void };
  const limit = E.stackTraceLimit;
  if (typeof E.captureStackTrace !== 'function' || typeof limit !== 'number' || limit >= STACK_FRAMES) return;
  E.stackTraceLimit = STACK_FRAMES;
  try {
    E.captureStackTrace(error, constructor);
  } finally {
    E.stackTraceLimit = limit;
  }
}

/**
 * A call was given a value or option it cannot accept (wrong type, undefined, unknown name).
 *
 * @example
 * ```ts
 * import { ArgumentError } from 'relata';
 *
 * try {
 *   session.add(new User({ username: 'x'.repeat(81) }));
 *   await session.commit();
 * } catch (err) {
 *   if (!(err instanceof ArgumentError)) throw err;
 *   // an API answers 400 naming them: { model: 'User', column: 'username' }
 *   console.log(err.model, err.column, err.message);
 * }
 * ```
 */
export class ArgumentError extends RelataError {
  /** Always `'argument'`. */
  override readonly code = 'argument';
  /**
   * The model (or, in Core, the table) whose column refused the value, so that an API can answer
   * `400 { model, column }` without parsing the message; undefined when the error is not about a column.
   */
  declare readonly model: string | undefined;
  /** The column attribute (or, in Core, the column) that refused the value. */
  declare readonly column: string | undefined;
  constructor(message: string, options?: { cause?: unknown } & Partial<ColumnAtFault>) {
    super(message, options);
    // Own properties only when known, so a logged error about no column does not show `model: undefined`.
    if (options?.model !== undefined) Object.assign(this, { model: options.model, column: options.column });
  }
}

/**
 * Which column a refused value was meant for: `{ model: 'User', column: 'username' }`.
 *
 * @example
 * ```ts
 * import { ArgumentError, type ColumnAtFault } from 'relata';
 *
 * function columnAtFault(err: unknown): ColumnAtFault | null {
 *   if (err instanceof ArgumentError && err.model && err.column) return { model: err.model, column: err.column };
 *   return null;
 * }
 * ```
 */
export interface ColumnAtFault {
  /** The model's name (in Core, the table's). */
  readonly model: string;
  /** The column attribute's name (in Core, the column's). */
  readonly column: string;
}

/**
 * A statement cannot be turned into SQL for this dialect.
 *
 * @example
 * ```ts
 * import { CompileError } from 'relata';
 *
 * try {
 *   await db.createAll();
 * } catch (err) {
 *   if (!(err instanceof CompileError)) throw err;
 *   console.error(err.message); // what this dialect cannot express, and where
 * }
 * ```
 */
export class CompileError extends RelataError {
  /** Always `'compile'`. */
  override readonly code = 'compile';
}

/** What a driver knows about an error, beyond its message. */
export interface DatabaseErrorDetails {
  readonly cause?: unknown;
  /** The SQLSTATE the server reported ('40001', '23505'…). */
  readonly sqlState?: string;
  /** The server's or driver's numeric error code (MySQL's 1213, SQLite's result code 5…). */
  readonly errno?: number;
  /** The driver's own name for it ('SQLITE_BUSY', 'ER_LOCK_DEADLOCK', 'ECONNRESET'…). */
  readonly driverCode?: string;
  /** See DatabaseError.retryable. */
  readonly retryable?: boolean;
}

/**
 * Base of errors reported by the database driver, with the SQL that caused them.
 *
 * @example
 * ```ts
 * import { DatabaseError } from 'relata';
 *
 * try {
 *   await db.engine.execute({ sql: 'SELECT * FROM no_such_table', params: [] });
 * } catch (err) {
 *   if (!(err instanceof DatabaseError)) throw err;
 *   console.error(err.message, err.sql, err.sqlState, err.retryable);
 * }
 * ```
 */
export class DatabaseError extends RelataError {
  /** `'database'`, or a subclass's own code. */
  override readonly code: string = 'database';
  /** The SQL of the statement that failed, when the error came from one. */
  sql?: string;
  /** The bound parameters of that statement. */
  params?: readonly unknown[];
  /** The table named by the driver's message, when there is one. */
  table?: string;
  /** The constraint (or constrained columns) named by the driver's message, when there is one. */
  constraint?: string;
  /** The SQLSTATE the server reported, when it reported one (PostgreSQL, MySQL). */
  sqlState?: string;
  /** The numeric error code: MySQL's errno (1213), SQLite's primary result code (5 for SQLITE_BUSY). */
  errno?: number;
  /** The driver's name for the error: 'SQLITE_BUSY', 'ER_LOCK_DEADLOCK', 'ECONNRESET'… */
  driverCode?: string;
  /**
   * True when running the whole transaction again may succeed: a serialization failure (40001), a
   * deadlock (40P01, MySQL 1213), a lock wait timeout (1205), a Galera node not ready (1047), a busy
   * SQLite database, or a connection lost before COMMIT. The transaction is gone either way:
   * roll back, then re-run all of it (`db.transaction()` does). Never true for a COMMIT whose
   * outcome is unknown (CommitOutcomeUnknownError).
   */
  retryable: boolean;

  constructor(message: string, details: DatabaseErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.sqlState = details.sqlState;
    this.errno = details.errno;
    this.driverCode = details.driverCode;
    this.retryable = details.retryable ?? false;
  }
}

/**
 * A constraint (unique, foreign key, not null, check) was violated.
 *
 * @example
 * ```ts
 * import { IntegrityError } from 'relata';
 *
 * try {
 *   session.add(new User({ username: 'alice' })); // already taken: UNIQUE
 *   await session.commit();
 * } catch (err) {
 *   if (!(err instanceof IntegrityError)) throw err;
 *   await session.rollback();
 *   console.log('username taken', err.constraint);
 * }
 * ```
 */
export class IntegrityError extends DatabaseError {
  /** Always `'integrity'`. */
  override readonly code = 'integrity';
}

/**
 * The database could not run the statement: no such table, lost connection, lock timeout…
 *
 * @example
 * ```ts
 * import { OperationalError } from 'relata';
 *
 * try {
 *   await db.engine.execute({ sql: 'SELECT * FROM no_such_table', params: [] });
 * } catch (err) {
 *   if (!(err instanceof OperationalError)) throw err;
 *   console.error(err.message, err.retryable); // no such table: no_such_table
 * }
 * ```
 */
export class OperationalError extends DatabaseError {
  /** `'operational'`, or a subclass's own code. */
  override readonly code: string = 'operational';
}

/**
 * The connection was lost while COMMIT was in flight: the transaction may or may not have been
 * committed, and nothing can tell which from here. Never retried automatically (a retry could apply
 * the work twice); check the data, or make the work idempotent (a unique request key), then decide.
 *
 * @example
 * ```ts
 * import { CommitOutcomeUnknownError } from 'relata';
 *
 * try {
 *   await db.transaction(async (session) => session.add(new Post({ title: 'once' })));
 * } catch (err) {
 *   if (!(err instanceof CommitOutcomeUnknownError)) throw err;
 *   const saved = await db.scope(() => Post.query.filterBy({ title: 'once' }).first()); // look before retrying
 *   console.log(saved ? 'it was committed' : 'it was not');
 * }
 * ```
 */
export class CommitOutcomeUnknownError extends OperationalError {
  /** Always `'commit-outcome-unknown'`. */
  override readonly code = 'commit-outcome-unknown';
  override retryable = false;
}

/**
 * A value did not fit its column: too long, out of range, not a valid number or date.
 *
 * @example
 * ```ts
 * import { Database, DataError } from 'relata';
 *
 * const pg = new Database('postgresql://postgres@127.0.0.1:5432/test');
 * try {
 *   await pg.engine.execute({ sql: "SELECT 'x'::integer", params: [] });
 * } catch (err) {
 *   if (!(err instanceof DataError)) throw err;
 *   console.error(err.message); // invalid input syntax for type integer: "x"
 * }
 * ```
 */
export class DataError extends DatabaseError {
  /** Always `'data'`. */
  override readonly code = 'data';
}

/**
 * The SQL itself was rejected (syntax, unknown column) — usually a Relata bug or a raw `text()`.
 *
 * @example
 * ```ts
 * import { ProgrammingError } from 'relata';
 *
 * try {
 *   await db.engine.execute({ sql: 'SELEC 1', params: [] });
 * } catch (err) {
 *   if (!(err instanceof ProgrammingError)) throw err;
 *   console.error(err.message, err.sql);
 * }
 * ```
 */
export class ProgrammingError extends DatabaseError {
  /** Always `'programming'`. */
  override readonly code = 'programming';
}

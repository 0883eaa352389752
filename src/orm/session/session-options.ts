/**
 * What a session may be given (`db.newSession(options)`, `new Database(url, options)`) and the check
 * of it: apart from the Session so that new options (populateExisting, validators, events) are declared
 * and checked in one place.
 */
import type { Connection, Engine } from '../../engine/engine.js';
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, isBoolean, mustBe, oneOf, type OptionTable } from '../../sql/options.js';
import type { NPlusOneMode } from '../loading/nplusone.js';

/**
 * Options of a session (`db.newSession(options)`); `new Database(url, options)` sets them for every
 * session of that database.
 *
 * @example
 * ```ts
 * const reports: string[] = [];
 * const strict = db.newSession({ autoflush: false, nPlusOne: 'warn', warn: (m) => reports.push(m) });
 * ```
 */
export interface SessionOptions {
  /** Flush pending changes before each query (default true). */
  autoflush?: boolean;
  /** What to do when one relationship is lazily loaded for several objects of one result. */
  nPlusOne?: NPlusOneMode;
  /** Where N+1 warnings go (default console.warn). */
  warn?: (message: string) => void;
  /**
   * Join the transaction open on this connection of the session's engine instead of taking one from
   * the pool (SQLAlchemy's `Session(bind=connection, join_transaction_mode="create_savepoint")`): the
   * session's reads and writes run on it; its transaction is a SAVEPOINT there, so `commit()` releases
   * the savepoint and `rollback()` rolls back to it, and whether the work stays is up to the
   * connection's owner. When the connection has no transaction open (MySQL migrations), the session's
   * transaction is a real one and commits. The session never releases the connection. What
   * `op.session(db)` gives a migration.
   */
  connection?: Connection;
}

const sessionOptionTable = {
  known: {
    autoflush: isBoolean,
    nPlusOne: oneOf(['warn', 'raise', 'off']),
    warn: mustBe('a function', (v) => typeof v === 'function'),
    connection: mustBe('a Connection (engine.connect())', (v) => typeof v === 'object' && v !== null && 'engine' in v),
  },
  refused: {
    bind: "use 'connection' to join a connection's transaction",
    join_transaction_mode: "a session given 'connection' always joins with a savepoint (create_savepoint)",
    expire_on_commit: 'objects keep their values after commit(); call session.refresh(obj) to reload one',
  },
} as const satisfies OptionTable<SessionOptions>;

/** The Session constructor's check of its options, against the session's own engine. */
export function checkSessionOptions(engine: Engine, options: SessionOptions): void {
  if (typeof options !== 'object' || options === null) throw new ArgumentError('Session: options must be an object');
  checkOptions(options, sessionOptionTable, 'Session', ArgumentError);
  if (options.connection && options.connection.engine !== engine)
    throw new ArgumentError(
      "Session: option connection belongs to another engine; join a connection of the session's own engine",
    );
}

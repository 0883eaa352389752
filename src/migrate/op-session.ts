/**
 * `op.session(db)`: a Session of a Database's models joined to the migration's connection (see
 * SessionOptions.connection), and its end with the migration. The runner ends every session a
 * migration opened when `up`/`down` settles, so none outlives it: the connection goes back to the
 * runner (its lock, its version table write) with no savepoint of a session left open.
 */
import type { Connection } from '../engine/engine.js';
import type { Database } from '../orm/mapping/database.js';
import { Session, type SessionOptions } from '../orm/session/session.js';
import { ArgumentError, RelataError } from '../sql/errors.js';
import { checkOptions, isBoolean, mustBe, oneOf, type OptionTable } from '../sql/options.js';

/**
 * Options of `op.session(db, options)`: those of a session, less the connection (the migration's).
 *
 * @example
 * ```ts
 * import type { MigrationSessionOptions } from 'relata';
 *
 * const options: MigrationSessionOptions = { autoflush: false, nPlusOne: 'off' };
 * ```
 */
export type MigrationSessionOptions = Pick<SessionOptions, 'autoflush' | 'nPlusOne' | 'warn'>;

const migrationSessionOptionTable = {
  known: {
    autoflush: isBoolean,
    nPlusOne: oneOf(['warn', 'raise', 'off']),
    warn: mustBe('a function', (v) => typeof v === 'function'),
  },
  refused: { connection: "op.session() joins the migration's own connection" },
} as const satisfies OptionTable<MigrationSessionOptions>;

/**
 * `op.session()` misused: in a dry run, or a session left with uncommitted work when the migration's
 * `up`/`down` returned.
 *
 * @example
 * ```ts
 * import { MigrationSessionError } from 'relata';
 *
 * const err = new MigrationSessionError('op.session(): not in a dry run');
 * console.log(err.code); // 'migration-session'
 * ```
 */
export class MigrationSessionError extends RelataError {
  override readonly code = 'migration-session';
}

/** The sessions open on each migration connection, until the runner ends them. */
const open = new WeakMap<Connection, Session[]>();

/**
 * op.session(db, options) on `connection`; `dryRun` refuses (see docs/migrations.md, "Data
 * migrations"). The session's statements go to `report` as the operations' do: on MySQL the runner
 * lists them among what a failed migration left applied.
 */
export function openMigrationSession(
  connection: Connection,
  dryRun: boolean,
  report: (sql: string) => void,
  db: Database,
  options: MigrationSessionOptions = {},
): Session {
  if (typeof db !== 'object' || db === null || !('registry' in db) || !('engine' in db))
    throw new ArgumentError('op.session(db): expected the Database whose models the migration uses');
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('op.session(): options must be an object');
  checkOptions(options, migrationSessionOptionTable, 'op.session()', ArgumentError);
  // A session's statements depend on the rows it reads, and in a dry run nothing before it has run:
  // printing them would be a guess. (SQLite's `migrate sql` rehearses for real, so it gets here with dryRun false.)
  if (dryRun)
    throw new MigrationSessionError(
      'op.session() cannot run in a dry run (relata migrate sql): what a session writes depends on the rows it reads, ' +
        'which the earlier steps have not changed since nothing ran; apply the migrations to a copy of the database ' +
        'to see its statements (on SQLite, migrate sql rehearses them for real)',
    );
  // The migration's engine, not db's: db typically only declares models (its URL may be unrelated).
  const session = new Session(connection.engine, db.registry, { ...options, connection });
  session.reportJoinedStatements(report);
  const list = open.get(connection) ?? [];
  list.push(session);
  open.set(connection, list);
  return session;
}

/**
 * Ends the sessions a migration opened on `connection` when its `up`/`down` settled. After a
 * success, a session with work neither committed nor rolled back is an error (the migration meant
 * to keep it or not; guessing either is wrong). Every session is closed and unusable afterwards.
 */
export async function endMigrationSessions(connection: Connection, succeeded: boolean): Promise<void> {
  const list = open.get(connection);
  if (!list) return;
  open.delete(connection);
  const unfinished = succeeded ? list.filter((s) => s.inTransaction || s.isDirty) : [];
  for (const session of list) {
    try {
      await session.end('its migration');
    } catch (err) {
      if (succeeded) throw err;
    }
  }
  if (unfinished.length)
    throw new MigrationSessionError(
      `op.session(): ${unfinished.length} session(s) still had work neither committed nor rolled back when the migration returned ` +
        '(it was rolled back): call session.commit() (or session.rollback()) before up/down returns',
    );
}

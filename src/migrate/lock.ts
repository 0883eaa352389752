/**
 * The migration lock, so that two deploying instances never run a migration twice:
 *
 * - PostgreSQL, `session` (default): `pg_advisory_lock` on the one connection the run holds, taken
 *   before the version table is read and released after the last migration. A session-level lock
 *   needs a real session: behind PgBouncer in transaction mode it would be held by whichever server
 *   connection ran the statement, and others could take it too. There, use `transaction`:
 * - PostgreSQL, `transaction`: each migration's transaction takes `pg_advisory_xact_lock` first and
 *   reads the version table again under it, skipping a migration another process applied meanwhile.
 *   Works through any pooler; a `transactional: false` migration is refused in this mode.
 * - MySQL/MariaDB: `GET_LOCK('relata_migrations.<database>', timeout)` on the run's connection.
 * - SQLite: the run is one write transaction (BEGIN IMMEDIATE, which in WAL mode is the same lock as
 *   BEGIN EXCLUSIVE: one writer), each migration in a savepoint inside it.
 *
 * A waiting process polls until `timeoutMs`, then fails naming the lock.
 */
import type { Connection } from '../engine/engine.js';
import { OperationalError } from '../sql/errors.js';
import { MigrationError } from './errors.js';

/**
 * How a run locks out other migrators on PostgreSQL: 'session' (pg_advisory_lock held for the run, on
 * a direct connection) or 'transaction' (pg_advisory_xact_lock in each migration's transaction, which
 * works behind PgBouncer in transaction mode).
 *
 * @example
 * ```ts
 * import { Migrator, type PostgresLockMode } from 'relata';
 *
 * const postgresLock: PostgresLockMode = process.env.PGBOUNCER ? 'transaction' : 'session';
 * await new Migrator(db, { directory: './migrations', postgresLock }).up();
 * ```
 */
export type PostgresLockMode = 'session' | 'transaction';

/** The run's lock mode, by dialect. */
export type LockMode = 'sqlite' | 'mysql' | 'pg-session' | 'pg-transaction';

const PG_KEY = `hashtext('relata_migrations')`;
const MYSQL_NAME = `CONCAT('relata_migrations.', DATABASE())`;
const POLL_MS = 100;

/** Called once when the lock is held by another process and this one starts waiting. */
export type OnWait = () => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scalar(conn: Connection, sql: string, params: unknown[] = []): Promise<unknown> {
  const result = await conn.execute({ sql, params, returnsRows: true });
  return result.rows[0]?.[0];
}

function timedOut(what: string, timeoutMs: number): MigrationError {
  return new MigrationError(
    `timed out after ${timeoutMs} ms waiting for the migration lock (${what}): another process is migrating this database; ` +
      `try again when it has finished, or raise lockTimeoutMs`,
  );
}

/** Polls `tryOnce` until it returns true or the deadline passes. */
async function poll(tryOnce: () => Promise<boolean>, what: string, timeoutMs: number, onWait: OnWait): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let waited = false; ; waited = true) {
    if (await tryOnce()) return;
    if (!waited) onWait();
    if (Date.now() >= deadline) throw timedOut(what, timeoutMs);
    await sleep(POLL_MS);
  }
}

/** Takes the run's lock (nothing in PostgreSQL's transaction mode, where each migration takes its own). */
export async function acquireRunLock(
  conn: Connection,
  mode: LockMode,
  timeoutMs: number,
  onWait: OnWait,
): Promise<void> {
  switch (mode) {
    case 'pg-session':
      return poll(
        async () => (await scalar(conn, `SELECT pg_try_advisory_lock(${PG_KEY})`)) === true,
        `pg_advisory_lock(hashtext('relata_migrations'))`,
        timeoutMs,
        onWait,
      );
    case 'pg-transaction':
      return;
    case 'mysql': {
      if (Number(await scalar(conn, `SELECT GET_LOCK(${MYSQL_NAME}, 0)`)) === 1) return;
      onWait();
      const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
      if (Number(await scalar(conn, `SELECT GET_LOCK(${MYSQL_NAME}, ?)`, [seconds])) === 1) return;
      throw timedOut(`GET_LOCK('relata_migrations.<database>')`, timeoutMs);
    }
    case 'sqlite':
      return poll(
        async () => {
          try {
            await conn.begin();
            return true;
          } catch (err) {
            // The driver waited its own acquireTimeoutMs for a busy database; keep waiting until ours.
            if (err instanceof OperationalError) return false;
            throw err;
          }
        },
        'a write transaction on the SQLite database',
        timeoutMs,
        onWait,
      );
  }
}

/** Releases the run's lock; SQLite's is its transaction, which the runner commits or rolls back. */
export async function releaseRunLock(conn: Connection, mode: LockMode): Promise<void> {
  if (mode === 'pg-session') await scalar(conn, `SELECT pg_advisory_unlock(${PG_KEY})`);
  if (mode === 'mysql') await scalar(conn, `SELECT RELEASE_LOCK(${MYSQL_NAME})`);
}

/** PostgreSQL's transaction mode: inside the migration's transaction, waits for the transaction-level lock. */
export function acquireTransactionLock(conn: Connection, timeoutMs: number, onWait: OnWait): Promise<void> {
  return poll(
    async () => (await scalar(conn, `SELECT pg_try_advisory_xact_lock(${PG_KEY})`)) === true,
    `pg_advisory_xact_lock(hashtext('relata_migrations'))`,
    timeoutMs,
    onWait,
  );
}

/**
 * What can go wrong loading and applying migrations: a chain that cannot be ordered, a migration
 * that failed (with what of it was applied), a lock that was not obtained.
 */
import { RelataError } from '../sql/errors.js';

/**
 * The migration files do not form one chain: a duplicate id, a `revises` naming no file (a gap),
 * two heads, or a cycle. The message names the files at fault.
 *
 * @example
 * ```ts
 * import { Migrator, MigrationChainError } from 'relata';
 *
 * try {
 *   await new Migrator(db, { directory: './migrations' }).status();
 * } catch (err) {
 *   if (err instanceof MigrationChainError) console.error(err.files, err.message);
 * }
 * ```
 */
export class MigrationChainError extends RelataError {
  /** Always `'migration-chain'`. */
  override readonly code = 'migration-chain';
  constructor(
    message: string,
    /** The files at fault. */
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/**
 * A migration's `up` or `down` failed. `rolledBack` says whether nothing of it remains (PostgreSQL
 * and SQLite run it in a transaction) or whether `appliedStatements` stay applied (MySQL/MariaDB
 * commit each DDL statement implicitly, and a `transactional: false` migration anywhere): then the
 * database is between two versions, and the version table still says the migration is not applied.
 *
 * @example
 * ```ts
 * import { MigrationFailedError, Migrator } from 'relata';
 *
 * const migrator = new Migrator(db, { directory: './migrations' });
 * try {
 *   await migrator.up();
 * } catch (err) {
 *   if (!(err instanceof MigrationFailedError)) throw err;
 *   console.error(err.migration, err.statement, err.rolledBack ? 'nothing applied' : err.appliedStatements);
 * }
 * ```
 */
export class MigrationFailedError extends RelataError {
  /** Always `'migration-failed'`. */
  override readonly code = 'migration-failed';
  constructor(
    message: string,
    /** The id of the migration that failed. */
    readonly migration: string,
    /** 'up' or 'down'. */
    readonly direction: 'up' | 'down',
    /** The statement that failed, when a statement failed (not the migration's own code). */
    readonly statement: string | undefined,
    /** Statements of this migration that ran before the failure and remain applied (empty when rolled back). */
    readonly appliedStatements: readonly string[],
    /** True when the migration's transaction was rolled back, leaving nothing of it. */
    readonly rolledBack: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A migrator could not take the migration lock in time (another process keeps migrating), or a
 * call asked for something the chain has not (an unknown target).
 *
 * @example
 * ```ts
 * import { MigrationError, Migrator } from 'relata';
 *
 * const migrator = new Migrator(db, { directory: './migrations' });
 * try {
 *   await migrator.up('20261203_0900_nope');
 * } catch (err) {
 *   if (err instanceof MigrationError) console.error(err.message); // names the target and the known ids
 * }
 * ```
 */
export class MigrationError extends RelataError {
  /** Always `'migration'`. */
  override readonly code: string = 'migration';
}

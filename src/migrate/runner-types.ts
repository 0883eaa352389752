/**
 * The Migrator's public types: its options, what it reports while running, and what it returns.
 */
import { isFunction, mustBe, oneOf, type OptionTable } from '../sql/options.js';
import type { PostgresLockMode } from './lock.js';
import type { Migration } from './migration.js';

/**
 * What the migrator reports while it runs (the CLI prints these).
 *
 * @example
 * ```ts
 * import { Migrator, type MigrationProgress } from 'relata';
 *
 * const log = (e: MigrationProgress) => {
 *   if (e.kind === 'done') console.log(`${e.id} ${e.direction} in ${Math.round(e.durationMs)} ms`);
 * };
 * await new Migrator(db, { directory: './migrations', onProgress: log }).up();
 * ```
 */
export type MigrationProgress =
  | {
      /** Another process holds the migration lock; this one waits. */
      readonly kind: 'waiting-for-lock';
    }
  | {
      /** A migration starts. */
      readonly kind: 'start';
      /** Its id. */
      readonly id: string;
      /** Its message. */
      readonly message: string;
      /** Applied or reverted. */
      readonly direction: 'up' | 'down';
    }
  | {
      /** A migration finished and is recorded. */
      readonly kind: 'done';
      /** Its id. */
      readonly id: string;
      /** Applied or reverted. */
      readonly direction: 'up' | 'down';
      /** How long it took, its version row included. */
      readonly durationMs: number;
    }
  | {
      /** A migration another process ran meanwhile (PostgreSQL's transaction lock mode). */
      readonly kind: 'skipped';
      /** Its id. */
      readonly id: string;
      /** Applied or reverted. */
      readonly direction: 'up' | 'down';
      /** Why it was skipped. */
      readonly reason: string;
    };

/**
 * Options of a Migrator: a directory of migration files, or the migrations themselves.
 *
 * @example
 * ```ts
 * import type { MigratorOptions } from 'relata';
 *
 * const options: MigratorOptions = { directory: './migrations', postgresLock: 'transaction', lockTimeoutMs: 60_000 };
 * ```
 */
export interface MigratorOptions {
  /** The directory of migration files (each `export default defineMigration({...})`). */
  readonly directory?: string;
  /** The migrations themselves, instead of a directory. */
  readonly migrations?: readonly Migration[];
  /** PostgreSQL's lock: 'session' (default) or 'transaction' behind a transaction-mode pooler (see lock.ts). */
  readonly postgresLock?: PostgresLockMode;
  /** How long to wait for another process's migration lock, in ms (default 10 minutes). */
  readonly lockTimeoutMs?: number;
  /** Called as migrations start and finish. */
  readonly onProgress?: (event: MigrationProgress) => void;
}

export const migratorOptions: OptionTable<MigratorOptions> = {
  known: {
    directory: mustBe('a directory path', (v) => typeof v === 'string' && v !== ''),
    migrations: mustBe('an array of migrations', Array.isArray),
    postgresLock: oneOf(['session', 'transaction']),
    lockTimeoutMs: mustBe('a number of milliseconds ≥ 0', (v) => typeof v === 'number' && v >= 0),
    onProgress: isFunction,
  },
  refused: {},
};

/**
 * One migration as `status()` lists it.
 *
 * @example
 * ```ts
 * import { Migrator, type MigrationStatusEntry } from 'relata';
 *
 * const pending: MigrationStatusEntry[] = (await new Migrator(db, { directory: './migrations' }).status()).migrations.filter(
 *   (m) => m.appliedAt === null,
 * );
 * ```
 */
export interface MigrationStatusEntry {
  /** Its id. */
  readonly id: string;
  /** Its message. */
  readonly message: string;
  /** The file it was loaded from (its id for migrations given as objects). */
  readonly file: string;
  /** When it was applied, or null when it is pending. */
  readonly appliedAt: string | null;
}

/**
 * The database's migration state.
 *
 * @example
 * ```ts
 * import { Migrator, type MigrationStatus } from 'relata';
 *
 * const status: MigrationStatus = await new Migrator(db, { directory: './migrations' }).status();
 * if (status.current !== status.head) console.log('pending migrations');
 * ```
 */
export interface MigrationStatus {
  /** Every migration in chain order, applied or pending. */
  readonly migrations: readonly MigrationStatusEntry[];
  /** The last applied migration of the chain, or null. */
  readonly current: string | null;
  /** The chain's last migration, or null when there are none. */
  readonly head: string | null;
  /** Ids the version table lists that no migration file has (a file deleted after it was applied). */
  readonly unknownApplied: readonly string[];
}

/**
 * One migration applied or reverted by `up()`/`down()`.
 *
 * @example
 * ```ts
 * import { Migrator, type MigrationResult } from 'relata';
 *
 * const done: MigrationResult[] = await new Migrator(db, { directory: './migrations' }).up();
 * for (const r of done) console.log(r.id, r.direction, r.durationMs);
 * ```
 */
export interface MigrationResult {
  /** Its id. */
  readonly id: string;
  /** Its message. */
  readonly message: string;
  /** Applied or reverted. */
  readonly direction: 'up' | 'down';
  /** How long it took, in ms. */
  readonly durationMs: number;
}

/**
 * One migration's statements in a dry run (`sql()`).
 *
 * @example
 * ```ts
 * import { Migrator, type MigrationSql } from 'relata';
 *
 * const plan: MigrationSql[] = await new Migrator(db, { directory: './migrations' }).sql('up');
 * for (const m of plan) console.log(`-- ${m.id}\n${m.statements.join(';\n')};`);
 * ```
 */
export interface MigrationSql {
  /** Its id. */
  readonly id: string;
  /** Its message. */
  readonly message: string;
  /** Applied or reverted. */
  readonly direction: 'up' | 'down';
  /** Its statements, then the version table's INSERT or DELETE. */
  readonly statements: readonly string[];
}

/**
 * `relata.config.ts`: where the `relata` command finds the models, the database and the migrations.
 * No Node built-ins here: `defineConfig` is exported from the package's index.
 */
import { ArgumentError } from '../sql/errors.js';
import { checkOptions, mustBe, oneOf, type OptionTable } from '../sql/options.js';
import type { PostgresLockMode } from '../migrate/lock.js';

/**
 * What `relata.config.ts` exports. Paths are relative to the config file.
 *
 * @example
 * ```ts
 * import type { RelataConfig } from 'relata';
 *
 * const config: RelataConfig = { models: './src/models.ts', url: process.env.DATABASE_URL, migrations: './migrations' };
 * ```
 */
export interface RelataConfig {
  /** The module exporting the Database (default export, or named `db`); needed by generate, push and checks. */
  readonly models?: string;
  /** The database URL; the models' Database's own when absent (or undefined, as an unset env var is). */
  readonly url?: string | undefined;
  /** The migrations directory (default './migrations'). */
  readonly migrations?: string;
  /** PostgreSQL's migration lock: 'session' (default) or 'transaction' (behind PgBouncer in transaction mode). */
  readonly postgresLock?: PostgresLockMode;
  /** How long `migrate up`/`down` wait for another process's lock, in ms (default 10 minutes). */
  readonly lockTimeoutMs?: number;
}

const configOptionTable: OptionTable<RelataConfig> = {
  known: {
    models: mustBe('a module path', (v) => typeof v === 'string' && v !== ''),
    url: mustBe('a database URL', (v) => typeof v === 'string' && v !== ''),
    migrations: mustBe('a directory path', (v) => typeof v === 'string' && v !== ''),
    postgresLock: oneOf(['session', 'transaction']),
    lockTimeoutMs: mustBe('a number of milliseconds ≥ 0', (v) => typeof v === 'number' && v >= 0),
  },
  refused: {
    schema: "use 'models' (the module exporting the Database)",
    out: "use 'migrations'",
    dbCredentials: "use 'url'",
  },
};

/**
 * Checks a `relata.config.ts` object and returns it: `export default defineConfig({ ... })`.
 *
 * @example
 * ```ts
 * import { defineConfig } from 'relata';
 *
 * export default defineConfig({
 *   models: './src/models.ts',
 *   url: process.env.DATABASE_URL,
 *   migrations: './migrations',
 * });
 * ```
 */
export function defineConfig(config: RelataConfig): RelataConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ArgumentError(`defineConfig() needs an object { models, url, migrations }, got ${typeof config}`);
  }
  checkOptions(config, configOptionTable, 'relata config', ArgumentError);
  return config;
}

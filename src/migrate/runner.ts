/**
 * The Migrator: applies and reverts migrations in chain order and records them in the version table
 * (`relata_migrations`), under a lock so that concurrent deploys run each migration once.
 *
 * Transactions, per database:
 * - **PostgreSQL**: each migration and its version row in one transaction: a failing migration leaves
 *   nothing. `transactional: false` runs it outside one (`CREATE INDEX CONCURRENTLY`); if it fails,
 *   the statements before the failing one stay applied and the error lists them.
 * - **SQLite**: the whole run is one write transaction (the lock), each migration in a savepoint of
 *   it: a failing migration is rolled back to its savepoint, the ones before it are committed.
 *   SQLite has transactional DDL for everything a migration does, so `transactional: false` changes
 *   nothing there.
 * - **MySQL/MariaDB**: every DDL statement commits implicitly, so a migration cannot be rolled back.
 *   Each runs, then its version row is written. When one fails, the MigrationFailedError names the
 *   migration and the failing statement and lists the statements of it that are applied; the
 *   version table still says it is not applied. Fix the database (or the migration) by hand, then
 *   run again. Keep MySQL migrations small (one change each) so a failure is easy to mend.
 */
import type { Engine } from '../engine/engine.js';
import type { Connection } from '../engine/engine.js';
import { DatabaseError, ArgumentError } from '../sql/errors.js';
import { checkOptions } from '../sql/options.js';
import { loadMigrationFiles, orderChain, type LoadedMigration } from './chain.js';
import { MigrationError, MigrationFailedError } from './errors.js';
import { acquireRunLock, acquireTransactionLock, releaseRunLock, type LockMode } from './lock.js';
import { defineMigration } from './migration.js';
import { defaultOperations, type OperationsFactory } from './ops-factory.js';
import { endMigrationSessions } from './op-session.js';
import { planDown, planUp, type PlannedStep } from './plan.js';
import {
  migratorOptions,
  type MigrationProgress,
  type MigrationResult,
  type MigrationSql,
  type MigrationStatus,
  type MigratorOptions,
} from './runner-types.js';
import {
  createVersionTableSql,
  deleteVersionSql,
  ensureVersionTable,
  insertVersionSql,
  readApplied,
  VERSION_TABLE,
  type AppliedRow,
} from './version-table.js';

/**
 * Applies, reverts and lists migrations on a database. See the top of runner.ts for what each
 * database does transactionally.
 *
 * @example
 * ```ts
 * import { Migrator } from 'relata';
 *
 * const migrator = new Migrator(db, { directory: './migrations' });
 * await migrator.up(); // every pending migration, in chain order
 * console.log((await migrator.status()).current);
 * await migrator.down(); // the last one back
 * for (const m of await migrator.sql('up')) console.log(m.statements.join(';\n'));
 * ```
 */
export class Migrator {
  private readonly engine: Engine;
  private readonly options: MigratorOptions;
  private chain: LoadedMigration[] | undefined;
  /** @internal Builds each migration's Operations. */
  operations: OperationsFactory = defaultOperations;

  constructor(db: Engine | { readonly engine: Engine }, options: MigratorOptions = {}) {
    checkOptions(options, migratorOptions, 'Migrator', ArgumentError);
    if ((options.directory === undefined) === (options.migrations === undefined)) {
      throw new ArgumentError('Migrator: give either directory or migrations');
    }
    this.engine = 'dialect' in db ? db : db.engine;
    this.options = options;
  }

  /** The migrations in chain order (loaded once). */
  async migrations(): Promise<readonly LoadedMigration[]> {
    if (!this.chain) {
      const loaded = this.options.migrations
        ? this.options.migrations.map((m) => ({ migration: defineMigration(m), file: m.id }))
        : await loadMigrationFiles(this.options.directory!);
      this.chain = orderChain(loaded);
    }
    return this.chain;
  }

  /** Which migrations are applied; reads only (the version table is not created). */
  async status(): Promise<MigrationStatus> {
    const chain = await this.migrations();
    const applied = await this.withConnection(readApplied);
    const at = new Map(applied.map((r) => [r.id, r.appliedAt]));
    const ids = new Set(chain.map((m) => m.migration.id));
    const migrations = chain.map(({ migration: m, file }) => ({
      id: m.id,
      message: m.message,
      file,
      appliedAt: at.get(m.id) ?? null,
    }));
    const current = [...migrations].reverse().find((m) => m.appliedAt !== null)?.id ?? null;
    return {
      migrations,
      current,
      head: chain.at(-1)?.migration.id ?? null,
      unknownApplied: applied.filter((r) => !ids.has(r.id)).map((r) => r.id),
    };
  }

  /** Applies pending migrations up to and including `target` (an id or a unique prefix; default: the head). */
  async up(target?: string): Promise<MigrationResult[]> {
    return this.run((chain, applied) => planUp(chain, applied, target));
  }

  /**
   * Reverts applied migrations: the last one by default; down to (not including) `target`, which
   * stays applied; or all of them with `'base'`.
   */
  async down(target?: string): Promise<MigrationResult[]> {
    return this.run((chain, applied) => planDown(chain, applied, target));
  }

  /**
   * A dry run: the statements `up(target)` (or `down(target)`) would run, nothing executed and no
   * lock taken. Operations that read the database to decide (none by default) still read it.
   */
  async sql(direction: 'up' | 'down' = 'up', target?: string): Promise<MigrationSql[]> {
    if (direction !== 'up' && direction !== 'down') {
      throw new ArgumentError(`Migrator.sql: direction must be 'up' or 'down', got ${String(direction)}`);
    }
    const chain = await this.migrations();
    return this.withConnection(async (conn) => {
      // SQLite rebuilds a table from what the catalog says, which an earlier step of the same dry run
      // has changed: there the steps really run, in a transaction that is rolled back, so the SQL is exact.
      const rehearse = this.engine.dialect.name === 'sqlite';
      if (rehearse) await conn.begin();
      try {
        return await this.dryRun(conn, chain, direction, target, rehearse);
      } finally {
        if (rehearse) await conn.rollback();
      }
    });
  }

  private async dryRun(
    conn: Connection,
    chain: readonly LoadedMigration[],
    direction: 'up' | 'down',
    target: string | undefined,
    rehearse: boolean,
  ): Promise<MigrationSql[]> {
    {
      const applied = await readApplied(conn);
      const plan = direction === 'up' ? planUp(chain, applied, target) : planDown(chain, applied, target);
      const out: MigrationSql[] = [];
      let tableMissing = applied.length === 0;
      for (const step of plan) {
        const statements: string[] = [];
        if (tableMissing && step.direction === 'up') statements.push(createVersionTableSql(conn));
        tableMissing = false;
        const op = this.operations({ connection: conn, dryRun: !rehearse, onStatement: (s) => statements.push(s) });
        const { migration } = step.entry;
        await runStep(conn, () => (step.direction === 'up' ? migration.up(op) : migration.down(op)));
        const version =
          step.direction === 'up' ? insertVersionSql(conn, migration.id) : deleteVersionSql(conn, migration.id);
        statements.push(inlineId(version.sql, conn, migration.id));
        out.push({ id: migration.id, message: migration.message, direction: step.direction, statements });
      }
      return out;
    }
  }

  private lockMode(): LockMode {
    const name = this.engine.dialect.name;
    if (name === 'postgres') return this.options.postgresLock === 'transaction' ? 'pg-transaction' : 'pg-session';
    return name;
  }

  private async withConnection<R>(fn: (conn: Connection) => Promise<R>): Promise<R> {
    const conn = await this.engine.connect();
    try {
      return await fn(conn);
    } finally {
      conn.release();
    }
  }

  private progress(event: MigrationProgress): void {
    this.options.onProgress?.(event);
  }

  /** Takes the lock, plans from the version table read under it, and runs the steps. */
  private async run(plan: (chain: readonly LoadedMigration[], applied: readonly AppliedRow[]) => PlannedStep[]) {
    const chain = await this.migrations();
    const mode = this.lockMode();
    const timeoutMs = this.options.lockTimeoutMs ?? 600_000;
    return this.withConnection(async (conn) => {
      await acquireRunLock(conn, mode, timeoutMs, () => this.progress({ kind: 'waiting-for-lock' }));
      const results: MigrationResult[] = [];
      try {
        if (mode !== 'pg-transaction') await ensureVersionTable(conn);
        const steps = plan(chain, await readApplied(conn));
        for (const step of steps) {
          const result = await this.step(conn, mode, step, timeoutMs);
          if (result) results.push(result);
        }
        if (mode === 'sqlite') await conn.commit();
      } catch (err) {
        // SQLite: the failed migration was rolled back to its savepoint; keep the ones before it.
        if (mode === 'sqlite' && conn.inTransaction) await conn.commit();
        throw err;
      } finally {
        if (conn.inTransaction) await conn.rollback().catch(() => {});
        await releaseRunLock(conn, mode).catch(() => {});
      }
      return results;
    });
  }

  /** One migration, in the transaction its database and lock mode give it; null when skipped. */
  private async step(conn: Connection, mode: LockMode, step: PlannedStep, timeoutMs: number) {
    const { migration } = step.entry;
    const { direction } = step;
    const transactional = mode === 'sqlite' || (mode !== 'mysql' && migration.transactional !== false);
    if (mode === 'pg-transaction' && migration.transactional === false) {
      throw new MigrationError(
        `migration '${migration.id}' (${step.entry.file}) has transactional: false, which postgresLock: 'transaction' ` +
          `cannot lock; run it with postgresLock: 'session' on a direct connection (not through a transaction-mode pooler)`,
      );
    }
    if (mode === 'sqlite') await conn.savepoint('relata_migration');
    else if (transactional) await conn.begin();
    if (mode === 'pg-transaction') {
      await acquireTransactionLock(conn, timeoutMs, () => this.progress({ kind: 'waiting-for-lock' }));
      await ensureVersionTable(conn);
      const applied = (await readApplied(conn)).some((r) => r.id === migration.id);
      if (applied === (direction === 'up')) {
        await conn.commit();
        const reason = direction === 'up' ? 'applied by another process' : 'reverted by another process';
        this.progress({ kind: 'skipped', id: migration.id, direction, reason });
        return null;
      }
    }
    this.progress({ kind: 'start', id: migration.id, message: migration.message, direction });
    const start = performance.now();
    // Each statement of the migration, reported before it runs: the last one is the one that failed.
    const ran: string[] = [];
    try {
      const op = this.operations({ connection: conn, dryRun: false, onStatement: (sql) => ran.push(sql) });
      await runStep(conn, () => (direction === 'up' ? migration.up(op) : migration.down(op)));
    } catch (err) {
      const failedSql = err instanceof DatabaseError ? err.sql : undefined;
      const last = ran.at(-1);
      if (failedSql !== undefined && failedSql === last) ran.pop();
      throw await this.failed(conn, mode, transactional, step, err, failedSql, ran);
    }
    try {
      const version = direction === 'up' ? insertVersionSql(conn, migration.id) : deleteVersionSql(conn, migration.id);
      await conn.execute({ ...version, returnsRows: false });
      if (mode === 'sqlite') await conn.releaseSavepoint('relata_migration');
      else if (transactional) await conn.commit();
    } catch (err) {
      throw await this.failed(conn, mode, transactional, step, err, undefined, ran);
    }
    const durationMs = performance.now() - start;
    this.progress({ kind: 'done', id: migration.id, direction, durationMs });
    return { id: migration.id, message: migration.message, direction, durationMs };
  }

  /** Rolls back what can be, and says exactly what failed and what stays applied. */
  private async failed(
    conn: Connection,
    mode: LockMode,
    transactional: boolean,
    step: PlannedStep,
    err: unknown,
    statement: string | undefined,
    ran: readonly string[],
  ): Promise<MigrationFailedError> {
    if (mode === 'sqlite') {
      await conn.rollbackToSavepoint('relata_migration').catch(() => {});
      await conn.releaseSavepoint('relata_migration').catch(() => {});
    } else if (transactional && conn.inTransaction) {
      await conn.rollback().catch(() => {});
    }
    const { migration, file } = step.entry;
    const failedSql = statement ?? (err instanceof DatabaseError ? err.sql : undefined);
    const reason = err instanceof Error ? err.message : String(err);
    const what = failedSql ? `statement failed: ${failedSql}\n  ${reason}` : `failed: ${reason}`;
    const left = transactional
      ? 'it was rolled back: nothing of it is applied'
      : ran.length
        ? `${mode === 'mysql' ? 'MySQL commits DDL implicitly, so ' : ''}these ${ran.length} statement(s) of it ARE applied ` +
          `and the version table does not record it: \n    ${ran.join(';\n    ')}\n  ` +
          `repair the database by hand (or revert them) before running it again`
        : 'no statement of it had run';
    return new MigrationFailedError(
      `migration '${migration.id}' (${file}) ${step.direction}: ${what}\n  ${left}`,
      migration.id,
      step.direction,
      failedSql,
      transactional ? [] : ran,
      transactional,
      { cause: err },
    );
  }
}

/** A migration's up or down, then the end of the sessions it opened (op.session), before the runner goes on. */
async function runStep(conn: Connection, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    await endMigrationSessions(conn, false);
    throw err;
  }
  await endMigrationSessions(conn, true);
}

/** The version statement with its id written in (a dry run prints SQL to read or run by hand). */
function inlineId(sql: string, conn: Connection, id: string): string {
  return sql.replace(conn.engine.dialect.compiler.placeholder(1), `'${id.replace(/'/g, "''")}'`);
}

export { VERSION_TABLE };
export type {
  MigrationProgress,
  MigratorOptions,
  MigrationStatusEntry,
  MigrationStatus,
  MigrationResult,
  MigrationSql,
} from './runner-types.js';

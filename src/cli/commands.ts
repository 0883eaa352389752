/**
 * What each `relata` command does, printing for humans. Each returns when done; a failure throws
 * (CliError or the library's own error), which run.ts prints and turns into exit code 1.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { Database } from '../orm/mapping/database.js';
import type { SchemaChange } from '../schema/compare/changes.js';
import { describeSchemaChange } from '../schema/compare/describe.js';
import { checkSchema } from '../schema/compare/drift.js';
import { inspect, reflectMetaData } from '../schema/introspect/index.js';
import { VERSION_TABLE } from '../migrate/version-table.js';
import { applyChanges } from '../migrate/apply.js';
import { renderModelsModule } from '../migrate/pull.js';
import { migrationId, renameCandidates, renderMigration } from '../migrate/render.js';
import { Migrator, type MigrationProgress } from '../migrate/runner.js';
import { CliError } from './errors.js';
import { loadModels, registerTypeScript, type LoadedConfig } from './load.js';

/** Where a command prints, and how it asks (a terminal) or not (a script). */
export interface CliIo {
  readonly cwd: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Asks a yes/no question on a terminal; undefined when stdin is not one (then nothing is asked). */
  readonly ask: ((question: string) => Promise<boolean>) | undefined;
}

/** What a command works with: the config, and the models and engine it opens on demand. */
export class CliContext {
  private db: Database | undefined;
  private engineInstance: Engine | undefined;
  constructor(
    readonly loaded: LoadedConfig,
    readonly io: CliIo,
  ) {}

  async models(): Promise<Database> {
    if (!this.loaded.models)
      throw new CliError(`${this.loaded.file} names no models module (models: './src/models.ts')`);
    this.db ??= await loadModels(this.loaded.models);
    return this.db;
  }

  /** The config's URL, else the models' Database's engine. */
  async engine(): Promise<Engine> {
    if (this.engineInstance) return this.engineInstance;
    const url = this.loaded.config.url;
    if (url !== undefined) this.engineInstance = new Engine(url);
    else if (this.loaded.models) this.engineInstance = (await this.models()).engine;
    else
      throw new CliError(`${this.loaded.file} gives neither url nor models: relata cannot tell which database to use`);
    return this.engineInstance;
  }

  async migrator(): Promise<Migrator> {
    const { config, migrations } = this.loaded;
    // A .ts migration needs tsx even when the config and models are JavaScript.
    const names = await readdir(migrations).catch(() => [] as string[]);
    const typescript = names.find((n) => /\.[mc]?ts$/.test(n) && !/\.d\.[mc]?ts$/.test(n));
    if (typescript) await registerTypeScript(join(migrations, typescript));
    return new Migrator(await this.engine(), {
      directory: migrations,
      ...(config.postgresLock && { postgresLock: config.postgresLock }),
      ...(config.lockTimeoutMs !== undefined && { lockTimeoutMs: config.lockTimeoutMs }),
      onProgress: (e) => this.progress(e),
    });
  }

  private progress(e: MigrationProgress): void {
    const out = this.io.out;
    if (e.kind === 'waiting-for-lock') out('Another process holds the migration lock: waiting for it…');
    if (e.kind === 'start') out(`${e.direction === 'up' ? 'Applying' : 'Reverting'} ${e.id} (${e.message}) …`);
    if (e.kind === 'done') out(`  done in ${Math.round(e.durationMs)} ms`);
    if (e.kind === 'skipped') out(`  ${e.id}: ${e.reason}, skipped`);
  }

  async close(): Promise<void> {
    await this.engineInstance?.dispose();
    if (this.db && this.db.engine !== this.engineInstance) await this.db.close();
  }

  /** The models' changes against the database. */
  async changes(): Promise<SchemaChange[]> {
    const db = await this.models();
    // The config's URL may name another database than the models' own: checkSchema on that engine.
    return checkSchema(await this.engine(), db.configuredMetadata());
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function migrateUp(ctx: CliContext, target: string | undefined): Promise<void> {
  const migrator = await ctx.migrator();
  const done = await migrator.up(target);
  const status = await migrator.status();
  ctx.io.out(
    done.length
      ? `${plural(done.length, 'migration')} applied; the database is at ${status.current}`
      : `Nothing to apply: the database is at ${status.current ?? 'base (no migration applied)'}`,
  );
}

export async function migrateDown(ctx: CliContext, target: string | undefined): Promise<void> {
  const migrator = await ctx.migrator();
  const done = await migrator.down(target);
  const status = await migrator.status();
  ctx.io.out(
    done.length
      ? `${plural(done.length, 'migration')} reverted; the database is at ${status.current ?? 'base (no migration applied)'}`
      : 'Nothing to revert: no migration is applied',
  );
}

export async function migrateStatus(ctx: CliContext): Promise<void> {
  const migrator = await ctx.migrator();
  const status = await migrator.status();
  const dir = relative(ctx.io.cwd, ctx.loaded.migrations) || '.';
  ctx.io.out(`Migrations in ${dir} (${(await ctx.engine()).dialect.name}):`);
  if (!status.migrations.length) ctx.io.out('  none yet (relata migrate generate -m "…" writes the first)');
  for (const m of status.migrations) {
    const when = m.appliedAt ? `  applied ${m.appliedAt}` : '';
    ctx.io.out(`  [${m.appliedAt ? 'x' : ' '}] ${m.id}  ${m.message}${when}`);
  }
  for (const id of status.unknownApplied) ctx.io.out(`  [?] ${id}  applied, but no file has it`);
  const pending = status.migrations.filter((m) => !m.appliedAt).length;
  ctx.io.out(`Current: ${status.current ?? 'base'}; head: ${status.head ?? 'none'}; ${pending} pending`);
}

export async function migrateSql(ctx: CliContext, target: string | undefined, down: boolean): Promise<void> {
  const migrator = await ctx.migrator();
  const steps = await migrator.sql(down ? 'down' : 'up', target);
  if (!steps.length) ctx.io.out(`-- nothing to ${down ? 'revert' : 'apply'}`);
  for (const s of steps) {
    ctx.io.out(`-- ${s.direction} ${s.id}: ${s.message}`);
    for (const sql of s.statements) ctx.io.out(`${sql};`);
    ctx.io.out('');
  }
}

/** Parses `--rename table.old=new` values. */
function parseRenames(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) {
      throw new CliError(`--rename ${v}: expected table.old_column=new_column (or old_table=new_table)`);
    }
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}

export interface GenerateOptions {
  readonly message: string;
  readonly renames: readonly string[];
  readonly empty: boolean;
}

export async function migrateGenerate(ctx: CliContext, options: GenerateOptions): Promise<void> {
  const migrator = await ctx.migrator();
  const status = await migrator.status();
  const pending = status.migrations.filter((m) => !m.appliedAt).map((m) => m.id);
  if (pending.length) {
    throw new CliError(
      `the database is not at the head: ${pending.join(', ')} not applied. Run relata migrate up first, ` +
        `so the new migration is the difference from the last one`,
    );
  }
  const changes = await ctx.changes();
  if (!changes.length && !options.empty) {
    ctx.io.out('No changes: the database matches the models (--empty writes an empty migration)');
    return;
  }
  const renames = parseRenames(options.renames);
  const ask = ctx.io.ask;
  if (ask) {
    for (const c of renameCandidates(changes)) {
      if (c.key in renames || Object.values(renames).includes(c.to)) continue;
      if (await ask(`Was ${c.kind} ${c.key} renamed to ${c.to}? (no: drop it and add the new one)`))
        renames[c.key] = c.to;
    }
  }
  const id = migrationId(options.message);
  const source = renderMigration(changes, { id, revises: status.head, message: options.message, renames });
  await mkdir(ctx.loaded.migrations, { recursive: true });
  // A JavaScript project (relata.config.js/.mjs) gets a .mjs file: the generated code is plain JS too.
  const extension = /\.m?js$/.test(ctx.loaded.file) ? 'mjs' : 'ts';
  const file = join(ctx.loaded.migrations, `${id}.${extension}`);
  await writeFile(file, source, { flag: 'wx' });
  ctx.io.out(`Wrote ${relative(ctx.io.cwd, file)}: ${plural(changes.length, 'change')}`);
  for (const c of changes) ctx.io.out(`  ${describeSchemaChange(c)}`);
  if (source.includes('!!! POSSIBLE RENAME')) ctx.io.out('  Check the POSSIBLE RENAME comments before applying it.');
}

export async function push(ctx: CliContext, force: boolean): Promise<void> {
  const changes = await ctx.changes();
  if (!changes.length) {
    ctx.io.out('The database matches the models: nothing to push');
    return;
  }
  const destructive = changes.filter((c) => c.destructive);
  if (destructive.length && !force) {
    throw new CliError(
      `push refuses ${plural(destructive.length, 'destructive change')} (data would be lost); nothing was changed:\n` +
        destructive.map((c) => `  ${describeSchemaChange(c)}`).join('\n') +
        `\nrun relata push --force to apply them anyway, or write a migration (relata migrate generate)`,
    );
  }
  const engine = await ctx.engine();
  await applyChanges(engine, changes);
  for (const c of changes) ctx.io.out(`  ${describeSchemaChange(c)}`);
  ctx.io.out(`Pushed ${plural(changes.length, 'change')}`);
}

export async function pull(ctx: CliContext, out: string | undefined, force: boolean): Promise<void> {
  const engine = await ctx.engine();
  // The version table is the migrator's, not a model.
  const names = (await inspect(engine).getTableNames()).filter((n) => n !== VERSION_TABLE);
  const reflected = await reflectMetaData(engine, { tables: names });
  const source = renderModelsModule(reflected, { importFrom: 'relata' });
  if (out === undefined) {
    ctx.io.out(source);
    return;
  }
  const file = resolve(ctx.io.cwd, out);
  await mkdir(dirname(file), { recursive: true });
  // A models module is edited by hand after a pull: never write over one unasked.
  await writeFile(file, source, { flag: force ? 'w' : 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
    throw new CliError(
      `${relative(ctx.io.cwd, file)} exists: pull writes a new file (--out another), or --force to replace it`,
    );
  });
  ctx.io.out(`Wrote ${relative(ctx.io.cwd, file)}: ${plural(reflected.tables.size, 'table')}`);
}

/**
 * Loading the user's modules (config, models, migrations): .ts files need a TypeScript loader on
 * Node 20, so tsx (an optional peer dependency) is registered through its API on first need.
 */
import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Database } from '../orm/mapping/database.js';
import { defineConfig, type RelataConfig } from './config.js';
import { CliError } from './errors.js';

const CONFIG_NAMES = ['relata.config.ts', 'relata.config.mts', 'relata.config.js', 'relata.config.mjs'];

let tsxRegistered = false;

/** Registers tsx's ESM loader, once; a clear error when tsx is not installed. */
export async function registerTypeScript(forFile: string): Promise<void> {
  if (tsxRegistered) return;
  let api: { register: () => unknown };
  try {
    // A variable specifier: tsx is an optional peer, whose types the CommonJS build cannot resolve.
    const specifier = 'tsx/esm/api';
    api = (await import(specifier)) as { register: () => unknown };
  } catch (err) {
    throw new CliError(
      `${forFile} is TypeScript, which Node cannot load by itself: install tsx (npm i -D tsx), ` +
        `or write the file as .js/.mjs (${(err as Error).message})`,
    );
  }
  api.register();
  tsxRegistered = true;
}

/** Imports a module by path, through tsx when it is TypeScript. */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  if (/\.[mc]?ts$/.test(extname(file))) await registerTypeScript(file);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // A .ts file in a package without "type": "module" is CommonJS to tsx: its exports arrive as
  // module.exports ({ __esModule: true, default, ... }) under the namespace's default.
  const cjs = mod.default as Record<string, unknown> | null | undefined;
  return typeof cjs === 'object' && cjs !== null && cjs.__esModule === true ? cjs : mod;
}

/** The config file: `--config` when given, else the first relata.config.{ts,mts,js,mjs} of `cwd`. */
export function findConfig(cwd: string, given: string | undefined): string {
  if (given !== undefined) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) throw new CliError(`config file ${file} does not exist`);
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new CliError(
    `no relata.config.ts in ${cwd} (looked for ${CONFIG_NAMES.join(', ')}); create one, or pass --config <file>:\n` +
      `  import { defineConfig } from 'relata';\n` +
      `  export default defineConfig({ models: './src/models.ts', url: process.env.DATABASE_URL, migrations: './migrations' });`,
  );
}

/** The loaded config, with its paths resolved against the config file's directory. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: RelataConfig;
  readonly models: string | undefined;
  readonly migrations: string;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const mod = await importModule(file);
  if (mod.default === undefined)
    throw new CliError(`${file} has no default export (export default defineConfig({ ... }))`);
  let config: RelataConfig;
  try {
    config = defineConfig(mod.default as RelataConfig);
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`);
  }
  const dir = dirname(file);
  return {
    file,
    config,
    models: config.models === undefined ? undefined : resolve(dir, config.models),
    migrations: resolve(dir, config.migrations ?? './migrations'),
  };
}

/** Whether `value` looks like a Relata Database (duck-typed: the user's copy of the package may be another instance). */
function isDatabase(value: unknown): value is Database {
  const v = value as { engine?: { dialect?: unknown }; registry?: { metadata?: unknown } } | null;
  return typeof v === 'object' && v !== null && v.engine?.dialect !== undefined && v.registry?.metadata !== undefined;
}

/** The models module's Database: its default export, or its export named `db`. */
export async function loadModels(file: string): Promise<Database> {
  const mod = await importModule(file);
  if (mod.__esModule === true) {
    // A CommonJS models module gets relata's CommonJS build: another copy of every class than the CLI's.
    throw new CliError(
      `models module ${file} was loaded as CommonJS (its package.json has no "type": "module"): ` +
        `add "type": "module" to package.json, or name it .mts`,
    );
  }
  const db = isDatabase(mod.default) ? mod.default : isDatabase(mod.db) ? mod.db : undefined;
  if (!db) {
    throw new CliError(
      `models module ${file} exports no Database: export it as default (export default db) or as 'db' (export const db = new Database(...))`,
    );
  }
  return db;
}

/**
 * Migration files in a directory, ordered by their `revises` chain. The order is the chain's, never
 * the file names': two developers' migrations made on two branches revise the same parent, and that
 * must be a clear error (two heads), not a silent interleaving.
 */
import { defineMigration, type Migration } from './migration.js';
import { MigrationChainError } from './errors.js';

/** A migration and the file it came from (its id, for migrations given as objects). */
export interface LoadedMigration {
  readonly migration: Migration;
  readonly file: string;
}

const MIGRATION_FILE = /^[^.].*\.(ts|mts|js|mjs)$/;

/** Whether `name` is a migration module (not a declaration file, not a hidden one). */
export function isMigrationFile(name: string): boolean {
  return MIGRATION_FILE.test(name) && !/\.d\.m?ts$/.test(name);
}

/** A migration module that came in as CommonJS (see loadMigrationFiles). */
class CommonJsMigration extends Error {}

/**
 * Imports every migration module of `directory` (its default export, checked by defineMigration).
 * .ts files need a TypeScript loader in the process (the CLI registers tsx). A missing directory has
 * no migrations.
 */
export async function loadMigrationFiles(directory: string): Promise<LoadedMigration[]> {
  // Node's modules are imported here, not at the top: index.ts (and so the browser build) reaches this file.
  const { readdir } = await import('node:fs/promises');
  const { join, resolve } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const dir = resolve(directory);
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isMigrationFile).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const loaded: LoadedMigration[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      // A .ts migration in a package without "type": "module" is CommonJS to tsx: module.exports
      // arrives as the namespace's default, and its require('relata') is the CJS build, whose
      // Column etc. are other classes than the runner's (the dual-package hazard): refuse clearly.
      const cjs = mod.default as { __esModule?: unknown; default?: unknown } | null | undefined;
      if (typeof cjs === 'object' && cjs !== null && cjs.__esModule === true) throw new CommonJsMigration();
    } catch (err) {
      if (err instanceof CommonJsMigration) {
        throw new MigrationChainError(
          `migration file ${file} was loaded as CommonJS (its package.json has no "type": "module"), so it gets ` +
            `relata's CommonJS build, not the ESM one the runner uses: add "type": "module" to package.json, or name it .mts`,
          [file],
        );
      }
      throw new MigrationChainError(`migration file ${file} could not be loaded: ${(err as Error).message}`, [file]);
    }
    if (mod.default === undefined) {
      throw new MigrationChainError(
        `migration file ${file} has no default export (write: export default defineMigration({ ... }))`,
        [file],
      );
    }
    try {
      loaded.push({ migration: defineMigration(mod.default as Migration), file });
    } catch (err) {
      throw new MigrationChainError(`migration file ${file}: ${(err as Error).message}`, [file]);
    }
  }
  return loaded;
}

/**
 * The migrations in chain order, first (revises null) to head. Refuses, naming the files: a duplicate
 * id, a `revises` no migration has (a file missing from the chain), two heads (two migrations revise
 * the same one, or two start a chain), and migrations the chain from the first never reaches (a cycle).
 */
export function orderChain(migrations: readonly LoadedMigration[]): LoadedMigration[] {
  const byId = new Map<string, LoadedMigration>();
  for (const m of migrations) {
    const seen = byId.get(m.migration.id);
    if (seen) {
      throw new MigrationChainError(
        `two migrations have the id '${m.migration.id}': ${seen.file} and ${m.file}; give one of them a new id`,
        [seen.file, m.file],
      );
    }
    byId.set(m.migration.id, m);
  }
  const children = new Map<string | null, LoadedMigration[]>();
  for (const m of migrations) {
    const parent = m.migration.revises;
    if (parent !== null && !byId.has(parent)) {
      throw new MigrationChainError(
        `migration ${m.file} revises '${parent}', which no migration has: a file is missing from the chain (a gap)`,
        [m.file],
      );
    }
    const list = children.get(parent) ?? [];
    list.push(m);
    children.set(parent, list);
  }
  for (const [parent, list] of children) {
    if (list.length > 1) {
      const files = list.map((m) => m.file);
      const what = parent === null ? 'start a chain (revises: null)' : `revise '${parent}'`;
      throw new MigrationChainError(
        `two heads: ${files.join(' and ')} both ${what}; make one revise the other (relata cannot guess their order)`,
        files,
      );
    }
  }
  const ordered: LoadedMigration[] = [];
  for (let next = children.get(null)?.[0]; next; next = children.get(next.migration.id)?.[0]) ordered.push(next);
  if (ordered.length !== migrations.length) {
    const reached = new Set(ordered);
    const files = migrations.filter((m) => !reached.has(m)).map((m) => m.file);
    throw new MigrationChainError(
      `migrations ${files.join(', ')} are not reached from the first migration (revises: null): their revises form a cycle`,
      files,
    );
  }
  return ordered;
}

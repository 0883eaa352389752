/**
 * For the CLI tests: a throwaway project directory (relata.config.ts, a models module, migrations)
 * whose `relata` import is this repository's source, and the `relata` command run in it as a real
 * Node process (through tsx, as a user's project runs it).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX_LOADER = join(ROOT, 'node_modules/tsx/dist/loader.mjs');
const MAIN = join(ROOT, 'src/cli/main.ts');

/** A project directory with `files` (path → text) and a node_modules/relata that is this repository's src. */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'relata-cli-'));
  const pkg = join(dir, 'node_modules/relata');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'relata', type: 'module', exports: './index.ts' }));
  writeFileSync(join(pkg, 'index.ts'), `export * from ${JSON.stringify(join(ROOT, 'src/index.ts'))};\n`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeProjectFiles(dir, files);
  return dir;
}

export function writeProjectFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `relata ...args` in `dir` as its own Node process. */
export function relata(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, MAIN, ...args],
      { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** relata.config.ts reading the URL and PostgreSQL lock mode from the environment. */
export const CONFIG = `import { defineConfig } from 'relata';

export default defineConfig({
  models: './src/models.ts',
  url: process.env.DATABASE_URL,
  migrations: './migrations',
  postgresLock: process.env.RELATA_PG_LOCK === 'transaction' ? 'transaction' : undefined,
});
`;

/**
 * Runs `relata ...args` in this process (run() itself): for the steps whose process boundary is not
 * what is tested. Module caching is per path, so each call site uses its own project and config files.
 */
export async function relataInProcess(
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
  ask?: (question: string) => Promise<boolean>,
): Promise<CliRun> {
  const { run } = await import('../../src/cli/run.js');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await run(args, { cwd: dir, out: (l) => out.push(l), err: (l) => err.push(l), ask });
    return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

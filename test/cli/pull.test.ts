/**
 * `relata pull` as a user runs it: a real process in a project whose config names only a URL (a
 * database with no models yet), on a copy of Chinook's SQLite file. The module it writes is
 * renderModelsModule's text for that database (pull.test.ts proves what that text does on all three
 * databases), imports, and its models read Chinook's rows.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Database, reflectMetaData, renderModelsModule } from '../../src/index.js';
import { makeProject, relata } from './project.js';

const CHINOOK = fileURLToPath(new URL('../fixtures/chinook/Chinook_Sqlite.sqlite', import.meta.url));

describe('relata pull', () => {
  const dir = makeProject({
    'relata.config.ts': `import { defineConfig } from 'relata';\n\nexport default defineConfig({ url: process.env.DATABASE_URL });\n`,
  });
  const file = join(dir, 'chinook.db');
  copyFileSync(CHINOOK, file);
  const url = `sqlite:///${file}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the models module of a database, which imports and reads its rows', async () => {
    const run = await relata(dir, ['pull', '--out', 'src/models.ts'], { DATABASE_URL: url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Wrote src\/models\.ts: 11 tables/);
    const written = readFileSync(join(dir, 'src/models.ts'), 'utf8');
    const db = new Database(url);
    try {
      expect(written).toBe(renderModelsModule(await reflectMetaData(db.engine), { importFrom: 'relata' }));
    } finally {
      await db.close();
    }
    // The module is the project's: 'relata' resolves to this repository's source through its node_modules.
    // It opens process.env.DATABASE_URL, as the pulled module's Database is written to.
    process.env.DATABASE_URL = url;
    const mod = (await import(pathToFileURL(join(dir, 'src/models.ts')).href)) as Record<string, unknown>;
    const pulled = mod.db as Database;
    try {
      const Artist = mod.Artist as { query: { count(): Promise<number> } };
      expect(await Artist.query.count()).toBe(275);
    } finally {
      await pulled.close();
      delete process.env.DATABASE_URL;
    }
  });

  it('never writes over an existing module unless given --force (exit code 1, the file kept)', async () => {
    const path = join(dir, 'src/models.ts');
    writeFileSync(path, '// edited by hand\n');
    const again = await relata(dir, ['pull', '--out', 'src/models.ts'], { DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/src\/models\.ts exists: .*--force to replace it/);
    expect(readFileSync(path, 'utf8')).toBe('// edited by hand\n');
    const forced = await relata(dir, ['pull', '--out', 'src/models.ts', '--force'], { DATABASE_URL: url });
    expect(forced.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/class Artist extends db\.Model/);
  });
});

/**
 * `relata migrate generate` and renames: on a terminal it asks about each possible rename; in a
 * script `--rename table.old=new` says it; without either the file has drop + add and a warning.
 * SQLite only: the rendering is tested on every database in test/migrate/render.test.ts.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG, makeProject, relataInProcess } from './project.js';

const MODELS = (column: string) => `import { Column, Database, Integer, String } from 'relata';

export const db = new Database(process.env.DATABASE_URL);
export class Person extends db.Model(
  'Person',
  { id: Column(Integer, { primaryKey: true }), ${column}: Column(String(80)) },
  { tableName: 'person' },
) {}
`;

describe('relata migrate generate and renames', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A project whose database has person.name, and whose second config's models have person.full_name. */
  async function project(): Promise<{ dir: string; env: Record<string, string>; source: () => string }> {
    dir = makeProject({
      'relata.config.ts': CONFIG,
      'relata.v2.config.ts': CONFIG.replace("'./src/models.ts'", "'./src/models2.ts'"),
      'src/models.ts': MODELS('name'),
      'src/models2.ts': MODELS('full_name'),
    });
    const env = { DATABASE_URL: `sqlite:///${join(dir, 'app.db')}` };
    expect((await relataInProcess(dir, ['--config', 'relata.config.ts', 'push'], env)).code).toBe(0);
    const d = dir;
    return {
      dir: d,
      env,
      source: () => readFileSync(join(d, 'migrations', readdirSync(join(d, 'migrations'))[0]!), 'utf8'),
    };
  }

  it('on a terminal it asks, and a yes writes renameColumn', async () => {
    const p = await project();
    const asked: string[] = [];
    const ask = async (q: string) => (asked.push(q), true);
    const run = await relataInProcess(
      p.dir,
      ['--config', 'relata.v2.config.ts', 'migrate', 'generate', '-m', 'rename'],
      p.env,
      ask,
    );
    expect(run.code).toBe(0);
    expect(asked).toEqual(['Was column person.name renamed to full_name? (no: drop it and add the new one)']);
    expect(p.source()).toContain("await op.renameColumn('person', 'name', 'full_name');");
  });

  it('--rename says it in a script; without it the file warns', async () => {
    const p = await project();
    const args = ['--config', 'relata.v2.config.ts', 'migrate', 'generate', '-m', 'rename'];
    const bad = await relataInProcess(p.dir, [...args, '--rename', 'person.name'], p.env);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      expect.stringContaining('--rename person.name: expected table.old_column=new_column'),
    ]);
    const run = await relataInProcess(p.dir, [...args, '--rename', 'person.name=full_name'], p.env);
    expect(run.code).toBe(0);
    expect(p.source()).toContain("await op.renameColumn('person', 'name', 'full_name');");
    rmSync(join(p.dir, 'migrations'), { recursive: true });
    const plain = await relataInProcess(p.dir, args, p.env);
    expect(plain.stdout).toContain('Check the POSSIBLE RENAME comments before applying it.');
    expect(p.source()).toContain('!!! POSSIBLE RENAME: if column person.name became full_name');
  });
});

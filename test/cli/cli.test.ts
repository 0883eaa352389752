/**
 * The `relata` command end to end in a temp project (relata.config.ts, models in TypeScript):
 * generate → file written → up → status → a second model version → down; push refusing destructive
 * changes; exit codes; and two processes running `migrate up` at once, where the migration runs
 * exactly once (its side effect counted from another connection). Real Node processes (through tsx)
 * for SQLite's end to end and for every two-process run; the other steps call run() in this process,
 * as each process costs a second or two of start-up.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it as plainIt } from 'vitest';
import { Engine } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { CONFIG, makeProject, relata as spawned, relataInProcess } from './project.js';

const MODELS_V1 = `import { Column, Database, Integer, String } from 'relata';

export const db = new Database(process.env.DATABASE_URL);
export class Person extends db.Model(
  'Person',
  { id: Column(Integer, { primaryKey: true }), name: Column(String(80), { nullable: false }) },
  { tableName: 'person' },
) {}
`;
const MODELS_V2 = MODELS_V1.replace(
  'name: Column(String(80), { nullable: false }) }',
  'name: Column(String(80), { nullable: false }), email: Column(String(120)) }',
);
/** The second version's config: other files, since a process caches a module by its path. */
const CONFIG_V2 = CONFIG.replace("'./src/models.ts'", "'./src/models2.ts'");
const V1 = ['--config', 'relata.config.ts'];
const V2 = ['--config', 'relata.v2.config.ts'];

/** A migration that records each run in cli_side (made by the test) and holds the lock a while. */
const SIDE_EFFECT = `import { defineMigration } from 'relata';

export default defineMigration({
  id: '001_side',
  revises: null,
  message: 'count my runs',
  async up(op) {
    await op.execute('INSERT INTO cli_side (n) VALUES (1)');
    // Long enough that the other process asks for the lock while this one holds it.
    await new Promise((r) => setTimeout(r, 700));
  },
  async down(op) {
    await op.execute('DELETE FROM cli_side');
  },
});
`;

describe('relata usage', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProject({});
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  plainIt('usage errors exit 2 with the usage; a missing config exits 1 naming it; --help exits 0', async () => {
    const runs = [];
    for (const args of [
      [],
      ['migrate', 'bogus'],
      ['migrate', 'generate'],
      ['push', '--out', 'x.ts'],
      ['migrate', 'up', 'a', 'b'],
      ['migrate', 'status'],
      ['--help'],
    ]) {
      runs.push(await relataInProcess(dir, args));
    }
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 1, 0]);
    expect(runs[1]!.stderr).toContain("relata: unknown command 'migrate bogus'");
    expect(runs[2]!.stderr).toContain('relata migrate generate needs a message: -m "what it does"');
    expect(runs[3]!.stderr).toContain('relata push takes no --out');
    expect(runs[4]!.stderr).toContain("relata migrate up: unexpected argument 'b'");
    expect(runs[5]!.stderr).toContain(`relata: no relata.config.ts in ${dir}`);
    expect(runs[6]!.stdout).toContain('Usage: relata <command> [options]');
  });
});

describeEachDialect('relata CLI', (t) => {
  const it = itOn(t);
  let dir: string;
  let url: string;
  let engine: Engine;
  const env = () => ({ DATABASE_URL: url });
  const count = async (sql: string) => Number((await engine.execute({ sql, params: [] })).rows[0]![0]);

  beforeAll(() => {
    dir = makeProject({
      'relata.config.ts': CONFIG,
      'relata.v2.config.ts': CONFIG_V2,
      'src/models.ts': MODELS_V1,
      'src/models2.ts': MODELS_V2,
    });
    // PostgreSQL directly: the default session-level lock needs a real session (see lock.ts).
    url = t.dialect === 'sqlite' ? `sqlite:///${join(dir, 'app.db')}` : t.directUrl;
    if (!t.skipReason) engine = new Engine(url);
  });
  afterAll(async () => {
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generate → up → status → generate the next version → sql → down, with exit codes', async () => {
    // Real processes for the main steps on SQLite (a second or two each); run() in this process for the rest.
    const real = t.dialect === 'sqlite' ? spawned : relataInProcess;
    const relata = relataInProcess;
    const first = await real(dir, [...V1, 'migrate', 'generate', '-m', 'create person'], env());
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toMatch(/Wrote migrations\/\d{8}_\d{6}_create_person\.ts: 1 change\n {2}add table 'person'/);
    const [file1] = readdirSync(join(dir, 'migrations'));
    const id1 = file1!.replace(/\.ts$/, '');
    expect(readFileSync(join(dir, 'migrations', file1!), 'utf8')).toContain("await op.createTable(\n      'person',");

    const up = await real(dir, [...V1, 'migrate', 'up'], env());
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`Applying ${id1} (create person) …`);
    expect(up.stdout).toContain(`1 migration applied; the database is at ${id1}`);
    await engine.execute({ sql: `INSERT INTO person (id, name) VALUES (1, 'Ann')`, params: [] });

    // Same second: the next id must differ, so wait for the clock to move on.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await relata(dir, [...V2, 'migrate', 'generate', '-m', 'add email'], env());
    expect(second.code).toBe(0);
    const file2 = readdirSync(join(dir, 'migrations')).find((f) => f !== file1)!;
    const source2 = readFileSync(join(dir, 'migrations', file2), 'utf8');
    expect(source2).toContain(`revises: '${id1}',`);
    expect(source2).toContain("await op.addColumn('person', Column('email', String(120)));");

    const status = await real(dir, [...V2, 'migrate', 'status'], env());
    expect(status.stdout).toMatch(new RegExp(`\\[x\\] ${id1}  create person  applied `));
    expect(status.stdout).toContain(`[ ] ${file2.replace(/\.ts$/, '')}  add email`);
    expect(status.stdout).toContain('1 pending');
    // A database behind the head gets no new migration.
    const behind = await relata(dir, [...V2, 'migrate', 'generate', '-m', 'again'], env());
    expect(behind.code).toBe(1);
    expect(behind.stderr).toContain('the database is not at the head');

    const sql = await relata(dir, [...V2, 'migrate', 'sql'], env());
    expect(sql.code).toBe(0);
    expect(sql.stdout).toMatch(/ADD (COLUMN )?.email. VARCHAR\(120\)/);
    expect(await count('SELECT count(*) FROM relata_migrations')).toBe(1);

    expect((await relata(dir, [...V2, 'migrate', 'up'], env())).code).toBe(0);
    expect(await count('SELECT count(*) FROM person WHERE email IS NULL')).toBe(1);
    const down = await relata(dir, [...V2, 'migrate', 'down'], env());
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`1 migration reverted; the database is at ${id1}`);
    const base = await real(dir, [...V2, 'migrate', 'down', 'base'], env());
    expect(base.stdout).toContain('the database is at base');
    expect(await count('SELECT count(*) FROM relata_migrations')).toBe(0);
    const unknown = await relata(dir, [...V2, 'migrate', 'up', 'nope'], env());
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, expect.stringContaining("relata: no migration 'nope'")]);
    rmSync(join(dir, 'migrations'), { recursive: true });
    await engine.execute({ sql: 'DROP TABLE relata_migrations', params: [] });
  });

  it('push applies the difference, and refuses destructive changes without --force, listing them', async () => {
    const relata = relataInProcess;
    const created = await relata(dir, [...V2, 'push'], env());
    expect([created.code, created.stdout]).toEqual([0, expect.stringContaining("add table 'person'")]);
    expect((await relata(dir, [...V2, 'push'], env())).stdout).toContain(
      'The database matches the models: nothing to push',
    );
    const refused = await relata(dir, [...V1, 'push'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('push refuses 1 destructive change (data would be lost); nothing was changed:');
    expect(refused.stderr).toMatch(/drop column 'person'.'email'|email/);
    const forced = await relata(dir, [...V1, 'push', '--force'], env());
    expect(forced.code).toBe(0);
    expect((await relata(dir, [...V1, 'push'], env())).stdout).toContain('nothing to push');
    await engine.execute({ sql: 'DROP TABLE person', params: [] });
  });

  const modes = t.dialect === 'postgres' ? (['session', 'transaction'] as const) : (['default'] as const);
  for (const mode of modes) {
    it(`two processes running migrate up at once run the migration exactly once (${mode} lock)`, async () => {
      const project = makeProject({ 'relata.config.ts': CONFIG, 'migrations/001_side.ts': SIDE_EFFECT });
      // The transaction-level lock is the one that works through PgBouncer: run it on t.url (the pooler in CI).
      const target =
        t.dialect === 'sqlite' ? `sqlite:///${join(project, 'app.db')}` : mode === 'transaction' ? t.url : url;
      const side = new Engine(target);
      try {
        await side.execute({ sql: 'CREATE TABLE cli_side (n INTEGER)', params: [] });
        const processEnv = { DATABASE_URL: target, RELATA_PG_LOCK: mode };
        const [a, b] = await Promise.all([
          spawned(project, ['migrate', 'up'], processEnv),
          spawned(project, ['migrate', 'up'], processEnv),
        ]);
        expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
        const outputs = [a.stdout, b.stdout];
        expect(outputs.filter((o) => o.includes('1 migration applied'))).toHaveLength(1);
        expect(outputs.filter((o) => /Nothing to apply|applied by another process/.test(o))).toHaveLength(1);
        // Counted from a connection of its own.
        expect(Number((await side.execute({ sql: 'SELECT count(*) FROM cli_side', params: [] })).rows[0]![0])).toBe(1);
        const versions = await side.execute({ sql: 'SELECT id FROM relata_migrations', params: [] });
        expect(versions.rows).toEqual([['001_side']]);
        await side.execute({ sql: 'DROP TABLE cli_side', params: [] });
        await side.execute({ sql: 'DROP TABLE relata_migrations', params: [] });
      } finally {
        await side.dispose();
        rmSync(project, { recursive: true, force: true });
      }
    });
  }

  it('a models module without a Database is named', async () => {
    const project = makeProject({ 'relata.config.ts': CONFIG, 'src/models.ts': 'export const x = 1;\n' });
    try {
      const run = await relataInProcess(project, ['push'], { DATABASE_URL: url });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`models module ${join(project, 'src/models.ts')} exports no Database`);
      expect(existsSync(join(project, 'migrations'))).toBe(false);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/**
 * The dry run (`relata migrate sql`) of a migration whose later operations name what its earlier ones
 * made (a renamed column given a UNIQUE, a new column indexed): the database has not run the earlier
 * ones, so checks against its catalog must not fail there. SQLite rehearses the steps in a rolled-back
 * transaction (its rebuild reads the table from the catalog), so its SQL is exact too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { Column, Engine, Integer, Migrator, String, defineMigration, type Migration } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function chain(): Migration[] {
  return [
    defineMigration({
      id: '001_person',
      revises: null,
      message: 'create person',
      up: (op) => op.createTable('dry_person', Column('id', Integer, { primaryKey: true }), Column('name', String(40))),
      down: (op) => op.dropTable('dry_person'),
    }),
    defineMigration({
      id: '002_handle',
      revises: '001_person',
      message: 'rename name to handle, make it unique, add email with an index',
      async up(op) {
        await op.renameColumn('dry_person', 'name', 'handle');
        await op.createUniqueConstraint('uq_dry_person_handle', 'dry_person', ['handle']);
        await op.addColumn('dry_person', Column('email', String(80)));
        await op.createIndex('ix_dry_person_email', 'dry_person', ['email']);
      },
      async down(op) {
        await op.dropIndex('ix_dry_person_email', 'dry_person');
        await op.dropColumn('dry_person', 'email');
        await op.dropConstraint('uq_dry_person_handle', 'dry_person', 'unique');
        await op.renameColumn('dry_person', 'handle', 'name');
      },
    }),
  ];
}

describeEachDialect('Migrator.sql (dry run)', (t) => {
  const it = itOn(t);
  let engine: Engine;
  let dir: string;
  const columns = async () =>
    (
      await engine.execute({
        sql:
          t.dialect === 'sqlite'
            ? `SELECT name FROM pragma_table_info('dry_person') ORDER BY cid`
            : t.dialect === 'postgres'
              ? `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'dry_person' ORDER BY ordinal_position`
              : `SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'dry_person' ORDER BY ordinal_position`,
        params: [],
      })
    ).rows.map((r) => r[0]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relata-dry-'));
    if (t.skipReason) return;
    engine = new Engine(t.dialect === 'sqlite' ? `sqlite:///${join(dir, 'app.db')}` : t.url);
    for (const table of ['dry_person', 'relata_migrations'])
      await engine.execute({ sql: `DROP TABLE IF EXISTS ${table}`, params: [] });
  });
  afterAll(async () => {
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the SQL of operations on what earlier operations of the same migration made, changing nothing', async () => {
    const m = new Migrator(engine, { migrations: chain() });
    await m.up('001_person');
    const [step] = await m.sql('up');
    expect(step!.id).toBe('002_handle');
    const sql = step!.statements.join('\n');
    expect(sql).toMatch(/handle/);
    expect(sql).toMatch(/uq_dry_person_handle/);
    expect(sql).toMatch(/ix_dry_person_email/);
    // Nothing ran: the table and the version table are as before.
    expect(await columns()).toEqual(['id', 'name']);
    expect((await m.status()).current).toBe('001_person');
    // And what it printed is what up runs.
    await m.up();
    expect(await columns()).toEqual(['id', 'handle', 'email']);
    const [back] = await m.sql('down');
    expect(back!.statements.join('\n')).toMatch(/"?name"?/);
    expect(await columns()).toEqual(['id', 'handle', 'email']);
    await m.down('base');
  });
});

/**
 * The Migrator on every database, with hand-written migrations (op.execute): up/down to targets,
 * status, the dry run, a failing migration (rolled back on PostgreSQL and SQLite, reported exactly
 * on MySQL), and PostgreSQL's transaction-level lock mode (which runs through PgBouncer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  Engine,
  MigrationError,
  MigrationFailedError,
  Migrator,
  defineMigration,
  type Migration,
  type MigratorOptions,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const TABLES = ['mig_note', 'mig_tag', 'mig_fail', 'relata_migrations'];

/** m1 creates mig_note, m2 adds a row (data migration), m3 creates mig_tag. */
function chain(): Migration[] {
  return [
    defineMigration({
      id: '001_note',
      revises: null,
      message: 'create note',
      up: async (op) => void (await op.execute('CREATE TABLE mig_note (id INTEGER PRIMARY KEY, body VARCHAR(50))')),
      down: async (op) => void (await op.execute('DROP TABLE mig_note')),
    }),
    defineMigration({
      id: '002_seed',
      revises: '001_note',
      message: 'seed a note',
      up: async (op) => void (await op.execute(`INSERT INTO mig_note (id, body) VALUES (1, 'hello')`)),
      down: async (op) => void (await op.execute('DELETE FROM mig_note WHERE id = 1')),
    }),
    defineMigration({
      id: '003_tag',
      revises: '002_seed',
      message: 'create tag',
      up: async (op) => void (await op.execute('CREATE TABLE mig_tag (id INTEGER PRIMARY KEY)')),
      down: async (op) => void (await op.execute('DROP TABLE mig_tag')),
    }),
  ];
}

describeEachDialect('Migrator', (t) => {
  const it = itOn(t);
  let engine: Engine;
  let dir: string;
  const migrator = (migrations: Migration[] = chain(), options: Omit<MigratorOptions, 'migrations'> = {}) =>
    // Behind a transaction-mode pooler (CI's PgBouncer run) a session-level lock is not held by a session: see lock.ts.
    new Migrator(engine, { migrations, ...(t.behindPooler && { postgresLock: 'transaction' }), ...options });
  const tables = async () => {
    const sql =
      t.dialect === 'sqlite'
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mig_%' ORDER BY name`
        : t.dialect === 'postgres'
          ? `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'mig_%' ORDER BY 1`
          : `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'mig_%' ORDER BY 1`;
    return (await engine.execute({ sql, params: [] })).rows.map((r) => r[0]);
  };
  const versions = async () =>
    (await engine.execute({ sql: 'SELECT id FROM relata_migrations ORDER BY id', params: [] })).rows.map((r) => r[0]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relata-runner-'));
    if (t.skipReason) return;
    engine = new Engine(t.dialect === 'sqlite' ? `sqlite:///${join(dir, 'app.db')}` : t.url);
  });
  afterEach(async () => {
    if (t.skipReason) return;
    for (const table of TABLES) await engine.execute({ sql: `DROP TABLE IF EXISTS ${table}`, params: [] });
  });
  afterAll(async () => {
    await engine?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('up applies every pending migration in chain order, once', async () => {
    const m = migrator([...chain()].reverse());
    expect((await m.up()).map((r) => [r.id, r.direction])).toEqual([
      ['001_note', 'up'],
      ['002_seed', 'up'],
      ['003_tag', 'up'],
    ]);
    expect(await tables()).toEqual(['mig_note', 'mig_tag']);
    expect(await versions()).toEqual(['001_note', '002_seed', '003_tag']);
    expect((await engine.execute({ sql: 'SELECT body FROM mig_note', params: [] })).rows).toEqual([['hello']]);
    expect(await m.up()).toEqual([]);
    const status = await m.status();
    expect(status.current).toBe('003_tag');
    expect(status.head).toBe('003_tag');
    expect(status.migrations.every((s) => s.appliedAt !== null)).toBe(true);
  });

  it('up and down to targets (ids or unique prefixes), down one step by default, down to base', async () => {
    const m = migrator();
    expect((await m.status()).current).toBeNull();
    expect((await m.up('002')).map((r) => r.id)).toEqual(['001_note', '002_seed']);
    expect((await m.status()).migrations.map((s) => s.appliedAt !== null)).toEqual([true, true, false]);
    expect((await m.down()).map((r) => [r.id, r.direction])).toEqual([['002_seed', 'down']]);
    const count = await engine.execute({ sql: 'SELECT count(*) FROM mig_note', params: [] });
    expect(Number(count.rows[0]![0])).toBe(0);
    await m.up();
    expect((await m.down('001_note')).map((r) => r.id)).toEqual(['003_tag', '002_seed']);
    expect(await versions()).toEqual(['001_note']);
    expect((await m.down('base')).map((r) => r.id)).toEqual(['001_note']);
    expect(await tables()).toEqual([]);
    expect(await versions()).toEqual([]);
  });

  it('an unknown or ambiguous target is an error naming it; reverting to an unapplied one too', async () => {
    const m = migrator();
    await expect(m.up('nope')).rejects.toThrow(/no migration 'nope' \(migrations: 001_note, 002_seed, 003_tag\)/);
    await expect(m.up('00')).rejects.toThrow(/'00' matches several migrations: 001_note, 002_seed, 003_tag/);
    await expect(m.down('003')).rejects.toThrow(MigrationError);
    await expect(m.down('003')).rejects.toThrow(/cannot revert down to '003_tag': it is not applied/);
  });

  it('a migration applied in the database but without a file is refused by up, listed by status', async () => {
    await migrator().up();
    const shorter = migrator(chain().slice(0, 2));
    await expect(shorter.up()).rejects.toThrow(/no migration file has: 003_tag/);
    expect((await shorter.status()).unknownApplied).toEqual(['003_tag']);
  });

  it('sql() returns the statements of a dry run and runs nothing', async () => {
    const m = migrator();
    const plan = await m.sql('up', '002_seed');
    expect(plan.map((p) => p.id)).toEqual(['001_note', '002_seed']);
    expect(plan[0]!.statements[0]).toMatch(/^CREATE TABLE IF NOT EXISTS .relata_migrations./);
    expect(plan[0]!.statements[1]).toBe('CREATE TABLE mig_note (id INTEGER PRIMARY KEY, body VARCHAR(50))');
    expect(plan[0]!.statements[2]).toMatch(
      /^INSERT INTO .relata_migrations. \(id, applied_at\) VALUES \('001_note', CURRENT_TIMESTAMP\)$/,
    );
    expect(plan[1]!.statements).toHaveLength(2);
    expect(await tables()).toEqual([]);
    await m.up();
    const down = await m.sql('down');
    expect(down.map((p) => [p.id, p.direction, p.statements[0]])).toEqual([['003_tag', 'down', 'DROP TABLE mig_tag']]);
    expect(await versions()).toEqual(['001_note', '002_seed', '003_tag']);
  });

  it('a data migration reads rows through op.execute', async () => {
    const seen: unknown[] = [];
    const read = defineMigration({
      id: '004_read',
      revises: '003_tag',
      message: 'read notes',
      up: async (op) => {
        seen.push(op.dialect, (await op.execute('SELECT id, body FROM mig_note')).rows);
      },
      down: async () => {},
    });
    await migrator([...chain(), read]).up();
    const dialect = t.dialect === 'postgres' ? 'postgresql' : t.dialect;
    expect(seen).toEqual([dialect, [{ id: 1, body: 'hello' }]]);
  });

  const failing = defineMigration({
    id: '004_fail',
    revises: '003_tag',
    message: 'fails halfway',
    up: async (op) => {
      await op.execute('CREATE TABLE mig_fail (id INTEGER PRIMARY KEY)');
      await op.execute('INSERT INTO no_such_table VALUES (1)');
    },
    down: async (op) => void (await op.execute('DROP TABLE mig_fail')),
  });

  if (t.dialect !== 'mysql') {
    it('a failing migration is rolled back whole; the migrations before it stay applied', async () => {
      const err = await migrator([...chain(), failing])
        .up()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      const e = err as MigrationFailedError;
      expect([e.migration, e.direction, e.rolledBack, e.appliedStatements]).toEqual(['004_fail', 'up', true, []]);
      expect(e.statement).toBe('INSERT INTO no_such_table VALUES (1)');
      expect(e.message).toMatch(/migration '004_fail' \(004_fail\) up: statement failed: INSERT INTO no_such_table/);
      expect(e.message).toMatch(/rolled back: nothing of it is applied/);
      expect(await tables()).toEqual(['mig_note', 'mig_tag']);
      expect(await versions()).toEqual(['001_note', '002_seed', '003_tag']);
    });
  } else {
    it('a failing migration is reported with its failing statement and the statements that stay applied', async () => {
      const err = await migrator([...chain(), failing])
        .up()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      const e = err as MigrationFailedError;
      expect([e.migration, e.rolledBack, e.statement]).toEqual([
        '004_fail',
        false,
        'INSERT INTO no_such_table VALUES (1)',
      ]);
      expect(e.appliedStatements).toEqual(['CREATE TABLE mig_fail (id INTEGER PRIMARY KEY)']);
      expect(e.message).toMatch(/MySQL commits DDL implicitly, so these 1 statement\(s\) of it ARE applied/);
      expect(await tables()).toEqual(['mig_fail', 'mig_note', 'mig_tag']);
      expect(await versions()).toEqual(['001_note', '002_seed', '003_tag']);
    });
  }

  if (t.dialect === 'postgres') {
    it("postgresLock: 'transaction' (for transaction-mode poolers) applies and reverts; transactional: false is refused", async () => {
      const m = migrator(chain(), { postgresLock: 'transaction' });
      expect((await m.up()).map((r) => r.id)).toEqual(['001_note', '002_seed', '003_tag']);
      expect(await m.up()).toEqual([]);
      expect((await m.down()).map((r) => r.id)).toEqual(['003_tag']);
      const loose = defineMigration({ ...chain()[2]!, transactional: false });
      const m2 = migrator([...chain().slice(0, 2), loose], { postgresLock: 'transaction' });
      await expect(m2.up()).rejects.toThrow(
        /'003_tag' \(003_tag\) has transactional: false, which postgresLock: 'transaction'/,
      );
    });

    it('transactional: false runs outside a transaction (CREATE INDEX CONCURRENTLY)', async () => {
      const concurrently = defineMigration({
        id: '004_index',
        revises: '003_tag',
        message: 'index concurrently',
        transactional: false,
        up: async (op) => void (await op.execute('CREATE INDEX CONCURRENTLY ix_mig_note_body ON mig_note (body)')),
        down: async (op) => void (await op.execute('DROP INDEX CONCURRENTLY ix_mig_note_body')),
      });
      // On the server directly: outside a transaction needs the session-level lock (see lock.ts).
      const direct = new Engine(t.directUrl);
      try {
        const m = new Migrator(direct, { migrations: [...chain(), concurrently] });
        expect((await m.up()).map((r) => r.id)).toContain('004_index');
        expect((await m.down()).map((r) => r.id)).toEqual(['004_index']);
      } finally {
        await direct.dispose();
      }
    });
  }
});

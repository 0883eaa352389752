/**
 * op.session(db) on every database: a migration adds a column, backfills it row by row through a
 * Session of a minimal model declared here (load, change, commit), then makes it NOT NULL. The
 * session runs on the migration's connection inside its transaction: a later failure rolls its
 * committed work back on PostgreSQL and SQLite; on MySQL (no transaction) it stays, and is reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  ArgumentError,
  Column,
  Database,
  Engine,
  IntegrityError,
  MigrationFailedError,
  MigrationSessionError,
  Session,
  Migrator,
  String,
  defineMigration,
  type Migration,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** The model as the backfill migration sees the table (the app's models would describe the newest schema). */
function backfillModels() {
  const db = new Database();
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      first: db.Column(db.String(40)),
      last: db.Column(db.String(40)),
      fullName: db.Column(db.String(90), { name: 'full_name' }),
    },
    { tableName: 'ms_person' },
  ) {}
  return { db, Person };
}

/** The table before the backfill. */
function minimalModels() {
  const db = new Database();
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      first: db.Column(db.String(40)),
      last: db.Column(db.String(40)),
    },
    { tableName: 'ms_person' },
  ) {}
  return { db, Person };
}

const create = defineMigration({
  id: '001_person',
  revises: null,
  message: 'person',
  up: async (op) => {
    await op.execute('CREATE TABLE ms_person (id INTEGER PRIMARY KEY, first VARCHAR(40), last VARCHAR(40))');
    await op.execute(
      `INSERT INTO ms_person (id, first, last) VALUES (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing'), (3, 'Grace', 'Hopper')`,
    );
  },
  down: async (op) => void (await op.execute('DROP TABLE ms_person')),
});

describeEachDialect('op.session()', (t) => {
  const it = itOn(t);
  let dir: string;
  let engine: Engine;
  /** A second engine: what other clients see. */
  let other: Engine;
  const rows = async () =>
    (await other.execute({ sql: 'SELECT id, full_name FROM ms_person ORDER BY id', params: [] })).rows.map((r) => [
      Number(r[0]),
      r[1],
    ]);
  const versions = async () =>
    (await other.execute({ sql: 'SELECT id FROM relata_migrations ORDER BY id', params: [] })).rows.map((r) => r[0]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relata-msess-'));
    if (t.skipReason) return;
    const url = t.dialect === 'sqlite' ? `sqlite:///${join(dir, 'app.db')}` : t.url;
    engine = new Engine(url);
    other = new Engine(url);
  });
  beforeEach(async () => {
    if (t.skipReason) return;
    await new Migrator(engine, { migrations: [create] }).up();
  });
  afterEach(async () => {
    if (t.skipReason) return;
    for (const table of ['ms_person', 'relata_migrations'])
      await engine.execute({ sql: `DROP TABLE IF EXISTS ${table}`, params: [] });
  });
  afterAll(async () => {
    await engine?.dispose();
    await other?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The backfill: add the column, fill it through a session, then NOT NULL; `events` gets the session's part. */
  function backfill(events: StatementEvent[], after?: () => Promise<void>): Migration {
    return defineMigration({
      id: '002_full_name',
      revises: '001_person',
      message: 'full name',
      up: async (op) => {
        await op.addColumn('ms_person', Column('full_name', String(90)));
        const { db, Person } = backfillModels();
        const session = op.session(db);
        const off = engine.onStatement((e) => events.push(e));
        try {
          // The column exists only in the migration's transaction (PostgreSQL, SQLite): the session sees it.
          for (const p of await session.query(Person).orderBy(Person.id).all()) p.fullName = `${p.first} ${p.last}`;
          await session.commit();
        } finally {
          off();
        }
        if (after) await after();
        await op.alterColumn('ms_person', 'full_name', { nullable: false });
      },
      down: async (op) => void (await op.dropColumn('ms_person', 'full_name')),
    });
  }

  it('backfills row by row on the migration connection, then the column is NOT NULL', async () => {
    const events: StatementEvent[] = [];
    const m = new Migrator(engine, { migrations: [create, backfill(events)] });
    expect((await m.up()).map((r) => r.id)).toEqual(['002_full_name']);
    expect(await rows()).toEqual([
      [1, 'Ada Lovelace'],
      [2, 'Alan Turing'],
      [3, 'Grace Hopper'],
    ]);
    await expect(
      other.execute({ sql: `INSERT INTO ms_person (id, first, full_name) VALUES (9, 'x', NULL)`, params: [] }),
    ).rejects.toThrow();
    const statements = events.filter((e) => e.kind === 'statement');
    expect(statements.map((e) => e.sql.split(' ')[0])).toEqual(['SELECT', 'UPDATE', 'UPDATE', 'UPDATE']);
    // Its transaction is a savepoint of the migration's (PostgreSQL, SQLite); MySQL has none to join.
    const control = events.filter((e) => e.kind === 'transaction').map((e) => e.sql);
    if (t.dialect === 'mysql') expect(control).toEqual(['START TRANSACTION', 'COMMIT']);
    else expect(control).toEqual(['SAVEPOINT relata_join_1', 'RELEASE SAVEPOINT relata_join_1']);
    expect(await versions()).toEqual(['001_person', '002_full_name']);
  });

  it('a failure after the session committed rolls it back (PostgreSQL, SQLite) or is reported (MySQL)', async () => {
    const fail = async () => {
      throw new Error('boom after the backfill');
    };
    const m = new Migrator(engine, { migrations: [create, backfill([], fail)] });
    const err = await m.up().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect((err as Error).message).toMatch(/migration '002_full_name' .* up: failed: boom after the backfill/);
    expect(await versions()).toEqual(['001_person']);
    if (t.dialect === 'mysql') {
      // No transaction around a MySQL migration: the column and the session's committed rows stay.
      expect((err as MigrationFailedError).rolledBack).toBe(false);
      // The report lists what stays: the ADD COLUMN and the session's UPDATEs.
      const applied = (err as MigrationFailedError).appliedStatements.map((sql) => sql.split(' ')[0]);
      expect(applied).toEqual(['ALTER', 'UPDATE', 'UPDATE', 'UPDATE']);
      expect((err as Error).message).toMatch(/these 4 statement\(s\) of it ARE applied/);
      expect(await rows()).toEqual([
        [1, 'Ada Lovelace'],
        [2, 'Alan Turing'],
        [3, 'Grace Hopper'],
      ]);
    } else {
      expect((err as MigrationFailedError).rolledBack).toBe(true);
      const cols = (await other.execute({ sql: 'SELECT * FROM ms_person', params: [] }, { columnNames: true })).columns;
      expect(cols).toEqual(['id', 'first', 'last']);
    }
  });

  it('rollback() undoes only the session since its savepoint; the migration goes on', async () => {
    const { db, Person } = minimalModels();
    const m = new Migrator(engine, {
      migrations: [
        create,
        defineMigration({
          id: '002_rollback',
          revises: '001_person',
          message: 'rollback',
          up: async (op) => {
            await op.execute(`UPDATE ms_person SET first = 'A' WHERE id = 1`);
            const session = op.session(db);
            const p = (await session.get(Person, 2))!;
            p.first = 'changed';
            await session.flush();
            await session.rollback();
            expect(p.first).toBe('Alan');
            await session.commit(); // nothing left to write
          },
          down: async () => {},
        }),
      ],
    });
    await m.up();
    const firsts = await other.execute({ sql: 'SELECT first FROM ms_person ORDER BY id', params: [] });
    expect(firsts.rows.map((r) => r[0])).toEqual(['A', 'Alan', 'Grace']);
  });

  it('a failing flush loses only the session savepoint: after rollback() the migration goes on', async () => {
    const { db, Person } = minimalModels();
    const m = new Migrator(engine, {
      migrations: [
        create,
        defineMigration({
          id: '002_dup',
          revises: '001_person',
          message: 'duplicate key',
          up: async (op) => {
            const session = op.session(db);
            session.add(new Person({ id: 1, first: 'dup', last: 'dup' }));
            await expect(session.commit()).rejects.toThrow(IntegrityError);
            await session.rollback();
            await op.execute(`UPDATE ms_person SET last = 'L' WHERE id = 1`);
          },
          down: async () => {},
        }),
      ],
    });
    await m.up();
    const last = await other.execute({ sql: 'SELECT last FROM ms_person WHERE id = 1', params: [] });
    expect(last.rows[0]![0]).toBe('L');
    expect(await versions()).toEqual(['001_person', '002_dup']);
  });

  it('a session left with uncommitted work fails the migration; a session never outlives its migration', async () => {
    const { db, Person } = minimalModels();
    let kept: Session | null = null;
    const m = new Migrator(engine, {
      migrations: [
        create,
        defineMigration({
          id: '002_dirty',
          revises: '001_person',
          message: 'dirty',
          up: async (op) => {
            const session = op.session(db);
            kept = session;
            (await session.get(Person, 1))!.first = 'lost';
          },
          down: async () => {},
        }),
      ],
    });
    const err = await m.up().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect((err as Error).message).toMatch(/neither committed nor rolled back .* call session.commit\(\)/);
    expect((err as Error).cause).toBeInstanceOf(MigrationSessionError);
    expect(await versions()).toEqual(['001_person']);
    const first = await other.execute({ sql: 'SELECT first FROM ms_person WHERE id = 1', params: [] });
    expect(first.rows[0]![0]).toBe('Ada');
    await expect(kept!.get(Person, 1)).rejects.toThrow(/belonged to its migration, which has ended/);
  });

  it('refuses in a dry run (except where SQLite rehearses for real), and refuses bad arguments', async () => {
    const { db } = minimalModels();
    const seen: unknown[] = [];
    const m = new Migrator(engine, {
      migrations: [
        create,
        defineMigration({
          id: '002_args',
          revises: '001_person',
          message: 'args',
          up: async (op) => {
            for (const bad of [
              () => op.session({} as never),
              () => op.session(db, { connection: null } as never),
              () => op.session(db, { autoflsh: true } as never),
            ])
              seen.push(
                (() => {
                  try {
                    bad();
                    return null;
                  } catch (e) {
                    return e;
                  }
                })(),
              );
            op.session(db);
          },
          down: async () => {},
        }),
      ],
    });
    if (t.dialect === 'sqlite') {
      expect((await m.sql())[0]!.id).toBe('002_args');
      // SQLite rehearses for real (rolled back): the session's writes are among the printed statements.
      const printed = (await new Migrator(engine, { migrations: [create, backfill([])] }).sql())[0]!.statements;
      expect(printed.filter((sql) => sql.startsWith('UPDATE'))).toHaveLength(3);
      expect(await versions()).toEqual(['001_person']);
    } else {
      await expect(m.sql()).rejects.toThrow(MigrationSessionError);
      await expect(m.sql()).rejects.toThrow(/op.session\(\) cannot run in a dry run/);
    }
    expect(seen[0]).toBeInstanceOf(ArgumentError);
    expect((seen[1] as Error).message).toMatch(
      /option 'connection' is not supported.*joins the migration's own connection/,
    );
    expect((seen[2] as Error).message).toMatch(/unknown option 'autoflsh'; did you mean 'autoflush'/);
  });
});

describeEachDialect('SessionOptions.connection (joining a transaction)', (t) => {
  const it = itOn(t);
  let engine: Engine;
  beforeAll(() => {
    if (!t.skipReason) engine = new Engine(t.url);
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('commits into the outer transaction, which decides; one joined session writes at a time', async () => {
    const { db: models, Person } = minimalModels();
    await engine.execute({ sql: 'DROP TABLE IF EXISTS ms_person', params: [] });
    await engine.execute({
      sql: 'CREATE TABLE ms_person (id INTEGER PRIMARY KEY, first VARCHAR(40), last VARCHAR(40))',
      params: [],
    });
    const conn = await engine.connect();
    try {
      await conn.begin();
      const joined = () => new Session(engine, models.registry, { connection: conn });
      const session = joined();
      session.add(new Person({ id: 1, first: 'Ada', last: 'Lovelace' }));
      await session.commit();
      expect(conn.inTransaction).toBe(true);
      const [a, b] = [joined(), joined()];
      a.add(new Person({ id: 2, first: 'Alan', last: 'Turing' }));
      await a.flush();
      b.add(new Person({ id: 3, first: 'Grace', last: 'Hopper' }));
      await expect(b.flush()).rejects.toThrow(/another session joined to this connection has an open transaction/);
      await a.rollback();
      await b.rollback();
      const seen = await conn.execute({ sql: 'SELECT id FROM ms_person ORDER BY id', params: [] });
      expect(seen.rows.map((r) => Number(r[0]))).toEqual([1]);
      await conn.rollback();
    } finally {
      conn.release();
    }
    const after = await engine.execute({ sql: 'SELECT count(*) FROM ms_person', params: [] });
    expect(Number(after.rows[0]![0])).toBe(0);
    await engine.execute({ sql: 'DROP TABLE ms_person', params: [] });
  });

  it('refuses a connection of another engine and unknown options', () => {
    const { db: models } = minimalModels();
    const foreign = { engine: new Engine('sqlite://') } as never;
    expect(() => new Session(engine, models.registry, { connection: foreign })).toThrow(
      /option connection belongs to another engine/,
    );
    expect(() => new Session(engine, models.registry, { bind: 1 } as never)).toThrow(
      /option 'bind' is not supported by Relata: use 'connection'/,
    );
    expect(() => new Session(engine, models.registry, { autoflsh: false } as never)).toThrow(ArgumentError);
  });
});

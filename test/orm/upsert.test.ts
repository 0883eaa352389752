/**
 * Upsert: `insert(Model).values(...).onConflictDoNothing() / onConflictDoUpdate() /
 * onDuplicateKeyUpdate()` and `session.upsert()` (get-or-create through the identity map), on every
 * dialect. Each test asserts the rows (read from a second Database), the SQL and the statements
 * run; the concurrent test counts from the second connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import {
  ArgumentError,
  CompileError,
  Database,
  IntegrityError,
  excluded,
  inserted,
  insert,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { nullable: false, unique: true }),
      uses: db.Column(db.Integer, { nullable: false, default: 0 }),
      note: db.Column(db.String(50)),
    },
    { tableName: 'up_tag' },
  ) {}
  /** Two unique keys besides the primary key: what MySQL's ON DUPLICATE KEY cannot tell apart. */
  class Slug extends db.Model(
    'Slug',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { nullable: false, unique: true }),
      code: db.Column(db.String(10), { nullable: false, unique: true }),
    },
    { tableName: 'up_slug' },
  ) {}
  return { Tag, Slug };
}

type Models = ReturnType<typeof models>;

/** The statements `fn` sends, without transaction control. */
async function statementsOf(db: Database, fn: () => Promise<unknown>): Promise<StatementEvent[]> {
  const seen: StatementEvent[] = [];
  const off = db.onStatement((e) => {
    if (e.kind === 'statement' && !/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i.test(e.sql))
      seen.push(e);
  });
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}

describeEachDialect('upsert', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'relata-upsert-'));
  let files = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const db of open.splice(0).reverse()) await db.close();
  });

  async function setup(): Promise<{ db: Database; m: Models; check: Database; cm: Models }> {
    const url = t.dialect === 'sqlite' ? `sqlite:///${join(dir, `u${++files}.db`)}` : t.url;
    const db = new Database(url);
    open.push(db);
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    await db.session.execute(insert(m.Tag).values([{ name: 'orm', uses: 3 }, { name: 'sql' }]));
    await db.session.commit();
    const check = new Database(url);
    open.push(check);
    return { db, m, check, cm: models(check) };
  }

  async function tagRows(check: Database, cm: Models): Promise<[string, number, string | null][]> {
    const s = check.newSession();
    const tags = await s.query(cm.Tag).orderBy(cm.Tag.name).all();
    await s.close();
    return tags.map((x) => [x.name, x.uses, x.note]);
  }

  it('onConflictDoNothing({ target }) inserts the new rows and keeps the existing ones, in one statement', async () => {
    const { db, m, check, cm } = await setup();
    const seen = await statementsOf(db, async () => {
      const r = await db.session.execute(
        insert(m.Tag)
          .values([{ name: 'orm', uses: 99 }, { name: 'new' }])
          .onConflictDoNothing({ target: m.Tag.name }),
      );
      // What the database reports: MySQL counts the kept row too (1 per row found, 2 per row changed).
      expect(r.rowsAffected).toBe(t.dialect === 'mysql' ? 2 : 1);
      await db.session.commit();
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sql).toBe(
      t.dialect === 'mysql'
        ? 'INSERT INTO `up_tag` (`name`, `uses`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `name` = `name`'
        : t.dialect === 'postgres'
          ? 'INSERT INTO "up_tag" ("name", "uses") VALUES ($1, $2), ($3, $4) ON CONFLICT ("name") DO NOTHING'
          : 'INSERT INTO "up_tag" ("name", "uses") VALUES (?, ?), (?, ?) ON CONFLICT ("name") DO NOTHING',
    );
    expect(await tagRows(check, cm)).toEqual([
      ['new', 0, null],
      ['orm', 3, null],
      ['sql', 0, null],
    ]);
  });

  it('onConflictDoNothing() without a target keeps a row on any key; other errors still fail (no INSERT IGNORE)', async () => {
    const { db, m, check, cm } = await setup();
    await db.session.execute(insert(m.Tag).values({ name: 'sql', uses: 7 }).onConflictDoNothing());
    await db.session.commit();
    expect(await tagRows(check, cm)).toEqual([
      ['orm', 3, null],
      ['sql', 0, null],
    ]);
    // A NULL in a NOT NULL column is still the database's error (INSERT IGNORE would store '' on MySQL).
    await expect(
      db.session.execute(
        insert(m.Tag)
          .values({ name: null as never, uses: 1 })
          .onConflictDoNothing(),
      ),
    ).rejects.toBeInstanceOf(IntegrityError);
    await db.session.rollback();
    expect(await tagRows(check, cm)).toHaveLength(2);
  });

  it('onConflictDoUpdate({ target, set }) with excluded() updates the existing row from the inserted values', async () => {
    const { db, m, check, cm } = await setup();
    const seen = await statementsOf(db, async () => {
      await db.session.execute(
        insert(m.Tag)
          .values([
            { name: 'orm', uses: 10, note: 'kept' },
            { name: 'fresh', uses: 1, note: 'new' },
          ])
          .onConflictDoUpdate({ target: m.Tag.name, set: { uses: excluded(m.Tag.uses), note: 'updated' } }),
      );
      await db.session.commit();
    });
    expect(seen).toHaveLength(1);
    const tail = seen[0]!.sql.slice(seen[0]!.sql.indexOf(' ON '));
    expect(tail).toBe(
      t.dialect === 'mysql'
        ? ' ON DUPLICATE KEY UPDATE `uses` = VALUES(`uses`), `note` = ?'
        : t.dialect === 'postgres'
          ? ' ON CONFLICT ("name") DO UPDATE SET "uses" = EXCLUDED."uses", "note" = $7'
          : ' ON CONFLICT ("name") DO UPDATE SET "uses" = EXCLUDED."uses", "note" = ?',
    );
    expect(await tagRows(check, cm)).toEqual([
      ['fresh', 1, 'new'],
      ['orm', 10, 'updated'],
      ['sql', 0, null],
    ]);
  });

  it('onConflictDoUpdate({ where }) runs on PostgreSQL and SQLite; MySQL, which has no such clause, refuses it', async () => {
    const { db, m, check, cm } = await setup();
    const stmt = insert(m.Tag)
      .values([
        { name: 'orm', uses: 1 },
        { name: 'sql', uses: 1 },
      ])
      .onConflictDoUpdate({ target: m.Tag.name, set: { uses: excluded(m.Tag.uses) }, where: m.Tag.uses.eq(0) });
    if (t.dialect === 'mysql') {
      await expect(db.session.execute(stmt)).rejects.toThrow(/no ON DUPLICATE KEY UPDATE … WHERE/);
      return;
    }
    await db.session.execute(stmt);
    await db.session.commit();
    expect(await tagRows(check, cm)).toEqual([
      ['orm', 3, null], // uses was not 0: kept
      ['sql', 1, null],
    ]);
  });

  it("onDuplicateKeyUpdate() with inserted() is MySQL's spelling: it runs there, and elsewhere says what to use", async () => {
    const { db, m, check, cm } = await setup();
    const stmt = insert(m.Tag)
      .values({ name: 'orm', uses: 5 })
      .onDuplicateKeyUpdate({ uses: inserted(m.Tag.uses) });
    if (t.dialect !== 'mysql') {
      await expect(db.session.execute(stmt)).rejects.toThrow(
        /onDuplicateKeyUpdate\(\) is MySQL\/MariaDB's spelling; on (postgres|sqlite) use onConflictDoUpdate/,
      );
      return;
    }
    await db.session.execute(stmt);
    await db.session.commit();
    expect((await tagRows(check, cm))[0]).toEqual(['orm', 5, null]);
  });

  it('a target must be a unique key; on MySQL no other unique key may be among the inserted columns', async () => {
    const { db, m } = await setup();
    expect(() => insert(m.Tag).values({ name: 'a' }).onConflictDoNothing({ target: m.Tag.uses })).toThrow(
      /\(uses\) is not the primary key, a UNIQUE constraint or a unique index of table up_tag/,
    );
    expect(() =>
      insert(m.Tag)
        .values({ name: 'a' })
        .onConflictDoNothing({ target: m.Slug.name as never }),
    ).toThrow(ArgumentError);
    expect(() =>
      insert(m.Tag)
        .values({ name: 'a' })
        .onConflictDoUpdate({ target: m.Tag.name, set: { nope: 1 } as never }),
    ).toThrow(/Tag has no column attribute 'nope'/);
    const both = insert(m.Slug)
      .values({ name: 'a', code: 'A' })
      .onConflictDoUpdate({ target: m.Slug.name, set: { code: excluded(m.Slug.code) } });
    if (t.dialect === 'mysql') {
      const err = await db.session.execute(both).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompileError);
      expect((err as Error).message).toMatch(
        /fires on a conflict with any unique key, and table up_slug also has \(code\)/,
      );
    } else {
      await db.session.execute(both);
      await db.session.commit();
    }
  });

  it('session.upsert() gets or creates objects in one statement (two on MySQL), through the identity map', async () => {
    const { db, m, check, cm } = await setup();
    const s = db.newSession();
    const orm = await s.query(m.Tag).filterBy({ name: 'orm' }).one();
    let tags: InstanceType<Models['Tag']>[] = [];
    const seen = await statementsOf(db, async () => {
      tags = await s.upsert(m.Tag, [{ name: 'new' }, { name: 'orm' }, { name: 'new' }], { target: m.Tag.name });
    });
    // MariaDB ≥ 10.5 returns the rows from ON DUPLICATE KEY UPDATE … RETURNING: one statement too.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sql).toMatch(
      t.dialect === 'mysql' ? /ON DUPLICATE KEY UPDATE .* RETURNING/ : /DO UPDATE SET .* RETURNING/,
    );
    expect(tags.map((x) => x.name)).toEqual(['new', 'orm', 'new']);
    expect(tags[1]).toBe(orm); // the object already loaded, not a copy
    expect(tags[0]).toBe(tags[2]);
    expect(orm.uses).toBe(3); // kept as it was
    expect(typeof tags[0]!.id).toBe('number');
    expect(await s.get(m.Tag, tags[0]!.id)).toBe(tags[0]); // in the identity map: no SELECT
    expect(s.isDirty).toBe(false);
    await s.commit();
    await s.close();
    expect(await tagRows(check, cm)).toEqual([
      ['new', 0, null],
      ['orm', 3, null],
      ['sql', 0, null],
    ]);
  });

  it("session.upsert({ set }) updates the existing rows, and a loaded object takes the database's values", async () => {
    const { db, m, check, cm } = await setup();
    const s = db.newSession();
    const orm = await s.query(m.Tag).filterBy({ name: 'orm' }).one();
    const [a, b] = await s.upsert(
      m.Tag,
      [
        { name: 'orm', uses: 1, note: 'again' },
        { name: 'more', uses: 1, note: 'first' },
      ],
      { target: m.Tag.name, set: { note: excluded(m.Tag.note) } },
    );
    expect(a).toBe(orm);
    expect([orm.uses, orm.note]).toEqual([3, 'again']);
    expect([b!.name, b!.uses, b!.note]).toEqual(['more', 1, 'first']);
    await s.commit();
    await s.close();
    expect(await tagRows(check, cm)).toEqual([
      ['more', 1, 'first'],
      ['orm', 3, 'again'],
      ['sql', 0, null],
    ]);
    await expect(
      db.newSession().upsert(
        m.Tag,
        [
          { name: 'x', note: 'a' },
          { name: 'x', note: 'b' },
        ],
        { target: m.Tag.name, set: { note: excluded(m.Tag.note) } },
      ),
    ).rejects.toThrow(/two rows have the key \["x"\] with different values/);
    await expect(db.newSession().upsert(m.Tag, [{ uses: 1 }], { target: m.Tag.name })).rejects.toThrow(
      /a row has no Tag.name, the key it is matched on/,
    );
  });

  it('without RETURNING (MySQL, MariaDB < 10.5) session.upsert() is the INSERT and a SELECT … FOR UPDATE', async () => {
    if (t.dialect !== 'mysql') return;
    const { db, m } = await setup();
    const compiler = db.engine.dialect.compiler as unknown as { supportsReturning: boolean };
    compiler.supportsReturning = false;
    try {
      const s = db.newSession();
      let tags: InstanceType<Models['Tag']>[] = [];
      const seen = await statementsOf(db, async () => {
        tags = await s.upsert(m.Tag, [{ name: 'sql' }, { name: 'mysql' }], { target: m.Tag.name });
      });
      expect(seen.map((e) => e.sql)).toEqual([
        'INSERT INTO `up_tag` (`name`, `uses`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `name` = `up_tag`.`name`',
        'SELECT `up_tag`.`id`, `up_tag`.`name`, `up_tag`.`uses`, `up_tag`.`note` FROM `up_tag` ' +
          'WHERE (`up_tag`.`name` = ? OR `up_tag`.`name` = ?) FOR UPDATE',
      ]);
      expect(tags.map((x) => x.name)).toEqual(['sql', 'mysql']);
      await s.rollback();
      await s.close();
    } finally {
      compiler.supportsReturning = true;
    }
  });

  it('40 sessions upserting the same tags at once: no error, one row per name, every session the same ids', async () => {
    const { db, m, check, cm } = await setup();
    const names = ['orm', 'hot', 'cold'];
    const failed: StatementEvent[] = [];
    const off = db.onStatement((e) => {
      if (e.kind === 'statement' && e.error) failed.push(e);
    });
    let results: number[][];
    try {
      results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          db.transaction(async (s) => {
            // Each session names the tags in its own order: the rows are still locked in one order.
            const mine = i % 2 ? [...names].reverse() : names;
            const tags = await s.upsert(
              m.Tag,
              mine.map((name) => ({ name })),
              { target: m.Tag.name },
            );
            return names.map((n) => tags.find((x) => x.name === n)!.id);
          }),
        ),
      );
    } finally {
      off();
    }
    expect(failed.map((e) => e.error?.message)).toEqual([]);
    expect(new Set(results.map((r) => r.join(','))).size).toBe(1);
    expect(await tagRows(check, cm)).toEqual([
      ['cold', 0, null],
      ['hot', 0, null],
      ['orm', 3, null],
      ['sql', 0, null],
    ]);
  });
});

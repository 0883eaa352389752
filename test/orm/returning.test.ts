/**
 * RETURNING on bulk INSERT, UPDATE and DELETE: typed rows (`returning(Tag.id, Tag.name)`) or objects
 * through the identity map (`returning(Tag)`), on every dialect, and the refusal where the server
 * has none (UPDATE … RETURNING on MariaDB), before anything is sent.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  ArgumentError,
  CompileError,
  Database,
  delete_,
  excluded,
  insert,
  update,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { sqliteFileUrl } from '../support/outside.js';

function models(db: Database) {
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { nullable: false, unique: true }),
      uses: db.Column(db.Integer, { nullable: false, default: 0 }),
      seen: db.Column(db.DateTime),
    },
    { tableName: 'ret_tag' },
  ) {}
  class Note extends db.Model(
    'Note',
    { id: db.Column(db.Integer, { primaryKey: true }), body: db.Column(db.String(50)) },
    { tableName: 'ret_note' },
  ) {}
  return { Tag, Note };
}

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

describeEachDialect('RETURNING on bulk statements', (t) => {
  const it = itOn(t);
  let db: Database;
  let check: Database;
  let m: ReturnType<typeof models>;
  let cm: ReturnType<typeof models>;

  beforeAll(async () => {
    if (t.skipReason) return;
    const url = t.dialect === 'sqlite' ? sqliteFileUrl() : t.url;
    db = new Database(url);
    m = models(db);
    await db.dropAll();
    await db.createAll();
    check = new Database(url);
    cm = models(check);
  });
  afterAll(async () => {
    await db?.close();
    await check?.close();
  });

  async function reset(): Promise<void> {
    await db.session.close();
    const s = db.newSession();
    await s.execute(delete_(m.Tag).allRows());
    await s.commit();
    await s.close();
  }

  it('insert().returning(columns) gives typed rows, values converted by the column types', async () => {
    await reset();
    const when = new Date('2026-01-02T03:04:05.000Z');
    let rows: { id: number; name: string; seen: Date | null }[] = [];
    const seen = await statementsOf(db, async () => {
      rows = await db.session.execute(
        insert(m.Tag)
          .values([
            { name: 'a', seen: when },
            { name: 'b', seen: null },
          ])
          .returning(m.Tag.id, m.Tag.name, m.Tag.seen),
      );
    });
    await db.session.commit();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sql).toMatch(/RETURNING [`"]id[`"], [`"]name[`"], [`"]seen[`"]$/);
    expect(rows.map((r) => [r.name, r.seen])).toEqual([
      ['a', when],
      ['b', null],
    ]);
    expect(rows[0]!.seen).toBeInstanceOf(Date);
    const ids = (await check.newSession().query(cm.Tag).orderBy(cm.Tag.name).all()).map((x) => x.id);
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('insert().returning(Model) gives objects in the identity map, persistent and clean', async () => {
    await reset();
    const s = db.newSession();
    const tags = await s.execute(
      insert(m.Tag)
        .values([{ name: 'x', uses: 2 }, { name: 'y' }])
        .returning(m.Tag),
    );
    expect(tags.map((x) => [x.name, x.uses])).toEqual([
      ['x', 2],
      ['y', 0],
    ]);
    expect(tags[0]).toBeInstanceOf(m.Tag);
    const n = await db.countQueries(async () => expect(await s.get(m.Tag, tags[0]!.id)).toBe(tags[0]));
    expect(n).toBe(0);
    expect(s.isDirty).toBe(false);
    tags[1]!.uses = 5;
    await s.commit();
    expect((await check.newSession().query(cm.Tag).filterBy({ name: 'y' }).one()).uses).toBe(5);
    await s.close();
  });

  it('upsert().returning(Model): a loaded object takes the values the database wrote', async () => {
    await reset();
    const s = db.newSession();
    await s.execute(insert(m.Tag).values({ name: 'u', uses: 1 }));
    await s.commit();
    const u = await s.query(m.Tag).filterBy({ name: 'u' }).one();
    const [back] = await s.execute(
      insert(m.Tag)
        .values({ name: 'u', uses: 7 })
        .onConflictDoUpdate({ target: m.Tag.name, set: { uses: excluded(m.Tag.uses) } })
        .returning(m.Tag),
    );
    expect(back).toBe(u);
    expect(u.uses).toBe(7);
    await s.rollback();
    await s.close();
    const doNothing = insert(m.Tag).values({ name: 'u' }).onConflictDoNothing().returning(m.Tag.id);
    if (t.dialect === 'mysql') {
      await expect(db.session.execute(doNothing)).rejects.toThrow(/also returns the rows that were kept/);
    } else {
      expect(await db.session.execute(doNothing)).toEqual([]); // nothing inserted, nothing returned
    }
    await db.session.rollback();
  });

  it('update().returning(): rows, loaded objects in step; MariaDB refuses it before sending anything', async () => {
    await reset();
    await db.session.execute(insert(m.Tag).values([{ name: 'p' }, { name: 'q' }, { name: 'r' }]));
    await db.session.commit();
    const s = db.newSession();
    const p = await s.query(m.Tag).filterBy({ name: 'p' }).one();
    const stmt = update(m.Tag)
      .where(m.Tag.name.in(['p', 'q']))
      .values({ uses: 4 });
    if (t.dialect === 'mysql') {
      let err: unknown;
      const seen = await statementsOf(db, async () => {
        err = await s.execute(stmt.returning(m.Tag.id)).catch((e: unknown) => e);
      });
      expect(err).toBeInstanceOf(CompileError);
      expect((err as Error).message).toMatch(
        /^MariaDB \d+\.\d+ has no UPDATE … RETURNING \(MariaDB has it for INSERT and DELETE only\)/,
      );
      expect(seen).toEqual([]);
      // The session is usable: the same UPDATE without RETURNING runs.
      expect((await s.execute(stmt)).rowsAffected).toBe(2);
      await s.commit();
      await s.close();
      return;
    }
    let rows: { id: number; uses: number }[] = [];
    const seen = await statementsOf(db, async () => {
      rows = await s.execute(stmt.returning(m.Tag.id, m.Tag.uses));
    });
    expect(seen).toHaveLength(1); // no SELECT of the keys first: RETURNING gives them
    expect(rows.map((r) => r.uses)).toEqual([4, 4]);
    expect(p.uses).toBe(4);
    const objects = await s.execute(update(m.Tag).where(m.Tag.name.eq('p')).values({ uses: 6 }).returning(m.Tag));
    expect(objects).toEqual([p]);
    expect(p.uses).toBe(6);
    await s.commit();
    await s.close();
    const stored = await check.newSession().query(cm.Tag).orderBy(cm.Tag.name).all();
    expect(stored.map((x) => x.uses)).toEqual([6, 4, 0]);
  });

  it('delete_().returning(): the deleted rows, and loaded objects leave the identity map', async () => {
    await reset();
    await db.session.execute(insert(m.Tag).values([{ name: 'd1' }, { name: 'd2' }, { name: 'keep' }]));
    await db.session.commit();
    const s = db.newSession();
    const d1 = await s.query(m.Tag).filterBy({ name: 'd1' }).one();
    const stmt = delete_(m.Tag).where(m.Tag.name.like('d%')).returning(m.Tag.name);
    if (t.dialect === 'mysql' && !db.engine.dialect.compiler.supportsDeleteReturning) {
      await expect(s.execute(stmt)).rejects.toBeInstanceOf(CompileError);
      return;
    }
    const rows = await s.execute(stmt);
    expect(rows.map((r) => r.name).sort()).toEqual(['d1', 'd2']);
    expect(s.size).toBe(0);
    expect(await s.get(m.Tag, d1.id)).toBeNull();
    await s.commit();
    await s.close();
    expect((await check.newSession().query(cm.Tag).all()).map((x) => x.name)).toEqual(['keep']);
    const s2 = db.newSession();
    // The same DELETE as reset()'s, with RETURNING: a statement of its own, not the cached text.
    const gone = await s2.execute(delete_(m.Tag).allRows().returning(m.Tag));
    expect(gone.map((x) => x.name)).toEqual(['keep']);
    expect(s2.size).toBe(0);
    await s2.rollback();
    await s2.close();
  });

  it('returning() of another model or of nothing is refused, naming the model', () => {
    expect(() => insert(m.Tag).returning(m.Note.body as never)).toThrow(/Note.body is not a column of Tag/);
    expect(() => insert(m.Tag).returning(m.Note as never)).toThrow(ArgumentError);
    expect(() => (insert(m.Tag).returning as () => unknown).call(insert(m.Tag))).toThrow(
      /insert\(Tag\).returning\(\) needs the model \(Tag\) or some of its columns/,
    );
  });
});

/**
 * Multi-row INSERTs and selectin IN lists stay under each database's parameter limit, and generated
 * keys come back for every row.
 */
import { afterEach, expect } from 'vitest';
import { MysqlDialect } from '../../src/dialects/mysql/dialect.js';
import { binaryCollationFor } from '../../src/dialects/mysql/compiler.js';
import { Database, selectinload } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Batched INSERTs', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('splits a large flush by maxParameters and assigns every generated key', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Row extends db.Model('Row', {
      id: db.Column(db.Integer, { primaryKey: true }),
      a: db.Column(db.Integer, { nullable: false }),
      b: db.Column(db.String(20), { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    const n = 24_000; // 48,000 parameters: one statement on PostgreSQL/MySQL (limit 65,000), two on SQLite (30,000)
    const rows = Array.from({ length: n }, (_, i) => new Row({ a: i, b: `r${i}` }));
    db.session.addAll(rows);
    const inserts = (await db.recordQueries(() => db!.session.commit())).filter((e) => e.sql.startsWith('INSERT'));
    const max = db.engine.dialect.compiler.maxParameters;
    expect(max).toBeLessThan(65_535);
    expect(inserts.length).toBe(Math.ceil(n / Math.floor(max / 2)));
    for (const e of inserts) expect(e.params.length).toBeLessThanOrEqual(max);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(n);
    // Each object got the key of its own row.
    const sample = [0, 1, n - 1].map((i) => rows[i]!);
    const s = db.newSession();
    for (const r of sample) expect((await s.get(Row, r.id))!.a).toBe(r.a);
  }, 60_000);

  it('MySQL without RETURNING (MySQL, TiDB, MariaDB < 10.5): keys from insertId, and the SQL has no RETURNING', async () => {
    if (t.dialect !== 'mysql') return;
    const dialect = new MysqlDialect(t.url);
    // Pretend the server is MySQL 8 whatever it is, so this runs on MariaDB too.
    const configure = dialect.compiler.configureFor.bind(dialect.compiler);
    dialect.compiler.configureFor = (server) => {
      configure({ flavor: 'mysql', version: [8, 0, 36] });
      dialect.compiler.collation = binaryCollationFor(server); // a collation the real server has
    };
    db = new Database(t.url, { nPlusOne: 'off', dialect });
    class Row extends db.Model('Row', {
      id: db.Column(db.Integer, { primaryKey: true }),
      a: db.Column(db.Integer, { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.add(new Row({ a: -1 }));
    await db.session.commit();
    const rows = Array.from({ length: 50 }, (_, i) => new Row({ a: i }));
    db.session.addAll(rows);
    const inserts = (await db.recordQueries(() => db!.session.commit())).filter((e) => e.sql.startsWith('INSERT'));
    expect(inserts.map((e) => /RETURNING/.test(e.sql))).toEqual([false]);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const s = db.newSession();
    for (const r of [rows[0]!, rows[49]!]) expect((await s.get(Row, r.id))!.a).toBe(r.a);
  });

  it('selectin IN lists are cut at the parameter limit, and every parent gets its own children', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Parent extends db.Model('Parent', {
      id: db.Column(db.Integer, { primaryKey: true }),
      children: db.relationship<Child>('Child'),
    }) {}
    class Child extends db.Model('Child', {
      id: db.Column(db.Integer, { primaryKey: true }),
      parentId: db.Column(db.Integer, db.ForeignKey('parent.id'), { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    const max = db.engine.dialect.compiler.maxParameters;
    const n = 31_000; // two IN lists on SQLite (30,000 keys each at most), one on PostgreSQL/MySQL
    // Children for the first and the last parent, so both batches must be matched back to their parents.
    const parents = Array.from(
      { length: n },
      (_, i) => new Parent({ children: i === 0 ? [new Child()] : i === n - 1 ? [new Child(), new Child()] : [] }),
    );
    db.session.addAll(parents);
    await db.session.commit();
    const s = db.newSession();
    const events = await db.recordQueries(async () => {
      const loaded = await s.query(Parent).options(selectinload(Parent.children)).orderBy(Parent.id).all();
      expect(loaded.map((p) => p.children.length).filter((c) => c > 0)).toEqual([1, 2]);
      expect(loaded[n - 1]!.children.every((c) => c.parentId === loaded[n - 1]!.id)).toBe(true);
    });
    const inLists = events.slice(1).map((e) => e.params.length);
    expect(inLists).toEqual(max >= n ? [n] : [max, n - max]);
  }, 60_000);
});

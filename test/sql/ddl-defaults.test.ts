import { afterEach, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('DDL: serverDefault and onUpdate', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  function docs(d: Database) {
    let clock = 0;
    class Doc extends d.Model('Doc', {
      id: d.Column(d.Integer, { primaryKey: true }),
      title: d.Column(d.String(40), { nullable: false }),
      status: d.Column(d.String(10), { nullable: false, serverDefault: "'draft'" }),
      views: d.Column(d.Integer, { nullable: false, serverDefault: d.text('0') }),
      revision: d.Column(d.Integer, { nullable: false, default: 0, onUpdate: () => ++clock }),
    }) {}
    return Doc;
  }

  it("renders DEFAULT in the DDL and reads the database's values back after INSERT", async () => {
    db = new Database(t.url);
    const Doc = docs(db);
    await db.dropAll();
    await db.createAll();
    const ddl = db.engine.dialect.compiler.createTable(db.registry.metadata.tables.get('doc')!)[0]!.replace(/`/g, '"');
    expect(ddl).toContain(`"status" VARCHAR(10) NOT NULL DEFAULT 'draft'`);
    expect(ddl).toMatch(/"views" INT(EGER)? NOT NULL DEFAULT 0/);
    const a = new Doc({ title: 'a' });
    const b = new Doc({ title: 'b', status: 'final' });
    db.session.add(a);
    db.session.add(b);
    const n = await db.countQueries(() => db!.session.commit());
    expect([a.status, a.views, b.status, b.views]).toEqual(['draft', 0, 'final', 0]);
    // The INSERT(s), one SELECT by key per batch that left a server-defaulted column unset, COMMIT (and BEGIN).
    expect(n).toBeLessThanOrEqual(5);
    const again = (await db.newSession().get(Doc, a.id))!;
    expect(again.status).toBe('draft');
  });

  it('onUpdate writes its value on every UPDATE that does not set the column', async () => {
    db = new Database(t.url);
    const Doc = docs(db);
    await db.dropAll();
    await db.createAll();
    const d = new Doc({ title: 'a' });
    db.session.add(d);
    await db.session.commit();
    expect(d.revision).toBe(0);
    d.title = 'b';
    await db.session.commit();
    expect(d.revision).toBe(1);
    d.title = 'c';
    d.revision = 40;
    await db.session.commit();
    expect(d.revision).toBe(40);
    await db.session.commit(); // nothing changed: no UPDATE, no new value
    expect(d.revision).toBe(40);
    const fresh = (await db.newSession().get(Doc, d.id))!;
    expect([fresh.title, fresh.revision]).toEqual(['c', 40]);
  });

  it('refuses a serverDefault with parameters or of the wrong kind, naming the column', () => {
    db = new Database('sqlite://');
    expect(() => db!.Table('x', db!.Column('a', db!.Integer, { serverDefault: db!.text('?', [1]) }))).toThrow(
      /Column 'a': a serverDefault cannot have bound parameters/,
    );
    expect(() => db!.Table('y', db!.Column('a', db!.Integer, { serverDefault: 0 as never }))).toThrow(
      /option serverDefault must be SQL text/,
    );
    db.registry.metadata.tables.clear();
  });
});

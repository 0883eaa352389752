/** Cases from shared/reference/reliability.md: injection corpus, orphan moves, stale sessions. */
import { afterEach, expect } from 'vitest';
import { ArgumentError, Database } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const CORPUS = [
  "'",
  '"',
  '`',
  "\\'",
  '\\',
  '$1',
  ':name',
  '?',
  '/* x */',
  '--',
  "'; DROP TABLE t; --",
  'é☃\u0000z'.replace('\u0000', ''),
  '%_',
];

function weirdModels(db: Database) {
  // Quotes of every dialect inside identifiers: they must be doubled, never break out.
  class Weird extends db.Model(
    'Weird',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      value: db.Column(db.Text, { name: 'val"ue`s' }),
    },
    { tableName: 'we"ird`table' },
  ) {}
  class Parent extends db.Model('Parent', {
    id: db.Column(db.Integer, { primaryKey: true }),
    children: db.relationship<Child>('Child', { backPopulates: 'parent', cascade: 'all, delete-orphan' }),
  }) {}
  class Child extends db.Model('Child', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(20), { nullable: false }),
    parent_id: db.Column(db.Integer, db.ForeignKey('parent.id'), { nullable: false }),
    parent: db.relationship<Parent>('Parent', { backPopulates: 'children', uselist: false }),
  }) {}
  return { Weird, Parent, Child };
}

describeEachDialect('Safety', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  const open = async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const m = weirdModels(db);
    await db.dropAll();
    await db.createAll();
    return { db, ...m };
  };
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it('stores and reads back quotes, backslashes and placeholders byte for byte, in values and identifiers', async () => {
    const { db, Weird } = await open();
    db.session.addAll(CORPUS.map((value) => new Weird({ value })));
    await db.session.commit();
    const rows = await db.newSession().query(Weird).orderBy(Weird.id).all();
    expect(rows.map((r) => r.value)).toEqual(CORPUS);
    for (const value of CORPUS) {
      const found = await db.newSession().query(Weird).filter(Weird.value.eq(value)).all();
      expect(found.map((r) => r.value)).toEqual([value]);
    }
    expect(await db.newSession().query(Weird).filter(Weird.value.like("%'%")).count()).toBe(3);
  });

  it('refuses operator-shaped objects and arrays where a scalar belongs (knex/TypeORM CVE class)', async () => {
    const { Weird } = await open();
    expect(() => Weird.value.eq({ $gt: '' } as never)).toThrow(ArgumentError);
    expect(() => new Weird({ value: { name: 'x', role: 'admin' } as never })).toThrow(
      /Weird\.value: expected a string, got an object/,
    );
    expect(() => Weird.query.filterBy({ value: ['a'] as never })).toThrow(/expected a string, got an array/);
  });

  it('moving a child to another parent under delete-orphan keeps it, with the new key', async () => {
    const { db, Parent, Child } = await open();
    const p1 = new Parent({ children: [new Child({ name: 'kid' }), new Child({ name: 'other' })] });
    const p2 = new Parent();
    db.session.addAll([p1, p2]);
    await db.session.commit();
    const s = db.newSession();
    const [a, b] = await s.query(Parent).orderBy(Parent.id).options(db.selectinload(Parent.children)).all();
    const kid = a!.children.find((c) => c.name === 'kid')!;
    kid.parent = b!; // moves it: out of a.children, into b.children
    expect(a!.children.map((c) => c.name)).toEqual(['other']);
    const other = a!.children[0]!;
    a!.children.splice(0, 1); // a real orphan
    b!.children.push(other);
    b!.children.splice(b!.children.indexOf(other), 1);
    await s.commit();
    const left = await db.newSession().query(Child).all();
    expect(left.map((c) => [c.name, c.parent_id])).toEqual([['kid', b!.id]]);
  });

  it('a parent loaded without its children changes none of them at flush', async () => {
    const { db, Parent, Child } = await open();
    db.session.add(new Parent({ children: [new Child({ name: 'a' }), new Child({ name: 'b' })] }));
    await db.session.commit();
    const s = db.newSession();
    const p = (await s.query(Parent).one())!;
    s.add(new Parent());
    const events = await db.recordQueries(() => s.commit());
    expect(events.filter((e) => /child/.test(e.sql))).toEqual([]);
    expect(await db.newSession().query(Child).count()).toBe(2);
    void p;
  });

  it('a row deleted in one session is not resurrected by another session’s flush', async () => {
    const { db, Parent, Child } = await open();
    db.session.add(new Parent({ children: [new Child({ name: 'x' })] }));
    await db.session.commit();
    const a = db.newSession();
    const b = db.newSession();
    const childInB = (await b.query(Child).one())!;
    const parentInB = (await b.query(Parent).one())!;
    a.delete((await a.query(Child).one())!);
    await a.commit();
    b.add(new Parent());
    await b.commit(); // unrelated change; the loaded child is untouched, so nothing writes it back
    expect(await db.newSession().query(Child).count()).toBe(0);
    void childInB;
    void parentInB;
  });
});

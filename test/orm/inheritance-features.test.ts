/**
 * Mapped inheritance together with the rest of the mapping: events and validators declared on a base
 * apply to its subclasses' objects, deferred columns of a subclass, write-only collections and
 * aggregates through a base's relationship, and merge / expire / populateExisting of a subclass
 * instance. Rows are checked from a second session and statements are counted.
 */
import { afterEach, expect } from 'vitest';
import { Database, ExpiredAttributeError, undefer, withCount } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      kind: db.Column(db.String(20), { nullable: false }),
      name: db.Column(db.String(50), { nullable: false }),
      notes: db.relationship<Note>('Note', { lazy: 'writeOnly', orderBy: 'id' }),
      badges: db.relationship<Badge>('Badge', { orderBy: 'id' }),
    },
    { polymorphicOn: 'kind', polymorphicIdentity: 'person' },
  ) {}
  class Employee extends db.Model(
    'Employee',
    {
      id: db.Column(db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
      salary: db.Column(db.Integer, { nullable: false }),
      cv: db.Column(db.Text, { deferred: true }),
    },
    { inherits: Person, polymorphicIdentity: 'employee' },
  ) {}
  class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    personId: db.Column(db.Integer, db.ForeignKey('person.id'), { nullable: false }),
    text: db.Column(db.String(80), { nullable: false }),
  }) {}
  class Badge extends db.Model('Badge', {
    id: db.Column(db.Integer, { primaryKey: true }),
    personId: db.Column(db.Integer, db.ForeignKey('person.id'), { nullable: false }),
    label: db.Column(db.String(20), { nullable: false }),
  }) {}
  return { Person, Employee, Note, Badge };
}

describeEachDialect('Inheritance with events, validators, deferred columns and session operations', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const open = async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    dbs.push(db);
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    return { db, ...m };
  };
  const seeded = async () => {
    const o = await open();
    const s = o.db.newSession();
    const ann = new o.Employee({ name: 'ann', salary: 300, cv: 'long cv' });
    ann.badges = [new o.Badge({ label: 'gold' }), new o.Badge({ label: 'silver' })];
    s.add(ann);
    s.add(new o.Person({ name: 'pat' }));
    await s.commit();
    return { ...o, annId: ann.id };
  };

  it("a base's mapper events hear its subclasses' objects; a subclass's only its own", async () => {
    const { db, Person, Employee } = await open();
    const heard: string[] = [];
    db.on(Person, 'beforeInsert', (p) => heard.push(`person:${p.name}`));
    db.on(Employee, 'beforeInsert', (e) => heard.push(`employee:${e.name}:${e.salary}`));
    db.on(Person, 'loaded', (p) => heard.push(`loaded:${p.name}`));
    const s = db.newSession();
    s.add(new Employee({ name: 'ann', salary: 300 }));
    s.add(new Person({ name: 'pat' }));
    await s.commit();
    expect(heard.sort()).toEqual(['employee:ann:300', 'person:ann', 'person:pat']);
    heard.length = 0;
    const all = await db.newSession().query(Person).orderBy(Person.name).all();
    expect(all.map((p) => p instanceof Employee)).toEqual([true, false]);
    expect(heard).toEqual(['loaded:ann', 'loaded:pat']);
  });

  it("a base's validator checks the attribute on a subclass's object", async () => {
    const { db, Person, Employee } = await open();
    db.validates(Person, 'name', (name) => {
      if (name.trim() === '') throw new Error('name is empty');
      return name.trim();
    });
    const ann = new Employee({ name: ' ann ', salary: 1 });
    expect(ann.name).toBe('ann');
    expect(() => (ann.name = ' ')).toThrow(/name is empty/);
    expect(ann.name).toBe('ann');
  });

  it("a subclass's deferred column is left out of the polymorphic query and loaded with one SELECT", async () => {
    const { db, Person, Employee, annId } = await seeded();
    const s = db.newSession();
    let loaded: InstanceType<typeof Person>[] = [];
    const events = await db.recordQueries(async () => {
      loaded = await s.query(Person).filter(Person.id.eq(annId)).all();
    });
    const statements = events.filter((e) => e.kind === 'statement').map((e) => e.sql);
    const [ann] = loaded;
    expect(statements.some((x) => /\bcv\b/.test(x))).toBe(false);
    expect(ann).toBeInstanceOf(Employee);
    const emp = ann as InstanceType<typeof Employee>;
    expect(emp.salary).toBe(300);
    let cv: string | null = null;
    expect(await db.countQueries(async () => (cv = await emp.cv))).toBe(1);
    expect(cv).toBe('long cv');
    // Queried as the subclass, undefer() reads it with the row.
    const other = db.newSession();
    const undeferred = other.query(Employee).options(undefer(Employee.cv));
    let cvs: (string | null)[] = [];
    expect(await db.countQueries(async () => (cvs = (await undeferred.all()).map((e) => e.cv)))).toBe(1);
    expect(cvs).toEqual(['long cv']);
  });

  it("a base's write-only collection and withCount of a base's relationship work on subclass objects", async () => {
    const { db, Person, Employee, Note, annId } = await seeded();
    const s = db.newSession();
    const ann = (await s.get(Employee, annId))!;
    ann.notes.add(new Note({ text: 'first' }));
    ann.notes.add(new Note({ text: 'second' }));
    await s.commit();
    expect(await db.countQueries(async () => expect(await ann.notes.count()).toBe(2))).toBe(1);
    expect((await ann.notes.select().all()).map((n) => n.text)).toEqual(['first', 'second']);
    const people = await db.newSession().query(Person).options(withCount(Person.badges)).orderBy(Person.name).all();
    expect(people.map((p) => [p.name, p.badgesCount, p instanceof Employee])).toEqual([
      ['ann', 2, true],
      ['pat', 0, false],
    ]);
  });

  it('merge() of a detached subclass object loads it as its class and writes only the changed table', async () => {
    const { db, Employee, annId } = await seeded();
    const s1 = db.newSession();
    const detached = (await s1.get(Employee, annId))!;
    s1.expunge(detached);
    detached.salary = 350;
    const s2 = db.newSession();
    const merged = await s2.merge(detached);
    expect(merged).toBeInstanceOf(Employee);
    expect(merged).not.toBe(detached);
    expect(merged.salary).toBe(350);
    const writes = (await db.recordQueries(() => s2.commit()))
      .map((e) => e.sql)
      .filter((x) => /^(INSERT|UPDATE|DELETE)/.test(x));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^UPDATE .employee. SET .salary./);
    expect((await db.newSession().get(Employee, annId))!.salary).toBe(350);
  });

  it("expire() of a subclass object drops its own and its base's columns; refresh() reloads both", async () => {
    const { db, Employee, annId } = await seeded();
    const s = db.newSession();
    const ann = (await s.get(Employee, annId))!;
    const other = db.newSession();
    const there = (await other.get(Employee, annId))!;
    there.salary = 400;
    there.name = 'anne';
    await other.commit();
    s.expire(ann);
    expect(() => ann.salary).toThrow(ExpiredAttributeError);
    expect(() => ann.name).toThrow(ExpiredAttributeError);
    await s.refresh(ann);
    expect([ann.name, ann.salary]).toEqual(['anne', 400]);
  });

  it("populateExisting() on a base query overwrites a loaded subclass object's columns", async () => {
    const { db, Person, Employee, annId } = await seeded();
    const s = db.newSession();
    const ann = (await s.get(Employee, annId))!;
    await db.engine.execute({ sql: `UPDATE person SET name = 'anne' WHERE id = ${annId}`, params: [] });
    await s.query(Person).filter(Person.id.eq(annId)).all();
    expect(ann.name).toBe('ann'); // the identity map keeps what it loaded
    const again = await s.query(Person).populateExisting().filter(Person.id.eq(annId)).all();
    expect(again[0]).toBe(ann);
    expect(ann.name).toBe('anne');
  });
});

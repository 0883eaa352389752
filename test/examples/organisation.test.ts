/**
 * examples/organisation on every dialect: joined-table inheritance Person → Employee / Contractor,
 * employees with managers. The demo's output, the rows read back from a second session, and the
 * statements each step costs.
 */
import { afterEach, expect } from 'vitest';
import { Database, selectinload, withPolymorphic } from '../../src/index.js';
import { organisationDemo } from '../../examples/organisation/demo.js';
import { organisationModels, seedOrganisation } from '../../examples/organisation/models.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('examples/organisation', (t) => {
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
    const models = organisationModels(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, models };
  };

  it('seeds in person-then-subclass order and prints the directory', async () => {
    const { db, models } = await open();
    const seeding = await db.recordQueries(() => seedOrganisation(db, models));
    const inserts = seeding.map((e) => e.sql).filter((x) => x.startsWith('INSERT'));
    // Employees: person rows then employee rows (the managers' first); the contractor; the visitor.
    expect(inserts.filter((x) => /INTO .employee./.test(x)).length).toBeGreaterThanOrEqual(1);
    expect(inserts.filter((x) => /INTO .contractor./.test(x))).toHaveLength(1);
    const lines = await organisationDemo(db, models);
    expect(lines).toEqual([
      'employee: Ada, CTO',
      'employee: Alan, Engineer',
      'employee: Grace, Engineer',
      'contractor: Linus (via Kernel Ltd)',
      'person: Pat',
      'Ada earns 300',
      'Alan earns 190',
      'Grace earns 200',
      'Linus bills 900 a day',
      'Ada manages Grace, Alan',
      'Ada is followed by Alan, Grace',
      'Grace is followed by Pat',
      'Linus is followed by Ada, Alan, Grace',
      'Grace now earns 210',
    ]);
  });

  it('statement counts: base query 1 + 1 per joined subclass present; withPolymorphic 1; rows read back', async () => {
    const { db, models } = await open();
    const { Person, Employee, Contractor } = models;
    await seedOrganisation(db, models);
    expect(await db.countQueries(() => db.newSession().query(Person).all())).toBe(3);
    expect(
      await db.countQueries(() =>
        db
          .newSession()
          .query(withPolymorphic(Person, [Employee, Contractor]))
          .all(),
      ),
    ).toBe(1);
    const s = db.newSession();
    const grace = await s.query(Employee).filterBy({ name: 'Grace' }).one();
    expect((await grace.manager)?.name).toBe('Ada');
    expect(grace.managerId).toBe((await s.query(Person).filterBy({ name: 'Ada' }).one()).id);
    const counts = await db.engine.execute({ sql: 'SELECT count(*) FROM employee', params: [] });
    expect(Number(counts.rows[0]![0])).toBe(3);
    // Deleting an employee deletes its employee row, then its person row.
    const alan = await s.query(Employee).filterBy({ name: 'Alan' }).one();
    await s.delete(alan);
    await s.commit();
    const left = await db.newSession().query(Person).orderBy(Person.name).all();
    expect(left.map((p) => p.name)).toEqual(['Ada', 'Grace', 'Linus', 'Pat']);
  });

  it('followers: a self-referential many-to-many across the classes, loaded and changed from both sides', async () => {
    const { db, models } = await open();
    const { Person, Employee, Contractor } = models;
    await seedOrganisation(db, models);
    const links = async () =>
      Number((await db.engine.execute({ sql: 'SELECT count(*) FROM follows', params: [] })).rows[0]![0]);
    expect(await links()).toBe(6);
    const s = db.newSession();
    let people: InstanceType<typeof Person>[] = [];
    // One SELECT of people, one per joined subclass present, one selectin of followers for all of them.
    expect(
      await db.countQueries(async () => {
        people = await s.query(Person).options(selectinload(Person.following)).orderBy(Person.name).all();
      }),
    ).toBe(4);
    const byName = new Map(people.map((p) => [p.name, p]));
    const linus = byName.get('Linus')!;
    expect(linus).toBeInstanceOf(Contractor);
    const following = await byName.get('Grace')!.following;
    expect(following.map((p) => p.name)).toEqual(['Ada', 'Linus']);
    expect(following[0]).toBeInstanceOf(Employee);
    // Linus follows Pat back; Grace unfollows Linus: one INSERT and one DELETE on follows.
    const pat = byName.get('Pat')!;
    (await linus.following).push(pat);
    const grace = byName.get('Grace')!;
    (await grace.following).splice(1, 1);
    const writes = (await db.recordQueries(() => s.commit()))
      .map((e) => e.sql)
      .filter((x) => /^(INSERT|DELETE)/.test(x));
    expect(writes).toHaveLength(2);
    expect(await links()).toBe(6);
    const check = db.newSession();
    const patAgain = await check.query(Person).filterBy({ name: 'Pat' }).one();
    expect((await patAgain.followers).map((p) => p.name)).toEqual(['Linus']);
    const linusAgain = await check.query(Person).filterBy({ name: 'Linus' }).one();
    expect((await linusAgain.followers).map((p) => p.name)).toEqual(['Ada', 'Alan']);
  });
});

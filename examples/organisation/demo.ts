/**
 * The organisation example, run: `npx tsx examples/organisation/demo.ts` (embedded SQLite). A query
 * on Person returns Employees and Contractors; withPolymorphic loads them in one statement; people
 * follow each other across the classes.
 */
import { Database, selectinload, withPolymorphic } from '../../src/index.js';
import { organisationModels, seedOrganisation, type OrganisationModels } from './models.js';

/** The directory, the engineering tree and a raise, as lines of text (what the test compares). */
export async function organisationDemo(db: Database, models: OrganisationModels): Promise<string[]> {
  const { Person, Employee, Contractor } = models;
  const out: string[] = [];
  const s = db.newSession();

  // Everyone, as the class their row says: one SELECT on person, one per joined subclass present.
  for (const p of await s.query(Person).orderBy(Person.name).all()) out.push(`${p.kind}: ${p.describe()}`);

  // The same in one statement, typed as a union narrowed by the discriminator.
  const everyone = await db
    .newSession()
    .query(withPolymorphic(Person, [Employee, Contractor]))
    .orderBy(Person.name)
    .all();
  for (const p of everyone) {
    if (p.kind === 'employee') out.push(`${p.name} earns ${p.salary}`);
    else if (p.kind === 'contractor') out.push(`${p.name} bills ${p.dailyRate} a day`);
  }

  // Employees with their reports: a subclass query (person JOIN employee) and a selectin load.
  const staff = await s.query(Employee).options(selectinload(Employee.reports)).orderBy(Employee.id).all();
  for (const e of staff) {
    const reports = await e.reports;
    if (reports.length) out.push(`${e.name} manages ${reports.map((r) => r.name).join(', ')}`);
  }

  // Followers across the classes: each person's followers in one selectin statement for all of them.
  const people = await s.query(Person).options(selectinload(Person.followers)).orderBy(Person.name).all();
  for (const p of people) {
    const followers = await p.followers;
    if (followers.length) out.push(`${p.name} is followed by ${followers.map((f) => f.name).join(', ')}`);
  }

  // A raise touches only the employee table.
  const grace = await s.query(Employee).filter(Employee.name.eq('Grace')).one();
  grace.salary += 10;
  await s.commit();
  const again = await db.newSession().get(Person, grace.id);
  if (again instanceof Employee) out.push(`${again.name} now earns ${again.salary}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const db = new Database('sqlite://', { echo: true });
  const models = organisationModels(db);
  await db.createAll();
  await seedOrganisation(db, models);
  for (const line of await organisationDemo(db, models)) console.log(line);
  await db.close();
}

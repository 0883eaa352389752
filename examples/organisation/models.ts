/**
 * The organisation example's models: joined-table inheritance. Every person has a row in `person`
 * (its `kind` says which class it is); an employee also has one in `employee`, a contractor one in
 * `contractor`, each keyed by the person's id. Employees have managers (self-referential), and
 * anyone can follow anyone (a self-referential many-to-many through `follows`, across the classes).
 */
import type { ColumnElement, Database } from '../../src/index.js';

export function organisationModels(db: Database) {
  // Who follows whom: both columns refer to person, so each side of the relationship says which
  // column is its own (primaryJoin) and which the other person's (secondaryJoin).
  const follows = db.Table(
    'follows',
    db.Column('follower_id', db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
    db.Column('followed_id', db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
  );

  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      kind: db.Column(db.String(20), { nullable: false }),
      name: db.Column(db.String(80), { nullable: false }),
      email: db.Column(db.String(120), { unique: true }),
      following: db.relationship<Person>('Person', {
        secondary: follows,
        primaryJoin: (): ColumnElement<boolean> => follows.c.follower_id!.eq(Person.id),
        secondaryJoin: (): ColumnElement<boolean> => follows.c.followed_id!.eq(Person.id),
        backPopulates: 'followers',
        orderBy: 'name',
      }),
      followers: db.relationship<Person>('Person', {
        secondary: follows,
        primaryJoin: (): ColumnElement<boolean> => follows.c.followed_id!.eq(Person.id),
        secondaryJoin: (): ColumnElement<boolean> => follows.c.follower_id!.eq(Person.id),
        backPopulates: 'following',
        orderBy: 'name',
      }),
    },
    { polymorphicOn: 'kind', polymorphicIdentity: 'person' },
  ) {
    /** How the directory lists someone. */
    describe(): string {
      return this.name;
    }
  }

  class Employee extends db.Model(
    'Employee',
    {
      // ON DELETE CASCADE: a person row deleted outside the ORM takes its employee row with it.
      id: db.Column(db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
      title: db.Column(db.String(80), { nullable: false }),
      salary: db.Column(db.Integer, { nullable: false }),
      managerId: db.Column(db.Integer, db.ForeignKey('employee.id')),
      manager: db.relationship<Employee>('Employee', {
        remoteSide: 'id',
        foreignKeys: 'managerId',
        uselist: false,
        backPopulates: 'reports',
      }),
      reports: db.relationship<Employee>('Employee', {
        foreignKeys: 'managerId',
        backPopulates: 'manager',
        orderBy: 'id',
      }),
    },
    { inherits: Person, polymorphicIdentity: 'employee' },
  ) {
    override describe(): string {
      return `${this.name}, ${this.title}`;
    }
  }

  class Contractor extends db.Model(
    'Contractor',
    {
      id: db.Column(db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
      agency: db.Column(db.String(80), { nullable: false }),
      dailyRate: db.Column(db.Integer, { nullable: false }),
    },
    { inherits: Person, polymorphicIdentity: 'contractor' },
  ) {
    override describe(): string {
      return `${this.name} (via ${this.agency})`;
    }
  }

  return { Person, Employee, Contractor };
}

export type OrganisationModels = ReturnType<typeof organisationModels>;

/** Ada runs engineering; Grace and Alan report to her; Linus is a contractor; Pat a visitor. */
export async function seedOrganisation(db: Database, { Person, Employee, Contractor }: OrganisationModels) {
  const ada = new Employee({ name: 'Ada', email: 'ada@example.org', title: 'CTO', salary: 300 });
  const grace = new Employee({ name: 'Grace', email: 'grace@example.org', title: 'Engineer', salary: 200 });
  const alan = new Employee({ name: 'Alan', email: 'alan@example.org', title: 'Engineer', salary: 190 });
  ada.reports = [grace, alan];
  const linus = new Contractor({ name: 'Linus', agency: 'Kernel Ltd', dailyRate: 900 });
  const pat = new Person({ name: 'Pat' });
  // Grace and Alan follow Ada and Linus; Pat follows Grace; Ada follows Linus.
  grace.following = [ada, linus];
  alan.following = [ada, linus];
  pat.following = [grace];
  ada.following = [linus];
  const s = db.newSession();
  s.add(ada);
  s.add(linus);
  s.add(pat);
  await s.commit();
  return { ada, grace, alan, linus, pat };
}

/**
 * Mapped inheritance (SQLAlchemy's joined-table and single-table inheritance): a subclass declared
 * with `{ inherits: Base, polymorphicIdentity }` is a subclass of the base's class; a query on the
 * base returns instances of the class the discriminator names. Rows are read back through a second
 * session (or raw SQL) and every test counts its statements.
 */
import { afterEach, expect } from 'vitest';
import {
  Database,
  InvalidRequestError,
  MappingError,
  joinedload,
  selectinload,
  withPolymorphic,
  type DatabaseOptions,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function staff(db: Database) {
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      type: db.Column(db.String(20), { nullable: false }),
      name: db.Column(db.String(50), { nullable: false }),
    },
    { polymorphicOn: 'type', polymorphicIdentity: 'person' },
  ) {
    greet(): string {
      return `hello ${this.name}`;
    }
  }
  // Joined table: its own table, whose primary key is a foreign key to the base's.
  class Employee extends db.Model(
    'Employee',
    {
      id: db.Column(db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
      salary: db.Column(db.Integer),
      managerId: db.Column(db.Integer, db.ForeignKey('employee.id')),
      manager: db.relationship<Employee>('Employee', { remoteSide: 'id', foreignKeys: 'managerId', uselist: false }),
    },
    { inherits: Person, polymorphicIdentity: 'employee' },
  ) {}
  class Contractor extends db.Model(
    'Contractor',
    {
      id: db.Column(db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
      rate: db.Column(db.Integer, { nullable: false }),
    },
    { inherits: Person, polymorphicIdentity: 'contractor' },
  ) {}
  // Single table: no primary key of its own; its columns live in the person table.
  class Customer extends db.Model(
    'Customer',
    { discount: db.Column(db.Integer) },
    { inherits: Person, polymorphicIdentity: 'customer' },
  ) {}
  // A model whose relationship targets the base.
  class Badge extends db.Model('Badge', {
    id: db.Column(db.Integer, { primaryKey: true }),
    label: db.Column(db.String(20), { nullable: false }),
    ownerId: db.Column(db.Integer, db.ForeignKey('person.id'), { nullable: false }),
    owner: db.relationship<Person>('Person', { uselist: false }),
  }) {}
  return { Person, Employee, Contractor, Customer, Badge };
}

type Staff = ReturnType<typeof staff>;

/** The model name of an object's class (`constructor.name` is the `name` column attribute here). */
const kind = (obj: object) => (obj.constructor as unknown as { modelName: string }).modelName;

describeEachDialect('Inheritance', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const fresh = async (options: DatabaseOptions = {}) => {
    const db = new Database(t.url, { nPlusOne: 'off', ...options });
    const m = staff(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, ...m };
  };
  /** pat (Person), ann (Employee, manages bob), bob (Employee), cy (Customer), dee (Contractor). */
  const seeded = async () => {
    const f = await fresh();
    const { db, Person, Employee, Customer, Contractor } = f;
    const s = db.newSession();
    const ann = new Employee({ name: 'ann', salary: 300 });
    s.add(new Person({ name: 'pat' }));
    s.add(ann);
    s.add(new Employee({ name: 'bob', salary: 100, manager: ann }));
    s.add(new Customer({ name: 'cy', discount: 5 }));
    s.add(new Contractor({ name: 'dee', rate: 70 }));
    await s.commit();
    return f;
  };
  const sql = (db: Database, text: string) => db.engine.execute({ sql: text, params: [] });
  const q = (db: Database, name: string) => db.engine.dialect.compiler.quote(name);

  it('INSERT writes the base row then the subclass row, with the discriminator set', async () => {
    const { db, Person, Employee, Customer } = await fresh();
    const s = db.newSession();
    const ann = new Employee({ name: 'ann', salary: 300 });
    expect(ann.type).toBe('employee'); // set on construction
    expect(ann).toBeInstanceOf(Person);
    expect(ann.greet()).toBe('hello ann');
    const events = await db.recordQueries(async () => {
      s.add(ann);
      s.add(new Customer({ name: 'cy', discount: 5 }));
      s.add(new Person({ name: 'pat' }));
      await s.commit();
    });
    const writes = events.map((e) => e.sql).filter((x) => /^INSERT/.test(x));
    // Person and Customer rows share the person table; Employee writes person then employee.
    expect(writes.filter((x) => x.includes(`INTO ${q(db, 'person')}`)).length).toBeLessThanOrEqual(3);
    expect(writes.filter((x) => x.includes(`INTO ${q(db, 'employee')}`))).toHaveLength(1);
    const persons = await sql(db, `SELECT type, name, discount FROM person ORDER BY name`);
    expect(persons.rows.map((r) => [r[0], r[1], r[2] === null ? null : Number(r[2])])).toEqual([
      ['employee', 'ann', null],
      ['customer', 'cy', 5],
      ['person', 'pat', null],
    ]);
    const employees = await sql(db, `SELECT id, salary FROM employee`);
    expect(employees.rows.map((r) => [Number(r[0]), Number(r[1])])).toEqual([[ann.id, 300]]);
  });

  it('a query on the base returns subclass instances: one SELECT, plus one per joined subclass present', async () => {
    const { db, Person, Employee, Customer, Contractor } = await seeded();
    const s = db.newSession();
    let people: InstanceType<Staff['Person']>[] = [];
    const count = await db.countQueries(async () => {
      people = await s.query(Person).orderBy(Person.name).all();
    });
    expect(count).toBe(3); // person rows; employee columns for ann and bob; contractor columns for dee
    expect(people.map((p) => [kind(p), p.name])).toEqual([
      ['Employee', 'ann'],
      ['Employee', 'bob'],
      ['Customer', 'cy'],
      ['Contractor', 'dee'],
      ['Person', 'pat'],
    ]);
    const [ann, , cy, dee] = people;
    // The subclass columns are loaded: read synchronously, no statement.
    const none = await db.countQueries(async () => {
      expect(ann instanceof Employee && ann.salary).toBe(300);
      expect(cy instanceof Customer && cy.discount).toBe(5);
      expect(dee instanceof Contractor && dee.rate).toBe(70);
    });
    expect(none).toBe(0);
    // Only the base's rows: no subclass statement when none is present.
    expect(await db.countQueries(() => db.newSession().query(Person).filterBy({ name: 'pat' }).all())).toBe(1);
  });

  it('withPolymorphic loads the joined subclasses in the same statement with LEFT OUTER JOINs', async () => {
    const { db, Person, Employee, Contractor } = await seeded();
    const s = db.newSession();
    const events = await db.recordQueries(async () => {
      const people = await s
        .query(withPolymorphic(Person, [Employee, Contractor]))
        .orderBy(Person.name)
        .all();
      expect(people.map((p) => kind(p))).toEqual(['Employee', 'Employee', 'Customer', 'Contractor', 'Person']);
      const ann = people[0]!;
      expect(ann.type === 'employee' && ann.salary).toBe(300);
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.sql).toMatch(/LEFT OUTER JOIN .employee. ON/);
    expect(events[0]!.sql).toMatch(/LEFT OUTER JOIN .contractor. ON/);
    // '*' joins every joined subclass.
    const all = await db.recordQueries(() => db.newSession().query(withPolymorphic(Person, '*')).all());
    expect(all).toHaveLength(1);
    // A subclass outside the base's hierarchy is refused.
    const { Badge } = staff(new Database('sqlite://'));
    expect(() => withPolymorphic(Person, [Badge as never])).toThrow(/Badge does not inherit from Person/);
  });

  it('a subclass query joins its tables; a single-table subclass query filters on its identities', async () => {
    const { db, Employee, Customer, Person } = await seeded();
    const s = db.newSession();
    const events = await db.recordQueries(async () => {
      const rich = await s.query(Employee).filter(Employee.salary.gt(200)).all();
      expect(rich.map((e) => [e.name, e.salary])).toEqual([['ann', 300]]);
      const byName = await Employee.query.filter(Employee.name.eq('bob')).all();
      expect(byName.map((e) => e.salary)).toEqual([100]);
    });
    expect(events).toHaveLength(2);
    expect(events[0]!.sql).toMatch(/FROM .person. JOIN .employee. ON/);
    const customers = await db.recordQueries(async () => {
      const list = await s.query(Customer).all();
      expect(list.map((c) => [c.name, c.discount])).toEqual([['cy', 5]]);
      expect(await s.query(Customer).count()).toBe(1);
    });
    expect(customers).toHaveLength(2);
    expect(customers[0]!.sql).toMatch(/\.?type.? IN \(/);
    expect(await s.query(Person).count()).toBe(5);
    expect(await s.query(Employee).count()).toBe(2);
  });

  it('get() on the base returns the subclass; one object per base primary key', async () => {
    const { db, Person, Employee, Customer } = await seeded();
    const s = db.newSession();
    const annId = (await s.query(Employee).filterBy({ name: 'ann' }).one()).id;
    const s2 = db.newSession();
    const viaBase = await s2.get(Person, annId);
    expect(viaBase).toBeInstanceOf(Employee);
    const count = await db.countQueries(async () => {
      expect(await s2.get(Employee, annId)).toBe(viaBase); // the identity map, keyed by the base
      expect((await s2.query(Person).filterBy({ name: 'ann' }).one()) === viaBase).toBe(true);
    });
    expect(count).toBe(1); // the query; get() came from the identity map
    // A key whose row is of another class is not found through a subclass.
    expect(await s2.get(Customer, annId)).toBeNull();
    expect(await db.newSession().get(Customer, annId)).toBeNull();
  });

  it('UPDATE touches only the tables whose columns changed', async () => {
    const { db, Employee } = await seeded();
    const s = db.newSession();
    const bob = await s.query(Employee).filterBy({ name: 'bob' }).one();
    const salaryOnly = await db.recordQueries(async () => {
      bob.salary = 150;
      await s.flush();
    });
    expect(salaryOnly.map((e) => e.sql).filter((x) => x.startsWith('UPDATE'))).toEqual([
      expect.stringMatching(/^UPDATE .employee. SET/),
    ]);
    const both = await db.recordQueries(async () => {
      bob.name = 'robert';
      bob.salary = 160;
      await s.commit();
    });
    expect(both.filter((e) => e.sql.startsWith('UPDATE'))).toHaveLength(2);
    const back = await db.newSession().get(Employee, bob.id);
    expect([back!.name, back!.salary, back!.type]).toEqual(['robert', 160, 'employee']);
  });

  it('DELETE deletes the subclass row, then the base row', async () => {
    const { db, Employee, Person, Badge } = await seeded();
    const s = db.newSession();
    const bob = await s.query(Employee).filterBy({ name: 'bob' }).one();
    const events = await db.recordQueries(async () => {
      await s.delete(bob);
      await s.commit();
    });
    const deletes = events.map((e) => e.sql).filter((x) => x.startsWith('DELETE'));
    expect(deletes).toEqual([
      expect.stringMatching(/^DELETE FROM .employee./),
      expect.stringMatching(/^DELETE FROM .person./),
    ]);
    const employees = await sql(db, `SELECT salary FROM employee`);
    expect(employees.rows.map((r) => Number(r[0]))).toEqual([300]);
    const left = await db.newSession().query(Person).orderBy(Person.name).all();
    expect(left.map((p) => p.name)).toEqual(['ann', 'cy', 'dee', 'pat']);
    expect(await db.newSession().query(Badge).count()).toBe(0);
  });

  it('relationships on a subclass and to the base load subclass instances, with loader options', async () => {
    const { db, Employee, Person, Badge } = await seeded();
    const s = db.newSession();
    const dee = await s.query(Person).filterBy({ name: 'dee' }).one();
    const ann = await s.query(Employee).filterBy({ name: 'ann' }).one();
    s.add(new Badge({ label: 'gold', owner: ann }));
    s.add(new Badge({ label: 'tin', owner: dee }));
    await s.commit();

    const s2 = db.newSession();
    // selectinload on a subclass relationship from a subclass query: the managers are among the
    // rows just loaded (the identity map), so the many-to-one costs no second statement.
    let employees: InstanceType<Staff['Employee']>[] = [];
    const eager = await db.countQueries(async () => {
      employees = await s2.query(Employee).options(selectinload(Employee.manager)).orderBy(Employee.name).all();
    });
    expect(eager).toBe(1);
    expect(employees.map((e) => [e.name, (e.manager as InstanceType<Staff['Employee']> | null)?.name ?? null])).toEqual(
      [
        ['ann', null],
        ['bob', 'ann'],
      ],
    );
    // joinedload of a relationship whose target is the base: one statement, subclass instances
    // (their joined columns in one more SELECT per subclass present).
    const s3 = db.newSession();
    const badges = await s3.query(Badge).options(joinedload(Badge.owner)).orderBy(Badge.label).all();
    expect(badges.map((b) => [b.label, b.owner ? kind(b.owner) : null])).toEqual([
      ['gold', 'Employee'],
      ['tin', 'Contractor'],
    ]);
    // joinedload of a relationship whose target is a joined subclass: its tables, aliased, joined in.
    const joined = await db.recordQueries(async () => {
      const list = await db
        .newSession()
        .query(Employee)
        .options(joinedload(Employee.manager))
        .orderBy(Employee.name)
        .all();
      expect(list.map((e) => [e.name, (e.manager as InstanceType<Staff['Employee']> | null)?.salary ?? null])).toEqual([
        ['ann', null],
        ['bob', 300],
      ]);
    });
    expect(joined).toHaveLength(1);
    expect(joined[0]!.sql).toMatch(/LEFT OUTER JOIN \(.person. AS .person_\d. JOIN .employee. AS .employee_\d. ON/);
    // A lazy load of a subclass relationship.
    const bob = await db.newSession().query(Employee).filterBy({ name: 'bob' }).one();
    expect((await bob.manager)?.name).toBe('ann');
  });

  it('refuses an ORM bulk statement on a subclass (its rows span tables or share one), before any SQL', async () => {
    const { db, Employee, Customer } = await fresh();
    expect(() => db.update(Employee)).toThrow(/update\(Employee\): Employee inherits Person; ORM bulk statements/);
    expect(() => db.delete(Customer)).toThrow(/delete\(Customer\): Customer inherits Person/);
  });

  it('refuses an unknown discriminator value, naming the model and the value', async () => {
    const { db, Person } = await seeded();
    await sql(db, `UPDATE person SET type = 'robot' WHERE name = 'pat'`);
    await expect(db.newSession().query(Person).all()).rejects.toThrow(InvalidRequestError);
    await expect(db.newSession().query(Person).all()).rejects.toThrow(
      /Person: no class has polymorphic identity 'robot' \(column person.type\); known: person, employee, contractor, customer/,
    );
  });
});

describeEachDialect('Inheritance: declaration errors', (t) => {
  const it = itOn(t);
  const base = (db: Database) =>
    class Animal extends db.Model(
      'Animal',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        kind: db.Column(db.String(20), { nullable: false }),
      },
      { polymorphicOn: 'kind', polymorphicIdentity: 'animal' },
    ) {};

  it('names the model and what to do', () => {
    const db = new Database(t.url);
    const Animal = base(db);
    expect(() =>
      db.Model('Plant', { id: db.Column(db.Integer, { primaryKey: true }) }, { polymorphicOn: 'genus' as never }),
    ).toThrow(/Model Plant: polymorphicOn 'genus' names no column of Plant/);
    db.Model('Dog', { barks: db.Column(db.Boolean) }, { inherits: Animal, polymorphicIdentity: 'dog' });
    expect(() =>
      db.Model('Wolf', { howls: db.Column(db.Boolean) }, { inherits: Animal, polymorphicIdentity: 'dog' }),
    ).toThrow(/Model Wolf: polymorphicIdentity 'dog' is already Dog's/);
    expect(() =>
      db.Model(
        'Cat',
        { id: db.Column(db.Integer, { primaryKey: true }), lives: db.Column(db.Integer) },
        { inherits: Animal, polymorphicIdentity: 'cat' },
      ),
    ).toThrow(/Model Cat: its primary key cat.id has no foreign key to animal.id/);
    expect(() =>
      db.Model(
        'Fish',
        { fins: db.Column(db.Integer, { nullable: false }) },
        { inherits: Animal, polymorphicIdentity: 'fish' },
      ),
    ).toThrow(/Model Fish: single-table column Fish.fins must be nullable/);
    expect(() =>
      db.Model('Rock', { id: db.Column(db.Integer, { primaryKey: true }) }, { inherits: Object as never }),
    ).toThrow(MappingError);
    expect(() =>
      db.Model(
        'Bird',
        { wings: db.Column(db.Integer) },
        { inherits: Animal, polymorphicIdentity: 'bird', tableName: 'x' },
      ),
    ).toThrow(/Model Bird: a single-table subclass has no table of its own; drop tableName or give it a primary key/);
  });
});

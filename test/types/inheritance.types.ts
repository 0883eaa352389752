/**
 * Mapped inheritance, type-level: a subclass's instances have the base's columns, relationships and
 * methods; its class has the base's class attributes; a polymorphic query's result is a union
 * narrowed by the discriminator (or by instanceof).
 */
import { Database, selectinload, withPolymorphic, type Related } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

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

class Manager extends db.Model(
  'Manager',
  { budget: db.Column(db.Integer) },
  { inherits: Employee, polymorphicIdentity: 'manager' },
) {}

class Customer extends db.Model(
  'Customer',
  { discount: db.Column(db.Integer) },
  { inherits: Person, polymorphicIdentity: 'customer' },
) {}

async function instances(): Promise<void> {
  const e = new Employee({ name: 'ann', salary: 10 });
  expectType<Equal<typeof e.name, string>>();
  expectType<Equal<typeof e.salary, number | null>>();
  expectType<Equal<typeof e.manager, Related<Employee | null>>>();
  e.greet(); // the base's method
  const p: Person = e; // a subclass instance is a base instance
  const m: Employee = new Manager({ name: 'max', budget: 5, salary: 1 });
  void p;
  void m;
  // @ts-expect-error Person has no salary
  new Person({ salary: 1 });
  // @ts-expect-error the constructor checks the subclass's columns
  new Customer({ discount: 'ten' });
  // Class attributes: the base's columns are the subclass's.
  const rich = await Employee.query.filter(Employee.salary.gt(5)).filter(Employee.name.like('a%')).all();
  expectType<Equal<(typeof rich)[number]['salary'], number | null>>();
  await db.session.query(Employee).options(selectinload(Employee.manager)).all();
  await Employee.query.filterBy({ name: 'ann', salary: 10 }).all();
}

async function polymorphic(): Promise<void> {
  const people = await db.session.query(withPolymorphic(Person, [Employee, Customer])).all();
  for (const p of people) {
    // @ts-expect-error not every person has a salary: narrow first
    void p.salary;
    if (p.type === 'employee') {
      expectType<Equal<typeof p.salary, number | null>>();
    } else if (p.type === 'customer') {
      expectType<Equal<typeof p.discount, number | null>>();
    } else {
      expectType<Equal<typeof p.type, 'person'>>();
    }
    if (p instanceof Employee) void p.salary;
  }
  // A plain base query is typed as the base; instanceof narrows.
  const plain = await db.session.query(Person).all();
  for (const p of plain) {
    // @ts-expect-error a Person has no salary
    void p.salary;
    if (p instanceof Employee) void p.salary;
  }
  // '*': every subclass, typed as the base (the declarations after it are unknown here).
  const all = await db.session.query(withPolymorphic(Person, '*')).all();
  expectType<Equal<(typeof all)[number], Person>>();
  // @ts-expect-error only subclasses of the base
  withPolymorphic(Employee, [Customer]);
}

void instances;
void polymorphic;

/**
 * `relationship.ofType(target)` (SQLAlchemy's `of_type()`): a relationship taken towards an alias of
 * its target — joined along it and filled from it by containsEager — or towards a subclass of its
 * target, whose tables the join brings in (a single-table subclass by its discriminator). Rows and
 * statement counts on every dialect.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  containsEager,
  func,
  joinedload,
  selectinload,
  type ColumnElement,
} from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function staff(db: Database) {
  const follows = db.Table(
    'follows',
    db.Column('follower_id', db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
    db.Column('followed_id', db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
  );
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      kind: db.Column(db.String(20), { nullable: false }),
      name: db.Column(db.String(50), { nullable: false }),
      following: db.relationship<Person>('Person', {
        secondary: follows,
        primaryJoin: (): ColumnElement<boolean> => follows.c.follower_id!.eq(Person.id),
        secondaryJoin: (): ColumnElement<boolean> => follows.c.followed_id!.eq(Person.id),
        orderBy: 'name',
      }),
    },
    { polymorphicOn: 'kind', polymorphicIdentity: 'person' },
  ) {}
  class Employee extends db.Model(
    'Employee',
    {
      id: db.Column(db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
      salary: db.Column(db.Integer, { nullable: false }),
    },
    { inherits: Person, polymorphicIdentity: 'employee' },
  ) {}
  class Customer extends db.Model(
    'Customer',
    { discount: db.Column(db.Integer) },
    { inherits: Person, polymorphicIdentity: 'customer' },
  ) {}
  class Badge extends db.Model('Badge', {
    id: db.Column(db.Integer, { primaryKey: true }),
    label: db.Column(db.String(20), { nullable: false }),
    ownerId: db.Column(db.Integer, db.ForeignKey('person.id'), { nullable: false }),
    owner: db.relationship<Person>('Person', { uselist: false }),
  }) {}
  return { Person, Employee, Customer, Badge };
}

describeEachDialect('ofType(): a relationship towards an alias or a subclass of its target', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const statements = async (db: Database, fn: () => Promise<unknown>) =>
    (await db.recordQueries(fn)).filter((e) => e.kind === 'statement').map((e) => e.sql);

  const people = async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    dbs.push(db);
    const m = staff(db);
    await db.dropAll();
    await db.createAll();
    const ann = new m.Employee({ name: 'ann', salary: 300 });
    const bob = new m.Employee({ name: 'bob', salary: 90 });
    const cy = new m.Customer({ name: 'cy', discount: 5 });
    const pat = new m.Person({ name: 'pat' });
    pat.following = [ann, cy];
    cy.following = [bob];
    const s = db.newSession();
    for (const p of [ann, bob, cy, pat]) s.add(p);
    for (const [label, owner] of [
      ['gold', ann],
      ['tin', bob],
      ['vip', cy],
      ['new', pat],
    ] as const)
      s.add(new m.Badge({ label, owner }));
    await s.commit();
    return { db, ...m };
  };

  it('join(Post.author.ofType(alias)) and containsEager(Post.author.ofType(alias)): one statement', async () => {
    const b = await openBlog(t.url);
    dbs.push(b.db);
    const Writer = b.db.aliased(b.User, 'writer');
    const s = b.db.newSession();
    let posts: { title: string; author: { username: string } | null }[] = [];
    const sql = await statements(b.db, async () => {
      posts = await s
        .query(b.Post)
        .join(b.Post.author.ofType(Writer))
        .filter(Writer.username.eq('alice'))
        .options(containsEager(b.Post.author.ofType(Writer)))
        .orderBy(b.Post.id)
        .all();
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/JOIN .user. AS .?writer.? ON/);
    expect(posts.map((p) => [p.title, p.author?.username])).toEqual([
      ['Hello world', 'alice'],
      ['Joins, explained', 'alice'],
    ]);
    expect(String(b.Post.author.ofType(Writer))).toBe("Post.author.ofType(db.aliased(User, 'writer'))");
  });

  it('a self-referential many-to-many joined towards an alias: who follows an employee', async () => {
    const { db, Person } = await people();
    const Followed = db.aliased(Person, 'followed');
    const rows = await db
      .newSession()
      .query(Person)
      .join(Person.following.ofType(Followed))
      .filter(Followed.name.eq('bob'))
      .all();
    expect(rows.map((p) => p.name)).toEqual(['cy']);
  });

  it('join(Badge.owner.ofType(Employee)) joins the subclass table; ofType(Customer) filters on the discriminator', async () => {
    const { db, Badge, Employee, Customer } = await people();
    const s = db.newSession();
    let sql: string[] = [];
    let labels: string[] = [];
    sql = await statements(db, async () => {
      const rows = await s
        .query(Badge)
        .join(Badge.owner.ofType(Employee))
        .filter(Employee.salary.gt(100))
        .orderBy(Badge.label)
        .all();
      labels = rows.map((b) => b.label);
    });
    expect(labels).toEqual(['gold']);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/JOIN \(.person. JOIN .employee. ON/);
    const customers = await s.query(Badge).join(Badge.owner.ofType(Customer)).orderBy(Badge.label).all();
    expect(customers.map((b) => b.label)).toEqual(['vip']);
    // Without ofType the join reaches every person.
    expect(await s.query(Badge).join(Badge.owner).count()).toBe(4);
  });

  it('refuses a target that is neither an alias nor a subclass of the target, and ofType in other loader options', async () => {
    const { db, Person, Badge } = await people();
    const Other = db.aliased(Badge, 'other');
    expect(() => Person.following.ofType(Other)).toThrow(ArgumentError);
    expect(() => Person.following.ofType(Other)).toThrow(
      'Person.following.ofType(): expected db.aliased(Person) or a subclass of Person, got db.aliased(Badge)',
    );
    expect(() => Badge.owner.ofType(Badge)).toThrow(
      /expected db\.aliased\(Person\) or a subclass of Person, got class/,
    );
    const Followed = db.aliased(Person, 'followed');
    expect(() => selectinload(Person.following.ofType(Followed))).toThrow(
      /selectinload\(Person\.following\.ofType\(db\.aliased\(Person, 'followed'\)\)\): ofType\(\) in a loader option names the alias containsEager\(\) reads/,
    );
  });
});

describeEachDialect('An aliased model as the queried entity', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });

  it('session.query(alias): the model objects, through the identity map, filtered, ordered, paged, eager-loaded and counted', async () => {
    const b = await openBlog(t.url);
    dbs.push(b.db);
    const U = b.db.aliased(b.User, 'u');
    const s = b.db.newSession();
    const events = await b.db.recordQueries(async () => {
      const users = await s.query(U).filter(U.username.ne('dave')).orderBy(U.username.desc()).limit(2).all();
      expect(users.map((u) => u.username)).toEqual(['carol', 'bob']);
      expect(users[0]).toBeInstanceOf(b.User);
    });
    const sql = events.filter((e) => e.kind === 'statement').map((e) => e.sql);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/FROM .user. AS .?u.? WHERE/);
    // The same objects as a query of the model: one identity map.
    const alice = await s.query(b.User).filterBy({ username: 'alice' }).one();
    expect(await s.query(U).filter(U.username.eq('alice')).one()).toBe(alice);
    // Eager loads start from the alias; count() counts through it.
    const withPosts = await s
      .query(U)
      .options(selectinload(b.User.posts), containsEager(b.User.profile))
      .outerjoin(b.Profile, b.Profile.user_id.eq(U.id))
      .filter(U.username.eq('alice'))
      .all();
    expect(withPosts[0]!.posts.map((p) => p.title)).toEqual(['Hello world', 'Joins, explained']);
    expect(await s.query(U).filter(U.isActive.eq(true)).count()).toBe(3);
    // A tuple query of the alias and an aggregate.
    const rows = await s
      .query(U, func.count(b.Post.id).label('n'))
      .join(b.Post, b.Post.user_id.eq(U.id))
      .groupBy(U.id)
      .orderBy(U.username)
      .all();
    expect(rows.map(([u, n]) => [u.username, Number(n)])).toEqual([
      ['alice', 2],
      ['bob', 1],
      ['carol', 1],
    ]);
  });

  it('stream() of an alias with a joined collection orders by the alias key: every user once, all posts', async () => {
    const b = await openBlog(t.url);
    dbs.push(b.db);
    const U = b.db.aliased(b.User, 'u');
    const seen: [string, number][] = [];
    const events = await b.db.recordQueries(async () => {
      for await (const u of b.db.newSession().query(U).options(joinedload(b.User.posts)).stream({ batchSize: 2 }))
        seen.push([u.username, u.posts.length]);
    });
    const select = events.map((e) => e.sql).find((x) => x.startsWith('SELECT'))!;
    expect(select).toMatch(/ORDER BY .?u.?\..?id.?, /); // the alias's key, not the table's
    expect(seen.sort()).toEqual([
      ['alice', 2],
      ['bob', 1],
      ['carol', 1],
      ['dave', 0],
    ]);
  });

  it('an alias of a model with subclasses is refused as the entity, naming why', async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    dbs.push(db);
    const { Person } = staff(db);
    expect(() => db.newSession().query(db.aliased(Person, 'p'))).toThrow(
      /Person is part of an inheritance hierarchy; query it through its own tables/,
    );
  });
});

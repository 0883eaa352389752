/**
 * Issue 12 item 2: JSON.stringify / serialize / util.inspect of loaded graphs, on every dialect.
 * Graphs of 10,000 objects with backrefs, self-references and many-to-many cycles serialize in
 * bounded time and size, issue no SQL, and never repeat the object they came from.
 */
import { inspect } from 'node:util';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it as plainIt } from 'vitest';
import { ArgumentError, Database, insert, joinedload, selectinload, serialize } from '../../src/index.js';
import { chinookModels } from '../../examples/chinook/models.js';
import { openBlog } from '../support/blog.js';
import { loadChinook } from '../support/chinook.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const N = 10_000;

function graphModels(db: Database) {
  const memberships = db.Table(
    'membership',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'), { primaryKey: true }),
  );
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    username: db.Column(db.String(80), { nullable: false }),
    posts: db.relationship<Post>('Post', { backPopulates: 'author', orderBy: 'id' }),
    profile: db.relationship<Profile>('Profile', { backPopulates: 'user', uselist: false }),
  }) {}
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(200), { nullable: false }),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
    author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
    tags: db.relationship<Tag>('Tag', { secondary: memberships, backPopulates: 'posts', orderBy: 'id' }),
  }) {}
  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    posts: db.relationship<Post>('Post', { secondary: memberships, backPopulates: 'tags', orderBy: 'id' }),
  }) {}
  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
    user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
  }) {}
  class Employee extends db.Model('Employee', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    manager_id: db.Column(db.Integer, db.ForeignKey('employee.id')),
    manager: db.relationship<Employee>('Employee', { remoteSide: 'id', backPopulates: 'reports', uselist: false }),
    reports: db.relationship<Employee>('Employee', { backPopulates: 'manager', orderBy: 'id' }),
  }) {}
  class Ledger extends db.Model('Ledger', {
    id: db.Column(db.Integer, { primaryKey: true }),
    units: db.Column(db.BigInteger, { nullable: false }),
    price: db.Column(db.Numeric(12, 2), { nullable: false }),
    at: db.Column(db.DateTime, { nullable: false }),
    digest: db.Column(db.LargeBinary),
  }) {}
  return { memberships, User, Post, Tag, Profile, Employee, Ledger };
}

type Models = ReturnType<typeof graphModels>;

/** Inserts `rows` in chunks that every dialect's parameter limit takes. */
async function insertRows(db: Database, target: Parameters<typeof insert>[0], rows: object[]): Promise<void> {
  const s = db.newSession();
  for (let i = 0; i < rows.length; i += 500) await s.execute(insert(target).values(rows.slice(i, i + 500) as never));
  await s.commit();
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

/**
 * 100 users × 100 posts (10,000), 100 tags with two per post (10,000 memberships), an org chart of
 * 10,000 employees (1 head, 99 managers, 9,900 reports) and a ledger row with a bigint beyond 2^53.
 */
async function seed(db: Database, m: Models): Promise<void> {
  await db.dropAll();
  await db.createAll();
  await insertRows(
    db,
    m.User,
    range(100).map((id) => ({ id, username: `user${id}` })),
  );
  await insertRows(
    db,
    m.Post,
    range(N).map((id) => ({ id, title: `post ${id}`, user_id: Math.ceil(id / 100) })),
  );
  await insertRows(
    db,
    m.Tag,
    range(100).map((id) => ({ id, name: `tag${id}` })),
  );
  // The association rows: integers only, as literal multi-row INSERTs (insert() takes models).
  const pairs = range(N).flatMap((post) => [`(${post}, ${(post % 100) + 1})`, `(${post}, ${((post + 37) % 100) + 1})`]);
  for (let i = 0; i < pairs.length; i += 1000) {
    const values = pairs.slice(i, i + 1000).join(', ');
    await db.engine.execute({ sql: `INSERT INTO membership (post_id, tag_id) VALUES ${values}`, params: [] });
  }
  await insertRows(db, m.Profile, [{ id: 1, user_id: 1 }]);
  await insertRows(
    db,
    m.Employee,
    range(N).map((id) => ({ id, name: `e${id}`, manager_id: id === 1 ? null : id <= 100 ? 1 : Math.ceil(id / 100) })),
  );
  await insertRows(db, m.Ledger, [
    {
      id: 1,
      units: 9007199254740993n,
      price: '12.50',
      at: new Date('2026-01-02T03:04:05.000Z'),
      digest: new Uint8Array([0, 39, 92, 255]),
    },
  ]);
}

/** `fn`'s result and how long it took, in milliseconds. */
function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

describeEachDialect('Serialization', (t) => {
  const it = itOn(t);
  let db: Database;
  let m: Models;
  beforeAll(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    m = graphModels(db);
    await seed(db, m);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('10,000 posts with their author backref: each post once, no author repeated, no SQL', async () => {
    const users = await db.newSession().query(m.User).options(selectinload(m.User.posts)).orderBy(m.User.id).all();
    expect(users[0]!.posts[0]!.author).toBe(users[0]); // the backref is loaded: a cycle in memory
    let json = '';
    let ms = 0;
    const queries = await db.countQueries(async () => {
      [json, ms] = timed(() => JSON.stringify(users));
    });
    expect(queries).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(json.length).toBeLessThan(1_000_000);
    const parsed = JSON.parse(json) as { posts: Record<string, unknown>[] }[];
    expect(parsed).toHaveLength(100);
    expect(parsed.reduce((n, u) => n + u.posts.length, 0)).toBe(N);
    expect(parsed[0]).toEqual({ id: 1, username: 'user1', posts: expect.any(Array) }); // profile not loaded: absent
    expect(parsed[0]!.posts[0]).toEqual({ id: 1, title: 'post 1', user_id: 1 }); // no author, no tags (unloaded)
    // The collection alone leaves out its owner the same way.
    expect(JSON.parse(JSON.stringify(users[0]!.posts))[1]).toEqual({ id: 2, title: 'post 2', user_id: 1 });
    expect(serialize(users[0]!.posts)[1]).toEqual({ id: 2, title: 'post 2', user_id: 1 });
  });

  it('from the other side: a post, its author, and the author’s other posts, but not the post again', async () => {
    const s = db.newSession();
    const post = (await s
      .query(m.Post)
      .options(joinedload(m.Post.author).selectinload(m.User.posts))
      .filterBy({ id: 3 })
      .one())!;
    const json = serialize(post) as unknown as { author: { posts: { id: number }[] } };
    expect(Object.keys(json)).toEqual(['id', 'title', 'user_id', 'author']);
    // author.posts is the reverse of Post.author: not followed.
    expect(json.author).toEqual({ id: 1, username: 'user1' });
    // Starting from the user, the posts are there and each leaves the user out.
    const user = serialize(post.author!);
    expect(user.posts).toHaveLength(100);
    expect(user.posts?.[2]).toEqual({ id: 3, title: 'post 3', user_id: 1 });
  });

  it('self-reference: an org chart of 10,000 employees terminates, each employee once', async () => {
    const s = db.newSession();
    const head = (await s
      .query(m.Employee)
      .options(selectinload(m.Employee.reports).selectinload(m.Employee.reports))
      .filterBy({ id: 1 })
      .one())!;
    let json = '';
    let ms = 0;
    const queries = await db.countQueries(async () => {
      [json, ms] = timed(() => JSON.stringify(head));
    });
    expect(queries).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(json.length).toBeLessThan(1_000_000);
    expect(json.match(/"name"/g)).toHaveLength(N);
    const parsed = JSON.parse(json) as { reports: { manager?: unknown; reports: { id: number }[] }[] };
    expect(parsed.reports).toHaveLength(99);
    expect(parsed.reports[0]!.manager).toBeUndefined(); // reverse side, not followed
    expect(parsed.reports[0]!.reports[0]).toEqual({ id: 101, name: 'e101', manager_id: 2 });
    // Up the chain from a leaf: manager, then the manager's manager, never back down.
    const leaf = (await s.get(m.Employee, 250))!;
    expect(serialize(leaf)).toEqual({
      id: 250,
      name: 'e250',
      manager_id: 3,
      manager: { id: 3, name: 'e3', manager_id: 1, manager: { id: 1, name: 'e1', manager_id: null } },
    });
  });

  it('many-to-many cycle: post.tags[].posts and tag.posts[].tags terminate at 10,000 posts', async () => {
    const s = db.newSession();
    const tags = await s
      .query(m.Tag)
      .options(selectinload(m.Tag.posts).selectinload(m.Post.tags))
      .orderBy(m.Tag.id)
      .all();
    let json = '';
    let ms = 0;
    const queries = await db.countQueries(async () => {
      [json, ms] = timed(() => JSON.stringify(tags));
    });
    expect(queries).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(json.length).toBeLessThan(2_000_000);
    const parsed = JSON.parse(json) as { posts: { tags?: unknown }[] }[];
    expect(parsed.reduce((n, tag) => n + tag.posts.length, 0)).toBe(2 * N); // each post under each of its 2 tags
    expect(parsed[0]!.posts[0]!.tags).toBeUndefined(); // Post.tags is the reverse of Tag.posts
    const post = (await s.get(m.Post, 5))!;
    expect(serialize(post).tags).toEqual([
      { id: 6, name: 'tag6' },
      { id: 43, name: 'tag43' },
    ]);
  });

  it('bigint and decimal columns as strings, dates as ISO strings, bytes as base64', async () => {
    const row = (await db.newSession().get(m.Ledger, 1))!;
    expect(typeof row.units).toBe('bigint');
    expect(JSON.parse(JSON.stringify(row))).toEqual({
      id: 1,
      units: '9007199254740993',
      price: '12.50',
      at: '2026-01-02T03:04:05.000Z',
      digest: 'ACdc/w==',
    });
    expect(serialize(row)).toEqual(JSON.parse(JSON.stringify(row)));
  });

  it('pick, omit and depth; unknown names are errors naming the model', async () => {
    const user = (await db
      .newSession()
      .query(m.User)
      .options(selectinload(m.User.posts).selectinload(m.Post.tags), joinedload(m.User.profile))
      .filterBy({ id: 1 })
      .one())!;
    expect(serialize(user, { pick: ['id', 'profile'] })).toEqual({ id: 1, profile: { id: 1, user_id: 1 } });
    expect(Object.keys(serialize(user, { omit: ['posts', 'username'] }))).toEqual(['id', 'profile']);
    expect(serialize(user, { depth: 0 })).toEqual({ id: 1, username: 'user1' });
    const one = serialize(user, { depth: 1 });
    expect(one.posts[0]).toEqual({ id: 1, title: 'post 1', user_id: 1 }); // tags are loaded but one level down
    expect(serialize(user, { depth: 2 }).posts[0]!.tags).toHaveLength(2);
    expect(serialize([user], { pick: ['username'] })).toEqual([{ username: 'user1' }]);
    const err = (() => {
      try {
        serialize(user, { pick: ['usrname' as 'username'] });
      } catch (e) {
        return e as ArgumentError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err!.message).toMatch(/User has no attribute 'usrname' to pick; did you mean 'username'\?/);
    expect(err!.model).toBe('User');
    expect(() => serialize(user, { omit: ['nope' as 'id'] })).toThrow(/User has no attribute 'nope' to omit/);
    expect(() => serialize(user, { only: ['id'] } as never)).toThrow(/unknown option 'only'/);
    expect(() => serialize(user, { pick: ['id'], omit: ['id'] } as never)).toThrow(/pick or omit, not both/);
    expect(() => serialize(user, { depth: -1 })).toThrow(/depth must be a whole number/);
    expect(() => serialize({ id: 1 } as never)).toThrow(/takes a model instance/);
  });

  it('util.inspect: one bounded line per object in milliseconds, unloaded relationships say so, no SQL', async () => {
    const s = db.newSession();
    const users = await s.query(m.User).options(selectinload(m.User.posts)).orderBy(m.User.id).all();
    const lazy = (await s.get(m.Post, 1))!;
    const tags = await s.query(m.Tag).options(selectinload(m.Tag.posts)).all();
    const all = tags.flatMap((tag) => tag.posts); // 20,000 members, each with backrefs
    let out: string[] = [];
    let ms = 0;
    const queries = await db.countQueries(async () => {
      [out, ms] = timed(() => [
        inspect(users[0]),
        inspect(users[0]!.posts),
        inspect(lazy.tags),
        inspect(users),
        inspect(all, { maxArrayLength: Infinity }),
      ]);
    });
    expect(queries).toBe(0);
    expect(ms).toBeLessThan(1000);
    const [user, posts, unloaded, list] = out;
    expect(user).toBe("User { id: 1, username: 'user1', posts: [100 Post], profile: <not loaded> }");
    expect(posts).toMatch(
      /^User\.posts \(100\) \[\n {2}Post \{ id: 1, title: 'post 1', user_id: 1, author: User#1, tags: <not loaded> \},/,
    );
    expect(unloaded).toBe('<Post.tags not loaded>');
    expect(JSON.stringify({ id: lazy.id, tags: lazy.tags })).toBe('{"id":1}'); // absent, not `{}`, not loaded
    expect(list!.length).toBeLessThan(20_000);
    expect(out[4]!.length).toBeLessThan(4_000_000);
    expect(inspect(tags[0]!.posts)).toMatch(/\n {2}… 100 more\n\]$/); // 200 members: the first 100, then a count
  });
});

plainIt('a 10,000-deep chain in memory serializes without overflowing the stack', () => {
  const db = new Database();
  const { Employee } = graphModels(db);
  const head = new Employee({ id: 1, name: 'e1' });
  let last = head;
  for (let id = 2; id <= N; id++) {
    const next = new Employee({ id, name: `e${id}` });
    next.manager = last; // the backref appends `next` to last.reports
    last = next;
  }
  const [tree, ms] = timed(() => serialize(head));
  expect(ms).toBeLessThan(2000);
  let levels = 0;
  for (let node: { reports?: unknown[] } | undefined = tree; node; node = node.reports?.[0] as typeof node) {
    expect(node).not.toHaveProperty('manager'); // the reverse side, never followed
    levels++;
  }
  expect(levels).toBe(N);
  // JSON.stringify itself recurses and stops a few thousand levels down; depth bounds what it gets.
  expect(JSON.stringify(serialize(head, { depth: 500 })).match(/"name"/g)).toHaveLength(501);
  expect(inspect(last)).toBe(
    `Employee { id: ${N}, name: 'e${N}', manager_id: null, manager: Employee#${N - 1}, reports: [] }`,
  );
});

plainIt('a Fastify handler returns a loaded user with its backrefs as JSON (it answered 500 before)', async () => {
  const b = await openBlog('sqlite://');
  const app = Fastify();
  app.get('/users/:id', async (req) => {
    const id = Number((req.params as { id: string }).id);
    return b.db.newSession().query(b.User).options(selectinload(b.User.posts)).filterBy({ id }).one();
  });
  app.get('/users/:id/posts', async (req) => {
    const id = Number((req.params as { id: string }).id);
    const user = await b.db.newSession().query(b.User).options(selectinload(b.User.posts)).filterBy({ id }).one();
    return user!.posts; // the collection: its posts, without `author`
  });
  try {
    const one = await app.inject({ method: 'GET', url: '/users/1' });
    expect(one.statusCode).toBe(200);
    const body = one.json() as { username: string; posts: Record<string, unknown>[] };
    expect(body.username).toBe('alice');
    expect(body.posts.length).toBeGreaterThan(0);
    expect(body.posts[0]).not.toHaveProperty('author');
    const posts = await app.inject({ method: 'GET', url: '/users/1/posts' });
    expect(posts.statusCode).toBe(200);
    expect(posts.json()).toEqual(body.posts);
  } finally {
    await app.close();
    await b.db.close();
  }
});

plainIt('Chinook: the org chart with customers, invoices and lines, both ways along reportsTo', async () => {
  const setup = await loadChinook('sqlite', 'sqlite://');
  const db = new Database(setup.url, { nPlusOne: 'off' });
  const { Employee, Customer, Invoice } = chinookModels(db);
  try {
    const s = db.newSession();
    const staff = await s
      .query(Employee)
      .options(
        selectinload(Employee.reports).selectinload(Employee.reports),
        selectinload(Employee.customers).selectinload(Customer.invoices).selectinload(Invoice.lines),
      )
      .orderBy(Employee.EmployeeId)
      .all();
    let json = '';
    const queries = await db.countQueries(async () => {
      json = JSON.stringify(staff);
    });
    expect(queries).toBe(0);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    const boss = parsed[0] as { reports: { manager?: unknown; reports: unknown[] }[]; manager?: unknown };
    expect(boss.reports.map((r) => (r as { LastName?: string }).LastName)).toEqual(['Edwards', 'Mitchell']);
    expect(boss.reports[0]!.manager).toBeUndefined(); // the reverse of reports
    const jane = parsed.find((e) => e.FirstName === 'Jane') as {
      HireDate: string;
      customers: { invoices: { Total: string; customer?: unknown; lines: unknown[] }[] }[];
    };
    expect(jane.HireDate).toBe('2002-04-01T00:00:00.000Z');
    expect(typeof jane.customers[0]!.invoices[0]!.Total).toBe('string'); // decimal as a string
    expect(jane.customers[0]!.invoices[0]!.customer).toBeUndefined();
    // Each of the 2,240 lines under its support rep, listed at the top, under the rep's manager's
    // reports and under the general manager's reports' reports: three times, never more.
    expect(json.match(/"InvoiceLineId"/g)).toHaveLength(3 * 2240);
    // Up from an employee: manager, manager's manager, and not back down through reports.
    const andrew = serialize(staff[7]!, { depth: 2, pick: ['EmployeeId', 'manager'] });
    expect(andrew).toEqual({ EmployeeId: 8, manager: expect.objectContaining({ EmployeeId: 6 }) });
  } finally {
    await db.close();
    await setup.dispose();
  }
});

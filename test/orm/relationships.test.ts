import { afterEach, expect, vi } from 'vitest';
import {
  AmbiguousForeignKeysError,
  Database,
  NoForeignKeysError,
  NotLoadedError,
  NPlusOneError,
  containsEager,
  joinedload,
  lazyload,
  noload,
  raiseload,
  selectinload,
  type ColumnElement,
  type DatabaseOptions,
} from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function staffModels(db: Database) {
  class Employee extends db.Model('Employee', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    manager_id: db.Column(db.Integer, db.ForeignKey('employee.id')),
    manager: db.relationship<Employee>('Employee', { remoteSide: 'id', backPopulates: 'reports', uselist: false }),
    reports: db.relationship<Employee>('Employee', { backPopulates: 'manager', orderBy: 'name' }),
  }) {}
  class Address extends db.Model('Address', {
    id: db.Column(db.Integer, { primaryKey: true }),
    city: db.Column(db.String(50), { nullable: false }),
  }) {}
  class Customer extends db.Model('Customer', {
    id: db.Column(db.Integer, { primaryKey: true }),
    billing_id: db.Column(db.Integer, db.ForeignKey('address.id')),
    shipping_id: db.Column(db.Integer, db.ForeignKey('address.id')),
    billing: db.relationship<Address>('Address', { foreignKeys: 'billing_id', uselist: false }),
    shipping: db.relationship<Address>('Address', { foreignKeys: 'shipping_id', uselist: false }),
  }) {}
  return { Employee, Address, Customer };
}

function cascadeModels(db: Database) {
  class Author extends db.Model('Author', {
    id: db.Column(db.Integer, { primaryKey: true }),
    books: db.relationship<Book>('Book', { cascade: 'all, delete-orphan', backPopulates: 'author' }),
    notes: db.relationship<Note>('Note', { passiveDeletes: true }),
  }) {}
  class Book extends db.Model('Book', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(50), { nullable: false }),
    published: db.Column(db.Boolean, { nullable: false, default: false }),
    author_id: db.Column(db.Integer, db.ForeignKey('author.id'), { nullable: false }),
    author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
  }) {}
  class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    author_id: db.Column(db.Integer, db.ForeignKey('author.id', { ondelete: 'CASCADE' })),
  }) {}
  class Shelf extends db.Model('Shelf', {
    id: db.Column(db.Integer, { primaryKey: true }),
    author_id: db.Column(db.Integer, db.ForeignKey('author.id')),
    published: db.relationship<Book>('Book', {
      // The return type is written out: inferring it would need Shelf's type while Shelf is being declared.
      primaryJoin: (): ColumnElement<boolean> => db.and_(Shelf.author_id.eq(Book.author_id), Book.published.eq(true)),
      foreignKeys: 'Book.author_id',
      orderBy: 'title',
    }),
  }) {}
  return { Author, Book, Note, Shelf };
}

describeEachDialect('Relationships', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const blog = async (options: DatabaseOptions & { seed?: boolean } = {}) => {
    const b = await openBlog(t.url, options);
    dbs.push(b.db);
    return b;
  };
  const fresh = async <M>(define: (db: Database) => M, options: DatabaseOptions = {}) => {
    const db = new Database(t.url, { nPlusOne: 'off', ...options });
    const m = define(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, ...m };
  };

  it('keeps both sides in sync in memory and sets the foreign key at flush', async () => {
    const { db, User, Post } = await blog();
    const s = db.newSession();
    const [alice, bob] = await s
      .query(User)
      .filter(User.username.in(['alice', 'bob']))
      .orderBy(User.id)
      .options(selectinload(User.posts))
      .all();
    const post = new Post({ title: 'New' });
    alice!.posts.push(post);
    expect(await post.author).toBe(alice); // the other side, at once
    expect(post.user_id).toBeNull(); // the key comes at flush
    await s.flush();
    expect(post.user_id).toBe(alice!.id);
    // Moving it: assigning the many-to-one updates both collections.
    post.author = bob!;
    expect(alice!.posts.includes(post)).toBe(false);
    expect(bob!.posts.includes(post)).toBe(true);
    await s.commit();
    const reloaded = await db.newSession().get(Post, post.id);
    expect(reloaded!.user_id).toBe(bob!.id);
  });

  it('many-to-many: adding and removing on either side writes the association table once', async () => {
    const { db, Post, Tag } = await blog();
    const s = db.newSession();
    const post = (await s.query(Post).filterBy({ title: 'Hello world' }).one())!;
    const howto = (await s.query(Tag).filterBy({ name: 'howto' }).one())!;
    const events = await db.recordQueries(async () => {
      (await post.tags).push(howto);
      expect((await howto.posts).includes(post)).toBe(true); // loading it autoflushes the new link first
      await s.commit();
    });
    expect(events.filter((e) => /INSERT INTO .post_tags/.test(e.sql))).toHaveLength(1);
    const news = (await post.tags).find((x) => x.name === 'news')!;
    (await news.posts).splice((await news.posts).indexOf(post), 1);
    expect((await post.tags).map((x) => x.name)).toEqual(['howto']);
    await s.commit();
    const tags = await (await db.newSession().get(Post, post.id))!.tags;
    expect(tags.map((x) => x.name)).toEqual(['howto']);
  });

  it('one-to-one: replacing the object clears the old one’s key', async () => {
    const { db, User, Profile } = await blog();
    const s = db.newSession();
    const alice = (await s.query(User).filterBy({ username: 'alice' }).one())!;
    const old = (await alice.profile)!;
    alice.profile = new Profile({ bio: 'new' });
    expect(await old.user).toBeNull();
    await s.commit();
    expect(old.user_id).toBeNull();
    const profiles = await db.newSession().query(Profile).orderBy(Profile.id).all();
    expect(profiles.map((p) => [p.bio, p.user_id])).toEqual([
      ['Alice writes', null],
      ['Bob reads', 2],
      ['new', alice.id],
    ]);
  });

  it('self-referential adjacency list: a whole tree in one flush, manager and reports', async () => {
    const { db, Employee } = await fresh(staffModels);
    const ceo = new Employee({ name: 'Ada' });
    const cto = new Employee({ name: 'Grace', manager: ceo });
    const dev1 = new Employee({ name: 'Linus', manager: cto });
    const dev2 = new Employee({ name: 'Ken', manager: cto });
    db.session.addAll([dev1, dev2, cto, ceo]);
    await db.session.commit();
    const s = db.newSession();
    const grace = (await s.query(Employee).filterBy({ name: 'Grace' }).one())!;
    expect((await grace.manager)?.name).toBe('Ada');
    expect((await grace.reports).map((e) => e.name)).toEqual(['Ken', 'Linus']);
    const devs = await db
      .newSession()
      .query(Employee)
      .filter(Employee.manager_id.eq(grace.id))
      .options(joinedload(Employee.manager))
      .all();
    expect(devs.map((d) => d.manager?.name)).toEqual(['Grace', 'Grace']);
    const Manager = db.aliased(Employee, 'manager');
    const underGrace = await db
      .newSession()
      .query(Employee)
      .join(Manager, Employee.manager_id.eq(Manager.id))
      .filter(Manager.name.eq('Grace'))
      .orderBy(Employee.name)
      .all();
    expect(underGrace.map((e) => e.name)).toEqual(['Ken', 'Linus']);
  });

  it('several foreign keys to one table: foreignKeys picks one, joins without ON are refused', async () => {
    const { db, Customer, Address } = await fresh(staffModels);
    const home = new Address({ city: 'Oslo' });
    const work = new Address({ city: 'Bergen' });
    db.session.add(new Customer({ billing: home, shipping: work }));
    await db.session.commit();
    const c = (await db
      .newSession()
      .query(Customer)
      .options(joinedload(Customer.billing), joinedload(Customer.shipping))
      .one())!;
    expect([c.billing?.city, c.shipping?.city]).toEqual(['Oslo', 'Bergen']);
    expect(() => db.session.query(Customer).join(Address)).toThrow(AmbiguousForeignKeysError);
    expect(() => db.session.query(Customer).join(Address)).toThrow(/customer\.billing_id, customer\.shipping_id/);
    const bad = new Database();
    bad.Model('Address', { id: bad.Column(bad.Integer, { primaryKey: true }) });
    bad.Model('Customer', {
      id: bad.Column(bad.Integer, { primaryKey: true }),
      a: bad.Column(bad.Integer, bad.ForeignKey('address.id')),
      b: bad.Column(bad.Integer, bad.ForeignKey('address.id')),
      address: bad.relationship<object>('Address', { uselist: false }),
    });
    await expect(bad.createAll()).rejects.toThrow(AmbiguousForeignKeysError);
    await expect(bad.createAll()).rejects.toThrow(/Pass foreignKeys/);
    expect(() => db.session.query(Address).join(staffOnly(db))).toThrow(NoForeignKeysError);
  });

  it('cascades: delete, delete-orphan, and passiveDeletes leaving it to ON DELETE CASCADE', async () => {
    const { db, Author, Book, Note } = await fresh(cascadeModels);
    const a = new Author({ books: [new Book({ title: 'A' }), new Book({ title: 'B' })] });
    db.session.add(a);
    db.session.add(new Note({ author_id: 1 }));
    await db.session.commit();
    const s = db.newSession();
    const author = (await s.get(Author, a.id))!;
    const books = await author.books;
    books.splice(0, 1); // orphan → deleted
    await s.commit();
    expect((await db.newSession().query(Book).all()).map((b) => b.title)).toEqual(['B']);
    s.delete(author);
    const events = await db.recordQueries(() => s.commit());
    expect(events.some((e) => /FROM .note/.test(e.sql))).toBe(false); // passive: notes not loaded
    expect(await db.newSession().query(Book).count()).toBe(0);
    expect(await db.newSession().query(Note).count()).toBe(0); // the database cascaded
  });

  it('primaryJoin and orderBy on a relationship', async () => {
    const { db, Author, Book, Shelf } = await fresh(cascadeModels);
    const a = new Author({
      books: [
        new Book({ title: 'Zeta', published: true }),
        new Book({ title: 'Alpha', published: true }),
        new Book({ title: 'Draft' }),
      ],
    });
    db.session.add(a);
    await db.session.commit();
    db.session.add(new Shelf({ author_id: a.id }));
    await db.session.commit();
    const shelf = (await db.newSession().query(Shelf).one())!;
    expect((await shelf.published).map((b) => b.title)).toEqual(['Alpha', 'Zeta']);
    const eager = await db.newSession().query(Shelf).options(selectinload(Shelf.published)).one();
    expect(eager.published.map((b) => b.title)).toEqual(['Alpha', 'Zeta']);
  });

  it('a backref of a relationship whose primaryJoin has an extra condition is refused, not silently widened', () => {
    const db = new Database();
    class Writer extends db.Model('Writer', {
      id: db.Column(db.Integer, { primaryKey: true }),
      drafts: db.relationship<Draft>('Draft', {
        primaryJoin: (): ColumnElement<boolean> => db.and_(Writer.id.eq(Draft.writerId), Draft.done.eq(false)),
        backref: 'writer',
      }),
    }) {}
    class Draft extends db.Model('Draft', {
      id: db.Column(db.Integer, { primaryKey: true }),
      writerId: db.Column(db.Integer, db.ForeignKey('writer.id')),
      done: db.Column(db.Boolean, { nullable: false }),
    }) {}
    expect(() => db.registry.configure()).toThrow(
      /relationship Writer\.drafts: its primaryJoin has a condition beyond the foreign key, which backref 'writer' cannot mirror; declare Draft\.writer yourself/,
    );
    expect([Writer, Draft]).toHaveLength(2); // declared: configure() is what refuses them
  });

  it('statement counts: lazy 1 + N, joinedload 1, selectinload 2, get() from the identity map 0', async () => {
    const { db, User } = await blog();
    const lazy = await db.countQueries(async () => {
      for (const u of await db.newSession().query(User).all()) await u.posts;
    });
    expect(lazy).toBe(1 + 4);
    const joined = await db.countQueries(async () => {
      const users = await db.newSession().query(User).options(joinedload(User.posts)).all();
      expect(users.map((u) => u.posts.length)).toEqual([2, 1, 1, 0]);
    });
    expect(joined).toBe(1);
    const s = db.newSession();
    let users: Awaited<ReturnType<typeof loadSelectin>> = [];
    const loadSelectin = () => s.query(User).options(selectinload(User.posts)).all();
    expect(await db.countQueries(async () => (users = await loadSelectin()))).toBe(2);
    expect(await db.countQueries(() => s.get(User, users[0]!.id))).toBe(0);
    expect(await db.countQueries(async () => users[0]!.posts[0]!.author)).toBe(0); // many-to-one in the identity map
  });

  it('joinedload with LIMIT limits parents, not joined rows', async () => {
    const { db, User } = await blog();
    const events = await db.recordQueries(async () => {
      const users = await db.newSession().query(User).options(joinedload(User.posts)).orderBy(User.id).limit(2).all();
      expect(users.map((u) => [u.username, u.posts.length])).toEqual([
        ['alice', 2],
        ['bob', 1],
      ]);
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.sql).toMatch(/FROM \(SELECT .* LIMIT 2\) AS .anon_1. LEFT OUTER JOIN/);
  });

  it('selectin loads 1001 parents with one IN list (SQLAlchemy would need three of 500)', async () => {
    const { db, User, Post } = await blog({ seed: false });
    const users = Array.from(
      { length: 1001 },
      (_, i) => new User({ username: `u${i}`, posts: [new Post({ title: `t${i}` })] }),
    );
    db.session.addAll(users);
    await db.session.commit();
    const events = await db.recordQueries(async () => {
      const loaded = await db.newSession().query(User).options(selectinload(User.posts)).all();
      expect(loaded.every((u) => u.posts.length === 1 && u.posts[0]!.title === `t${u.username.slice(1)}`)).toBe(true);
    });
    expect(events).toHaveLength(1 + 1);
    expect(events[1]!.params).toHaveLength(1001);
  });

  it('chained options load two levels; raise, noload, lazyload and containsEager do what they say', async () => {
    const { db, User, Post } = await blog();
    const n = await db.countQueries(async () => {
      const posts = await db
        .newSession()
        .query(Post)
        .options(joinedload(Post.author).selectinload(User.profile))
        .orderBy(Post.id)
        .all();
      expect(posts.map((p) => p.author?.profile?.bio ?? null)).toEqual([
        'Alice writes',
        'Alice writes',
        'Bob reads',
        null,
      ]);
    });
    expect(n).toBe(2);
    const raised = await db.newSession().query(User).options(raiseload(User.posts)).first();
    await expect(Promise.resolve(raised!.posts)).rejects.toThrow(NotLoadedError);
    await expect(Promise.resolve(raised!.posts)).rejects.toThrow(/User\.posts is set to raise/);
    const none = await db.newSession().query(User).options(noload(User.posts)).first();
    expect(await none!.posts).toEqual([]);
    const lazy = await db.newSession().query(User).options(lazyload(User.posts)).first();
    expect(await db.countQueries(async () => (await lazy!.posts).length)).toBe(1);
    const contains = await db
      .newSession()
      .query(User)
      .join(User.posts)
      .filter(Post.title.ilike('%o%'))
      .options(containsEager(User.posts))
      .orderBy(User.id, Post.id) // a join you wrote orders its rows: the relationship's orderBy does not apply
      .all();
    expect(contains.map((u) => [u.username, u.posts.map((p) => p.title)])).toEqual([
      ['alice', ['Hello world', 'Joins, explained']],
      ['bob', ["Bob's first"]],
      ['carol', ['Old news']],
    ]);
  });

  it('synchronous use of an unloaded relationship throws NotLoadedError naming it and the fix', async () => {
    const { db, User } = await blog();
    const u = (await db.newSession().query(User).first())!;
    const posts = u.posts as unknown as unknown[];
    expect(() => posts.length).toThrow(NotLoadedError);
    expect(() => posts.length).toThrow(
      'User.posts is not loaded. Use `await user.posts` to load it, or load it with the query: .options(selectinload(User.posts))',
    );
    expect(() => [...posts]).toThrow(NotLoadedError);
  });

  it('N+1: warns once with the call site, or raises in strict mode', async () => {
    const warn = vi.fn();
    const { db, User } = await blog({ nPlusOne: 'warn', warn });
    for (const u of await db.newSession().query(User).all()) await u.posts;
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /N\+1 query: User\.posts was lazily loaded for several User objects .* at test\/orm\/relationships\.test\.ts:\d+:\d+\. Load them together: \.options\(selectinload\(User\.posts\)\)/,
    );
    const strict = db.newSession({ nPlusOne: 'raise' });
    const users = await strict.query(User).all();
    await users[0]!.posts;
    await expect(Promise.resolve(users[1]!.posts)).rejects.toBeInstanceOf(NPlusOneError);
    const single = (await strict.query(User).filterBy({ username: 'bob' }).one())!;
    await expect(Promise.resolve(single.posts)).resolves.toHaveLength(1); // one object: not N+1
  });

  it('joins: along a relationship, outer joins, any() and has() as EXISTS', async () => {
    const { db, User, Post, Tag } = await blog();
    const viaRel = await db
      .newSession()
      .query(Post)
      .join(Post.tags)
      .filter(Tag.name.eq('howto'))
      .orderBy(Post.id)
      .all();
    expect(viaRel.map((p) => p.title)).toEqual(['Joins, explained', "Bob's first"]);
    const outer = await db.newSession().query(User).outerjoin(User.posts).filter(Post.id.isNull()).all();
    expect(outer.map((u) => u.username)).toEqual(['dave']);
    const tagged = await User.query
      .filter(User.posts.any(Post.tags.any(Tag.name.eq('howto'))))
      .orderBy(User.id)
      .all();
    expect(tagged.map((u) => u.username)).toEqual(['alice', 'bob']);
    const inactive = await Post.query.filter(Post.author.has(User.isActive.eq(false))).all();
    expect(inactive.map((p) => p.title)).toEqual(['Old news']);
    expect(() => User.posts.has()).toThrow(/User\.posts is a collection: use User\.posts\.any\(\)/);
  });
});

function staffOnly(db: Database) {
  return db.registry.mappers.get('Employee')!.cls;
}

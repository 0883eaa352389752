/**
 * Issue 11, "Relationship paths that drop or misorder data": each path is written by one Database
 * and read back by another (its own registry, session and connections) on the same database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import { Database, IntegrityError, noload, selectinload, type RelationshipAttribute } from '../../src/index.js';
import { blogModels, seedBlog } from '../../examples/seed/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** A tree of employees whose `reports` side exists only through the backref on `manager`. */
function staffModels(db: Database) {
  class Employee extends db.Model('Employee', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    manager_id: db.Column(db.Integer, db.ForeignKey('employee.id')),
    manager: db.relationship<Employee>('Employee', {
      remoteSide: 'id',
      uselist: false,
      backref: { name: 'reports', cascade: 'all, delete-orphan', orderBy: 'name' },
    }),
  }) {
    declare reports: Employee[];
    declare static reports: RelationshipAttribute<'reports', Employee[]>;
  }
  return { Employee };
}

describeEachDialect('Relationship paths (issue 11)', (t) => {
  const it = itOn(t);
  const dir = mkdtempSync(join(tmpdir(), 'relata-paths-'));
  let files = 0;
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0).reverse()) await d.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The database of one test: a fresh SQLite file, or this file's server database emptied. */
  const nextUrl = () => (t.dialect === 'sqlite' ? `sqlite:///${join(dir, `t${++files}.db`)}` : t.url);
  const open = <M>(url: string, define: (db: Database) => M) => {
    const db = new Database(url, { nPlusOne: 'off' });
    dbs.push(db);
    return { db, ...define(db) };
  };
  /** A writer with fresh tables, and a function opening a second Database on the same data. */
  const fresh = async <M>(define: (db: Database) => M) => {
    const url = nextUrl();
    const w = open(url, define);
    await w.db.dropAll();
    await w.db.createAll();
    return { ...w, reader: () => open(url, define) };
  };
  const blog = async () => {
    const b = await fresh(blogModels);
    await seedBlog(b.db, b);
    return b;
  };

  /** Writes a three-level tree: ann > (bea > (cid, dan), eve > fay). */
  const seedStaff = async (db: Database, Employee: ReturnType<typeof staffModels>['Employee']) => {
    const s = db.newSession();
    const ann = new Employee({ name: 'ann' });
    const bea = new Employee({ name: 'bea', manager: ann });
    const eve = new Employee({ name: 'eve', manager: ann });
    for (const name of ['cid', 'dan']) new Employee({ name, manager: bea });
    new Employee({ name: 'fay', manager: eve });
    s.add(ann);
    await s.commit();
    await s.close();
  };

  it('a backref append onto an unloaded collection is queued (no SQL), shown when it loads, cascaded and written', async () => {
    const w = await blog();
    const { db, User, Post } = w.reader();
    const s = db.newSession({ autoflush: false });
    const alice = await s.query(User).filter(User.username.eq('alice')).one();
    const post = new Post({ title: 'Queued' });
    const atAssignment = await db.countQueries(async () => {
      post.author = alice; // alice.posts is not loaded
    });
    expect(atAssignment).toBe(0);
    expect(s.isDirty).toBe(true); // cascaded into alice's session through the backref
    let titles: string[] = [];
    const atLoad = await db.countQueries(async () => {
      titles = (await alice.posts).map((p) => p.title);
    });
    expect(atLoad).toBe(1);
    expect(titles).toEqual(['Hello world', 'Joins, explained', 'Queued']);
    await s.commit();
    const back = await w.db.newSession().query(w.Post).filter(w.Post.title.eq('Queued')).one();
    expect(back.user_id).toBe(alice.id);
  });

  it('with autoflush, loading the collection writes the queued append first and shows it once', async () => {
    const w = await blog();
    const { db, User, Post } = w.reader();
    const s = db.newSession();
    const alice = await s.query(User).filter(User.username.eq('alice')).one();
    const post = new Post({ title: 'Flushed' });
    post.author = alice;
    const titles = (await alice.posts).map((p) => p.title);
    expect(titles).toEqual(['Hello world', 'Joins, explained', 'Flushed']);
    expect((await alice.posts).filter((p) => p === post)).toHaveLength(1);
    await s.commit();
    expect(await w.db.newSession().query(w.Post).filter(w.Post.user_id.eq(alice.id)).count()).toBe(3);
  });

  it('moving a child between two unloaded collections queues a removal and an append', async () => {
    const w = await blog();
    const { db, User, Post } = w.reader();
    const s = db.newSession({ autoflush: false });
    const [alice, bob] = await s
      .query(User)
      .filter(User.username.in(['alice', 'bob']))
      .orderBy(User.id)
      .all();
    const hello = await s.query(Post).filter(Post.title.eq('Hello world')).one();
    const n = await db.countQueries(async () => {
      hello.author = bob!; // alice (its author) is in the session; neither collection is loaded
    });
    expect(n).toBe(0);
    expect((await alice!.posts).map((p) => p.title)).toEqual(['Joins, explained']);
    expect((await bob!.posts).map((p) => p.title)).toEqual(["Bob's first", 'Hello world']);
    await s.commit();
    const r = w.db.newSession();
    const back = await r.query(w.Post).filter(w.Post.title.eq('Hello world')).one();
    expect(back.user_id).toBe(bob!.id);
    expect(await r.query(w.Post).filter(w.Post.user_id.eq(alice!.id)).count()).toBe(1);
  });

  it('many-to-many: adding and removing on one side queues on the unloaded other side', async () => {
    const w = await blog();
    const { db, Post, Tag } = w.reader();
    const s = db.newSession({ autoflush: false });
    const howto = await s.query(Tag).filter(Tag.name.eq('howto')).one();
    const [old, bobs] = await s
      .query(Post)
      .filter(Post.title.in(['Old news', "Bob's first"]))
      .options(selectinload(Post.tags))
      .orderBy(Post.title)
      .all()
      .then((ps) => [ps.find((p) => p.title === 'Old news')!, ps.find((p) => p.title === "Bob's first")!]);
    const n = await db.countQueries(async () => {
      old!.tags.push(howto); // howto.posts is not loaded
      bobs!.tags.splice(bobs!.tags.indexOf(howto), 1);
    });
    expect(n).toBe(0);
    expect((await howto.posts).map((p) => p.title).sort()).toEqual(['Joins, explained', 'Old news']);
    await s.commit();
    const r = w.db.newSession();
    const tag = await r.query(w.Tag).filter(w.Tag.name.eq('howto')).one();
    expect((await tag.posts).map((p) => p.title).sort()).toEqual(['Joins, explained', 'Old news']);
  });

  it('a rollback drops the queued backref changes: the collections load as the database has them', async () => {
    const w = await blog();
    const { db, User, Post } = w.reader();
    const s = db.newSession({ autoflush: false });
    const [alice, bob] = await s
      .query(User)
      .filter(User.username.in(['alice', 'bob']))
      .orderBy(User.id)
      .all();
    const hello = await s.query(Post).filter(Post.title.eq('Hello world')).one();
    hello.author = bob!; // queues a removal on alice.posts and an append on bob.posts
    new Post({ title: 'Dropped', author: alice! });
    await s.rollback();
    expect((await alice!.posts).map((p) => p.title)).toEqual(['Hello world', 'Joins, explained']);
    expect((await bob!.posts).map((p) => p.title)).toEqual(["Bob's first"]);
    await s.commit();
    expect(await w.db.newSession().query(w.Post).filter(w.Post.title.eq('Dropped')).count()).toBe(0);
  });

  it('assigning an unloaded one-to-one works: the flush loads the old row and clears its (unique) key first', async () => {
    const w = await blog();
    const { db, User, Profile } = w.reader();
    const s = db.newSession();
    const alice = await s.query(User).filter(User.username.eq('alice')).one();
    const atAssignment = await db.countQueries(async () => {
      alice.profile = new Profile({ bio: 'Alice, again' }); // alice.profile was never loaded
    });
    expect(atAssignment).toBe(0);
    const writes = (await db.recordQueries(() => s.commit())).map((e) => e.sql.split(' ')[0]!.toUpperCase());
    // The old profile is read, gives up the unique key, then the new one takes it.
    expect(writes.filter((w) => w !== 'BEGIN' && w !== 'COMMIT')).toEqual(['SELECT', 'UPDATE', 'INSERT']);
    const r = w.db.newSession();
    const rows = await r.query(w.Profile).orderBy(w.Profile.id).all();
    expect(rows.map((p) => [p.bio, p.user_id])).toEqual([
      ['Alice writes', null],
      ['Bob reads', 2],
      ['Alice, again', alice.id],
    ]);
  });

  it('setting an unloaded one-to-one to null clears the old row’s key at flush', async () => {
    const w = await blog();
    const { db, User } = w.reader();
    const s = db.newSession();
    const bob = await s.query(User).filter(User.username.eq('bob')).one();
    bob.profile = null;
    expect(bob.profile).toBeNull();
    await s.commit();
    const rows = await w.db.newSession().query(w.Profile).orderBy(w.Profile.id).all();
    expect(rows.map((p) => [p.bio, p.user_id])).toEqual([
      ['Alice writes', 1],
      ['Bob reads', null],
    ]);
  });

  it('setting the other side of an unloaded or loaded one-to-one leaves one row pointing at the owner', async () => {
    const w = await blog();
    const { db, User, Profile } = w.reader();
    const s = db.newSession();
    const [alice, bob] = await s
      .query(User)
      .filter(User.username.in(['alice', 'bob']))
      .orderBy(User.id)
      .all();
    const oldBob = await bob!.profile; // loaded, with its user
    expect(await oldBob!.user).toBe(bob);
    new Profile({ bio: 'Bob, again', user: bob! }); // cascaded into the session through the backref
    expect(bob!.profile).not.toBe(oldBob);
    expect(oldBob!.user).toBeNull();
    new Profile({ bio: 'Alice, again', user: alice! }); // alice.profile not loaded
    await s.commit();
    const rows = await w.db.newSession().query(w.Profile).orderBy(w.Profile.id).all();
    expect(rows.map((p) => [p.bio, p.user_id])).toEqual([
      ['Alice writes', null],
      ['Bob reads', null],
      ['Bob, again', bob!.id],
      ['Alice, again', alice!.id],
    ]);
  });

  it('an unloaded one-to-one with delete-orphan: the old row is deleted at flush', async () => {
    const w = await fresh(passportModels);
    const s = w.db.newSession();
    s.add(new w.Person({ id: 1, passport: new w.Passport({ id: 1, number: 'A1' }) }));
    await s.commit();
    const { db, Person, Passport } = w.reader();
    const r = db.newSession();
    const person = (await r.get(Person, 1))!;
    person.passport = new Passport({ id: 2, number: 'B2' });
    const writes = (await db.recordQueries(() => r.commit())).map((e) => e.sql.split(' ')[0]!.toUpperCase());
    // Read the old passport, clear its unique key, insert the new one, delete the orphan.
    expect(writes.filter((w) => w !== 'BEGIN' && w !== 'COMMIT')).toEqual(['SELECT', 'UPDATE', 'INSERT', 'DELETE']);
    const rows = await w.db.newSession().query(w.Passport).all();
    expect(rows.map((p) => [p.id, p.number, p.person_id])).toEqual([[2, 'B2', 1]]);
  });

  /** The statements of `fn` but BEGIN and COMMIT, by their first word. */
  const verbs = async (db: Database, fn: () => Promise<unknown>) =>
    (await db.recordQueries(fn))
      .map((e) => e.sql.split(' ')[0]!.toUpperCase())
      .filter((v) => v !== 'BEGIN' && v !== 'COMMIT');

  /** Shelf 1 holds books 1-3 and notes 1-2, shelf 2 holds book 4. */
  const shelves = async () => {
    const w = await fresh(shelfModels);
    const s = w.db.newSession();
    s.add(
      new w.Shelf({
        id: 1,
        books: [1, 2, 3].map((id) => new w.Book({ id })),
        notes: [1, 2].map((id) => new w.Note({ id })),
      }),
    );
    s.add(new w.Shelf({ id: 2, books: [new w.Book({ id: 4 })] }));
    await s.commit();
    return w;
  };

  it('assigning an unloaded one-to-many: no SQL, reads back as assigned, the flush clears the old rows’ keys', async () => {
    const w = await shelves();
    const { db, Shelf, Book } = w.reader();
    const s = db.newSession();
    const shelf = (await s.get(Shelf, 1))!;
    const [one, three] = await s
      .query(Book)
      .filter(Book.id.in([1, 3]))
      .orderBy(Book.id)
      .all();
    expect(await one!.shelf).toBe(shelf); // a loaded old member
    const five = new Book({ id: 5 });
    const n = await db.countQueries(async () => {
      shelf.books = [three!, five]; // shelf.books was never loaded
      expect(shelf.books).toEqual([three, five]);
      expect(three!.shelf).toBe(shelf);
      expect(five.shelf).toBe(shelf);
      expect(one!.shelf).toBeNull(); // its backref changes at once, as with a loaded collection
    });
    expect(n).toBe(0);
    expect(s.isDirty).toBe(true);
    const writes = await verbs(db, () => s.commit());
    expect(writes[0]).toBe('SELECT'); // the old collection, once
    expect(writes.filter((v) => v === 'SELECT')).toHaveLength(1);
    expect(writes).toContain('INSERT');
    expect(shelf.books).toEqual([three, five]);
    const rows = await w.db.newSession().query(w.Book).orderBy(w.Book.id).all();
    expect(rows.map((b) => [b.id, b.shelf_id])).toEqual([
      [1, null],
      [2, null],
      [3, 1],
      [4, 2],
      [5, 1],
    ]);
  });

  it('assigning an unloaded one-to-many with delete-orphan deletes the old rows at flush', async () => {
    const w = await shelves();
    const { db, Shelf, Note } = w.reader();
    const s = db.newSession();
    const shelf = (await s.get(Shelf, 1))!;
    const two = (await s.get(Note, 2))!;
    const n = await db.countQueries(async () => {
      shelf.notes = [two, new Note({ id: 3 })];
    });
    expect(n).toBe(0);
    const writes = await verbs(db, () => s.commit());
    expect(writes).toEqual(['SELECT', 'INSERT', 'DELETE']);
    const rows = await w.db.newSession().query(w.Note).orderBy(w.Note.id).all();
    expect(rows.map((x) => [x.id, x.shelf_id])).toEqual([
      [2, 1],
      [3, 1],
    ]);
  });

  it('assigning an unloaded many-to-many replaces the link rows: old ones deleted, new ones inserted', async () => {
    const w = await blog();
    const { db, Post, Tag } = w.reader();
    const s = db.newSession();
    const joins = await s.query(Post).filter(Post.title.eq('Joins, explained')).one();
    const [howto, news] = await s.query(Tag).orderBy(Tag.name).all();
    const howtoPosts = await howto!.posts; // loaded: the list the assignment updates
    expect(howtoPosts.map((p) => p.title).sort()).toEqual(["Bob's first", 'Joins, explained']);
    const misc = new Tag({ name: 'misc' });
    const n = await db.countQueries(async () => {
      joins.tags = [news!, misc]; // joins.tags was never loaded
      expect(joins.tags).toEqual([news, misc]);
      expect(howto!.posts).toBe(howtoPosts);
      expect(howtoPosts.map((p) => p.title)).toEqual(["Bob's first"]); // the old member lets go at once
      expect(misc.posts).toEqual([joins]);
    });
    expect(n).toBe(0);
    const writes = await verbs(db, () => s.commit());
    expect(writes.filter((v) => v === 'SELECT')).toHaveLength(1);
    expect(writes.filter((v) => v === 'DELETE')).toHaveLength(1); // the howto link
    const r = w.db.newSession();
    const back = await r.query(w.Post).filter(w.Post.title.eq('Joins, explained')).one();
    expect((await back.tags).map((t) => t.name).sort()).toEqual(['misc', 'news']);
    const tag = await r.query(w.Tag).filter(w.Tag.name.eq('howto')).one();
    expect((await tag.posts).map((p) => p.title)).toEqual(["Bob's first"]);
    const newsTag = await r.query(w.Tag).filter(w.Tag.name.eq('news')).one();
    expect((await newsTag.posts).map((p) => p.title).sort()).toEqual(['Hello world', 'Joins, explained']);
  });

  it('assigning the members an unloaded collection already has writes nothing: one SELECT at flush', async () => {
    const w = await blog();
    const { db, User, Post, Tag } = w.reader();
    const s = db.newSession({ autoflush: false });
    const alice = await s.query(User).filter(User.username.eq('alice')).one();
    const posts = await s.query(Post).filter(Post.user_id.eq(alice.id)).orderBy(Post.id).all();
    alice.posts = [...posts];
    const joins = posts[1]!;
    const tags = await s
      .query(Tag)
      .filter(Tag.name.in(['howto', 'news']))
      .orderBy(Tag.name)
      .all();
    joins.tags = [...tags]; // joins.tags was never loaded either
    const writes = await verbs(db, () => s.commit());
    expect(writes).toEqual(['SELECT', 'SELECT']); // each old collection, no write
    expect(alice.posts).toEqual(posts);
    expect(joins.tags).toEqual(tags);
  });

  it('collections of several owners assigned unloaded are loaded by one SELECT at flush', async () => {
    const w = await shelves();
    const { db, Shelf, Book } = w.reader();
    const s = db.newSession({ autoflush: false });
    const [one, two] = await s.query(Shelf).orderBy(Shelf.id).all();
    const four = (await s.get(Book, 4))!;
    one!.books = [four]; // moved from shelf 2, whose collection is assigned too
    two!.books = [new Book({ id: 5 })];
    const writes = await verbs(db, () => s.commit());
    expect(writes.filter((v) => v === 'SELECT')).toHaveLength(1);
    const rows = await w.db.newSession().query(w.Book).orderBy(w.Book.id).all();
    expect(rows.map((b) => [b.id, b.shelf_id])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 1],
      [5, 2],
    ]);
  });

  it('a rollback undoes the assignment: the collection is unloaded again and loads the database’s rows', async () => {
    const w = await shelves();
    const { db, Shelf, Book } = w.reader();
    const s = db.newSession({ autoflush: false });
    const shelf = (await s.get(Shelf, 1))!;
    shelf.books = [new Book({ id: 9 })];
    await s.rollback();
    let ids: number[] = [];
    const n = await db.countQueries(async () => {
      ids = (await shelf.books).map((b) => b.id);
    });
    expect(n).toBe(1);
    expect(ids).toEqual([1, 2, 3]);
    await s.commit();
    expect(await w.db.newSession().query(w.Book).count()).toBe(4);
  });

  it('a savepoint rollback undoes an assignment made inside it, flushed or not', async () => {
    const w = await shelves();
    const { db, Shelf, Book } = w.reader();
    const s = db.newSession({ autoflush: false });
    const shelf = (await s.get(Shelf, 1))!;
    const flushed = await s.beginNested();
    shelf.books = [new Book({ id: 8 })];
    await s.flush();
    await flushed.rollback();
    expect((await shelf.books).map((b) => b.id)).toEqual([1, 2, 3]);
    const other = (await s.get(Shelf, 2))!;
    const unflushed = await s.beginNested();
    other.books = [];
    await unflushed.rollback();
    expect((await other.books).map((b) => b.id)).toEqual([4]);
    await s.commit();
    const rows = await w.db.newSession().query(w.Book).orderBy(w.Book.id).all();
    expect(rows.map((b) => [b.id, b.shelf_id])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  it('assigning over a queued backref append: the queued object is no longer a member and is written without the key', async () => {
    const w = await shelves();
    const { db, Shelf, Book } = w.reader();
    const s = db.newSession({ autoflush: false });
    const shelf = (await s.get(Shelf, 1))!;
    const six = new Book({ id: 6, shelf }); // queued on the unloaded shelf.books, joins the session
    const seven = new Book({ id: 7 });
    shelf.books = [seven];
    expect(six.shelf).toBeNull();
    expect(shelf.books).toEqual([seven]);
    await s.commit();
    const rows = await w.db.newSession().query(w.Book).orderBy(w.Book.id).all();
    expect(rows.map((b) => [b.id, b.shelf_id])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 2],
      [6, null],
      [7, 1],
    ]);
  });

  it('a failed flush of an unloaded assignment leaves it to the rollback, which unloads the collection again', async () => {
    const w = await blog();
    const { db, User } = w.reader();
    const s = db.newSession();
    const alice = await s.query(User).filter(User.username.eq('alice')).one();
    alice.posts = []; // post.user_id is NOT NULL: clearing it fails
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ table: 'post', constraint: 'post.user_id' });
    expect(alice.posts).toEqual([]);
    await s.rollback();
    expect((await alice.posts).map((p) => p.title)).toEqual(['Hello world', 'Joins, explained']);
    expect(await w.db.newSession().query(w.Post).filter(w.Post.user_id.eq(alice.id)).count()).toBe(2);
  });

  it("assigning a lazy: 'noload' collection replaces the empty list it reads as: the database's rows stay", async () => {
    const w = await fresh(noloadModels);
    const s = w.db.newSession();
    s.add(new w.Owner({ id: 1, things: [new w.Thing({ id: 1 })] }));
    await s.commit();
    const { db, Owner, Thing } = w.reader();
    const r = db.newSession();
    const owner = (await r.get(Owner, 1))!;
    owner.things = [new Thing({ id: 2 })] as unknown as typeof owner.things;
    expect(await verbs(db, () => r.commit())).toEqual(['INSERT']);
    const rows = await w.db.newSession().query(w.Thing).orderBy(w.Thing.id).all();
    expect(rows.map((x) => [x.id, x.owner_id])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('configures on first use: selectinload(Employee.reports) as the first thing a fresh registry does', async () => {
    const w = await fresh(staffModels);
    await seedStaff(w.db, w.Employee);
    // A second Database: its registry has never configured, and this is the first thing it does.
    const { db, Employee } = w.reader();
    const option = selectinload(Employee.reports);
    const s = db.newSession();
    let names: string[][] = [];
    const n = await db.countQueries(async () => {
      const managers = await s.query(Employee).filter(Employee.manager_id.isNull()).options(option).all();
      names = managers.map((m) => m.reports.map((r) => r.name));
    });
    expect(names).toEqual([['bea', 'eve']]);
    expect(n).toBe(2); // the employees, then their reports in one IN query
  });

  it('configures on first use: new Model() in a fresh registry has its backref collections', async () => {
    const { db, Employee } = open(nextUrl(), staffModels);
    await db.dropAll();
    const boss = new Employee({ name: 'boss' }); // the first thing done with the models
    expect(boss.reports).toEqual([]);
    const aide = new Employee({ name: 'aide', manager: boss });
    expect(boss.reports).toEqual([aide]);
    await db.createAll();
    const s = db.newSession();
    s.add(boss);
    await s.commit();
    const r = db.newSession();
    const back = await r.query(Employee).filter(Employee.name.eq('aide')).one();
    expect(back.manager_id).toBe(boss.id);
  });

  it('deletes a self-referential subtree children first, one multi-row DELETE per level', async () => {
    const w = await fresh(staffModels);
    await seedStaff(w.db, w.Employee);
    const { db, Employee } = w.reader();
    const s = db.newSession();
    const ann = await s.query(Employee).filter(Employee.name.eq('ann')).one();
    s.delete(ann);
    const deletes = (await db.recordQueries(() => s.commit())).filter((e) => /^DELETE/i.test(e.sql));
    // Leaves (cid, dan, fay), then bea and eve, then ann: InnoDB would refuse one DELETE of all six.
    expect(deletes.map((e) => e.params.length)).toEqual([3, 2, 1]);
    expect(await w.db.newSession().query(w.Employee).count()).toBe(0);
  });

  it('deletes rows of one table that do not refer to each other in one DELETE', async () => {
    const w = await fresh(staffModels);
    await seedStaff(w.db, w.Employee);
    const { db, Employee } = w.reader();
    const s = db.newSession();
    const leaves = await s
      .query(Employee)
      .filter(Employee.name.in(['cid', 'dan', 'fay']))
      .all();
    for (const e of leaves) s.delete(e);
    const deletes = (await db.recordQueries(() => s.commit())).filter((e) => /^DELETE/i.test(e.sql));
    expect(deletes.map((e) => e.params.length)).toEqual([3]);
    const left = await w.db.newSession().query(w.Employee).orderBy(w.Employee.name).all();
    expect(left.map((e) => e.name)).toEqual(['ann', 'bea', 'eve']);
  });

  it('noload reads as empty synchronously, from the option and from lazy: noload, with no SQL', async () => {
    const { reader } = await blog();
    const { db, User, Post } = reader();
    const s = db.newSession();
    const alice = await s.query(User).filter(User.username.eq('alice')).options(noload(User.posts)).one();
    const posts = await s.query(Post).options(noload(Post.author)).orderBy(Post.id).all();
    const n = await db.countQueries(async () => {
      expect(alice.posts.length).toBe(0);
      expect(alice.posts).toEqual([]);
      expect(posts[0]!.author).toBeNull();
    });
    expect(n).toBe(0);
  });

  it("lazy: 'noload' reads as empty synchronously too, and pushing onto it still writes", async () => {
    const w = await fresh(noloadModels);
    const s = w.db.newSession();
    s.add(new w.Owner({ id: 1, things: [new w.Thing({ id: 1 })] }));
    await s.commit();
    const { db, Owner, Thing } = w.reader();
    const r = db.newSession();
    const owner = (await r.get(Owner, 1))!;
    const n = await db.countQueries(async () => {
      expect((owner.things as unknown as InstanceType<typeof Thing>[]).length).toBe(0);
    });
    expect(n).toBe(0);
    (owner.things as unknown as InstanceType<typeof Thing>[]).push(new Thing({ id: 2 }));
    await r.commit();
    const rows = await w.db.newSession().query(w.Thing).orderBy(w.Thing.id).all();
    expect(rows.map((x) => [x.id, x.owner_id])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });
});

function passportModels(db: Database) {
  class Person extends db.Model('Person', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    passport: db.relationship<Passport>('Passport', {
      uselist: false,
      cascade: 'all, delete-orphan',
      backPopulates: 'person',
    }),
  }) {}
  class Passport extends db.Model('Passport', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    number: db.Column(db.String(20), { nullable: false }),
    person_id: db.Column(db.Integer, db.ForeignKey('person.id'), { unique: true }),
    person: db.relationship<Person>('Person', { backPopulates: 'passport', uselist: false }),
  }) {}
  return { Person, Passport };
}

function noloadModels(db: Database) {
  class Owner extends db.Model('Owner', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    things: db.relationship<Thing>('Thing', { lazy: 'noload' }),
  }) {}
  class Thing extends db.Model('Thing', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    owner_id: db.Column(db.Integer, db.ForeignKey('owner.id')),
  }) {}
  return { Owner, Thing };
}

function shelfModels(db: Database) {
  class Shelf extends db.Model('Shelf', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    books: db.relationship<Book>('Book', { backPopulates: 'shelf', orderBy: 'id' }),
    notes: db.relationship<Note>('Note', { cascade: 'all, delete-orphan', orderBy: 'id' }),
  }) {}
  class Book extends db.Model('Book', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    shelf_id: db.Column(db.Integer, db.ForeignKey('shelf.id')),
    shelf: db.relationship<Shelf>('Shelf', { backPopulates: 'books', uselist: false }),
  }) {}
  class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
    shelf_id: db.Column(db.Integer, db.ForeignKey('shelf.id')),
  }) {}
  return { Shelf, Book, Note };
}

/**
 * Session operations (issue 14): merge(), re-adding an expunged object, expire()/expireAll(),
 * refresh(obj, attrs), populateExisting, makeTransient(). Rows are read back from a second session,
 * and the statements each operation runs are counted by kind.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  ExpiredAttributeError,
  InvalidRequestError,
  makeTransient,
  makeTransientToDetached,
  type Database,
  type StatementEvent,
} from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** The data statements run, by kind (BEGIN, COMMIT and SAVEPOINTs left out). */
function kinds(events: readonly StatementEvent[]): string[] {
  return events
    .map((e) => e.sql.trim().split(/\s/)[0]!.toUpperCase())
    .filter((k) => ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].includes(k));
}

describeEachDialect('Session operations: merge, expire, populateExisting, makeTransient', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function blog() {
    const b = await openBlog(t.url);
    db = b.db;
    return { ...b, db: b.db };
  }

  it('merge() of an object whose row is loaded copies its changes with no SELECT and returns the loaded one', async () => {
    const b = await blog();
    const s1 = b.db.newSession();
    const detached = await s1.query(b.User).filterBy({ username: 'bob' }).one();
    s1.expunge(detached);
    detached.isActive = false;
    const s2 = b.db.newSession();
    const loaded = await s2.query(b.User).filterBy({ username: 'bob' }).one();
    let merged: typeof loaded | null = null;
    const during = await b.db.recordQueries(async () => (merged = await s2.merge(detached)));
    expect(kinds(during)).toEqual([]);
    expect(merged).toBe(loaded);
    expect(loaded.isActive).toBe(false);
    expect(detached.isActive).toBe(false);
    expect(s2.isDirty).toBe(true);
    expect(kinds(await b.db.recordQueries(() => s2.commit()))).toEqual(['UPDATE']);
    const check = await b.db.newSession().query(b.User).filterBy({ username: 'bob' }).one();
    expect(check.isActive).toBe(false);
  });

  it('merge() of an object not in the identity map loads it with one SELECT; an unchanged one writes nothing', async () => {
    const b = await blog();
    const s1 = b.db.newSession();
    const detached = await s1.query(b.User).filterBy({ username: 'carol' }).one();
    await s1.close();
    detached.username = 'caroline';
    const s2 = b.db.newSession();
    let merged: typeof detached | null = null;
    const during = await b.db.recordQueries(async () => (merged = await s2.merge(detached)));
    expect(kinds(during)).toEqual(['SELECT']);
    expect(merged).not.toBe(detached);
    expect(merged!.username).toBe('caroline');
    expect(detached.username).toBe('caroline'); // only read: the given object stays detached
    expect(s2.size).toBe(1);
    expect(kinds(await b.db.recordQueries(() => s2.commit()))).toEqual(['UPDATE']);
    expect((await b.db.newSession().get(b.User, detached.id))!.username).toBe('caroline');
    // Merging it again unchanged: from the identity map, nothing to write.
    const s3 = b.db.newSession();
    await s3.get(b.User, detached.id);
    const again = await b.db.recordQueries(async () => {
      await s3.merge(detached);
      await s3.commit();
    });
    expect(kinds(again)).toEqual([]);
  });

  it('merge(obj, { load: false }) runs no SQL, trusts the object as the row, and refuses one with changes', async () => {
    const b = await blog();
    const s1 = b.db.newSession();
    const detached = await s1.query(b.User).filterBy({ username: 'dave' }).one();
    await s1.close();
    const s2 = b.db.newSession();
    let merged: typeof detached | null = null;
    const during = await b.db.recordQueries(async () => (merged = await s2.merge(detached, { load: false })));
    expect(kinds(during)).toEqual([]);
    expect(merged).not.toBe(detached);
    expect(s2.isDirty).toBe(false);
    expect(await b.db.countQueries(() => s2.get(b.User, detached.id))).toBe(0);
    merged!.username = 'david';
    expect(kinds(await b.db.recordQueries(() => s2.commit()))).toEqual(['UPDATE']);
    expect((await b.db.newSession().get(b.User, detached.id))!.username).toBe('david');

    detached.username = 'changed';
    await expect(b.db.newSession().merge(detached, { load: false })).rejects.toThrow(/unflushed changes/);
    await expect(b.db.newSession().merge(new b.User({ username: 'new' }), { load: false })).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('merge() of a new object adds a pending copy: no key, or a key with no row (after one SELECT)', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const fresh = new b.User({ username: 'erin' });
    const copy = await s.merge(fresh);
    expect(copy).not.toBe(fresh);
    expect(s.pending.size).toBe(1);
    const withKey = new b.User({ id: 500, username: 'frank' });
    let copy2: typeof withKey | null = null;
    // merge() flushes first when it may load (the pending copy: INSERT), as SQLAlchemy's does, then SELECTs by key.
    expect(kinds(await b.db.recordQueries(async () => (copy2 = await s.merge(withKey))))).toEqual(['INSERT', 'SELECT']);
    expect(kinds(await b.db.recordQueries(() => s.commit()))).toEqual(['INSERT']);
    expect(fresh.id).toBeNull();
    expect(copy.id).toEqual(expect.any(Number));
    expect(copy2!.id).toBe(500);
    const names = (await b.db.newSession().query(b.User).orderBy(b.User.id).all()).map((u) => u.username);
    expect(names).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });

  it('merge() cascades along loaded relationships with the merge cascade, once per object (cycles end)', async () => {
    const b = await blog();
    const s1 = b.db.newSession();
    const alice = await s1.query(b.User).options(b.db.selectinload(b.User.posts)).filterBy({ username: 'alice' }).one();
    await s1.close();
    alice.posts[0]!.title = 'Hello, merged world';
    alice.posts.push(new b.Post({ title: 'Added while detached' }));
    const s2 = b.db.newSession();
    let merged: typeof alice | null = null;
    // One SELECT for alice and one per post not in the identity map (their author is alice: no SQL).
    const during = await b.db.recordQueries(async () => (merged = await s2.merge(alice)));
    expect(kinds(during)).toEqual(['SELECT', 'SELECT', 'SELECT']);
    const posts = merged!.posts;
    expect(posts.map((p) => p.title)).toEqual(['Hello, merged world', 'Joins, explained', 'Added while detached']);
    expect(posts.every((p) => p.author === merged)).toBe(true);
    // The merged collection replaced alice's unloaded one: the flush reads its rows once (SELECT) to diff them.
    expect(kinds(await b.db.recordQueries(() => s2.commit())).sort()).toEqual(['INSERT', 'SELECT', 'UPDATE']);
    const check = await b.db
      .newSession()
      .query(b.User)
      .options(b.db.selectinload(b.User.posts))
      .filterBy({ username: 'alice' })
      .one();
    expect(check.posts.map((p) => p.title)).toEqual([
      'Hello, merged world',
      'Joins, explained',
      'Added while detached',
    ]);
  });

  it('concurrent sessions merging one detached object each get their own object; neither touches the other', async () => {
    const b = await blog();
    const s0 = b.db.newSession();
    const detached = await s0.query(b.User).filterBy({ username: 'bob' }).one();
    await s0.close();
    const sessions = [b.db.newSession(), b.db.newSession()];
    const held = await Promise.all(sessions.map((s) => s.query(b.User).filterBy({ username: 'bob' }).one()));
    detached.isActive = false;
    const merged = await Promise.all(sessions.map((s) => s.merge(detached)));
    expect(merged[0]).toBe(held[0]);
    expect(merged[1]).toBe(held[1]);
    expect(merged[0]).not.toBe(merged[1]);
    merged[1]!.username = 'robert'; // only session 1's object
    expect(merged[0]!.username).toBe('bob');
    await sessions[0]!.rollback();
    expect(held[1]!.isActive).toBe(false); // the other session's rollback leaves it alone
    await sessions[1]!.commit();
    const check = await b.db.newSession().get(b.User, detached.id);
    expect([check!.username, check!.isActive]).toEqual(['robert', false]);
  });

  it('re-adding an expunged object writes the changes made while it was detached', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const carol = await s.query(b.User).filterBy({ username: 'carol' }).one();
    s.expunge(carol);
    carol.isActive = true;
    carol.username = 'carol2';
    s.add(carol);
    expect(s.isDirty).toBe(true);
    expect(kinds(await b.db.recordQueries(() => s.commit()))).toEqual(['UPDATE']);
    const check = await b.db.newSession().get(b.User, carol.id);
    expect([check!.username, check!.isActive]).toEqual(['carol2', true]);
    // Unchanged while detached: re-adding writes nothing.
    s.expunge(carol);
    s.add(carol);
    expect(s.isDirty).toBe(false);
  });

  it('expire(): a synchronous read throws; refresh(), get() or a query returning the row loads it again', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const bob = await s.query(b.User).filterBy({ username: 'bob' }).one();
    const other = b.db.newSession();
    (await other.get(b.User, bob.id))!.username = 'bobby';
    await other.commit();
    bob.isActive = false; // an unflushed change, dropped by expire()
    s.expire(bob);
    expect(() => bob.username).toThrow(ExpiredAttributeError);
    expect(() => bob.username).toThrow(/User\.username .*session\.refresh/);
    expect(bob.id).toEqual(expect.any(Number)); // the key is never expired
    expect(s.isDirty).toBe(false);
    expect(await b.db.countQueries(() => s.get(b.User, bob.id))).toBe(1);
    expect([bob.username, bob.isActive]).toEqual(['bobby', true]);
    // expireAll(), then any query returning the row fills it.
    s.expireAll();
    const again = await s.query(b.User).filterBy({ username: 'bobby' }).one();
    expect(again).toBe(bob);
    expect(bob.isActive).toBe(true);
    // expire(obj, attrs) of one column, then refresh(): one SELECT.
    s.expire(bob, ['username']);
    expect(bob.isActive).toBe(true);
    expect(() => bob.username).toThrow(ExpiredAttributeError);
    expect(kinds(await b.db.recordQueries(() => s.refresh(bob)))).toEqual(['SELECT']);
    expect(bob.username).toBe('bobby');
    // Setting an expired attribute needs no load, and is written.
    s.expire(bob, ['username']);
    bob.username = 'bob';
    await s.commit();
    expect((await b.db.newSession().get(b.User, bob.id))!.username).toBe('bob');
  });

  it('expire() of a relationship unloads it; an expired foreign key is loaded before the lazy load that needs it', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const post = await s.query(b.Post).options(b.db.joinedload(b.Post.author)).filterBy({ title: 'Old news' }).one();
    const bob = await s.query(b.User).filterBy({ username: 'bob' }).one();
    const other = b.db.newSession();
    (await other.query(b.Post).filterBy({ title: 'Old news' }).one()).user_id = bob.id;
    await other.commit();
    expect(post.author!.username).toBe('carol'); // stale
    s.expire(post, ['user_id', 'author']);
    // One SELECT of the expired key, then bob from the identity map: no SELECT of the user.
    let author: unknown;
    const during = await b.db.recordQueries(async () => (author = await post.author));
    expect(kinds(during)).toEqual(['SELECT']);
    expect(author).toBe(bob);
    expect(() => s.expire(post, ['id'])).toThrow(ArgumentError);
    expect(() => s.expire(post, ['nope' as 'title'])).toThrow(/Post has no column or relationship 'nope'/);
    expect(() => b.db.newSession().expire(post)).toThrow(InvalidRequestError);
  });

  it('refresh(obj, attrs) reloads only the named columns and loads a named relationship again', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const alice = await s.query(b.User).options(b.db.selectinload(b.User.posts)).filterBy({ username: 'alice' }).one();
    const other = b.db.newSession();
    const same = (await other.get(b.User, alice.id))!;
    same.isActive = false;
    other.add(new b.Post({ title: 'Third', author: same }));
    await other.commit();
    alice.username = 'unsaved';
    const during = await b.db.recordQueries(() => s.refresh(alice, ['isActive', 'posts']));
    expect(kinds(during)).toEqual(['SELECT', 'SELECT']);
    expect(alice.isActive).toBe(false);
    expect(alice.username).toBe('unsaved'); // not named: its change stays
    expect(alice.posts.map((p) => p.title)).toEqual(['Hello world', 'Joins, explained', 'Third']);
  });

  it('populateExisting() overwrites loaded objects, drops their unflushed changes and refreshes its eager loads', async () => {
    const b = await blog();
    const s = b.db.newSession({ autoflush: false });
    const users = await s.query(b.User).options(b.db.selectinload(b.User.posts)).orderBy(b.User.id).all();
    const [alice, bob] = users;
    const other = b.db.newSession();
    const bob2 = (await other.get(b.User, bob!.id))!;
    bob2.isActive = false;
    other.add(new b.Post({ title: 'Bob again', author: bob2 }));
    await other.commit();
    alice!.username = 'unsaved';
    const stale = await s.query(b.User).options(b.db.selectinload(b.User.posts)).orderBy(b.User.id).all();
    expect(stale[1]!.isActive).toBe(true); // a plain re-query keeps what the identity map holds
    expect(stale[1]!.posts).toHaveLength(1);
    const fresh = await b.db.recordQueries(() =>
      s.query(b.User).populateExisting().options(b.db.selectinload(b.User.posts)).orderBy(b.User.id).all(),
    );
    expect(kinds(fresh)).toEqual(['SELECT', 'SELECT']);
    expect(bob!.isActive).toBe(false);
    expect(bob!.posts.map((p) => p.title)).toEqual(["Bob's first", 'Bob again']);
    expect(alice!.username).toBe('alice');
    expect(s.isDirty).toBe(false);
    // The execution option does the same; options Relata does not implement are refused.
    bob2.isActive = true;
    await other.commit();
    await s.query(b.User).executionOptions({ populateExisting: true }).all();
    expect(bob!.isActive).toBe(true);
    expect(() => s.query(b.User).executionOptions({ yield_per: 10 } as never)).toThrow(/yield_per/);
  });

  it('makeTransient() detaches an object from its row: added again it INSERTs a new one', async () => {
    const b = await blog();
    const s = b.db.newSession();
    const post = await s.query(b.Post).filterBy({ title: 'Old news' }).one();
    const oldId = post.id;
    makeTransient(post);
    expect(s.size).toBe(0);
    post.id = null as never;
    post.title = 'Old news, again';
    s.add(post);
    expect(kinds(await b.db.recordQueries(() => s.commit()))).toEqual(['INSERT']);
    expect(post.id).not.toBe(oldId);
    const titles = (await b.db.newSession().query(b.Post).orderBy(b.Post.id).all()).map((p) => p.title);
    expect(titles).toEqual(['Hello world', 'Joins, explained', "Bob's first", 'Old news', 'Old news, again']);
  });

  it('makeTransientToDetached() makes a hand-built object with a key persistent on add(), with no SQL', async () => {
    const b = await blog();
    const id = (await b.db.newSession().query(b.User).filterBy({ username: 'dave' }).one()).id;
    const s = b.db.newSession();
    const dave = new b.User({ id, username: 'dave' });
    makeTransientToDetached(dave);
    expect(() => dave.isActive).toThrow(ExpiredAttributeError); // never set: not known
    const during = await b.db.recordQueries(async () => {
      s.add(dave);
      await s.flush();
    });
    expect(kinds(during)).toEqual([]);
    dave.username = 'davey';
    expect(kinds(await b.db.recordQueries(() => s.commit()))).toEqual(['UPDATE']);
    expect((await b.db.newSession().get(b.User, id))!.username).toBe('davey');
    expect(() => makeTransientToDetached(new b.User({ username: 'nokey' }))).toThrow(/no primary key/);
  });
});

import { afterEach, expect } from 'vitest';
import {
  FlushError,
  IntegrityError,
  InvalidRequestError,
  PendingRollbackError,
  selectColumns,
  type Database,
} from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Session and unit of work', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('inserts parents before children in one batched INSERT per table and reads keys back', async () => {
    const b = await openBlog(t.url, { seed: false });
    db = b.db;
    const users = ['u1', 'u2', 'u3'].map((username) => new b.User({ username }));
    users.forEach((u, i) => (u.posts = [new b.Post({ title: `p${i}a` }), new b.Post({ title: `p${i}b` })]));
    // Children added first: the unit of work still inserts users first.
    db.session.addAll(users.flatMap((u) => [...(u.posts as InstanceType<typeof b.Post>[])]));
    db.session.addAll(users);
    const events = await db.recordQueries(() => db!.session.commit());
    const inserts = events.filter((e) => e.sql.startsWith('INSERT'));
    expect(inserts.map((e) => e.sql.split(' ')[2])).toEqual([q(t.dialect, 'user'), q(t.dialect, 'post')]);
    expect(users.map((u) => typeof u.id)).toEqual(['number', 'number', 'number']);
    const rows = await db.session.execute(selectColumns(b.Post.title, b.Post.user_id).orderByAlso(b.Post.id));
    expect(rows).toEqual(
      users.flatMap((u, i) => [
        { title: `p${i}a`, user_id: u.id },
        { title: `p${i}b`, user_id: u.id },
      ]),
    );
  });

  it('keeps one object per row (identity map) and get() of a loaded object runs no SQL', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const alice = await s.query(b.User).filterBy({ username: 'alice' }).one();
    const again = await s.query(b.User).filter(b.User.id.eq(alice.id)).first();
    expect(again).toBe(alice);
    let fetched: unknown;
    expect(await db.countQueries(async () => (fetched = await s.get(b.User, alice.id)))).toBe(0);
    expect(fetched).toBe(alice);
    expect(await s.get(b.User, 999)).toBeNull();
    // Another session has its own identity map.
    const other = await db.newSession().get(b.User, alice.id);
    expect(other).not.toBe(alice);
    expect(other!.username).toBe('alice');
  });

  it('UPDATEs only the columns that changed, and nothing when a value is set back', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const bob = await s.query(b.User).filterBy({ username: 'bob' }).one();
    bob.isActive = false;
    const events = await db.recordQueries(() => s.flush());
    expect(events.map((e) => e.sql)).toEqual([
      `UPDATE ${q(t.dialect, 'user')} SET ${q(t.dialect, 'is_active')} = ${ph(t.dialect, 1)} WHERE ${q(t.dialect, 'user')}.${q(t.dialect, 'id')} = ${ph(t.dialect, 2)}`,
    ]);
    bob.username = 'robert';
    bob.username = 'bob';
    expect(await db.countQueries(() => s.flush())).toBe(0);
    await s.commit();
    const fresh = await db.newSession().get(b.User, bob.id);
    expect(fresh!.isActive).toBe(false);
  });

  it('autoflushes pending objects before a query', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    db.session.add(new b.User({ username: 'erin' }));
    const found = await b.User.query.filterBy({ username: 'erin' }).first();
    expect(found?.username).toBe('erin');
    await db.session.rollback();
    expect(await db.newSession().query(b.User).filterBy({ username: 'erin' }).first()).toBeNull();
  });

  it('a failed flush raises IntegrityError naming table and constraint, writes nothing, and the session recovers after rollback()', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    s.add(new b.User({ username: 'frank' }));
    s.add(new b.User({ username: 'alice' })); // taken
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).table).toBe('user');
    expect((err as IntegrityError).constraint).toBe('uq_user_username');
    await expect(s.query(b.User).all()).rejects.toBeInstanceOf(PendingRollbackError);
    await s.rollback();
    expect(await db.newSession().query(b.User).filterBy({ username: 'frank' }).first()).toBeNull();
    s.add(new b.User({ username: 'grace' }));
    await s.commit();
    expect((await db.newSession().query(b.User).filterBy({ username: 'grace' }).one()).username).toBe('grace');
  });

  it('a failed flush puts back what it wrote: new rows pending again without keys, foreign keys or defaults', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const alice = await s.query(b.User).filterBy({ username: 'alice' }).one();
    const posts = [new b.Post({ title: 'one' }), new b.Post({ title: 'two' })];
    const erin = new b.User({ username: 'erin', posts });
    // A second profile for alice breaks profile.user_id's unique constraint: the last table written.
    const clash = new b.Profile({ bio: 'again', user_id: alice.id });
    const before = [erin.id, erin.isActive, ...posts.map((p) => [p.id, p.user_id])];
    s.add(erin);
    s.add(clash);
    const written: string[] = [];
    const off = db.engine.onStatement((e) => written.push(e.sql));
    const err = await s.commit().catch((e: unknown) => e);
    off();
    expect(err).toBeInstanceOf(IntegrityError);
    expect(written.some((q) => /^INSERT INTO .post./.test(q))).toBe(true); // rows were written, then undone
    expect([erin.id, erin.isActive, ...posts.map((p) => [p.id, p.user_id])]).toEqual(before);
    // The posts came in by cascade; they wait in the session like the objects added by hand.
    expect(new Set([...s.pending].map((st) => st.obj))).toEqual(new Set([erin, ...posts, clash]));
    await s.rollback();
    clash.user_id = null; // a profile of nobody, which is allowed
    s.addAll([erin, clash]);
    await s.commit();
    const saved = await db.newSession().query(b.User).filterBy({ username: 'erin' }).one();
    expect((await saved.posts).map((p) => p.title)).toEqual(['one', 'two']);
    expect(erin.id).toBe(saved.id);
  });

  it('rollback() restores loaded objects to their committed values and drops pending ones', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const alice = await s.query(b.User).filterBy({ username: 'alice' }).one();
    alice.username = 'alicia';
    await s.flush();
    const pending = new b.User({ username: 'henry' });
    s.add(pending);
    await s.rollback();
    expect(alice.username).toBe('alice');
    expect(s.pending.size).toBe(0);
    expect(pending.id).toBeNull();
  });

  it('refresh() reloads values changed elsewhere and discards unflushed edits', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const bob = await s.query(b.User).filterBy({ username: 'bob' }).one();
    const other = db.newSession();
    (await other.get(b.User, bob.id))!.isActive = false;
    await other.commit();
    expect(bob.isActive).toBe(true); // stale: the identity map keeps what it loaded
    bob.username = 'bobby';
    await s.refresh(bob);
    expect([bob.username, bob.isActive]).toEqual(['bob', false]);
    expect(s.isDirty).toBe(false);
  });

  it('deletes rows and refuses to delete objects it does not hold', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const dave = await s.query(b.User).filterBy({ username: 'dave' }).one();
    s.delete(dave);
    await s.commit();
    expect(await db.newSession().query(b.User).filterBy({ username: 'dave' }).first()).toBeNull();
    expect(() => s.delete(new b.User({ username: 'x' }))).toThrow(InvalidRequestError);
  });

  it('an UPDATE that matches no row (deleted elsewhere) is a FlushError, not silent', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const dave = await s.query(b.User).filterBy({ username: 'dave' }).one();
    const other = db.newSession();
    other.delete((await other.get(b.User, dave.id))!);
    await other.commit();
    dave.username = 'david';
    await expect(s.flush()).rejects.toBeInstanceOf(FlushError);
    await s.rollback();
  });
});

function q(dialect: string, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}
function ph(dialect: string, n: number): string {
  return dialect === 'postgres' ? `$${n}` : '?';
}

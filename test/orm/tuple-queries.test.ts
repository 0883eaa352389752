/**
 * ORM queries of tuples (issue 15): session.query(User, func.count(Post.id).label('n')) rows of
 * [model, value] whose objects go through the identity map, session.query(User.id, User.username)
 * rows of values, groupBy/having on Query, window functions beside a model; on every database.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { ArgumentError, Database, func, joinedload, selectinload, type StatementEvent } from '../../src/index.js';
import { blogModels } from '../../examples/seed/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { openBlog } from '../support/blog.js';

describeEachDialect('ORM tuple queries', (t) => {
  const it = itOn(t);
  let blog: Awaited<ReturnType<typeof openBlog>>;
  const statements: string[] = [];

  beforeAll(async () => {
    if (t.skipReason) return;
    blog = await openBlog(t.url);
    blog.db.onStatement((e: StatementEvent) => statements.push(e.sql));
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await blog.db.dropAll();
    await blog.db.close();
  });

  it('session.query(User, count): [User, number] rows in one statement, objects from the identity map', async () => {
    const { db, User, Post } = blog;
    const s = db.newSession();
    const alice = await s.query(User).filterBy({ username: 'alice' }).one();
    let rows: [InstanceType<typeof User>, number][] = [];
    const n = await db.countQueries(async () => {
      rows = await s
        .query(User, func.count(Post.id).label('n'))
        .outerjoin(User.posts)
        .groupBy(User.id, User.username, User.isActive)
        .orderBy(User.id)
        .all();
    });
    expect(n).toBe(1);
    expect(rows.map(([u, count]) => [u.username, count])).toEqual([
      ['alice', 2],
      ['bob', 1],
      ['carol', 1],
      ['dave', 0],
    ]);
    expect(rows[0]![0]).toBe(alice); // one object per primary key in the session
    expect(statements.at(-1)).toMatch(/GROUP BY .* ORDER BY/);
  });

  it('session.query(User.id, User.username): rows of values; where, having, limit', async () => {
    const { db, User, Post } = blog;
    const s = db.newSession();
    const rows = await s.query(User.id, User.username).filter(User.isActive.eq(true)).orderBy(User.id).limit(2).all();
    expect(rows.map(([, name]) => name)).toEqual(['alice', 'bob']);
    expect(typeof rows[0]![0]).toBe('number');
    const prolific = await s
      .query(User.username, func.count(Post.id).label('posts'))
      .join(User.posts)
      .groupBy(User.username)
      .having(func.count(Post.id).gt(1))
      .all();
    expect(prolific).toEqual([['alice', 2]]);
    expect(s.size).toBe(0); // columns only: no object was loaded
  });

  it('a model beside a window rank; selectinload still loads per query (2 statements)', async () => {
    const { db, Post } = blog;
    const s = db.newSession();
    const before = statements.length;
    const rows = await s
      .query(Post, func.rowNumber().over({ partitionBy: Post.user_id, orderBy: Post.id.desc() }).label('newest'))
      .options(selectinload(Post.tags))
      .orderBy(Post.id)
      .all();
    const n = statements.length - before;
    expect(n).toBe(2);
    expect(rows.map(([p, newest]) => [p.title, newest, p.tags.length])).toEqual([
      ['Hello world', 2, 1],
      ['Joins, explained', 1, 2],
      ["Bob's first", 1, 1],
      ['Old news', 1, 0],
    ]);
  });

  it('the compiled-load cache tells tuple queries apart by their columns, GROUP BY and HAVING', async () => {
    const { db, User, Post } = blog;
    const s = db.newSession();
    for (let round = 0; round < 2; round++) {
      expect(await s.query(User.id).filter(User.username.eq('bob')).all()).toEqual([[2]]);
      expect(await s.query(User.username).filter(User.username.eq('bob')).all()).toEqual([['bob']]);
      const grouped = s.query(Post.user_id, func.count(Post.id)).groupBy(Post.user_id).orderBy(Post.user_id);
      expect(await grouped.all()).toEqual([
        [1, 2],
        [2, 1],
        [3, 1],
      ]);
      expect(await grouped.having(func.count(Post.id).gt(1)).all()).toEqual([[1, 2]]);
      expect(await s.query(User).filter(User.username.eq('bob')).all()).toHaveLength(1);
    }
  });

  it('refuses what it cannot do, naming the model', async () => {
    const { db, User, Post } = blog;
    const s = db.newSession();
    expect(() => s.query(User, Post)).toThrow(/one model per query/);
    expect(() => s.query(func.count())).toThrow(/name a model or one of its columns/);
    expect(() => s.query(User, 3 as never)).toThrow(ArgumentError);
    await expect(s.query(User, func.count(Post.id)).join(User.posts).groupBy(User.id).count()).rejects.toThrow(
      /User query: count\(\) counts objects/,
    );
    await expect(s.query(User, User.id).options(joinedload(User.posts)).all()).rejects.toThrow(
      /User query of tuples: a joined collection would repeat each row once per child; use selectinload/,
    );
    await expect(s.query(User.id).options(selectinload(User.posts)).all()).rejects.toThrow(
      /loader options need the model/,
    );
  });

  it('many sessions at once run tuple queries over their own uncommitted rows, counted from a second connection', async () => {
    const { db, User, Post } = blog;
    const tasks = 12;
    const dave = await db.newSession().query(User).filterBy({ username: 'dave' }).one();
    const results = await Promise.all(
      Array.from({ length: tasks }, async (_, i) => {
        const s = db.newSession();
        await s.begin();
        s.add(new Post({ title: `t${i}`, user_id: dave.id }));
        const rows = await s
          .query(User, func.count(Post.id).label('n'))
          .join(User.posts)
          .filter(User.id.eq(dave.id), Post.title.eq(`t${i}`))
          .groupBy(User.id, User.username, User.isActive)
          .all();
        await s.commit();
        return rows.map(([u, n]) => [u.username, n]);
      }),
    );
    for (const r of results) expect(r).toEqual([['dave', 1]]);
    // From a second connection (in-memory SQLite has only one: the same database after every commit).
    const other = t.dialect === 'sqlite' ? db : new Database(t.url, { nPlusOne: 'off' });
    const om = other === db ? blog : blogModels(other);
    try {
      const rows = await other
        .newSession()
        .query(om.Post.user_id, func.count(om.Post.id).label('n'))
        .filter(om.Post.user_id.eq(dave.id))
        .groupBy(om.Post.user_id)
        .all();
      expect(rows).toEqual([[dave.id, tasks]]);
    } finally {
      if (other !== db) await other.close();
    }
  });
});

/**
 * An option chained below a relationship that was already loaded (`selectinload(User.posts)
 * .selectinload(Post.tags)` when `user.posts` is) still loads into its members: the collection keeps
 * what it holds, and the result is as loaded as its type says. It used to stop at the loaded level,
 * leaving `post.tags` unloaded behind a type that promised it.
 */
import { afterEach, expect } from 'vitest';
import { selectinload, type Database } from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Options chained below an already loaded relationship', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.dropAll();
    await db?.close();
    db = null;
  });

  it('selectin below a loaded collection loads the members, in one statement for all of them', async () => {
    const blog = await openBlog(t.url);
    db = blog.db;
    const { User, Post } = blog;
    const s = db.newSession();
    await s.query(User).options(selectinload(User.posts)).orderBy(User.id).all();
    let users: Awaited<ReturnType<typeof load>> = [];
    const load = () => s.query(User).options(selectinload(User.posts).selectinload(Post.tags)).orderBy(User.id).all();
    // The users again (one SELECT), then the tags of the four posts already in memory (one SELECT).
    expect(await db.countQueries(async () => void (users = await load()))).toBe(2);
    expect(users.map((u) => [u.username, u.posts.map((p) => [p.title, p.tags.map((tag) => tag.name).sort()])])).toEqual(
      [
        [
          'alice',
          [
            ['Hello world', ['news']],
            ['Joins, explained', ['howto', 'news']],
          ],
        ],
        ['bob', [["Bob's first", ['howto']]]],
        ['carol', [['Old news', []]]],
        ['dave', []],
      ],
    );
    // Loaded now: the same query again costs only its own SELECT.
    expect(await db.countQueries(load)).toBe(1);
    await s.close();
  });

  it('objects flushed in the session keep their collections; a chained option loads the rest', async () => {
    const blog = await openBlog(t.url, { seed: false });
    db = blog.db;
    const { User, Post, Tag } = blog;
    const s = db.newSession();
    const news = new Tag({ name: 'news' });
    s.add(
      new User({ username: 'x', posts: [new Post({ title: 'with', tags: [news] }), new Post({ title: 'without' })] }),
    );
    await s.commit();
    const [user] = await s.query(User).options(selectinload(User.posts).joinedload(Post.tags)).all();
    expect(user!.posts.map((p) => [p.title, p.tags.map((tag) => tag.name)])).toEqual([
      ['with', ['news']],
      ['without', []],
    ]);
    await s.close();
  });

  it('three levels: Tag.posts loaded, Post.author and User.profile chained below it', async () => {
    const blog = await openBlog(t.url);
    db = blog.db;
    const { User, Post, Tag } = blog;
    const s = db.newSession();
    await s.query(Tag).options(selectinload(Tag.posts)).all();
    const tags = await s
      .query(Tag)
      .options(selectinload(Tag.posts).joinedload(Post.author).selectinload(User.profile))
      .orderBy(Tag.name)
      .all();
    expect(
      tags.map((tag) => [
        tag.name,
        tag.posts.map((p) => [p.title, p.author?.username, p.author?.profile?.bio ?? null]),
      ]),
    ).toEqual([
      [
        'howto',
        [
          ['Joins, explained', 'alice', 'Alice writes'],
          ["Bob's first", 'bob', 'Bob reads'],
        ],
      ],
      [
        'news',
        [
          ['Hello world', 'alice', 'Alice writes'],
          ['Joins, explained', 'alice', 'Alice writes'],
        ],
      ],
    ]);
    await s.close();
  });
});

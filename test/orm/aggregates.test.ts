/**
 * Relationship aggregates as loader options (withCount, withSum, withMin, withMax, withAvg, withExists):
 * one GROUP BY statement per aggregate after the parents, never one per parent; values typed and
 * exact (Numeric sums as decimal strings, BigInteger sums as bigints), on one-to-many, many-to-many
 * and custom primaryJoin relationships, at the root and under a loaded relationship.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  lazyload,
  selectinload,
  withAvg,
  withCount,
  withExists,
  withMax,
  withMin,
  withSum,
  type ColumnElement,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  const postTags = db.Table(
    'agg_post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('agg_post.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('agg_tag.id'), { primaryKey: true }),
  );
  class Writer extends db.Model(
    'Writer',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      posts: db.relationship<Post>('Post', { backPopulates: 'writer' }),
      popular: db.relationship<Post>('Post', {
        primaryJoin: (): ColumnElement<boolean> => db.and_(Post.writerId.eq(Writer.id), Post.views.gt(10)),
        foreignKeys: 'Post.writerId',
        viewonly: true,
      }),
    },
    { tableName: 'agg_writer' },
  ) {}
  class Post extends db.Model(
    'Post',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      writerId: db.Column(db.Integer, db.ForeignKey('agg_writer.id'), { nullable: false }),
      views: db.Column(db.Integer),
      price: db.Column(db.Numeric(12, 2), { nullable: false }),
      bytes: db.Column(db.BigInteger, { nullable: false }),
      title: db.Column(db.String(40), { nullable: false }),
      writer: db.relationship<Writer>('Writer', { backPopulates: 'posts', uselist: false }),
      comments: db.relationship<Comment>('Comment', { backPopulates: 'post' }),
      tags: db.relationship<Tag>('Tag', { secondary: postTags, backPopulates: 'posts' }),
    },
    { tableName: 'agg_post' },
  ) {}
  class Comment extends db.Model(
    'Comment',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      postId: db.Column(db.Integer, db.ForeignKey('agg_post.id'), { nullable: false }),
      post: db.relationship<Post>('Post', { backPopulates: 'comments', uselist: false }),
    },
    { tableName: 'agg_comment' },
  ) {}
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      posts: db.relationship<Post>('Post', { secondary: postTags, backPopulates: 'tags' }),
    },
    { tableName: 'agg_tag' },
  ) {}
  return { Writer, Post, Comment, Tag };
}

const BIG = 2n ** 60n;

describeEachDialect('relationship aggregates', (t) => {
  const it = itOn(t);
  let db: Database;
  let m: ReturnType<typeof models>;
  const statements: string[] = [];

  beforeAll(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    m = models(db);
    await db.dropAll();
    await db.createAll();
    const { Writer, Post, Comment, Tag } = m;
    const s = db.newSession();
    const ann = new Writer({ name: 'ann' });
    const bob = new Writer({ name: 'bob' });
    const cid = new Writer({ name: 'cid' }); // no posts
    const news = new Tag({ name: 'news' });
    const misc = new Tag({ name: 'misc' });
    const idle = new Tag({ name: 'idle' }); // no posts
    const p1 = new Post({ writer: ann, views: 5, price: '10.25', bytes: BIG, title: 'a1', tags: [news, misc] });
    const p2 = new Post({ writer: ann, views: 20, price: '0.50', bytes: BIG, title: 'a2', tags: [news] });
    const p3 = new Post({ writer: bob, views: null, price: '3.00', bytes: 1n, title: 'b1' });
    s.addAll([
      ann,
      bob,
      cid,
      idle,
      p1,
      p2,
      p3,
      new Comment({ post: p1 }),
      new Comment({ post: p1 }),
      new Comment({ post: p2 }),
    ]);
    await s.commit();
    db.onStatement((e: StatementEvent) => statements.push(e.sql));
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  const writers = () => db.newSession().query(m.Writer).orderBy(m.Writer.name);

  it('withCount: one GROUP BY statement for all parents, 0 for a parent without children', async () => {
    const { Writer } = m;
    let rows: { name: string; postsCount: number }[] = [];
    const n = await db.countQueries(async () => {
      rows = await writers().options(withCount(Writer.posts)).all();
    });
    expect(n).toBe(2);
    expect(rows.map((w) => [w.name, w.postsCount])).toEqual([
      ['ann', 2],
      ['bob', 1],
      ['cid', 0],
    ]);
    expect(statements.at(-1)).toMatch(/GROUP BY/i);
  });

  it('withSum / withMin / withMax / withAvg: null for no rows (SQL semantics), exact decimals and bigints', async () => {
    const { Writer, Post } = m;
    const n = await db.countQueries(async () => {
      const rows = await writers()
        .options(
          withSum(Writer.posts, Post.views),
          withSum(Writer.posts, Post.price, { as: 'revenue' }),
          withSum(Writer.posts, Post.bytes, { as: 'totalBytes' }),
          withMin(Writer.posts, Post.views),
          withMax(Writer.posts, Post.title),
          withAvg(Writer.posts, Post.views),
        )
        .all();
      const [ann, bob, cid] = rows;
      expect([ann!.postsSum, bob!.postsSum, cid!.postsSum]).toEqual([25, null, null]);
      expect([ann!.revenue, bob!.revenue, cid!.revenue]).toEqual(['10.75', '3.00', null]);
      expect([ann!.totalBytes, bob!.totalBytes, cid!.totalBytes]).toEqual([2n * BIG, 1n, null]);
      expect([ann!.postsMin, bob!.postsMin, cid!.postsMin]).toEqual([5, null, null]);
      expect([ann!.postsMax, bob!.postsMax, cid!.postsMax]).toEqual(['a2', 'b1', null]);
      expect([ann!.postsAvg, bob!.postsAvg, cid!.postsAvg]).toEqual([12.5, null, null]);
    });
    expect(n).toBe(1 + 6);
  });

  it('withExists and where: only the related rows the condition matches', async () => {
    const { Writer, Post } = m;
    const rows = await writers()
      .options(
        withExists(Writer.posts),
        withExists(Writer.posts, { as: 'hasPopular', where: Post.views.gt(10) }),
        withCount(Writer.posts, { as: 'cheap', where: Post.price.lt('5') }),
      )
      .all();
    expect(rows.map((w) => [w.name, w.postsExists, w.hasPopular, w.cheap])).toEqual([
      ['ann', true, true, 1],
      ['bob', true, false, 1],
      ['cid', false, false, 0],
    ]);
  });

  it('many-to-many through secondary, from either side', async () => {
    const { Tag, Post } = m;
    const tags = await db
      .newSession()
      .query(Tag)
      .orderBy(Tag.name)
      .options(withCount(Tag.posts), withSum(Tag.posts, Post.views))
      .all();
    expect(tags.map((x) => [x.name, x.postsCount, x.postsSum])).toEqual([
      ['idle', 0, null],
      ['misc', 1, 5],
      ['news', 2, 25],
    ]);
    const posts = await db.newSession().query(Post).orderBy(Post.title).options(withCount(Post.tags)).all();
    expect(posts.map((p) => [p.title, p.tagsCount])).toEqual([
      ['a1', 2],
      ['a2', 1],
      ['b1', 0],
    ]);
  });

  it('a custom primaryJoin relationship counts only what its condition joins', async () => {
    const { Writer } = m;
    const rows = await writers().options(withCount(Writer.popular)).all();
    expect(rows.map((w) => [w.name, w.popularCount])).toEqual([
      ['ann', 1],
      ['bob', 0],
      ['cid', 0],
    ]);
  });

  it('nested under a loaded relationship: 1 + 1 + 1 statements, the value on each child', async () => {
    const { Writer, Post } = m;
    let rows: Awaited<ReturnType<typeof load>> = [];
    const load = () => writers().options(selectinload(Writer.posts).withCount(Post.comments)).all();
    const n = await db.countQueries(async () => {
      rows = await load();
    });
    expect(n).toBe(3);
    expect(rows.map((w) => w.posts.map((p) => [p.title, p.commentsCount]))).toEqual([
      [
        ['a1', 2],
        ['a2', 1],
      ],
      [['b1', 0]],
      [],
    ]);
    const tagged = await writers().options(selectinload(Writer.posts).withExists(Post.tags)).all();
    expect(tagged.map((w) => w.posts.map((p) => p.tagsExists))).toEqual([[true, true], [false], []]);
  });

  it('300 parents: their keys in one IN list, still one aggregate statement', async () => {
    const { Writer } = m;
    const s = db.newSession();
    const many = Array.from({ length: 300 }, (_, i) => new Writer({ name: `w${String(i).padStart(3, '0')}` }));
    s.addAll(many);
    await s.commit();
    try {
      const n = await db.countQueries(async () => {
        const rows = await db.newSession().query(Writer).options(withCount(Writer.posts)).all();
        expect(rows.length).toBe(303);
        expect(rows.filter((w) => w.postsCount > 0).length).toBe(2);
      });
      expect(n).toBe(2);
    } finally {
      for (const w of many) s.delete(w);
      await s.commit();
    }
  });

  it('refuses misuse before any SQL, naming the relationship and the fix', async () => {
    const { Writer, Post, Comment } = m;
    // @ts-expect-error: withCount takes a relationship, not a column
    expect(() => withCount(Writer.name)).toThrow(ArgumentError);
    expect(() => withCount(Post.writer)).toThrow(/Post\.writer is not a collection/);
    expect(() => withSum(Writer.posts, Post.title)).toThrow(/only Integer, BigInteger, Float and Numeric/);
    expect(() => withSum(Writer.posts, Comment.id)).toThrow(/must be one of Post's/);
    expect(() => withCount(Writer.posts, { as: 'name' })).toThrow(/Writer\.name, which Writer already has/);
    expect(() => db.newSession().query(Post).options(withCount(Writer.posts))).toThrow(/not a relationship of Post/);
    expect(() => db.newSession().query(Writer).options(lazyload(Writer.posts).withCount(Post.comments))).toThrow(
      /does not load; use selectinload\(Writer\.posts\)/,
    );
    expect(() => withCount(Writer.posts).withCount(Writer.posts)).toThrow(/ends with an aggregate/);
    await expect(writers().options(withCount(Writer.posts), withCount(Writer.posts)).all()).rejects.toThrow(
      /two aggregates of one query set Writer\.postsCount/,
    );
  });

  it('an Integer sum past 32 bits stays an exact number (a bigint or DECIMAL in the database)', async () => {
    const { Writer, Post } = m;
    const s = db.newSession();
    const big = new Writer({ name: 'zed' });
    s.add(big);
    s.addAll(
      [1, 2, 3].map((i) => new Post({ writer: big, views: 2 ** 31 - i, price: '1', bytes: 1n, title: `z${i}` })),
    );
    await s.commit();
    // 3 × 2^31 is exact; an Integer sum is a number while it stays exact.
    const [zed] = await db
      .newSession()
      .query(Writer)
      .filter(Writer.name.eq('zed'))
      .options(withSum(Writer.posts, Post.views))
      .all();
    expect(zed!.postsSum).toBe(3 * 2 ** 31 - 6);
  });
});

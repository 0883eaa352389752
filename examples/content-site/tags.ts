/**
 * The content site's tags: a tag holds a write-only collection of posts (`lazy: 'writeOnly'`), so a
 * tag with 100,000 posts is paged, counted and added to without ever being loaded whole. The link
 * table is also mapped (`PostTag`) so the seed can insert its rows in bulk, as a site importing an
 * archive would; the relationship itself writes its own link rows at flush.
 */
import { insert, selectColumns, type Database } from '../../src/index.js';

export function tagModels(db: Database) {
  class PostTag extends db.Model(
    'PostTag',
    {
      postId: db.Column(db.Integer, db.ForeignKey('site_post.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
      tagId: db.Column(db.Integer, db.ForeignKey('site_tag.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
    },
    { tableName: 'site_post_tags' },
  ) {}

  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { unique: true, nullable: false }),
      // Never loaded whole: select() pages it, count() counts it, add()/remove() write link rows.
      posts: db.relationship<SitePost>('SitePost', { secondary: 'site_post_tags', lazy: 'writeOnly' }),
    },
    { tableName: 'site_tag' },
  ) {}

  class SitePost extends db.Model(
    'SitePost',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      title: db.Column(db.String(200), { nullable: false }),
      published: db.Column(db.DateTime, { nullable: false }),
    },
    { tableName: 'site_post' },
  ) {}

  return { Tag, SitePost, PostTag };
}

export type TagModels = ReturnType<typeof tagModels>;

/** Rows per bulk INSERT: well under every driver's parameter limit (3 columns a row). */
const BATCH = 5000;

/**
 * `count` posts, all tagged `name`, inserted in bulk (no objects, no identity map: per batch, one
 * INSERT of posts, one SELECT of their new ids and one INSERT of links). Returns the tag's id.
 */
export async function seedTaggedPosts(db: Database, m: TagModels, name: string, count: number) {
  const session = db.newSession();
  const tag = new m.Tag({ name });
  session.add(tag);
  await session.flush();
  const start = Date.UTC(2026, 0, 1);
  let last = 0;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const rows = Array.from({ length: n }, (_, i) => done + i + 1);
    await session.execute(
      insert(m.SitePost).values(rows.map((k) => ({ title: `Post ${k}`, published: new Date(start + k * 60_000) }))),
    );
    // The keys the database gave this batch, to link them (ids only: no objects are built).
    const ids = await session.execute(
      selectColumns(m.SitePost.id).filter(m.SitePost.id.gt(last)).orderByAlso(m.SitePost.id).withLimit(n),
    );
    await session.execute(insert(m.PostTag).values(ids.map((r) => ({ postId: r.id as number, tagId: tag.id }))));
    last = ids[ids.length - 1]!.id as number;
  }
  await session.commit();
  return tag.id;
}

/** What the site does with a big tag: its newest page, its size, and one new post tagged. */
export async function tagPage(db: Database, m: TagModels, tagId: number) {
  const session = db.newSession();
  const tag = (await session.get(m.Tag, tagId))!;
  const newest = await tag.posts.select().orderBy(m.SitePost.published.desc()).limit(20).all();
  const total = await tag.posts.count();
  const post = new m.SitePost({ title: 'Fresh', published: new Date(Date.UTC(2027, 0, 1)) });
  tag.posts.add(post); // INSERT the post, then its one link row: the 100,000 others stay in the database
  await session.commit();
  return { newest: newest.map((p) => p.title), total, added: post.id };
}

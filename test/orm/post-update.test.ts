/**
 * Rows that point at each other (user.favoritePost <-> post.author): SQLAlchemy's post_update.
 * With `postUpdate: true` on one relationship, its foreign key is written by an UPDATE after both
 * INSERTs, and nulled by an UPDATE before the DELETEs. Tables in a foreign-key cycle flush their
 * other relationships as usual (the order follows the rows' dependencies, not the table cycle), and
 * rows that truly depend on each other without postUpdate get a FlushError naming the relationships.
 */
import { afterEach, expect } from 'vitest';
import { Database, FlushError, type StatementEvent } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database, postUpdate: boolean) {
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    favorite_post_id: db.Column(
      db.Integer,
      db.ForeignKey('post.id', { useAlter: true, name: 'fk_user_favorite_post' }),
    ),
    posts: db.relationship<Post>('Post', {
      foreignKeys: 'Post.user_id',
      backPopulates: 'author',
      cascade: 'all, delete-orphan',
      orderBy: 'title',
    }),
    favoritePost: db.relationship<Post>('Post', {
      foreignKeys: 'favorite_post_id',
      uselist: false,
      ...(postUpdate && { postUpdate: true }),
    }),
  }) {}
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(50), { nullable: false }),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
    author: db.relationship<User>('User', { foreignKeys: 'user_id', backPopulates: 'posts', uselist: false }),
  }) {}
  return { User, Post };
}

/** The writes of a flush, as `VERB table` (and the SET columns of an UPDATE). */
function writes(events: readonly StatementEvent[]): string[] {
  return events
    .map((e) => e.sql)
    .filter((sql) => /^(INSERT|UPDATE|DELETE)/.test(sql))
    .map((sql) => {
      const table = /^(?:INSERT INTO|UPDATE|DELETE FROM) [`"]?(\w+)/.exec(sql)![1];
      const verb = sql.split(' ')[0];
      const set =
        verb === 'UPDATE' ? ` SET ${/SET (.*?) WHERE/.exec(sql)![1]!.replace(/[`"]/g, '').replace(/\$\d+/g, '?')}` : '';
      return `${verb} ${table}${set}`;
    });
}

describeEachDialect('postUpdate: rows that point at each other', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const fresh = async (postUpdate = true) => {
    const db = new Database(t.url, { nPlusOne: 'off', warn: () => {} });
    const m = models(db, postUpdate);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, ...m };
  };
  const row = async (db: Database, table: string, id: number) => {
    const q = db.engine.dialect.compiler.quote;
    const cols = table === 'user' ? 'favorite_post_id' : 'user_id';
    const { rows } = await db.engine.execute({
      sql: `SELECT ${q(cols)} FROM ${q(table)} WHERE ${q('id')} = ?`.replace('?', String(id)),
      params: [],
    });
    return rows[0] === undefined ? undefined : rows[0][0] === null ? null : Number(rows[0][0]);
  };

  it('INSERTs both rows, then UPDATEs the postUpdate key; the rows point at each other', async () => {
    const { db, User, Post } = await fresh();
    const s = db.newSession();
    const ann = new User({ name: 'ann' });
    const post = new Post({ title: 'first' });
    ann.posts = [post];
    ann.favoritePost = post;
    s.add(ann);
    const events = await db.recordQueries(() => s.commit());
    expect(writes(events)).toEqual(['INSERT user', 'INSERT post', 'UPDATE user SET favorite_post_id = ?']);
    expect(await row(db, 'user', ann.id)).toBe(post.id);
    expect(await row(db, 'post', post.id)).toBe(ann.id);
    const again = db.newSession();
    const loaded = (await again.get(User, ann.id))!;
    expect((await loaded.favoritePost)?.title).toBe('first');
    expect((await (await loaded.favoritePost)!.author)?.name).toBe('ann');
  });

  it('a new favourite among new posts: INSERT the posts, then one UPDATE; changing it later: one UPDATE', async () => {
    const { db, User, Post } = await fresh();
    const s = db.newSession();
    const ann = new User({ name: 'ann', posts: [new Post({ title: 'a' })] });
    s.add(ann);
    await s.commit();
    const second = new Post({ title: 'b' });
    (await ann.posts).push(second);
    ann.favoritePost = second;
    const events = await db.recordQueries(() => s.commit());
    expect(writes(events)).toEqual(['INSERT post', 'UPDATE user SET favorite_post_id = ?']);
    expect(await row(db, 'user', ann.id)).toBe(second.id);

    const [first] = await ann.posts;
    ann.favoritePost = first!;
    const change = await db.recordQueries(() => s.commit());
    expect(writes(change)).toEqual(['UPDATE user SET favorite_post_id = ?']);
    expect(await row(db, 'user', ann.id)).toBe(first!.id);

    ann.favoritePost = null;
    await s.commit();
    expect(await row(db, 'user', ann.id)).toBeNull();
  });

  it('deleting: the key is nulled by an UPDATE before the DELETEs', async () => {
    const { db, User, Post } = await fresh();
    const s = db.newSession();
    const post = new Post({ title: 'first' });
    const ann = new User({ name: 'ann', posts: [post, new Post({ title: 'second' })] });
    ann.favoritePost = post;
    s.add(ann);
    await s.commit();
    const d = db.newSession();
    const loaded = (await d.get(User, ann.id))!;
    await loaded.favoritePost;
    d.delete(loaded);
    const events = await db.recordQueries(() => d.commit());
    expect(writes(events)).toEqual(['UPDATE user SET favorite_post_id = ?', 'DELETE post', 'DELETE user']);
    expect(await row(db, 'user', ann.id)).toBeUndefined();
    expect(await row(db, 'post', post.id)).toBeUndefined();
  });

  it('without postUpdate, rows that depend on each other are a FlushError naming both relationships; nothing is written', async () => {
    const { db, User, Post } = await fresh(false);
    const s = db.newSession();
    const ann = new User({ name: 'ann' });
    const post = new Post({ title: 'first' });
    ann.posts = [post];
    ann.favoritePost = post;
    s.add(ann);
    const events: StatementEvent[] = [];
    db.onStatement((e) => events.push(e));
    const error = await s.commit().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlushError);
    expect((error as Error).message).toMatch(/User\.favoritePost.*Post\.author|Post\.author.*User\.favoritePost/);
    expect((error as Error).message).toMatch(/postUpdate: true/);
    expect(writes(events)).toEqual([]);
    await s.rollback();
    expect(await db.newSession().query(User).count()).toBe(0);
  });

  it('tables in a cycle, no postUpdate: relationships outside the cycle’s rows flush as usual', async () => {
    const { db, User, Post } = await fresh(false);
    const s = db.newSession();
    const ann = new User({ name: 'ann', posts: [new Post({ title: 'a' }), new Post({ title: 'b' })] });
    s.add(ann);
    const events = await db.recordQueries(() => s.commit());
    expect(writes(events).filter((w) => w.startsWith('INSERT'))[0]).toBe('INSERT user');
    expect(await db.newSession().query(Post).filterBy({ user_id: ann.id }).count()).toBe(2);

    // The favourite set in a later flush, to a post that exists: one UPDATE, no cycle.
    const [first] = await ann.posts;
    ann.favoritePost = first!;
    expect(writes(await db.recordQueries(() => s.commit()))).toEqual(['UPDATE user SET favorite_post_id = ?']);
    // A second user, whose favourite is ann's post: the other direction of the cycle, also fine.
    const bob = new User({ name: 'bob' });
    bob.favoritePost = first!;
    s.add(bob);
    await s.commit();
    expect(await row(db, 'user', bob.id)).toBe(first!.id);
    // Both directions in one flush, among different rows: carl's favourite is a new post by dee.
    // The mappers go round (user -> post -> user), the rows do not: dee, her post, then carl.
    const dee = new User({ name: 'dee' });
    const deesPost = new Post({ title: 'by dee', author: dee });
    const carl = new User({ name: 'carl' });
    carl.favoritePost = deesPost;
    s.add(carl);
    s.add(dee);
    expect(writes(await db.recordQueries(() => s.commit()))).toEqual(['INSERT user', 'INSERT post', 'INSERT user']);
    expect(await row(db, 'post', deesPost.id)).toBe(dee.id);
    expect(await row(db, 'user', carl.id)).toBe(deesPost.id);
    carl.favoritePost = null;
    await s.commit();

    // Delete ann and her posts, once no favourite points at them (a commit of its own: without
    // postUpdate, ann's row would still refer to a post deleted before her).
    ann.favoritePost = null;
    bob.favoritePost = null;
    await s.commit();
    s.delete(ann);
    expect(writes(await db.recordQueries(() => s.commit()))).toEqual(['DELETE post', 'DELETE user']);
    expect(await db.newSession().query(Post).filterBy({ user_id: ann.id }).count()).toBe(0);
  });

  it('a row that points at itself: INSERT, then UPDATE; DELETE after an UPDATE to NULL', async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    class Node extends db.Model('Node', {
      id: db.Column(db.Integer, { primaryKey: true }),
      related_id: db.Column(db.Integer, db.ForeignKey('node.id')),
      related: db.relationship<Node>('Node', { remoteSide: 'id', uselist: false, postUpdate: true }),
    }) {}
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    const s = db.newSession();
    const node = new Node();
    node.related = node;
    s.add(node);
    expect(writes(await db.recordQueries(() => s.commit()))).toEqual(['INSERT node', 'UPDATE node SET related_id = ?']);
    expect((await db.newSession().get(Node, node.id))!.related_id).toBe(node.id);
    s.delete(node);
    expect(writes(await db.recordQueries(() => s.commit()))).toEqual(['UPDATE node SET related_id = ?', 'DELETE node']);
    expect(await db.newSession().get(Node, node.id)).toBeNull();
  });
});

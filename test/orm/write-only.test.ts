/**
 * `lazy: 'writeOnly'` collections (SQLAlchemy 2.0's WriteOnlyCollection): the attribute is queried
 * (`select()`, `count()`) and changed (`add`, `addAll`, `remove`) without ever loading the whole
 * collection. Each test asserts the rows (read back from a second Database) and the statements run,
 * and that no statement SELECTs the collection's rows whole.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import {
  Database,
  InvalidRequestError,
  ArgumentError,
  WriteOnlyCollection,
  joinedload,
  selectinload,
} from '../../src/index.js';
import { insert } from '../../src/orm/query/statements.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  const postTags = db.Table(
    'wo_post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('wo_post.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('wo_tag.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
  );
  class Author extends db.Model(
    'Author',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { nullable: false }),
      posts: db.relationship<Post>('Post', {
        lazy: 'writeOnly',
        backPopulates: 'author',
        cascade: 'all, delete-orphan',
        passiveDeletes: true,
      }),
    },
    { tableName: 'wo_author' },
  ) {}
  class Post extends db.Model(
    'Post',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      title: db.Column(db.String(50), { nullable: false }),
      views: db.Column(db.Integer, { nullable: false, default: 0 }),
      authorId: db.Column(db.Integer, db.ForeignKey('wo_author.id', { ondelete: 'CASCADE' }), { nullable: false }),
      author: db.relationship<Author>('Author', { backPopulates: 'posts', uselist: false }),
    },
    { tableName: 'wo_post' },
  ) {}
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(50), { nullable: false }),
      posts: db.relationship<Post>('Post', { secondary: postTags, lazy: 'writeOnly', orderBy: 'id' }),
    },
    { tableName: 'wo_tag' },
  ) {}
  class Folder extends db.Model(
    'Folder',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      items: db.relationship<Item>('Item', { lazy: 'writeOnly' }),
    },
    { tableName: 'wo_folder' },
  ) {}
  class Item extends db.Model(
    'Item',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      folderId: db.Column(db.Integer, db.ForeignKey('wo_folder.id')),
    },
    { tableName: 'wo_item' },
  ) {}
  return { Author, Post, Tag, Folder, Item, postTags };
}

type Models = ReturnType<typeof models>;

/** Statements sent while `fn` runs, without BEGIN/COMMIT. */
async function statementsOf(db: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const off = db.onStatement((e) => {
    if (!/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i.test(e.sql)) seen.push(e.sql);
  });
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}

/** A statement that reads the post table's rows (any SELECT FROM it that is not a COUNT). */
function selectsPostRows(sql: string): boolean {
  return /^SELECT/i.test(sql) && /FROM [`"]wo_post[`"]/.test(sql) && !/count\(/i.test(sql);
}

describeEachDialect('writeOnly collections', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'relata-write-only-'));
  let files = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A fresh SQLite file (so a second Database sees the same rows), or this file's server database. */
  const nextUrl = () => (t.dialect === 'sqlite' ? `sqlite:///${join(dir, `t${++files}.db`)}` : t.url);
  afterEach(async () => {
    for (const db of open.splice(0)) {
      await db.dropAll();
      await db.close();
    }
  });

  async function setup(
    posts = 30,
  ): Promise<{ db: Database; m: Models; authorId: number; check: Database; cm: Models }> {
    const url = nextUrl();
    const db = new Database(url);
    open.push(db);
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    const ada = new m.Author({ name: 'ada' });
    db.session.add(ada);
    await db.session.commit();
    const rows = Array.from({ length: posts }, (_, i) => ({ title: `p${i + 1}`, views: i + 1, authorId: ada.id }));
    if (rows.length) await db.session.execute(insert(m.Post).values(rows));
    await db.session.commit();
    const check = new Database(url);
    open.push(check);
    return { db, m, authorId: ada.id, check, cm: models(check) };
  }

  it('select() is a query of the children: filtered, ordered, paginated, never the whole collection', async () => {
    const { db, m, authorId } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    expect(ada.posts).toBeInstanceOf(WriteOnlyCollection);
    let top: string[] = [];
    const sql = await statementsOf(db, async () => {
      const rows = await ada.posts.select().filter(m.Post.views.gt(25)).orderBy(m.Post.views.desc()).limit(3).all();
      top = rows.map((p) => p.title);
    });
    expect(top).toEqual(['p30', 'p29', 'p28']);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/WHERE .*author_?[iI]d.* = /);
    const page = await ada.posts.select().orderBy(m.Post.id).paginate({ page: 2, perPage: 10 });
    expect(page.total).toBe(30);
    expect(page.items.map((p) => p.title)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i + 11}`));
  });

  it('count() is one SELECT COUNT', async () => {
    const { db, m, authorId } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    let n = 0;
    const sql = await statementsOf(db, async () => {
      n = await ada.posts.count();
    });
    expect(n).toBe(30);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^SELECT count\(\*\)/i);
  });

  it('add() and addAll() are INSERTs at the next flush; nothing loads the collection', async () => {
    const { db, m, authorId, check, cm } = await setup(200);
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    const one = new m.Post({ title: 'one' });
    const sql = await statementsOf(db, async () => {
      ada.posts.add(one);
      expect(one.author).toBe(ada); // the other side follows in memory
      await s.commit();
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^INSERT INTO [`"]wo_post[`"]/);
    const more = [new m.Post({ title: 'two' }), new m.Post({ title: 'three' })];
    const sql2 = await statementsOf(db, async () => {
      ada.posts.addAll(more);
      await s.commit();
    });
    expect(sql2.filter(selectsPostRows)).toEqual([]);
    expect(sql2.filter((q) => /^INSERT/i.test(q)).length).toBeGreaterThanOrEqual(1);
    const titles = (await check.newSession().query(cm.Post).filter(cm.Post.authorId.eq(authorId)).all()).map(
      (p) => p.title,
    );
    expect(titles).toHaveLength(203);
    expect(titles).toEqual(expect.arrayContaining(['one', 'two', 'three']));
  });

  it('remove() deletes an orphan (delete-orphan) or clears the foreign key, without loading', async () => {
    const { db, m, authorId, check, cm } = await setup(5);
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    const [first] = await ada.posts.select().limit(1).all();
    const sql = await statementsOf(db, async () => {
      ada.posts.remove(first!);
      await s.commit();
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^DELETE FROM [`"]wo_post[`"]/);
    expect(await check.newSession().query(cm.Post).count()).toBe(4);

    const folder = new m.Folder({});
    const item = new m.Item({});
    s.add(folder);
    s.add(item);
    await s.commit();
    folder.items.add(item);
    await s.commit();
    expect((await check.newSession().get(cm.Item, item.id))!.folderId).toBe(folder.id);
    const sql2 = await statementsOf(db, async () => {
      folder.items.remove(item);
      await s.commit();
    });
    expect(sql2).toHaveLength(1);
    expect(sql2[0]).toMatch(/^UPDATE [`"]wo_item[`"] SET [`"]folder_?[iI]d[`"] = /);
    expect((await check.newSession().get(cm.Item, item.id))!.folderId).toBeNull();
  });

  it('many-to-many: add/remove write association rows; select() and count() go through the table', async () => {
    const { db, m, authorId, check, cm } = await setup(5);
    const s = db.newSession();
    const news = new m.Tag({ name: 'news' });
    s.add(news);
    await s.commit();
    const posts = await s.query(m.Post).orderBy(m.Post.id).all();
    const sql = await statementsOf(db, async () => {
      news.posts.addAll(posts.slice(0, 3));
      await s.commit();
    });
    expect(sql.filter(selectsPostRows)).toEqual([]);
    expect(sql.every((q) => /^INSERT INTO [`"]wo_post_tags[`"]/.test(q))).toBe(true);
    expect(await news.posts.count()).toBe(3);
    expect((await news.posts.select().filter(m.Post.views.gt(1)).all()).map((p) => p.title)).toEqual(['p2', 'p3']);
    const sql2 = await statementsOf(db, async () => {
      news.posts.remove(posts[0]!);
      await s.commit();
    });
    expect(sql2).toHaveLength(1);
    expect(sql2[0]).toMatch(/^DELETE FROM [`"]wo_post_tags[`"]/);
    const other = check.newSession();
    const tag = (await other.get(cm.Tag, news.id))!;
    expect((await tag.posts.select().all()).map((p) => p.title)).toEqual(['p2', 'p3']);
    expect(authorId).toBeGreaterThan(0);
  });

  it('a backref (post.author = author) never loads the collection', async () => {
    const { db, m, authorId, check, cm } = await setup(50);
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    const post = new m.Post({ title: 'by backref' });
    const sql = await statementsOf(db, async () => {
      post.author = ada;
      s.add(post);
      await s.commit();
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^INSERT INTO [`"]wo_post[`"]/);
    expect(await check.newSession().query(cm.Post).filter(cm.Post.authorId.eq(authorId)).count()).toBe(51);
  });

  it('a new parent: posts given to the constructor and added before the first flush are inserted with it', async () => {
    const { db, m, check, cm } = await setup(0);
    const s = db.newSession();
    const bea = new m.Author({ name: 'bea', posts: [new m.Post({ title: 'a' }), new m.Post({ title: 'b' })] });
    bea.posts.add(new m.Post({ title: 'c' }));
    s.add(bea);
    await s.commit();
    const other = check.newSession();
    const back = (await other.get(cm.Author, bea.id))!;
    expect((await back.posts.select().orderBy(cm.Post.id).all()).map((p) => p.title)).toEqual(['a', 'b', 'c']);
  });

  it('deleting the parent: passiveDeletes leaves the children to ON DELETE; without it, a clear error', async () => {
    const { db, m, authorId, check, cm } = await setup(20);
    const s = db.newSession();
    const ada = (await s.get(m.Author, authorId))!;
    const sql = await statementsOf(db, async () => {
      s.delete(ada);
      await s.commit();
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^DELETE FROM [`"]wo_author[`"]/);
    expect(await check.newSession().query(cm.Post).count()).toBe(0); // ON DELETE CASCADE

    const folder = new m.Folder({});
    s.add(folder);
    await s.commit();
    s.delete(folder);
    await expect(s.commit()).rejects.toThrow(InvalidRequestError);
    await s.rollback();
    s.delete(folder);
    await expect(s.commit()).rejects.toThrow(
      /Folder\.items is a writeOnly collection: deleting a Folder would load all its items.*passiveDeletes: true/,
    );
  });

  it('many-to-many: deleting the parent deletes its association rows in one statement', async () => {
    const { db, m, check, cm } = await setup(3);
    const s = db.newSession();
    const news = new m.Tag({ name: 'news' });
    s.add(news);
    await s.commit();
    news.posts.addAll(await s.query(m.Post).all());
    await s.commit();
    const sql = await statementsOf(db, async () => {
      s.delete(news);
      await s.commit();
    });
    expect(sql.filter(selectsPostRows)).toEqual([]);
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatch(/^DELETE FROM [`"]wo_post_tags[`"] WHERE/);
    expect(await check.newSession().query(cm.Post).count()).toBe(3);
  });

  it('refuses what would load it: loader options, assignment on a persistent parent, iteration', async () => {
    const { db, m, authorId } = await setup(2);
    const s = db.newSession();
    expect(() => s.query(m.Author).options(joinedload(m.Author.posts as never))).toThrow(
      /Author\.posts is a writeOnly collection.*never loads.*author\.posts\.select\(\)/,
    );
    expect(() => s.query(m.Author).options(selectinload(m.Author.posts as never))).toThrow(InvalidRequestError);
    const ada = (await s.get(m.Author, authorId))!;
    expect(() => {
      (ada as { posts: unknown }).posts = [];
    }).toThrow(/Author\.posts is a writeOnly collection: it cannot be replaced.*add\(\).*remove\(\)/);
    expect(() => [...(ada.posts as unknown as Iterable<unknown>)]).toThrow(TypeError);
    expect(() => ada.posts.add(new m.Author({ name: 'x' }) as never)).toThrow(ArgumentError);
    const fresh = new m.Author({ name: 'new' });
    s.add(fresh);
    expect(() => fresh.posts.select()).toThrow(/Author is pending.*flush/);
  });

  it("lazy: 'dynamic' is refused, pointing at writeOnly; writeOnly is for collections only", async () => {
    const db = new Database(t.url);
    open.push(db);
    expect(() =>
      db.Model('Owner', {
        id: db.Column(db.Integer, { primaryKey: true }),
        things: db.relationship('Thing', { lazy: 'dynamic' as never }),
      }),
    ).toThrow(/relationship Owner\.things.*'dynamic' is not supported.*lazy: 'writeOnly'/);
    class Box extends db.Model('Box', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    class Thing extends db.Model('Thing', {
      id: db.Column(db.Integer, { primaryKey: true }),
      boxId: db.Column(db.Integer, db.ForeignKey('box.id')),
      box: db.relationship<Box>('Box', { uselist: false, lazy: 'writeOnly' }),
    }) {}
    expect(Thing.modelName).toBe('Thing');
    expect(() => db.registry.configure()).toThrow(
      /relationship Thing\.box: lazy: 'writeOnly' is for collections.*one Box/,
    );
  });
});

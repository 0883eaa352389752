/**
 * Polymorphic associations with referential integrity (issue 14): comments on posts and on photos,
 * one nullable foreign key per target and a CHECK that exactly one is set. Rows are read back from
 * a second session; statements are counted and, where it matters, their SQL is read.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  IntegrityError,
  InvalidRequestError,
  MappingError,
  joinedload,
  selectinload,
  type ColumnElement,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function contentModels(db: Database) {
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(80), { nullable: false }),
    comments: db.relationship<Comment>('Comment', {
      backPopulates: 'commentable',
      cascade: 'all, delete-orphan',
      orderBy: 'id',
    }),
  }) {}
  class Photo extends db.Model('Photo', {
    id: db.Column(db.Integer, { primaryKey: true }),
    url: db.Column(db.String(200), { nullable: false }),
    comments: db.relationship<Comment>('Comment', {
      backPopulates: 'commentable',
      passiveDeletes: true,
      orderBy: 'id',
    }),
  }) {}
  class Comment extends db.Model('Comment', {
    id: db.Column(db.Integer, { primaryKey: true }),
    body: db.Column(db.String(200), { nullable: false }),
    postId: db.Column(db.Integer, db.ForeignKey('post.id', { ondelete: 'CASCADE' })),
    photoId: db.Column(db.Integer, db.ForeignKey('photo.id', { ondelete: 'CASCADE' })),
    commentable: db.polymorphicRelationship<{ post: Post; photo: Photo }>({ post: 'Post', photo: 'Photo' }),
  }) {}
  return { Post, Photo, Comment };
}

describeEachDialect('Polymorphic associations', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const fresh = async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    const m = contentModels(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, ...m };
  };
  /** The SQL text of each statement `fn` runs (BEGIN/COMMIT left out). */
  const statementsOf = async (db: Database, fn: () => Promise<unknown>) => {
    const sql: string[] = [];
    const off = db.engine.onStatement((e) => {
      if (/^(SELECT|INSERT|UPDATE|DELETE)/i.test(e.sql)) sql.push(e.sql);
    });
    try {
      await fn();
    } finally {
      off();
    }
    return sql;
  };
  const seed = async () => {
    const m = await fresh();
    const { db, Post, Photo, Comment } = m;
    const s = db.newSession();
    const post = new Post({ title: 'Hello', comments: [new Comment({ body: 'on the post' })] });
    const photo = new Photo({ url: 'cat.jpg', comments: [new Comment({ body: 'on the photo' })] });
    (await photo.comments).push(new Comment({ body: 'cute' })); // pushed onto a new parent's collection
    s.add(post);
    s.add(photo);
    await s.commit();
    return { ...m, s, post, photo };
  };

  it('creates the CHECK that exactly one key is set, and checkSchema() sees no drift', async () => {
    const { db, Comment } = await fresh();
    expect(Comment.__table__.checks.map((c) => c.name)).toEqual(['ck_comment_commentable']);
    expect(await db.checkSchema()).toEqual([]);
    const s = db.newSession();
    s.add(new Comment({ body: 'orphan' })); // neither key set
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(String((err as Error).message)).toContain('ck_comment_commentable');
    await s.rollback();
    // Both keys set is refused by the database too (written with Core, past the ORM).
    await db.engine.execute({
      sql: `INSERT INTO ${q(db, 'post')} (${q(db, 'id')}, ${q(db, 'title')}) VALUES (1, 'p')`,
      params: [],
    });
    await db.engine.execute({
      sql: `INSERT INTO ${q(db, 'photo')} (${q(db, 'id')}, ${q(db, 'url')}) VALUES (1, 'u')`,
      params: [],
    });
    const both = `INSERT INTO ${q(db, 'comment')} (${q(db, 'body')}, ${q(db, 'postId')}, ${q(db, 'photoId')}) VALUES ('b', 1, 1)`;
    await expect(db.engine.execute({ sql: both, params: [] })).rejects.toThrow(IntegrityError);
    const one = `INSERT INTO ${q(db, 'comment')} (${q(db, 'body')}, ${q(db, 'postId')}) VALUES ('ok', 1)`;
    await db.engine.execute({ sql: one, params: [] });
    expect(await db.newSession().query(Comment).count()).toBe(1);
  });

  it('inserts comments pushed onto post.comments and photo.comments, each with one key', async () => {
    const { db, Comment, post, photo } = await seed();
    const rows = await db.newSession().query(Comment).orderBy(Comment.id).all();
    expect(rows.map((c) => [c.body, c.postId, c.photoId])).toEqual([
      ['on the post', post.id, null],
      ['on the photo', null, photo.id],
      ['cute', null, photo.id],
    ]);
  });

  it('reads the parent with one SELECT on the table whose key is set, none from the identity map', async () => {
    const { db, Post, Photo, Comment } = await seed();
    const s = db.newSession();
    const comments = await s.query(Comment).orderBy(Comment.id).all();
    let parent: unknown;
    const sql = await statementsOf(db, async () => {
      parent = await comments[1]!.commentable;
    });
    expect(parent).toBeInstanceOf(Photo);
    expect((parent as InstanceType<typeof Photo>).url).toBe('cat.jpg');
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/FROM\s+\S*photo\S*\s+WHERE/);
    // The second photo comment's parent is in the identity map now: no SQL.
    expect(await db.countQueries(async () => expect(await comments[2]!.commentable).toBe(parent))).toBe(0);
    const onPost = await comments[0]!.commentable;
    expect(onPost).toBeInstanceOf(Post);
    // A target's collection is an ordinary one-to-many: one SELECT, and it answers each child's parent.
    const photo = parent as InstanceType<typeof Photo>;
    const fresh2 = db.newSession();
    const p2 = (await fresh2.get(Photo, photo.id))!;
    const n = await db.countQueries(async () => {
      const list = await p2.comments;
      expect(list.map((c) => c.body)).toEqual(['on the photo', 'cute']);
      expect(list[0]!.commentable).toBe(p2); // synchronous: loaded with the collection
    });
    expect(n).toBe(1);
  });

  it('selectinload batches one SELECT per target table; joinedload is one statement', async () => {
    const { db, Post, Photo, Comment } = await seed();
    let bodies: [string, string][] = [];
    const selectin = await db.countQueries(async () => {
      const rows = await db
        .newSession()
        .query(Comment)
        .options(selectinload(Comment.commentable))
        .orderBy(Comment.id)
        .all();
      bodies = rows.map((c) => {
        const p = c.commentable; // loaded: no await
        return [c.body, p instanceof Post ? `post ${p.title}` : p instanceof Photo ? `photo ${p.url}` : 'none'];
      });
    });
    expect(selectin).toBe(3);
    expect(bodies).toEqual([
      ['on the post', 'post Hello'],
      ['on the photo', 'photo cat.jpg'],
      ['cute', 'photo cat.jpg'],
    ]);
    const joined = await db.countQueries(async () => {
      const rows = await db
        .newSession()
        .query(Comment)
        .options(joinedload(Comment.commentable))
        .orderBy(Comment.id)
        .all();
      expect(rows.map((c) => (c.commentable instanceof Post ? 'post' : 'photo'))).toEqual(['post', 'photo', 'photo']);
    });
    expect(joined).toBe(1);
    // Chained from a target: posts, their comments, each comment's parent (from memory: no more SQL).
    const chained = await db.countQueries(async () => {
      const posts = await db
        .newSession()
        .query(Post)
        .options(selectinload(Post.comments).selectinload(Comment.commentable))
        .all();
      expect(posts[0]!.comments[0]!.commentable).toBe(posts[0]);
    });
    expect(chained).toBe(2); // the comments' parents come with the collection; no key of the other table is set
    expect(() => selectinload(Comment.commentable).selectinload(Post.comments)).not.toThrow();
    expect(() =>
      db.newSession().query(Comment).options(selectinload(Comment.commentable).selectinload(Post.comments)),
    ).toThrow(/several models/);
  });

  it('assigning the other target sets its key and clears the first in one UPDATE', async () => {
    const { db, Post, Photo, Comment, post, photo } = await seed();
    const s = db.newSession();
    const comment = (await s.query(Comment).filter(Comment.body.eq('on the post')).one())!;
    const p = (await s.get(Post, post.id))!;
    const postComments = await p.comments;
    const ph = (await s.get(Photo, photo.id))!;
    comment.commentable = ph;
    expect(postComments.includes(comment)).toBe(false); // the old parent lets go in memory
    const sql = await statementsOf(db, () => s.commit());
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^UPDATE/);
    const back = (await db.newSession().get(Comment, comment.id))!;
    expect([back.postId, back.photoId]).toEqual([null, photo.id]);
    // null clears every key: the CHECK refuses it at flush, naming itself.
    comment.commentable = null;
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toContain('ck_comment_commentable');
  });

  it('moving a comment by pushing it onto another parent updates both keys', async () => {
    const { db, Post, Photo, Comment, post, photo } = await seed();
    const s = db.newSession();
    const ph = (await s.get(Photo, photo.id))!;
    const onPhoto = await ph.comments;
    const moved = onPhoto[0]!;
    const p = (await s.get(Post, post.id))!;
    (await p.comments).push(moved);
    expect(moved.commentable).toBe(p);
    expect(onPhoto.includes(moved)).toBe(false);
    const sql = await statementsOf(db, () => s.commit());
    expect(sql.filter((x) => x.startsWith('UPDATE'))).toHaveLength(1);
    const back = (await db.newSession().get(Comment, moved.id))!;
    expect([back.postId, back.photoId]).toEqual([post.id, null]);
    // A new comment given to the constructor, and one assigned: each INSERTed with its key.
    const c1 = new Comment({ body: 'ctor', commentable: ph });
    const c2 = new Comment({ body: 'assigned' });
    c2.commentable = p;
    s.add(c1);
    s.add(c2);
    await s.commit();
    const rows = await db
      .newSession()
      .query(Comment)
      .filter(Comment.body.in(['ctor', 'assigned']))
      .orderBy(Comment.id)
      .all();
    expect(rows.map((c) => [c.postId, c.photoId])).toEqual([
      [null, photo.id],
      [post.id, null],
    ]);
    expect(() => {
      (c2 as { commentable: unknown }).commentable = new Comment({ body: 'x' });
    }).toThrow(ArgumentError);
  });

  it('deleting a parent takes its comments: by cascade, or by ON DELETE CASCADE with passiveDeletes', async () => {
    const { db, Post, Photo, Comment, post, photo } = await seed();
    const s = db.newSession();
    s.delete((await s.get(Post, post.id))!); // cascade 'all, delete-orphan': the ORM deletes the comment
    const sql = await statementsOf(db, () => s.commit());
    expect(sql.filter((x) => x.startsWith('DELETE'))).toHaveLength(2); // the comment, then the post
    expect(await db.newSession().query(Comment).count()).toBe(2);
    s.delete((await s.get(Photo, photo.id))!); // passiveDeletes: the database's ON DELETE CASCADE
    const sql2 = await statementsOf(db, () => s.commit());
    expect(sql2).toHaveLength(1); // DELETE FROM photo: its comments are not even loaded
    expect(await db.newSession().query(Comment).count()).toBe(0);
  });

  it('serializes the parent under the polymorphic attribute', async () => {
    const { db, Comment } = await seed();
    const rows = await db
      .newSession()
      .query(Comment)
      .options(selectinload(Comment.commentable))
      .orderBy(Comment.id)
      .all();
    const json = rows[0]!.toJSON();
    expect(json.commentable).toMatchObject({ title: 'Hello' });
    expect(Object.keys(json)).not.toContain('commentable.post');
  });
});

describeEachDialect('Viewonly relationships refuse writes', (t) => {
  const it = itOn(t);
  it('a push or assignment to a viewonly relationship raises instead of being dropped', async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    try {
      class Author extends db.Model('Author', {
        id: db.Column(db.Integer, { primaryKey: true }),
        published: db.relationship<Book>('Book', {
          primaryJoin: (): ColumnElement<boolean> => db.and_(Author.id.eq(Book.authorId), Book.published.eq(true)),
        }),
        all: db.relationship<Book>('Book', { viewonly: true }),
      }) {}
      class Book extends db.Model('Book', {
        id: db.Column(db.Integer, { primaryKey: true }),
        published: db.Column(db.Boolean, { nullable: false }),
        authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
      }) {}
      await db.dropAll();
      await db.createAll();
      const s = db.newSession();
      const a = new Author();
      s.add(a);
      await s.commit();
      const list = await a.published;
      expect(() => list.push(new Book({ published: true }))).toThrow(InvalidRequestError);
      expect(() => list.push(new Book({ published: true }))).toThrow(
        /Author\.published cannot be changed.*polymorphicRelationship/,
      );
      expect(() => {
        a.all = [new Book({ published: false })];
      }).toThrow(/Author\.all cannot be assigned: it is declared viewonly/);
      await s.commit();
      expect(await db.newSession().query(Book).count()).toBe(0);
    } finally {
      await db.dropAll();
      await db.close();
    }
  });
});

describeEachDialect('Polymorphic declarations refused', (t) => {
  const it = itOn(t);
  const declare = (fk: { ondelete?: 'SET NULL' | 'CASCADE'; onupdate?: 'CASCADE' }, nullable = true) => {
    const db = new Database(t.url);
    class A extends db.Model('A', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    class B extends db.Model('B', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    db.Model('C', {
      id: db.Column(db.Integer, { primaryKey: true }),
      aId: db.Column(db.Integer, db.ForeignKey('a.id', fk), { nullable }),
      bId: db.Column(db.Integer, db.ForeignKey('b.id')),
      parent: db.polymorphicRelationship<{ a: A; b: B }>({ a: 'A', b: 'B' }),
    });
    return db;
  };
  it('refuses keys the CHECK contradicts or MariaDB refuses, naming the column', async () => {
    expect(() => declare({ ondelete: 'SET NULL' }).registry.configure()).toThrow(
      /C\.parent \(target A\): the foreign key on 'aId' has ON DELETE SET NULL/,
    );
    expect(() => declare({ onupdate: 'CASCADE' }).registry.configure()).toThrow(/ON UPDATE CASCADE.*errno 1901/);
    expect(() => declare({}, false).registry.configure()).toThrow(/column 'c\.aId' must be nullable/);
    expect(() => declare({ ondelete: 'CASCADE' }).registry.configure()).not.toThrow();
  });
  it('refuses a target without a key column, one target, and a backPopulates from a non-target', async () => {
    const db = new Database(t.url);
    class A extends db.Model('A', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    class B extends db.Model('B', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    db.Model('C', {
      id: db.Column(db.Integer, { primaryKey: true }),
      aId: db.Column(db.Integer, db.ForeignKey('a.id')),
      parent: db.polymorphicRelationship<{ a: A; b: B }>({ a: 'A', b: 'B' }),
    });
    expect(() => db.registry.configure()).toThrow(MappingError);
    expect(() => db.registry.configure()).toThrow(/no foreign key links table 'c' and table 'b'/);
    const db2 = new Database(t.url);
    class X extends db2.Model('X', { id: db2.Column(db2.Integer, { primaryKey: true }) }) {}
    expect(() =>
      db2.Model('Y', {
        id: db2.Column(db2.Integer, { primaryKey: true }),
        parent: db2.polymorphicRelationship<{ x: X }>({ x: 'X' }),
      }),
    ).toThrow(/needs two targets or more/);
    const db3 = new Database(t.url);
    class P extends db3.Model('P', { id: db3.Column(db3.Integer, { primaryKey: true }) }) {}
    class Q extends db3.Model('Q', { id: db3.Column(db3.Integer, { primaryKey: true }) }) {}
    class R extends db3.Model('R', {
      id: db3.Column(db3.Integer, { primaryKey: true }),
      kids: db3.relationship<K>('K', { backPopulates: 'parent' }),
    }) {}
    class K extends db3.Model('K', {
      id: db3.Column(db3.Integer, { primaryKey: true }),
      pId: db3.Column(db3.Integer, db3.ForeignKey('p.id')),
      qId: db3.Column(db3.Integer, db3.ForeignKey('q.id')),
      rId: db3.Column(db3.Integer, db3.ForeignKey('r.id')),
      parent: db3.polymorphicRelationship<{ p: P; q: Q }>({ p: 'P', q: 'Q' }),
    }) {}
    expect(R && K).toBeTruthy();
    expect(() => db3.registry.configure()).toThrow(
      /backPopulates 'parent' is the polymorphic relationship K\.parent, whose targets are P, Q, not R/,
    );
  });
});

function q(db: Database, name: string): string {
  return db.engine.dialect.compiler.quote(name);
}

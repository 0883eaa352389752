/**
 * Self-referential and custom-join many-to-many: `primaryJoin` + `secondaryJoin` with `secondary`
 * (SQLAlchemy's followers graph: relationship("User", secondary=followers, primaryjoin=
 * followers.c.follower_id == id, secondaryjoin=followers.c.followed_id == id, backref="followers")).
 * Loaded lazily, joined, selectin, raise/noload; joined in queries; any(); written through either
 * side; and a join with an extra condition (only visible tags) that is viewonly, as in SQLAlchemy.
 */
import { afterEach, expect } from 'vitest';
import {
  AmbiguousForeignKeysError,
  Database,
  MappingError,
  NotLoadedError,
  joinedload,
  noload,
  not_,
  raiseload,
  selectinload,
  type ColumnElement,
  type Related,
  type RelationshipAttribute,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function graphModels(db: Database) {
  const followers = db.Table(
    'followers',
    db.Column('follower_id', db.Integer, db.ForeignKey('user.id'), { primaryKey: true }),
    db.Column('followed_id', db.Integer, db.ForeignKey('user.id'), { primaryKey: true }),
  );
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    following: db.relationship<User>('User', {
      secondary: followers,
      primaryJoin: (): ColumnElement<boolean> => followers.c.follower_id!.eq(User.id),
      secondaryJoin: (): ColumnElement<boolean> => followers.c.followed_id!.eq(User.id),
      backref: { name: 'followers', orderBy: 'name' },
      orderBy: 'name',
    }),
  }) {
    declare followers: Related<User[]>;
    declare static followers: RelationshipAttribute<'followers', User[]>;
  }
  return { User, followers };
}

function tagModels(db: Database) {
  const postTags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'), { primaryKey: true }),
  );
  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    visible: db.Column(db.Boolean, { nullable: false }),
  }) {}
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(50), { nullable: false }),
    tags: db.relationship<Tag>('Tag', { secondary: postTags, orderBy: 'name' }),
    visibleTags: db.relationship<Tag>('Tag', {
      secondary: postTags,
      primaryJoin: (): ColumnElement<boolean> => postTags.c.post_id!.eq(Post.id),
      secondaryJoin: (): ColumnElement<boolean> => db.and_(postTags.c.tag_id!.eq(Tag.id), Tag.visible.eq(true)),
      orderBy: 'name',
    }),
  }) {}
  return { Post, Tag, postTags };
}

describeEachDialect('primaryJoin + secondaryJoin (many-to-many through a custom join)', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const fresh = async <M>(define: (db: Database) => M) => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    const m = define(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    return { db, ...m };
  };
  const names = (users: readonly { name: string }[]) => users.map((u) => u.name);

  /** ann follows bob and cy; bob follows ann; cy follows nobody; dee follows ann and cy. */
  async function graph() {
    const g = await fresh(graphModels);
    const { db, User } = g;
    const [ann, bob, cy, dee] = ['ann', 'bob', 'cy', 'dee'].map((name) => new User({ name }));
    ann!.following = [bob!, cy!];
    bob!.following = [ann!];
    dee!.following = [ann!, cy!];
    // The other side follows in memory at once: new objects, nothing loaded.
    expect(names(await ann!.followers)).toEqual(['bob', 'dee']);
    expect(names(await cy!.followers)).toEqual(['ann', 'dee']);
    const s = db.newSession();
    s.add(ann!);
    s.add(dee!);
    const events = await db.recordQueries(() => s.commit());
    // The association rows go in one INSERT, after the users.
    const inserts = events.filter((e) => /^INSERT INTO .followers/.test(e.sql));
    expect(inserts).toHaveLength(1);
    expect(events.findIndex((e) => /^INSERT INTO .followers/.test(e.sql))).toBeGreaterThan(
      events.map((e) => /^INSERT INTO .user/.test(e.sql)).lastIndexOf(true),
    );
    return { ...g, ids: { ann: ann!.id, bob: bob!.id, cy: cy!.id, dee: dee!.id } };
  }

  const pairs = async (db: Database) => {
    const q = db.engine.dialect.compiler.quote;
    const { rows } = await db.engine.execute({
      sql: `SELECT f.${q('follower_id')}, f.${q('followed_id')} FROM ${q('followers')} f ORDER BY 1, 2`,
      params: [],
    });
    return rows.map((r) => [Number(r[0]), Number(r[1])]);
  };

  it('writes the graph: the association rows, read back from the database', async () => {
    const { db, ids } = await graph();
    expect(await pairs(db)).toEqual(
      [
        [ids.ann, ids.bob],
        [ids.ann, ids.cy],
        [ids.bob, ids.ann],
        [ids.dee, ids.ann],
        [ids.dee, ids.cy],
      ].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
    );
  });

  it('loads both directions lazily (one SELECT each), joined (one) and selectin (one per relationship)', async () => {
    const { db, User } = await graph();
    const lazy = await db.countQueries(async () => {
      const ann = (await db.newSession().query(User).filterBy({ name: 'ann' }).one())!;
      expect(names(await ann.following)).toEqual(['bob', 'cy']);
      expect(names(await ann.followers)).toEqual(['bob', 'dee']);
    });
    expect(lazy).toBe(3);

    const joined = await db.countQueries(async () => {
      const users = await db.newSession().query(User).options(joinedload(User.following)).orderBy(User.name).all();
      expect(users.map((u) => [u.name, names(u.following)])).toEqual([
        ['ann', ['bob', 'cy']],
        ['bob', ['ann']],
        ['cy', []],
        ['dee', ['ann', 'cy']],
      ]);
    });
    expect(joined).toBe(1);

    const selectin = await db.countQueries(async () => {
      const users = await db
        .newSession()
        .query(User)
        .options(selectinload(User.following), selectinload(User.followers))
        .orderBy(User.name)
        .all();
      expect(users.map((u) => [u.name, names(u.following), names(u.followers)])).toEqual([
        ['ann', ['bob', 'cy'], ['bob', 'dee']],
        ['bob', ['ann'], ['ann']],
        ['cy', [], ['ann', 'dee']],
        ['dee', ['ann', 'cy'], []],
      ]);
    });
    expect(selectin).toBe(3);

    // Two levels: who the people ann follows follow.
    const chained = await db.countQueries(async () => {
      const ann = (await db
        .newSession()
        .query(User)
        .filterBy({ name: 'ann' })
        .options(selectinload(User.following).selectinload(User.following))
        .one())!;
      expect(ann.following.map((u) => [u.name, names(u.following)])).toEqual([
        ['bob', ['ann']],
        ['cy', []],
      ]);
    });
    expect(chained).toBe(3);
  });

  it('raise and noload', async () => {
    const { db, User } = await graph();
    const statements = await db.countQueries(async () => {
      const s = db.newSession();
      const ann = (await s.query(User).filterBy({ name: 'ann' }).options(raiseload(User.following)).one())!;
      await expect(Promise.resolve(ann.following)).rejects.toThrow(NotLoadedError);
      const bob = (await db.newSession().query(User).filterBy({ name: 'bob' }).options(noload(User.followers)).one())!;
      expect(bob.followers).toEqual([]);
    });
    expect(statements).toBe(2);
  });

  it('joins along the relationship (to an alias of the same table) and filters with any()', async () => {
    const { db, User } = await graph();
    const s = db.newSession();
    const Followed = db.aliased(User, 'followed');
    const followersOfCy = await s
      .query(User)
      .join(Followed, User.following)
      .filter(Followed.name.eq('cy'))
      .orderBy(User.name)
      .all();
    expect(names(followersOfCy)).toEqual(['ann', 'dee']);
    // The other direction: whom bob's followers are followed by.
    const Follower = db.aliased(User, 'follower');
    const followedByBob = await s.query(User).join(Follower, User.followers).filter(Follower.name.eq('bob')).all();
    expect(names(followedByBob)).toEqual(['ann']);

    expect(
      names(
        await s
          .query(User)
          .filter(User.following.any(User.name.eq('ann')))
          .orderBy(User.name)
          .all(),
      ),
    ).toEqual(['bob', 'dee']);
    expect(names(await s.query(User).filter(User.followers.any()).orderBy(User.name).all())).toEqual([
      'ann',
      'bob',
      'cy',
    ]);
    expect(names(await s.query(User).filter(not_(User.following.any())).all())).toEqual(['cy']);
  });

  it('writes through either side: append and remove insert and delete association rows', async () => {
    const { db, User, ids } = await graph();
    const s = db.newSession();
    const cy = (await s.get(User, ids.cy))!;
    const bob = (await s.get(User, ids.bob))!;
    const events = await db.recordQueries(async () => {
      (await cy.following).push(bob); // cy follows bob
      (await bob.following).splice(0, 1); // bob stops following ann
      await s.commit();
    });
    expect(events.filter((e) => /^INSERT INTO .followers/.test(e.sql))).toHaveLength(1);
    expect(events.filter((e) => /^DELETE FROM .followers/.test(e.sql))).toHaveLength(1);
    expect(await pairs(db)).toContainEqual([ids.cy, ids.bob]);
    expect(await pairs(db)).not.toContainEqual([ids.bob, ids.ann]);

    // Through the backref side: ann loses dee as a follower.
    const ann = (await s.get(User, ids.ann))!;
    const followers = await ann.followers;
    followers.splice(
      followers.findIndex((u) => u.name === 'dee'),
      1,
    );
    await s.commit();
    const fresh = db.newSession();
    expect(names(await (await fresh.get(User, ids.dee))!.following)).toEqual(['cy']);
    expect(names(await (await fresh.get(User, ids.bob))!.followers)).toEqual(['ann', 'cy']);

    // Deleting a user deletes the rows that name it on both sides.
    const deleting = db.newSession();
    deleting.delete((await deleting.get(User, ids.ann))!);
    await deleting.commit();
    expect((await pairs(db)).filter((p) => p.includes(ids.ann))).toEqual([]);
  });

  it('an extra condition in the join (only visible tags) filters every loader and makes it viewonly', async () => {
    const { db, Post, Tag } = await fresh(tagModels);
    const s = db.newSession();
    const [shown, hidden] = [new Tag({ name: 'shown', visible: true }), new Tag({ name: 'hidden', visible: false })];
    s.add(new Post({ title: 'hello', tags: [shown!, hidden!] }));
    await s.commit();

    const lazy = await db.countQueries(async () => {
      const post = (await db.newSession().query(Post).one())!;
      expect(names(await post.visibleTags)).toEqual(['shown']);
      expect(names(await post.tags)).toEqual(['hidden', 'shown']);
    });
    expect(lazy).toBe(3);
    const eager = await db.countQueries(async () => {
      const [a] = await db.newSession().query(Post).options(joinedload(Post.visibleTags)).all();
      const [b] = await db.newSession().query(Post).options(selectinload(Post.visibleTags)).all();
      expect([names(a!.visibleTags), names(b!.visibleTags)]).toEqual([['shown'], ['shown']]);
    });
    expect(eager).toBe(3);
    expect(
      await s
        .query(Post)
        .filter(Post.visibleTags.any(Tag.name.eq('hidden')))
        .count(),
    ).toBe(0);
    expect(
      await s
        .query(Post)
        .filter(Post.tags.any(Tag.name.eq('hidden')))
        .count(),
    ).toBe(1);
    expect(await s.query(Post).join(Post.visibleTags).count()).toBe(1);

    // viewonly: a change to it is written nowhere (as SQLAlchemy's viewonly relationship).
    const post = (await s.query(Post).one())!;
    (await post.visibleTags).splice(0, 1);
    const writes = await db.recordQueries(() => s.commit());
    expect(writes.filter((e) => /^(INSERT|UPDATE|DELETE)/.test(e.sql))).toEqual([]);
  });

  it('refuses what it cannot follow, naming the relationship', async () => {
    const bad = (options: Record<string, unknown>, table = true) => {
      const db = new Database('sqlite://');
      const links = table
        ? db.Table(
            'links',
            db.Column('a_id', db.Integer, db.ForeignKey('node.id')),
            db.Column('b_id', db.Integer, db.ForeignKey('node.id')),
          )
        : undefined;
      class Node extends db.Model('Node', {
        id: db.Column(db.Integer, { primaryKey: true }),
        parent_id: db.Column(db.Integer, db.ForeignKey('node.id')),
        next: db.relationship<Node>('Node', { ...(links && { secondary: links }), ...options }),
      }) {}
      return () => {
        void Node;
        db.registry.configure();
      };
    };
    expect(bad({})).toThrow(AmbiguousForeignKeysError);
    expect(bad({})).toThrow(
      /relationship Node\.next: secondary table 'links' has several foreign keys to 'node' \(a_id, b_id\).*primaryJoin.*secondaryJoin/,
    );
    expect(bad({ secondaryJoin: () => null }, false)).toThrow(MappingError);
    expect(bad({ secondaryJoin: () => null }, false)).toThrow(/relationship Node\.next: secondaryJoin needs secondary/);
    const db = new Database('sqlite://');
    const links = db.Table('links', db.Column('a_id', db.Integer), db.Column('b_id', db.Integer));
    class Node extends db.Model('Node', {
      id: db.Column(db.Integer, { primaryKey: true }),
      label: db.Column(db.String(10)),
      next: db.relationship<Node>('Node', {
        secondary: links,
        primaryJoin: (): ColumnElement<boolean> => Node.label.eq('x'),
        secondaryJoin: (): ColumnElement<boolean> => links.c.b_id!.eq(Node.id),
      }),
    }) {}
    expect(() => db.registry.configure() ?? Node).toThrow(
      /relationship Node\.next: primaryJoin has no equality between a column of node and a column of links/,
    );
  });
});

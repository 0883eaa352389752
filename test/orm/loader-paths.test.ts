/**
 * A loader option whose path does not fit the query used to be ignored silently (the loaders never
 * reach it). It is refused with an ArgumentError naming the option, its path and the query's
 * entity, before any SQL runs; paths that fit still load.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  joinedload,
  selectinload,
  type Related,
  type RelationshipAttribute,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function blog(db: Database) {
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    posts: db.relationship<Post>('Post', { backPopulates: 'author', orderBy: 'id' }),
    profile: db.relationship<Profile>('Profile', { uselist: false, backref: 'user' }),
  }) {}
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(50), { nullable: false }),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
    author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
  }) {}
  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    bio: db.Column(db.String(50)),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  }) {
    declare user: Related<User | null>; // a backref, declared for TypeScript: instance side
    declare static user: RelationshipAttribute<'user', User | null>; // and class side
  }
  return { User, Post, Profile };
}

describeEachDialect('Loader option paths', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) {
      await db.dropAll();
      await db.close();
    }
  });

  async function seeded() {
    const db = new Database(t.url);
    dbs.push(db);
    const m = blog(db);
    await db.createAll();
    await db.transaction(async (s) => {
      const alice = new m.User({ name: 'alice' });
      s.add(alice);
      s.add(new m.Post({ title: 'hello', author: alice }));
      s.add(new m.Profile({ bio: 'hi', user: alice } as never));
    });
    const statements: string[] = [];
    db.onStatement((e) => statements.push(e.sql));
    return { db, ...m, statements };
  }

  it("refuses an option that does not start at the query's entity, naming option, path and entity", async () => {
    const { db, User, Post, statements } = await seeded();
    const wrongStart = () => User.query.options(joinedload(Post.author));
    expect(wrongStart).toThrow(ArgumentError);
    expect(wrongStart).toThrow(
      "loader option joinedload(Post.author) does not fit a query of User: its path starts at Post, not at the query's entity User.",
    );
    expect(() => db.session.query(Post).options(selectinload(User.posts))).toThrow(
      /loader option selectinload\(User\.posts\) does not fit a query of Post: its path starts at User/,
    );
    expect(statements).toEqual([]);
  });

  it("refuses a chained step that is not a relationship of the previous step's target", async () => {
    const { User, Post, Profile, statements } = await seeded();
    const wrongChain = () => User.query.options(joinedload(User.posts).selectinload(User.profile));
    expect(wrongChain).toThrow(ArgumentError);
    expect(wrongChain).toThrow(
      'loader option joinedload(User.posts).selectinload(User.profile) does not fit a query of User: ' +
        'User.profile is not a relationship of Post, the target of User.posts.',
    );
    // Through a backref too (Profile.user is created by User.profile's backref).
    expect(() => Post.query.options(joinedload(Post.author).joinedload(Profile.user))).toThrow(
      /Profile\.user is not a relationship of User, the target of Post\.author/,
    );
    expect(() => User.query.options('posts' as never)).toThrow(/User query options\(\) takes loader options/);
    expect(statements).toEqual([]);
  });

  it('still loads along paths that fit, including through a backref', async () => {
    const { db, User, Post, Profile } = await seeded();
    const [post] = await Post.query.options(joinedload(Post.author).selectinload(User.profile)).all();
    expect(post!.author!.profile!.bio).toBe('hi');
    const [profile] = await db.session.query(Profile).options(joinedload(Profile.user).selectinload(User.posts)).all();
    expect(profile!.user!.posts.map((p) => p.title)).toEqual(['hello']);
  });
});

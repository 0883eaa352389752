/**
 * Type-level behaviour. This file must compile under `tsc --strict`; every `@ts-expect-error`
 * marks a misuse that must NOT compile (tsc fails if such a line compiles after all).
 */
import { Database, joinedload, noload, selectinload, type Related } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { unique: true }),
  email: db.Column(db.String(120), { nullable: false }),
  joined: db.Column(db.DateTime),
  balance: db.Column(db.Numeric(10, 2)),
  settings: db.Column(db.JSONOf<{ theme: 'dark' | 'light' }>()),
  posts: db.relationship<Post>('Post', { backPopulates: 'author' }),
  profile: db.relationship<Profile>('Profile', { backPopulates: 'user', uselist: false }),
}) {
  greet(): string {
    return `hi ${this.username ?? 'anonymous'}`;
  }
}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
  tags: db.relationship<Tag>('Tag', { secondary: 'post_tags', backref: 'posts' }),
}) {}

class Profile extends db.Model('Profile', {
  id: db.Column(db.Integer, { primaryKey: true }),
  bio: db.Column(db.Text),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
}) {}

class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { unique: true }),
}) {
  declare posts: Related<Post[]>; // a backref, declared for TypeScript
}

export async function columnTypes(user: User): Promise<void> {
  expectType<Equal<typeof user.id, number>>();
  expectType<Equal<typeof user.username, string | null>>();
  expectType<Equal<typeof user.email, string>>();
  expectType<Equal<typeof user.joined, Date | null>>();
  expectType<Equal<typeof user.balance, string | null>>();
  expectType<Equal<typeof user.settings, { theme: 'dark' | 'light' } | null>>();
  expectType<Equal<ReturnType<typeof user.greet>, string>>();
  // @ts-expect-error a nullable column may be null
  user.username.length;
  // @ts-expect-error wrong value type
  user.email = 5;
  // @ts-expect-error null into a NOT NULL column
  user.email = null;
  user.username = null;
}

export async function lazyRelationships(user: User, post: Post, tag: Tag): Promise<void> {
  const posts = await user.posts; // awaiting loads it
  expectType<Equal<typeof posts, Post[]>>();
  const author = await post.author;
  expectType<Equal<typeof author, User | null>>();
  const profile = await user.profile;
  expectType<Equal<typeof profile, Profile | null>>();
  const tagged = await tag.posts;
  expectType<Equal<typeof tagged, Post[]>>();
  // @ts-expect-error not loaded: synchronous use is refused
  user.posts.length;
  // @ts-expect-error not loaded: no iteration
  for (const p of user.posts) void p;
  // @ts-expect-error not loaded, and may be null
  post.author.username;
  post.author = user; // assigning is fine
  user.posts = [post];
  // @ts-expect-error wrong model in a collection
  user.posts = [tag];
}

export async function eagerQueries(): Promise<void> {
  const users = await User.query.options(joinedload(User.posts)).all();
  for (const user of users) {
    expectType<Equal<typeof user.posts, Post[]>>();
    user.posts.map((p) => p.title.toUpperCase()); // loaded: no await needed
    // @ts-expect-error profile was not loaded
    user.profile.bio;
  }
  const posts = await db.session.query(Post).options(joinedload(Post.author).selectinload(User.profile)).all();
  const bio: string | null | undefined = posts[0]?.author?.profile?.bio;
  void bio;
  // @ts-expect-error tags were not loaded
  posts[0]?.tags.length;
  const both = await db.session.query(User).options(selectinload(User.posts), joinedload(User.profile)).first();
  if (both) {
    both.posts.length;
    both.profile?.bio;
    both.greet(); // the subclass's own methods survive
  }
  // noload reads as empty at once, so it is typed as loaded
  const quiet = await User.query.options(noload(User.posts)).first();
  if (quiet) {
    expectType<Equal<typeof quiet.posts, Post[]>>();
    quiet.posts.length;
    // @ts-expect-error profile was not loaded
    quiet.profile.bio;
  }
}

export async function queryArguments(): Promise<void> {
  await User.query.filter(User.username.eq('x'), User.id.gt(3)).all();
  // @ts-expect-error a number is not a username
  User.username.eq(5);
  // @ts-expect-error filterBy checks value types
  await User.query.filterBy({ username: 5 }).all();
  // @ts-expect-error unknown attribute in the constructor
  new User({ nickname: 'x' });
  // @ts-expect-error wrong type in the constructor
  new User({ email: 42 });
  // @ts-expect-error filter takes expressions, not strings
  User.query.filter('id = 1');
  const one: User | null = await db.session.get(User, 1);
  void one;
  const n: number = await User.query.count();
  void n;
}

export async function transactionsAndScopes(): Promise<void> {
  // The callback's result is the transaction's, typed.
  const made = await db.transaction(async (session) => {
    const u = new User({ email: 'a@example.com' });
    session.add(u);
    return u;
  });
  expectType<Equal<typeof made, User>>();
  const count = await db.scope(async () => User.query.count());
  expectType<Equal<typeof count, number>>();
  await db.transaction(async () => undefined, { isolation: 'serializable', readOnly: true, retries: 0 });
  // @ts-expect-error isolation levels are the SQL standard's four
  await db.transaction(async () => undefined, { isolation: 'snapshot' });
  // @ts-expect-error unknown option
  await db.transaction(async () => undefined, { retires: 3 });
  await db.session.begin({ isolation: 'repeatable read' });
  // @ts-expect-error begin() takes the same isolation levels
  await db.session.begin({ isolation: 'READ COMMITTED' });
  // @ts-expect-error the callback must return a promise: a transaction is asynchronous
  await db.transaction((session) => session.add(new User({ email: 'b@example.com' })));
}

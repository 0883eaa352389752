/**
 * Issue 11, "Typing that lies": what must compile and what must not (each `@ts-expect-error`
 * fails tsc if its line compiles after all).
 */
import {
  Database,
  joinedload,
  selectinload,
  type Query,
  type Related,
  type RelationshipAttribute,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { nullable: false }),
  posts: db.relationship<Post>('Post', { backref: 'author' }),
}) {
  greet(): string {
    return `hi ${this.username}`;
  }
}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  tags: db.relationship<Tag>('Tag', { secondary: 'post_tags', backref: 'posts' }),
}) {
  // `author` is created by User.posts's backref: one line per side tells TypeScript about it,
  declare author: Related<User | null>;
  declare static author: RelationshipAttribute<'author', User | null>;
  // and this one makes Post.query keep the subclass (its declared attributes and methods).
  declare static query: Query<Post>;
  shout(): string {
    return this.title.toUpperCase();
  }
}

class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { unique: true }),
}) {
  declare posts: Related<Post[]>;
  declare static posts: RelationshipAttribute<'posts', Post[]>;
}

export async function modelQueryKeepsTheSubclass(): Promise<void> {
  const post = (await Post.query.first())!;
  expectType<Equal<typeof post, Post>>();
  const author = await post.author; // a declared backref attribute is visible
  expectType<Equal<typeof author, User | null>>();
  post.shout(); // and so are the subclass's methods
  const viaSession = (await db.session.query(Post).first())!;
  expectType<Equal<typeof viaSession, Post>>();
  // Without the declare line, Model.query results still have every declared column and relationship.
  const user = (await User.query.first())!;
  expectType<Equal<typeof user.username, string>>();
  const posts = await user.posts;
  expectType<Equal<typeof posts, Post[]>>();
}

export async function backrefsOnTheClassSide(): Promise<void> {
  const tags = await db.session.query(Tag).options(selectinload(Tag.posts)).all(); // no cast
  for (const tag of tags) {
    expectType<Equal<typeof tag.posts, Post[]>>();
    tag.posts.map((p) => p.title); // loaded: no await
  }
  const posts = await Post.query.options(joinedload(Post.author)).all();
  posts[0]?.author?.username.toUpperCase();
  // A nullable relationship loaded with a chained option is the loaded model or null, nothing else
  // (Reshape used to distribute over `| null` and add a member holding only the chained key).
  const chained = await Post.query.options(joinedload(Post.author).selectinload(User.posts)).all();
  type Author = (typeof chained)[number]['author'];
  expectType<Equal<Extract<Author, { username: string }> | null, Author>>();
  // @ts-expect-error the backref was not loaded by this query
  (await db.session.query(Tag).first())!.posts.length;
}

export async function filterByTakesColumnsOnly(): Promise<void> {
  await User.query.filterBy({ username: 'alice', id: 1 }).all();
  await Post.query.filterBy({ user_id: null }).all();
  // @ts-expect-error a relationship is not a column: use filter(User.posts.any(...))
  await User.query.filterBy({ posts: [] }).all();
  // @ts-expect-error a method is not a column
  await User.query.filterBy({ toJSON: undefined }).all();
  // @ts-expect-error the subclass's own methods are not columns either
  await db.session.query(User).filterBy({ greet: undefined }).all();
  // @ts-expect-error a declared backref is not a column
  await Post.query.filterBy({ author: null }).all();
  // @ts-expect-error after a loader option, the loaded relationship is still not a column
  await User.query.options(selectinload(User.posts)).filterBy({ posts: [] }).all();
  await User.query.options(selectinload(User.posts)).filterBy({ username: 'alice' }).all();
}

export async function relationshipTypeArgumentIsTheModel(): Promise<void> {
  // The type argument is the model; `uselist` decides list or single (the module example used to
  // write relationship<Post[]>, which types the attribute as Post[][]).
  class A extends db.Model('A', {
    id: db.Column(db.Integer, { primaryKey: true }),
    bs: db.relationship<B>('B'),
    wrong: db.relationship<B[]>('B'), // declares a relationship no code can use, and says why
  }) {}
  class B extends db.Model('B', {
    id: db.Column(db.Integer, { primaryKey: true }),
    a_id: db.Column(db.Integer, db.ForeignKey('a.id')),
    a: db.relationship<A>('A', { uselist: false }),
  }) {}
  const a = new A();
  expectType<Equal<typeof a.bs, Related<B[]>>>();
  // @ts-expect-error relationship<B[]>: the type argument is the model, not a list
  void (await a.wrong).map((x) => x);
  // @ts-expect-error nor can it be given a list
  new A({ wrong: [new B()] });
  const b = new B();
  expectType<Equal<typeof b.a, Related<A | null>>>();
}

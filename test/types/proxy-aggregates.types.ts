/**
 * Issue 14: association proxies and relationship aggregates, typed from the declaration. Each
 * `@ts-expect-error` marks a misuse that must not compile.
 */
import {
  Database,
  selectinload,
  withAvg,
  withCount,
  withExists,
  withMax,
  withSum,
  type Related,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Keyword extends db.Model('Keyword', {
  id: db.Column(db.Integer, { primaryKey: true }),
  word: db.Column(db.String(40), { nullable: false }),
}) {}
class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  userKeywords: db.relationship<UserKeyword>('UserKeyword', { cascade: 'all, delete-orphan' }),
  keywords: db.associationProxy<UserKeyword, 'keyword'>('userKeywords', 'keyword', {
    creator: (keyword: Keyword): UserKeyword => new UserKeyword({ keyword }),
  }),
  notes: db.associationProxy<UserKeyword, 'note'>('userKeywords', 'note'),
  posts: db.relationship<Post>('Post'),
}) {}
class UserKeyword extends db.Model('UserKeyword', {
  userId: db.Column(db.Integer, db.ForeignKey('user.id'), { primaryKey: true }),
  keywordId: db.Column(db.Integer, db.ForeignKey('keyword.id'), { primaryKey: true }),
  note: db.Column(db.String(40)),
  keyword: db.relationship<Keyword>('Keyword', { uselist: false }),
}) {}
class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  userId: db.Column(db.Integer, db.ForeignKey('user.id')),
  views: db.Column(db.Integer),
  price: db.Column(db.Numeric(10, 2), { nullable: false }),
  bytes: db.Column(db.BigInteger, { nullable: false }),
  comments: db.relationship<Comment>('Comment'),
}) {}
class Comment extends db.Model('Comment', {
  id: db.Column(db.Integer, { primaryKey: true }),
  postId: db.Column(db.Integer, db.ForeignKey('post.id')),
}) {}

export async function proxies(user: User): Promise<void> {
  // A relationship proxy lists the targets, a column proxy the (non-null) values; awaitable until loaded.
  expectType<Equal<typeof user.keywords, Related<Keyword[]>>>();
  expectType<Equal<typeof user.notes, Related<string[]>>>();
  const keywords: Keyword[] = await user.keywords;
  user.keywords = keywords;
  // @ts-expect-error: a proxy of keywords takes keywords
  user.keywords = ['orm'];
  // @ts-expect-error: not loaded, so not usable without await
  void user.keywords.length;
  const [loaded] = await User.query.options(selectinload(User.keywords)).all();
  expectType<Equal<typeof loaded, (Omit<User, 'keywords'> & { keywords: Keyword[] }) | undefined>>();
  void loaded?.keywords.length;
  new User({ keywords: [new Keyword({ word: 'x' })] });
  // @ts-expect-error: the constructor takes the proxied values
  new User({ keywords: ['x'] });
  User.query.filter(User.keywords.any(Keyword.word.eq('orm')));
  User.query.filter(User.notes.contains('x'));
  // @ts-expect-error: contains() takes a proxied value
  User.query.filter(User.notes.contains(1));
  // @ts-expect-error: the attribute must be one of the association model's
  db.associationProxy<UserKeyword, 'nope'>('userKeywords', 'nope');
}

export async function aggregates(): Promise<void> {
  const [u] = await User.query
    .options(
      withCount(User.posts),
      withSum(User.posts, Post.views),
      withSum(User.posts, Post.price, { as: 'revenue' }),
      withSum(User.posts, Post.bytes, { as: 'bytes' }),
      withMax(User.posts, Post.views, { as: 'top' }),
      withAvg(User.posts, Post.views),
      withExists(User.posts, { where: Post.views.gt(1) }),
    )
    .all();
  const user = u!;
  expectType<Equal<typeof user.postsCount, number>>();
  expectType<Equal<typeof user.postsSum, number | null>>();
  expectType<Equal<typeof user.revenue, string | null>>();
  expectType<Equal<typeof user.bytes, bigint | null>>();
  expectType<Equal<typeof user.top, number | null>>();
  expectType<Equal<typeof user.postsAvg, number | null>>();
  expectType<Equal<typeof user.postsExists, boolean>>();
  const plain = (await User.query.first())!;
  // @ts-expect-error: the query did not load the aggregate
  void plain.postsCount;
  const nested = (await User.query.options(selectinload(User.posts).withCount(Post.comments)).first())!;
  const count: number | undefined = nested.posts[0]?.commentsCount;
  void count;
  // @ts-expect-error: withCount takes a relationship
  withCount(Post.views);
}

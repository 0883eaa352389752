/**
 * Issue 15: typed column queries and window functions. Rows are computed from the selected
 * columns, as objects (by label or attribute key) and tuples; each `@ts-expect-error` marks a misuse
 * that must not compile (a misspelt label or column, a value of the wrong type).
 */
import { Database, func, select, type RowOf, type TupleOf } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();
class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { nullable: false }),
  email: db.Column(db.String(120)),
  joined: db.Column(db.DateTime, { nullable: false }),
  posts: db.relationship<Post>('Post'),
}) {}
class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  userId: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
  views: db.Column(db.Integer, { nullable: false }),
  price: db.Column(db.Numeric(10, 2), { nullable: false }),
  tags: db.relationship<Tag>('Tag'),
}) {}
class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  postId: db.Column(db.Integer, db.ForeignKey('post.id')),
}) {}

export async function coreRows(): Promise<void> {
  const session = db.newSession();
  const stmt = select(User.id, User.username, User.email, func.count(Post.id).label('n'))
    .join(Post)
    .where(Post.views.gt(10))
    .groupBy(User.id, User.username, User.email)
    .having(func.count(Post.id).gt(1))
    .orderBy(User.username)
    .limit(10)
    .offset(0)
    .distinct();

  const rows = await session.execute(stmt);
  expectType<Equal<typeof rows, { id: number; username: string; email: string | null; n: number }[]>>();
  const row = rows[0]!;
  row.n.toFixed(0);
  row.username.toUpperCase();
  // @ts-expect-error a misspelt label
  void row.count;
  // @ts-expect-error a misspelt column
  void row.userName;
  // @ts-expect-error email may be null
  row.email.toUpperCase();

  const tuples = await session.execute(stmt).tuples();
  expectType<Equal<typeof tuples, [number, string, string | null, number][]>>();
  // @ts-expect-error a tuple has four values
  void tuples[0]![4];
  const ids = await session.execute(stmt).scalars();
  expectType<Equal<typeof ids, number[]>>();

  expectType<Equal<RowOf<typeof stmt.columns>, { id: number; username: string; email: string | null; n: number }>>();
  expectType<Equal<TupleOf<typeof stmt.columns>, [number, string, string | null, number]>>();

  // An unlabeled expression is in the tuple only.
  const unnamed = await session.execute(select(User.id, func.max(User.joined))).tuples();
  expectType<Equal<typeof unnamed, [number, Date | null][]>>();
  const [onlyId] = await session.execute(select(User.id, func.max(User.joined)));
  expectType<Equal<typeof onlyId, { id: number } | undefined>>();

  // Sums, extremes and lag keep their column's type; counts and ranks are numbers.
  const [money] = await session.execute(
    select(
      func.sum(Post.price).label('total'),
      func.min(User.joined).label('first'),
      func.avg(Post.views).label('avg'),
    ),
  );
  expectType<Equal<typeof money, { total: string | null; first: Date | null; avg: number | null } | undefined>>();
}

export async function windows(): Promise<void> {
  const session = db.newSession();
  const rows = await session.execute(
    select(
      Post.id,
      func.rowNumber().over({ partitionBy: Post.userId, orderBy: Post.views.desc() }).label('rn'),
      func
        .rank()
        .over({ orderBy: [Post.views.desc(), Post.id] })
        .label('rank'),
      func
        .denseRank()
        .over({ partitionBy: [Post.userId] })
        .label('dense'),
      func
        .sum(Post.views)
        .over({ orderBy: Post.id, rows: [null, 0] })
        .label('running'),
      func.lag(Post.price).over({ orderBy: Post.id }).label('previous'),
    ),
  );
  expectType<
    Equal<
      typeof rows,
      { id: number; rn: number; rank: number; dense: number; running: number | null; previous: string | null }[]
    >
  >();
  // @ts-expect-error a misspelt window option
  func.rank().over({ partition: Post.userId });
  // @ts-expect-error a frame is a pair of bounds
  func.rank().over({ rows: [0] });
  // @ts-expect-error partitionBy takes expressions
  func.rank().over({ partitionBy: 'userId' });
}

export async function ormTuples(): Promise<void> {
  const session = db.newSession();
  const withCounts = await session
    .query(User, func.count(Post.id).label('n'))
    .join(User.posts)
    .groupBy(User.id)
    .having(func.count(Post.id).gt(0))
    .all();
  expectType<Equal<typeof withCounts, [User, number][]>>();
  const [first] = withCounts;
  first?.[0].username.toUpperCase();
  // @ts-expect-error the second value is a number
  first?.[1].toUpperCase();

  const names = await session.query(User.id, User.username).orderBy(User.id).all();
  expectType<Equal<typeof names, [number, string][]>>();

  // Loader options reach the model in the tuple.
  const loaded = await session
    .query(Post, func.count(Tag.id))
    .outerjoin(Post.tags)
    .groupBy(Post.id)
    .options(db.selectinload(Post.tags))
    .all();
  loaded[0]?.[0].tags.length;
  loaded[0]?.[1].toFixed();

  const one = await session.query(User).first();
  expectType<Equal<typeof one, User | null>>();
}

/**
 * Types of join conditions and foreign-key cycles: `secondaryJoin` is a thunk returning a boolean
 * expression (as `primaryJoin`), `postUpdate` and `useAlter` are booleans; a self-referential
 * many-to-many types as a list of its own model, loaded or awaitable, on both sides.
 */
import {
  Database,
  selectinload,
  type ColumnElement,
  type Related,
  type RelationshipAttribute,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

const followers = db.Table(
  'followers',
  db.Column('follower_id', db.Integer, db.ForeignKey('user.id'), { primaryKey: true }),
  db.Column('followed_id', db.Integer, db.ForeignKey('user.id'), { primaryKey: true }),
);

class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { nullable: false }),
  favorite_post_id: db.Column(db.Integer, db.ForeignKey('post.id', { useAlter: true, name: 'fk_user_favorite' })),
  following: db.relationship<User>('User', {
    secondary: followers,
    primaryJoin: (): ColumnElement<boolean> => followers.c.follower_id!.eq(User.id),
    secondaryJoin: (): ColumnElement<boolean> => followers.c.followed_id!.eq(User.id),
    backref: 'followers',
  }),
  favoritePost: db.relationship<Post>('Post', { foreignKeys: 'favorite_post_id', uselist: false, postUpdate: true }),
}) {
  declare followers: Related<User[]>;
  declare static followers: RelationshipAttribute<'followers', User[]>;
}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
}) {}

export async function reads(): Promise<void> {
  const ann = (await db.session.query(User).options(selectinload(User.following)).first())!;
  // Loaded by the option: a plain array of users.
  expectType<Equal<(typeof ann.following)[number]['name'], string>>();
  const followed: User[] = await ann.followers;
  const favourite = await ann.favoritePost;
  expectType<Equal<typeof favourite, Post | null>>();
  void followed;
  // @ts-expect-error not loaded: awaitable, not iterable
  for (const u of (await db.session.query(User).first())!.following) void u;
}

db.relationship<User>('User', {
  secondary: followers,
  // @ts-expect-error secondaryJoin is a thunk returning an expression, never SQL text
  secondaryJoin: 'followers.followed_id = user.id',
});
db.relationship<User>('User', {
  secondary: followers,
  // @ts-expect-error a thunk returning a boolean expression
  secondaryJoin: (): number => 1,
});
// @ts-expect-error postUpdate is a boolean
db.relationship<Post>('Post', { uselist: false, postUpdate: 'yes' });
// @ts-expect-error useAlter is a boolean
db.ForeignKey('post.id', { useAlter: 1 });
// @ts-expect-error SQLAlchemy's spelling is not an option
db.ForeignKey('post.id', { use_alter: true });

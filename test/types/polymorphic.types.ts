/**
 * Type-level behaviour of db.polymorphicRelationship: the union comes from the declaration's type
 * argument, loader options type it as loaded, and a non-target is refused. Must compile under
 * `tsc --strict`; every `@ts-expect-error` marks a misuse that must NOT compile.
 */
import { Database, joinedload, selectinload, type Related } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(80), { nullable: false }),
  comments: db.relationship<Comment>('Comment', { backPopulates: 'commentable' }),
}) {}
class Photo extends db.Model('Photo', {
  id: db.Column(db.Integer, { primaryKey: true }),
  url: db.Column(db.String(200), { nullable: false }),
  comments: db.relationship<Comment>('Comment', { backPopulates: 'commentable' }),
}) {}
class Comment extends db.Model('Comment', {
  id: db.Column(db.Integer, { primaryKey: true }),
  postId: db.Column(db.Integer, db.ForeignKey('post.id', { ondelete: 'CASCADE' })),
  photoId: db.Column(db.Integer, db.ForeignKey('photo.id', { ondelete: 'CASCADE' })),
  commentable: db.polymorphicRelationship<{ post: Post; photo: Photo }>({ post: 'Post', photo: 'Photo' }),
}) {}
class User extends db.Model('User', { id: db.Column(db.Integer, { primaryKey: true }) }) {}

export async function polymorphic(comment: Comment, post: Post, photo: Photo, user: User) {
  expectType<Equal<typeof comment.commentable, Related<Post | Photo | null>>>();
  const parent = await comment.commentable;
  expectType<Equal<typeof parent, Post | Photo | null>>();
  if (parent instanceof Photo) expectType<Equal<typeof parent.url, string>>();

  comment.commentable = post;
  comment.commentable = photo;
  comment.commentable = null;
  // @ts-expect-error a User is not one of the targets
  comment.commentable = user;
  new Comment({ commentable: photo });
  // @ts-expect-error nor in the constructor
  new Comment({ commentable: user });

  // Loader options type it as loaded: no await.
  const [loaded] = await Comment.query.options(selectinload(Comment.commentable)).all();
  if (loaded) expectType<Equal<typeof loaded.commentable, Post | Photo | null>>();
  const [joined] = await db.newSession().query(Comment).options(joinedload(Comment.commentable)).all();
  if (joined) expectType<Equal<typeof joined.commentable, Post | Photo | null>>();
  // Without an option it is still awaitable only.
  const [plain] = await db.newSession().query(Comment).all();
  // @ts-expect-error not loaded: await it
  plain?.commentable?.id;

  // @ts-expect-error every key of the type argument needs its target
  db.polymorphicRelationship<{ post: Post; photo: Photo }>({ post: 'Post' });
}

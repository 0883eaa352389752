/**
 * Type-level behaviour of `relationship.ofType(...)`: it keeps the relationship's key and shape, so
 * containsEager() of it types the relationship loaded; it takes an alias or a model class only.
 */
import { Database, containsEager, type RelationshipAttribute } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(50), { nullable: false }),
}) {}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  authorId: db.Column(db.Integer, db.ForeignKey('user.id')),
  author: db.relationship<User>('User', { uselist: false }),
}) {}

export async function ofType(): Promise<void> {
  const Writer = db.aliased(User, 'writer');
  const author = Post.author.ofType(Writer);
  expectType<Equal<typeof author, RelationshipAttribute<'author', User | null>>>();
  const posts = await Post.query.join(author).filter(Writer.username.eq('alice')).options(containsEager(author)).all();
  const name: string | undefined = posts[0]?.author?.username; // loaded: no await
  void name;
  // @ts-expect-error ofType takes an alias or a model class
  Post.author.ofType('User');

  // An alias queried as the entity: the model's objects; in a tuple, the object's place.
  const writers = await db.session.query(Writer).filter(Writer.username.eq('ada')).all();
  expectType<Equal<typeof writers, User[]>>();
  const counted = await db.session.query(Writer, Post.id).join(Post, Post.authorId.eq(Writer.id)).all();
  expectType<Equal<typeof counted, [User, number][]>>();
  // @ts-expect-error an alias has the model's columns only
  void Writer.nickname;
}

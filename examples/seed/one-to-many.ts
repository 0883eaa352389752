/**
 * Seed § One-to-Many.
 *
 *   class User(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       username = db.Column(db.String(80), unique=True)
 *       posts = db.relationship('Post', backref='author', lazy=True)
 *
 *   class Post(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       title = db.Column(db.String(200))
 *       content = db.Column(db.Text)
 *       user_id = db.Column(db.Integer, db.ForeignKey('user.id'))
 */
import type { Database, Related } from '../../src/index.js';

export function oneToManyModels(db: Database) {
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    username: db.Column(db.String(80), { unique: true }),
    posts: db.relationship<Post>('Post', { backref: 'author', lazy: true }),
  }) {}

  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(200)),
    content: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  }) {
    // `backref` makes `post.author` at run time; this line tells TypeScript about it.
    declare author: Related<User | null>;
  }

  return { User, Post };
}

/** "Now you can do user.posts … and post.author …" */
export async function oneToMany(db: Database, log: (line: string) => void = console.log) {
  const { User, Post } = oneToManyModels(db);
  await db.createAll();

  const alice = new User({ username: 'alice' });
  alice.posts = [
    new Post({ title: 'Hello', content: 'First post' }),
    new Post({ title: 'Relationships', content: 'Second post' }),
  ];
  db.session.add(alice);
  await db.session.commit();
  await db.session.close(); // the end of a request: the next one starts with an empty session

  const user = (await User.query.filterBy({ username: 'alice' }).one())!;
  const posts = await user.posts; // lazy=True: one SELECT on first access
  log(`user.posts → ${posts.map((p) => p.title).join(', ')}`);

  const post = (await db.session.query(Post).filterBy({ title: 'Hello' }).one())!;
  const author = await post.author; // the backref; already in the identity map, so no SQL
  log(`post.author → ${author?.username}`);

  return { postTitles: posts.map((p) => p.title), author: author?.username ?? null, sameObject: author === user };
}

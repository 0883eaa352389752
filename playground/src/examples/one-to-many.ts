import type { Related } from 'relata';

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

await db.createAll();

const alice = new User({ username: 'alice' });
alice.posts = [new Post({ title: 'Hello', content: 'First post' }), new Post({ title: 'Relationships', content: 'Second post' })];
db.session.add(alice);
await db.session.commit();
await db.session.close(); // the end of a request: the next one starts with an empty session

const user = (await User.query.filterBy({ username: 'alice' }).one())!;
const posts = await user.posts; // lazy=True: one SELECT on first access
console.log('user.posts', posts);

const post = (await db.session.query(Post).filterBy({ title: 'Hello' }).one())!;
const author = await post.author; // the backref; already in the identity map, so no SQL
console.log('post.author', author);

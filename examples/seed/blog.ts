/**
 * The seed's models together, as the "Eager vs Lazy Loading" and "Joining Queries" sections use
 * them (they add `User.is_active`). Bidirectional relationships use `backPopulates`, the typed form.
 */
import type { Database } from '../../src/index.js';

export function blogModels(db: Database) {
  const post_tags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'), { primaryKey: true }),
  );

  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    username: db.Column(db.String(80), { unique: true, nullable: false }),
    isActive: db.Column(db.Boolean, { name: 'is_active', nullable: false, default: true }),
    posts: db.relationship<Post>('Post', { backPopulates: 'author', orderBy: 'id' }),
    profile: db.relationship<Profile>('Profile', { backPopulates: 'user', uselist: false }),
  }) {}

  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(200), { nullable: false }),
    content: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
    author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
    tags: db.relationship<Tag>('Tag', { secondary: post_tags, backPopulates: 'posts' }),
  }) {}

  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { unique: true, nullable: false }),
    posts: db.relationship<Post>('Post', { secondary: post_tags, backPopulates: 'tags' }),
  }) {}

  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    bio: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { unique: true }),
    user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
  }) {}

  return { User, Post, Tag, Profile, post_tags };
}

export type BlogModels = ReturnType<typeof blogModels>;

/** Four users (carol inactive, dave without posts), four posts, two tags, two profiles. */
export async function seedBlog(db: Database, m: BlogModels): Promise<void> {
  const { User, Post, Tag, Profile } = m;
  await db.createAll();
  const news = new Tag({ name: 'news' });
  const howto = new Tag({ name: 'howto' });
  const alice = new User({ username: 'alice', profile: new Profile({ bio: 'Alice writes' }) });
  const bob = new User({ username: 'bob', profile: new Profile({ bio: 'Bob reads' }) });
  const carol = new User({ username: 'carol', isActive: false });
  const dave = new User({ username: 'dave' });
  alice.posts = [
    new Post({ title: 'Hello world', tags: [news] }),
    new Post({ title: 'Joins, explained', tags: [howto, news] }),
  ];
  bob.posts = [new Post({ title: "Bob's first", tags: [howto] })];
  carol.posts = [new Post({ title: 'Old news' })];
  db.session.addAll([alice, bob, carol, dave]);
  await db.session.commit();
}

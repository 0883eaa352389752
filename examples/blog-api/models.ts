/**
 * The blog of the relationships tutorial (examples/seed/blog.ts), plus comments: a user has one
 * profile and many posts, a post has many tags (through post_tags) and many comments, and a comment
 * has an author. Bidirectional relationships use `backPopulates`, so both sides are typed.
 *
 * No relationship is eager by default: each endpoint chooses what it loads (see app.ts), which keeps
 * the statement count of a request visible where the request is handled.
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
    comments: db.relationship<Comment>('Comment', { backPopulates: 'author' }),
  }) {}

  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    bio: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { unique: true, nullable: false }),
    user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
  }) {}

  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(200), { nullable: false }),
    content: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
    author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
    tags: db.relationship<Tag>('Tag', { secondary: post_tags, backPopulates: 'posts', orderBy: 'name' }),
    comments: db.relationship<Comment>('Comment', { backPopulates: 'post', orderBy: 'id' }),
  }) {}

  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { unique: true, nullable: false }),
    posts: db.relationship<Post>('Post', { secondary: post_tags, backPopulates: 'tags' }),
  }) {}

  class Comment extends db.Model('Comment', {
    id: db.Column(db.Integer, { primaryKey: true }),
    body: db.Column(db.Text, { nullable: false }),
    post_id: db.Column(db.Integer, db.ForeignKey('post.id'), { nullable: false }),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
    post: db.relationship<Post>('Post', { backPopulates: 'comments', uselist: false }),
    author: db.relationship<User>('User', { backPopulates: 'comments', uselist: false }),
  }) {}

  return { User, Profile, Post, Tag, Comment, post_tags };
}

export type BlogModels = ReturnType<typeof blogModels>;

/**
 * The unique constraints of these tables, as Relata names them (`uq_<table>_<column>`), with the
 * model and column each protects: an IntegrityError names the constraint, the API names the column.
 */
export const UNIQUE_CONSTRAINTS: Readonly<Record<string, { readonly model: string; readonly column: string }>> = {
  uq_user_username: { model: 'User', column: 'username' },
  uq_profile_user_id: { model: 'Profile', column: 'user_id' },
  uq_tag_name: { model: 'Tag', column: 'name' },
};

/** The tutorial's blog (examples/seed/blog.ts) with a few comments, for `npm run example:api`. */
export async function seedBlog(db: Database, { User, Post, Tag, Profile, Comment }: BlogModels): Promise<void> {
  await db.transaction(async (session) => {
    const news = new Tag({ name: 'news' });
    const howto = new Tag({ name: 'howto' });
    const alice = new User({ username: 'alice', profile: new Profile({ bio: 'Alice writes' }) });
    const bob = new User({ username: 'bob', profile: new Profile({ bio: 'Bob reads' }) });
    const carol = new User({ username: 'carol', isActive: false });
    const dave = new User({ username: 'dave' });
    const hello = new Post({ title: 'Hello world', tags: [news] });
    alice.posts = [hello, new Post({ title: 'Joins, explained', tags: [howto, news] })];
    bob.posts = [new Post({ title: "Bob's first", tags: [howto] })];
    carol.posts = [new Post({ title: 'Old news' })];
    session.addAll([alice, bob, carol, dave]);
    // Flushed apart so that the ids follow the conversation.
    await session.flush();
    session.add(new Comment({ body: 'Welcome!', post: hello, author: bob }));
    await session.flush();
    session.add(new Comment({ body: 'Thanks, Bob', post: hello, author: alice }));
  });
}

/**
 * Type-level behaviour of `lazy: 'writeOnly'`: the attribute is a WriteOnlyCollection<Target>, usable
 * at once (never awaited, never iterated), whose select() is a Query of the target.
 */
import { Database, joinedload, type Query, type WriteOnlyCollection } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { nullable: false }),
  posts: db.relationship<Post>('Post', { secondary: 'post_tags', lazy: 'writeOnly' }),
}) {}

class Blog extends db.Model('Blog', {
  id: db.Column(db.Integer, { primaryKey: true }),
  posts: db.relationship<Post>('Post', { lazy: 'writeOnly', backPopulates: 'blog' }),
}) {}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  blogId: db.Column(db.Integer, db.ForeignKey('blog.id')),
  blog: db.relationship<Blog>('Blog', { backPopulates: 'posts', uselist: false }),
}) {}

export async function writeOnly(tag: Tag, blog: Blog, post: Post): Promise<void> {
  expectType<Equal<Tag['posts'], WriteOnlyCollection<Post>>>();
  expectType<Equal<Blog['posts'], WriteOnlyCollection<Post>>>();
  const query: Query<Post> = tag.posts.select().filter(Post.title.like('a%'));
  const rows: Post[] = await query.all();
  const n: number = await blog.posts.count();
  blog.posts.add(post);
  blog.posts.addAll([post]);
  blog.posts.remove(post);
  // The other side stays a plain many-to-one.
  post.blog = blog;
  // A new object may be given its first members (written whole at its first flush).
  const fresh = new Blog({ posts: [post] });

  // @ts-expect-error a write-only collection is never iterated: query it with select()
  for (const p of tag.posts) console.log(p);
  // @ts-expect-error nor indexed
  console.log(blog.posts[0], blog.posts.length);
  // @ts-expect-error it holds Post objects
  blog.posts.add(tag);
  // @ts-expect-error loader options do not take it: it never loads
  blog.posts.select().options(joinedload(Blog.posts));
  console.log(rows, n, fresh);
}

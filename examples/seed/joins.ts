/**
 * Seed § Joining Queries.
 *
 *   # Get all posts by active users
 *   active_posts = db.session.query(Post).join(User).filter(User.is_active == True).all()
 *
 *   # Get users who have posted
 *   users_with_posts = User.query.join(Post).distinct().all()
 */
import type { Database } from '../../src/index.js';
import { blogModels, seedBlog } from './blog.js';

export async function joiningQueries(db: Database, log: (line: string) => void = console.log) {
  const models = blogModels(db);
  const { User, Post } = models;
  await seedBlog(db, models);

  // Get all posts by active users
  const active_posts = await db.session.query(Post).join(User).filter(User.isActive.eq(true)).all();
  log(`active_posts → ${active_posts.map((p) => p.title).join(', ')}`);

  // Get users who have posted
  const users_with_posts = await User.query.join(Post).distinct().all();
  log(`users_with_posts → ${users_with_posts.map((u) => u.username).join(', ')}`);

  // The same questions as EXISTS, following the relationships.
  const tagged = await User.query.filter(User.posts.any(Post.title.like('%news%'))).all();
  log(`users with a post about news → ${tagged.map((u) => u.username).join(', ')}`);
  const byActive = await db.session
    .query(Post)
    .filter(Post.author.has(User.isActive.eq(true)))
    .count();
  log(`posts whose author is active → ${byActive}`);

  return {
    activePosts: active_posts.map((p) => p.title).sort(),
    usersWithPosts: users_with_posts.map((u) => u.username).sort(),
    usersWithNews: tagged.map((u) => u.username).sort(),
    postsByActiveAuthors: byActive,
  };
}

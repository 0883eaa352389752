import { blogModels, seedBlog } from './blog.js';

const models = blogModels(db);
const { User, Post } = models;
await seedBlog(db, models); // carol is inactive; dave has no posts

// Get all posts by active users
const active_posts = await db.session.query(Post).join(User).filter(User.isActive.eq(true)).all();
console.log('active_posts', active_posts);

// Get users who have posted
const users_with_posts = await User.query.join(Post).distinct().all();
console.log('users_with_posts', users_with_posts);

// The same questions as EXISTS, following the relationships.
const tagged = await User.query.filter(User.posts.any(Post.title.like('%news%'))).all();
console.log('users with a post about news', tagged);
const byActive = await db.session.query(Post).filter(Post.author.has(User.isActive.eq(true))).count();
console.log('posts whose author is active', byActive);

import { blogModels, seedBlog } from './blog.js';

const models = blogModels(db); // User, Post, Tag, Profile as in the sections above
const { User } = models;
await seedBlog(db, models); // four users, four posts

// Lazy loading (default) - triggers a query per user
await measure('lazy', async () => {
  const users = await db.newSession().query(User).all();
  for (const user of users) {
    console.log(`${user.username}:`, (await user.posts).map((p) => p.title)); // Each access runs a new query
  }
});

// Eager loading - fetches everything in one go
await measure('joinedload', async () => {
  const users = await db.newSession().query(User).options(db.joinedload(User.posts)).all();
  for (const user of users) {
    console.log(`${user.username}:`, user.posts.map((p) => p.title)); // No extra queries
  }
});

// The same with a second query instead of a join: better for big collections.
await measure('selectinload', async () => {
  const users = await db.newSession().query(User).options(db.selectinload(User.posts)).all();
  console.log('titles', Object.fromEntries(users.map((u) => [u.username, u.posts.map((p) => p.title)])));
});

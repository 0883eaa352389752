/**
 * Seed § Eager vs Lazy Loading.
 *
 *   # Lazy loading (default) - triggers a query per user
 *   users = User.query.all()
 *   for user in users:
 *       print(user.posts)  # Each access runs a new query
 *
 *   # Eager loading - fetches everything in one go
 *   users = User.query.options(db.joinedload(User.posts)).all()
 *   for user in users:
 *       print(user.posts)  # No extra queries
 */
import type { Database } from '../../src/index.js';
import { blogModels, seedBlog } from './blog.js';

export async function lazyVersusEager(db: Database, log: (line: string) => void = console.log) {
  const models = blogModels(db);
  const { User } = models;
  await seedBlog(db, models);

  // Lazy loading (default) - triggers a query per user
  const lazy = await db.countQueries(async () => {
    const users = await db.newSession().query(User).all();
    for (const user of users) {
      log(`${user.username}: ${(await user.posts).map((p) => p.title).join(', ')}`); // Each access runs a new query
    }
  });
  log(`lazy: ${lazy} statements`);

  // Eager loading - fetches everything in one go
  const eager = await db.countQueries(async () => {
    const users = await db.newSession().query(User).options(db.joinedload(User.posts)).all();
    for (const user of users) {
      log(`${user.username}: ${user.posts.map((p) => p.title).join(', ')}`); // No extra queries
    }
  });
  log(`joinedload: ${eager} statement`);

  // The same with a second query instead of a join: better for big collections.
  let titles: Record<string, string[]> = {};
  const selectin = await db.countQueries(async () => {
    const users = await db.newSession().query(User).options(db.selectinload(User.posts)).all();
    titles = Object.fromEntries(users.map((u) => [u.username, u.posts.map((p) => p.title)]));
  });
  log(`selectinload: ${selectin} statements`);

  return { lazy, eager, selectin, titles };
}

/** A fresh blog schema (the seed's models together) on a test database. */
import { Database, type DatabaseOptions } from '../../src/index.js';
import { blogModels, seedBlog } from '../../examples/seed/blog.js';

export async function openBlog(url: string, options: DatabaseOptions & { seed?: boolean } = {}) {
  const db = new Database(url, { nPlusOne: 'off', ...options });
  const m = blogModels(db);
  await db.dropAll();
  if (options.seed === false) await db.createAll();
  else await seedBlog(db, m);
  return { db, ...m };
}

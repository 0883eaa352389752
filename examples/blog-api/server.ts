/**
 * `npm run example:api`: the blog API on http://127.0.0.1:3000 (PORT, HOST to change it).
 * The database is DATABASE_URL (`postgresql://…`, `mysql://…`, `sqlite:///path/blog.db`), else an
 * in-memory SQLite database. Its tables are created if missing and, when there are no users yet,
 * filled with the tutorial's blog.
 */
import { Database } from '../../src/index.js';
import { buildApp } from './app.js';
import { blogModels, seedBlog } from './models.js';

const url = process.env.DATABASE_URL || 'sqlite://';
const db = new Database(url);
const models = blogModels(db);
await db.createAll();
if ((await db.scope(() => models.User.query.count())) === 0) await seedBlog(db, models);

const app = buildApp(db, { models, logger: process.env.LOG !== 'off' });
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
console.log(`blog API on ${address} (database ${withoutPassword(url)}); try ${address}/users`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

function withoutPassword(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return databaseUrl;
  }
}

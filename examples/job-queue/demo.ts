/**
 * `npm run example:jobs`: 200 jobs, 8 workers at once, on DATABASE_URL (PostgreSQL or MariaDB; SQLite
 * has no row locks and is refused). Prints how many jobs each worker ran.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test npm run example:jobs
 */
import { Database } from '../../src/index.js';
import { jobQueueModels } from './models.js';
import { enqueue, work } from './queue.js';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const db = new Database(url, { pool: { max: 10 } });
const models = jobQueueModels(db);
try {
  await db.dropAll();
  await db.createAll();
  await enqueue(
    db,
    models,
    Array.from({ length: 200 }, (_, i) => `job-${i + 1}`),
  );
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
  const ran = await Promise.all(Array.from({ length: 8 }, (_, w) => work(db, models, `worker-${w + 1}`, pause)));
  ran.forEach((ids, w) => console.log(`worker-${w + 1}: ${ids.length} jobs`));
  const all = ran.flat();
  console.log(`${all.length} jobs run, ${new Set(all).size} distinct`);
} finally {
  await db.dropAll();
  await db.close();
}

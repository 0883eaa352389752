/**
 * A side connection to the library's database, outside the library under test: it prepares what
 * the write workloads need (untimed) and reads back what they wrote, for the result check.
 */
import { W3_FIRST_POST, W3_IDS, W3_USERS } from './workloads.js';
import type { AdapterContext } from './workloads.js';

export interface Probe {
  rows(sql: string): Promise<unknown[][]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function openProbe(ctx: AdapterContext): Promise<Probe> {
  if (ctx.db === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(ctx.target);
    db.pragma('busy_timeout = 5000');
    return {
      rows: async (sql) => db.prepare(sql).raw(true).all() as unknown[][],
      exec: async (sql) => {
        db.exec(sql);
      },
      close: async () => {
        db.close();
      },
    };
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ctx.target });
  await client.connect();
  return {
    rows: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
    exec: async (sql) => void (await client.query(sql)),
    close: () => client.end(),
  };
}

/** What W1 left behind (per new user: name, post count, first and last title), then removes it. */
export async function w1Result(p: Probe): Promise<unknown> {
  const rows = await p.rows(
    `SELECT u.name, u.email, COUNT(p.id), MIN(p.title), MAX(p.title), MIN(p.body) FROM users u JOIN posts p ON p.user_id = u.id
     WHERE u.name LIKE 'new user %' GROUP BY u.id, u.name, u.email ORDER BY u.name`,
  );
  const counts = await p.rows(`SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM posts)`);
  return { rows: rows.map((r) => r.map((v) => (typeof v === 'bigint' || typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v))), counts: counts[0]!.map(Number) };
}

export async function w1Cleanup(p: Probe): Promise<void> {
  await p.exec(`DELETE FROM posts WHERE user_id IN (SELECT id FROM users WHERE name LIKE 'new user %')`);
  await p.exec(`DELETE FROM users WHERE name LIKE 'new user %'`);
}

export async function w2Result(p: Probe): Promise<unknown> {
  return (await p.rows(`SELECT id, name FROM users ORDER BY id`)).map((r) => [Number(r[0]), r[1]]);
}

export async function w2Cleanup(p: Probe): Promise<void> {
  await p.exec(`UPDATE users SET name = 'user ' || id WHERE name <> 'user ' || id`);
}

/** Seeds the 100 users (10 posts each) that W3 deletes. */
export async function w3Seed(p: Probe): Promise<void> {
  const users = W3_IDS.map((id) => `(${id}, 'doomed ${id}', 'doomed${id}@example.com', NULL)`).join(', ');
  await p.exec(`INSERT INTO users (id, name, email, manager_id) VALUES ${users}`);
  const posts: string[] = [];
  let postId = W3_FIRST_POST;
  for (const id of W3_IDS) {
    for (let j = 0; j < W3_USERS.postsEach; j++) posts.push(`(${postId++}, ${id}, 'doomed post ${id}.${j}', 'body')`);
  }
  await p.exec(`INSERT INTO posts (id, user_id, title, body) VALUES ${posts.join(', ')}`);
}

export async function w3Result(p: Probe): Promise<unknown> {
  const first = W3_USERS.first;
  const last = first + W3_USERS.count - 1;
  const r = await p.rows(
    `SELECT (SELECT COUNT(*) FROM users WHERE id BETWEEN ${first} AND ${last}),
            (SELECT COUNT(*) FROM posts WHERE user_id BETWEEN ${first} AND ${last}),
            (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM posts)`,
  );
  return r[0]!.map(Number);
}

export async function w3Cleanup(p: Probe): Promise<void> {
  const first = W3_USERS.first;
  const last = first + W3_USERS.count - 1;
  await p.exec(`DELETE FROM posts WHERE user_id BETWEEN ${first} AND ${last}`);
  await p.exec(`DELETE FROM users WHERE id BETWEEN ${first} AND ${last}`);
}

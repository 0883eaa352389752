/**
 * The floor: the driver itself (better-sqlite3 or pg) with hand-written SQL, prepared statements,
 * rows as arrays, and objects nested by hand. Every other library is measured as a ratio to this.
 */
import { createRequire } from 'node:module';
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

type Row = unknown[];
interface Conn {
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<void>;
  tx<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

async function connect(ctx: AdapterContext): Promise<{ conn: Conn; version: string }> {
  if (ctx.db === 'sqlite') {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(ctx.target);
    db.pragma('journal_mode = WAL');
    const cache = new Map<string, import('better-sqlite3').Statement>();
    const prep = (sql: string) => {
      let s = cache.get(sql);
      if (!s) cache.set(sql, (s = db.prepare(sql)));
      return s;
    };
    const conn: Conn = {
      all: async (sql, params = []) => prep(sql).raw(true).all(...params) as Row[],
      run: async (sql, params = []) => {
        prep(sql).run(...params);
      },
      tx: async (fn) => {
        db.exec('BEGIN');
        try {
          const r = await fn();
          db.exec('COMMIT');
          return r;
        } catch (e) {
          db.exec('ROLLBACK');
          throw e;
        }
      },
      close: async () => {
        db.close();
      },
    };
    return { conn, version: `better-sqlite3 ${pkgVersion('better-sqlite3')}` };
  }
  const pg = require('pg') as typeof import('pg');
  const client = new pg.Client({ connectionString: ctx.target });
  await client.connect();
  const names = new Map<string, string>();
  const toPg = (sql: string) => {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  };
  const query = async (sql: string, params: unknown[] = []) => {
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `s${names.size}`));
    // Named (prepared) statements, like better-sqlite3's cache; very long IN lists are run unnamed.
    const text = toPg(sql);
    return client.query({ text, values: params, rowMode: 'array', ...(params.length <= 1000 ? { name } : {}) });
  };
  const conn: Conn = {
    all: async (sql, params) => (await query(sql, params)).rows as Row[],
    run: async (sql, params) => void (await query(sql, params)),
    tx: async (fn) => {
      await client.query('BEGIN');
      try {
        const r = await fn();
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    },
    close: () => client.end(),
  };
  return { conn, version: `pg ${pkgVersion('pg')}` };
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

interface User {
  id: number;
  name: string;
  email: string | null;
  managerId: number | null;
  posts: Post[];
  manager?: User | null;
}
interface Post {
  id: number;
  userId: number;
  title: string;
  body: string | null;
  author?: User;
}

const USER_COLS = 'u.id, u.name, u.email, u.manager_id';
const POST_COLS = 'p.id, p.user_id, p.title, p.body';
const user = (r: Row, o = 0): User => ({ id: r[o] as number, name: r[o + 1] as string, email: r[o + 2] as string | null, managerId: r[o + 3] as number | null, posts: [] });
const post = (r: Row, o = 0): Post => ({ id: r[o] as number, userId: r[o + 1] as number, title: r[o + 2] as string, body: r[o + 3] as string | null });

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const { conn, version } = await connect(ctx);

  /** Users, then their posts with one IN query, nested through a Map. */
  async function usersWithPosts(users: User[]): Promise<User[]> {
    if (users.length === 0) return users;
    const byId = new Map<number, User>();
    for (const u of users) byId.set(u.id, u);
    const rows = await conn.all(`SELECT ${POST_COLS} FROM posts p WHERE p.user_id IN (${marks(users.length)})`, users.map((u) => u.id));
    for (const r of rows) byId.get(r[1] as number)!.posts.push(post(r));
    return users;
  }

  const allUsers = async () => (await conn.all(`SELECT ${USER_COLS} FROM users u`)).map((r) => user(r));
  const pageUsers = async () => (await conn.all(`SELECT ${USER_COLS} FROM users u ORDER BY u.id LIMIT ? OFFSET ?`, [PAGE.limit, PAGE.offset])).map((r) => user(r));
  const r1selectin = async () => usersWithPosts(await allUsers());

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': async () => {
      const rows = await conn.all(`SELECT ${USER_COLS}, ${POST_COLS} FROM users u LEFT OUTER JOIN posts p ON p.user_id = u.id`);
      const byId = new Map<number, User>();
      const out: User[] = [];
      for (const r of rows) {
        let u = byId.get(r[0] as number);
        if (!u) {
          byId.set(r[0] as number, (u = user(r)));
          out.push(u);
        }
        if (r[4] !== null) u.posts.push(post(r, 4));
      }
      return out;
    },
    'R1-selectin': r1selectin,
    'R2-page': async () => usersWithPosts(await pageUsers()),
    'R3-lazy': async () => {
      const out: [User, Post[]][] = [];
      for (const u of await pageUsers()) {
        out.push([u, (await conn.all(`SELECT ${POST_COLS} FROM posts p WHERE p.user_id = ?`, [u.id])).map((r) => post(r))]);
      }
      return out;
    },
    'R3-eager': async () => usersWithPosts(await pageUsers()),
    'R4-by-id': async () => {
      const out: User[] = [];
      for (const id of LOOKUP_IDS) out.push(user((await conn.all(`SELECT ${USER_COLS} FROM users u WHERE u.id = ?`, [id]))[0]!));
      return out;
    },
    'R4-many-to-one': async () => {
      const out: Post[] = [];
      for (const id of LOOKUP_POST_IDS) {
        const r = (await conn.all(`SELECT ${POST_COLS}, ${USER_COLS} FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id = ?`, [id]))[0]!;
        const p = post(r);
        p.author = user(r, 4);
        out.push(p);
      }
      return out;
    },
    'R4-self-ref': async () => {
      const out: User[] = [];
      for (const id of LOOKUP_MANAGED_IDS) {
        const r = (await conn.all(`SELECT ${USER_COLS}, m.id, m.name, m.email, m.manager_id FROM users u LEFT OUTER JOIN users m ON m.id = u.manager_id WHERE u.id = ?`, [id]))[0]!;
        const u = user(r);
        u.manager = r[4] === null ? null : user(r, 4);
        out.push(u);
      }
      return out;
    },
    'R5-two-levels': async () => {
      const invoices = (await conn.all(`SELECT id, customer_id, invoice_date, total FROM invoices`)).map((r) => ({
        id: r[0] as number,
        customerId: r[1] as number,
        invoiceDate: r[2] as string,
        total: r[3] as number,
        lines: [] as unknown[],
      }));
      const byId = new Map(invoices.map((i) => [i.id, i]));
      const tracks = new Map<number, unknown>();
      const rows = await conn.all(
        `SELECT l.id, l.invoice_id, l.track_id, l.unit_price, l.quantity, t.id, t.name, t.album_id, t.genre_id, t.composer, t.milliseconds, t.unit_price
         FROM invoice_lines l JOIN tracks t ON t.id = l.track_id WHERE l.invoice_id IN (${marks(invoices.length)})`,
        invoices.map((i) => i.id),
      );
      for (const r of rows) {
        let t = tracks.get(r[5] as number);
        if (!t) {
          t = { id: r[5], name: r[6], albumId: r[7], genreId: r[8], composer: r[9], milliseconds: r[10], unitPrice: r[11] };
          tracks.set(r[5] as number, t);
        }
        byId.get(r[1] as number)!.lines.push({ id: r[0], invoiceId: r[1], trackId: r[2], unitPrice: r[3], quantity: r[4], track: t });
      }
      return invoices;
    },
    'R6-many-to-many': async () => {
      const playlists = (await conn.all(`SELECT id, name FROM playlists`)).map((r) => ({ id: r[0] as number, name: r[1] as string | null, tracks: [] as unknown[] }));
      const byId = new Map(playlists.map((p) => [p.id, p]));
      const tracks = new Map<number, unknown>();
      const rows = await conn.all(
        `SELECT pt.playlist_id, t.id, t.name, t.album_id, t.genre_id, t.composer, t.milliseconds, t.unit_price
         FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id WHERE pt.playlist_id IN (${marks(playlists.length)})`,
        playlists.map((p) => p.id),
      );
      for (const r of rows) {
        let t = tracks.get(r[1] as number);
        if (!t) {
          t = { id: r[1], name: r[2], albumId: r[3], genreId: r[4], composer: r[5], milliseconds: r[6], unitPrice: r[7] };
          tracks.set(r[1] as number, t);
        }
        byId.get(r[0] as number)!.tracks.push(t);
      }
      return playlists;
    },
    'R7-identity-map': async () => {
      await r1selectin();
      return r1selectin();
    },
    'W1-insert': async ({ newUsers }) =>
      conn.tx(async () => {
        const ids: number[] = [];
        const perUsers = 10_000;
        for (let i = 0; i < newUsers.length; i += perUsers) {
          const chunk = newUsers.slice(i, i + perUsers);
          const rows = await conn.all(`INSERT INTO users (name, email) VALUES ${chunk.map(() => '(?, ?)').join(', ')} RETURNING id`, chunk.flatMap((u) => [u.name, u.email]));
          // RETURNING order is not guaranteed: generated keys ascend in insertion order.
          ids.push(...rows.map((r) => Number(r[0])).sort((a, b) => a - b));
        }
        const posts: unknown[][] = [];
        newUsers.forEach((u, i) => u.posts.forEach((p) => posts.push([ids[i], p.title, p.body])));
        const per = 10_000;
        for (let i = 0; i < posts.length; i += per) {
          const chunk = posts.slice(i, i + per);
          await conn.run(`INSERT INTO posts (user_id, title, body) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, chunk.flat());
        }
      }),
    'W2-update': async ({ tag }) => {
      const users = await allUsers();
      await conn.tx(async () => {
        for (const u of users) {
          if (u.id % 10 !== 0) continue;
          u.name = w2Name(u.id, tag);
          await conn.run(`UPDATE users SET name = ? WHERE id = ?`, [u.name, u.id]);
        }
      });
    },
    'W3-delete-cascade': async () =>
      conn.tx(async () => {
        // ON DELETE CASCADE removes the posts.
        await conn.run(`DELETE FROM users WHERE id IN (${marks(W3_IDS.length)})`, W3_IDS);
      }),
  };
  return {
    name: 'raw',
    version,
    ops,
    notes: { 'W3-delete-cascade': 'one DELETE; the foreign key\'s ON DELETE CASCADE removes the posts' },
    close: () => conn.close(),
  };
}

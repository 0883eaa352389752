/**
 * query.stream() and engine.stream(): rows read in batches from a cursor (PostgreSQL DECLARE/FETCH,
 * MySQL row streaming, SQLite stepping), objects through the identity map batch by batch with their
 * eager loads (one selectin statement per batch), joined collections kept whole across batches,
 * early break and errors releasing the cursor and connection, the session's other work during a
 * stream (allowed on PostgreSQL, refused at once on SQLite and MySQL), bounded objects with
 * expunge, and many sessions streaming at once.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  ArgumentError,
  ConnectionBusyError,
  Database,
  StreamClosedError,
  joinedload,
  selectColumns,
  selectinload,
  text,
  withCount,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, describePgBouncer, itOn } from '../support/databases.js';

function models(db: Database) {
  class User extends db.Model(
    'User',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      score: db.Column(db.Integer, { nullable: false }),
      posts: db.relationship<Post>('Post', { backPopulates: 'user', orderBy: () => [Post.id] }),
    },
    { tableName: 'st_user' },
  ) {}
  class Post extends db.Model(
    'Post',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      userId: db.Column(db.Integer, db.ForeignKey('st_user.id'), { nullable: false }),
      title: db.Column(db.String(40), { nullable: false }),
      user: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
    },
    { tableName: 'st_post' },
  ) {}
  class Item extends db.Model(
    'Item',
    { id: db.Column(db.Integer, { primaryKey: true }), n: db.Column(db.Integer, { nullable: false }) },
    { tableName: 'st_item' },
  ) {}
  class Person extends db.Model(
    'Person',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      type: db.Column(db.String(20), { nullable: false }),
      name: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'st_person', polymorphicOn: 'type', polymorphicIdentity: 'person' },
  ) {}
  class Employee extends db.Model(
    'Employee',
    {
      id: db.Column(db.Integer, db.ForeignKey('st_person.id'), { primaryKey: true }),
      salary: db.Column(db.Integer),
    },
    { tableName: 'st_employee', inherits: Person, polymorphicIdentity: 'employee' },
  ) {}
  class Customer extends db.Model(
    'Customer',
    { discount: db.Column(db.Integer) },
    { inherits: Person, polymorphicIdentity: 'customer' },
  ) {}
  return { User, Post, Item, Person, Employee, Customer };
}

/** A filter true for every item but n = `n`, where a scalar subquery finds many rows: an error on PostgreSQL and MySQL. */
const failsAt = (n: number) => text(`(SELECT u.id FROM st_user u WHERE st_item.n = ${n}) IS NULL`);

/** Users 1..USERS; user i has i % 4 posts; score i % 7 (many users share a score). */
const USERS = 1200;
const ITEMS = 50_000;
const postsOf = (i: number) => i % 4;

describeEachDialect('streaming results', (t) => {
  const it = itOn(t);
  let db: Database;
  let m: ReturnType<typeof models>;

  beforeAll(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off', pool: { max: 12 } });
    m = models(db);
    await db.dropAll();
    await db.createAll();
    const s = db.newSession();
    const users = Array.from({ length: USERS }, (_, k) => ({ id: k + 1, name: `u${k + 1}`, score: (k + 1) % 7 }));
    await s.execute(db.insert(m.User).values(users));
    const posts: { id: number; userId: number; title: string }[] = [];
    for (const u of users)
      for (let j = 0; j < postsOf(u.id); j++)
        posts.push({ id: posts.length + 1, userId: u.id, title: `p${u.id}.${j}` });
    await s.execute(db.insert(m.Post).values(posts));
    for (let k = 0; k < ITEMS; k += 10_000) {
      await s.execute(
        db.insert(m.Item).values(Array.from({ length: 10_000 }, (_, j) => ({ id: k + j + 1, n: k + j }))),
      );
    }
    for (let i = 1; i <= 30; i++) {
      const name = `p${String(i).padStart(2, '0')}`;
      s.add(
        i % 3 === 0
          ? new m.Employee({ name, salary: i * 10 })
          : i % 3 === 1
            ? new m.Customer({ name, discount: i })
            : new m.Person({ name }),
      );
    }
    await s.commit();
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  /** Every pooled connection is free: as many sessions as the pool has connections each hold a transaction at once. */
  async function everyConnectionFree(): Promise<void> {
    // In-memory SQLite has one connection; PgBouncer (RELATA_PG_URL through it) eight server connections.
    const n = t.dialect === 'sqlite' ? 1 : t.behindPooler ? 8 : 12;
    const sessions = Array.from({ length: n }, () => db.newSession());
    await Promise.all(sessions.map((s) => s.begin()));
    await Promise.all(sessions.map((s) => s.rollback()));
  }

  /** Statements (kind 'statement') run by fn, and every event including FETCH/CLOSE. */
  async function record(fn: () => Promise<void>): Promise<{ statements: StatementEvent[]; all: StatementEvent[] }> {
    const all: StatementEvent[] = [];
    const off = db.onStatement((e) => all.push(e));
    try {
      await fn();
    } finally {
      off();
    }
    return { statements: all.filter((e) => e.kind === 'statement'), all };
  }

  it('streams every object in order, in batches, as one SELECT', async () => {
    const s = db.newSession();
    const ids: number[] = [];
    const { statements, all } = await record(async () => {
      for await (const u of s.query(m.User).orderBy(m.User.id.desc()).stream({ batchSize: 100 })) ids.push(u.id);
    });
    expect(ids).toEqual(Array.from({ length: USERS }, (_, k) => USERS - k));
    expect(statements).toHaveLength(1);
    expect(statements[0]!.sql).toMatch(/^SELECT .* ORDER BY .* DESC$/);
    if (t.dialect === 'postgres') {
      // A real cursor: 12 full FETCHes and one that finds the end, then CLOSE in the stream's own transaction.
      expect(all.filter((e) => e.sql.startsWith('FETCH FORWARD 100'))).toHaveLength(13);
      const control = all.map((e) => e.sql).filter((q) => /^(BEGIN|COMMIT|CLOSE)/.test(q));
      expect(control).toHaveLength(3);
      expect(control[0]).toBe('BEGIN');
      expect(control[1]).toMatch(/^CLOSE "relata_cursor_\d+"$/);
      expect(control[2]).toBe('COMMIT');
    }
    // Through the identity map: the same objects a later get() returns, without SQL.
    const n = await db.countQueries(async () => {
      expect((await s.get(m.User, 5))!.name).toBe('u5');
    });
    expect(n).toBe(0);
  });

  it('selectin eager loads run once per batch: one IN statement per batch of 200 parents', async () => {
    const s = db.newSession();
    const seen: [number, string[]][] = [];
    const { statements } = await record(async () => {
      const q = s.query(m.User).orderBy(m.User.id).options(selectinload(m.User.posts));
      for await (const u of q.stream({ batchSize: 200 })) seen.push([u.id, u.posts.map((p) => p.title)]);
    });
    expect(statements).toHaveLength(1 + USERS / 200);
    expect(statements.slice(1).every((e) => / IN \(/.test(e.sql))).toBe(true);
    expect(seen).toHaveLength(USERS);
    expect(seen[6]).toEqual([7, ['p7.0', 'p7.1', 'p7.2']]);
    expect(seen.every(([id, titles]) => titles.length === postsOf(id))).toBe(true);
  });

  it('a joined collection keeps each parent whole across batches (ordered by the parent key after the query order)', async () => {
    const s = db.newSession();
    const seen: [number, number, number][] = [];
    const { statements } = await record(async () => {
      // score is shared by many users: without the key added to ORDER BY their rows could interleave.
      const q = s.query(m.User).orderBy(m.User.score).options(joinedload(m.User.posts));
      for await (const u of q.stream({ batchSize: 7 })) seen.push([u.score, u.id, u.posts.length]);
    });
    expect(statements).toHaveLength(1);
    expect(seen).toHaveLength(USERS);
    expect(new Set(seen.map(([, id]) => id)).size).toBe(USERS);
    expect(seen.every(([, id, n]) => n === postsOf(id))).toBe(true);
    const order = seen.map(([score, id]) => score * 10_000 + id);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('a polymorphic query streams each row as its class, joined subclass columns loaded per batch', async () => {
    const s = db.newSession();
    const seen: string[] = [];
    const { statements } = await record(async () => {
      for await (const p of s.query(m.Person).orderBy(m.Person.name).stream({ batchSize: 4 })) {
        if (p instanceof m.Employee) seen.push(`${p.name}:employee:${p.salary}`);
        else if (p instanceof m.Customer) seen.push(`${p.name}:customer:${p.discount}`);
        else seen.push(`${p.name}:person`);
      }
    });
    expect(seen).toHaveLength(30);
    expect(seen.slice(0, 3)).toEqual(['p01:customer:1', 'p02:person', 'p03:employee:30']);
    // The SELECT, then one SELECT of the employee table per batch of 4 (each holds an employee).
    expect(statements).toHaveLength(1 + Math.ceil(30 / 4));
  });

  it('a joined collection under LIMIT/OFFSET streams the paged parents whole', async () => {
    const s = db.newSession();
    const seen: [number, number][] = [];
    const q = s
      .query(m.User)
      .orderBy(m.User.score, m.User.name)
      .options(joinedload(m.User.posts))
      .offset(10)
      .limit(100);
    for await (const u of q.stream({ batchSize: 9 })) seen.push([u.id, u.posts.length]);
    const expected = await db.newSession().query(m.User).orderBy(m.User.score, m.User.name).offset(10).limit(100).all();
    expect(seen.map(([id]) => id)).toEqual(expected.map((u) => u.id));
    expect(seen.every(([id, n]) => n === postsOf(id))).toBe(true);
  });

  it('aggregates are loaded per batch too', async () => {
    const s = db.newSession();
    const counts: number[] = [];
    const { statements } = await record(async () => {
      const q = s.query(m.User).filter(m.User.id.le(300)).orderBy(m.User.id).options(withCount(m.User.posts));
      for await (const u of q.stream({ batchSize: 100 })) counts.push(u.postsCount);
    });
    expect(statements).toHaveLength(1 + 3);
    expect(counts).toEqual(Array.from({ length: 300 }, (_, k) => postsOf(k + 1)));
  });

  it('breaking out early closes the cursor and gives the connection back (30 breaks, then every pooled connection is free)', async () => {
    for (let i = 0; i < 30; i++) {
      const s = db.newSession();
      let n = 0;
      for await (const u of s.query(m.Item).orderBy(m.Item.id).stream({ batchSize: 50 })) {
        expect(u.id).toBe(++n);
        if (n === 75) break;
      }
      expect(n).toBe(75);
    }
    await everyConnectionFree();
  });

  it('on PostgreSQL the cursor is gone after a break inside the session transaction (pg_cursors)', async () => {
    if (t.dialect !== 'postgres') return;
    const s = db.newSession();
    await s.begin();
    for await (const u of s.query(m.Item).stream({ batchSize: 10 })) if (u.id >= 1) break;
    const conn = await s.transaction();
    expect((await conn.execute({ sql: 'SELECT name FROM pg_cursors', params: [] })).rows).toEqual([]);
    await s.rollback();
  });

  it('an error mid-stream surfaces and releases everything', async () => {
    const s = db.newSession();
    const seen: number[] = [];
    // A scalar subquery that finds many rows fails only for n = 250, after rows were already handed out
    // (no ORDER BY: a sort would read every row before the first one is sent). SQLite takes the first row.
    const q = s.query(m.Item).filter(failsAt(250));
    let error: unknown;
    try {
      for await (const u of q.stream({ batchSize: 100 })) seen.push(u.n);
    } catch (err) {
      error = err;
    }
    if (t.dialect === 'sqlite') {
      expect(error).toBeUndefined();
      expect(seen).toHaveLength(ITEMS - 1);
    } else {
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(/more than one row|more than 1 row/i);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, k) => k));
    }
    // The session and the pool are fine afterwards.
    expect(await s.query(m.User).filter(m.User.id.eq(1)).count()).toBe(1);
    await everyConnectionFree();
  });

  it('a stream inside a failed transaction requires rollback, as any statement does', async () => {
    if (t.dialect === 'sqlite') return; // SQLite's scalar subquery takes the first row: no error
    const s = db.newSession();
    await s.begin();
    const q = s.query(m.Item).filter(failsAt(5));
    await expect(async () => {
      for await (const _ of q.stream({ batchSize: 3 })) void _;
    }).rejects.toThrow();
    await expect(s.query(m.User).count()).rejects.toThrow(/rollback/);
    await s.rollback();
    expect(await s.query(m.User).count()).toBe(USERS);
  });

  it("the session's reads and writes during a stream: PostgreSQL and MySQL run both, SQLite the reads only", async () => {
    const s = db.newSession();
    const titles: number[] = [];
    const run = async () => {
      for await (const u of s.query(m.User).orderBy(m.User.id).stream({ batchSize: 10 })) {
        const posts = await u.posts; // a lazy load: a second statement mid-stream
        titles.push(posts.length);
        u.name = `renamed${posts.length}`;
        await s.flush(); // a write mid-stream
        if (u.id === 3) break;
      }
    };
    if (t.dialect === 'sqlite') {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionBusyError);
      expect((err as Error).message).toMatch(/SQLite writes nothing on a connection while it reads a result/);
      expect(titles).toEqual([1]); // the lazy load ran; the flush was refused before anything was sent
      // A refused flush is a failed flush: the session requires rollback, as after any flush error.
      await expect(s.query(m.User).count()).rejects.toThrow(/rollback/);
      await s.rollback();
      expect(await s.query(m.User).count()).toBe(USERS);
      return;
    }
    await run();
    expect(titles).toEqual([1, 2, 3]);
    await s.commit();
    const check = db.newSession();
    expect((await check.get(m.User, 3))!.name).toBe('renamed3');
    for (const id of [1, 2, 3])
      await check.execute(
        db
          .update(m.User)
          .where(m.User.id.eq(id))
          .values({ name: `u${id}` }),
      );
    await check.commit();
  });

  it('on MySQL a stream inside the session transaction refuses other statements at once (no deadlock)', async () => {
    if (t.dialect !== 'mysql') return;
    const s = db.newSession();
    await s.begin();
    const run = async () => {
      for await (const u of s.query(m.User).orderBy(m.User.id).stream({ batchSize: 10 })) await u.posts;
    };
    await expect(run()).rejects.toThrow(/MySQL runs one statement at a time per connection/);
    // Eager loads need a statement mid-stream too: refused the same way.
    await expect(async () => {
      for await (const _ of s.query(m.User).options(selectinload(m.User.posts)).stream()) void _;
    }).rejects.toThrow(ConnectionBusyError);
    expect(await s.query(m.User).count()).toBe(USERS);
    await s.rollback();
  });

  it('commit or rollback while a stream runs in the session transaction ends it with StreamClosedError', async () => {
    const s = db.newSession();
    await s.begin();
    let n = 0;
    const run = async () => {
      for await (const _ of s.query(m.Item).orderBy(m.Item.id).stream({ batchSize: 10 })) {
        if (++n === 5) await s.rollback();
      }
    };
    await expect(run()).rejects.toThrow(StreamClosedError);
    expect(n).toBe(10); // the rest of the batch in hand, then the error
    expect(await s.query(m.User).count()).toBe(USERS);
  });

  it('expunge: true holds about one batch of objects however many rows stream (50,000 rows, batches of 500)', async () => {
    const s = db.newSession();
    let most = 0;
    let n = 0;
    let sum = 0;
    let kept: InstanceType<typeof m.Item> | null = null;
    for await (const item of s.query(m.Item).orderBy(m.Item.id).stream({ batchSize: 500, expunge: true })) {
      n++;
      sum += item.n;
      if (item.id === 777) {
        item.n = -1; // changed: stays in the session and is flushed
        kept = item;
      }
      most = Math.max(most, s.size);
    }
    expect(n).toBe(ITEMS);
    expect(sum).toBe((ITEMS * (ITEMS - 1)) / 2);
    expect(most).toBeLessThanOrEqual(501);
    expect(s.size).toBe(1);
    await s.commit();
    expect(kept!.n).toBe(-1);
    const check = db.newSession();
    expect((await check.get(m.Item, 777))!.n).toBe(-1);
    await check.execute(db.update(m.Item).where(m.Item.id.eq(777)).values({ n: 776 }));
    await check.commit();
  });

  it('without expunge every streamed object stays in the identity map, as all() keeps them', async () => {
    const s = db.newSession();
    for await (const _ of s.query(m.User).stream({ batchSize: 300 })) void _;
    expect(s.size).toBe(USERS);
  });

  it('many sessions stream at once, each on its own connection, each seeing every row (counted from a second connection)', async () => {
    const probe = new Database(t.url);
    // Connections of this database busy with a stream, as the server sees them (not the probe's own).
    const busySql =
      t.dialect === 'postgres'
        ? 'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL'
        : "SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND <> 'Sleep'";
    const busy = async () => Number((await probe.engine.execute({ sql: busySql, params: [] })).rows[0]![0]);
    let streaming = true;
    let most = 0;
    const watch = (async () => {
      if (t.dialect === 'sqlite') return;
      while (streaming) {
        most = Math.max(most, await busy());
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const tasks = Array.from({ length: 8 }, async (_, k) => {
      const s = db.newSession();
      let n = 0;
      let sum = 0;
      const q = s.query(m.User).orderBy(m.User.id).options(selectinload(m.User.posts));
      for await (const u of q.stream({ batchSize: 50 + k })) {
        n++;
        sum += u.posts.length;
        if (n % 200 === 0) await new Promise((r) => setTimeout(r, 3)); // let the others interleave
      }
      return [n, sum];
    });
    const results = await Promise.all(tasks);
    streaming = false;
    await watch;
    let expected = 0;
    for (let i = 1; i <= USERS; i++) expected += postsOf(i);
    expect(results).toEqual(Array.from({ length: 8 }, () => [USERS, expected]));
    if (t.dialect === 'postgres') expect(most).toBeGreaterThanOrEqual(2); // cursors open side by side
    // (MySQL finishes a small result on the server as soon as it fits the socket buffers: not countable there.)
    if (t.dialect !== 'sqlite') {
      expect(most).toBeLessThanOrEqual(12); // within the pool
      expect(await busy()).toBe(0); // and every one was closed
    }
    await probe.close();
  });

  it('engine.stream() and connection.stream() yield positional rows; a non-SELECT and a bad batchSize are refused', async () => {
    const rows: unknown[][] = [];
    const firstThree = selectColumns(m.User.id, m.User.name).with({
      where: m.User.id.le(3),
      orderBy: [m.User.id.asc()],
    });
    for await (const row of db.engine.stream(firstThree, { batchSize: 2 })) rows.push(row);
    expect(rows).toEqual([
      [1, 'u1'],
      [2, 'u2'],
      [3, 'u3'],
    ]);
    const conn = await db.engine.connect();
    try {
      let n = 0;
      for await (const _ of conn.stream(selectColumns(m.Item.id), { batchSize: 1000 })) if (++n === 1500) break;
      expect(n).toBe(1500);
      // The connection is usable again after the break.
      const two = selectColumns(m.User.id).with({ where: m.User.id.eq(2) });
      expect((await conn.execute(two)).rows).toEqual([[2]]);
    } finally {
      conn.release();
    }
    await expect(async () => {
      for await (const _ of db.engine.stream(db.update(m.Item).where(m.Item.id.eq(0)).values({ n: 0 }).toNode()))
        void _;
    }).rejects.toThrow(/stream\(\) reads the rows of a SELECT, not of an UPDATE/);
    expect(() => db.newSession().query(m.User).stream({ batchSize: 0 })).toThrow(ArgumentError);
    expect(() => db.newSession().query(m.User).stream({ batchSize: 0 })).toThrow(
      /User query stream\(\): option batchSize must be a positive integer/,
    );
    expect(() =>
      db
        .newSession()
        .query(m.User)
        .stream({ yield_per: 10 } as never),
    ).toThrow(/spelled 'batchSize'/);
    await expect(async () => {
      for await (const _ of db.engine.stream(selectColumns(m.User.id), { batchSize: 1.5 })) void _;
    }).rejects.toThrow(/batchSize must be a positive integer, got 1.5/);
  });
});

describePgBouncer('streaming through PgBouncer in transaction mode', (t) => {
  const it = itOn(t);

  it('cursors live in their transaction, so six sessions stream at once through a server pool of eight', async () => {
    const db = new Database(t.url, { nPlusOne: 'off', pool: { max: 6 } });
    try {
      const { Item } = models(db);
      await db.dropAll();
      await db.createAll();
      const s = db.newSession();
      await s.execute(db.insert(Item).values(Array.from({ length: 3000 }, (_, j) => ({ id: j + 1, n: j }))));
      await s.commit();
      const sums = await Promise.all(
        Array.from({ length: 6 }, async (_, k) => {
          let sum = 0;
          for await (const item of db
            .newSession()
            .query(Item)
            .orderBy(Item.id)
            .stream({ batchSize: 100 + k })) {
            sum += item.n;
            if (item.id % 500 === 0) await new Promise((r) => setTimeout(r, 2));
          }
          return sum;
        }),
      );
      expect(sums).toEqual(Array.from({ length: 6 }, () => (3000 * 2999) / 2));
      await db.dropAll();
    } finally {
      await db.close();
    }
  });
});

/**
 * Issue 10, case by case: every session's work is its own under concurrency. Each test reproduces one
 * way sessions used to lose or mix work, and counts what the database holds from a connection of the
 * raw driver (on an in-memory SQLite database, which nothing else can open, from a new session).
 */
import { afterEach, expect } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  Database,
  InvalidRequestError,
  OperationalError,
  PendingRollbackError,
  type DatabaseOptions,
  type Session,
} from '../../src/index.js';
import { describeEachDialect, itOn, type TestDatabase } from '../support/databases.js';
import { columnOutside, queryOutside, sqliteFileUrl } from '../support/outside.js';
import { openBlog } from '../support/blog.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describeEachDialect('Sessions under concurrency', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });

  /** The URLs to run a test on: SQLite twice (a file, and in memory), a server once. */
  const targets = (): { url: string; memory: boolean }[] =>
    t.dialect === 'sqlite'
      ? [
          { url: sqliteFileUrl(), memory: false },
          { url: 'sqlite://', memory: true },
        ]
      : [{ url: t.url, memory: false }];

  async function notes(url: string, options: DatabaseOptions = {}) {
    const db = new Database(url, { nPlusOne: 'off', ...options });
    open.push(db);
    class Note extends db.Model('Note', {
      id: db.Column(db.Integer, { primaryKey: true }),
      body: db.Column(db.String(100), { nullable: false, unique: true }),
    }) {}
    await db.dropAll();
    await db.createAll();
    return { db, Note };
  }

  /** The note bodies the database holds: from outside, or on a connection of its own for an in-memory database. */
  async function bodies(target: { url: string; memory: boolean }, db: Database, table = 'note'): Promise<string[]> {
    if (!target.memory) return columnOutside(t.dialect, target.url, table, 'body');
    const { rows } = await db.engine.execute({ sql: `SELECT body FROM "${table}"`, params: [] });
    return rows.map((r) => String(r[0])).sort();
  }

  it('1. two sessions, two transactions: a commits, b rolls back, and each keeps its own work', async () => {
    for (const target of targets()) {
      const { db, Note } = await notes(target.url);
      const a = db.newSession();
      const b = db.newSession();
      a.add(new Note({ body: 'x' }));
      await a.flush();
      // b never sees a's uncommitted row: on a server or a SQLite file it reads the last commit; in
      // memory (one connection, which a's transaction holds) its read waits until a has committed.
      const bSaw = b.query(Note).all();
      if (!target.memory) expect(await bSaw).toEqual([]);
      else expect(await settled(bSaw, 100)).toBe(false);
      b.add(new Note({ body: 'y' }));
      const bFlushed = b.flush(); // SQLite has one writer: b's transaction waits for a's to end
      await a.commit();
      await bFlushed;
      await b.rollback();
      if (target.memory) expect((await bSaw).map((n) => n.body)).toEqual(['x']);
      expect(await bodies(target, db)).toEqual(['x']);
    }
  });

  it('1. SQLite: a second writer waits for the first, and a timeout says why', async () => {
    if (t.dialect !== 'sqlite') return;
    for (const target of targets()) {
      const { db, Note } = await notes(target.url, { pool: { acquireTimeoutMs: 300 } });
      const a = db.newSession();
      a.add(new Note({ body: 'first' }));
      await a.flush();
      const b = db.newSession();
      b.add(new Note({ body: 'second' }));
      const started = Date.now();
      const err = await b.flush().catch((e: unknown) => e);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(err).toBeInstanceOf(OperationalError);
      expect((err as OperationalError).retryable).toBe(true);
      expect((err as Error).message).toMatch(
        target.memory
          ? /timed out after 300 ms waiting for the in-memory SQLite database: it has one connection, and another session's open transaction holds it/
          : /timed out after 300 ms waiting to write to SQLite database .*another session of this process has a write transaction open/,
      );
      await a.commit();
      await b.rollback();
      b.add(new Note({ body: 'second' }));
      await b.commit();
      expect(await bodies(target, db)).toEqual(['first', 'second']);
    }
  });

  it('SQLite: a loop of transactions lets timers run (better-sqlite3 never waits on I/O, so Relata yields)', async () => {
    if (t.dialect !== 'sqlite') return;
    for (const target of targets()) {
      const { db, Note } = await notes(target.url);
      let timerFired = false;
      setTimeout(() => (timerFired = true), 50);
      const giveUp = Date.now() + 5000; // only so a regression fails instead of hanging
      let done = 0;
      while (!timerFired && Date.now() < giveUp) {
        await db.transaction(async (s) => s.add(new Note({ body: `n${done}` })));
        done++;
      }
      expect(timerFired).toBe(true);
      expect(done).toBeGreaterThan(0);
    }
  });

  it('1. a session dropped with its transaction open (after a bulk statement) holds nothing once collected', async () => {
    for (const target of targets()) {
      const { db, Note } = await notes(target.url, { pool: { max: 1, acquireTimeoutMs: 10_000 } });
      await (async () => {
        const dropped = db.newSession();
        await dropped.execute(db.insert(Note).values({ body: 'never committed' }));
        // `dropped` goes out of scope here, its transaction open: no commit, no rollback, no close.
      })();
      const later = db.newSession();
      later.add(new Note({ body: 'committed later' }));
      // The dropped session holds the only pooled connection (and on SQLite the write lock) until it is collected.
      const committing = later.commit();
      for (let i = 0; i < 50 && !(await settled(committing)); i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      await committing;
      expect(await bodies(target, db)).toEqual(['committed later']);
    }
  });

  it('3. commit() while a flush runs waits for it: the whole unit of work is committed, nothing left open', async () => {
    const { db, Note } = await notes(t.url);
    class Child extends db.Model('Child', {
      id: db.Column(db.Integer, { primaryKey: true }),
      body: db.Column(db.String(100), { nullable: false }),
      note_id: db.Column(db.Integer, db.ForeignKey('note.id'), { nullable: false }),
      note: db.relationship<InstanceType<typeof Note>>('Note', { backref: 'children', uselist: false }),
    }) {}
    await db.createAll();
    const s = db.newSession();
    for (let i = 0; i < 3000; i++) {
      const parent = new Note({ body: `parent ${i}` });
      s.add(parent);
      s.add(new Child({ body: `child ${i}`, note: parent }));
    }
    const flushing = s.flush();
    const committing = s.commit(); // called while the flush is in flight
    await Promise.all([flushing, committing]);
    expect(s.inTransaction).toBe(false);
    expect(await bodies({ url: t.url, memory: t.dialect === 'sqlite' }, db)).toHaveLength(3000);
    expect(await bodies({ url: t.url, memory: t.dialect === 'sqlite' }, db, 'child')).toHaveLength(3000);
    await db.dropAll(); // the child table would keep later tests from dropping note
    if (t.dialect === 'postgres') {
      const idle = await columnOutsideCount(
        t,
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()",
      );
      expect(idle).toBe(0);
    }
  });

  it('3. objects added and values changed while a flush runs are written by the next flush', async () => {
    for (const target of targets()) {
      const { db, Note } = await notes(target.url);
      const seed = db.newSession();
      seed.add(new Note({ body: 'loaded' }));
      await seed.commit();
      const s = db.newSession();
      const loaded = (await s.query(Note).one())!;
      loaded.body = 'changed before';
      const fresh = new Note({ body: 'new' });
      s.add(fresh);
      const late = new Note({ body: 'added during' });
      let during = false;
      const off = db.onStatement((e) => {
        // After the flush's first INSERT: it has taken its objects and written the UPDATE of `loaded`.
        if (during || !/^INSERT/.test(e.sql)) return;
        during = true;
        s.add(late);
        loaded.body = 'changed during';
        fresh.body = 'new, changed during';
      });
      await s.flush();
      off();
      expect(during).toBe(true);
      expect(s.isDirty).toBe(true);
      await s.commit();
      expect(s.isDirty).toBe(false);
      expect(await bodies(target, db)).toEqual(['added during', 'changed during', 'new, changed during']);
    }
  });

  it('3. an item added to a new object’s collection while its flush runs is written by the next flush', async () => {
    const blog = await openBlog(t.url, { seed: false });
    open.push(blog.db);
    const s = blog.db.newSession();
    const erin = new blog.User({ username: 'erin', posts: [new blog.Post({ title: 'first' })] });
    s.add(erin);
    let during = false;
    const off = blog.db.onStatement((e) => {
      if (during || !/^INSERT/.test(e.sql)) return;
      during = true; // the user row is written; its posts not yet
      (erin.posts as InstanceType<typeof blog.Post>[]).push(new blog.Post({ title: 'pushed during' }));
    });
    await s.commit();
    off();
    expect(during).toBe(true);
    const rows = await queryOutsideOrSession(
      t,
      blog.db,
      'SELECT p.title, u.username FROM post p JOIN "user" u ON u.id = p.user_id',
    );
    expect(rows.sort()).toEqual([
      ['first', 'erin'],
      ['pushed during', 'erin'],
    ]);
  });

  it('an error from deep inside a flush keeps the caller’s line in its stack', async () => {
    const { db, Note } = await notes(t.url);
    const s = db.newSession();
    s.addAll([new Note({ body: 'twice' }), new Note({ body: 'twice' })]);
    const err = (await s.commit().catch((e: unknown) => e)) as Error;
    expect(err.stack).toMatch(/concurrency\.test\.ts:\d+/); // this very test, past a dozen of Relata's frames
    await s.rollback();
  });

  it('4. after a failed flush, get() of a loaded object raises PendingRollbackError until rollback()', async () => {
    const { db, Note } = await notes(t.url);
    const s = db.newSession();
    s.add(new Note({ body: 'taken' }));
    await s.commit();
    const loaded = (await s.query(Note).one())!;
    s.add(new Note({ body: 'taken' }));
    await expect(s.flush()).rejects.toThrow();
    await expect(s.get(Note, loaded.id)).rejects.toBeInstanceOf(PendingRollbackError);
    await expect(s.get(Note, loaded.id)).rejects.toBeInstanceOf(PendingRollbackError); // sticky
    await s.rollback();
    expect(await s.get(Note, loaded.id)).toBe(loaded);
  });

  it('4. a bulk statement that fails inside the transaction: commit() refuses, and nothing of it is written', async () => {
    for (const target of targets()) {
      const { db, Note } = await notes(target.url);
      const s = db.newSession();
      await s.execute(db.insert(Note).values({ body: 'first' }));
      await expect(s.execute(db.insert(Note).values({ body: 'first' }))).rejects.toThrow(); // unique
      await expect(s.commit()).rejects.toBeInstanceOf(PendingRollbackError);
      await expect(s.commit()).rejects.toBeInstanceOf(PendingRollbackError);
      await s.rollback();
      expect(await bodies(target, db)).toEqual([]);
      await s.execute(db.insert(Note).values({ body: 'after rollback' }));
      await s.commit();
      expect(await bodies(target, db)).toEqual(['after rollback']);
    }
  });

  it('4. MariaDB lock wait timeout (1205) / PostgreSQL lock timeout: the rest of the transaction is not committed', async () => {
    if (t.dialect === 'sqlite') return;
    const { db, Note } = await notes(t.url);
    const seed = db.newSession();
    seed.add(new Note({ body: 'contended' }));
    await seed.commit();
    const id = (await db.newSession().query(Note).one()).id;
    const holder = db.newSession();
    await holder.execute(db.update(Note).where(Note.id.eq(id)).values({ body: 'held' }));
    const s = db.newSession();
    await s.begin();
    const timeout =
      t.dialect === 'mysql' ? 'SET SESSION innodb_lock_wait_timeout = 1' : "SET LOCAL lock_timeout = '300ms'";
    await (await s.transaction()).execute({ sql: timeout, params: [] });
    await s.execute(db.insert(Note).values({ body: 'before the timeout' }));
    const err = await s
      .execute(db.update(Note).where(Note.id.eq(id)).values({ body: 'waited' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    if (t.dialect === 'mysql') {
      expect((err as OperationalError).errno).toBe(1205);
      expect((err as OperationalError).retryable).toBe(true);
    } else {
      expect((err as OperationalError).sqlState).toBe('55P03');
    }
    await expect(s.commit()).rejects.toBeInstanceOf(PendingRollbackError);
    await s.rollback();
    await holder.rollback();
    expect(await columnOutside(t.dialect, t.url, 'note', 'body')).toEqual(['contended']);
  });

  it('4. a failed COMMIT restores objects as rollback() does, and a second commit() raises PendingRollbackError', async () => {
    if (t.dialect === 'mysql') return; // no deferred constraints in MySQL: see the killed-connection case below
    for (const target of targets()) {
      const db = new Database(target.url, { nPlusOne: 'off' });
      open.push(db);
      class Item extends db.Model('Item', {
        id: db.Column(db.Integer, { primaryKey: true }),
        body: db.Column(db.String(100), { nullable: false }),
        owner_id: db.Column(db.Integer),
      }) {}
      // A foreign key checked at COMMIT, not at INSERT: the transaction fails only when it commits.
      const q = '"';
      for (const sql of [
        `DROP TABLE IF EXISTS ${q}item${q}`,
        `DROP TABLE IF EXISTS ${q}owner${q}`,
        `CREATE TABLE ${q}owner${q} (id INTEGER PRIMARY KEY)`,
        `CREATE TABLE ${q}item${q} (id ${t.dialect === 'postgres' ? 'SERIAL' : 'INTEGER'} PRIMARY KEY, body VARCHAR(100) NOT NULL, ` +
          `owner_id INTEGER REFERENCES ${q}owner${q} (id) DEFERRABLE INITIALLY DEFERRED)`,
      ])
        await db.engine.execute({ sql, params: [] });
      const s = db.newSession();
      s.add(new Item({ body: 'kept', owner_id: null }));
      await s.commit();
      const kept = (await s.query(Item).one())!;
      kept.body = 'renamed';
      const orphan = new Item({ body: 'orphan', owner_id: 42 });
      s.add(orphan);
      const err = await s.commit().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/foreign key/i);
      // As rollback() would leave them: the new object transient without a key, the changed one as committed.
      expect(orphan.id).toBeNull();
      expect(kept.body).toBe('kept');
      expect(s.isDirty).toBe(false);
      await expect(s.commit()).rejects.toBeInstanceOf(PendingRollbackError);
      await s.rollback();
      expect(await bodies(target, db, 'item')).toEqual(['kept']);
      kept.body = 'renamed after';
      await s.commit();
      expect(await bodies(target, db, 'item')).toEqual(['renamed after']);
    }
  });

  it('4. a connection lost before COMMIT: commit() fails (retryable), objects restored, rollback required', async () => {
    if (t.dialect === 'sqlite') return;
    const { db, Note } = await notes(t.url, { pool: { max: 2 } });
    const s = db.newSession();
    s.add(new Note({ body: 'lost' }));
    await s.flush();
    const conn = await s.transaction();
    const idSql = t.dialect === 'postgres' ? 'SELECT pg_backend_pid()' : 'SELECT CONNECTION_ID()';
    const backend = (await conn.execute({ sql: idSql, params: [] })).rows[0]![0];
    const kill = t.dialect === 'postgres' ? `SELECT pg_terminate_backend(${backend})` : `KILL ${backend}`;
    // From a direct connection: behind a pooler, a kill sent through it could land on the victim itself.
    await queryOutside(t.dialect, t.directUrl, kill);
    await new Promise((r) => setTimeout(r, 200)); // let the client see the socket close
    const err = await s.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/lost/);
    await expect(s.commit()).rejects.toBeInstanceOf(PendingRollbackError);
    await s.rollback();
    expect(await columnOutside(t.dialect, t.url, 'note', 'body')).toEqual([]);
  });

  it('6. an error raised in the driver itself (a parameter it cannot send) destroys the connection: nothing hangs', async () => {
    const { db } = await notes(t.url, { pool: { max: 1, acquireTimeoutMs: 3000 } });
    const conn = await db.engine.connect();
    // A boxed number: mysql2 fails while writing the packet; what the others do with it does not matter here.
    await conn
      .execute({ sql: t.dialect === 'postgres' ? 'SELECT $1::int AS x' : 'SELECT ? AS x', params: [new Number(1)] })
      .catch(() => undefined);
    conn.release();
    const next = await withDeadline(db.engine.execute({ sql: 'SELECT 1', params: [] }), 3000);
    expect(next.rows).toEqual([[1]]);
    await withDeadline(db.close(), 3000);
  });

  it('a session whose scope ended refuses further use instead of starting a transaction nobody ends', async () => {
    const { db, Note } = await notes(t.url);
    let leaked: Session | null = null;
    await db.scope(async (session) => {
      leaked = session;
      expect(db.session).toBe(session);
      session.add(new Note({ body: 'not committed' }));
      await session.flush();
    });
    expect(db.session).not.toBe(leaked);
    expect(leaked!.size).toBe(0);
    await expect(leaked!.query(Note).all()).rejects.toBeInstanceOf(InvalidRequestError);
    expect(() => leaked!.add(new Note({ body: 'late' }))).toThrow(/db.scope\(\), which has ended/);
    expect(await db.newSession().query(Note).count()).toBe(0);
  });
});

/** Whether `p` settles within `ms`. */
async function settled(p: Promise<unknown>, ms = 0): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)),
  ]);
}

async function columnOutsideCount(t: TestDatabase, sql: string): Promise<number> {
  return Number((await queryOutside(t.dialect, t.url, sql))[0]![0]);
}

/** Rows of a query, from outside; an in-memory database (the sqlite test URL) only has its own connection. */
async function queryOutsideOrSession(t: TestDatabase, db: Database, sql: string): Promise<unknown[][]> {
  const text = t.dialect === 'mysql' ? sql.replace(/"/g, '`') : sql;
  if (t.dialect === 'sqlite') return (await db.engine.execute({ sql: text, params: [] })).rows;
  return queryOutside(t.dialect, t.url, text);
}

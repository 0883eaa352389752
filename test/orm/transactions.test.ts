/**
 * Transactions as a server runs them: begin() with an isolation level or read-only, db.transaction()
 * with its retries, errors that say whether a retry is safe (deadlocks, lock timeouts, a busy SQLite
 * file), and a connection lost while COMMIT is in flight, whose outcome nobody can know.
 */
import BetterSqlite3 from 'better-sqlite3';
import net from 'node:net';
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  CommitOutcomeUnknownError,
  Database,
  DatabaseError,
  InvalidRequestError,
  OperationalError,
  isRetryable,
  type DatabaseOptions,
} from '../../src/index.js';
import { sqliteFilename } from '../../src/engine/url.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { columnOutside, queryOutside, sqliteFileUrl } from '../support/outside.js';

describeEachDialect('Transactions', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  const proxies: net.Server[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    for (const p of proxies.splice(0)) p.close();
  });
  /** A file on SQLite (so a second connection can look), the test database on a server. */
  const url = () => (t.dialect === 'sqlite' ? sqliteFileUrl() : t.url);

  async function counters(dbUrl: string, options: DatabaseOptions = {}) {
    const db = new Database(dbUrl, { nPlusOne: 'off', ...options });
    open.push(db);
    class Counter extends db.Model(
      'Counter',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        body: db.Column(db.String(100), { nullable: false }),
        n: db.Column(db.Integer, { nullable: false, default: 0 }),
        version: db.Column(db.Integer, { nullable: false }),
      },
      { versionId: 'version' },
    ) {}
    await db.dropAll();
    await db.createAll();
    return { db, Counter };
  }

  it('begin({ isolation, readOnly }) reaches the database; a read-only transaction refuses writes', async () => {
    const dbUrl = url();
    const { db, Counter } = await counters(dbUrl);
    await db.transaction(async (s) => s.add(new Counter({ body: 'one' })));
    const s = db.newSession();
    await s.begin({ isolation: 'serializable', readOnly: true });
    expect((await s.query(Counter).all()).map((c) => c.body)).toEqual(['one']);
    const conn = await s.transaction();
    if (t.dialect === 'postgres') {
      const show = async (what: string) => (await conn.execute({ sql: `SHOW ${what}`, params: [] })).rows[0]![0];
      expect(await show('transaction_isolation')).toBe('serializable');
      expect(await show('transaction_read_only')).toBe('on');
    } else if (t.dialect === 'mysql') {
      const { rows } = await conn.execute({
        sql: 'SELECT trx_isolation_level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()',
        params: [],
      });
      expect(rows).toEqual([['SERIALIZABLE']]);
    }
    const err = await s.execute(db.insert(Counter).values({ body: 'two', version: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toMatch(/read.?only/i);
    await s.rollback();
    // The next transaction on the same connection is a normal one again.
    await db.transaction(async (s2) => s2.add(new Counter({ body: 'two' })));
    expect(await columnOutsideOr(dbUrl, db, 'counter', 'body')).toEqual(['one', 'two']);
  });

  it('an expired version column is read again before the UPDATE or DELETE that checks it', async () => {
    const { db, Counter } = await counters(url());
    await db.transaction(async (s) => {
      s.add(new Counter({ body: 'a' }));
      s.add(new Counter({ body: 'b' }));
    });
    const s = db.newSession();
    const [a, b] = await s.query(Counter).orderBy(Counter.body).all();
    // Someone else changes both rows: their versions move on.
    await db.transaction(async (o) => {
      for (const c of await o.query(Counter).all()) c.n += 10;
    });
    s.expire(a!);
    a!.body = 'a2';
    const events = await db.recordQueries(() => s.commit());
    const sql = events.map((e) => e.sql).filter((x) => /^(SELECT|UPDATE)/.test(x));
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatch(/^SELECT .*version.* FROM .counter. WHERE/);
    expect(sql[1]).toMatch(/^UPDATE .counter. SET/);
    // Not expired, b's stale version still makes its write fail: optimistic locking is kept.
    s.expire(b!, ['body']);
    b!.body = 'b2';
    await expect(s.commit()).rejects.toThrow(/UPDATE of .* matched no row/);
    await s.rollback();
    const check = await db.newSession().query(Counter).orderBy(Counter.body).all();
    expect(check.map((c) => [c.body, c.n, c.version])).toEqual([
      ['a2', 10, 3],
      ['b', 10, 2],
    ]);
    // Deleting an expired object checks the version the database holds now.
    const d = db.newSession();
    const gone = (await d.query(Counter).filterBy({ body: 'a2' }).one())!;
    d.expire(gone);
    await d.delete(gone);
    await d.commit();
    expect(await db.newSession().query(Counter).count()).toBe(1);
  });

  it('options are checked before anything runs', async () => {
    const { db } = await counters(url());
    const s = db.newSession();
    await expect(s.begin({ isolation: 'snapshot' as never })).rejects.toBeInstanceOf(ArgumentError);
    await expect(db.transaction(async () => undefined, { retires: 3 } as never)).rejects.toThrow(
      /unknown option 'retires'/,
    );
    await expect(db.transaction(async () => undefined, { isolation: 'chaos' as never })).rejects.toThrow(
      /unknown isolation level 'chaos'/,
    );
    await s.begin();
    await expect(s.begin({ isolation: 'serializable' })).rejects.toBeInstanceOf(InvalidRequestError);
    await s.rollback();
  });

  it('db.transaction(): db.session is its session, it commits on success, rolls back and rethrows on error', async () => {
    const dbUrl = url();
    const { db, Counter } = await counters(dbUrl);
    let calls = 0;
    const made = await db.transaction(async (s) => {
      expect(db.session).toBe(s);
      const c = new Counter({ body: 'kept' });
      db.session.add(c);
      return c;
    });
    expect(made.id).toEqual(expect.any(Number));
    const err = await db
      .transaction(async (s) => {
        calls++;
        s.add(new Counter({ body: 'thrown away' }));
        await s.flush();
        throw new Error('the handler failed');
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('the handler failed');
    expect(calls).toBe(1); // not a retryable error: run once
    expect(await columnOutsideOr(dbUrl, db, 'counter', 'body')).toEqual(['kept']);
  });

  it('a deadlock is a retryable error, and db.transaction() runs the loser again until both commit', async () => {
    if (t.dialect === 'sqlite') return; // one writer at a time: SQLite cannot deadlock
    const { db, Counter } = await counters(t.url);
    await db.transaction(async (s) => s.addAll([new Counter({ body: 'a' }), new Counter({ body: 'b' })]));
    const [a, b] = (await db.newSession().query(Counter).orderBy(Counter.id).all()).map((c) => c.id);
    const retried: Error[] = [];
    const arrived = new Set<string>();
    let bothArrived!: () => void;
    const barrier = new Promise<void>((r) => (bothArrived = r));
    const bump = (name: string, first: number, second: number) =>
      db.transaction(
        async (s) => {
          const x = (await s.get(Counter, first))!;
          x.n += 1;
          await s.flush(); // row `first` locked
          if (!arrived.has(name)) {
            arrived.add(name);
            if (arrived.size === 2) bothArrived();
            await barrier; // both hold one lock: each now waits for the other's
          }
          const y = (await s.get(Counter, second))!;
          y.n += 1;
        },
        { retries: 5, onRetry: (e) => retried.push(e) },
      );
    await Promise.all([bump('one', a!, b!), bump('two', b!, a!)]);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    const deadlock = retried.find((e) => e instanceof OperationalError) as OperationalError;
    expect(deadlock.retryable).toBe(true);
    if (t.dialect === 'postgres') expect(deadlock.sqlState).toBe('40P01');
    else expect(deadlock.errno).toBe(1213);
    expect(isRetryable(deadlock)).toBe(true);
    const rows = await queryOutside(t.dialect, t.url, 'SELECT n FROM counter ORDER BY id');
    expect(rows.map((r) => Number(r[0]))).toEqual([2, 2]); // each transaction applied once, none lost
  });

  it('SQLite: a file busy in another process waits on timers (the event loop runs), then is a retryable SQLITE_BUSY', async () => {
    if (t.dialect !== 'sqlite') return;
    const dbUrl = url();
    const { db, Counter } = await counters(dbUrl, { pool: { acquireTimeoutMs: 300 } });
    const other = new BetterSqlite3(sqliteFilename(dbUrl)); // as another process would hold it
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const s = db.newSession();
    s.add(new Counter({ body: 'waits' }));
    const started = Date.now();
    const err = await s.flush().catch((e: unknown) => e);
    clearInterval(ticker);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(ticks).toBeGreaterThan(5); // never a synchronous busy wait
    expect(err).toBeInstanceOf(OperationalError);
    expect(err).toMatchObject({ errno: 5, driverCode: 'SQLITE_BUSY', retryable: true });
    expect((err as Error).message).toMatch(/stayed busy for 300 ms/);
    await s.rollback();
    // db.transaction() retries it; the other connection lets go meanwhile.
    setTimeout(() => other.exec('COMMIT'), 200);
    await db.transaction(async (s2) => s2.add(new Counter({ body: 'retried' })), { retries: 10 });
    other.close();
    expect(await columnOutside('sqlite', dbUrl, 'counter', 'body')).toEqual(['retried']);
  });

  it('a connection lost while COMMIT is in flight: CommitOutcomeUnknownError, never retried, whatever happened', async () => {
    if (t.dialect === 'sqlite') return;
    for (const lose of ['the COMMIT', 'its answer'] as const) {
      const proxy = await commitLosingProxy(t.url, lose);
      proxies.push(proxy.server);
      const { db, Counter } = await counters(proxy.url, { pool: { max: 2 } });
      let calls = 0;
      proxy.armed = true;
      const err = await db
        .transaction(
          async (s) => {
            calls++;
            s.add(new Counter({ body: lose === 'its answer' ? 'answer lost' : 'request lost' }));
          },
          { retries: 5 },
        )
        .catch((e: unknown) => e);
      proxy.armed = false;
      expect(err).toBeInstanceOf(CommitOutcomeUnknownError);
      expect((err as CommitOutcomeUnknownError).retryable).toBe(false);
      expect((err as Error).message).toMatch(/may or may not have been committed/);
      expect(calls).toBe(1);
      // Losing the COMMIT itself: nothing was committed; losing only the answer: it was. The error is the same.
      const stored = await columnOutside(t.dialect, t.url, 'counter', 'body');
      expect(stored).toEqual(lose === 'its answer' ? ['answer lost'] : []);
      await db.close();
    }
  });
});

/** The values of a column, from outside on a file or a server. */
async function columnOutsideOr(dbUrl: string, db: Database, table: string, column: string): Promise<string[]> {
  const dialect = db.engine.dialect.name;
  return columnOutside(dialect, dbUrl, table, column);
}

/**
 * A TCP proxy to the test server that, once armed, loses the first COMMIT it sees (never forwards
 * it) or forwards it and loses the server's answer: either way the client's connection dies while
 * COMMIT is in flight.
 */
async function commitLosingProxy(
  serverUrl: string,
  lose: 'the COMMIT' | 'its answer',
): Promise<{ server: net.Server; url: string; armed: boolean }> {
  const target = new URL(serverUrl);
  const state = { server: null as unknown as net.Server, url: '', armed: false };
  state.server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    let committing = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (state.armed && chunk.includes('COMMIT')) {
        if (lose === 'the COMMIT') return cut();
        committing = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (committing) return cut(); // the server answered COMMIT: the client never hears it
      client.write(chunk);
    });
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  const via = new URL(serverUrl);
  via.port = String((state.server.address() as net.AddressInfo).port);
  state.url = via.toString();
  return state;
}

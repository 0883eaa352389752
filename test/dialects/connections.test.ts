/**
 * The server drivers' pools and connection faults, on real servers: a size limit with an acquire
 * deadline, connections killed mid-transaction or while idle, connections released mid-transaction.
 */
import { afterEach, expect } from 'vitest';
import { Database, OperationalError, func, type Session } from '../../src/index.js';
import { Select } from '../../src/sql/selectable.js';
import { describeEachDialect, itOn, type DialectName } from '../support/databases.js';

describeEachDialect('Server connections', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });
  const database = (options: ConstructorParameters<typeof Database>[1] = {}) => {
    const d = new Database(t.url, { nPlusOne: 'off', ...options });
    open.push(d);
    return d;
  };

  async function withNotes(db: Database) {
    class Note extends db.Model('Note', {
      id: db.Column(db.Integer, { primaryKey: true }),
      body: db.Column(db.String(100), { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    return Note;
  }

  it('pool: at most max connections; the next acquire fails after acquireTimeoutMs, and works again once one is released', async () => {
    if (t.dialect === 'sqlite') return; // one shared connection, no pool
    const db = database({ pool: { max: 2, acquireTimeoutMs: 300 } });
    const a = await db.engine.connect();
    const b = await db.engine.connect();
    const start = Date.now();
    const err = await db.engine.connect().catch((e: unknown) => e);
    const waited = Date.now() - start;
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(
      /timed out after 300 ms waiting for a (PostgreSQL|MySQL) connection.*all 2 pooled connections are in use/,
    );
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3000);
    // A waiter gets the connection released before its deadline.
    const waiting = db.engine.connect();
    setTimeout(() => a.release(), 50);
    const c = await waiting;
    c.release();
    b.release();
    // Many sessions, two connections: they queue, none fails.
    const Note = await withNotes(db);
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const s = db.newSession();
        s.add(new Note({ body: `n${i}` }));
        await s.commit();
      }),
    );
    expect(await db.newSession().query(Note).count()).toBe(6);
  });

  it('a connection killed mid-transaction: OperationalError, no silent reconnect, destroyed and never reused', async () => {
    if (t.dialect === 'sqlite') return;
    const db = database({ pool: { max: 1, acquireTimeoutMs: 5000 } });
    const Note = await withNotes(db);
    const s = db.newSession();
    s.add(new Note({ body: 'lost' }));
    await s.flush();
    const pid = await backendId(s, t.dialect);
    await kill(t.directUrl, t.dialect, pid);
    const err = await s
      .query(Note)
      .all()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/connection to (PostgreSQL|MySQL) was lost/);
    // Still inside the dead transaction: fails again, never runs on a fresh connection behind the user's back.
    await expect(s.query(Note).all()).rejects.toThrow(/lost/);
    await s.rollback();
    // The pool has one slot: the dead connection was destroyed and a new one opened.
    const again = db.newSession();
    await again.begin();
    expect(await backendId(again, t.dialect)).not.toBe(pid);
    expect(await again.query(Note).count()).toBe(0); // the flushed row died with its transaction
    again.add(new Note({ body: 'kept' }));
    await again.commit();
    expect(await db.newSession().query(Note).count()).toBe(1);
  });

  it('an idle pooled connection killed by the server: no crash, the next query opens a new one', async () => {
    if (t.dialect === 'sqlite') return;
    const db = database({ pool: { max: 1, acquireTimeoutMs: 5000 } });
    const Note = await withNotes(db);
    const s = db.newSession();
    await s.begin();
    const pid = await backendId(s, t.dialect);
    await s.commit(); // back to the pool, idle
    await kill(t.directUrl, t.dialect, pid);
    await new Promise((r) => setTimeout(r, 300)); // let the client see the socket close
    expect(await db.newSession().query(Note).count()).toBe(0);
    const s2 = db.newSession();
    await s2.begin();
    expect(await backendId(s2, t.dialect)).not.toBe(pid);
    await s2.rollback();
  });

  it('a connection released mid-transaction is rolled back before anyone else gets it', async () => {
    if (t.dialect === 'sqlite') return;
    const db = database({ pool: { max: 1, acquireTimeoutMs: 5000 } });
    const Note = await withNotes(db);
    const q = t.dialect === 'mysql' ? '`' : '"';
    const conn = await db.engine.connect();
    await conn.begin();
    await conn.execute({ sql: `INSERT INTO ${q}note${q} (${q}body${q}) VALUES ('half-done')`, params: [] });
    conn.release(); // no commit, no rollback
    const s = db.newSession();
    await s.begin(); // same physical connection (max 1): BEGIN must not nest into the abandoned transaction
    expect(await s.query(Note).count()).toBe(0);
    await s.commit();
    expect(await db.newSession().query(Note).count()).toBe(0);
  });

  it('PostgreSQL: COMMIT after a failed statement is an error, not a silent rollback', async () => {
    if (t.dialect !== 'postgres') return;
    const db = database();
    await withNotes(db);
    const conn = await db.engine.connect();
    try {
      await conn.begin();
      await conn.execute({ sql: `INSERT INTO "note" ("body") VALUES ('x')`, params: [] });
      await expect(conn.execute({ sql: 'SELECT 1/0', params: [] })).rejects.toThrow(/division by zero/);
      await expect(conn.commit()).rejects.toThrow(
        /COMMIT was refused: an earlier statement in this transaction failed/,
      );
    } finally {
      conn.release();
    }
    expect((await db.engine.execute({ sql: 'SELECT count(*) FROM "note"', params: [] })).rows[0]?.[0]).toBe(0);
  });

  it('an unreachable server is an OperationalError naming the server, without the password', async () => {
    if (t.dialect === 'sqlite') return;
    const url = t.dialect === 'postgres' ? 'postgresql://u:s3cret@127.0.0.1:1/x' : 'mysql://u:s3cret@127.0.0.1:1/x';
    const db = new Database(url, { pool: { acquireTimeoutMs: 3000 } });
    open.push(db);
    const err = await db.engine.execute({ sql: 'SELECT 1', params: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/cannot connect to (PostgreSQL|MySQL) at .*127\.0\.0\.1:1/);
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('close() ends connections that sessions still hold instead of waiting for them', async () => {
    if (t.dialect === 'sqlite') return;
    const db = new Database(t.url, { pool: { max: 2 } });
    const s = db.newSession();
    await s.begin();
    const closed = await Promise.race([
      db.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('hung'), 5000)),
    ]);
    expect(closed).toBe('closed');
  });

  it('PostgreSQL: a statement run twice is prepared under a name on a direct connection, never behind a pooler; the URL can turn that off', async () => {
    if (t.dialect !== 'postgres') return;
    const lookupSql = 'SELECT $1::int + 1 AS n';
    /** The statements prepared on the connection, read in the same transaction so a pooler cannot switch backends. */
    const prepared = async (url: string) => {
      const db = new Database(url);
      const conn = await db.engine.connect();
      try {
        await conn.begin();
        const lookup = { sql: lookupSql, params: [41] };
        for (let i = 0; i < 3; i++) expect((await conn.execute(lookup)).rows).toEqual([[42]]);
        const { rows } = await conn.execute({ sql: 'SELECT name, statement FROM pg_prepared_statements', params: [] });
        await conn.rollback();
        return rows.map((r) => ({ name: r[0], statement: r[1] }));
      } finally {
        conn.release();
        await db.close();
      }
    };
    // Direct: named on its second run, with this process's tag, so speed is kept where names are safe.
    expect(await prepared(t.directUrl)).toEqual([
      { name: expect.stringMatching(/^relata_\w+$/), statement: lookupSql },
    ]);
    // Behind a transaction pooler the next transaction may run on another backend: nothing is named.
    if (t.behindPooler) expect(await prepared(t.url)).toEqual([]);
    const sep = t.directUrl.includes('?') ? '&' : '?';
    expect(await prepared(`${t.directUrl}${sep}prepared_statement_cache_size=0`)).toEqual([]);
    expect(() => new Database(`${t.directUrl}${sep}prepared_statement_cache_size=lots`)).toThrow(
      /prepared_statement_cache_size 'lots'.*expected a whole number/,
    );
  });

  it('PostgreSQL: a prepared statement outlived by ALTER TABLE is prepared again, not an error', async () => {
    if (t.dialect !== 'postgres') return;
    const db = database({ pool: { max: 1 } }); // one connection: the one holding the stale statement
    const Note = await withNotes(db);
    const s = db.newSession();
    s.add(new Note({ body: 'kept' }));
    await s.commit();
    const read = async () => (await db.newSession().query(Note).all()).map((n) => n.body);
    expect(await read()).toEqual(['kept']);
    expect(await read()).toEqual(['kept']); // now prepared
    // The result type changes under the prepared plan: PostgreSQL refuses to reuse it (0A000).
    await db.engine.execute({ sql: `ALTER TABLE ${Note.__table__.name} ALTER COLUMN body TYPE text`, params: [] });
    expect(await read()).toEqual(['kept']);
    expect(await read()).toEqual(['kept']);
    // Inside transactions too, every time (a stale name must not come back: pg would skip its Parse).
    for (let i = 0; i < 4; i++) {
      const inTransaction = db.newSession();
      await inTransaction.begin();
      expect((await inTransaction.query(Note).all()).map((n) => n.body)).toEqual(['kept']);
      await inTransaction.commit();
    }
  });
});

/** The server's id for the session's connection (pg_backend_pid / CONNECTION_ID). */
async function backendId(s: Session, dialect: DialectName): Promise<number> {
  // func's index signature is possibly undefined under noUncheckedIndexedAccess.
  const fn = dialect === 'postgres' ? func.pg_backend_pid!() : func.connection_id!();
  const rows = await s.execute(new Select({ columns: [fn.label('id')] }));
  return Number(rows[0]!.id);
}

/** Kills a server connection from another one, as an operator or a failover would. `url` must bypass any pooler. */
async function kill(url: string, dialect: DialectName, id: number): Promise<void> {
  const admin = new Database(url);
  try {
    const sql = dialect === 'postgres' ? 'SELECT pg_terminate_backend($1)' : `KILL ${Number(id)}`;
    await admin.engine.execute({ sql, params: dialect === 'postgres' ? [id] : [] });
  } finally {
    await admin.close();
  }
}

/**
 * PostgreSQL's SQLSTATE 08P01 (protocol violation) answers one message the driver sent; the server
 * keeps the connection. It must not be reported as a lost connection, nor make the pool drop it.
 */
import { afterEach, expect } from 'vitest';
import { Database, OperationalError, ProgrammingError, type DatabaseError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Protocol violations', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('08P01 is a ProgrammingError on a connection that stays usable, in and out of a transaction', async () => {
    if (t.dialect !== 'postgres') return; // a PostgreSQL SQLSTATE
    db = new Database(t.url, { nPlusOne: 'off', pool: { max: 1 } });
    // 65,536 parameters: the Bind message's 16-bit count wraps to 0, which the server refuses (08P01).
    // Sent to the driver directly, below the engine's own check that would refuse it unsent.
    const n = 65_536;
    const sql = `SELECT 1 WHERE 1 IN (${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(',')})`;
    const params = Array.from({ length: n }, (_, i) => i);
    const conn = await db.engine.connect();
    const pid = async () => (await conn.execute({ sql: 'SELECT pg_backend_pid()', params: [] })).rows[0]![0];
    const before = await pid();
    for (const inTransaction of [false, true]) {
      if (inTransaction) await conn.begin();
      const err = (await conn.raw
        .execute(sql, params, { returnsRows: true })
        .catch((e: unknown) => e)) as DatabaseError;
      expect(err).toBeInstanceOf(ProgrammingError);
      expect(err).not.toBeInstanceOf(OperationalError);
      expect([err.sqlState, err.retryable]).toEqual(['08P01', false]);
      expect(err.message).toMatch(/protocol violation/);
      expect(err.message).not.toMatch(/connection .* was lost/);
      expect(conn.raw.usable).toBe(true);
      if (inTransaction) await conn.rollback();
      expect(await pid()).toBe(before); // the same backend answers the next statement
    }
    conn.release();
    // The pool kept it: the next checkout (pool of one) is the same backend, and the Database works.
    const again = await db.engine.connect();
    expect((await again.execute({ sql: 'SELECT pg_backend_pid()', params: [] })).rows[0]![0]).toBe(before);
    again.release();
    expect((await db.engine.execute({ sql: 'SELECT 42', params: [] })).rows).toEqual([[42]]);
  });
});

/**
 * Several statements in one SQL text (a migration's op.execute of a script): PostgreSQL runs them all
 * and the result is the last one's rows; SQLite and MySQL refuse the text before running any of it,
 * with an error that says so. What ran is what the result or the error says.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { DatabaseError, Engine, ProgrammingError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('several statements in one text', (t) => {
  const it = itOn(t);
  let engine: Engine;
  beforeAll(async () => {
    if (t.skipReason) return;
    engine = new Engine(t.url);
    await engine.execute({ sql: 'DROP TABLE IF EXISTS multi_note', params: [] });
    await engine.execute({ sql: 'CREATE TABLE multi_note (x INTEGER)', params: [] });
  });
  afterAll(async () => {
    await engine?.execute({ sql: 'DROP TABLE IF EXISTS multi_note', params: [] });
    await engine?.dispose();
  });

  it('run all with the last rows (PostgreSQL), or are refused before any runs (SQLite, MySQL)', async () => {
    const script =
      'INSERT INTO multi_note VALUES (1); INSERT INTO multi_note VALUES (2); SELECT x FROM multi_note ORDER BY x';
    const count = async () =>
      Number((await engine.execute({ sql: 'SELECT count(*) FROM multi_note', params: [] })).rows[0]![0]);
    if (t.dialect === 'postgres') {
      const result = await engine.execute({ sql: script, params: [] });
      expect(result.rows).toEqual([[1], [2]]);
      expect(result.rowsAffected).toBe(4); // one row each insert, two selected
      expect(await count()).toBe(2);
      return;
    }
    const err = await engine.execute({ sql: script, params: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    if (t.dialect === 'sqlite') {
      expect(err).toBeInstanceOf(ProgrammingError);
      expect((err as Error).message).toMatch(/more than one statement: run one statement per execute\(\)/);
    } else expect(err).toBeInstanceOf(ProgrammingError);
    expect(await count()).toBe(0);
  });
});

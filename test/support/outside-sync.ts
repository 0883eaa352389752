/**
 * A write committed by another connection *synchronously*, from inside a listener (`db.onStatement`,
 * a mapper event): it lands exactly between two statements of a session, so a test can put another
 * session's commit at a chosen point of a query without relying on timing. A server is written by a
 * child process of the raw driver (the event loop waits for it); SQLite by better-sqlite3 directly.
 */
import BetterSqlite3 from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sqliteFilename } from '../../src/engine/url.js';
import type { DialectName } from './databases.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SERVER_SCRIPT = `
const [dialect, url, sql] = process.argv.slice(1);
(async () => {
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  } else {
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ uri: url, multipleStatements: true });
    try { await c.query(sql); } finally { await c.end(); }
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

/**
 * Runs one statement on a connection of its own and commits it before returning. On SQLite it
 * fails at once (SQLITE_BUSY) when a session's transaction holds the file's write lock: the error is
 * returned, not thrown, so a test can tell "could not interleave" from a failure.
 */
export function executeOutsideSync(dialect: DialectName, url: string, sql: string): Error | null {
  if (dialect === 'sqlite') {
    const db = new BetterSqlite3(sqliteFilename(url), { timeout: 0 });
    try {
      db.exec(sql);
      return null;
    } catch (err) {
      return err as Error;
    } finally {
      db.close();
    }
  }
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT, dialect, url, sql], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`outside statement failed: ${run.stderr || run.error?.message}`);
  return null;
}

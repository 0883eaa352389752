/**
 * Reading a test database from outside Relata: a connection of the raw driver, so what a test
 * counts is what the database holds, not what a session believes it wrote.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteFilename } from '../../src/engine/url.js';
import type { DialectName } from './databases.js';

/** A fresh SQLite database file in a temporary folder, as a Relata URL. */
export function sqliteFileUrl(name = 'test.db'): string {
  return `sqlite:///${join(mkdtempSync(join(tmpdir(), 'relata-')), name)}`;
}

/** Runs one read-only query on a connection of the raw driver and returns its rows as arrays. */
export async function queryOutside(dialect: DialectName, url: string, sql: string): Promise<unknown[][]> {
  if (dialect === 'sqlite') {
    const file = sqliteFilename(url);
    if (file === ':memory:') throw new Error('an in-memory SQLite database cannot be read from outside');
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      return db.prepare(sql).raw(true).all() as unknown[][];
    } finally {
      db.close();
    }
  }
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
    } finally {
      await c.end();
    }
  }
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ uri: url, rowsAsArray: true });
  try {
    return (await c.query(sql))[0] as unknown[][];
  } finally {
    await c.end();
  }
}

/** The values of one column of a table, sorted, read from outside. */
export async function columnOutside(dialect: DialectName, url: string, table: string, column: string) {
  const q = dialect === 'mysql' ? '`' : '"';
  const rows = await queryOutside(dialect, url, `SELECT ${q}${column}${q} FROM ${q}${table}${q}`);
  return rows.map((r) => String(r[0])).sort();
}

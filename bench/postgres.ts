/**
 * PostgreSQL for the benchmark: a template database built once per run (relata_bench_template),
 * and a fresh copy of it per library (CREATE DATABASE … TEMPLATE …).
 */
import pg from 'pg';
import { SIZES, blogRows, chinookRows, schemaSql } from './data.js';

export const PG_ADMIN_URL = process.env.RELATA_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEMPLATE = 'relata_bench_template';

function urlFor(dbName: string): string {
  return PG_ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** True when a server answers and Relata has a postgresql:// dialect. */
export async function pgAvailable(): Promise<boolean> {
  try {
    const { dialectForUrl } = await import('../src/engine/url.js');
    dialectForUrl(PG_ADMIN_URL);
  } catch {
    return false;
  }
  try {
    await withClient(PG_ADMIN_URL, (c) => c.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

export async function preparePostgres(): Promise<void> {
  await withClient(PG_ADMIN_URL, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
    await c.query(`CREATE DATABASE ${TEMPLATE}`);
  });
  await withClient(urlFor(TEMPLATE), async (c) => {
    for (const stmt of schemaSql('postgres')) await c.query(stmt);
    const tables = { ...blogRows(SIZES), ...chinookRows() };
    await c.query('BEGIN');
    for (const [table, { columns, rows }] of Object.entries(tables)) {
      const per = Math.floor(30_000 / columns.length);
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        let n = 0;
        const values = chunk.map((r) => `(${r.map(() => `$${++n}`).join(', ')})`).join(', ');
        await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
      }
      if (columns[0] === 'id') await c.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    }
    await c.query('COMMIT');
    await c.query('ANALYZE');
  });
}

/** A fresh database for one library, copied from the template; returns its URL. */
export async function postgresTarget(lib: string): Promise<string> {
  const name = `relata_bench_${lib.replace(/[^a-z0-9]/g, '_')}`;
  await withClient(PG_ADMIN_URL, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  });
  return urlFor(name);
}

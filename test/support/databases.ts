/**
 * One test suite, every database: `describeEachDialect('…', (t) => { … t.url … })` runs its body
 * against SQLite, PostgreSQL and MariaDB/MySQL. Each file gets a fresh database on the servers.
 * With CI=true a server that cannot be reached fails the run; locally it skips loudly.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dialectForUrl } from '../../src/engine/url.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export const PG_ADMIN_URL = process.env.RELATA_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const MYSQL_ADMIN_URL = process.env.RELATA_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const ALL: DialectName[] = ['sqlite', 'postgres', 'mysql'];

/** Dialects to run: RELATA_DIALECTS=sqlite,postgres narrows it. */
export function selectedDialects(): DialectName[] {
  const env = process.env.RELATA_DIALECTS;
  return env ? (env.split(',').map((s) => s.trim()) as DialectName[]) : ALL;
}

export interface TestDatabase {
  readonly dialect: DialectName;
  /** URL of this file's own fresh database. */
  url: string;
  /** Set when the server could not be reached locally (never under CI=true). */
  skipReason: string | null;
}

function dialectImplemented(url: string): boolean {
  try {
    dialectForUrl(url);
    return true;
  } catch {
    return false;
  }
}

function uniqueName(): string {
  return `relata_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

async function createServerDatabase(
  dialect: 'postgres' | 'mysql',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName();
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    return {
      url,
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 5000 });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const url = MYSQL_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Runs `body` once per dialect, inside a describe block named after the dialect. */
export function describeEachDialect(title: string, body: (t: TestDatabase) => void): void {
  for (const dialect of selectedDialects()) {
    const sample = dialect === 'sqlite' ? 'sqlite://' : dialect === 'postgres' ? PG_ADMIN_URL : MYSQL_ADMIN_URL;
    if (!dialectImplemented(sample)) continue;
    const t: TestDatabase = { dialect, url: 'sqlite://', skipReason: null };
    describe(`${title} [${dialect}]`, () => {
      let drop: (() => Promise<void>) | null = null;
      beforeAll(async () => {
        if (dialect === 'sqlite') return;
        try {
          const created = await createServerDatabase(dialect);
          t.url = created.url;
          drop = created.drop;
        } catch (err) {
          const msg = `${dialect} server unreachable (${(err as Error).message})`;
          if (process.env.CI) throw new Error(`${msg}; CI=true requires it`);
          t.skipReason = msg;
          console.warn(`\n*** SKIPPING ${title} [${dialect}]: ${msg} ***\n`);
        }
      });
      afterAll(async () => {
        if (drop) await drop();
      });
      body(t);
    });
  }
}

/** `it` that skips (loudly, see above) when this dialect's server was unreachable outside CI. */
export function itOn(t: TestDatabase) {
  return (name: string, fn: () => Promise<void> | void, timeout?: number): void => {
    it(
      name,
      async (ctx) => {
        if (t.skipReason) ctx.skip();
        await fn();
      },
      timeout,
    );
  };
}

/**
 * One test suite, every database: `describeEachDialect('…', (t) => { … t.url … })` runs its body
 * against SQLite, PostgreSQL and MariaDB/MySQL. Each file gets a fresh database on the servers.
 * With CI=true a server that cannot be reached fails the run; locally it skips loudly.
 *
 * The PostgreSQL suites can run through a pooler: RELATA_PG_URL is what the tests connect to (e.g.
 * PgBouncer), RELATA_PG_DIRECT_URL the same server reached directly, for what must bypass the pooler
 * (CREATE/DROP DATABASE, killing a backend, reading a new session's settings). `describePgBouncer`
 * runs a suite through RELATA_PGBOUNCER_URL whatever RELATA_PG_URL is.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dialectForUrl } from '../../src/engine/url.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** Where the PostgreSQL suites connect: the server, or a pooler in front of it. */
export const PG_ADMIN_URL = process.env.RELATA_PG_URL || 'postgresql://postgres@127.0.0.1:5432/test';
/** The same PostgreSQL server reached directly, bypassing any pooler; PG_ADMIN_URL by default. */
export const PG_DIRECT_URL = process.env.RELATA_PG_DIRECT_URL || PG_ADMIN_URL;
/** True when the PostgreSQL suites run through a pooler (RELATA_PG_URL ≠ RELATA_PG_DIRECT_URL). */
export const pgBehindPooler = PG_ADMIN_URL !== PG_DIRECT_URL;
/**
 * PgBouncer in transaction mode in front of PG_DIRECT_URL's server, with a wildcard database entry
 * (`.ci/pgbouncer.sh start` prints it), for test/dialects/pooler.test.ts. No default: unset, that
 * suite skips loudly, or fails under CI=true.
 */
export const PGBOUNCER_URL: string | undefined = process.env.RELATA_PGBOUNCER_URL || undefined;
export const MYSQL_ADMIN_URL = process.env.RELATA_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

const ALL: DialectName[] = ['sqlite', 'postgres', 'mysql'];

/** Dialects to run: RELATA_DIALECTS=sqlite,postgres narrows it. */
export function selectedDialects(): DialectName[] {
  const env = process.env.RELATA_DIALECTS;
  return env ? (env.split(',').map((s) => s.trim()) as DialectName[]) : ALL;
}

export interface TestDatabase {
  readonly dialect: DialectName;
  /** URL of this file's own fresh database (through the pooler, when the suite runs behind one). */
  url: string;
  /** The same database reached directly, bypassing any pooler; equal to `url` when there is none. */
  directUrl: string;
  /** True when `url` goes through a pooler (PostgreSQL with RELATA_PG_URL ≠ RELATA_PG_DIRECT_URL). */
  readonly behindPooler: boolean;
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

/** `url` with its database name replaced, keeping credentials and query options. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

interface ServerDatabase {
  readonly name: string;
  readonly drop: () => Promise<void>;
}

/** A fresh PostgreSQL database, created and dropped on the server directly (never through a pooler). */
async function createPostgresDatabase(): Promise<ServerDatabase> {
  const name = uniqueName();
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: PG_DIRECT_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_DIRECT_URL });
      await c.connect();
      try {
        // FORCE also ends a pooler's server connections to it.
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Connects to `url` and runs one statement: a pooler in front of a reachable server may still be down. */
async function probePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    await c.query('SELECT 1');
  } finally {
    await c.end();
  }
}

async function createMysqlDatabase(): Promise<ServerDatabase> {
  const name = uniqueName();
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 5000 });
  try {
    await admin.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await admin.end();
  }
  return {
    name,
    drop: async () => {
      const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** A server that cannot be reached: a failure under CI=true, else a loud skip (returns the reason). */
function unreachable(what: string, err: unknown, title: string): string {
  const msg = `${what} (${err instanceof Error ? err.message : String(err)})`;
  if (process.env.CI) throw new Error(`${msg}; CI=true requires it`);
  console.warn(`\n*** SKIPPING ${title}: ${msg} ***\n`);
  return msg;
}

/** Runs `body` once per dialect, inside a describe block named after the dialect. */
export function describeEachDialect(title: string, body: (t: TestDatabase) => void): void {
  for (const dialect of selectedDialects()) {
    const sample = dialect === 'sqlite' ? 'sqlite://' : dialect === 'postgres' ? PG_ADMIN_URL : MYSQL_ADMIN_URL;
    if (!dialectImplemented(sample)) continue;
    const behindPooler = dialect === 'postgres' && pgBehindPooler;
    const t: TestDatabase = { dialect, url: 'sqlite://', directUrl: 'sqlite://', behindPooler, skipReason: null };
    describe(`${title} [${dialect}]`, () => {
      let drop: (() => Promise<void>) | null = null;
      beforeAll(async () => {
        if (dialect === 'sqlite') return;
        const server = dialect === 'postgres' ? `postgres server ${PG_DIRECT_URL}` : `mysql server`;
        try {
          const created = dialect === 'postgres' ? await createPostgresDatabase() : await createMysqlDatabase();
          drop = created.drop;
          t.url = withDatabaseName(sample, created.name);
          t.directUrl = dialect === 'postgres' ? withDatabaseName(PG_DIRECT_URL, created.name) : t.url;
        } catch (err) {
          t.skipReason = unreachable(`${server} unreachable`, err, `${title} [${dialect}]`);
          return;
        }
        if (behindPooler) {
          try {
            await probePostgres(t.url);
          } catch (err) {
            t.skipReason = unreachable(`postgres pooler ${PG_ADMIN_URL} unreachable`, err, `${title} [${dialect}]`);
          }
        }
      });
      afterAll(async () => {
        if (drop) await drop();
      });
      body(t);
    });
  }
}

export interface PoolerTestDatabase {
  /** This file's own fresh database, through PgBouncer (RELATA_PGBOUNCER_URL). */
  url: string;
  /** The same database on the server directly (RELATA_PG_DIRECT_URL, else RELATA_PG_URL). */
  directUrl: string;
  /** Set when PgBouncer or the server could not be reached, or RELATA_PGBOUNCER_URL is unset (never under CI=true). */
  skipReason: string | null;
  /** The same, under CI=true: every test (run by `itOn`) fails with it, so the run counts them as failed. */
  failure: Error | null;
}

/**
 * Runs `body` against a fresh PostgreSQL database reached through PgBouncer (RELATA_PGBOUNCER_URL,
 * whose wildcard database entry reaches any database of the server), and directly. Unset or
 * unreachable, the suite skips loudly, or fails under CI=true. Not run when RELATA_DIALECTS leaves
 * PostgreSQL out.
 */
export function describePgBouncer(title: string, body: (t: PoolerTestDatabase) => void): void {
  const fullTitle = `${title} [postgres via PgBouncer]`;
  const t: PoolerTestDatabase = { url: '', directUrl: '', skipReason: null, failure: null };
  if (!selectedDialects().includes('postgres')) {
    describe.skip(fullTitle, () => body(t));
    return;
  }
  // Under CI=true each test fails (rather than beforeAll, which would leave them counted as skipped).
  const missing = (msg: string) => {
    if (process.env.CI) {
      t.failure = new Error(`${msg}; CI=true requires it`);
    } else {
      t.skipReason = msg;
      console.warn(`\n*** SKIPPING ${fullTitle}: ${msg} ***\n`);
    }
  };
  const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
  describe(fullTitle, () => {
    let drop: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      if (!PGBOUNCER_URL) {
        missing('RELATA_PGBOUNCER_URL is not set (.ci/pgbouncer.sh start runs PgBouncer and prints its URL)');
        return;
      }
      try {
        const created = await createPostgresDatabase();
        drop = created.drop;
        t.directUrl = withDatabaseName(PG_DIRECT_URL, created.name);
        t.url = withDatabaseName(PGBOUNCER_URL, created.name);
      } catch (err) {
        missing(`postgres server ${PG_DIRECT_URL} unreachable (${reason(err)})`);
        return;
      }
      try {
        await probePostgres(t.url);
      } catch (err) {
        missing(`PgBouncer ${PGBOUNCER_URL} unreachable (${reason(err)})`);
      }
    });
    afterAll(async () => {
      if (drop) await drop();
    });
    body(t);
  });
}

/**
 * `it` that skips (loudly, see above) when this dialect's server was unreachable outside CI, and fails
 * with `t.failure` when one is set.
 */
export function itOn(t: { readonly skipReason: string | null; readonly failure?: Error | null }) {
  return (name: string, fn: () => Promise<void> | void, timeout?: number): void => {
    it(
      name,
      async (ctx) => {
        if (t.failure) throw t.failure;
        if (t.skipReason) ctx.skip();
        await fn();
      },
      timeout,
    );
  };
}

/**
 * PostgreSQL behind PgBouncer in transaction mode (issue 10): statement names must never cross
 * clients. Before the fix, names were `relata_1, relata_2…` per Database, and behind PgBouncer two
 * processes ran each other's statements (`get(Widget, 40)` returned a row of `account`). Now a
 * connection behind a pooler gets no names at all; a direct connection keeps them.
 *
 * Runs through RELATA_PGBOUNCER_URL (`.ci/pgbouncer.sh start`), in a database of its own created on
 * the server directly (RELATA_PG_DIRECT_URL, else RELATA_PG_URL).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect } from 'vitest';
import { Database, Select, text, type Session } from '../../src/index.js';
import { describePgBouncer, itOn } from '../support/databases.js';
import {
  createAndSeed,
  defineTable,
  runWorkload,
  type Kind,
  type WorkloadOptions,
  type WorkloadReport,
} from './fixtures/pooler-workload.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'pooler-workload.ts');
/** Per Database: fewer pooled connections than concurrent tasks, and two pools together (10) more than PgBouncer's server pool (8). */
const POOL = 5;
const WORKLOAD = { tasks: 12, iterations: 150 };

describePgBouncer('Statement names behind a transaction pooler', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });
  const database = (url: string) => {
    const d = new Database(url, { nPlusOne: 'off', pool: { max: POOL, acquireTimeoutMs: 20_000 } });
    open.push(d);
    return d;
  };

  let seeded: Promise<void> | null = null;
  /** Both tables, created and seeded once for the file, through PgBouncer. */
  const seed = () =>
    (seeded ??= (async () => {
      for (const kind of ['widget', 'account'] as Kind[]) {
        const db = new Database(t.url, { nPlusOne: 'off' });
        try {
          await createAndSeed(db, defineTable(db, kind));
        } finally {
          await db.close();
        }
      }
    })());

  /** The statements prepared on the session's connection, read in its transaction (so on the same backend). */
  const preparedOn = async (s: Session) => {
    const list = text(
      `(SELECT coalesce(json_agg(json_build_object('name', name, 'statement', statement)), '[]') FROM pg_prepared_statements)`,
    );
    const rows = await s.execute(new Select({ columns: [list.label('prepared')] }));
    return rows[0]!.prepared as { name: string; statement: string }[];
  };

  /** Runs one lookup five times in one transaction, then lists what that backend has prepared. */
  const lookupsThenPrepared = async (url: string) => {
    await seed();
    const db = database(url);
    const widgets = defineTable(db, 'widget');
    const s = db.newSession();
    await s.begin();
    try {
      const ran = await db.engine.recordQueries(async () => {
        for (let id = 1; id <= 5; id++)
          expect(widgets.row((await s.get(widgets.Model, id))!).label).toBe(`widget ${id}`);
      });
      expect(ran).toHaveLength(5);
      expect(new Set(ran.map((e) => e.sql)).size).toBe(1); // one statement, run five times
      return { sql: ran[0]!.sql, prepared: await preparedOn(s) };
    } finally {
      await s.rollback();
      await s.close();
    }
  };

  /** On `db`, `POOL` transactions at once (so on as many server connections): none may see a prepared statement. */
  const expectNoBackendPrepared = async (db: Database) => {
    const sessions = Array.from({ length: POOL }, () => db.newSession());
    try {
      await Promise.all(sessions.map((s) => s.begin()));
      const found = await Promise.all(sessions.map((s) => preparedOn(s)));
      expect(found.flat()).toEqual([]);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  };

  const expectClean = (report: WorkloadReport) => {
    expect({ kind: report.kind, errors: report.errors, wrongRows: report.wrongRows, samples: report.samples }).toEqual({
      kind: report.kind,
      errors: 0,
      wrongRows: 0,
      samples: [],
    });
    expect(report.operations).toBe(WORKLOAD.tasks * WORKLOAD.iterations);
    expect(report.statements).toBeGreaterThanOrEqual(2000);
  };

  it('PgBouncer hides the backend: what the connection announces is not pg_backend_pid()', async () => {
    // Relata's test for a direct connection; if this fails, RELATA_PGBOUNCER_URL is not a pooler.
    const { default: pg } = await import('pg');
    for (const [url, direct] of [
      [t.url, false],
      [t.directUrl, true],
    ] as const) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const announced = (client as unknown as { processID: number | null }).processID;
        expect({ url, direct: rows[0]!.pid === announced }).toEqual({ url, direct });
      } finally {
        await client.end();
      }
    }
  });

  it('behind PgBouncer no statement is prepared under a name; on a direct connection one run twice is', async () => {
    const pooled = await lookupsThenPrepared(t.url);
    expect(pooled.prepared).toEqual([]);
    const direct = await lookupsThenPrepared(t.directUrl);
    expect(direct.sql).toBe(pooled.sql);
    expect(direct.prepared).toEqual([{ name: expect.stringMatching(/^relata_\w+$/), statement: direct.sql }]);
  });

  it('two Databases of one process, same PgBouncer, look-alike tables: thousands of concurrent statements, every row from the right table', async () => {
    await seed();
    const widgetDb = database(t.url);
    const accountDb = database(t.url);
    const options: WorkloadOptions = { ...WORKLOAD, idBase: 1_000_000 };
    const [widgets, accounts] = await Promise.all([
      runWorkload(widgetDb, defineTable(widgetDb, 'widget'), options),
      runWorkload(accountDb, defineTable(accountDb, 'account'), options),
    ]);
    expectClean(widgets);
    expectClean(accounts);
    // The two pools really ran on the same server connections, which is where names used to collide.
    expect(widgets.backendPids.filter((pid) => accounts.backendPids.includes(pid))).not.toEqual([]);
    await expectNoBackendPrepared(widgetDb);
  }, 120_000);

  it('two processes, same PgBouncer, look-alike tables, at the same time: no errors, no wrong rows', async () => {
    await seed();
    const options: WorkloadOptions = { ...WORKLOAD, idBase: 2_000_000 };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', FIXTURE, t.url, 'account', JSON.stringify({ ...options, pool: POOL })],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line === 'ready') resolve();
      });
      void exited.then((code) => reject(new Error(`the child exited (${code}) before it was ready: ${stderr}`)));
    });
    ready.catch(() => undefined); // awaited below; not an unhandled rejection if something fails first
    try {
      const db = database(t.url);
      const widgets = defineTable(db, 'widget');
      await db.newSession().get(widgets.Model, 1); // connected, like the child, before both start
      await ready;
      child.stdin.write('go\n');
      const [mine, code] = await Promise.all([runWorkload(db, widgets, options), exited]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const theirs = JSON.parse(lines.at(-1)!) as WorkloadReport;
      expect(theirs.kind).toBe('account');
      expectClean(mine);
      expectClean(theirs);
      // They really ran at the same time, on shared server connections.
      expect(theirs.startedAt).toBeLessThan(mine.endedAt);
      expect(mine.startedAt).toBeLessThan(theirs.endedAt);
      expect(mine.backendPids.filter((pid) => theirs.backendPids.includes(pid))).not.toEqual([]);
      await expectNoBackendPrepared(db);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }, 120_000);
});

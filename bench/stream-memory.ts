/**
 * Streaming against buffering over 1,000,000 rows: peak RSS and peak JS heap of one fresh process per
 * measurement, the raw driver beside Relata (issue 15). Each child reads every row of `stream_row`
 * (id, name, score), sums the ids as a check, and reports its peak memory.
 *
 *   node --import tsx bench/stream-memory.ts                       # sqlite, postgres and mariadb
 *   node --import tsx bench/stream-memory.ts --db=sqlite --rows=200000
 *   node --import tsx bench/stream-memory.ts --heap-limit=64    # children run with --max-old-space-size=64
 *
 * SQLite uses a file in the OS temp folder; PostgreSQL and MariaDB a database of their own
 * (RELATA_PG_URL / RELATA_MYSQL_URL, as the tests), created and dropped by the run.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/index.js';

type Db = 'sqlite' | 'postgres' | 'mysql';
const MODES = [
  'raw-buffered',
  'raw-stream',
  'relata-all',
  'relata-stream',
  'relata-stream-keep',
  'relata-core-stream',
] as const;
type Mode = (typeof MODES)[number];

const PG = process.env.RELATA_PG_URL || 'postgresql://postgres@127.0.0.1:5432/test';
const MY = process.env.RELATA_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
const BATCH = 1000;

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function models(db: Database) {
  class StreamRow extends db.Model(
    'StreamRow',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      score: db.Column(db.Integer, { nullable: false }),
    },
    { tableName: 'stream_row' },
  ) {}
  return { StreamRow };
}

// ---- child: one measurement ----

let peakHeap = 0;
function sample(): void {
  const h = process.memoryUsage().heapUsed;
  if (h > peakHeap) peakHeap = h;
}

async function rawRows(db: Db, url: string, mode: Mode): Promise<[number, number]> {
  let n = 0;
  let sum = 0;
  const take = (id: unknown) => {
    n++;
    sum += Number(id);
    if ((n & 1023) === 0) sample();
  };
  const sql = 'SELECT id, name, score FROM stream_row';
  if (db === 'sqlite') {
    const { default: Sqlite } = await import('better-sqlite3');
    const conn = new Sqlite(url.replace(/^sqlite:\/\/\//, ''));
    const stmt = conn.prepare(sql).raw(true);
    if (mode === 'raw-buffered') {
      const rows = stmt.all() as unknown[][];
      sample();
      for (const r of rows) take(r[0]);
    } else for (const r of stmt.iterate() as IterableIterator<unknown[]>) take(r[0]);
    conn.close();
  } else if (db === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    if (mode === 'raw-buffered') {
      const rows = (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
      sample();
      for (const r of rows) take(r[0]);
    } else {
      await c.query('BEGIN');
      await c.query(`DECLARE c NO SCROLL CURSOR FOR ${sql}`);
      for (;;) {
        const rows = (await c.query({ text: `FETCH FORWARD ${BATCH} FROM c`, rowMode: 'array' })).rows as unknown[][];
        for (const r of rows) take(r[0]);
        if (rows.length < BATCH) break;
      }
      await c.query('COMMIT');
    }
    await c.end();
  } else {
    const mysql = await import('mysql2');
    const c = mysql.createConnection({ uri: url, rowsAsArray: true });
    if (mode === 'raw-buffered') {
      const [rows] = await c.promise().query(sql);
      sample();
      for (const r of rows as unknown[][]) take(r[0]);
    } else {
      for await (const r of c.query(sql).stream({ highWaterMark: BATCH }) as AsyncIterable<unknown[]>) take(r[0]);
    }
    c.end();
  }
  return [n, sum];
}

async function relataRows(url: string, mode: Mode): Promise<[number, number]> {
  const db = new Database(url);
  const { StreamRow } = models(db);
  let n = 0;
  let sum = 0;
  const take = (id: number) => {
    n++;
    sum += id;
    if ((n & 1023) === 0) sample();
  };
  const s = db.newSession();
  if (mode === 'relata-all') {
    const rows = await s.query(StreamRow).all();
    sample();
    for (const r of rows) take(r.id);
  } else if (mode === 'relata-core-stream') {
    for await (const r of db.engine.stream(
      { sql: 'SELECT id, name, score FROM stream_row', params: [] },
      { batchSize: BATCH },
    ))
      take(Number(r[0]));
  } else {
    const expunge = mode === 'relata-stream';
    for await (const r of s.query(StreamRow).stream({ batchSize: BATCH, expunge })) take(r.id);
  }
  await db.close();
  return [n, sum];
}

async function child(db: Db, url: string, mode: Mode): Promise<void> {
  const timer = setInterval(sample, 5);
  const start = performance.now();
  const [n, sum] = mode.startsWith('raw') ? await rawRows(db, url, mode) : await relataRows(url, mode);
  const ms = performance.now() - start;
  clearInterval(timer);
  sample();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ n, sum, ms: Math.round(ms), rssMb: Math.round(rssMb), heapMb: Math.round(peakHeap / 2 ** 20) }),
  );
}

// ---- parent: data, then one child per mode ----

async function seed(db: Db, rows: number): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `relata_stream_bench_${process.pid}`;
  if (db === 'sqlite') {
    const file = join(tmpdir(), `${name}.db`);
    const { default: Sqlite } = await import('better-sqlite3');
    const c = new Sqlite(file);
    c.exec('CREATE TABLE stream_row (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, score INTEGER NOT NULL)');
    c.exec(`WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${rows})
            INSERT INTO stream_row SELECT i, 'user number ' || i, i % 100 FROM g`);
    c.close();
    return { url: `sqlite:///${file}`, drop: async () => rmSync(file, { force: true }) };
  }
  if (db === 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(PG);
    u.pathname = `/${name}`;
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    await c.query(
      'CREATE TABLE stream_row (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, score INTEGER NOT NULL)',
    );
    await c.query(`INSERT INTO stream_row SELECT i, 'user number ' || i, i % 100 FROM generate_series(1, ${rows}) i`);
    await c.end();
    return {
      url: u.toString(),
      drop: async () => {
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ uri: MY });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(
    `CREATE TABLE ${name}.stream_row (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, score INTEGER NOT NULL)`,
  );
  // MariaDB's Sequence engine: seq_1_to_N is a table of the numbers.
  await admin.query(
    `INSERT INTO ${name}.stream_row SELECT seq, CONCAT('user number ', seq), seq % 100 FROM seq_1_to_${rows}`,
  );
  const u = new URL(MY);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    },
  };
}

async function main(): Promise<void> {
  const childArgs = arg('child');
  if (childArgs) {
    const [db, mode, url] = JSON.parse(childArgs) as [Db, Mode, string];
    await child(db, url, mode);
    return;
  }
  const rows = Number(arg('rows') ?? 1_000_000);
  const dbs = (arg('db') ?? 'sqlite,postgres,mysql').split(',') as Db[];
  const heapLimit = arg('heap-limit');
  const self = fileURLToPath(import.meta.url);
  for (const db of dbs) {
    const { url, drop } = await seed(db, rows);
    try {
      const limited = heapLimit ? `, heap limit ${heapLimit} MB` : '';
      console.log(`\n${db}: ${rows.toLocaleString('en')} rows, batches of ${BATCH}${limited}`);
      console.log('| mode | peak RSS (MB) | peak heap (MB) | time (ms) |');
      console.log('|---|---:|---:|---:|');
      for (const mode of MODES) {
        const limit = heapLimit ? [`--max-old-space-size=${heapLimit}`] : [];
        const out = spawnSync(
          process.execPath,
          [...limit, '--import', 'tsx', self, `--child=${JSON.stringify([db, mode, url])}`],
          {
            encoding: 'utf8',
            maxBuffer: 1 << 20,
          },
        );
        const line = out.stdout.trim().split('\n').at(-1) ?? '';
        let r: { n: number; sum: number; ms: number; rssMb: number; heapMb: number };
        try {
          r = JSON.parse(line) as typeof r;
        } catch {
          const oom = /heap out of memory/i.test(out.stderr);
          const why = oom
            ? `out of memory (heap limit ${heapLimit} MB)`
            : `failed: ${(out.stderr || line).slice(0, 200)}`;
          console.log(`| ${mode} | ${why} | | |`);
          continue;
        }
        const ok = r.n === rows && r.sum === (rows * (rows + 1)) / 2 ? '' : ` ✗ read ${r.n} rows`;
        console.log(`| ${mode}${ok} | ${r.rssMb} | ${r.heapMb} | ${r.ms} |`);
      }
    } finally {
      await drop();
    }
  }
}

await main();

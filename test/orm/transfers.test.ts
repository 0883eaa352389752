/**
 * The concurrency test users run (issue 10): 100 accounts, at least 50 workers sharing a smaller pool
 * making transfers for a few seconds, readers summing all balances meanwhile. Afterwards, read from a
 * connection of its own, every account must hold its initial balance plus the acknowledged credits
 * minus the acknowledged debits: each transfer whose promise resolved applied exactly once, and none
 * whose promise rejected applied at all. Every sum a reader saw must be the initial total.
 *
 * Two ways users make a read-modify-write transfer correct, and where each applies:
 * - versioned: optimistic locking (`versionId`) at the database's default isolation. The UPDATE
 *   carries `AND version = <loaded>`; a row changed meanwhile matches nothing and raises StaleDataError,
 *   which db.transaction() retries. PostgreSQL READ COMMITTED re-checks the WHERE against the newly
 *   committed row after waiting for its lock; MariaDB REPEATABLE READ reads a snapshot but UPDATE
 *   checks the current row. Deadlocks (the two accounts locked in opposite orders) are retried too.
 * - serializable: no version column, `isolation: 'serializable'`. PostgreSQL (SSI) aborts one of two
 *   transactions that read what the other wrote with 40001; MariaDB turns the reads into shared
 *   locks, so two transfers on one account deadlock on their UPDATEs (1213).
 * SQLite runs every write transaction as BEGIN IMMEDIATE behind the file's write lock: writers are
 * serialized whatever is asked, so both ways are the same code path there. It runs versioned on a file
 * (one process, a pool of connections), serializable on the same kind of file shared by this process
 * and child processes (writers of different processes meet at SQLite's own lock, SQLITE_BUSY), and
 * versioned in memory (one connection, held by one transaction at a time).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Database, type IsolationLevel } from '../../src/index.js';
import { describeEachDialect, itOn, type DialectName } from '../support/databases.js';
import {
  ACCOUNTS,
  INITIAL_BALANCE,
  emptyLedger,
  openBank,
  runReaders,
  runTransfers,
  seedBank,
  type AccountRow,
  type FailureNote,
  type Ledger,
  type Transfer,
} from './fixtures/bank.js';

const DURATION_MS = 2_000;
const WORKERS = 50;
const POOL_MAX = 10;
const READERS = 3;
/** High enough that contention rarely exhausts them; a transfer that still fails is counted, not acknowledged. */
const RETRIES = 20;
/** Below this many acknowledged transfers the run proves nothing. */
const MIN_APPLIED = 100;
const CHILD_PROCESSES = 2;
const CHILD_WORKERS = 20;

const FIXTURE = fileURLToPath(new URL('./fixtures/bank.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Scenario {
  readonly name: string;
  /** Where the accounts live: this file's server database, a fresh SQLite file, or SQLite in memory. */
  readonly where: 'server' | 'file' | 'memory';
  readonly versioned: boolean;
  /** The transfers' isolation level; the database's default when absent. */
  readonly isolation?: IsolationLevel;
  /** The readers' isolation level (their transactions are read-only). */
  readonly readerIsolation?: IsolationLevel;
  /** Child processes running transfer workers on the same SQLite file at the same time. */
  readonly children?: number;
}

function scenariosFor(dialect: DialectName): Scenario[] {
  if (dialect === 'sqlite') {
    return [
      { name: 'file, one process, versionId', where: 'file', versioned: true },
      {
        name: `file, this process and ${CHILD_PROCESSES} child processes, serializable`,
        where: 'file',
        versioned: false,
        isolation: 'serializable',
        children: CHILD_PROCESSES,
      },
      { name: 'in memory (one connection), versionId', where: 'memory', versioned: true },
    ];
  }
  return [
    // Readers: a snapshot of the whole table (REPEATABLE READ is a snapshot on both servers).
    {
      name: 'versionId at the default isolation',
      where: 'server',
      versioned: true,
      readerIsolation: 'repeatable read',
    },
    {
      name: 'serializable, no versionId',
      where: 'server',
      versioned: false,
      isolation: 'serializable',
      readerIsolation: 'serializable',
    },
  ];
}

describeEachDialect('Concurrent transfers', (t) => {
  const it = itOn(t);
  for (const scenario of scenariosFor(t.dialect)) {
    it(`${WORKERS} workers, pool of ${POOL_MAX}, ${DURATION_MS} ms: ${scenario.name}`, async () => {
      const dir = scenario.where === 'file' ? mkdtempSync(join(tmpdir(), 'relata-bank-')) : null;
      try {
        const url = dir ? `sqlite:///${join(dir, 'bank.db')}` : scenario.where === 'memory' ? 'sqlite://' : t.url;
        await runScenario(t.dialect, url, scenario);
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  }
});

async function runScenario(dialect: DialectName, url: string, scenario: Scenario): Promise<void> {
  const started = Date.now();
  const bank = openBank(url, { versioned: scenario.versioned, poolMax: POOL_MAX });
  const children: Child[] = [];
  let ledgers: Ledger[];
  let readers: Awaited<ReturnType<typeof runReaders>>;
  let leftInTransaction: number | null = null;
  let rows: AccountRow[];
  try {
    await seedBank(bank);
    for (let i = 0; i < (scenario.children ?? 0); i++) {
      children.push(
        spawnChild([
          url,
          String(CHILD_WORKERS),
          scenario.versioned ? '1' : '0',
          scenario.isolation ?? '-',
          String(RETRIES),
          '5',
        ]),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    const endAt = Date.now() + DURATION_MS;
    for (const c of children) c.go(endAt);
    const inProcess = runTransfers(bank, { workers: WORKERS, endAt, isolation: scenario.isolation, retries: RETRIES });
    const reading = runReaders(bank, {
      readers: READERS,
      endAt,
      isolation: scenario.readerIsolation,
      retries: RETRIES,
    });
    [ledgers, readers] = await Promise.all([Promise.all([inProcess, ...children.map((c) => c.ledger)]), reading]);
    // From another Database, while the workers' pool still holds its (now idle) connections.
    if (dialect !== 'sqlite') leftInTransaction = await connectionsInTransaction(dialect, url);
    // The in-memory database exists only on the workers' one connection; everywhere else, read it anew.
    rows = scenario.where === 'memory' ? await readAccounts(bank.db, dialect, bank.versioned) : await readElsewhere();
  } finally {
    for (const c of children) c.kill();
    await bank.db.close();
  }

  async function readElsewhere(): Promise<AccountRow[]> {
    const other = new Database(url);
    try {
      return await readAccounts(other, dialect, bank.versioned);
    } finally {
      await other.close();
    }
  }

  const all = mergeLedgers(ledgers);
  const retried = Object.values(all.retries).reduce((a, b) => a + b, 0);
  console.log(
    `[transfers ${dialect}: ${scenario.name}] ${Date.now() - started} ms; ` +
      `transfers acknowledged ${all.applied.length} (${ledgers.map((l) => l.applied.length).join(' + ')}), ` +
      `refused ${all.refused}, failed ${all.failed.length} ${JSON.stringify(countKinds(all.failed))}, ` +
      `retried ${retried} ${JSON.stringify(all.retries)}, slowest ${ledgers.map((l) => l.slowestMs).join(' / ')} ms; ` +
      `reads ${readers.reads}, failed ${readers.failed.length} ${JSON.stringify(countKinds(readers.failed))}, ` +
      `retried ${JSON.stringify(readers.retries)}`,
  );

  // Every failure is a retryable conflict whose retries ran out; anything else is a bug under contention.
  expect(all.failed.filter((f) => !f.retryable)).toEqual([]);
  expect(readers.failed.filter((f) => !f.retryable)).toEqual([]);
  // Not vacuous: transfers and reads happened, in every process.
  expect(all.applied.length).toBeGreaterThan(MIN_APPLIED);
  for (const l of ledgers) expect(l.applied.length).toBeGreaterThan(0);
  expect(readers.reads).toBeGreaterThan(0);
  expect(readers.wrong).toEqual([]);

  // Every acknowledged transfer applied exactly once, nothing else applied, the total unchanged.
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: ACCOUNTS }, (_, i) => i + 1));
  expect(rows.reduce((n, r) => n + r.balance, 0)).toBe(ACCOUNTS * INITIAL_BALANCE);
  expect(mismatches(rows, all.applied, bank.versioned)).toEqual([]);
  // The check has teeth: the same rows against a ledger that lost one transfer do not pass.
  expect(mismatches(rows, all.applied.slice(1), bank.versioned)).not.toEqual([]);

  if (leftInTransaction !== null) expect(leftInTransaction).toBe(0);
}

/**
 * Accounts whose row differs from what the acknowledged transfers imply: balance = initial + credits −
 * debits and, with optimistic locking, version = 1 + the number of transfers that touched the account
 * (each bumps both accounts once, so a transfer applied twice shows even when amounts cancel out).
 */
function mismatches(rows: AccountRow[], applied: readonly Transfer[], versioned: boolean): string[] {
  const balance = new Map<number, number>();
  const version = new Map<number, number>();
  for (let id = 1; id <= ACCOUNTS; id++) {
    balance.set(id, INITIAL_BALANCE);
    version.set(id, 1);
  }
  for (const [from, to, amount] of applied) {
    balance.set(from, balance.get(from)! - amount);
    balance.set(to, balance.get(to)! + amount);
    version.set(from, version.get(from)! + 1);
    version.set(to, version.get(to)! + 1);
  }
  const out: string[] = [];
  for (const r of rows) {
    if (r.balance !== balance.get(r.id))
      out.push(`account ${r.id}: balance ${r.balance}, expected ${balance.get(r.id)}`);
    if (versioned && r.version !== version.get(r.id))
      out.push(`account ${r.id}: version ${r.version}, expected ${version.get(r.id)}`);
  }
  return out;
}

/** Every account, with plain SQL on a connection of `db`'s own (not through any worker's session). */
async function readAccounts(db: Database, dialect: DialectName, versioned: boolean): Promise<AccountRow[]> {
  const q = dialect === 'mysql' ? '`' : '"';
  const columns = ['id', 'balance', ...(versioned ? ['version'] : [])].map((c) => `${q}${c}${q}`).join(', ');
  const { rows } = await db.engine.execute({ sql: `SELECT ${columns} FROM ${q}account${q} ORDER BY 1`, params: [] });
  return rows.map(([id, balance, version]) => ({
    id: Number(id),
    balance: Number(balance),
    ...(versioned ? { version: Number(version) } : {}),
  }));
}

/**
 * Connections to this test's database left inside a transaction (the workers' pool is still open).
 * Also checks the pool still has connections there, so that zero means something.
 */
async function connectionsInTransaction(dialect: 'postgres' | 'mysql', url: string): Promise<number> {
  const other = new Database(url);
  const count = async (sql: string) => Number((await other.engine.execute({ sql, params: [] })).rows[0]![0]);
  try {
    if (dialect === 'postgres') {
      const others = `FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
      expect(await count(`SELECT count(*) ${others}`)).toBeGreaterThan(0);
      return await count(`SELECT count(*) ${others} AND state LIKE 'idle in transaction%'`);
    }
    const others = `FROM information_schema.processlist p WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()`;
    expect(await count(`SELECT count(*) ${others}`)).toBeGreaterThan(0);
    return await count(
      `SELECT count(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p ` +
        `ON p.id = t.trx_mysql_thread_id WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()`,
    );
  } finally {
    await other.close();
  }
}

function mergeLedgers(ledgers: readonly Ledger[]): Ledger {
  const all = emptyLedger();
  for (const l of ledgers) {
    all.applied.push(...l.applied);
    all.refused += l.refused;
    all.failed.push(...l.failed);
    for (const [kind, n] of Object.entries(l.retries)) all.retries[kind] = (all.retries[kind] ?? 0) + n;
    all.slowestMs = Math.max(all.slowestMs, l.slowestMs);
  }
  return all;
}

function countKinds(notes: readonly FailureNote[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of notes) out[n.kind] = (out[n.kind] ?? 0) + 1;
  return out;
}

interface Child {
  /** Resolves once the child has opened the database. */
  readonly ready: Promise<void>;
  /** Starts its workers, to run until endAt. */
  go(endAt: number): void;
  /** What its workers did; rejects when it exits without reporting. */
  readonly ledger: Promise<Ledger>;
  kill(): void;
}

/** A child process running test/orm/fixtures/bank.ts (see there) with these arguments. */
function spawnChild(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ready = settleable<void>();
  const ledger = settleable<Ledger>();
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => ready.reject(new Error(`child ${proc.pid} not ready after 15 s: ${stderr}`)), 15_000);
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (let nl = stdout.indexOf('\n'); nl >= 0; nl = stdout.indexOf('\n')) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line === 'ready') {
        clearTimeout(timer);
        ready.resolve();
      } else if (line.startsWith('ledger ')) {
        ledger.resolve(JSON.parse(line.slice('ledger '.length)) as Ledger);
      }
    }
  });
  const failed = (e: Error) => {
    clearTimeout(timer);
    ready.reject(e);
    ledger.reject(e);
  };
  proc.on('error', failed);
  proc.on('exit', (code, signal) =>
    failed(new Error(`child ${proc.pid} exited (code ${code}, signal ${signal}) before reporting: ${stderr}`)),
  );
  return {
    ready: ready.promise,
    ledger: ledger.promise,
    go: (endAt) => proc.stdin.write(`go ${endAt}\n`),
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
    },
  };
}

/** A promise with its resolve and reject at hand; settling it again is a no-op. Never unhandled. */
function settleable<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * The runner: Relata and SQLite (WebAssembly) in a worker, so code that loops forever can be stopped
 * by ending the worker without freezing the page. Each run gets a fresh in-memory database and
 * reports what it printed, every statement with its parameters, and its measures.
 */
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import * as relata from '../../../src/index.js';
import { Database, RelataError, SqliteWasmDialect } from '../../../src/index.js';
import * as blog from '../../../examples/seed/blog.js';
import { formatParam, printValues } from './printing.js';
import type {
  MeasureEntry,
  OutputEntry,
  RunError,
  RunReport,
  RunRequest,
  RunnerMessage,
  StatementEntry,
} from './protocol.js';

// Deep enough to reach the example's own frame under Relata's (an error's line, an N+1 load's line).
Error.stackTraceLimit = 50;

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => AsyncFn;

/** What `import … from '…'` may name in an example. */
const MODULES: Record<string, unknown> = { relata, './blog.js': blog, './blog': blog };

function requireModule(name: string): unknown {
  if (name in MODULES) return MODULES[name];
  throw new Error(`Cannot find module '${name}': examples can import from 'relata' and './blog.js'`);
}

const post = (message: RunnerMessage) => self.postMessage(message);

let dialect: SqliteWasmDialect;
/** Reports a promise the example forgot to await, into the run that made it. */
let reportStray: ((err: unknown) => void) | null = null;

self.addEventListener('unhandledrejection', (event) => {
  if (reportStray) {
    event.preventDefault();
    reportStray(event.reason);
  }
});

function describeError(err: unknown, fileName: string): RunError {
  if (!(err instanceof Error))
    return { name: 'Thrown', message: String(err), code: null, jsLine: null, sql: null, params: [] };
  const at = new RegExp(`${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):\\d+`).exec(err.stack ?? '');
  const { sql, params } = err as { sql?: unknown; params?: unknown };
  return {
    name: err.name === 'Error' ? err.constructor.name : err.name,
    message: err.message,
    code: err instanceof RelataError ? err.code : null,
    jsLine: at ? Number(at[1]) : null,
    sql: typeof sql === 'string' ? sql : null,
    params: Array.isArray(params) ? params.map(formatParam) : [],
  };
}

async function run(req: RunRequest): Promise<RunReport> {
  const output: OutputEntry[] = [];
  const statements: StatementEntry[] = [];
  const measures: MeasureEntry[] = [];
  let counted = 0;
  let measuring: string | null = null;

  const print =
    (kind: OutputEntry['kind']) =>
    (...values: unknown[]) =>
      output.push({
        kind,
        values: printValues(values),
        afterStatements: counted,
        afterEvents: statements.length,
        measure: measuring,
      });
  const pageConsole = {
    log: print('log'),
    info: print('log'),
    table: print('log'),
    warn: print('warn'),
    error: print('error'),
  };

  const db = new Database('sqlite://', { dialect, nPlusOne: 'warn', warn: (message) => pageConsole.warn(message) });
  db.onStatement((e) => {
    statements.push({
      kind: e.kind,
      sql: e.sql,
      params: e.params.map(formatParam),
      rowCount: e.rowCount,
      failed: e.error ? e.error.message : null,
      durationMs: e.durationMs,
      measure: measuring,
    });
    if (e.kind === 'statement') counted++;
  });

  async function measure<T>(label: string, fn: () => Promise<T>): Promise<T> {
    if (measuring !== null) throw new Error(`measure('${label}') inside measure('${measuring}'): measures do not nest`);
    const first = counted;
    measuring = String(label);
    try {
      return await fn();
    } finally {
      measures.push({ label: measuring, count: counted - first, firstStatement: first });
      measuring = null;
    }
  }

  let error: RunError | null = null;
  reportStray = (err) =>
    pageConsole.error(
      `A promise was not awaited and failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
  const start = performance.now();
  try {
    const module = { exports: {} };
    const fn = new AsyncFunction(
      'require',
      'exports',
      'module',
      'db',
      'console',
      'measure',
      `${req.js}\n//# sourceURL=${req.fileName}`,
    );
    await fn(requireModule, module.exports, module, db, pageConsole, measure);
  } catch (err) {
    error = describeError(err, req.fileName);
  }
  const durationMs = performance.now() - start;
  // Let promises the example left behind settle into this run's report before it is sent.
  await new Promise((resolve) => setTimeout(resolve, 0));
  reportStray = null;
  await db.close().catch(() => undefined);
  return { output, statements, measures, error, durationMs };
}

try {
  const sqlite3 = await sqlite3InitModule({ print: () => undefined, printErr: () => undefined });
  dialect = new SqliteWasmDialect(sqlite3);
  self.addEventListener('message', async (event: MessageEvent<RunRequest>) => {
    const report = await run(event.data);
    post({ type: 'result', id: event.data.id, report });
  });
  post({ type: 'ready', sqliteVersion: sqlite3.version.libVersion });
} catch (err) {
  post({ type: 'failed', message: `SQLite (WebAssembly) did not start: ${(err as Error).message}` });
}

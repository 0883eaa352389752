/**
 * Counts SQL statements at the driver, the same way for every library: the execute methods of
 * better-sqlite3, sqlite3 and pg are wrapped while a check pass runs, and restored before timing.
 * Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is not counted.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './data.js';

type Method = (...args: unknown[]) => unknown;
interface Patch {
  readonly target: Record<string, Method>;
  readonly name: string;
  readonly original: Method;
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END|START TRANSACTION|SET |PRAGMA)/i;

let count = 0;
let patches: Patch[] = [];

function sqlOf(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object') {
    const o = x as { text?: unknown; source?: unknown; sql?: unknown };
    for (const v of [o.text, o.source, o.sql]) if (typeof v === 'string') return v;
  }
  return '';
}

function wrap(target: Record<string, Method> | undefined, name: string, sql: (self: unknown, args: unknown[]) => string): void {
  if (!target || typeof target[name] !== 'function' || patches.some((p) => p.target === target && p.name === name)) return;
  const original = target[name]!;
  patches.push({ target, name, original });
  target[name] = function (this: unknown, ...args: unknown[]) {
    if (!CONTROL.test(sql(this, args))) count++;
    return original.apply(this, args);
  };
}

function tryRequire(from: string, id: string): unknown {
  try {
    return createRequire(join(from, 'package.json'))(id);
  } catch {
    return undefined;
  }
}

/** Starts counting statements on every driver copy reachable from the root and from bench/. */
export function startCounting(): void {
  count = 0;
  for (const base of [ROOT, join(ROOT, 'bench')]) {
    const Bs = tryRequire(base, 'better-sqlite3') as (new (f: string) => { prepare(s: string): object; close(): void }) | undefined;
    if (Bs) {
      const db = new Bs(':memory:');
      const stmtProto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, Method>;
      db.close();
      for (const m of ['run', 'get', 'all', 'iterate']) wrap(stmtProto, m, (self) => sqlOf(self));
      wrap((Bs as unknown as { prototype: Record<string, Method> }).prototype, 'exec', (_s, a) => sqlOf(a[0]));
    }
    const pg = tryRequire(base, 'pg') as { Client?: { prototype: Record<string, Method> } } | undefined;
    wrap(pg?.Client?.prototype, 'query', (_s, a) => sqlOf(a[0]));
    const sqlite3 = tryRequire(base, 'sqlite3') as { Database?: { prototype: Record<string, Method> } } | undefined;
    for (const m of ['run', 'get', 'all', 'each', 'exec']) wrap(sqlite3?.Database?.prototype, m, (_s, a) => sqlOf(a[0]));
  }
}

/** Stops counting, restores the drivers, and returns how many statements ran. */
export function stopCounting(): number {
  for (const p of patches.reverse()) p.target[p.name] = p.original;
  patches = [];
  return count;
}

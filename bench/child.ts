/**
 * One library in one fresh process: checks each workload's result against the raw driver's
 * (counting its SQL statements on the way), then times it: warm-up runs discarded, then
 * repetitions, each after a forced GC. Prints one JSON line: `RESULT {...}`.
 *
 *   node --expose-gc --import tsx bench/child.ts <lib> <sqlite|postgres> <target> <reps> <warmup> [expected.json] [ops]
 */
import { readFileSync } from 'node:fs';
import { startCounting, stopCounting } from './counters.js';
import { openProbe, w1Cleanup, w1Result, w2Cleanup, w2Result, w3Cleanup, w3Result, w3Seed, type Probe } from './probe.js';
import { WORKLOADS, digest, w1Rows, type Adapter, type AdapterContext, type OpArgs, type OpId } from './workloads.js';

export interface OpResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly digest?: string;
  readonly statements?: number;
  readonly samples?: number[];
  readonly median?: number;
  readonly p95?: number;
  readonly min?: number;
}

export interface ChildResult {
  readonly lib: string;
  readonly version: string;
  readonly db: string;
  readonly ops: Partial<Record<OpId, OpResult>>;
  readonly notes: Partial<Record<OpId, string>>;
}

const [, , lib, dbName, target, repsArg, warmupArg, expectedPath, onlyOps] = process.argv;
const ctx: AdapterContext = { db: dbName as 'sqlite' | 'postgres', target: target! };
const reps = Number(repsArg ?? 5);
const warmup = Number(warmupArg ?? 2);
const expected: Record<string, string> = expectedPath ? JSON.parse(readFileSync(expectedPath, 'utf8')) : {};
const only = onlyOps ? new Set(onlyOps.split(',')) : null;
const SLOW_MS = 2000;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 400);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 300);
const SLOW_SAMPLES = Math.max(1, Number(process.env.BENCH_SLOW_SAMPLES ?? 3));
/**
 * Before each timed run: a minor GC (default) clears the young garbage of the run before; 'major'
 * also collects the old generation, which throws away optimized code whose hidden classes died
 * (see BENCHMARKS.md); 'none' leaves GC to V8.
 */
const gcMode = (process.env.BENCH_GC ?? 'minor') as 'minor' | 'major' | 'none';
const v8gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
const gc = !v8gc || gcMode === 'none' ? () => {} : gcMode === 'major' ? () => v8gc() : () => v8gc({ type: 'minor' });

const newUsers = w1Rows();

/** Untimed steps around a write workload: before and after each run, after the last one, and reading back its result. */
interface Hooks {
  before(): Promise<void>;
  result(): Promise<unknown>;
  after(): Promise<void>;
  end(): Promise<void>;
}

const nothing = async () => {};

function hooks(id: OpId, probe: Probe): Hooks | null {
  switch (id) {
    case 'W1-insert':
      return { before: nothing, result: () => w1Result(probe), after: () => w1Cleanup(probe), end: nothing };
    case 'W2-update':
      return { before: nothing, result: () => w2Result(probe), after: nothing, end: () => w2Cleanup(probe) };
    case 'W3-delete-cascade':
      return { before: () => w3Seed(probe), result: () => w3Result(probe), after: () => w3Cleanup(probe), end: nothing };
    default:
      return null;
  }
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

async function main(): Promise<void> {
  const mod = (await import(`./libs/${lib}.ts`)) as { open(ctx: AdapterContext): Promise<Adapter> };
  const adapter = await mod.open(ctx);
  const probe = await openProbe(ctx);
  const ops: Partial<Record<OpId, OpResult>> = {};
  for (const w of WORKLOADS) {
    if (only && !only.has(w.id)) continue;
    const fn = adapter.ops[w.id];
    if (!fn) continue;
    const h = hooks(w.id, probe);
    const args = (tag: string): OpArgs => ({ newUsers, tag });
    try {
      // Check pass: the result must match the raw driver's; statements are counted here only.
      await h?.before();
      startCounting();
      let result: unknown;
      const checkStart = performance.now();
      try {
        result = await fn(args('check'));
      } finally {
        ops[w.id] = { ok: false, statements: stopCounting() };
      }
      const canon = h ? await h.result() : w.canon(result);
      await h?.after();
      const d = digest(canon);
      const want = expected[w.id];
      if (want && want !== d) {
        ops[w.id] = { ok: false, error: `result differs from raw (${d} vs ${want})`, digest: d, statements: ops[w.id]!.statements };
        if (process.env.BENCH_DEBUG) console.error(w.id, JSON.stringify(canon).slice(0, 2000));
        continue;
      }
      // A very slow op (seconds per run) gets no warm-up and SLOW_SAMPLES samples, the check run being the
      // first: 3 in bench:full, 1 in the quick run (the table marks it).
      const checkMs = performance.now() - checkStart;
      const slow = checkMs > SLOW_MS;
      // Small ops run more: the JIT needs a few hundred milliseconds of warm-up whatever the op's size,
      // and the median of many short runs is steadier. Every library gets the same rule.
      const fit = (ms: number, min: number, max: number) => Math.max(min, Math.min(max, Math.ceil(ms / Math.max(checkMs, 0.01))));
      const [w0, r0] = slow ? [0, SLOW_SAMPLES - 1] : [fit(WARMUP_MS, warmup, 400), fit(SAMPLE_MS, reps, 60)];
      const samples: number[] = slow ? [checkMs] : [];
      // A full GC between workloads (never between runs of one): the garbage an earlier workload
      // promoted to the old generation is collected here, not in the middle of this one's timing.
      if (gcMode !== 'none') v8gc?.();
      for (let i = 0; i < w0 + r0; i++) {
        await h?.before();
        gc();
        const t0 = performance.now();
        await fn(args(`r${i}`));
        const dt = performance.now() - t0;
        await h?.after();
        if (i >= w0) samples.push(dt);
      }
      await h?.end();
      const sorted = [...samples].sort((a, b) => a - b);
      ops[w.id] = {
        ok: true,
        digest: d,
        statements: ops[w.id]!.statements,
        samples,
        median: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        min: sorted[0],
      };
    } catch (err) {
      ops[w.id] = { ok: false, error: String((err as Error).stack ?? err).split('\n').slice(0, 4).join(' | '), statements: ops[w.id]?.statements };
    }
  }
  await probe.close();
  await adapter.close();
  const out: ChildResult = { lib: adapter.name, version: adapter.version, db: ctx.db, ops, notes: adapter.notes ?? {} };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

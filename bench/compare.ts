/**
 * For optimizing, not for the published numbers: runs two libraries' op interleaved in ONE process
 * (a forced GC before each run), so machine noise hits both alike, and prints the median ratio.
 *
 *   node --expose-gc --min-semi-space-size=16 --max-semi-space-size=16 --import tsx bench/compare.ts R1-joined,W1-insert [runs] [libA] [libB]
 * libA/libB: a name under bench/libs/, or the path of another checkout's adapter (/tmp/wt/bench/libs/relata.ts).
 */
import { WORK_DIR, buildSqliteTemplate, sqliteCopy } from './data.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { openProbe, w1Cleanup, w3Cleanup, w3Seed } from './probe.js';
import { w1Rows, type Adapter, type AdapterContext, type OpId } from './workloads.js';

const [, , opsArg = 'R1-joined,R1-selectin,W1-insert', runsArg = '40', libA = 'raw', libB = 'relata'] = process.argv;
const template = join(WORK_DIR, 'template-1000x10.db');
const tpl = existsSync(template) ? template : buildSqliteTemplate();
// A minor GC before each run, as bench/child.ts does.
const v8gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
const gc = () => v8gc?.({ type: 'minor' });
const newUsers = w1Rows();

// BENCH_DB=postgres compares on copies of the PostgreSQL template (built by a postgres bench run).
const onPostgres = process.env.BENCH_DB === 'postgres';
async function load(lib: string) {
  const name = `compare_${lib.replace(/\W/g, '_')}`;
  const ctx: AdapterContext = onPostgres
    ? { db: 'postgres', target: await (await import('./postgres.js')).postgresTarget(name) }
    : { db: 'sqlite', target: sqliteCopy(tpl, name) };
  // A path compares another checkout's adapter (say, a worktree without a change) with this one's.
  const mod = (await import(lib.includes('/') ? lib : `./libs/${lib}.ts`)) as { open(ctx: AdapterContext): Promise<Adapter> };
  return { adapter: await mod.open(ctx), probe: await openProbe(ctx) };
}

const a = await load(libA);
const b = await load(libB);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
for (const op of opsArg.split(',') as OpId[]) {
  const times: Record<string, number[]> = { [libA]: [], [libB]: [] };
  for (let i = 0; i < Number(runsArg) + 3; i++) {
    for (const [name, l] of i % 2 ? [[libA, a], [libB, b]] as const : [[libB, b], [libA, a]] as const) {
      if (op === 'W3-delete-cascade') await w3Seed(l.probe);
      gc();
      const t0 = performance.now();
      await l.adapter.ops[op]!({ newUsers, tag: `c${i}` });
      const dt = performance.now() - t0;
      if (op === 'W1-insert') await w1Cleanup(l.probe);
      if (op === 'W3-delete-cascade') await w3Cleanup(l.probe);
      if (i >= 3) times[name]!.push(dt);
    }
  }
  const ma = median(times[libA]!);
  const mb = median(times[libB]!);
  const [fa, fb] = [Math.min(...times[libA]!), Math.min(...times[libB]!)];
  console.log(
    `${op.padEnd(18)} median ${libA} ${ma.toFixed(2)} ms ${libB} ${mb.toFixed(2)} ms ratio ${(mb / ma).toFixed(2)}× | min ${fa.toFixed(2)} / ${fb.toFixed(2)} ms ratio ${(fb / fa).toFixed(2)}×`,
  );
}
for (const l of [a, b]) {
  await l.probe.close();
  await l.adapter.close();
}

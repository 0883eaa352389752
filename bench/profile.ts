/**
 * Profiles one library's op in a loop: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts relata R1-joined 50`.
 * Uses a private copy of the template database (run `npm run bench -- --libs=raw --no-write` once to build it).
 */
import { join } from 'node:path';
import { WORK_DIR, buildSqliteTemplate, sqliteCopy } from './data.js';
import { w1Rows, type Adapter, type AdapterContext, type OpId } from './workloads.js';
import { openProbe, w1Cleanup, w3Cleanup, w3Seed } from './probe.js';

const [, , lib = 'relata', op = 'R1-joined', nArg = '50'] = process.argv;
const template = join(WORK_DIR, 'template-1000x10.db');
// BENCH_DB=postgres profiles on a copy of the PostgreSQL template (built by a postgres bench run).
const ctx: AdapterContext =
  process.env.BENCH_DB === 'postgres'
    ? { db: 'postgres', target: await (await import('./postgres.js')).postgresTarget(`profile_${lib}`) }
    : { db: 'sqlite', target: sqliteCopy(process.env.REBUILD ? buildSqliteTemplate() : template, `profile-${lib}`) };
const mod = (await import(`./libs/${lib}.ts`)) as { open(ctx: AdapterContext): Promise<Adapter> };
const adapter = await mod.open(ctx);
const probe = await openProbe(ctx);
const fn = adapter.ops[op as OpId]!;
const newUsers = w1Rows();
const times: number[] = [];
for (let i = 0; i < Number(nArg); i++) {
  if (op === 'W3-delete-cascade') await w3Seed(probe);
  if (process.env.GC_EACH) (globalThis as { gc?: (o?: unknown) => void }).gc?.(process.env.GC_EACH === 'minor' ? { type: 'minor' } : undefined);
  const t0 = performance.now();
  await fn({ newUsers, tag: `p${i}` });
  times.push(performance.now() - t0);
  if (op === 'W1-insert') await w1Cleanup(probe);
  if (op === 'W3-delete-cascade') await w3Cleanup(probe);
}
times.sort((a, b) => a - b);
console.log(`${lib} ${op}: median ${times[times.length >> 1]!.toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms over ${times.length}`);
await probe.close();
await adapter.close();

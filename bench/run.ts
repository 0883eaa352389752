/**
 * Runs the benchmark: each library in a fresh child process on its own copy of the same data,
 * raw driver first (its results are the reference every other library's are checked against),
 * then writes ratios to raw into BENCHMARKS.md with an SVG chart.
 *
 *   npm run bench                 quick: SQLite (+ PostgreSQL when reachable), 5 repetitions
 *   npm run bench:full            every database, 15 repetitions
 *   npm run bench:check           raw + Relata only, fails when a ratio passes bench/bounds.json
 *
 * Options: --db=sqlite,postgres  --libs=raw,relata,drizzle  --ops=R1-joined,W1-insert  --reps=N  --warmup=N  --no-write
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { ChildResult, OpResult } from './child.js';
import { ROOT, WORK_DIR, buildSqliteTemplate, sqliteCopy } from './data.js';
import { pgAvailable, preparePostgres, postgresTarget } from './postgres.js';
import { renderMarkdown, renderSvg, replaceSection, type RunReport } from './report.js';
import { WORKLOADS, type OpId } from './workloads.js';

const BENCH = join(ROOT, 'bench');
const PEERS = ['drizzle', 'prisma', 'typeorm', 'mikro-orm', 'sequelize'] as const;

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const full = flag('full');
const check = flag('check');
const reps = Number(arg('reps') ?? (full ? 15 : 5));
const warmup = Number(arg('warmup') ?? (full ? 5 : 2));
const libs = (arg('libs') ?? (check ? 'raw,relata' : ['raw', 'relata', ...PEERS].join(','))).split(',');
const ops = arg('ops');
const write = !flag('no-write') && !check;
/** Each library runs this many times, alternating, each op keeping its best round (see fasterRound). */
const rounds = Number(arg('rounds') ?? (full ? 3 : 1));

/** Installs bench/'s pinned peers on first use (the root `npm ci` never does). */
function ensurePeers(): void {
  if (!libs.some((l) => (PEERS as readonly string[]).includes(l))) return;
  if (!existsSync(join(BENCH, 'node_modules/.package-lock.json'))) {
    console.log('installing bench/ dependencies (npm ci --prefix bench)…');
    execFileSync('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  }
  // npm skips install scripts it was not told to allow (bench/package.json's allowScripts): make sure
  // the native drivers were really built before blaming a library for failing.
  for (const mod of ['better-sqlite3', 'sqlite3']) {
    try {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(mod)})`], { cwd: BENCH, stdio: 'pipe' });
    } catch (err) {
      throw new Error(`bench/node_modules/${mod} does not load (was its install script skipped?): ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

/**
 * The same V8 flags for every library: gc() exposed so the child can run a minor GC before each timed
 * run (one run's young garbage is not collected during the next), and the young generation held at
 * 16 MB, its size in a warm process, instead of growing from 1 MB during the first runs.
 */
const NODE_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];

function runChild(lib: string, db: string, target: string, expected: string | null, only: string | undefined = ops): Promise<ChildResult> {
  const env = { ...process.env, NODE_ENV: 'production', BENCH_WARMUP_MS: full ? '400' : '250', BENCH_SAMPLE_MS: full ? '300' : '200', BENCH_SLOW_SAMPLES: full ? '3' : '1' };
  const args = [...NODE_FLAGS, '--import', 'tsx', join(BENCH, 'child.ts'), lib, db, target, String(reps), String(warmup), expected ?? '', only ?? ''];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice(7)) as ChildResult);
      else reject(new Error(`${lib} on ${db} exited ${code}: ${err.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function runDatabase(db: 'sqlite' | 'postgres'): Promise<RunReport> {
  const results: ChildResult[] = [];
  const failures: string[] = [];
  let template = '';
  if (db === 'sqlite') template = buildSqliteTemplate();
  else await preparePostgres();
  const expectedPath = join(WORK_DIR, `expected-${db}.json`);
  const failed = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    for (const lib of libs) {
      if (failed.has(lib)) continue;
      // Later rounds rerun only the ops that ran and took under a second: a slow op's first round stands.
      const prev = results.find((x) => x.lib === lib);
      const rerun = prev && round > 1 ? (Object.entries(prev.ops) as [OpId, OpResult][]).filter(([, o]) => o.ok && o.median! < 1000).map(([id]) => id) : null;
      if (rerun && rerun.length === 0) continue;
      const target = db === 'sqlite' ? sqliteCopy(template, lib) : await postgresTarget(lib);
      process.stdout.write(`${db} ${lib}${rounds > 1 ? ` (round ${round}/${rounds})` : ''}… `);
      try {
        const r = await runChild(lib, db, target, lib === 'raw' ? null : expectedPath, rerun ? rerun.join(',') : ops);
        if (lib === 'raw' && round === 1) {
          const expected: Record<string, string> = {};
          for (const [id, o] of Object.entries(r.ops)) if (o?.digest) expected[id] = o.digest;
          writeFileSync(expectedPath, JSON.stringify(expected, null, 1));
        }
        const i = results.findIndex((x) => x.lib === r.lib);
        if (i < 0) results.push(r);
        else results[i] = fasterRound(results[i]!, r);
        const bad = Object.entries(r.ops).filter(([, o]) => !o?.ok);
        console.log(bad.length ? `done, ${bad.length} failed: ${bad.map(([id, o]) => `${id}: ${o?.error}`).join('; ')}` : 'done');
      } catch (err) {
        failed.add(lib);
        failures.push(`${lib}: ${(err as Error).message}`);
        console.log(`failed\n${(err as Error).message}`);
      }
    }
  }
  return { db, results, failures, machine: machine(), reps, warmup, rounds, date: new Date().toISOString().slice(0, 10), command: commandLine() };
}

/**
 * Other work on the machine slows whole processes down, one library's more than another's; of the
 * rounds, each op keeps the one with the lower median (its samples and p95 with it).
 */
function fasterRound(a: ChildResult, b: ChildResult): ChildResult {
  const ops = { ...a.ops };
  for (const [id, o] of Object.entries(b.ops) as [OpId, OpResult][]) {
    const prev = ops[id];
    if (!prev?.ok || (o.ok && o.median! < prev.median!)) ops[id] = o.ok || !prev ? { ...o, statements: prev?.statements ?? o.statements } : prev;
  }
  return { ...a, ops };
}

function commandLine(): string {
  if (check) return 'npm run bench:check';
  const extra = process.argv.slice(2).filter((a) => a !== '--full');
  return `npm run ${full ? 'bench:full' : 'bench'}${extra.length ? ` -- ${extra.join(' ')}` : ''}`;
}

/** Relata's ratio to raw for each op, against the bounds in bench/bounds.json. */
function checkBounds(report: RunReport): string[] {
  const bounds = JSON.parse(readFileSync(join(BENCH, 'bounds.json'), 'utf8')) as { sqlite: Partial<Record<OpId, number>> };
  const raw = report.results.find((r) => r.lib === 'raw');
  const relata = report.results.find((r) => r.lib === 'relata');
  if (!raw || !relata) return ['raw or relata did not run'];
  const problems: string[] = [];
  for (const [id, bound] of Object.entries(bounds.sqlite) as [OpId, number][]) {
    const a = relata.ops[id];
    const b = raw.ops[id];
    if (!a?.ok || !b?.ok) {
      problems.push(`${id}: did not run (${a?.error ?? b?.error ?? 'missing'})`);
      continue;
    }
    const ratio = a.median! / b.median!;
    const line = `${id.padEnd(20)} ${ratio.toFixed(2)}× (bound ${bound}×)`;
    console.log(`${ratio > bound ? 'FAIL' : 'ok  '} ${line}`);
    if (ratio > bound) problems.push(line);
  }
  return problems;
}

async function main(): Promise<void> {
  mkdirSync(WORK_DIR, { recursive: true });
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  ensurePeers();
  if (libs.includes('prisma')) execFileSync(process.execPath, ['--import', 'tsx', join(BENCH, 'prisma/generate.ts')], { cwd: ROOT, stdio: 'inherit' });
  const requested = arg('db')?.split(',') ?? (check ? ['sqlite'] : ['sqlite', 'postgres']);
  const dbs: ('sqlite' | 'postgres')[] = [];
  for (const d of requested) {
    if (d === 'postgres' && !(await pgAvailable())) {
      console.log('PostgreSQL: not reachable, or Relata has no postgresql:// dialect yet; skipped');
      continue;
    }
    dbs.push(d as 'sqlite' | 'postgres');
  }
  const reports: RunReport[] = [];
  for (const db of dbs) {
    const report = await runDatabase(db);
    reports.push(report);
    writeFileSync(join(BENCH, 'results', `${db}.json`), JSON.stringify(report, null, 1));
    console.log('\n' + renderMarkdown(report));
  }
  if (check) {
    const problems = reports.flatMap(checkBounds);
    if (problems.length) {
      console.error(`\nbench:check failed:\n${problems.join('\n')}`);
      process.exit(1);
    }
    console.log('\nbench:check: every Relata ratio is within its bound');
    return;
  }
  if (!write) return;
  const mdPath = join(ROOT, 'BENCHMARKS.md');
  let md = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Benchmarks\n';
  for (const report of reports) {
    const svgName = `bench/chart-${report.db}.svg`;
    writeFileSync(join(ROOT, svgName), renderSvg(report));
    md = replaceSection(md, `results:${report.db}`, renderMarkdown(report, svgName));
  }
  writeFileSync(mdPath, md);
  console.log(`wrote BENCHMARKS.md${reports.map((r) => ` and bench/chart-${r.db}.svg`).join('')}`);
}

void WORKLOADS;
main().catch((err) => {
  console.error(err);
  process.exit(1);
});

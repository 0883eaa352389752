/** Turns one run's results into the Markdown table and the SVG chart of BENCHMARKS.md. */
import type { ChildResult, OpResult } from './child.js';
import { WORKLOADS, type OpId } from './workloads.js';

export interface RunReport {
  readonly db: 'sqlite' | 'postgres';
  readonly results: ChildResult[];
  readonly failures: string[];
  readonly machine: string;
  readonly reps: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly date: string;
  readonly command: string;
}

function ratio(r: OpResult | undefined, raw: OpResult | undefined): number | null {
  return r?.ok && raw?.ok && raw.median ? r.median! / raw.median : null;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function renderMarkdown(report: RunReport, svg?: string): string {
  const raw = report.results.find((r) => r.lib === 'raw');
  const libs = report.results.filter((r) => r.lib !== 'raw');
  const title = report.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const lines: string[] = [];
  lines.push(`### ${title}`, '');
  lines.push(
    `\`${report.command}\` on ${report.date}: ${report.machine}. Median of at least ${report.reps} runs after at least ${report.warmup} ` +
      `warm-up runs (more for short ops, see Method), each library in its own process, ${report.rounds} alternating rounds ` +
      `(each op keeps its faster round). Other engineers' test runs shared the 2 cores, so absolute times are noisy; ` +
      `ratios come from one run. Cells: median time as a multiple of the raw driver's, then SQL statements.`,
    '',
  );
  const ids = WORKLOADS.map((w) => w.id).filter((id) => report.results.some((r) => r.ops[id]));
  lines.push(`| workload | raw (ms) | ${libs.map((l) => l.lib).join(' | ')} |`);
  lines.push(`|---|---:|${libs.map(() => '---:').join('|')}|`);
  for (const id of ids) {
    const w = WORKLOADS.find((x) => x.id === id)!;
    const base = raw?.ops[id];
    const rawCell = base?.ok ? `${fmt(base.median!)} · ${base.statements}` : '—';
    const cells = libs.map((l) => {
      const o = l.ops[id];
      if (!o) return 'n/a';
      if (!o.ok) return `✗ ${o.error?.startsWith('result differs') ? 'wrong result' : 'error'}`;
      const x = ratio(o, base);
      const best = x !== null && libs.every((m) => m === l || (ratio(m.ops[id], base) ?? Infinity) >= x);
      const once = (o.samples?.length ?? 0) < 3 ? '¹' : '';
      return x === null ? '—' : `${best ? '**' : ''}${fmt(x)}×${best ? '**' : ''}${once} · ${o.statements}`;
    });
    lines.push(`| ${w.title} | ${rawCell} | ${cells.join(' | ')} |`);
  }
  if (report.results.some((r) => Object.values(r.ops).some((o) => o?.ok && (o.samples?.length ?? 0) < 3))) {
    lines.push('', '¹ Timed once: an op slower than 2 s per run gets one run in the quick bench (three in `npm run bench:full`).');
  }
  lines.push('', r1Headline(report), '');
  lines.push(`Versions: ${report.results.map((r) => `${r.lib} ${r.version}`).join('; ')}.`);
  if (report.failures.length) lines.push('', `Did not run: ${report.failures.map((f) => f.split('\n')[0]).join('; ')}.`);
  const errors = report.results.flatMap((r) => Object.entries(r.ops).filter(([, o]) => o && !o.ok).map(([id, o]) => `${r.lib} ${id}: ${o!.error}`));
  if (errors.length) lines.push('', '<details><summary>Errors</summary>', '', ...errors.map((e) => `- ${e.replace(/\|/g, '/')}`), '', '</details>');
  lines.push('', '<details><summary>Median and p95 in ms</summary>', '');
  lines.push(`| workload | ${report.results.map((l) => l.lib).join(' | ')} |`);
  lines.push(`|---|${report.results.map(() => '---:').join('|')}|`);
  for (const id of ids) {
    lines.push(`| ${id} | ${report.results.map((l) => (l.ops[id]?.ok ? `${fmt(l.ops[id]!.median!)} / ${fmt(l.ops[id]!.p95!)}` : '—')).join(' | ')} |`);
  }
  lines.push('', '</details>');
  const notes = report.results.flatMap((r) => Object.entries(r.notes).map(([id, n]) => `- ${r.lib}, ${id}: ${n}`));
  if (notes.length) lines.push('', '<details><summary>How each library does it</summary>', '', ...notes, '', '</details>');
  if (svg) lines.push('', `![${title}: time as a multiple of the raw driver, per workload](${svg})`);
  return lines.join('\n');
}

/** The design's target metric: each library's best R1 strategy against raw's best R1. */
export function r1Headline(report: RunReport): string {
  const best = (r: ChildResult) => Math.min(...(['R1-joined', 'R1-selectin'] as const).map((id) => (r.ops[id]?.ok ? r.ops[id]!.median! : Infinity)));
  const raw = report.results.find((r) => r.lib === 'raw');
  if (!raw || !Number.isFinite(best(raw))) return '';
  const cells = report.results
    .filter((r) => r !== raw && Number.isFinite(best(r)))
    .map((r) => `${r.lib} **${fmt(best(r) / best(raw))}×**`);
  return `R1 headline (each library's faster R1 strategy ÷ raw's faster one, ${fmt(best(raw))} ms): ${cells.join(', ')}.`;
}

const COLORS: Record<string, string> = {
  relata: '#d62728',
  drizzle: '#2ca02c',
  prisma: '#1f77b4',
  typeorm: '#ff7f0e',
  'mikro-orm': '#9467bd',
  sequelize: '#8c564b',
};

/** Horizontal bars, one group per workload, on a log scale from 1× (raw) to 100×. */
export function renderSvg(report: RunReport): string {
  const raw = report.results.find((r) => r.lib === 'raw');
  const libs = report.results.filter((r) => r.lib !== 'raw');
  const ids = WORKLOADS.map((w) => w.id).filter((id) => report.results.some((r) => r.ops[id]));
  const bar = 9;
  const groupH = libs.length * bar + 12;
  const left = 170;
  const width = 760;
  const plotW = width - left - 60;
  const top = 40;
  const height = top + ids.length * groupH + 50;
  const [lo, hi] = [Math.log10(0.5), Math.log10(200)];
  const x = (r: number) => left + ((Math.min(Math.max(Math.log10(r), lo), hi) - lo) / (hi - lo)) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="16" font-size="13" font-weight="bold">${report.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: median time ÷ raw driver (log scale, lower is better)</text>`);
  out.push(`<text x="${left}" y="30" font-size="10" fill="#555">black line: raw (1×); dashed red: Relata's R1 target (1.3×); ${report.date}</text>`);
  for (const t of [0.5, 1, 1.3, 2, 5, 10, 20, 50, 100, 200]) {
    const stroke = t === 1.3 ? '#d62728' : t === 1 ? '#333' : '#ddd';
    out.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${height - 40}" stroke="${stroke}" stroke-dasharray="${t === 1.3 ? '4,3' : ''}"/>`);
    out.push(`<text x="${x(t)}" y="${height - 28}" text-anchor="middle">${t}×</text>`);
  }
  ids.forEach((id, g) => {
    const y0 = top + g * groupH;
    out.push(`<text x="${left - 6}" y="${y0 + groupH / 2}" text-anchor="end" dominant-baseline="middle">${id}</text>`);
    libs.forEach((l, i) => {
      const r = ratio(l.ops[id], raw?.ops[id]);
      if (r === null) return;
      const y = y0 + i * bar;
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(r) - left)}" height="${bar - 2}" fill="${COLORS[l.lib] ?? '#777'}"><title>${l.lib} ${id}: ${fmt(r)}×</title></rect>`);
      if (r >= 200) out.push(`<text x="${x(r) + 3}" y="${y + bar - 3}" font-size="8">${fmt(r)}×</text>`);
    });
  });
  libs.forEach((l, i) => {
    const lx = left + i * 95;
    out.push(`<rect x="${lx}" y="${height - 18}" width="10" height="10" fill="${COLORS[l.lib] ?? '#777'}"/><text x="${lx + 14}" y="${height - 9}">${l.lib}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Replaces the text between `<!-- key:start -->` and `<!-- key:end -->`, appending the block when absent. */
export function replaceSection(md: string, key: string, content: string): string {
  const start = `<!-- ${key}:start -->`;
  const end = `<!-- ${key}:end -->`;
  const block = `${start}\n${content}\n${end}`;
  const i = md.indexOf(start);
  const j = md.indexOf(end);
  if (i >= 0 && j > i) return md.slice(0, i) + block + md.slice(j + end.length);
  return `${md.trimEnd()}\n\n${block}\n`;
}

export type { OpId };

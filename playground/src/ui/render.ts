/**
 * A run's report as the reader sees it: the statement count (and each measure's, side by side),
 * what the code printed, and every statement in order with its parameters, marked where the code
 * printed something.
 */
import type { Diagnostic } from '../checker/protocol.js';
import type { MeasureEntry, OutputEntry, Printed, RunError, RunReport, StatementEntry } from '../runner/protocol.js';
import { h, plural } from './dom.js';
import { firstLine, highlightSql } from './sql.js';

export function renderSummary(report: RunReport): HTMLElement {
  const total = report.statements.filter((s) => s.kind === 'statement').length;
  return h(
    'div',
    { class: 'summary' },
    h(
      'div',
      { class: 'total' },
      h('span', { class: 'total-number', 'data-testid': 'statement-count' }, plural(total, 'statement')),
      h('span', { class: 'total-note' }, `in ${formatMs(report.durationMs)} · BEGIN/COMMIT not counted`),
    ),
    report.measures.length ? renderMeasures(report.measures) : null,
  );
}

function renderMeasures(measures: readonly MeasureEntry[]): HTMLElement {
  const max = Math.max(1, ...measures.map((m) => m.count));
  return h(
    'ul',
    { class: 'measures', 'aria-label': 'Statements per measure' },
    measures.map((m) =>
      h(
        'li',
        { class: 'measure', 'data-measure': m.label },
        h('span', { class: 'm-label' }, m.label),
        h(
          'span',
          { class: 'm-track' },
          h('span', { class: 'm-bar', style: `width: ${Math.max(2, (m.count / max) * 100)}%` }),
        ),
        h('span', { class: 'm-count' }, `${m.label}: ${plural(m.count, 'statement')}`),
      ),
    ),
  );
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// ---- output ----

function renderTable(p: Extract<Printed, { kind: 'table' }>): HTMLElement {
  return h(
    'div',
    { class: 'out-table-wrap' },
    p.title ? h('div', { class: 'out-table-title' }, p.title) : null,
    h(
      'table',
      { class: 'out-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          p.columns.map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        p.rows.map((row) =>
          h(
            'tr',
            {},
            row.map((v) => h('td', { class: v === 'null' ? 'is-null' : undefined }, v)),
          ),
        ),
      ),
    ),
    p.moreRows > 0
      ? h('div', { class: 'out-table-more' }, `… ${p.moreRows} more ${p.moreRows === 1 ? 'row' : 'rows'}`)
      : null,
  );
}

/** Where the run's code is, to turn a JavaScript line in a message into the editor's line. */
export interface CodeContext {
  readonly fileName: string;
  lineOf(jsLine: number): number | null;
}

/** Relata names the line of an N+1 lazy load; say it as the editor's line, or drop a location outside the example. */
function locate(text: string, ctx: CodeContext): string {
  return text.replace(/, at (\S+?):(\d+):\d+\./g, (_all, file: string, jsLine: string) => {
    const line = file.endsWith(ctx.fileName) ? ctx.lineOf(Number(jsLine)) : null;
    return line ? `, at line ${line}.` : '.';
  });
}

function renderEntry(entry: OutputEntry, ctx: CodeContext): HTMLElement {
  const el = h('div', { class: `out-entry out-${entry.kind}` });
  let line: (string | HTMLElement)[] = [];
  const flush = () => {
    if (line.length) el.append(h('div', { class: 'out-line' }, line));
    line = [];
  };
  entry.values.forEach((v, i) => {
    if (v.kind === 'table') {
      flush();
      el.append(renderTable(v));
      return;
    }
    if (i > 0 && line.length) line.push(' ');
    if (v.kind === 'null') line.push(h('span', { class: 'is-null' }, v.text));
    else line.push(entry.kind === 'warn' ? locate(v.text, ctx) : v.text);
  });
  flush();
  return el;
}

export function renderOutput(report: RunReport, ctx: CodeContext): HTMLElement {
  const items: HTMLElement[] = [];
  let measure: string | null = null;
  for (const entry of report.output) {
    if (entry.measure !== measure && entry.measure !== null)
      items.push(h('div', { class: 'measure-head' }, entry.measure));
    measure = entry.measure;
    items.push(renderEntry(entry, ctx));
  }
  const body = items.length ? items : h('p', { class: 'empty' }, 'Nothing printed. console.log(rows) shows them here.');
  return h('div', { class: 'panel output-panel' }, h('h3', {}, 'Output'), h('div', { class: 'panel-body' }, body));
}

// ---- SQL ----

function renderStatement(s: StatementEntry, number: number | null): HTMLElement {
  if (s.kind === 'transaction')
    return h('li', { class: 'stmt stmt-tx' }, h('span', { class: 'stmt-no' }), h('code', {}, s.sql));
  if (/^\s*create\b/i.test(s.sql)) {
    const ddl = h(
      'details',
      { class: 'ddl' },
      h('summary', {}, h('code', {}, highlightSql(firstLine(s.sql)))),
      h('pre', {}, highlightSql(s.sql)),
    );
    return h(
      'li',
      { class: 'stmt', 'data-n': number ?? undefined },
      h('span', { class: 'stmt-no' }, String(number)),
      h('div', { class: 'stmt-body' }, ddl),
    );
  }
  const isQuery = /^\s*select\b/i.test(s.sql) || /\breturning\b/i.test(s.sql);
  return h(
    'li',
    { class: 'stmt', 'data-n': number ?? undefined },
    h('span', { class: 'stmt-no' }, String(number)),
    h(
      'div',
      { class: 'stmt-body' },
      h('code', { class: 'stmt-sql' }, highlightSql(s.sql)),
      h(
        'div',
        { class: 'stmt-meta' },
        s.params.length ? h('span', { class: 'stmt-params' }, `[${s.params.join(', ')}]`) : null,
        s.failed !== null
          ? h('span', { class: 'stmt-rows stmt-failed' }, `failed: ${s.failed}`)
          : h(
              'span',
              { class: 'stmt-rows' },
              isQuery ? plural(s.rowCount, 'row') : `${plural(s.rowCount, 'row')} changed`,
            ),
      ),
    ),
  );
}

function outputMarker(entry: OutputEntry): HTMLElement {
  const first = entry.values[0];
  const label = first?.kind === 'text' ? first.text : first?.kind === 'table' ? first.title : 'output';
  const text =
    entry.kind === 'warn' ? 'warning printed' : `printed ${label.length > 60 ? `${label.slice(0, 57)}…` : label}`;
  return h('li', { class: `marker marker-${entry.kind}` }, h('span', { class: 'marker-text' }, text));
}

/** Setups this long fold away (creating tables, inserting the sample rows), so the part that teaches shows first. */
const FOLD_SETUP_AT = 8;

/** Statements before the first print or measure, up to the last COMMIT among them. */
function setupLength(report: RunReport): number {
  const boundary = Math.min(
    report.output[0]?.afterStatements ?? Infinity,
    report.measures[0]?.firstStatement ?? Infinity,
  );
  let counted = 0;
  let end = 0;
  report.statements.forEach((s, i) => {
    if (s.kind === 'statement') counted++;
    else if (s.sql === 'COMMIT' && counted <= boundary) end = i + 1;
  });
  return end;
}

function setupSummary(statements: readonly StatementEntry[]): string {
  const verbs = new Map<string, number>();
  for (const s of statements) {
    if (s.kind !== 'statement') continue;
    const verb = /^\s*(create table|create index|create unique index|\w+)/i.exec(s.sql)?.[1]?.toUpperCase() ?? 'SQL';
    verbs.set(verb, (verbs.get(verb) ?? 0) + 1);
  }
  return [...verbs].map(([verb, n]) => `${verb} ×${n}`).join(' · ');
}

export function renderSql(report: RunReport): HTMLElement {
  const counts = new Map(report.measures.map((m) => [m.label, m.count]));
  const outputs = [...report.output];
  const fold = setupLength(report);
  const setupCount = report.statements.slice(0, fold).filter((s) => s.kind === 'statement').length;
  const setupItems: HTMLElement[] = [];
  const items: HTMLElement[] = [];
  let target = setupCount >= FOLD_SETUP_AT ? setupItems : items;
  let n = 0;
  let measure: string | null = null;
  const markersUpTo = (events: number) => {
    while (outputs.length && outputs[0]!.afterEvents <= events) target.push(outputMarker(outputs.shift()!));
  };
  markersUpTo(0);
  report.statements.forEach((s, i) => {
    if (i === fold) target = items;
    if (s.measure !== measure && s.measure !== null) {
      target.push(
        h('li', { class: 'measure-head' }, `${s.measure} · ${plural(counts.get(s.measure) ?? 0, 'statement')}`),
      );
    }
    measure = s.measure;
    const number = s.kind === 'statement' ? ++n : null;
    const row = renderStatement(s, number);
    if (s.measure !== null) row.classList.add('in-measure');
    target.push(row);
    markersUpTo(i + 1);
  });
  target = items;
  markersUpTo(Infinity);
  if (setupItems.length) {
    const summary = h(
      'summary',
      {},
      h('strong', {}, `Setup · ${plural(setupCount, 'statement')}`),
      h('span', {}, setupSummary(report.statements.slice(0, fold))),
    );
    items.unshift(h('li', { class: 'setup' }, h('details', {}, summary, h('ol', { class: 'stmts' }, setupItems))));
  }
  return h(
    'div',
    { class: 'panel sql-panel' },
    h('h3', {}, 'SQL', h('span', { class: 'panel-note' }, 'every statement, in order, with its parameters')),
    h(
      'div',
      { class: 'panel-body' },
      items.length ? h('ol', { class: 'stmts' }, items) : h('p', { class: 'empty' }, 'No SQL ran.'),
    ),
  );
}

// ---- problems ----

export function renderRunError(error: RunError, line: number | null): HTMLElement {
  return h(
    'div',
    { class: 'problem problem-run', 'data-testid': 'run-error', role: 'alert' },
    h(
      'div',
      { class: 'problem-head' },
      h('strong', {}, error.name),
      error.code ? h('span', { class: 'chip' }, error.code) : null,
      line ? h('span', { class: 'problem-where' }, `line ${line}`) : null,
    ),
    h('p', { class: 'problem-message' }, error.message),
    error.sql
      ? h(
          'pre',
          { class: 'problem-sql' },
          highlightSql(error.sql),
          error.params.length ? h('span', { class: 'stmt-params' }, `\n[${error.params.join(', ')}]`) : null,
        )
      : null,
  );
}

export function renderTimeout(seconds: number): HTMLElement {
  return h(
    'div',
    { class: 'problem problem-run', 'data-testid': 'run-error', role: 'alert' },
    h('div', { class: 'problem-head' }, h('strong', {}, 'Stopped')),
    h(
      'p',
      { class: 'problem-message' },
      `The code ran for ${seconds} s without finishing (a loop that never ends?), so it was stopped.`,
    ),
  );
}

export function renderTypeErrors(diagnostics: readonly Diagnostic[], runAnyway: () => void): HTMLElement {
  return h(
    'div',
    { class: 'problem problem-types', 'data-testid': 'type-errors', role: 'alert' },
    h(
      'div',
      { class: 'problem-head' },
      h('strong', {}, `${plural(diagnostics.length, 'type error')}`),
      h('span', { class: 'problem-where' }, 'TypeScript would not compile this'),
    ),
    h(
      'ul',
      { class: 'diagnostics' },
      diagnostics.map((d) =>
        h(
          'li',
          {},
          h('span', { class: 'diag-at' }, `${d.line}:${d.column}`),
          h('span', { class: 'diag-code' }, `TS${d.code}`),
          h('span', { class: 'diag-msg' }, d.message),
        ),
      ),
    ),
    (() => {
      const button = h(
        'button',
        { class: 'btn btn-quiet', type: 'button', 'data-action': 'run-anyway' },
        'Run it anyway',
      );
      button.addEventListener('click', runAnyway);
      return button;
    })(),
  );
}

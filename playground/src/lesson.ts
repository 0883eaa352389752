/**
 * One section of the walk-through: the tutorial's prose and code, the editable Relata twin, and its
 * last result. Run = type-check, then (if it compiles, or the reader insists) run in the worker.
 */
import type { Checker } from './checker/client.js';
import type { CheckResult } from './checker/protocol.js';
import { RUN_TIMEOUT_MS, type Runner } from './runner/client.js';
import type { RunReport } from './runner/protocol.js';
import type { Section } from './sections.js';
import { h, plural } from './ui/dom.js';
import { createEditor, type CodeEditor } from './ui/editor.js';
import {
  renderOutput,
  renderRunError,
  renderSql,
  renderSummary,
  renderTimeout,
  renderTypeErrors,
} from './ui/render.js';

/** Lines V8 puts before the body of `new AsyncFunction(...)` in stack traces. */
const FUNCTION_HEADER_LINES = 2;

export class Lesson {
  readonly element: HTMLElement;
  private readonly editor: CodeEditor;
  private readonly results: HTMLElement;
  private readonly checkStatus: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private checkTimer: ReturnType<typeof setTimeout> | undefined;
  private runs = 0;

  constructor(
    private readonly section: Section,
    index: number,
    private readonly checker: Checker,
    private readonly runner: Runner,
  ) {
    this.runButton = h(
      'button',
      { class: 'btn btn-run', type: 'button', 'data-action': 'run', title: 'Run (Ctrl+Enter)' },
      'Run ▶',
    );
    this.runButton.addEventListener('click', () => void this.run());
    const reset = h('button', { class: 'btn btn-quiet', type: 'button', 'data-action': 'reset' }, 'Reset');
    reset.addEventListener('click', () => {
      this.editor.setCode(section.code);
      void this.run();
    });
    this.checkStatus = h('span', { class: 'check-status', 'data-testid': 'check-status' }, 'checking types…');
    const editorHost = h('div', { class: 'editor' });
    this.results = h(
      'div',
      { class: 'results', 'aria-live': 'polite' },
      h('p', { class: 'results-placeholder' }, 'Waiting for SQLite…'),
    );

    this.element = h(
      'section',
      { class: 'lesson', id: section.id, 'data-section': section.id, 'data-state': 'idle', 'data-runs': 0 },
      h(
        'header',
        { class: 'lesson-head' },
        h('span', { class: 'lesson-no' }, String(index + 1)),
        h('h2', {}, section.title),
      ),
      h(
        'div',
        { class: 'lesson-intro' },
        h(
          'div',
          { class: 'lesson-text' },
          [...section.intro, ...section.outro].map((p) => h('p', { class: 'prose' }, p)),
        ),
        h(
          'figure',
          { class: 'seed-code' },
          h('figcaption', {}, 'In the tutorial · Flask-SQLAlchemy'),
          h('pre', {}, h('code', {}, section.python)),
        ),
      ),
      h(
        'div',
        { class: 'workbench' },
        h(
          'div',
          { class: 'workbench-head' },
          h(
            'span',
            { class: 'workbench-title' },
            'In Relata · ',
            h('code', {}, section.fileName),
            h('span', { class: 'editable' }, 'editable'),
          ),
          this.checkStatus,
          h('span', { class: 'spacer' }),
          reset,
          this.runButton,
        ),
        editorHost,
        h('p', { class: 'watch' }, h('strong', {}, 'Look for: '), section.watch),
        this.results,
      ),
    );
    this.editor = createEditor(editorHost, section.code, {
      run: () => void this.run(),
      change: () => this.scheduleCheck(),
    });
  }

  private setState(state: 'idle' | 'running' | 'done' | 'type-error' | 'error'): void {
    this.element.dataset.state = state;
    this.runButton.disabled = state === 'running';
    this.runButton.textContent = state === 'running' ? 'Running…' : 'Run ▶';
  }

  private scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkStatus.textContent = 'checking types…';
    this.checkStatus.className = 'check-status';
    this.checkTimer = setTimeout(() => void this.check(), 400);
  }

  private async check(): Promise<CheckResult> {
    const code = this.editor.getCode();
    const result = await this.checker.check(this.section.fileName, code);
    if (this.editor.getCode() === code) this.showCheck(result);
    return result;
  }

  private showCheck(result: CheckResult): void {
    this.editor.showDiagnostics(result.diagnostics);
    const n = result.diagnostics.length;
    this.checkStatus.textContent = n ? `✗ ${plural(n, 'type error')}` : '✓ types check';
    this.checkStatus.className = `check-status ${n ? 'is-bad' : 'is-good'}`;
  }

  /** Type-checks, then runs unless there are type errors (`force` runs anyway). */
  async run(force = false): Promise<void> {
    clearTimeout(this.checkTimer);
    this.setState('running');
    const checked = await this.check();
    if (checked.diagnostics.length && !force) {
      this.results.replaceChildren(renderTypeErrors(checked.diagnostics, () => void this.run(true)));
      this.finish('type-error');
      return;
    }
    const outcome = await this.runner.run(checked.js, this.section.fileName);
    if (outcome.kind === 'timeout') {
      this.results.replaceChildren(renderTimeout(RUN_TIMEOUT_MS / 1000));
      this.finish('error');
      return;
    }
    this.showReport(outcome.report, checked);
    this.finish(outcome.report.error ? 'error' : 'done');
  }

  private finish(state: 'done' | 'type-error' | 'error'): void {
    this.runs++;
    this.element.dataset.runs = String(this.runs);
    this.setState(state);
  }

  private showReport(report: RunReport, checked: CheckResult): void {
    const ctx = {
      fileName: this.section.fileName,
      lineOf: (jsLine: number) => checked.lineMap[jsLine - 1 - FUNCTION_HEADER_LINES] || null,
    };
    const jsLine = report.error?.jsLine;
    const line = jsLine ? ctx.lineOf(jsLine) : null;
    if (report.error && line)
      this.editor.showDiagnostics(checked.diagnostics, {
        line,
        message: `${report.error.name}: ${report.error.message}`,
      });
    const panels = h('div', { class: 'panels' }, renderOutput(report, ctx), renderSql(report));
    this.results.replaceChildren(
      renderSummary(report),
      ...(report.error ? [renderRunError(report.error, line)] : []),
      panels,
    );
  }

  showStartupError(message: string): void {
    this.results.replaceChildren(
      h('div', { class: 'problem problem-run', role: 'alert' }, h('p', { class: 'problem-message' }, message)),
    );
  }
}

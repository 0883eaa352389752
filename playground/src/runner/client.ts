/**
 * The page's side of the runner worker. Runs go one at a time; a run that takes too long (a loop
 * that never ends) ends the worker, and a new one starts for the next run.
 */
import type { RunReport, RunnerMessage } from './protocol.js';

export const RUN_TIMEOUT_MS = 10_000;

export type RunOutcome = { readonly kind: 'done'; readonly report: RunReport } | { readonly kind: 'timeout' };

export class Runner {
  private worker!: Worker;
  private started!: Promise<string>;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor() {
    this.start();
  }

  /** Resolves with SQLite's version once SQLite (WebAssembly) has loaded. */
  get ready(): Promise<string> {
    return this.started;
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.started = new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent<RunnerMessage>) => {
        if (event.data.type === 'ready') resolve(event.data.sqliteVersion);
        if (event.data.type === 'failed') reject(new Error(event.data.message));
        if (event.data.type !== 'result') this.worker.removeEventListener('message', onMessage);
      };
      this.worker.addEventListener('message', onMessage);
      this.worker.addEventListener('error', (e) => reject(new Error(e.message || 'the runner worker failed to load')));
    });
  }

  run(js: string, fileName: string): Promise<RunOutcome> {
    const next = this.queue.then(() => this.runNow(js, fileName));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(js: string, fileName: string): Promise<RunOutcome> {
    await this.started;
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise<RunOutcome>((resolve) => {
      const timer = setTimeout(() => {
        worker.removeEventListener('message', onMessage);
        worker.terminate();
        this.start();
        resolve({ kind: 'timeout' });
      }, RUN_TIMEOUT_MS);
      const onMessage = (event: MessageEvent<RunnerMessage>) => {
        const msg = event.data;
        if (msg.type !== 'result' || msg.id !== id) return;
        clearTimeout(timer);
        worker.removeEventListener('message', onMessage);
        resolve({ kind: 'done', report: msg.report });
      };
      worker.addEventListener('message', onMessage);
      worker.postMessage({ id, js, fileName });
    });
  }
}

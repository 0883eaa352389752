/** The page's side of the TypeScript worker: one request at a time, answered in order. */
import type { CheckResult, CheckerMessage } from './protocol.js';

export class Checker {
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private readonly pending = new Map<number, (result: CheckResult) => void>();
  private nextId = 1;
  /** Resolves with TypeScript's version once the worker has loaded. */
  readonly ready: Promise<string>;

  constructor() {
    this.ready = new Promise((resolve, reject) => {
      this.worker.addEventListener('error', (e) =>
        reject(new Error(e.message || 'the TypeScript worker failed to load')),
      );
      this.worker.addEventListener('message', (event: MessageEvent<CheckerMessage>) => {
        const msg = event.data;
        if (msg.type === 'ready') resolve(msg.version);
        else {
          this.pending.get(msg.result.id)?.(msg.result);
          this.pending.delete(msg.result.id);
        }
      });
    });
  }

  check(fileName: string, code: string): Promise<CheckResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, fileName, code });
    });
  }
}

/**
 * N+1 reports: the same relationship lazily loaded for several objects of one query result, with
 * the first stack frame outside Relata (where the user touched it) and the option that would fix it.
 */
import { NPlusOneError } from '../errors.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { LoadBatch } from './context.js';

/**
 * What a session does when one relationship is lazily loaded for several objects of one result (N+1): `'warn'` once with the call site and the option that would fix it (the default outside production), `'raise'` an NPlusOneError, or `'off'`.
 *
 * @example
 * ```ts
 * import { Database, type NPlusOneMode } from 'relata';
 *
 * const mode: NPlusOneMode = process.env.CI ? 'raise' : 'warn';
 * const db = new Database('sqlite://', { nPlusOne: mode });
 * ```
 */
export type NPlusOneMode = 'warn' | 'raise' | 'off';

export class NPlusOneReporter {
  private readonly warned = new Set<string>();

  constructor(
    public mode: NPlusOneMode,
    private readonly warn: (message: string) => void,
  ) {}

  /** Called for each lazy load of `prop` on an object of `batch` that runs SQL. */
  noteLazyLoad(batch: LoadBatch, prop: RelationshipProperty, siteError: Error | null): void {
    if (this.mode === 'off') return;
    const n = (batch.lazyCounts.get(prop) ?? 0) + 1;
    batch.lazyCounts.set(prop, n);
    if (n !== 2) return;
    const site = callSite(siteError ?? new Error());
    const fix = prop.uselist ? 'selectinload' : 'joinedload';
    const message =
      `N+1 query: ${prop.name} was lazily loaded for several ${prop.parent.name} objects of one query result ` +
      `(${batch.size} rows), one SELECT each${site ? `, at ${site}` : ''}. ` +
      `Load them together: .options(${fix}(${prop.name}))`;
    if (this.mode === 'raise') throw new NPlusOneError(message);
    const once = `${prop.name}@${site}`;
    if (this.warned.has(once)) return;
    this.warned.add(once);
    this.warn(`[relata] ${message}`);
  }
}

/** The first stack frame outside Relata: where the user touched the relationship. */
function callSite(err: Error): string | null {
  const stack = err.stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    if (/[\\/](src|dist)[\\/](orm|engine|sql|dialects)[\\/]/.test(line) || line.includes('node:internal')) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (m) return relativePath(m[1]!);
  }
  return null;
}

function relativePath(location: string): string {
  const cwd = typeof process !== 'undefined' && typeof process.cwd === 'function' ? process.cwd() + '/' : '';
  return location.replace(/^file:\/\//, '').replace(cwd, '');
}

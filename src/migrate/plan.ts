/**
 * Which migrations `up(target)` and `down(target)` run, from the chain and the version table.
 */
import type { LoadedMigration } from './chain.js';
import { MigrationError } from './errors.js';
import type { AppliedRow } from './version-table.js';

/** One migration to run, and which way. */
export interface PlannedStep {
  readonly entry: LoadedMigration;
  readonly direction: 'up' | 'down';
}

/** The index in the chain of `target`: an id, or a prefix of exactly one id. */
export function resolveTarget(chain: readonly LoadedMigration[], target: string): number {
  const exact = chain.findIndex((m) => m.migration.id === target);
  if (exact >= 0) return exact;
  const matches = chain.flatMap((m, i) => (m.migration.id.startsWith(target) ? [i] : []));
  if (matches.length === 1) return matches[0]!;
  const ids = chain.map((m) => m.migration.id);
  if (matches.length > 1) {
    throw new MigrationError(`target '${target}' matches several migrations: ${matches.map((i) => ids[i]).join(', ')}`);
  }
  throw new MigrationError(`no migration '${target}' (migrations: ${ids.length ? ids.join(', ') : 'none'})`);
}

function checkKnown(chain: readonly LoadedMigration[], applied: readonly AppliedRow[]): Set<string> {
  const ids = new Set(chain.map((m) => m.migration.id));
  const unknown = applied.filter((r) => !ids.has(r.id)).map((r) => r.id);
  if (unknown.length) {
    throw new MigrationError(
      `the database has migrations applied that no migration file has: ${unknown.join(', ')} ` +
        `(a file deleted or renamed after it was applied?); restore the file, or delete its row from relata_migrations`,
    );
  }
  return new Set(applied.map((r) => r.id));
}

/** Pending migrations up to and including `target` ('head' or absent: the last), in chain order. */
export function planUp(
  chain: readonly LoadedMigration[],
  applied: readonly AppliedRow[],
  target?: string,
): PlannedStep[] {
  const done = checkKnown(chain, applied);
  const last = target === undefined || target === 'head' ? chain.length - 1 : resolveTarget(chain, target);
  return chain
    .slice(0, last + 1)
    .filter((m) => !done.has(m.migration.id))
    .map((entry) => ({ entry, direction: 'up' }));
}

/**
 * Applied migrations to revert, last first: the last one (no target), those after `target` (which
 * stays applied), or all ('base').
 */
export function planDown(
  chain: readonly LoadedMigration[],
  applied: readonly AppliedRow[],
  target?: string,
): PlannedStep[] {
  const done = checkKnown(chain, applied);
  const appliedChain = chain.filter((m) => done.has(m.migration.id));
  let revert: LoadedMigration[];
  if (target === undefined) revert = appliedChain.slice(-1);
  else if (target === 'base') revert = appliedChain;
  else {
    const index = resolveTarget(chain, target);
    const id = chain[index]!.migration.id;
    if (!done.has(id)) {
      throw new MigrationError(`cannot revert down to '${id}': it is not applied (down keeps the target applied)`);
    }
    revert = chain.slice(index + 1).filter((m) => done.has(m.migration.id));
  }
  return revert.reverse().map((entry) => ({ entry, direction: 'down' }));
}

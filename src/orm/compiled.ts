/**
 * Compiled loads, cached by statement shape. A query run again with other values (`session.get(User, 7)`,
 * the lazy load of another user's posts, a selectin load of another set of keys) skips planning,
 * building its SELECT and compiling it: SQLAlchemy's compiled cache, kept at the ORM level so the
 * loading plan is reused too.
 */
import type { ShapedSql } from '../sql/compiler.js';
import type { SqlType } from '../sql/types.js';
import type { EntityPlan } from './loading.js';

export interface CompiledLoad {
  readonly sql: ShapedSql;
  readonly plan: EntityPlan;
  /** How many entity plans `plan` holds (LoadContext keeps one identity map per plan). */
  readonly planCount: number;
  readonly exactIntegers: readonly boolean[] | undefined;
  /** For selectin and lazy loads: the result columns holding the parent's key, to group rows by parent. */
  readonly groupBy: readonly number[];
  /** For selectin and lazy loads: the types binding the parents' key values, column by column. */
  readonly keyTypes: readonly (SqlType<unknown> | null)[];
}

/** SQLAlchemy's default compiled-cache size. */
const CAPACITY = 500;

/** One dialect's compiled loads, by shape key. Bounded: the oldest entry makes room for a new one. */
export class CompiledLoads {
  private readonly entries = new Map<string, CompiledLoad>();

  get(key: string): CompiledLoad | undefined {
    return this.entries.get(key);
  }

  set(key: string, load: CompiledLoad): void {
    if (this.entries.size >= CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, load);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Compiled loads, cached by statement shape. A query run again with other values (`session.get(User, 7)`,
 * the lazy load of another user's posts, a selectin load of another set of keys) skips planning,
 * building its SELECT and compiling it: SQLAlchemy's compiled cache, kept at the ORM level so the
 * loading plan is reused too.
 */
import { BoundedMap, COMPILED_CACHE_SIZE } from '../../sql/bounded.js';
import type { ShapedSql } from '../../sql/compiler.js';
import type { SqlType } from '../../sql/types.js';
import type { EntityPlan } from './planner.js';

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

/** One dialect's compiled loads, by shape key. */
export class CompiledLoads extends BoundedMap<string, CompiledLoad> {
  constructor() {
    super(COMPILED_CACHE_SIZE);
  }
}

/**
 * `session.query(User).fromStatement(text('SELECT … FROM users …'))` (SQLAlchemy's
 * `from_statement()`): objects loaded from a statement the user wrote. The result's columns are
 * matched to the model's by name (SQL name, else attribute key), the objects go through the identity
 * map, and relationship options that load by a query of their own (selectin) still run.
 */
import { ArgumentError } from '../../sql/errors.js';
import { InvalidRequestError } from '../errors.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import { CompoundSelect } from '../../sql/compound.js';
import { TextClause } from '../../sql/expressions.js';
import { Select } from '../../sql/selectable.js';
import { LoadBatch, LoadContext } from '../loading/context.js';
import { buildLoadTree } from '../loading/load-tree.js';
import { Planner, type EntityPlan } from '../loading/planner.js';
import { columnPropertiesOf } from '../mapping/column-property.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import type { QueryState } from './state.js';
import { objectsFromRows } from './terminal.js';

/**
 * What `fromStatement()` takes: `text('SELECT …')`, or a Core select or compound.
 *
 * @example
 * ```ts
 * import { select, text, type FromStatement } from 'relata';
 *
 * const byHand: FromStatement = text('SELECT * FROM users WHERE id < ?', [10]);
 * const users = await session.query(User).fromStatement(byHand).all();
 * const core: FromStatement = select(User.id, User.username, User.email).where(User.id.lt(10));
 * ```
 */
export type FromStatement = TextClause | Select | CompoundSelect;

/** Refuses what is not a statement, and the query clauses the statement would make meaningless. */
export function checkFromStatement(mapper: Mapper, stmt: unknown): FromStatement {
  if (stmt instanceof TextClause || stmt instanceof Select || stmt instanceof CompoundSelect) return stmt;
  throw new ArgumentError(
    `${mapper.name} query fromStatement() takes text('SELECT …') or a select, got ${typeof stmt}`,
  );
}

/** The clauses of `state` that a statement of its own would ignore. */
export function clausesBesideStatement(state: QueryState): string[] {
  const out: string[] = [];
  if (state.where.length) out.push('filters');
  if (state.joins.length) out.push('joins');
  if (state.orderBy.length) out.push('orderBy');
  if (state.limit !== null || state.offset !== null) out.push('limit/offset');
  if (state.distinct) out.push('distinct');
  if (state.polymorphic.length) out.push('withPolymorphic');
  if (state.selected) out.push('columns');
  if (state.groupBy.length || state.having.length) out.push('groupBy/having');
  if (state.locking) out.push('forUpdate (write FOR UPDATE in the statement)');
  if (state.entities[0]!.from.kind === 'table-alias') out.push('alias entity (query the model itself)');
  return out;
}

/** Runs the statement and turns its rows into objects of `mapper`, then runs the follow-up loads. */
export async function loadFromStatement<T>(
  session: Session,
  mapper: Mapper,
  state: QueryState,
  stmt: FromStatement,
): Promise<T[]> {
  const beside = clausesBesideStatement(state);
  if (beside.length) {
    throw new ArgumentError(
      `${mapper.name} query: fromStatement() runs its statement as written and would ignore the query's ${beside.join(', ')}; put them in the statement`,
    );
  }
  if (session.autoflush && session.isDirty) await session.flushNow();
  const planner = new Planner(session);
  const plan = planner.plan(mapper, mapper.table, buildLoadTree(state.options), []);
  if (plan.joined.length > 0) {
    const names = plan.joined.map((j) => `${mapper.name}.${j.prop.name}`).join(', ');
    throw new ArgumentError(
      `${mapper.name} query fromStatement(): ${names} would be loaded by a join, which a statement written by hand cannot take; use selectinload()`,
    );
  }
  if ((plan.columns ?? mapper.columns).length + columnPropertiesOf(mapper).length !== planner.columns.length) {
    // A model with subclasses reads their discriminator and tables too, which a hand-written row has no place for.
    throw new InvalidRequestError(
      `${mapper.name} query fromStatement(): ${mapper.name} is loaded polymorphically (with its subclasses), which fromStatement() does not do yet; query the subclass, or use a query`,
    );
  }
  const result = await session.executeRead(compiled(session, stmt), { columnNames: true });
  const positions = rowPositions(mapper, plan, result.columns ?? []);
  const batch = new LoadBatch(0, mapper.name);
  if (state.populateExisting) batch.populated = new Set();
  const ctx = new LoadContext(session, batch, planner.planCount);
  const rows = result.rows.map((row) => positions.map((i) => row[i]));
  return objectsFromRows<T>(session, ctx, batch, plan, rows, state);
}

function compiled(session: Session, stmt: FromStatement): CompiledStatement {
  if (stmt instanceof TextClause) return { ...session.dialect.compiler.compileText(stmt), returnsRows: true };
  return session.dialect.compiler.compile(stmt);
}

/**
 * For each value the plan reads (the model's columns it loads, then its column properties), where
 * the result has it: by SQL column name, else by attribute key. A missing key column is an error, and
 * so is any other missing column: an object with a column silently unloaded would not be what its
 * type says.
 */
function rowPositions(mapper: Mapper, plan: EntityPlan, names: readonly string[]): number[] {
  const find = (sqlName: string, key: string, what: string): number => {
    for (const name of [sqlName, key]) {
      const first = names.indexOf(name);
      if (first < 0) continue;
      if (names.indexOf(name, first + 1) >= 0) {
        throw new InvalidRequestError(
          `${mapper.name} fromStatement(): the statement returns two columns named '${name}' (for ${what}); alias one of them`,
        );
      }
      return first;
    }
    const pk = mapper.primaryKey.some((p) => p.key === key);
    throw new InvalidRequestError(
      `${mapper.name} fromStatement(): the statement returns no column '${sqlName}' for ${what}` +
        (pk ? ' (a primary key column: objects are identified by it)' : '') +
        `; it returned ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no columns'}`,
    );
  };
  const read = plan.columns ?? mapper.columns;
  const out = read.map((mc) => find(mc.column.name, mc.key, `${mapper.name}.${mc.key}`));
  for (const p of columnPropertiesOf(mapper))
    out.push(find(p.key, p.key, `the column property ${mapper.name}.${p.key}`));
  return out;
}

/**
 * Running a Query: the SELECT that loads its objects (rows to objects, each once, eager loads done)
 * and the SELECT COUNT. The builder's terminal methods (all(), count() and those built on them)
 * delegate here, on a session already checked and configured.
 */
import { loadAggregates } from '../loading/aggregate-load.js';
import { LoadBatch, LoadContext } from '../loading/context.js';
import type { Mapper } from '../mapping/mapper.js';
import type { EntityPlan } from '../loading/planner.js';
import type { Session } from '../session/session.js';
import { nextMark } from '../session/state.js';
import { countSelect } from './compile-query.js';
import { prepareLoad } from './load-cache.js';
import { valueReader } from './column-values.js';
import { ArgumentError } from '../../sql/errors.js';
import type { ColumnElement } from '../../sql/expressions.js';
import type { QueryState } from './state.js';
import type { QueryResult } from '../../dialects/dialect.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import type { Select } from '../../sql/selectable.js';

/** Every object the query matches, in first-seen order, its eager loads done (or its tuples: see loadTuples). */
export async function loadAll<T>(session: Session, mapper: Mapper, state: QueryState): Promise<T[]> {
  if (session.autoflush && session.isDirty) await session.flushNow();
  if (state.selected) return loadTuples(session, mapper, state) as Promise<T[]>;
  const { plan, planCount, statement } = prepareLoad(session, mapper, state);
  const result = await runLoad(session, state, statement);
  const batch = loadBatch(mapper, state);
  return objectsFromRows<T>(session, new LoadContext(session, batch, planCount), batch, plan, result.rows, state);
}

/** Runs a query's SELECT; a lock lasts until the transaction ends, so a locking one begins the session's transaction. */
export function runLoad(
  session: Session,
  state: QueryState,
  statement: Select | CompiledStatement,
): Promise<QueryResult> {
  return state.locking ? session.executeWrite(statement) : session.executeRead(statement);
}

/** The batch a query's rows load into; a locked read is for the current values, as populateExisting(). */
export function loadBatch(mapper: Mapper, state: QueryState): LoadBatch {
  const batch = new LoadBatch(0, mapper.name);
  if (state.populateExisting || state.locking) batch.populated = new Set();
  return batch;
}

/**
 * The objects of `rows` (each once, in first-seen order: joined rows repeat their parent), then
 * their follow-up loads and aggregates: what a query's rows and a fromStatement()'s become.
 */
export async function objectsFromRows<T>(
  session: Session,
  ctx: LoadContext,
  batch: LoadBatch,
  plan: EntityPlan,
  rows: readonly (readonly unknown[])[],
  state: QueryState,
): Promise<T[]> {
  const out: T[] = [];
  const mark = nextMark();
  for (const row of rows) {
    const st = ctx.processRow(row, plan);
    if (st && st.mark !== mark) {
      st.mark = mark;
      out.push(st.obj as T);
    }
  }
  batch.size = out.length;
  const followUps = ctx.finish([plan]);
  if (followUps) await followUps;
  // Aggregates (withCount, …) read what the eager loads reached, so they come last.
  if (state.options.some((o) => o.aggregate)) await loadAggregates(session, out as object[], state.options);
  return out;
}

/** How many objects the query returns. */
export async function countAll(session: Session, mapper: Mapper, state: QueryState): Promise<number> {
  if (session.autoflush && session.isDirty) await session.flushNow();
  const result = await session.executeRead(countSelect(mapper, state));
  return Number(result.rows[0]![0]);
}

/**
 * A tuple query's rows, every one (SQLAlchemy does not de-duplicate them either): the model's
 * object through the identity map, its eager loads done once for all rows, and each column's value
 * read as a column select reads it.
 */
async function loadTuples(session: Session, mapper: Mapper, state: QueryState): Promise<unknown[][]> {
  const selected = state.selected!;
  const withObject = selected.includes(null);
  if (!withObject && state.options.length)
    throw new ArgumentError(`${mapper.name} query of columns only: loader options need the model in the row`);
  const { plan, planCount, statement } = prepareLoad(session, mapper, state);
  const result = await runLoad(session, state, statement);
  const columns = selected.filter((c): c is ColumnElement => c !== null);
  const readers = columns.map((c) => valueReader(session.dialect, c));
  const batch = loadBatch(mapper, state);
  const ctx = new LoadContext(session, batch, planCount);
  const objects = new Set<object>();
  const out = result.rows.map((row) => {
    const first = row.length - columns.length;
    let k = 0;
    return selected.map((c) => {
      if (c === null) {
        const obj = ctx.processRow(row, plan)?.obj ?? null;
        if (obj) objects.add(obj);
        return obj;
      }
      const i = k++;
      const v = row[first + i];
      const read = readers[i];
      return read && v !== null && v !== undefined ? read(v) : v;
    });
  });
  if (withObject) {
    batch.size = objects.size;
    const followUps = ctx.finish([plan]);
    if (followUps) await followUps;
    if (state.options.some((o) => o.aggregate)) await loadAggregates(session, [...objects], state.options);
  }
  return out;
}

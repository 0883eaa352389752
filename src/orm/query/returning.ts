/**
 * Bulk INSERT, UPDATE and DELETE with RETURNING: the rows they wrote come back as typed rows
 * (`returning(Tag.id, Tag.name)`) or as objects (`returning(Tag)`) that go through the session's
 * identity map, as SQLAlchemy's ORM-enabled `insert(Tag).returning(Tag)` does: an object already
 * loaded takes the values read (populate-existing), one not loaded is made, and a deleted row's
 * object is deleted in the session.
 */
import { processorFor } from '../../dialects/processors.js';
import { ArgumentError } from '../../sql/errors.js';
import { ColumnRef } from '../../sql/expressions.js';
import type { Column } from '../../sql/schema.js';
import { LoadBatch, LoadContext } from '../loading/context.js';
import { Planner, type EntityPlan } from '../loading/planner.js';
import { ColumnAttribute } from '../mapping/attributes.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';
import type { DeleteStatement, InsertStatement, UpdateStatement } from './statements.js';
import { ownColumn } from './upsert.js';

/**
 * The row type of `returning(Tag.id, Tag.name)`: `{ id: number; name: string }`.
 *
 * @example
 * ```ts
 * import type { ReturnedRow } from 'relata';
 *
 * const row: ReturnedRow<[typeof Tag.id, typeof Tag.name]> = { id: 1, name: 'orm' };
 * ```
 */
export type ReturnedRow<A extends readonly unknown[]> = {
  [C in A[number] as C extends ColumnAttribute<unknown, infer K> ? K : never]: C extends ColumnAttribute<
    infer V,
    string
  >
    ? V
    : never;
};

type Writing = InsertStatement<unknown> | UpdateStatement<unknown> | DeleteStatement;

/**
 * A bulk statement with RETURNING, from `.returning(...)`: `session.execute()` resolves to its rows
 * (`R` is a row type or the model).
 *
 * @example
 * ```ts
 * import { insert, type ReturningStatement } from 'relata';
 *
 * const stmt: ReturningStatement<{ id: number }> = insert(Tag).values({ name: 'x' }).returning(Tag.id);
 * const [row] = await session.execute(stmt);
 * console.log(row?.id);
 * ```
 */
export class ReturningStatement<R> {
  /** @internal Tells the statements apart. */
  readonly kind = 'bulk-returning';
  /** Type-only: what each returned row is. */
  declare readonly __row: R;
  private constructor(
    /** @internal The INSERT, UPDATE or DELETE. */
    readonly statement: Writing,
    /** @internal The attributes returned, or null for objects of the model. */
    readonly attributes: readonly ColumnAttribute[] | null,
  ) {}

  /** @internal `returning(Model)` or `returning(...attributes)`, checked against the statement's model. */
  static of(statement: Writing, what: readonly unknown[]): ReturningStatement<unknown> {
    const mapper = statement.mapper;
    const where = `${verb(statement)}(${mapper.name}).returning()`;
    if (what.length === 1 && what[0] === mapper.cls) return new ReturningStatement(statement, null);
    if (what.length === 0) throw new ArgumentError(`${where} needs the model (${mapper.name}) or some of its columns`);
    for (const w of what) {
      if (typeof w === 'function')
        throw new ArgumentError(
          `${where}: returns ${mapper.name} objects or columns of ${mapper.name}, not another model`,
        );
      ownColumn(mapper, w, where, 'returning()');
    }
    return new ReturningStatement(statement, what as ColumnAttribute[]);
  }
}

function verb(s: Writing): string {
  return s.kind === 'bulk-insert' ? 'insert' : s.kind === 'bulk-update' ? 'update' : 'delete';
}

/** What to ask the database for, and how to read it back. */
export interface Reading {
  readonly columns: Column[];
  read(session: Session, rows: readonly (readonly unknown[])[]): unknown[];
}

/** Runs a statement with RETURNING in the session's transaction and returns its rows or objects. */
export async function executeReturning(session: Session, stmt: ReturningStatement<unknown>): Promise<unknown[]> {
  const s = stmt.statement;
  const mapper = s.mapper;
  const reading = stmt.attributes ? rowsOf(session, stmt.attributes) : objectsReading(session, mapper, verb(s));
  if (s.kind === 'bulk-insert') {
    const out: unknown[] = [];
    for (const node of s.toNodes(reading.columns)) {
      const result = await session.executeWrite(node);
      for (const x of reading.read(session, result.rows)) out.push(x);
    }
    return out;
  }
  // The primary key comes back too, so the objects of this session that the statement changed follow it.
  const pkCols = mapper.primaryKey.map((pk) => pk.column);
  const columns = [...reading.columns, ...pkCols.filter((c) => !reading.columns.includes(c))];
  const node = s.toNode(columns);
  const result = await session.executeWrite(node);
  const out = reading.read(session, result.rows);
  const loaded = session.loadedObjects(mapper);
  const affected: InstanceState[] = [];
  if (loaded && loaded.size) {
    const at = pkCols.map((c) => columns.indexOf(c));
    for (const row of result.rows) {
      const key = mapper.keyFromValues(Object.fromEntries(mapper.primaryKey.map((pk, i) => [pk.key, row[at[i]!]])));
      const st = loaded.get(key);
      if (st) affected.push(st);
    }
  }
  if (s.kind === 'bulk-update') {
    if (stmt.attributes) for (const st of affected) setChanged(st, s.changes as Record<string, unknown>);
  } else {
    for (const st of affected) session.registerDeleted(st);
  }
  return out;
}

function setChanged(st: InstanceState, changes: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(changes)) {
    st.v[k] = v;
    if (st.orig) delete st.orig[k];
  }
}

/** Typed rows keyed by attribute, values converted by each column's type. */
function rowsOf(session: Session, attributes: readonly ColumnAttribute[]): Reading {
  const columns = attributes.map((a) => a.column);
  const processors = columns.map((c) => processorFor(session.dialect, c.type));
  return {
    columns,
    read: (_session, rows) =>
      rows.map((row) => {
        const out: Record<string, unknown> = {};
        attributes.forEach((a, i) => {
          const v = row[i];
          const p = processors[i];
          out[a.key] = p && v !== null && v !== undefined ? p(v) : v;
        });
        return out;
      }),
  };
}

/** @internal Objects of the model, through the identity map: the values read overwrite a loaded object's. */
export function objectsReading(session: Session, mapper: Mapper, verbName: string): Reading {
  session.registry.configure();
  const planner = new Planner(session);
  const plan: EntityPlan = planner.plan(mapper, mapper.table, new Map(), []);
  const columns = planner.columns.map((c) => {
    if (c instanceof ColumnRef && c.from === mapper.table) return c.column;
    throw new ArgumentError(
      `${verbName}(${mapper.name}).returning(${mapper.name}): RETURNING reads the table's own columns, and ` +
        `${c.describe()} is an expression; return the columns (returning(${mapper.name}.id, …)) and query the objects`,
    );
  });
  return {
    columns,
    read: (s, rows) => {
      const batch = new LoadBatch(0, mapper.name);
      batch.populated = new Set();
      const ctx = new LoadContext(s, batch, planner.planCount);
      const out: unknown[] = [];
      const seen = new Set<InstanceState>();
      for (const row of rows) {
        const st = ctx.processRow(row, plan);
        if (st && !seen.has(st)) {
          seen.add(st);
          out.push(st.obj);
        }
      }
      batch.size = out.length;
      return out;
    },
  };
}

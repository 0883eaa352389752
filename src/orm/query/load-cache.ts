/**
 * The compiled-load cache of queries: a query's shape (everything that decides its SQL and plan, its
 * bound values aside) is the key, so a query of a shape that ran before skips planning and compiling.
 * Any QueryState field that changes the SQL or the plan must be written into the shape here.
 */
import type { CompiledStatement } from '../../sql/compiler.js';
import type { Select } from '../../sql/selectable.js';
import { ShapeKey, schemaId } from '../../sql/shape.js';
import { exactIntegerColumns } from '../../engine/engine.js';
import type { EntityPlan } from '../loading/planner.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import { compileLoad } from './compile-query.js';
import type { QueryState } from './state.js';

/** What running a query needs: the plan for its rows and the statement, compiled when it came from the cache. */
export interface PreparedLoad {
  readonly plan: EntityPlan;
  readonly planCount: number;
  readonly statement: Select | CompiledStatement;
}

/**
 * The plan and statement for running the query: from the compiled-load cache when a query of the
 * same shape ran before (only the bound values are new), else planned, compiled and cached.
 */
export function prepareLoad(session: Session, mapper: Mapper, state: QueryState): PreparedLoad {
  const shape = new ShapeKey();
  writeShape(shape, mapper, state);
  let load = shape.cacheable ? session.compiled.get(shape.key) : undefined;
  if (!load) {
    const { select, plan, planCount } = compileLoad(session, mapper, state);
    const sql = shape.cacheable ? session.dialect.compiler.compileShape(select, shape) : null;
    if (!sql) return { plan, planCount, statement: select };
    load = { sql, plan, planCount, exactIntegers: exactIntegerColumns(select), groupBy: [], keyTypes: [] };
    session.compiled.set(shape.key, load);
  }
  const statement: CompiledStatement = {
    sql: load.sql.sql,
    params: load.sql.params(shape),
    returnsRows: true,
    exactIntegers: load.exactIntegers,
  };
  return { plan: load.plan, planCount: load.planCount, statement };
}

/** Everything that decides the query's SQL and plan, its bound values aside (see ShapeKey). */
function writeShape(k: ShapeKey, mapper: Mapper, s: QueryState): void {
  k.raw(`q${schemaId(mapper.table)}`);
  // Classes sharing a table (single-table inheritance) load differently: the class is part of the shape.
  if (mapper.inheritance.polymorphic) {
    k.text(mapper.name);
    for (const m of s.polymorphic) k.text(m.name);
  }
  if (s.distinct) k.raw('D');
  k.raw(`w${s.where.length}`);
  for (const w of s.where) k.element(w);
  k.raw(`o${s.orderBy.length}`);
  for (const o of s.orderBy) k.orderBy(o);
  if (s.limit !== null) k.raw(`n${s.limit}`);
  if (s.offset !== null) k.raw(`s${s.offset}`);
  k.raw(`j${s.joins.length}`);
  for (const j of s.joins) {
    k.raw(j.outer ? '<' : '=');
    k.from(j.right);
    k.element(j.on);
  }
  writeOptionsShape(k, s);
  writeRowShape(k, s);
}

/** A tuple query's columns (`-` marks the model's object), GROUP BY and HAVING. */
function writeRowShape(k: ShapeKey, s: QueryState): void {
  if (s.selected) {
    k.raw(`r${s.selected.length}(`);
    for (const c of s.selected) {
      if (c === null) k.raw('-');
      else k.element(c);
    }
    k.raw(')');
  }
  if (s.groupBy.length) {
    k.raw(`g${s.groupBy.length}`);
    for (const g of s.groupBy) k.element(g);
  }
  if (s.having.length) {
    k.raw(`h${s.having.length}`);
    for (const h of s.having) k.element(h);
  }
}

function writeOptionsShape(k: ShapeKey, s: QueryState): void {
  k.raw(`p${s.options.length}`);
  for (const opt of s.options) {
    k.raw(`(${opt.steps.length}`);
    for (const step of opt.steps) {
      k.text(step.attribute.property.name);
      k.raw(step.strategy);
      if (step.alias) k.from(step.alias);
      k.raw(';');
    }
    if (opt.columns) {
      k.raw(`c${opt.columns.mode}`);
      if (opt.columns.group !== null) k.text(opt.columns.group);
      for (const c of opt.columns.columns) k.text(`${c.mapper.name}.${c.key}`);
    }
  }
}

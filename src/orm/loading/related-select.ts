/**
 * The SELECT of a related load (the children of a batch of parents, or of one parent for a lazy
 * load): the target with its eager relationships planned, filtered on the parents' keys, compiled
 * once per shape and kept in the compiled-load cache.
 */
import {
  BinaryExpression,
  ColumnRef,
  InExpression,
  TupleInExpression,
  and_,
  bindValue,
  type BindParameter,
  type ColumnElement,
} from '../../sql/expressions.js';
import { exactIntegerColumns } from '../../engine/engine.js';
import type { Column } from '../../sql/schema.js';
import { Join, Select, type FromClause } from '../../sql/selectable.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import type { CompiledLoad } from './compiled.js';
import { loadTreeKey, type LoadNode } from './load-tree.js';
import { Planner } from './planner.js';
import { columnPosition } from './column-plan.js';

/**
 * The compiled SELECT loading `prop` for `values.length / width` parents (IN over their keys, or =
 * for one), from the compiled-load cache: lazy loads and selectin batches of one size share it. On a
 * miss it is built with `values` bound; later batches of the same size only bind theirs.
 */
export function relatedLoad(
  session: Session,
  prop: RelationshipProperty,
  values: readonly unknown[],
  width: number,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
): CompiledLoad {
  const cacheKey = relatedLoadKey(prop, values.length / width, children, path);
  const cached = session.compiled.get(cacheKey);
  if (cached) return cached;
  const load = compileRelatedLoad(session, prop, values, children, path);
  session.compiled.set(cacheKey, load);
  return load;
}

/** The cache key of a related load's shape: how many parents, the relationship, the path and the options. */
function relatedLoadKey(
  prop: RelationshipProperty,
  parents: number,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
): string {
  let cacheKey = `r${parents}:${prop.name.length}:${prop.name}|`;
  for (const p of path) cacheKey += `${p.name.length}:${p.name}`;
  return cacheKey + '|' + loadTreeKey(children);
}

function compileRelatedLoad(
  session: Session,
  prop: RelationshipProperty,
  values: readonly unknown[],
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
): CompiledLoad {
  const target = prop.target;
  const planner = new Planner(session);
  // A joined subclass target is read from its tables' join (its columns resolve to their own table).
  const targetFrom = target.inheritance.selectable;
  const plan = planner.plan(target, targetFrom, children, path);
  let from: FromClause = targetFrom;
  let filterCols: Column[];
  const groupOffset = planner.columns.length;
  if (prop.secondary) {
    from = new Join(from, prop.secondary, prop.targetCondition(prop.secondary, targetFrom), false);
    filterCols = prop.secondaryLocal.map((p) => p.remote);
    for (const c of filterCols) planner.columns.push(new ColumnRef(c, prop.secondary));
  } else {
    filterCols = prop.pairs.map((p) => p.remote);
  }
  const filterFrom = prop.secondary ?? targetFrom;
  const keyFilter = inClause(
    filterCols.map((c) => new ColumnRef(c, filterFrom)),
    values,
  );
  const where: ColumnElement<boolean>[] = [keyFilter.clause];
  if (prop.extraCriteria) where.push(prop.extraCriteria);
  // A single-table subclass target: only the rows of its identities.
  const only = target.inheritance.criterion();
  if (only) where.push(only);
  const orderBy = [...prop.orderBy, ...planner.orderBy];
  const select = new Select({
    columns: planner.columns,
    from: [planner.joinOnto(from)],
    where: and_(...where),
    orderBy,
  });
  const sql = session.dialect.compiler.compileShape(select, {
    nodes: keyFilter.binds,
    indexes: keyFilter.binds.map(() => -1),
  });
  // Every key is its own bound node, so the mapping back to key positions is never ambiguous.
  if (!sql) throw new Error(`internal: the load of ${prop.name} has an ambiguous key mapping`);
  return {
    sql,
    plan,
    planCount: planner.planCount,
    exactIntegers: exactIntegerColumns(select),
    groupBy: prop.secondary
      ? filterCols.map((_, i) => groupOffset + i)
      : filterCols.map((c) => plan.offset + columnPosition(plan.columns, target.columnsByColumn.get(c)!)),
    keyTypes: filterCols.map((c) => c.type),
  };
}

/** The key filter of a related load over `values` (cols.length per parent), and its bound values in order. */
function inClause(
  cols: ColumnRef[],
  values: readonly unknown[],
): { clause: ColumnElement<boolean>; binds: BindParameter[] } {
  const width = cols.length;
  const binds = values.map((v, i) => bindValue(v, cols[i % width]!.sqlType, 'selectin'));
  if (values.length === width) {
    return { clause: and_(...cols.map((c, i) => new BinaryExpression(c, '=', binds[i]!))), binds };
  }
  if (width === 1) return { clause: new InExpression(cols[0]!, binds, false), binds };
  const rows = Array.from({ length: values.length / width }, (_, r) => binds.slice(r * width, (r + 1) * width));
  return { clause: new TupleInExpression(cols, rows), binds };
}

/**
 * A Query's state as Core statements: the SELECT that loads its objects (eager joins planned in, and
 * the parents paged in a subquery when a joined collection would make LIMIT count rows) and the
 * SELECT COUNT that counts them. The builder (query.ts) only collects state; the SQL is decided here.
 */
import { ColumnRef, FunctionCall, OrderByElement, Star, and_, type ColumnElement } from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import { Join, Select, type FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import { Planner, type EntityPlan } from '../loading/planner.js';
import { buildLoadTree, type LoadNode } from '../loading/load-tree.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Column, Table } from '../../sql/schema.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import type { QueryState } from './state.js';
import { InvalidRequestError } from '../errors.js';

/** The SELECT that loads a query's objects, with the plan that turns its rows into them. */
export interface CompiledLoad {
  readonly select: Select;
  readonly plan: EntityPlan;
  readonly planCount: number;
}

export function whereClause(mapper: Mapper, state: QueryState): ColumnElement<boolean> | null {
  // A single-table subclass's rows are those of its identities (its table holds its base's too).
  const only = mapper.inheritance.criterion(rootFrom(state));
  const where = only ? [only, ...state.where] : state.where;
  return where.length ? and_(...where) : null;
}

/** The queried table (a joined subclass's tables, joined) with the query's joins. */
export function fromClause(mapper: Mapper, state: QueryState): FromClause {
  let from: FromClause = rootFrom(state);
  for (const t of polymorphicTables(mapper, state.polymorphic)) from = new Join(from, t.table, t.on, true);
  for (const j of state.joins) from = new Join(from, j.right, j.on, j.outer);
  return from;
}

/** What the queried model is read from: its table(s), or an alias of its table (`session.query(alias)`). */
function rootFrom(state: QueryState): FromClause {
  return state.entities[0]!.from;
}

/** A column of the queried model as the query reads it: through the alias, or from its own table. */
export function rootColumn(state: QueryState, column: Column): ColumnRef {
  const root = rootFrom(state);
  return new ColumnRef(column, root.kind === 'table-alias' ? root : column.table);
}

/** The queried model's rows ordered by primary key (one parent's joined rows together). */
export function byPrimaryKey(mapper: Mapper, state: QueryState): OrderByElement[] {
  return mapper.primaryKey.map((pk) => new OrderByElement(rootColumn(state, pk.column), 'ASC'));
}

/** The tables of `subclasses` a query on `mapper` does not already read, each with its join to its base. */
function polymorphicTables(
  mapper: Mapper,
  subclasses: readonly Mapper[],
): { table: Table; on: ColumnElement<boolean> }[] {
  const have = new Set(mapper.inheritance.tables);
  const out: { table: Table; on: ColumnElement<boolean> }[] = [];
  for (const sub of subclasses) {
    for (const m of sub.inheritance.lineage()) {
      if (have.has(m.table)) continue;
      have.add(m.table);
      out.push({ table: m.table, on: m.inheritance.keyJoin() });
    }
  }
  return out;
}

/** The query's own SELECT of the model's columns, no eager loads: filters, joins, order and paging. */
function parentSelect(mapper: Mapper, state: QueryState): Select {
  return new Select({
    columns: mapper.columns.map((mc) => rootColumn(state, mc.column)),
    from: [fromClause(mapper, state)],
    where: whereClause(mapper, state),
    orderBy: state.orderBy,
    limit: state.limit,
    offset: state.offset,
    distinct: state.distinct,
  });
}

/** SELECT count(*) of the objects the query returns (over a subquery when it joins, is distinct or limited). */
export function countSelect(mapper: Mapper, state: QueryState): Select {
  const simple = state.joins.length === 0 && !state.distinct && state.limit === null && state.offset === null;
  const countStar = new FunctionCall<number>('count', [new Star()]);
  if (simple)
    return new Select({ columns: [countStar], from: [fromClause(mapper, state)], where: whereClause(mapper, state) });
  return new Select({ columns: [countStar], from: [parentSelect(mapper, state).subquery('anon_1')] });
}

/** The SELECT and plan that load the query's objects and the relationships its options eager-load. */
export function compileLoad(session: Session, mapper: Mapper, state: QueryState): CompiledLoad {
  const tree = buildLoadTree(state.options);
  const planner = new Planner(session);
  const polymorphic = polymorphicTables(mapper, state.polymorphic).map((t) => t.table);
  const root = rootFrom(state);
  const plan = planner.plan(mapper, root, tree, [], polymorphic);
  const joinedCollection = plan.joined.some((j) => j.prop.uselist);
  const paged = state.limit !== null || state.offset !== null || state.distinct;
  if (joinedCollection && state.selected)
    throw new ArgumentError(
      `${mapper.name} query of tuples: a joined collection would repeat each row once per child; use selectinload`,
    );
  if (state.locking && plan.joined.length > 0) throw lockWithJoinedLoad(mapper, plan);
  if (joinedCollection && paged) return compilePagedParents(session, mapper, state, tree);
  // A joined collection's own order must not reorder the parents: order by their key first.
  const parentOrder = state.orderBy.length === 0 && planner.orderBy.length > 0 ? byPrimaryKey(mapper, state) : [];
  const select = new Select({
    columns: rowColumns(planner.columns, state),
    from: [planner.joinOnto(fromClause(mapper, state))],
    where: whereClause(mapper, state),
    groupBy: state.groupBy,
    having: state.having.length ? and_(...state.having) : null,
    orderBy: [...state.orderBy, ...parentOrder, ...planner.orderBy],
    limit: state.limit,
    offset: state.offset,
    distinct: state.distinct,
    locking: state.locking,
  });
  return { select, plan, planCount: planner.planCount };
}

/** The model's columns (when the rows hold its object), then the query's own columns, in their order. */
function rowColumns(entityColumns: readonly ColumnElement[], state: QueryState): readonly ColumnElement[] {
  if (!state.selected) return entityColumns;
  const extra = state.selected.filter((c): c is ColumnElement => c !== null);
  return state.selected.includes(null) ? [...entityColumns, ...extra] : extra;
}

/** A lock on a query that joins its eager loads in would lock their rows too (and PostgreSQL refuses the outer side). */
function lockWithJoinedLoad(mapper: Mapper, plan: EntityPlan): InvalidRequestError {
  const names = plan.joined.map((j) => `${mapper.name}.${j.prop.key}`).join(', ');
  return new InvalidRequestError(
    `${mapper.name} query: forUpdate() with joinedload(${names}) would lock the joined rows too, and PostgreSQL ` +
      `refuses FOR UPDATE on the nullable side of an outer join; load ${names} with selectinload() instead`,
  );
}

/** LIMIT must count parents, not joined rows: page the parents in a subquery, join eager tables outside it. */
function compilePagedParents(
  session: Session,
  mapper: Mapper,
  state: QueryState,
  tree: Map<RelationshipProperty, LoadNode>,
): CompiledLoad {
  const sub = parentSelect(mapper, state).subquery('anon_1');
  const planner = new Planner(session);
  const plan = planner.plan(mapper, sub, tree, []);
  const from = rootFrom(state);
  const root = from.kind === 'table-alias' ? from : mapper.table;
  const outerOrder = state.orderBy
    .filter((o) => !(o.element instanceof ColumnRef) || o.element.from === root)
    .map((o) => new OrderByElement(replaceFrom(o.element, root, sub), o.direction));
  const select = new Select({
    columns: planner.columns,
    from: [planner.joinOnto(sub)],
    orderBy: [...outerOrder, ...planner.orderBy],
  });
  return { select, plan, planCount: planner.planCount };
}

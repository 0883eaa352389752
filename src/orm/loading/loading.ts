/**
 * Rows → objects, and the loader strategies: joined eager loading (columns of LEFT OUTER JOINed
 * aliases in the same row), selectin (a second query with IN, batched), and lazy loads (the same
 * query for one parent). Every object goes through the session's identity map.
 */
import type { ResultProcessor } from '../../dialects/dialect.js';
import {
  BinaryExpression,
  BindParameter,
  ColumnRef,
  InExpression,
  TupleInExpression,
  and_,
  bindValue,
  type ColumnElement,
} from '../../sql/expressions.js';
import { exactIntegerColumns } from '../../engine/engine.js';
import type { CompiledLoad } from './compiled.js';
import { KeyMap, type IdentityMap } from '../session/keymap.js';
import type { Column } from '../../sql/schema.js';
import { Join, Select, TableAlias, type FromClause } from '../../sql/selectable.js';
import { OrderByElement } from '../../sql/expressions.js';
import { replaceFrom } from '../../sql/visitors.js';
import type { Mapper, RowReader } from '../mapping/mapper.js';
import type { LoadNode, LoadStrategy } from './options.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import { nextMark, stateOf, type InstanceState } from '../session/state.js';

/**
 * Keys per selectin IN list: as many as the driver's parameter limit allows (DESIGN.md), so loading
 * the children of N parents is one statement, not N/500 as with SQLAlchemy's fixed chunk. Each
 * dialect's `maxParameters` already keeps a margin under the real limit for the query's other
 * parameters (relationship criteria).
 */
export function selectinBatchSize(session: Session, keyWidth: number): number {
  return Math.max(1, Math.floor(session.dialect.compiler.maxParameters / keyWidth));
}

/** One query's result set, so repeated lazy loads across its objects can be reported as N+1. */
export class LoadBatch {
  readonly lazyCounts = new Map<RelationshipProperty, number>();
  constructor(
    public size: number,
    readonly rootName: string,
  ) {}
}

interface JoinedChild {
  readonly prop: RelationshipProperty;
  readonly plan: EntityPlan;
}

interface PostLoad {
  readonly prop: RelationshipProperty;
  readonly children: Map<RelationshipProperty, LoadNode>;
  readonly path: readonly RelationshipProperty[];
}

/** How to read one entity (and what is joined under it) out of a row. */
export interface EntityPlan {
  readonly mapper: Mapper;
  readonly from: FromClause;
  readonly offset: number;
  readonly processors: (ResultProcessor | null)[];
  /** The mapper's row reader for these processors, looked up once per plan rather than per row. */
  readonly read: RowReader;
  /** This plan's number within its query (0 for the root): LoadContext keeps an identity map per number. */
  readonly index: number;
  readonly joined: JoinedChild[];
  readonly post: PostLoad[];
  overrides: Map<RelationshipProperty, LoadStrategy> | null;
}

const NO_OPTIONS = new Map<RelationshipProperty, LoadNode>();

/** Builds the columns, joins and ordering for loading an entity with its eager relationships. */
export class Planner {
  readonly columns: ColumnElement[] = [];
  readonly joins: { right: FromClause; on: ColumnElement<boolean> }[] = [];
  readonly orderBy: OrderByElement[] = [];
  /** How many entity plans this planner made. */
  planCount = 0;
  private aliasCount = 0;

  constructor(private readonly session: Session) {}

  plan(
    mapper: Mapper,
    from: FromClause,
    options: Map<RelationshipProperty, LoadNode>,
    path: readonly RelationshipProperty[],
  ): EntityPlan {
    const offset = this.columns.length;
    for (const mc of mapper.columns) this.columns.push(new ColumnRef(mc.column, from));
    const processors = mapper.processors(this.session.dialect);
    const plan: EntityPlan = {
      mapper,
      from,
      offset,
      processors,
      read: mapper.rowReader(processors),
      index: this.planCount++,
      joined: [],
      post: [],
      overrides: null,
    };
    for (const prop of mapper.relationships.values()) {
      const node = options.get(prop);
      const strategy = node ? node.strategy : defaultStrategy(prop, path);
      const children = node?.children ?? NO_OPTIONS;
      const childPath = [...path, prop];
      if (strategy === 'joined') {
        const alias = this.nextAlias(prop.target.table.name);
        if (prop.secondary) {
          const sec = this.nextAlias(prop.secondary.name, prop.secondary);
          this.joins.push({ right: sec, on: prop.secondaryCondition(from, sec) });
          this.joins.push({ right: alias, on: prop.targetCondition(sec, alias) });
        } else {
          this.joins.push({ right: alias, on: prop.joinCondition(from, alias) });
        }
        for (const o of prop.orderBy)
          this.orderBy.push(new OrderByElement(replaceFrom(o.element, prop.target.table, alias), o.direction));
        plan.joined.push({ prop, plan: this.plan(prop.target, alias, children, childPath) });
      } else if (strategy === 'contains') {
        plan.joined.push({ prop, plan: this.plan(prop.target, node?.alias ?? prop.target.table, children, childPath) });
      } else if (strategy === 'selectin') {
        plan.post.push({ prop, children, path: childPath });
      } else if (node) {
        (plan.overrides ??= new Map()).set(prop, strategy);
      }
    }
    return plan;
  }

  private nextAlias(name: string, table = this.session.registry.metadata.tables.get(name)!): TableAlias {
    return new TableAlias(table, `${name}_${++this.aliasCount}`);
  }

  /** Adds this planner's joins onto a FROM element. */
  joinOnto(from: FromClause): FromClause {
    let out = from;
    for (const j of this.joins) out = new Join(out, j.right, j.on, true);
    return out;
  }
}

/** A relationship's own `lazy=` eager strategy applies unless it would walk back or loop. */
function defaultStrategy(prop: RelationshipProperty, path: readonly RelationshipProperty[]): LoadStrategy {
  if (prop.lazy !== 'joined' && prop.lazy !== 'selectin') return prop.lazy;
  const last = path[path.length - 1];
  if (path.includes(prop) || (last && last.reverse === prop)) return 'select';
  return prop.lazy;
}

/** Marks a parent whose relationship was loaded before this result set: it keeps what it has. */
const KEEP: unique symbol = Symbol('keep');

/** What one joined relationship found for one parent: its children (duplicates possible) or its one object. */
type Collected = InstanceState[] | InstanceState | null | typeof KEEP;

/** Collects what one result set loads, then fills relationships and runs the follow-up loads. */
export class LoadContext {
  // Keyed by joined relationship first, then parent: two Map lookups and an array push per row.
  // Made on first use: a lazy load or a load without eager relationships needs neither.
  private collected: Map<JoinedChild, Map<InstanceState, Collected>> | null = null;
  /** Only for plans with selectin loads to run afterwards. */
  private statesByPlan: Map<EntityPlan, Set<InstanceState>> | null = null;
  /** The session's identity map for each plan's mapper, by plan index: plans outlive sessions (they are cached). */
  private readonly identities: (IdentityMap | undefined)[];

  constructor(
    readonly session: Session,
    readonly batch: LoadBatch | null,
    planCount: number,
  ) {
    this.identities = new Array<IdentityMap | undefined>(planCount).fill(undefined);
  }

  /** The object for the entity of `plan` in `row` (from the identity map when present), with joined children. */
  processRow(row: readonly unknown[], plan: EntityPlan): InstanceState | null {
    const key = plan.mapper.keyFromRow(row, plan.offset);
    if (key === undefined) return null;
    const identity = (this.identities[plan.index] ??= this.session.identityMap(plan.mapper));
    const st = this.session.identityFromRow(identity, key, row, plan, this.batch);
    if (this.batch) st.batch = this.batch;
    if (plan.post.length > 0) {
      this.statesByPlan ??= new Map();
      let set = this.statesByPlan.get(plan);
      if (!set) this.statesByPlan.set(plan, (set = new Set()));
      set.add(st);
    }
    if (plan.overrides) {
      st.loadOptions ??= new Map();
      for (const [p, s] of plan.overrides) st.loadOptions.set(p, s);
    }
    for (let i = 0; i < plan.joined.length; i++) {
      const j = plan.joined[i]!;
      const child = this.processRow(row, j.plan);
      this.collect(st, j, child);
    }
    return st;
  }

  private collect(parent: InstanceState, j: JoinedChild, child: InstanceState | null): void {
    this.collected ??= new Map();
    let byParent = this.collected.get(j);
    if (!byParent) this.collected.set(j, (byParent = new Map()));
    let found = byParent.get(parent);
    if (found === undefined) {
      // Already loaded before this query: keep it (and any in-memory changes) as it is.
      found = parent.isLoaded(j.prop.key) ? KEEP : j.prop.uselist ? [] : null;
      byParent.set(parent, found);
    }
    if (!child || found === KEEP) return;
    if (j.prop.uselist) (found as InstanceState[]).push(child);
    else byParent.set(parent, child);
  }

  /**
   * Sets every collected relationship, then runs selectin loads depth first: returns their promise,
   * or undefined when there are none (callers skip the await, which costs every small query a tick).
   */
  finish(plans: readonly EntityPlan[]): Promise<void> | undefined {
    for (const [j, byParent] of this.collected ?? []) {
      for (const [parent, found] of byParent) {
        if (found === KEEP) continue;
        if (Array.isArray(found)) j.prop.setLoaded(parent, distinctObjects(found));
        else j.prop.setLoaded(parent, found ? found.obj : null);
      }
    }
    this.collected = null;
    if (this.statesByPlan === null) return undefined;
    return this.loadFollowUps(plans);
  }

  private async loadFollowUps(plans: readonly EntityPlan[]): Promise<void> {
    const visit = async (plan: EntityPlan): Promise<void> => {
      const states = plan.post.length > 0 ? this.statesByPlan?.get(plan) : undefined;
      if (states && states.size > 0) {
        for (const p of plan.post) await loadRelated(this.session, [...states], p.prop, p.children, p.path, this.batch);
      }
      for (const j of plan.joined) await visit(j.plan);
    };
    for (const plan of plans) await visit(plan);
  }
}

/** The objects of `states` in order, each once (a row per combination of joined rows repeats them). */
function distinctObjects(states: InstanceState[]): object[] {
  const mark = nextMark();
  const out: object[] = [];
  for (let i = 0; i < states.length; i++) {
    const st = states[i]!;
    if (st.mark === mark) continue;
    st.mark = mark;
    out.push(st.obj);
  }
  return out;
}

/**
 * Loads `prop` for every parent not loaded yet: with `IN` over their keys in chunks (selectin),
 * or for a single parent with `=` (a lazy load). Many-to-one targets already in the identity map
 * cost no SQL.
 */
export async function loadRelated(
  session: Session,
  parents: readonly InstanceState[],
  prop: RelationshipProperty,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
  batch: LoadBatch | null,
): Promise<void> {
  const todo = parents.filter((p) => !p.isLoaded(prop.key));
  if (todo.length < parents.length && children.size > 0)
    await loadIntoKept(session, parents, prop, children, path, batch);
  if (todo.length === 0) return;
  const parentKeyCols = prop.secondary ? prop.secondaryLocal.map((p) => p.local) : prop.pairs.map((p) => p.local);
  const attrs = parentKeyCols.map((c) => prop.parent.columnsByColumn.get(c)!.key);
  const width = attrs.length;
  const keyOf = width === 1 ? singleKey(attrs[0]!) : compositeKey(attrs);
  // Each distinct parent key once, its values flattened in column order (no array per parent).
  const seen = new KeyMap<true>();
  const keyValues: unknown[] = [];
  for (const st of todo) {
    const k = keyOf(st);
    if (k === undefined) {
      prop.setLoaded(st, prop.uselist ? [] : null);
      continue;
    }
    if (todo.length > 1) {
      if (seen.get(k)) continue;
      seen.set(k, true);
    }
    for (const a of attrs) keyValues.push(st.v[a]);
  }
  const found = new KeyMap<object[]>();
  let toQuery = keyValues;
  if (
    prop.direction === 'MANYTOONE' &&
    !prop.extraCriteria &&
    isPrimaryKey(
      prop.target,
      prop.pairs.map((p) => p.remote),
    )
  ) {
    // Many-to-one by primary key: the identity map answers without SQL when it can.
    toQuery = [];
    for (let i = 0; i < keyValues.length; i += width) {
      const values = keyValues.slice(i, i + width);
      const hit = session.lookupIdentity(prop.target, orderedKey(prop, values));
      if (hit) found.set(groupKey(values), [hit.obj]);
      else toQuery.push(...values);
    }
  }
  const perBatch = selectinBatchSize(session, width) * width;
  for (let i = 0; i < toQuery.length; i += perBatch) {
    const batchValues = toQuery.length <= perBatch ? toQuery : toQuery.slice(i, i + perBatch);
    await queryRelated(session, prop, batchValues, width, children, path, batch, found);
  }
  for (const st of todo) {
    if (st.isLoaded(prop.key)) continue;
    const got = found.get(keyOf(st)) ?? NOTHING;
    prop.setLoaded(st, prop.uselist ? got : (got[0] ?? null));
  }
}

const NOTHING: readonly object[] = Object.freeze([]);

/**
 * A relationship loaded before this query keeps what it holds, but the options chained below it
 * (`selectinload(User.posts).selectinload(Post.tags)` with `user.posts` already loaded) still load
 * into its members, so the result is as loaded as its type says. Each level runs as a selectin load
 * over the members (a joined option among them included: there is no row to join onto).
 */
async function loadIntoKept(
  session: Session,
  parents: readonly InstanceState[],
  prop: RelationshipProperty,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
  batch: LoadBatch | null,
): Promise<void> {
  const members: InstanceState[] = [];
  for (const p of parents) {
    if (!p.isLoaded(prop.key)) continue;
    const held = p.rel![prop.key];
    if (Array.isArray(held)) for (const o of held as object[]) members.push(stateOf(o)!);
    else if (held) members.push(stateOf(held as object)!);
  }
  const loadable = members.filter((st) => st.status === 'persistent');
  if (loadable.length === 0) return;
  for (const [childProp, node] of children) {
    if (node.strategy !== 'selectin' && node.strategy !== 'joined') continue;
    await loadRelated(session, loadable, childProp, node.children, [...path, childProp], batch);
  }
}

/** A parent's group key from one attribute; undefined when NULL (nothing to load). */
function singleKey(attr: string): (st: InstanceState) => unknown {
  return (st) => {
    const v = st.v[attr];
    return v === null || v === undefined ? undefined : groupKey1(v);
  };
}

function compositeKey(attrs: readonly string[]): (st: InstanceState) => unknown {
  return (st) => {
    const values = attrs.map((a) => st.v[a]);
    return values.some((v) => v === null || v === undefined) ? undefined : groupKey(values);
  };
}

/** Runs one batch of a related load: `values` holds `width` key values per parent, row by row. */
async function queryRelated(
  session: Session,
  prop: RelationshipProperty,
  values: unknown[],
  width: number,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
  batch: LoadBatch | null,
  found: KeyMap<object[]>,
): Promise<void> {
  const load = relatedLoad(session, prop, values, width, children, path);
  const result = await session.executeRead({
    sql: load.sql.sql,
    params: load.sql.paramsFor(values, load.keyTypes),
    returnsRows: true,
    exactIntegers: load.exactIntegers,
  });
  const plan = load.plan;
  const ctx = new LoadContext(session, batch ?? new LoadBatch(result.rows.length, prop.target.name), load.planCount);
  const groupBy = load.groupBy;
  const single = groupBy.length === 1 ? groupBy[0]! : -1;
  for (const row of result.rows) {
    const st = ctx.processRow(row, plan);
    if (!st) continue;
    const k = single >= 0 ? groupKey1(row[single]) : groupKey(groupBy.map((i) => row[i]));
    const list = found.get(k);
    if (list) list.push(st.obj);
    else found.set(k, [st.obj]);
  }
  const followUps = ctx.finish([plan]);
  if (followUps) await followUps;
}

/**
 * The compiled SELECT loading `prop` for `values.length / width` parents (IN over their keys, or =
 * for one), from the compiled-load cache: lazy loads and selectin batches of one size share it. On a
 * miss it is built with `values` bound; later batches of the same size only bind theirs.
 */
function relatedLoad(
  session: Session,
  prop: RelationshipProperty,
  values: readonly unknown[],
  width: number,
  children: Map<RelationshipProperty, LoadNode>,
  path: readonly RelationshipProperty[],
): CompiledLoad {
  let cacheKey = `r${values.length / width}:${prop.name.length}:${prop.name}|`;
  for (const p of path) cacheKey += `${p.name.length}:${p.name}`;
  cacheKey += '|' + loadTreeKey(children);
  const cached = session.compiled.get(cacheKey);
  if (cached) return cached;
  const target = prop.target;
  const planner = new Planner(session);
  const plan = planner.plan(target, target.table, children, path);
  let from: FromClause = target.table;
  let filterCols: Column[];
  const groupOffset = planner.columns.length;
  if (prop.secondary) {
    from = new Join(from, prop.secondary, prop.targetCondition(prop.secondary, target.table), false);
    filterCols = prop.secondaryLocal.map((p) => p.remote);
    for (const c of filterCols) planner.columns.push(new ColumnRef(c, prop.secondary));
  } else {
    filterCols = prop.pairs.map((p) => p.remote);
  }
  const filterFrom = prop.secondary ?? target.table;
  const keyFilter = inClause(
    filterCols.map((c) => new ColumnRef(c, filterFrom)),
    values,
  );
  const where: ColumnElement<boolean>[] = [keyFilter.clause];
  if (prop.extraCriteria) where.push(prop.extraCriteria);
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
  const load: CompiledLoad = {
    sql,
    plan,
    planCount: planner.planCount,
    exactIntegers: exactIntegerColumns(select),
    groupBy: prop.secondary
      ? filterCols.map((_, i) => groupOffset + i)
      : filterCols.map((c) => plan.offset + target.columnsByColumn.get(c)!.index),
    keyTypes: filterCols.map((c) => c.type),
  };
  session.compiled.set(cacheKey, load);
  return load;
}

const treeKeys = new WeakMap<Map<RelationshipProperty, LoadNode>, string>();

/** A loader option tree as a string (part of a cache key); trees are immutable once built, so memoized. */
function loadTreeKey(tree: Map<RelationshipProperty, LoadNode>): string {
  if (tree.size === 0) return '';
  let key = treeKeys.get(tree);
  if (key === undefined) {
    key = '';
    for (const [prop, node] of tree) {
      key += `${prop.name.length}:${prop.name}${node.strategy}`;
      if (node.alias) key += `@${node.alias.name.length}:${node.alias.name}`;
      key += `(${loadTreeKey(node.children)})`;
    }
    treeKeys.set(tree, key);
  }
  return key;
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

/**
 * True when loading `prop` for one parent needs no SQL: its key is NULL, or it is a many-to-one by
 * primary key whose target is already in the identity map. Such a load is never an N+1.
 */
export function loadsWithoutSql(session: Session, st: InstanceState, prop: RelationshipProperty): boolean {
  const keyCols = prop.secondary ? prop.secondaryLocal.map((p) => p.local) : prop.pairs.map((p) => p.local);
  const values = keyCols.map((c) => st.v[prop.parent.columnsByColumn.get(c)!.key]);
  if (values.some((v) => v === null || v === undefined)) return true;
  if (
    prop.direction !== 'MANYTOONE' ||
    prop.extraCriteria ||
    !isPrimaryKey(
      prop.target,
      prop.pairs.map((p) => p.remote),
    )
  )
    return false;
  return session.lookupIdentity(prop.target, orderedKey(prop, values)) !== undefined;
}

function isPrimaryKey(mapper: Mapper, cols: Column[]): boolean {
  return cols.length === mapper.primaryKey.length && mapper.primaryKey.every((pk) => cols.includes(pk.column));
}

/** Parent-side values reordered to the target's primary key order, as an identity key. */
function orderedKey(prop: RelationshipProperty, values: unknown[]): unknown {
  const byCol = new Map(prop.pairs.map((p, i) => [p.remote, values[i]]));
  const record: Record<string, unknown> = {};
  for (const pk of prop.target.primaryKey) record[pk.key] = byCol.get(pk.column);
  return prop.target.keyFromValues(record);
}

/** A Map key for one or more key values; numbers and bigints of equal value must collide. */
export function groupKey(values: readonly unknown[]): unknown {
  if (values.length === 1) return groupKey1(values[0]);
  return values.map((v) => (typeof v === 'bigint' ? Number(v) : v)).join('\u0000');
}

/** groupKey of a single value, without the array. */
function groupKey1(v: unknown): unknown {
  return typeof v === 'bigint' && v <= MAX_SAFE_BIGINT ? Number(v) : v;
}

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

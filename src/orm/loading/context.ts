/**
 * Rows → objects (SQLAlchemy's loading.py): the LoadContext turns one result set into objects
 * through the session's identity map, fills the relationships read from the same rows, then runs
 * the loads that follow (selectin); and loadRelated, the load of a relationship for a set of
 * parents (a selectin batch, or one parent's lazy load), which reads its rows with a LoadContext.
 * The two call each other (a related load's rows have follow-ups of their own), so they share a file.
 */
import { refuseFullLoad } from '../session/write-only.js';
import { KeyMap, type IdentityMap } from '../session/keymap.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import { nextMark, stateOf, type InstanceState } from '../session/state.js';
import {
  compositeKey,
  groupKey,
  groupKey1,
  keysToQuery,
  parentKeyColumns,
  selectinBatchSize,
  singleKey,
} from './keys.js';
import type { LoadNode } from './load-tree.js';
import type { EntityPlan, JoinedChild } from './planner.js';
import { relatedLoad } from './related-select.js';
import { strategyFor } from './strategies/index.js';
import { loadMissingColumns } from './polymorphic.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';

/** One query's result set, so repeated lazy loads across its objects can be reported as N+1. */
export class LoadBatch {
  readonly lazyCounts = new Map<RelationshipProperty, number>();
  /**
   * Set for a populateExisting query: the objects its rows (eager loads included) have already
   * written over, so each is overwritten once. Null for an ordinary query.
   */
  populated: Set<InstanceState> | null = null;
  /** Set by a stream that expunges its batches: every object its rows and its eager loads created. */
  created: InstanceState[] | null = null;
  constructor(
    public size: number,
    readonly rootName: string,
  ) {}
}

/** The identity key of the entity of `plan` in `row`; undefined when its key columns are NULL. */
export function rowKey(plan: EntityPlan, row: readonly unknown[]): unknown {
  return plan.keyAt === null ? plan.mapper.keyFromRow(row, plan.offset) : keyFromPlannedRow(plan, row);
}

/** The identity key of a row read by a plan of a subset of the columns (see EntityPlan.keyAt). */
function keyFromPlannedRow(plan: EntityPlan, row: readonly unknown[]): unknown {
  const values: Record<string, unknown> = {};
  plan.mapper.primaryKey.forEach((pk, i) => {
    values[pk.key] = row[plan.offset + plan.keyAt![i]!];
  });
  return plan.mapper.keyFromValues(values);
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
  /** Subclass objects whose rows lacked some of their columns (polymorphic loading), by class. */
  private incomplete: Map<Mapper, { missing: readonly MappedColumn[]; states: Set<InstanceState> }> | null = null;
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
    const key = rowKey(plan, row);
    if (key === undefined) return null;
    const identity = (this.identities[plan.index] ??= this.session.identityMap(plan.mapper));
    const st = this.session.identityFromRow(identity, key, row, plan, this.batch);
    if (plan.poly) this.noteIncomplete(plan.poly.missing(st.mapper), st);
    if (this.batch) st.batch = this.batch;
    if (plan.post.length > 0) this.noteForFollowUps(plan, st);
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

  /** A subclass object whose columns the rows did not hold (and that has not loaded them yet). */
  private noteIncomplete(missing: readonly MappedColumn[], st: InstanceState): void {
    if (missing.length === 0 || st.v[missing[0]!.key] !== undefined) return;
    this.incomplete ??= new Map();
    let list = this.incomplete.get(st.mapper);
    if (!list) this.incomplete.set(st.mapper, (list = { missing, states: new Set() }));
    list.states.add(st);
  }

  private noteForFollowUps(plan: EntityPlan, st: InstanceState): void {
    this.statesByPlan ??= new Map();
    let set = this.statesByPlan.get(plan);
    if (!set) this.statesByPlan.set(plan, (set = new Set()));
    set.add(st);
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
    if (this.incomplete !== null) return this.completeThenFollowUps(plans);
    if (this.statesByPlan === null) return undefined;
    return this.loadFollowUps(plans);
  }

  /** Subclass columns first: the follow-up loads may need them (a subclass relationship's foreign key). */
  private async completeThenFollowUps(plans: readonly EntityPlan[]): Promise<void> {
    const incomplete = this.incomplete!;
    this.incomplete = null;
    for (const [cls, { missing, states }] of incomplete)
      await loadMissingColumns(this.session, cls, missing, [...states]);
    if (this.statesByPlan !== null) await this.loadFollowUps(plans);
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
  if (prop.lazy === 'writeOnly') refuseFullLoad(prop, 'this operation');
  const todo = parents.filter((p) => !p.isLoaded(prop.key));
  if (todo.length < parents.length && children.size > 0)
    await loadIntoKept(session, parents, prop, children, path, batch);
  if (todo.length === 0) return;
  const attrs = parentKeyColumns(prop).map((c) => prop.parent.columnsByColumn.get(c)!.key);
  const width = attrs.length;
  const keyOf = width === 1 ? singleKey(attrs[0]!) : compositeKey(attrs);
  const keyValues = distinctKeyValues(todo, prop, attrs, keyOf);
  const found = new KeyMap<object[]>();
  const toQuery = keysToQuery(session, prop, keyValues, width, found);
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
 * Each distinct parent key of `todo` once, its values flattened in column order (no array per
 * parent); a parent whose key is NULL has nothing to load and is set loaded (empty) at once.
 */
function distinctKeyValues(
  todo: readonly InstanceState[],
  prop: RelationshipProperty,
  attrs: readonly string[],
  keyOf: (st: InstanceState) => unknown,
): unknown[] {
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
  return keyValues;
}

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
    if (!strategyFor(node.strategy).loadsKeptMembers) continue;
    await loadRelated(session, loadable, childProp, node.children, [...path, childProp], batch);
  }
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

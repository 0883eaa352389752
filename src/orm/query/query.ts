/**
 * ORM queries in the two styles SQLAlchemy users know: `User.query.filterBy(...).all()` /
 * `db.session.query(Post).join(User)...` and `db.session.scalars(select(User).where(...))`.
 * Immutable: every method returns a new Query. The result type records eager-loaded relationships.
 */
import { ArgumentError } from '../../sql/errors.js';
import {
  ColumnElement,
  ColumnRef,
  FunctionCall,
  OrderByElement,
  Star,
  and_,
  requireElement,
} from '../../sql/expressions.js';
import type { ForeignKey } from '../../sql/schema.js';
import { Join, Select, TableAlias, type FromClause, type Orderable } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import { ShapeKey, schemaId } from '../../sql/shape.js';
import { exactIntegerColumns } from '../../engine/engine.js';
import { ColumnAttribute, RelationshipAttribute } from '../mapping/attributes.js';
import {
  AmbiguousForeignKeysError,
  MultipleResultsFoundError,
  NoForeignKeysError,
  NoResultFoundError,
} from '../errors.js';
import { LoadBatch, LoadContext } from '../loading/context.js';
import { Planner, type EntityPlan } from '../loading/planner.js';
import type { ColumnFilter } from '../mapping/declarative.js';
import type { Mapper } from '../mapping/mapper.js';
import { buildLoadTree } from '../loading/load-tree.js';
import {
  checkOptionPath,
  type Loaded,
  type LoadedPath,
  type LoaderOption,
  type ShapeOfOptions,
} from '../loading/options.js';
import type { Session } from '../session/session.js';
import { nextMark } from '../session/state.js';

/**
 * A model under another name, to join its table twice: what `db.aliased(Model)` returns, with the
 * model's column attributes on the alias.
 *
 * @example
 * ```ts
 * const Other = db.aliased(User, 'other');
 * const shared = await User.query.join(Other, User.email.eq(Other.email)).filter(User.id.ne(Other.id)).all();
 * ```
 */
export interface AliasedModel {
  /** @internal The aliased table. */
  readonly __alias__: TableAlias;
  /** @internal The model's mapper. */
  readonly __mapper__: Mapper;
}

interface JoinedEntity {
  readonly mapper: Mapper;
  readonly from: FromClause;
}

interface QueryState {
  readonly where: readonly ColumnElement<boolean>[];
  readonly orderBy: readonly OrderByElement[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  readonly joins: readonly { right: FromClause; on: ColumnElement<boolean>; outer: boolean }[];
  readonly entities: readonly JoinedEntity[];
  readonly options: readonly LoaderOption[];
}

/**
 * A join target: a model class, an alias, or a relationship (`User.posts`).
 *
 * @example
 * ```ts
 * import type { JoinTarget } from 'relata';
 *
 * const targets: JoinTarget[] = [Post, User.posts, db.aliased(User)];
 * const posts = await Post.query.join(targets[1]!).all();
 * ```
 */
export type JoinTarget = (abstract new (...args: never[]) => object) | AliasedModel | RelationshipAttribute;

/**
 * One page of a query's results, from `query.paginate({ page, perPage })` (Flask-SQLAlchemy's shape).
 *
 * @example
 * ```ts
 * const page = await Post.query.orderBy(Post.id).paginate({ page: 2, perPage: 10 });
 * console.log(page.items.length, page.total, page.pages, page.hasNext ? page.nextNum : 'last page');
 * ```
 */
export interface Pagination<T> {
  /** The objects of this page (at most `perPage`). */
  readonly items: T[];
  /** How many objects the query returns over all pages. */
  readonly total: number;
  /** This page's number, from 1. */
  readonly page: number;
  /** The page size asked for. */
  readonly perPage: number;
  /** How many pages there are (0 when the query returns nothing). */
  readonly pages: number;
  /** Whether a page follows this one. */
  readonly hasNext: boolean;
  /** Whether a page precedes this one. */
  readonly hasPrev: boolean;
  /** The next page's number, or null on the last page. */
  readonly nextNum: number | null;
  /** The previous page's number, or null on the first page. */
  readonly prevNum: number | null;
}

/**
 * An ORM query of one model: `User.query`, `db.session.query(User)` or `db.select(User)`. Immutable:
 * each method returns a new Query; nothing runs until `all()`, `first()`, `one()`, `oneOrNone()`,
 * `get()`, `count()` or `paginate()`. The result type records the relationships `options()` loads.
 *
 * @example
 * ```ts
 * const posts = await Post.query
 *   .join(Post.author)
 *   .filter(User.username.eq('alice'))
 *   .options(db.joinedload(Post.tags))
 *   .orderBy(Post.id.desc())
 *   .limit(10)
 *   .all();
 * for (const p of posts) console.log(p.title, p.tags.length); // tags loaded: no await
 * ```
 */
export class Query<T> {
  private readonly s: QueryState;

  constructor(
    /** @internal The mapper of the queried model. */
    readonly mapper: Mapper,
    private readonly session: Session | null,
    state?: QueryState,
  ) {
    this.s = state ?? {
      where: [],
      orderBy: [],
      limit: null,
      offset: null,
      distinct: false,
      joins: [],
      entities: [{ mapper, from: mapper.table }],
      options: [],
    };
  }

  private with<U = T>(changes: Partial<QueryState>): Query<U> {
    return new Query<U>(this.mapper, this.session, { ...this.s, ...changes });
  }

  /** @internal The same query on a session. */
  bind(session: Session): Query<T> {
    return new Query<T>(this.mapper, session, this.s);
  }

  /** Adds WHERE conditions (AND-ed): `filter(User.username.eq('x'))`. */
  filter(...conditions: ColumnElement<boolean>[]): Query<T> {
    conditions.forEach((c) => requireElement(c, `${this.mapper.name} query filter()`));
    return this.with({ where: [...this.s.where, ...conditions] });
  }

  /** Same as filter(): the `select(User).where(...)` spelling. */
  where(...conditions: ColumnElement<boolean>[]): Query<T> {
    return this.filter(...conditions);
  }

  /** Equality on the model's own columns: `filterBy({ username: 'x' })`. Relationships go in filter(). */
  filterBy(values: ColumnFilter<T>): Query<T> {
    if (typeof values !== 'object' || values === null)
      throw new ArgumentError(`${this.mapper.name} filterBy() takes an object of column values`);
    const conds = Object.entries(values).map(([k, v]) => {
      const rel = this.mapper.relationships.get(k);
      if (rel) {
        const how = rel.options.uselist === false ? 'has' : 'any';
        throw new ArgumentError(
          `${this.mapper.name}.filterBy(): '${k}' is a relationship, not a column; use filter(${rel.name}.${how}(...))`,
        );
      }
      const attr = this.mapper.columnAttribute(k);
      if (v === undefined)
        throw new ArgumentError(
          `${this.mapper.name}.filterBy(): '${k}' is undefined; pass a value, or null to match NULL`,
        );
      return attr.eq(v as never);
    });
    return this.filter(...conds);
  }

  /** Adds ORDER BY terms: `orderBy(Post.id.desc(), Post.title)`; a bare column sorts ascending. */
  orderBy(...clauses: Orderable[]): Query<T> {
    const more = clauses.map((c) =>
      c instanceof OrderByElement ? c : new OrderByElement(requireElement(c, 'orderBy()'), 'ASC'),
    );
    return this.with({ orderBy: [...this.s.orderBy, ...more] });
  }

  /** LIMIT: at most `n` objects (with joined eager loads, `n` parents, not rows). */
  limit(n: number): Query<T> {
    return this.with({ limit: checkCount(n, 'limit()') });
  }

  /** OFFSET: skips the first `n` objects. */
  offset(n: number): Query<T> {
    return this.with({ offset: checkCount(n, 'offset()') });
  }

  /** SELECT DISTINCT. */
  distinct(): Query<T> {
    return this.with({ distinct: true });
  }

  /** Inner join to a model (ON inferred from the one foreign key between them), an alias, or along a relationship. */
  join(target: JoinTarget, on?: ColumnElement<boolean>): Query<T> {
    return this.addJoin(target, on, false);
  }

  /** LEFT OUTER JOIN, as join(). */
  outerjoin(target: JoinTarget, on?: ColumnElement<boolean>): Query<T> {
    return this.addJoin(target, on, true);
  }

  /** Loader options; the result type then has those relationships loaded. */
  options<O extends readonly LoaderOption<LoadedPath>[]>(...opts: O): Query<Loaded<T, ShapeOfOptions<O>>> {
    // A path that does not fit this query would be ignored by the loaders: refuse it here instead.
    this.mapper.registry.configure();
    for (const opt of opts) checkOptionPath(opt, this.mapper);
    return this.with({ options: [...this.s.options, ...opts] });
  }

  // ---- execution ----

  /** Runs the query: every object it matches, eager loads done. */
  all(): Promise<T[]> {
    let session: Session;
    try {
      session = this.readySession();
    } catch (err) {
      return Promise.reject(err);
    }
    return session.run(() => this.load(session));
  }

  private async load(session: Session): Promise<T[]> {
    if (session.autoflush && session.isDirty) await session.flushNow();
    const { plan, planCount, statement } = this.prepareLoad(session);
    const result = await session.executeRead(statement);
    const batch = new LoadBatch(0, this.mapper.name);
    const ctx = new LoadContext(session, batch, planCount);
    const out: T[] = [];
    // Joined rows repeat their parent: each object once, in first-seen order.
    const mark = nextMark();
    for (const row of result.rows) {
      const st = ctx.processRow(row, plan);
      if (st && st.mark !== mark) {
        st.mark = mark;
        out.push(st.obj as T);
      }
    }
    batch.size = out.length;
    const followUps = ctx.finish([plan]);
    if (followUps) await followUps;
    return out;
  }

  /** The first result, or null. */
  async first(): Promise<T | null> {
    const rows = await this.limit(1).all();
    return rows[0] ?? null;
  }

  /** Exactly one result, else NoResultFoundError / MultipleResultsFoundError. */
  async one(): Promise<T> {
    const rows = await this.all();
    if (rows.length === 0) throw new NoResultFoundError(`${this.mapper.name} query: no row found for one()`);
    if (rows.length > 1)
      throw new MultipleResultsFoundError(`${this.mapper.name} query: ${rows.length} rows found for one()`);
    return rows[0]!;
  }

  /** One result or null; MultipleResultsFoundError when there are several. */
  async oneOrNone(): Promise<T | null> {
    const rows = await this.all();
    if (rows.length > 1)
      throw new MultipleResultsFoundError(`${this.mapper.name} query: ${rows.length} rows found for oneOrNone()`);
    return rows[0] ?? null;
  }

  /**
   * By primary key (`get(1)`; `get([1, 2])` or `get({ a: 1, b: 2 })` for a composite key): from the
   * identity map without SQL when already loaded. With loader options, one SELECT by key that loads
   * them (into an object already in memory too), so the result is as loaded as its type says. A
   * query with filters, joins, ordering or a limit refuses: get() looks up a key, it does not search.
   */
  async get(id: unknown): Promise<T | null> {
    const s = this.s;
    const applied = [
      s.where.length > 0 && 'filters',
      (s.joins.length > 0 || s.entities.length > 1) && 'joins',
      s.orderBy.length > 0 && 'orderBy',
      (s.limit !== null || s.offset !== null) && 'limit/offset',
      s.distinct && 'distinct',
    ].filter(Boolean);
    if (applied.length > 0) {
      throw new ArgumentError(
        `${this.mapper.name} query: get() looks up a primary key and would ignore the query's ${applied.join(', ')}; ` +
          'use filterBy({ ... }).oneOrNone() instead',
      );
    }
    const session = this.requireSession();
    if (s.options.length === 0) return session.get(this.mapper.cls as never, id) as Promise<T | null>;
    return this.whereKey(id).first();
  }

  /** @internal The query filtered on the primary key `id` (a value, an array or an object for a composite key). */
  whereKey(id: unknown): Query<T> {
    const mapper = this.mapper;
    mapper.keyFromIdentity(id); // refuses an id of the wrong shape, naming the model
    const pk = mapper.primaryKey;
    const values =
      pk.length === 1 ? [id] : Array.isArray(id) ? id : pk.map((p) => (id as Record<string, unknown>)[p.key]);
    return this.filter(...pk.map((p, i) => mapper.columnAttribute(p.key).eq(values[i] as never)));
  }

  /** How many objects the query returns (COUNT over a subquery when it joins, is distinct or limited). */
  async count(): Promise<number> {
    const session = this.readySession();
    return session.run(() => this.countNow(session));
  }

  private async countNow(session: Session): Promise<number> {
    if (session.autoflush && session.isDirty) await session.flushNow();
    const simple = this.s.joins.length === 0 && !this.s.distinct && this.s.limit === null && this.s.offset === null;
    const countStar = new FunctionCall<number>('count', [new Star()]);
    let select: Select;
    if (simple) {
      select = new Select({ columns: [countStar], from: [this.mapper.table], where: this.whereClause() });
    } else {
      const inner = this.baseSelect(
        this.mapper.columns.map((mc) => new ColumnRef(mc.column, this.mapper.table)),
        true,
      );
      select = new Select({ columns: [countStar], from: [inner.subquery('anon_1')] });
    }
    const result = await session.executeRead(select);
    return Number(result.rows[0]![0]);
  }

  /** One page of results plus the total: `{ items, total, pages, page, perPage, hasNext, hasPrev }`. */
  async paginate({ page = 1, perPage = 20 }: { page?: number; perPage?: number } = {}): Promise<Pagination<T>> {
    if (!Number.isInteger(page) || page < 1)
      throw new ArgumentError(`paginate(): page must be an integer ≥ 1, got ${String(page)}`);
    if (!Number.isInteger(perPage) || perPage < 1)
      throw new ArgumentError(`paginate(): perPage must be an integer ≥ 1, got ${String(perPage)}`);
    const items = await this.limit(perPage)
      .offset((page - 1) * perPage)
      .all();
    const total = await this.with({ orderBy: [], limit: null, offset: null }).count();
    const pages = Math.ceil(total / perPage);
    return {
      items,
      total,
      page,
      perPage,
      pages,
      hasNext: page < pages,
      hasPrev: page > 1,
      nextNum: page < pages ? page + 1 : null,
      prevNum: page > 1 ? page - 1 : null,
    };
  }

  /** The SELECT this query runs (eager joins included) with its parameters, without running it. */
  toSQL(session: Session | null = this.session): {
    /** The SQL text, in the dialect's placeholders. */
    sql: string;
    /** The bound parameters, in placeholder order. */
    params: unknown[];
  } {
    const s = session ?? this.requireSession();
    s.registry.configure();
    return s.dialect.compiler.compile(this.compileLoad(s).select);
  }

  // ---- building ----

  /** The session, usable and its models configured, to run this query on. */
  private readySession(): Session {
    const session = this.requireSession();
    session.checkQueryable();
    session.registry.configure();
    return session;
  }

  private requireSession(): Session {
    if (!this.session)
      throw new ArgumentError(
        `select(${this.mapper.name}) is not bound to a session: run it with session.scalars(stmt)`,
      );
    return this.session;
  }

  private whereClause(): ColumnElement<boolean> | null {
    return this.s.where.length ? and_(...this.s.where) : null;
  }

  private fromClause(): FromClause {
    let from: FromClause = this.mapper.table;
    for (const j of this.s.joins) from = new Join(from, j.right, j.on, j.outer);
    return from;
  }

  private baseSelect(columns: ColumnElement[], withPaging: boolean): Select {
    return new Select({
      columns,
      from: [this.fromClause()],
      where: this.whereClause(),
      orderBy: withPaging ? this.s.orderBy : [],
      limit: withPaging ? this.s.limit : null,
      offset: withPaging ? this.s.offset : null,
      distinct: this.s.distinct,
    });
  }

  /**
   * The plan and statement for running this query: from the compiled-load cache when a query of the
   * same shape ran before (only the bound values are new), else planned, compiled and cached.
   */
  private prepareLoad(session: Session): {
    plan: EntityPlan;
    planCount: number;
    statement: Select | CompiledStatement;
  } {
    const shape = new ShapeKey();
    this.writeShape(shape);
    let load = shape.cacheable ? session.compiled.get(shape.key) : undefined;
    if (!load) {
      const { select, plan, planCount } = this.compileLoad(session);
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

  /** Everything that decides this query's SQL and plan, its bound values aside (see ShapeKey). */
  private writeShape(k: ShapeKey): void {
    const s = this.s;
    k.raw(`q${schemaId(this.mapper.table)}`);
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
    k.raw(`p${s.options.length}`);
    for (const opt of s.options) {
      k.raw(`(${opt.steps.length}`);
      for (const step of opt.steps) {
        k.text(step.attribute.property.name);
        k.raw(step.strategy);
        if (step.alias) k.from(step.alias);
        k.raw(';');
      }
    }
  }

  private compileLoad(session: Session): { select: Select; plan: EntityPlan; planCount: number } {
    const tree = buildLoadTree(this.s.options);
    let planner = new Planner(session);
    let plan = planner.plan(this.mapper, this.mapper.table, tree, []);
    const joinedCollection = plan.joined.some((j) => j.prop.uselist);
    const paged = this.s.limit !== null || this.s.offset !== null || this.s.distinct;
    if (joinedCollection && paged) {
      // LIMIT must count parents, not joined rows: page the parents in a subquery, join eager tables outside it.
      const inner = this.baseSelect(
        this.mapper.columns.map((mc) => new ColumnRef(mc.column, this.mapper.table)),
        true,
      );
      const sub = inner.subquery('anon_1');
      planner = new Planner(session);
      plan = planner.plan(this.mapper, sub, tree, []);
      const outerOrder = this.s.orderBy
        .filter((o) => !(o.element instanceof ColumnRef) || o.element.from === this.mapper.table)
        .map((o) => new OrderByElement(replaceFrom(o.element, this.mapper.table, sub), o.direction));
      const select = new Select({
        columns: planner.columns,
        from: [planner.joinOnto(sub)],
        orderBy: [...outerOrder, ...planner.orderBy],
      });
      return { select, plan, planCount: planner.planCount };
    }
    // A joined collection's own order must not reorder the parents: order by their key first.
    const parentOrder =
      this.s.orderBy.length === 0 && planner.orderBy.length > 0
        ? this.mapper.primaryKey.map((pk) => new OrderByElement(new ColumnRef(pk.column, this.mapper.table), 'ASC'))
        : [];
    const select = new Select({
      columns: planner.columns,
      from: [planner.joinOnto(this.fromClause())],
      where: this.whereClause(),
      orderBy: [...this.s.orderBy, ...parentOrder, ...planner.orderBy],
      limit: this.s.limit,
      offset: this.s.offset,
      distinct: this.s.distinct,
    });
    return { select, plan, planCount: planner.planCount };
  }

  private addJoin(target: JoinTarget, on: ColumnElement<boolean> | undefined, outer: boolean): Query<T> {
    this.mapper.registry.configure();
    if (on !== undefined) requireElement(on, 'join() ON clause');
    if (target instanceof RelationshipAttribute) return this.joinRelationship(target, on, outer);
    let mapper: Mapper;
    let right: FromClause;
    if (isAliased(target)) {
      mapper = target.__mapper__;
      right = target.__alias__;
    } else if (typeof target === 'function') {
      mapper = this.mapper.registry.mapperOf(target);
      right = mapper.table;
    } else {
      throw new ArgumentError(
        `join() takes a model, aliased(Model) or a relationship like User.posts, got ${typeof target}`,
      );
    }
    const cond = on ?? this.inferOn(mapper, right);
    return this.with({
      joins: [...this.s.joins, { right, on: cond, outer }],
      entities: [...this.s.entities, { mapper, from: right }],
    });
  }

  private joinRelationship(
    attr: RelationshipAttribute,
    on: ColumnElement<boolean> | undefined,
    outer: boolean,
  ): Query<T> {
    const prop = attr.property;
    const parent = [...this.s.entities].reverse().find((e) => e.mapper === prop.parent);
    if (!parent) throw new ArgumentError(`join(${attr}): the query does not select or join ${prop.parent.name}`);
    const right = prop.target.table;
    const joins = [...this.s.joins];
    if (prop.secondary) {
      joins.push({ right: prop.secondary, on: prop.secondaryCondition(parent.from, prop.secondary), outer });
      joins.push({ right, on: on ?? prop.targetCondition(prop.secondary, right), outer });
    } else {
      joins.push({
        right,
        on: on ? and_(prop.joinCondition(parent.from, right), on) : prop.joinCondition(parent.from, right),
        outer,
      });
    }
    return this.with({ joins, entities: [...this.s.entities, { mapper: prop.target, from: right }] });
  }

  /** ON from the single foreign key between the new table and one already in the query. */
  private inferOn(mapper: Mapper, right: FromClause): ColumnElement<boolean> {
    const candidates: { entity: JoinedEntity; fks: ForeignKey[] }[] = [];
    for (const e of this.s.entities) {
      const fks =
        e.mapper.table === mapper.table
          ? e.mapper.table.foreignKeysTo(mapper.table)
          : [...e.mapper.table.foreignKeysTo(mapper.table), ...mapper.table.foreignKeysTo(e.mapper.table)];
      if (fks.length) candidates.push({ entity: e, fks });
    }
    const name = `${this.mapper.name} join(${mapper.name})`;
    if (candidates.length === 0) {
      throw new NoForeignKeysError(
        `${name}: no foreign key links table '${mapper.table.name}' to ${this.s.entities.map((e) => `'${e.mapper.table.name}'`).join(', ')}; pass the ON clause: join(${mapper.name}, <condition>)`,
      );
    }
    const chosen = candidates.length === 1 ? candidates[0]! : candidates.find((c) => c.entity === this.s.entities[0]);
    if (!chosen || chosen.fks.length > 1) {
      const list = candidates.flatMap((c) => c.fks.map((fk) => `${fk.parent.table.name}.${fk.parent.name}`));
      throw new AmbiguousForeignKeysError(
        `${name}: more than one foreign key links the tables (${list.join(', ')}); pass the ON clause, or join along a relationship such as join(${this.mapper.name}.<relationship>)`,
      );
    }
    const fk = chosen.fks[0]!;
    const leftFrom = chosen.entity.from;
    if (
      fk.parent.table === chosen.entity.mapper.table &&
      fk.column.table === mapper.table &&
      chosen.entity.mapper.table !== mapper.table
    ) {
      return new ColumnRef(fk.parent, leftFrom).eq(new ColumnRef(fk.column, right));
    }
    if (chosen.entity.mapper.table === mapper.table) {
      // Self-referential join onto an alias: the alias is the referenced (parent) row.
      return new ColumnRef(fk.parent, leftFrom).eq(new ColumnRef(fk.column, right));
    }
    return new ColumnRef(fk.column, leftFrom).eq(new ColumnRef(fk.parent, right));
  }
}

function checkCount(n: number, where: string): number {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`${where} needs a non-negative integer, got ${String(n)}`);
  return n;
}

function isAliased(x: unknown): x is AliasedModel {
  return typeof x === 'object' && x !== null && '__alias__' in x;
}

/** Column attributes of a model re-pointed at an alias of its table. */
export function makeAlias(mapper: Mapper, name: string): AliasedModel & Record<string, ColumnAttribute> {
  const alias = new TableAlias(mapper.table, name);
  const out: Record<string, unknown> = { __alias__: alias, __mapper__: mapper };
  for (const mc of mapper.columns) out[mc.key] = new ColumnAttribute(mc.column, alias, mapper, mc.key);
  return out as AliasedModel & Record<string, ColumnAttribute>;
}

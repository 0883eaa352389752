/**
 * ORM queries in the two styles SQLAlchemy users know: `User.query.filterBy(...).all()` /
 * `db.session.query(Post).join(User)...` and `db.session.scalars(select(User).where(...))`.
 * Immutable: every method returns a new Query. The result type records eager-loaded relationships.
 */
import { ArgumentError } from '../../sql/errors.js';
import { OrderByElement, TextClause, requireElement, type ColumnElement } from '../../sql/expressions.js';
import { checkCount, type Orderable } from '../../sql/selectable.js';
import { MultipleResultsFoundError, NoResultFoundError } from '../errors.js';
import type { ColumnFilter } from '../mapping/declarative.js';
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipAttribute } from '../mapping/attributes.js';
import {
  checkOptionPath,
  expandPolymorphic,
  type Loaded,
  type LoadedPath,
  type LoaderOption,
  type ShapeOfOptions,
} from '../loading/options.js';
import type { Session } from '../session/session.js';
import { compileLoad } from './compile-query.js';
import { addJoin, type JoinTarget } from './joins.js';
import { paginate, type Pagination } from './paginate.js';
import { initialState, type QueryState } from './state.js';
import { checkOptions } from '../../sql/options.js';
import { lockingClause, type ForUpdateOptions } from '../../sql/locking.js';
import { executionOptionTable, type QueryExecutionOptions } from './execution-options.js';
import { countAll, loadAll } from './terminal.js';
import { checkStreamOptions, streamObjects, type QueryStreamOptions } from './stream.js';
import { checkFromStatement, loadFromStatement, type FromStatement } from './from-statement.js';

export type { AliasedModel } from './alias.js';
export type { JoinTarget } from './joins.js';
export type { Pagination } from './paginate.js';
export type { QueryExecutionOptions } from './execution-options.js';
export type { QueryStreamOptions } from './stream.js';
export type { FromStatement } from './from-statement.js';

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
    this.s = state ?? initialState(mapper);
  }

  /** @internal The same query LEFT OUTER JOINing these subclasses' tables (see withPolymorphic). */
  withPolymorphicMappers(mappers: readonly Mapper[]): Query<T> {
    return this.with({ polymorphic: mappers });
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

  /** GROUP BY: `session.query(User, func.count(Post.id)).join(User.posts).groupBy(User.id)`. */
  groupBy(...columns: ColumnElement[]): Query<T> {
    columns.forEach((c) => requireElement(c, `${this.mapper.name} query groupBy()`));
    return this.with({ groupBy: [...this.s.groupBy, ...columns] });
  }

  /** HAVING conditions on the groups (AND-ed): `having(func.count(Post.id).gt(1))`. */
  having(...conditions: ColumnElement<boolean>[]): Query<T> {
    conditions.forEach((c) => requireElement(c, `${this.mapper.name} query having()`));
    return this.with({ having: [...this.s.having, ...conditions] });
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

  /**
   * Inner join to a model (ON inferred from the one foreign key between them), an alias, or along a
   * relationship; `join(alias, User.following)` joins an alias of the target along a relationship
   * (needed when it is self-referential).
   */
  join(target: JoinTarget, on?: ColumnElement<boolean> | RelationshipAttribute): Query<T> {
    return this.with(addJoin(this.mapper, this.s, target, on, false));
  }

  /** LEFT OUTER JOIN, as join(). */
  outerjoin(target: JoinTarget, on?: ColumnElement<boolean> | RelationshipAttribute): Query<T> {
    return this.with(addJoin(this.mapper, this.s, target, on, true));
  }

  /** Loader options; the result type then has those relationships loaded. */
  options<O extends readonly LoaderOption<LoadedPath>[]>(...opts: O): Query<LoadedRow<T, ShapeOfOptions<O>>> {
    // A path that does not fit this query would be ignored by the loaders: refuse it here instead.
    this.mapper.registry.configure();
    const expanded = opts.flatMap(expandPolymorphic);
    for (const opt of expanded) checkOptionPath(opt, this.mapper);
    return this.with({ options: [...this.s.options, ...expanded] });
  }

  /**
   * The rows overwrite the objects already in the session (SQLAlchemy's `populate_existing()`): their
   * columns take the values read, their unflushed changes are dropped, and their relationships are
   * unloaded, then filled afresh by this query's loader options. For data another process changed.
   *
   * @example
   * ```ts
   * const fresh = await User.query.populateExisting().options(db.selectinload(User.posts)).all();
   * console.log(fresh.map((u) => [u.username, u.posts.length]));
   * ```
   */
  populateExisting(): Query<T> {
    return this.with({ populateExisting: true });
  }

  /**
   * Execution options, as SQLAlchemy's `execution_options()`: `{ populateExisting: true }` is
   * populateExisting(). An option Relata does not implement is refused.
   *
   * @example
   * ```ts
   * const users = await db.select(User).executionOptions({ populateExisting: true }).all();
   * ```
   */
  executionOptions(options: QueryExecutionOptions): Query<T> {
    checkOptions(options, executionOptionTable, `${this.mapper.name} query executionOptions()`, ArgumentError);
    return options.populateExisting === undefined ? this : this.with({ populateExisting: options.populateExisting });
  }

  /**
   * Locks the rows read until the session's transaction ends (SQLAlchemy's `with_for_update()`):
   * `FOR UPDATE`, `FOR SHARE` with `read: true` (MariaDB: LOCK IN SHARE MODE), and `nowait`,
   * `skipLocked` (job queues), `of`. A locking query begins the session's transaction if none is
   * open, so the lock lasts until commit() or rollback(), and its rows overwrite the objects already
   * loaded (as populateExisting(): stale values would defeat the lock). SQLite, which locks the whole database
   * rather than rows, refuses it when run, saying what to do instead.
   *
   * @example
   * ```ts
   * await db.transaction(async (session) => {
   *   const post = await session.query(Post).filterBy({ id: 1 }).forUpdate().one();
   *   post.views += 1;
   * });
   * ```
   */
  forUpdate(options: ForUpdateOptions = {}): Query<T> {
    return this.with({ locking: lockingClause(options, `${this.mapper.name} query forUpdate()`) });
  }

  /**
   * Loads the objects from a statement written by hand (SQLAlchemy's `from_statement()`): its columns
   * are matched to the model's by SQL name or attribute key, the objects go through the identity map,
   * and selectin loader options still run. The statement must return every column the model loads.
   *
   * @example
   * ```ts
   * import { text } from 'relata';
   *
   * const users = await db.session
   *   .query(User)
   *   .fromStatement(text('SELECT * FROM users WHERE username LIKE ? ORDER BY id', ['a%']))
   *   .options(db.selectinload(User.posts))
   *   .all();
   * ```
   */
  fromStatement(stmt: FromStatement): Query<T> {
    return this.with({ fromStatement: checkFromStatement(this.mapper, stmt) });
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
    const from = this.s.fromStatement;
    if (from) return session.run(() => loadFromStatement<T>(session, this.mapper, this.s, from));
    return session.run(() => loadAll<T>(session, this.mapper, this.s));
  }

  /**
   * The query's objects one at a time, read from the database in batches of `batchSize` rows (a
   * server-side cursor on PostgreSQL, row streaming on MySQL, stepping on SQLite) instead of all at
   * once: SQLAlchemy's `yield_per`. Each batch goes through the identity map with its eager loads
   * done (one selectin query per batch). Breaking out of the loop closes the cursor and releases
   * its connection; `expunge: true` lets each batch's objects go, so memory stays flat.
   *
   * @example
   * ```ts
   * for await (const user of User.query.options(db.selectinload(User.posts)).stream({ batchSize: 500 })) {
   *   console.log(user.username, user.posts.length); // posts loaded per batch: no await
   * }
   * ```
   */
  stream(options: QueryStreamOptions = {}): AsyncIterableIterator<T> {
    const batchSize = checkStreamOptions(this.mapper, options);
    // The stream turns rows into objects only: a tuple row would lose its columns.
    if (this.s.selected || this.s.groupBy.length)
      throw new ArgumentError(
        `${this.mapper.name} query: stream() yields objects and does not stream tuple or grouped queries yet; use all()`,
      );
    if (this.s.fromStatement)
      throw new ArgumentError(
        `${this.mapper.name} query: stream() does not stream a fromStatement() query yet (it would run the model's own query); use all()`,
      );
    const session = this.readySession();
    return streamObjects<T>(session, this.mapper, this.s, batchSize, options.expunge === true);
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
    const applied = searchClauses(s);
    if (applied.length > 0) {
      throw new ArgumentError(
        `${this.mapper.name} query: get() looks up a primary key and would ignore the query's ${applied.join(', ')}; ` +
          'use filterBy({ ... }).oneOrNone() instead',
      );
    }
    const session = this.requireSession();
    if (s.options.length === 0 && !s.populateExisting)
      return session.get(this.mapper.cls as never, id) as Promise<T | null>;
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
    if (this.s.locking)
      throw new ArgumentError(
        `${this.mapper.name} query: count() cannot lock rows; drop forUpdate(), or lock with all()`,
      );
    if (this.s.fromStatement)
      throw new ArgumentError(
        `${this.mapper.name} query: count() cannot count a fromStatement() query; count in the statement`,
      );
    if (this.s.selected || this.s.groupBy.length)
      throw new ArgumentError(
        `${this.mapper.name} query: count() counts objects, not the rows of a grouped or tuple query; ` +
          'count them with select(func.count()).selectFrom(stmt.subquery())',
      );
    const session = this.readySession();
    return session.run(() => countAll(session, this.mapper, this.s));
  }

  /** One page of results plus the total: `{ items, total, pages, page, perPage, hasNext, hasPrev }`. */
  async paginate({ page = 1, perPage = 20 }: { page?: number; perPage?: number } = {}): Promise<Pagination<T>> {
    return paginate(page, perPage, {
      items: (limit, offset) => this.limit(limit).offset(offset).all(),
      total: () => this.with({ orderBy: [], limit: null, offset: null, locking: null }).count(),
    });
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
    const from = this.s.fromStatement;
    if (from instanceof TextClause) return s.dialect.compiler.compileText(from);
    return s.dialect.compiler.compile(from ?? compileLoad(s, this.mapper, this.s).select);
  }

  // ---- session ----

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
}

/**
 * A query row with the relationships in `Shape` loaded: the object itself, or in a tuple row
 * (`session.query(User, func.count(...))`) the element that has those relationships.
 */
type LoadedRow<T, Shape> = T extends readonly unknown[]
  ? {
      [I in keyof T]: T[I] extends object
        ? [keyof Shape & keyof T[I]] extends [never]
          ? T[I]
          : Loaded<T[I], Shape>
        : T[I];
    }
  : Loaded<T, Shape>;

/** The parts of a query that search rather than look up a key, which get() would ignore. */
function searchClauses(s: QueryState): (string | false)[] {
  return [
    s.where.length > 0 && 'filters',
    (s.joins.length > 0 || s.entities.length > 1) && 'joins',
    s.orderBy.length > 0 && 'orderBy',
    (s.limit !== null || s.offset !== null) && 'limit/offset',
    s.distinct && 'distinct',
    s.fromStatement !== null && 'fromStatement',
    s.selected !== null && 'columns',
    (s.groupBy.length > 0 || s.having.length > 0) && 'groupBy/having',
  ].filter(Boolean);
}

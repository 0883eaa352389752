/**
 * The Session: an identity map (one object per row), a unit of work (what to INSERT, UPDATE,
 * DELETE at flush), and one transaction on one connection of its own, begun at the first write.
 *
 * One operation at a time: calls that reach the database (queries, lazy loads, flush, commit,
 * rollback, execute…) from several tasks at once queue on the session's lock and run in call order,
 * so a commit never lands in the middle of a flush. add(), delete() and attribute writes are
 * synchronous and never wait; what they change while a flush runs is written by the next one.
 */
import type { BeginOptions, Dialect, QueryResult } from '../../dialects/dialect.js';
import type { Connection, Engine } from '../../engine/engine.js';
import type { Statement } from '../../sql/dml.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import { ArgumentError } from '../../sql/errors.js';
import { Select } from '../../sql/selectable.js';
import type { LoadBatch } from '../loading/context.js';
import type { EntityPlan } from '../loading/planner.js';
import { NPlusOneReporter, type NPlusOneMode } from '../loading/nplusone.js';
import type { Mapper } from '../mapping/mapper.js';
import { polymorphicSpec } from '../query/polymorphic.js';
import { Query } from '../query/query.js';
import type { AliasedModel } from '../query/alias.js';
import { queryOf, type QueryItem, type QueryRow } from '../query/tuple-query.js';
import { executeBulk, executeSelect } from '../query/execute.js';
import { CompoundSelect } from '../../sql/compound.js';
import { ScalarResult } from '../query/result.js';
import { RowResult } from '../query/row-result.js';
import type { RowOf, TupleOf } from '../../sql/row-types.js';
import type { ColumnElement } from '../../sql/expressions.js';
import type { BulkStatement, ValuesOf } from '../query/statements.js';
import { ReturningStatement, executeReturning } from '../query/returning.js';
import { upsertObjects, type UpsertOptions } from '../query/upsert-objects.js';
import type { Registry } from '../mapping/registry.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { InstanceState } from './state.js';
import type { UnitOfWork } from './unitofwork.js';
import type { CompiledLoads } from '../loading/compiled.js';
import type { IdentityMap } from './keymap.js';
import { openNested, runNested, type NestedTransaction } from './nested.js';
import { TransactionState, type SessionCursor } from './transaction-state.js';
import { checkSessionOptions, type SessionOptions } from './session-options.js';
import { IdentityMaps } from './identity.js';
import { ObjectLifecycle, detach, requireState } from './lifecycle.js';
import { OperationLock } from './operation-lock.js';
import { refreshState } from './refresh.js';
import { expireState } from './expire.js';
import { mergeObject, type MergeOptions } from './merge.js';
import { commitNow, rollbackNow } from './transaction-end.js';
import { flushPending } from './flush.js';
import { loadUnloaded } from './lazy-load.js';
import { SessionListeners, listenSession, type SessionEventMap, type SessionEventName } from './session-events.js';
import type { SyncResult } from '../mapping/events.js';

export type { NPlusOneMode, SessionOptions, MergeOptions };

/**
 * The name of a column or relationship of model instance `T`, as refresh() and expire() take them.
 *
 * @example
 * ```ts
 * import type { AttributeName } from 'relata';
 *
 * const names: AttributeName<User>[] = ['username', 'posts'];
 * const user = (await db.session.query(User).first())!;
 * db.session.expire(user, names);
 * ```
 */
export type AttributeName<T> = Extract<
  { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T],
  string
>;

/** A model class (or anything the registry can map to one). */
export type ModelType<T> = abstract new (...args: never[]) => T;

/**
 * A unit of work over one transaction: objects you `add()` or change are written at the next flush
 * (before each query, with autoflush, and at `commit()`), in foreign-key order; one object per row
 * (the identity map). Get one from `db.session` (the current scope's), `db.scope()`,
 * `db.transaction()` or `db.newSession()`.
 *
 * @example
 * ```ts
 * const alice = new User({ username: 'alice' });
 * session.add(alice);
 * await session.commit(); // INSERT INTO "user" ..., then COMMIT
 * const same = await session.get(User, alice.id); // from the identity map, no SQL
 * console.log(same === alice); // true
 * ```
 */
export class Session {
  /** The dialect of the session's engine (SQL flavour, placeholders, limits). */
  readonly dialect: Dialect;
  /** @internal Compiled loads of this registry on this dialect, shared across sessions. */
  readonly compiled: CompiledLoads;
  /** Whether pending changes are flushed before each query (default true). */
  autoflush: boolean;
  private readonly nPlusOneReports: NPlusOneReporter;
  private readonly identity = new IdentityMaps();
  /** add(), delete(), expunge() and the flush's register…() calls: the objects' state transitions. */
  private readonly lifecycle = new ObjectLifecycle(this, this.identity);
  /** @internal Pending objects: added, not yet inserted (a running flush has taken the ones it writes). */
  pending = new Set<InstanceState>();
  /** @internal Persistent objects marked for deletion at the next flush. */
  readonly toDelete = new Set<InstanceState>();
  /** @internal Persistent objects with changes not yet taken by a flush. */
  changed = new Set<InstanceState>();
  /**
   * @internal Objects with backref changes queued on unloaded collections (InstanceState.pendingMutations):
   * a flush writes them, a rollback undoes them, and either way the queue is dropped.
   */
  pendingOwners = new Set<InstanceState>();
  /** @internal Objects inserted in the current transaction, restored on rollback. */
  readonly txnInserted = new Set<InstanceState>();
  /** @internal Objects updated in the current transaction, restored on rollback. */
  readonly txnUpdated = new Set<InstanceState>();
  /** @internal Objects deleted in the current transaction, restored on rollback. */
  readonly txnDeleted = new Set<InstanceState>();
  /** The connection of its transaction, its savepoints, and whether it failed. */
  private readonly tx: TransactionState;
  /** One operation at a time, none after the session's scope ended (see the top of this file). */
  private readonly ops = new OperationLock(() => this.tx.checkNotFailed());
  /** @internal The flush writing right now, so changes made meanwhile are kept for the next one. */
  activeFlush: UnitOfWork | null = null;
  /** @internal This session's own event listeners (session.on); null while it has none. */
  sessionListeners: SessionListeners | null = null;

  constructor(
    /** The engine the session takes its connection from. */
    readonly engine: Engine,
    /** @internal The model registry of the session's database. */
    readonly registry: Registry,
    options: SessionOptions = {},
  ) {
    checkSessionOptions(engine, options);
    this.dialect = engine.dialect;
    this.tx = new TransactionState(engine, options.connection ?? null);
    this.compiled = registry.compiledLoads(engine.dialect);
    this.autoflush = options.autoflush ?? true;
    this.nPlusOneReports = new NPlusOneReporter(options.nPlusOne ?? 'warn', options.warn ?? ((m) => console.warn(m)));
  }

  /** What to do when one relationship is lazily loaded for several objects of one result. */
  get nPlusOne(): NPlusOneMode {
    return this.nPlusOneReports.mode;
  }
  /** Changes how this session reports N+1 lazy loads from now on. */
  set nPlusOne(mode: NPlusOneMode) {
    this.nPlusOneReports.mode = mode;
  }

  // ---- objects ----

  /** Adds an object (and, through save-update cascade, its related objects) to be saved at the next flush. */
  add(obj: object): void {
    const st = requireState(obj, 'add');
    this.checkUsable();
    this.lifecycle.add(st);
  }

  /** Adds every object, as add() does each. */
  addAll(objs: Iterable<object>): void {
    for (const o of objs) this.add(o);
  }

  /** Marks a persistent object for deletion at the next flush (cascading along `delete` relationships). */
  delete(obj: object): void {
    const st = requireState(obj, 'delete');
    this.checkUsable();
    this.lifecycle.delete(st);
  }

  /**
   * Reloads an object's columns from the database (one SELECT), discarding its unflushed changes, and
   * unloads its relationships so the next `await` reads them afresh. With attribute names, only those:
   * the named columns in one SELECT, each named relationship loaded again at once.
   */
  refresh<T extends object>(obj: T, attrs?: readonly AttributeName<T>[]): Promise<void> {
    const st = requireState(obj, 'refresh');
    return this.run(() => refreshState(this, st, attrs));
  }

  /** Removes an object from this session without touching the database. */
  expunge(obj: object): void {
    this.lifecycle.expunge(requireState(obj, 'expunge'));
  }

  // ---- session operations of issue 14: merge, expire (see merge.ts, expire.ts, make-transient.ts) ----

  /**
   * Copies a detached, transient or other session's object onto this session's object for the same
   * row and returns that one (SQLAlchemy's merge): found in the identity map, else loaded with one
   * SELECT (none with `{ load: false }`); without a row, a new pending copy. Follows `merge` cascades.
   *
   * @example
   * ```ts
   * const cached = new User({ id: 1, username: 'alice', email: 'new@example.com' });
   * const alice = await db.session.merge(cached); // SELECT by key unless user 1 is already loaded
   * await db.session.commit(); // UPDATE of what differs
   * console.log(alice === cached); // false: cached stays as it was
   * ```
   */
  merge<T extends object>(obj: T, options: MergeOptions = {}): Promise<T> {
    this.checkUsable();
    return mergeObject(this, obj, options) as Promise<T>;
  }

  /**
   * Expires an object's attributes (all but the primary key, or the named ones), dropping their
   * unflushed changes: expired columns are loaded again by refresh(), get() or a query returning the
   * row, and reading one before that throws ExpiredAttributeError; expired relationships unload.
   */
  expire<T extends object>(obj: T, attrs?: readonly AttributeName<T>[]): void {
    expireState(this, requireState(obj, 'expire'), attrs);
  }

  /** expire() of every object in the identity map. */
  expireAll(): void {
    this.identity.forEach((st) => expireState(this, st));
  }

  /** @internal makeTransient(): the object leaves this session and its identity. */
  forgetObject(st: InstanceState): void {
    this.lifecycle.forget(st);
  }

  /** All objects in the identity map plus pending ones. */
  get size(): number {
    return this.pending.size + this.identity.size;
  }

  /** True when a flush would write something (what a running flush has taken is not counted). */
  get isDirty(): boolean {
    return this.pending.size > 0 || this.toDelete.size > 0 || this.changed.size > 0;
  }

  /** @internal Called by attribute setters of persistent objects. */
  noteChanged(st: InstanceState): void {
    this.lifecycle.noteChanged(st);
  }

  /** @internal Called by attribute setters of pending objects: a running flush may be writing this one. */
  notePendingChanged(st: InstanceState): void {
    this.activeFlush?.noteTouched(st);
  }

  // ---- queries ----

  /** `db.session.query(Post).join(User).filter(...).all()`. */
  query<T>(model: ModelType<T>): Query<T>;
  /** A query of an aliased model (`db.aliased(User, 'u')`): its objects, read through the alias. */
  query<T>(alias: AliasedModel<T>): Query<T>;
  /**
   * A query of tuples: `session.query(User, func.count(Post.id).label('n')).join(User.posts).groupBy(User.id)`
   * gives `[User, number]` rows (objects through the identity map), `session.query(User.id, User.username)`
   * gives `[number, string]` rows.
   */
  query<const E extends readonly QueryItem[]>(...items: E): Query<QueryRow<E>>;
  query(...items: QueryItem[]): Query<unknown> {
    const poly = items.length === 1 ? polymorphicSpec(items[0], (c) => this.registry.mapperOf(c as never)) : null;
    if (poly)
      return new Query(this.registry.mapperOf(poly.base as never), this).withPolymorphicMappers(poly.subclasses);
    return queryOf(this.registry, this, items);
  }

  /** The object with this primary key: from the identity map (no SQL) or one SELECT; null when absent. */
  async get<T>(model: ModelType<T>, id: unknown): Promise<T | null> {
    this.checkUsable();
    const mapper = this.registry.mapperOf(model);
    const key = mapper.keyFromIdentity(id);
    const hit = this.lookupIdentity(mapper, key);
    if (hit && hit.expired === null) return hit.obj as T; // expired: the SELECT below loads it again
    return this.query(model).whereKey(id).first();
  }

  /** Runs an ORM select (`select(User).where(...)`) and returns its objects: `await session.scalars(stmt).all()`. */
  scalars<T>(query: Query<T>): ScalarResult<T> {
    if (!(query instanceof Query))
      throw new ArgumentError('session.scalars() takes select(Model)...; use session.execute() for column selects');
    return new ScalarResult(query.bind(this));
  }

  /**
   * Runs a Core SELECT (`select(User.id, func.count(Post.id).label('n'))...`): await it for rows as
   * objects keyed by label or attribute key, or call `.tuples()` / `.scalars()`; all typed from the columns.
   */
  execute<C extends readonly ColumnElement[]>(stmt: Select<C>): RowResult<RowOf<C>, TupleOf<C>>;
  /** Runs a UNION/INTERSECT/EXCEPT (`select(...).union(...)`): rows typed from its first SELECT's columns. */
  execute<C extends readonly ColumnElement[]>(stmt: CompoundSelect<C>): RowResult<RowOf<C>, TupleOf<C>>;
  /**
   * Runs a bulk INSERT/UPDATE/DELETE (`db.update(User).where(...).values(...)`) in the session's
   * transaction. Objects already in this session follow: updated values are set on them, deleted
   * ones leave the identity map.
   */
  execute(stmt: BulkStatement): Promise<{
    /** How many rows the statement changed. */
    rowsAffected: number;
  }>;
  /**
   * Runs a bulk statement with RETURNING (`insert(Tag).values(...).returning(Tag)`): its rows, typed,
   * or its objects through the identity map (see docs/writing.md).
   */
  execute<R>(stmt: ReturningStatement<R>): Promise<R[]>;
  execute(
    stmt: Select | CompoundSelect | BulkStatement | ReturningStatement<unknown>,
  ): RowResult<unknown, unknown[]> | Promise<{ rowsAffected: number } | unknown[]> {
    if (stmt instanceof Select || stmt instanceof CompoundSelect)
      return new RowResult(this.runAfterAutoflush(() => executeSelect(this, stmt)));
    if (stmt instanceof ReturningStatement) return this.runAfterAutoflush(() => executeReturning(this, stmt));
    return this.runAfterAutoflush(() => executeBulk(this, stmt));
  }

  /**
   * Get-or-create by a unique key, safe when many sessions do it at once: the object of each row,
   * inserted or (already there) kept as it is, or updated with `set`. The rows it returns are locked
   * until the transaction ends, and go through the identity map (a loaded object takes the values
   * read). One statement on PostgreSQL, SQLite and MariaDB; two on MySQL. See docs/writing.md.
   *
   * @example
   * ```ts
   * const [orm, sql] = await session.upsert(Tag, [{ name: 'orm' }, { name: 'sql' }], { target: Tag.name });
   * ```
   */
  upsert<M extends ModelType<object>>(
    model: M,
    rows: ValuesOf<InstanceType<M>> | readonly ValuesOf<InstanceType<M>>[],
    options: UpsertOptions<InstanceType<M>, M>,
  ): Promise<InstanceType<M>[]> {
    const mapper = this.registry.mapperOf(model);
    const list = Array.isArray(rows) ? rows : [rows];
    return this.runAfterAutoflush(() =>
      upsertObjects(this, mapper, list, options as UpsertOptions<unknown, unknown>),
    ) as Promise<InstanceType<M>[]>;
  }

  /** run(), after an autoflush: a statement must see the session's pending changes. */
  private runAfterAutoflush<R>(op: () => Promise<R>): Promise<R> {
    return this.run(async () => {
      if (this.autoflush && this.isDirty) await this.flushNow();
      return op();
    });
  }

  /**
   * @internal Runs `op` as this session's one operation: after every operation called before it,
   * and before any called after. Checks first that the session may be used.
   */
  run<R>(op: () => Promise<R>): Promise<R> {
    return this.ops.run(op);
  }

  /** @internal run() without the check that the session is usable: for rolling back a failed one. */
  exclusive<R>(op: () => Promise<R>): Promise<R> {
    return this.ops.exclusive(op);
  }

  // ---- transaction ----

  /**
   * Starts the session's transaction now, optionally with an isolation level or read-only
   * (`begin({ isolation: 'serializable' })`). Otherwise it starts at the first write (flush or bulk
   * statement): until then each read runs on a connection borrowed for that statement, so a session
   * that only reads holds no connection and no locks (SQLAlchemy holds both until close()). Call
   * begin() first when reads must share the writes' transaction (REPEATABLE READ, SELECT … FOR UPDATE).
   */
  begin(options: BeginOptions = {}): Promise<void> {
    return this.run(() => this.tx.begin(options));
  }

  /**
   * Starts a nested transaction: flushes, then sets a SAVEPOINT (SQLAlchemy's `begin_nested()`). With a
   * callback, commits it when the callback resolves and rolls it back (rethrowing) when it throws; without
   * one, returns it for `commit()` / `rollback()`. Rolling back undoes only the work done since it began.
   *
   * @example
   * ```ts
   * import { IntegrityError } from 'relata';
   *
   * await session
   *   .beginNested(async () => {
   *     session.add(new Tag({ name: 'maybe-taken' }));
   *   })
   *   .catch((err) => {
   *     if (!(err instanceof IntegrityError)) throw err; // the rest of the transaction goes on
   *   });
   * await session.commit();
   * ```
   */
  beginNested(): Promise<NestedTransaction>;
  beginNested<R>(fn: (nested: NestedTransaction) => Promise<R>): Promise<R>;
  async beginNested<R>(fn?: (nested: NestedTransaction) => Promise<R>): Promise<NestedTransaction | R> {
    // The callback runs outside the session's lock: it uses the session itself.
    const nested = await this.run(() => openNested(this, this.tx));
    return fn ? runNested(nested, fn) : nested;
  }

  /** @internal Open savepoints, outermost first (see beginNested). */
  get savepoints(): NestedTransaction[] {
    return this.tx.savepoints;
  }

  /** @internal A nested transaction was rolled back: the enclosing one is usable again. */
  recoverNested(): void {
    this.tx.recoverNested();
  }

  /** @internal A savepoint could not be rolled back: only a full rollback() helps now. */
  failNested(err: Error): void {
    this.tx.failNested(err);
  }

  /** @internal Reports the SQL of each statement this session runs on the connection it joined (SessionOptions.connection). */
  reportJoinedStatements(report: (sql: string) => void): void {
    this.tx.onExternalStatement = report;
  }

  /** True while the session holds a connection in an open transaction. */
  get inTransaction(): boolean {
    return this.tx.active;
  }

  /** @internal The transaction's connection, beginning the transaction on first use. */
  transaction(options: BeginOptions = {}): Promise<Connection> {
    return this.tx.connection(options);
  }

  /** @internal A write: runs in the session's transaction, begun if needed. */
  executeWrite(stmt: Statement | CompiledStatement): Promise<QueryResult> {
    return this.tx.write(stmt, this.activeFlush !== null);
  }

  /** @internal A read: in the open transaction if there is one, else on a connection borrowed for it. */
  executeRead(stmt: Statement | CompiledStatement, options: { columnNames?: boolean } = {}): Promise<QueryResult> {
    return this.tx.read(stmt, this.activeFlush !== null, options);
  }

  /** @internal Opens a stream of a SELECT's rows (query.stream(), see stream.ts). */
  openStream(stmt: Statement | CompiledStatement, batchSize: number): Promise<SessionCursor> {
    return this.tx.openStream(stmt, batchSize, this.activeFlush !== null);
  }

  /** @internal Runs `op` on the transaction's connection: a failure in the database requires rollback (see TransactionState.guard). */
  onTransaction<R>(op: () => Promise<R>): Promise<R> {
    return this.tx.guard(op, this.activeFlush !== null);
  }

  /**
   * Listens to one of this session's events (`db.on(event, fn)` listens on every session):
   * `beforeFlush`, `afterFlush`, `afterCommit`, `afterRollback`. Listeners are synchronous. Returns
   * the function that removes the listener.
   *
   * @example
   * ```ts
   * const off = session.on('afterCommit', ({ session }) => console.log('committed', session.size, 'objects'));
   * await session.commit();
   * off();
   * ```
   */
  on<E extends SessionEventName, R>(event: E, listener: (event: SessionEventMap[E]) => SyncResult<R>): () => void {
    return listenSession((this.sessionListeners ??= new SessionListeners()), event, listener, 'session.on');
  }

  /** Writes all pending changes (INSERT, UPDATE, DELETE) in dependency order, inside the transaction. */
  flush(): Promise<void> {
    return this.run(() => this.flushNow());
  }

  /** @internal flush() for callers that already hold the session's lock. */
  flushNow(): Promise<void> {
    return flushPending(this, this.tx);
  }

  /**
   * Flushes, then commits the transaction. When COMMIT fails, the objects go back to what they were
   * before the transaction (as rollback() does) and the session requires rollback() before it is
   * used again: a second commit() raises PendingRollbackError instead of pretending to succeed.
   */
  commit(): Promise<void> {
    return this.run(() => commitNow(this, this.tx, this.identity));
  }

  /**
   * Rolls back the transaction. Objects added since the last commit leave the session; every other
   * object gets back the values it had at the last commit, and relationships changed since then unload.
   */
  rollback(): Promise<void> {
    // Not through run(): rollback() is what a failed session needs, so it must not be refused.
    return this.exclusive(() => rollbackNow(this, this.tx, this.identity));
  }

  /** @internal Forgets the queued backref changes of `owners`: the database now says what the collections hold. */
  dropPendingMutations(owners: Set<InstanceState>): void {
    for (const st of owners) st.pendingMutations = null;
    owners.clear();
  }

  /** Rolls back and empties the session; its objects become detached. */
  async close(): Promise<void> {
    await this.rollback();
    this.identity.forEach((st) => detach(st, 'detached'));
    this.identity.clear();
  }

  /** @internal Closes the session for good: the scope that owned it (`db.scope()`, a request) ended. */
  async end(scope: string): Promise<void> {
    if (this.ops.ended) return;
    try {
      await this.close();
    } finally {
      this.ops.markEnded(scope);
    }
  }

  private checkUsable(): void {
    this.ops.checkUsable();
  }

  /** @internal */
  checkQueryable(): void {
    this.checkUsable();
  }

  // ---- identity map ----

  /** @internal */
  identityMap(mapper: Mapper): IdentityMap {
    return this.identity.of(mapper);
  }

  /** @internal The loaded objects of one model, if any were loaded. */
  loadedObjects(mapper: Mapper): IdentityMap | undefined {
    return this.identity.loaded(mapper);
  }

  /** @internal */
  lookupIdentity(mapper: Mapper, key: unknown): InstanceState | undefined {
    return this.lifecycle.lookup(mapper, key);
  }

  /** @internal The existing object for this row's key, or a new persistent one built from the row. */
  identityFromRow(
    map: IdentityMap,
    key: unknown,
    row: readonly unknown[],
    plan: EntityPlan,
    batch: LoadBatch | null,
  ): InstanceState {
    return this.lifecycle.fromRow(map, key, row, plan, batch);
  }

  /** @internal After INSERT: the object joins the identity map. */
  registerInserted(st: InstanceState): void {
    this.lifecycle.registerInserted(st);
  }

  /** @internal Undoes registerInserted when the flush that did it fails (the flush makes it pending again). */
  unregisterInserted(st: InstanceState): void {
    this.lifecycle.unregisterInserted(st);
  }

  /** @internal A new object reached by a flush's save-update cascade: pending, and written by that flush. */
  adoptPending(st: InstanceState): void {
    this.lifecycle.adoptPending(st);
  }

  /** @internal Undoes registerDeleted when the flush that did it fails. */
  unregisterDeleted(st: InstanceState): void {
    this.lifecycle.unregisterDeleted(st);
  }

  /** @internal After DELETE. */
  registerDeleted(st: InstanceState): void {
    this.lifecycle.registerDeleted(st);
  }

  // ---- lazy loading ----

  /** @internal `await user.posts` on an unloaded relationship. */
  loadRelationship(st: InstanceState, prop: RelationshipProperty, site: Error | null = null): Promise<unknown> {
    if (st.isLoaded(prop.key)) return Promise.resolve(st.rel![prop.key]);
    return this.run(() => this.loadRelationshipNow(st, prop, site));
  }

  /** @internal loadRelationship() for callers that already hold the session's lock (the unit of work). */
  loadRelationshipNow(st: InstanceState, prop: RelationshipProperty, site: Error | null = null): Promise<unknown> {
    return loadUnloaded(this, this.nPlusOneReports, st, prop, site);
  }
}

export { ScalarResult };

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
import { checkOptions, isBoolean, mustBe, oneOf, type OptionTable } from '../../sql/options.js';
import { ColumnRef } from '../../sql/expressions.js';
import { Lock } from '../../sql/lock.js';
import { Select } from '../../sql/selectable.js';
import { InvalidRequestError, NotLoadedError } from '../errors.js';
import { LoadBatch, loadRelated } from '../loading/context.js';
import { loadsWithoutSql } from '../loading/keys.js';
import type { EntityPlan } from '../loading/planner.js';
import { NPlusOneReporter, type NPlusOneMode } from '../loading/nplusone.js';
import type { Mapper } from '../mapping/mapper.js';
import { Query } from '../query/query.js';
import { executeBulk, executeSelect } from '../query/execute.js';
import { ScalarResult } from '../query/result.js';
import type { BulkStatement } from '../query/statements.js';
import type { Registry } from '../mapping/registry.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { stateOf, type InstanceState } from './state.js';
import { UnitOfWork } from './unitofwork.js';
import type { CompiledLoads } from '../loading/compiled.js';
import { KeyMap, type IdentityMap } from './keymap.js';
import { NestedTransaction, runNested } from './nested.js';
import { TransactionState } from './transaction-state.js';

export type { NPlusOneMode };

/**
 * Options of a session (`db.newSession(options)`); `new Database(url, options)` sets them for every
 * session of that database.
 *
 * @example
 * ```ts
 * const reports: string[] = [];
 * const strict = db.newSession({ autoflush: false, nPlusOne: 'warn', warn: (m) => reports.push(m) });
 * ```
 */
export interface SessionOptions {
  /** Flush pending changes before each query (default true). */
  autoflush?: boolean;
  /** What to do when one relationship is lazily loaded for several objects of one result. */
  nPlusOne?: NPlusOneMode;
  /** Where N+1 warnings go (default console.warn). */
  warn?: (message: string) => void;
  /**
   * Join the transaction open on this connection of the session's engine instead of taking one from
   * the pool (SQLAlchemy's `Session(bind=connection, join_transaction_mode="create_savepoint")`): the
   * session's reads and writes run on it; its transaction is a SAVEPOINT there, so `commit()` releases
   * the savepoint and `rollback()` rolls back to it, and whether the work stays is up to the
   * connection's owner. When the connection has no transaction open (MySQL migrations), the session's
   * transaction is a real one and commits. The session never releases the connection. What
   * `op.session(db)` gives a migration.
   */
  connection?: Connection;
}

const sessionOptionTable = {
  known: {
    autoflush: isBoolean,
    nPlusOne: oneOf(['warn', 'raise', 'off']),
    warn: mustBe('a function', (v) => typeof v === 'function'),
    connection: mustBe('a Connection (engine.connect())', (v) => typeof v === 'object' && v !== null && 'engine' in v),
  },
  refused: {
    bind: "use 'connection' to join a connection's transaction",
    join_transaction_mode: "a session given 'connection' always joins with a savepoint (create_savepoint)",
    expire_on_commit: 'objects keep their values after commit(); call session.refresh(obj) to reload one',
  },
} as const satisfies OptionTable<SessionOptions>;

/** A model class (or anything the registry can map to one). */
export type ModelType<T> = abstract new (...args: never[]) => T;

/** Flushes commit() runs at most, when objects keep changing while it flushes. */
const COMMIT_FLUSH_ROUNDS = 10;

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
  private readonly identity = new Map<Mapper, IdentityMap>();
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
  /** Set when the scope that owned this session ended: any further use is a bug in the caller. */
  private ended: string | null = null;
  /** One operation at a time (see the top of this file). */
  private readonly lock = new Lock();
  /** @internal The flush writing right now, so changes made meanwhile are kept for the next one. */
  activeFlush: UnitOfWork | null = null;

  constructor(
    /** The engine the session takes its connection from. */
    readonly engine: Engine,
    /** @internal The model registry of the session's database. */
    readonly registry: Registry,
    options: SessionOptions = {},
  ) {
    if (typeof options !== 'object' || options === null) throw new ArgumentError('Session: options must be an object');
    checkOptions(options, sessionOptionTable, 'Session', ArgumentError);
    if (options.connection && options.connection.engine !== engine)
      throw new ArgumentError(
        "Session: option connection belongs to another engine; join a connection of the session's own engine",
      );
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
    const st = this.requireState(obj, 'add');
    this.checkUsable();
    if (st.session && st.session !== this) {
      throw new InvalidRequestError(`${st} is already attached to another session; expunge it there first`);
    }
    if (st.status === 'deleted' || this.toDelete.has(st)) {
      this.toDelete.delete(st);
      if (st.status === 'deleted') st.status = 'persistent';
      return;
    }
    if (st.status === 'transient') {
      st.status = 'pending';
      st.session = this;
      this.pending.add(st);
    } else if (st.status === 'detached') {
      this.attachDetached(st);
    }
  }

  /** Adds every object, as add() does each. */
  addAll(objs: Iterable<object>): void {
    for (const o of objs) this.add(o);
  }

  /** Marks a persistent object for deletion at the next flush (cascading along `delete` relationships). */
  delete(obj: object): void {
    const st = this.requireState(obj, 'delete');
    this.checkUsable();
    if (st.status === 'pending') {
      this.expungeState(st);
      return;
    }
    if (st.status !== 'persistent' || st.session !== this) {
      throw new InvalidRequestError(
        `cannot delete ${st}: it is ${st.status === 'persistent' ? 'in another session' : st.status}`,
      );
    }
    this.toDelete.add(st);
  }

  /**
   * Reloads an object's columns from the database, discarding its unflushed changes, and unloads its
   * relationships so the next `await` reads them afresh. For objects another process may have changed.
   */
  refresh(obj: object): Promise<void> {
    const st = this.requireState(obj, 'refresh');
    return this.run(async () => {
      if (st.status !== 'persistent' || st.session !== this)
        throw new InvalidRequestError(`cannot refresh ${st}: it is not persistent in this session`);
      const mapper = st.mapper;
      const where = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, mapper.table).eq(st.v[pk.key] as never));
      const select = new Select({
        columns: mapper.columns.map((mc) => new ColumnRef(mc.column, mapper.table)),
        from: [mapper.table],
      }).filter(...where);
      const row = (await this.executeRead(select)).rows[0];
      if (!row) throw new InvalidRequestError(`cannot refresh ${st}: its row no longer exists`);
      const processors = mapper.processors(this.dialect);
      mapper.columns.forEach((mc, i) => {
        const v = row[i];
        st.v[mc.key] = processors[i] && v !== null ? processors[i]!(v) : v;
      });
      st.orig = null;
      st.rel = null;
      st.collectionChanges = null;
      st.pendingMutations = null;
      st.scalarChanges = null;
      this.changed.delete(st);
    });
  }

  /** Removes an object from this session without touching the database. */
  expunge(obj: object): void {
    this.expungeState(this.requireState(obj, 'expunge'));
  }

  /** All objects in the identity map plus pending ones. */
  get size(): number {
    let n = this.pending.size;
    for (const m of this.identity.values()) n += m.size;
    return n;
  }

  /** True when a flush would write something (what a running flush has taken is not counted). */
  get isDirty(): boolean {
    return this.pending.size > 0 || this.toDelete.size > 0 || this.changed.size > 0;
  }

  /** @internal Called by attribute setters of persistent objects. */
  noteChanged(st: InstanceState): void {
    if (st.status !== 'persistent') return;
    this.changed.add(st);
    this.activeFlush?.noteTouched(st);
  }

  /** @internal Called by attribute setters of pending objects: a running flush may be writing this one. */
  notePendingChanged(st: InstanceState): void {
    this.activeFlush?.noteTouched(st);
  }

  // ---- queries ----

  /** `db.session.query(Post).join(User).filter(...).all()`. */
  query<T>(model: ModelType<T>): Query<T> {
    return new Query<T>(this.registry.mapperOf(model), this);
  }

  /** The object with this primary key: from the identity map (no SQL) or one SELECT; null when absent. */
  async get<T>(model: ModelType<T>, id: unknown): Promise<T | null> {
    this.checkUsable();
    const mapper = this.registry.mapperOf(model);
    const key = mapper.keyFromIdentity(id);
    const hit = this.lookupIdentity(mapper, key);
    if (hit) return hit.obj as T;
    return this.query(model).whereKey(id).first();
  }

  /** Runs an ORM select (`select(User).where(...)`) and returns its objects: `await session.scalars(stmt).all()`. */
  scalars<T>(query: Query<T>): ScalarResult<T> {
    if (!(query instanceof Query))
      throw new ArgumentError('session.scalars() takes select(Model)...; use session.execute() for column selects');
    return new ScalarResult(query.bind(this));
  }

  /** Runs a Core SELECT and returns rows as plain objects keyed by column label. */
  execute(stmt: Select): Promise<Record<string, unknown>[]>;
  /**
   * Runs a bulk INSERT/UPDATE/DELETE (`db.update(User).where(...).values(...)`) in the session's
   * transaction. Objects already in this session follow: updated values are set on them, deleted
   * ones leave the identity map.
   */
  execute(stmt: BulkStatement): Promise<{
    /** How many rows the statement changed. */
    rowsAffected: number;
  }>;
  execute(stmt: Select | BulkStatement): Promise<Record<string, unknown>[] | { rowsAffected: number }> {
    return this.run(async () => {
      if (this.autoflush && this.isDirty) await this.flushNow();
      return stmt instanceof Select ? executeSelect(this, stmt) : executeBulk(this, stmt);
    });
  }

  /**
   * @internal Runs `op` as this session's one operation: after every operation called before it,
   * and before any called after. Checks first that the session may be used.
   */
  run<R>(op: () => Promise<R>): Promise<R> {
    try {
      this.checkUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.lock.isHeld) return this.holding(op);
    return this.lock.acquire().then(() => {
      try {
        this.checkUsable(); // what ran while this call waited its turn may have failed
      } catch (err) {
        this.lock.release();
        throw err;
      }
      return this.holding(op, true);
    });
  }

  /** @internal run() without the check that the session is usable: for rolling back a failed one. */
  exclusive<R>(op: () => Promise<R>): Promise<R> {
    if (!this.lock.isHeld) return this.holding(op);
    return this.lock.acquire().then(() => this.holding(op, true));
  }

  /**
   * Runs `op` holding the lock (taken here when `taken` is false: the common case, a session used by
   * one task, takes the free lock without waiting a turn) and frees it when `op` settles. An async
   * function that awaits `op`, not a `.then()` on its promise: a second reaction on that promise would
   * cut V8's async stack trace there, and errors would lose the caller's line.
   */
  private async holding<R>(op: () => Promise<R>, taken = false): Promise<R> {
    if (!taken) void this.lock.acquire();
    try {
      return await op();
    } finally {
      this.lock.release();
    }
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
    return this.run(async () => {
      if (this.tx.active) {
        if (options.isolation || options.readOnly) {
          throw new InvalidRequestError(
            'begin({ isolation / readOnly }): this session is already in a transaction, begun by an earlier write or begin(); ' +
              'commit or roll it back first',
          );
        }
        return;
      }
      await this.tx.connection(options);
    });
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
    const nested = await this.run(async () => {
      await this.flushNow();
      const { conn, name } = await this.tx.savepoint();
      const sp = new NestedTransaction(this, conn, name);
      this.tx.savepoints.push(sp);
      return sp;
    });
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
  executeWrite(stmt: Statement): Promise<QueryResult> {
    return this.tx.write(stmt, this.activeFlush !== null);
  }

  /** @internal A read: in the open transaction if there is one, else on a connection borrowed for it. */
  executeRead(stmt: Statement | CompiledStatement): Promise<QueryResult> {
    return this.tx.read(stmt, this.activeFlush !== null);
  }

  /** @internal Runs `op` on the transaction's connection: a failure in the database requires rollback (see TransactionState.guard). */
  onTransaction<R>(op: () => Promise<R>): Promise<R> {
    return this.tx.guard(op, this.activeFlush !== null);
  }

  /** Writes all pending changes (INSERT, UPDATE, DELETE) in dependency order, inside the transaction. */
  flush(): Promise<void> {
    return this.run(() => this.flushNow());
  }

  /** @internal flush() for callers that already hold the session's lock. */
  async flushNow(): Promise<void> {
    if (!this.isDirty) return;
    const uow = new UnitOfWork(this);
    this.activeFlush = uow;
    try {
      await uow.flush();
    } catch (err) {
      // The transaction is gone: roll it back now so nothing half-written stays, and require rollback().
      // Inside beginNested() only the savepoint is lost: its rollback() undoes the half-written part.
      await this.tx.fail(err as Error, 'a flush');
      throw err;
    } finally {
      this.activeFlush = null;
    }
  }

  /**
   * Flushes, then commits the transaction. When COMMIT fails, the objects go back to what they were
   * before the transaction (as rollback() does) and the session requires rollback() before it is
   * used again: a second commit() raises PendingRollbackError instead of pretending to succeed.
   */
  commit(): Promise<void> {
    return this.run(async () => {
      // What other code changed while a flush ran is written by another one, before COMMIT (a few
      // rounds at most: what keeps changing after that waits for the next commit, still pending).
      for (let round = 0; round < COMMIT_FLUSH_ROUNDS && this.isDirty; round++) await this.flushNow();
      try {
        await this.tx.commit();
      } catch (err) {
        this.revertToCommitted();
        throw err;
      }
      for (const st of this.txnDeleted) st.status = 'detached';
      for (const st of this.txnUpdated) st.txnOrig = null;
      this.txnInserted.clear();
      this.txnUpdated.clear();
      this.txnDeleted.clear();
    });
  }

  /**
   * Rolls back the transaction. Objects added since the last commit leave the session; every other
   * object gets back the values it had at the last commit, and relationships changed since then unload.
   */
  rollback(): Promise<void> {
    // Not through run(): rollback() is what a failed session needs, so it must not be refused.
    return this.exclusive(async () => {
      await this.tx.reset();
      this.revertToCommitted();
    });
  }

  /** The in-memory half of a rollback: objects as of the last commit. */
  private revertToCommitted(): void {
    const untouched =
      this.pending.size +
        this.txnInserted.size +
        this.txnDeleted.size +
        this.changed.size +
        this.txnUpdated.size +
        this.pendingOwners.size ===
      0;
    if (untouched && this.toDelete.size === 0) return; // a read-only session: the common close()
    for (const st of [...this.pending, ...this.txnInserted]) {
      if (this.txnInserted.has(st)) this.removeIdentity(st);
      for (const pk of st.mapper.primaryKey) if (pk.column.autoincrement) delete st.v[pk.key];
      this.detach(st, 'transient');
    }
    for (const st of this.txnDeleted) {
      st.status = 'persistent';
      st.session = this;
      this.identityMap(st.mapper).set(st.key, st);
    }
    for (const st of new Set([...this.changed, ...this.txnUpdated, ...this.txnDeleted])) this.revert(st);
    this.dropPendingMutations(this.pendingOwners);
    this.pending.clear();
    this.toDelete.clear();
    this.changed.clear();
    this.txnInserted.clear();
    this.txnUpdated.clear();
    this.txnDeleted.clear();
  }

  /** @internal Forgets the queued backref changes of `owners`: the database now says what the collections hold. */
  dropPendingMutations(owners: Set<InstanceState>): void {
    for (const st of owners) st.pendingMutations = null;
    owners.clear();
  }

  private revert(st: InstanceState): void {
    if (st.orig) Object.assign(st.v, st.orig);
    if (st.txnOrig) Object.assign(st.v, st.txnOrig);
    st.orig = null;
    st.txnOrig = null;
    if (st.rel && (st.collectionChanges || st.scalarChanges)) st.rel = null;
    st.collectionChanges = null;
    st.pendingMutations = null;
    st.scalarChanges = null;
  }

  /** Rolls back and empties the session; its objects become detached. */
  async close(): Promise<void> {
    await this.rollback();
    for (const m of this.identity.values()) m.forEach((st) => this.detach(st, 'detached'));
    this.identity.clear();
  }

  /** @internal Closes the session for good: the scope that owned it (`db.scope()`, a request) ended. */
  async end(scope: string): Promise<void> {
    if (this.ended) return;
    try {
      await this.close();
    } finally {
      this.ended = scope;
    }
  }

  private checkUsable(): void {
    if (this.ended) {
      throw new InvalidRequestError(
        `this session belonged to ${this.ended}, which has ended: its work was rolled back and its objects detached. ` +
          `Use the session of the current scope (db.session), or open one (db.scope(), db.transaction())`,
      );
    }
    this.tx.checkNotFailed();
  }

  /** @internal */
  checkQueryable(): void {
    this.checkUsable();
  }

  // ---- identity map ----

  /** @internal */
  identityMap(mapper: Mapper): IdentityMap {
    let m = this.identity.get(mapper);
    if (!m) this.identity.set(mapper, (m = new KeyMap<InstanceState>()));
    return m;
  }

  /** @internal The loaded objects of one model, if any were loaded. */
  loadedObjects(mapper: Mapper): IdentityMap | undefined {
    return this.identity.get(mapper);
  }

  /** @internal */
  lookupIdentity(mapper: Mapper, key: unknown): InstanceState | undefined {
    const st = this.identity.get(mapper)?.get(key);
    return st && !this.toDelete.has(st) ? st : undefined;
  }

  /** @internal The existing object for this row's key, or a new persistent one built from the row. */
  identityFromRow(
    map: IdentityMap,
    key: unknown,
    row: readonly unknown[],
    plan: EntityPlan,
    batch: LoadBatch | null,
  ): InstanceState {
    const existing = map.get(key);
    if (existing) return existing;
    const st = plan.mapper.instantiate(plan.read, row, plan.offset);
    st.key = key;
    st.status = 'persistent';
    st.session = this;
    st.batch = batch;
    map.set(key, st);
    return st;
  }

  /** @internal After INSERT: the object joins the identity map. */
  registerInserted(st: InstanceState): void {
    st.key = st.mapper.keyFromValues(st.v);
    st.status = 'persistent';
    this.identityMap(st.mapper).set(st.key, st);
    this.txnInserted.add(st);
  }

  /** @internal Undoes registerInserted when the flush that did it fails (the flush makes it pending again). */
  unregisterInserted(st: InstanceState): void {
    this.removeIdentity(st);
    this.txnInserted.delete(st);
  }

  /** @internal A new object reached by a flush's save-update cascade: pending, and written by that flush. */
  adoptPending(st: InstanceState): void {
    st.status = 'pending';
    st.session = this;
  }

  /** @internal Undoes registerDeleted when the flush that did it fails. */
  unregisterDeleted(st: InstanceState): void {
    this.txnDeleted.delete(st);
    st.status = 'persistent';
    this.identityMap(st.mapper).set(st.key, st);
    this.toDelete.add(st);
  }

  /** @internal After DELETE. */
  registerDeleted(st: InstanceState): void {
    this.removeIdentity(st);
    this.toDelete.delete(st);
    this.changed.delete(st);
    st.status = 'deleted';
    this.txnDeleted.add(st);
  }

  private removeIdentity(st: InstanceState): void {
    const m = this.identity.get(st.mapper);
    if (m && m.get(st.key) === st) m.delete(st.key);
  }

  private attachDetached(st: InstanceState): void {
    const key = st.mapper.keyFromValues(st.v);
    const map = this.identityMap(st.mapper);
    const existing = map.get(key);
    if (existing && existing !== st) {
      throw new InvalidRequestError(`another object with the same primary key as ${st} is already in this session`);
    }
    st.key = key;
    st.status = 'persistent';
    st.session = this;
    map.set(key, st);
  }

  private expungeState(st: InstanceState): void {
    this.pending.delete(st);
    this.toDelete.delete(st);
    this.changed.delete(st);
    this.removeIdentity(st);
    this.detach(st, st.status === 'pending' ? 'transient' : 'detached');
  }

  private detach(st: InstanceState, status: 'transient' | 'detached'): void {
    st.status = status;
    st.session = null;
    st.batch = null;
  }

  private requireState(obj: unknown, action: string): InstanceState {
    const st = typeof obj === 'object' && obj !== null ? stateOf(obj) : undefined;
    if (!st)
      throw new ArgumentError(`session.${action}() takes a model instance, got ${obj === null ? 'null' : typeof obj}`);
    return st;
  }

  // ---- lazy loading ----

  /** @internal `await user.posts` on an unloaded relationship. */
  loadRelationship(st: InstanceState, prop: RelationshipProperty, site: Error | null = null): Promise<unknown> {
    if (st.isLoaded(prop.key)) return Promise.resolve(st.rel![prop.key]);
    return this.run(() => this.loadRelationshipNow(st, prop, site));
  }

  /** @internal loadRelationship() for callers that already hold the session's lock (the unit of work). */
  async loadRelationshipNow(
    st: InstanceState,
    prop: RelationshipProperty,
    site: Error | null = null,
  ): Promise<unknown> {
    if (st.isLoaded(prop.key)) return st.rel![prop.key];
    const strategy = st.loadOptions?.get(prop) ?? prop.lazy;
    if (strategy === 'raise') {
      throw new NotLoadedError(
        `${prop.name} is set to raise on lazy load; load it with the query: .options(selectinload(${prop.name}))`,
      );
    }
    if (strategy === 'noload') {
      prop.setLoaded(st, prop.uselist ? [] : null);
      return st.rel![prop.key];
    }
    if (this.autoflush && this.isDirty && !this.activeFlush) await this.flushNow();
    const batch = st.batch;
    if (batch && batch.size > 1 && !loadsWithoutSql(this, st, prop))
      this.nPlusOneReports.noteLazyLoad(batch, prop, site);
    await loadRelated(this, [st], prop, new Map(), [prop], null);
    return st.rel![prop.key];
  }
}

export { ScalarResult };

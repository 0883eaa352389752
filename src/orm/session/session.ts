/**
 * The Session: an identity map (one object per row), a unit of work (what to INSERT, UPDATE,
 * DELETE at flush), and one transaction on one connection, begun on first use.
 */
import type { Dialect, QueryResult } from '../../dialects/dialect.js';
import type { Connection, Engine } from '../../engine/engine.js';
import type { Statement } from '../../sql/dml.js';
import type { CompiledStatement } from '../../sql/compiler.js';
import { ArgumentError } from '../../sql/errors.js';
import { ColumnElement, ColumnRef } from '../../sql/expressions.js';
import { Select, outputName } from '../../sql/selectable.js';
import { InvalidRequestError, NotLoadedError, NPlusOneError, PendingRollbackError } from '../errors.js';
import { LoadBatch, loadRelated, loadsWithoutSql, type EntityPlan } from '../loading/loading.js';
import type { Mapper } from '../mapping/mapper.js';
import { Query } from '../query/query.js';
import type { Registry } from '../mapping/registry.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { stateOf, type InstanceState } from './state.js';
import { UnitOfWork } from './unitofwork.js';
import type { CompiledLoads } from '../loading/compiled.js';
import { KeyMap, type IdentityMap } from './keymap.js';
import { NestedTransaction, runNested } from './nested.js';
import { DeleteStatement, InsertStatement, UpdateStatement, type BulkStatement } from '../query/statements.js';

export type NPlusOneMode = 'warn' | 'raise' | 'off';

export interface SessionOptions {
  /** Flush pending changes before each query (default true). */
  autoflush?: boolean;
  /** What to do when one relationship is lazily loaded for several objects of one result. */
  nPlusOne?: NPlusOneMode;
  /** Where N+1 warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/** A model class (or anything the registry can map to one). */
export type ModelType<T> = abstract new (...args: never[]) => T;

export class Session {
  readonly dialect: Dialect;
  /** @internal Compiled loads of this registry on this dialect, shared across sessions. */
  readonly compiled: CompiledLoads;
  autoflush: boolean;
  nPlusOne: NPlusOneMode;
  private readonly warn: (message: string) => void;
  private readonly identity = new Map<Mapper, IdentityMap>();
  /** Pending objects: added, not yet inserted. */
  readonly pending = new Set<InstanceState>();
  /** Persistent objects marked for deletion at the next flush. */
  readonly toDelete = new Set<InstanceState>();
  /** Persistent objects with changes since the last flush. */
  readonly changed = new Set<InstanceState>();
  /** Objects inserted or updated in the current transaction, restored on rollback. */
  readonly txnInserted = new Set<InstanceState>();
  readonly txnUpdated = new Set<InstanceState>();
  readonly txnDeleted = new Set<InstanceState>();
  private conn: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  private failed: Error | null = null;
  /** @internal Open savepoints, outermost first (see beginNested). */
  readonly savepoints: NestedTransaction[] = [];
  private savepointSeq = 0;
  private flushing = false;
  private readonly warned = new Set<string>();

  constructor(
    readonly engine: Engine,
    readonly registry: Registry,
    options: SessionOptions = {},
  ) {
    this.dialect = engine.dialect;
    this.compiled = registry.compiledLoads(engine.dialect);
    this.autoflush = options.autoflush ?? true;
    this.nPlusOne = options.nPlusOne ?? 'warn';
    this.warn = options.warn ?? ((m) => console.warn(m));
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
  async refresh(obj: object): Promise<void> {
    const st = this.requireState(obj, 'refresh');
    this.checkUsable();
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
    st.scalarChanges = null;
    this.changed.delete(st);
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

  /** True when a flush would write something. */
  get isDirty(): boolean {
    return this.pending.size > 0 || this.toDelete.size > 0 || this.changed.size > 0;
  }

  /** @internal Called by attribute setters. */
  noteChanged(st: InstanceState): void {
    if (st.status === 'persistent') this.changed.add(st);
  }

  // ---- queries ----

  /** `db.session.query(Post).join(User).filter(...).all()`. */
  query<T>(model: ModelType<T>): Query<T> {
    return new Query<T>(this.registry.mapperOf(model), this);
  }

  /** The object with this primary key: from the identity map (no SQL) or one SELECT; null when absent. */
  async get<T>(model: ModelType<T>, id: unknown): Promise<T | null> {
    const mapper = this.registry.mapperOf(model);
    const key = mapper.keyFromIdentity(id);
    const hit = this.lookupIdentity(mapper, key);
    if (hit) return hit.obj as T;
    const pk = mapper.primaryKey;
    const values =
      pk.length === 1 ? [id] : Array.isArray(id) ? id : pk.map((p) => (id as Record<string, unknown>)[p.key]);
    let q = this.query(model);
    pk.forEach((p, i) => {
      q = q.filter(mapper.columnAttribute(p.key).eq(values[i] as never));
    });
    return q.first();
  }

  /** Runs an ORM select (`select(User).where(...)`) and returns its objects: `await session.scalars(stmt).all()`. */
  scalars<T>(query: Query<T>): ScalarResult<T> {
    if (!(query instanceof Query))
      throw new ArgumentError('session.scalars() takes select(Model)...; use session.execute() for column selects');
    return new ScalarResult(query.bind(this));
  }

  /** Runs a Core SELECT and returns rows as plain objects keyed by column label. */
  async execute(stmt: Select): Promise<Record<string, unknown>[]>;
  /**
   * Runs a bulk INSERT/UPDATE/DELETE (`db.update(User).where(...).values(...)`). Objects already in
   * this session follow: updated values are set on them, deleted ones leave the identity map.
   */
  async execute(stmt: BulkStatement): Promise<{ rowsAffected: number }>;
  async execute(stmt: Select | BulkStatement): Promise<Record<string, unknown>[] | { rowsAffected: number }> {
    this.checkUsable();
    if (this.autoflush && this.isDirty) await this.flush();
    if (stmt instanceof Select) return this.executeSelect(stmt);
    if (stmt instanceof InsertStatement) {
      let rowsAffected = 0;
      for (const node of stmt.toNodes()) rowsAffected += (await this.executeWrite(node)).rowsAffected;
      return { rowsAffected };
    }
    if (stmt instanceof UpdateStatement || stmt instanceof DeleteStatement) return this.executeBulk(stmt);
    throw new ArgumentError('session.execute() takes a select, or db.insert/update/delete(Model) statements');
  }

  private async executeSelect(stmt: Select): Promise<Record<string, unknown>[]> {
    const result = await this.executeRead(stmt);
    const names = stmt.columns.map((c, i) => outputName(c, i));
    const processors = stmt.columns.map((c) =>
      c instanceof ColumnElement && c.sqlType ? this.dialect.resultProcessor(c.sqlType) : null,
    );
    return result.rows.map((row) => {
      const out: Record<string, unknown> = {};
      names.forEach((n, i) => {
        const v = row[i];
        const p = processors[i];
        out[n] = p && v !== null ? p(v) : v;
      });
      return out;
    });
  }

  /** SQLAlchemy's synchronize_session='fetch': find the affected keys first, then keep loaded objects in step. */
  private async executeBulk(stmt: UpdateStatement<unknown> | DeleteStatement): Promise<{ rowsAffected: number }> {
    const mapper = stmt.mapper;
    const node = stmt.toNode();
    const loaded = this.identity.get(mapper);
    let affected: InstanceState[] = [];
    if (loaded && loaded.size) {
      const pkCols = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, mapper.table));
      const keys = await this.executeWrite(
        new Select({ columns: pkCols, from: [mapper.table], where: stmt.whereClause() }),
      );
      affected = keys.rows
        .map((r) =>
          loaded.get(mapper.keyFromValues(Object.fromEntries(mapper.primaryKey.map((pk, i) => [pk.key, r[i]])))),
        )
        .filter((x): x is InstanceState => x !== undefined);
    }
    const result = await this.executeWrite(node);
    if (stmt instanceof UpdateStatement) {
      for (const st of affected) {
        for (const [k, v] of Object.entries(stmt.changes as Record<string, unknown>)) {
          st.v[k] = v;
          if (st.orig) delete st.orig[k];
        }
      }
    } else {
      for (const st of affected) this.registerDeleted(st);
    }
    return { rowsAffected: result.rowsAffected };
  }

  // ---- transaction ----

  /**
   * Starts the session's transaction now. Otherwise it starts at the first write (flush or bulk
   * statement): until then each read runs on a connection borrowed for that statement, so a session
   * that only reads holds no connection and no locks (SQLAlchemy holds both until close()). Call
   * begin() first when reads must share the writes' transaction (REPEATABLE READ, SELECT … FOR UPDATE).
   */
  async begin(): Promise<void> {
    this.checkUsable();
    await this.transaction();
  }

  /**
   * Starts a nested transaction: flushes, then sets a SAVEPOINT (SQLAlchemy's `begin_nested()`). With a
   * callback, commits it when the callback resolves and rolls it back (rethrowing) when it throws; without
   * one, returns it for `commit()` / `rollback()`. Rolling back undoes only the work done since it began.
   *
   * @example
   * await session.beginNested(async () => {
   *   session.add(new Tag({ name: 'maybe-taken' }));
   * }).catch((err) => { if (!(err instanceof IntegrityError)) throw err; }); // the rest of the transaction goes on
   * await session.commit();
   */
  beginNested(): Promise<NestedTransaction>;
  beginNested<R>(fn: (nested: NestedTransaction) => Promise<R>): Promise<R>;
  async beginNested<R>(fn?: (nested: NestedTransaction) => Promise<R>): Promise<NestedTransaction | R> {
    this.checkUsable();
    await this.flush();
    const conn = await this.transaction();
    const nested = new NestedTransaction(this, conn, `relata_sp_${++this.savepointSeq}`);
    await conn.savepoint(nested.name);
    this.savepoints.push(nested);
    return fn ? runNested(nested, fn) : nested;
  }

  /** @internal A nested transaction was rolled back: the enclosing one is usable again. */
  recoverNested(): void {
    this.failed = null;
  }

  /** @internal A savepoint could not be rolled back: only a full rollback() helps now. */
  failNested(err: Error): void {
    this.savepoints.length = 0;
    this.failed = err;
  }

  /** True while the session holds a connection in an open transaction. */
  get inTransaction(): boolean {
    return this.conn !== null;
  }

  /** @internal The transaction's connection, beginning the transaction on first use. */
  async transaction(): Promise<Connection> {
    if (this.conn) return this.conn;
    this.connecting ??= (async () => {
      const c = await this.engine.connect();
      try {
        await c.begin();
      } catch (err) {
        c.release();
        throw err;
      }
      this.conn = c;
      return c;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** @internal A write: runs in the session's transaction, begun if needed. */
  async executeWrite(stmt: Statement): Promise<QueryResult> {
    const conn = await this.transaction();
    return conn.execute(stmt);
  }

  /** @internal A read: in the open transaction if there is one, else on a connection borrowed for it. */
  async executeRead(stmt: Statement | CompiledStatement): Promise<QueryResult> {
    if (this.conn) return this.conn.execute(stmt);
    if (this.connecting) return (await this.connecting).execute(stmt);
    const c = await this.engine.connect();
    try {
      return await c.execute(stmt);
    } finally {
      c.release();
    }
  }

  /** Writes all pending changes (INSERT, UPDATE, DELETE) in dependency order, inside the transaction. */
  async flush(): Promise<void> {
    this.checkUsable();
    if (this.flushing || !this.isDirty) return;
    this.flushing = true;
    try {
      await new UnitOfWork(this).flush();
    } catch (err) {
      // The transaction is gone: roll it back now so nothing half-written stays, and require rollback().
      // Inside beginNested() only the savepoint is lost: its rollback() undoes the half-written part.
      if (this.savepoints.length === 0) await this.rollbackConnection();
      this.failed = err as Error;
      throw err;
    } finally {
      this.flushing = false;
    }
  }

  /** Flushes, then commits the transaction. */
  async commit(): Promise<void> {
    await this.flush();
    const c = this.conn;
    if (c) {
      this.conn = null;
      this.savepoints.length = 0;
      try {
        await c.commit();
      } finally {
        c.release();
      }
    }
    for (const st of this.txnDeleted) st.status = 'detached';
    for (const st of this.txnUpdated) st.txnOrig = null;
    this.txnInserted.clear();
    this.txnUpdated.clear();
    this.txnDeleted.clear();
  }

  /**
   * Rolls back the transaction. Objects added since the last commit leave the session; every other
   * object gets back the values it had at the last commit, and relationships changed since then unload.
   */
  async rollback(): Promise<void> {
    await this.rollbackConnection();
    this.failed = null;
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
    this.pending.clear();
    this.toDelete.clear();
    this.changed.clear();
    this.txnInserted.clear();
    this.txnUpdated.clear();
    this.txnDeleted.clear();
  }

  private revert(st: InstanceState): void {
    if (st.orig) Object.assign(st.v, st.orig);
    if (st.txnOrig) Object.assign(st.v, st.txnOrig);
    st.orig = null;
    st.txnOrig = null;
    if (st.rel && (st.collectionChanges || st.scalarChanges)) st.rel = null;
    st.collectionChanges = null;
    st.scalarChanges = null;
  }

  private async rollbackConnection(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    this.savepoints.length = 0;
    if (!c) return;
    try {
      await c.rollback();
    } finally {
      c.release();
    }
  }

  /** Rolls back and empties the session; its objects become detached. */
  async close(): Promise<void> {
    await this.rollback();
    for (const m of this.identity.values()) m.forEach((st) => this.detach(st, 'detached'));
    this.identity.clear();
  }

  private checkUsable(): void {
    if (this.failed) {
      throw new PendingRollbackError(
        this.savepoints.length
          ? `a flush inside savepoint ${this.savepoints.at(-1)!.name} failed (${this.failed.message}); roll the nested transaction back (nested.rollback()) or the whole session (session.rollback()) before using it again`
          : `this session's transaction was rolled back after a failed flush (${this.failed.message}); call session.rollback() before using it again`,
        { cause: this.failed },
      );
    }
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
  async loadRelationship(st: InstanceState, prop: RelationshipProperty, site: Error | null = null): Promise<unknown> {
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
    this.checkUsable();
    if (this.autoflush && this.isDirty) await this.flush();
    const batch = st.batch;
    if (batch && batch.size > 1 && !loadsWithoutSql(this, st, prop)) this.noteLazyLoad(batch, prop, site);
    await loadRelated(this, [st], prop, new Map(), [prop], null);
    return st.rel![prop.key];
  }

  private noteLazyLoad(batch: LoadBatch, prop: RelationshipProperty, siteError: Error | null): void {
    if (this.nPlusOne === 'off') return;
    const n = (batch.lazyCounts.get(prop) ?? 0) + 1;
    batch.lazyCounts.set(prop, n);
    if (n !== 2) return;
    const site = callSite(siteError ?? new Error());
    const fix = prop.uselist ? 'selectinload' : 'joinedload';
    const message =
      `N+1 query: ${prop.name} was lazily loaded for several ${prop.parent.name} objects of one query result ` +
      `(${batch.size} rows), one SELECT each${site ? `, at ${site}` : ''}. ` +
      `Load them together: .options(${fix}(${prop.name}))`;
    if (this.nPlusOne === 'raise') throw new NPlusOneError(message);
    const once = `${prop.name}@${site}`;
    if (this.warned.has(once)) return;
    this.warned.add(once);
    this.warn(`[relata] ${message}`);
  }
}

/** The first stack frame outside Relata: where the user touched the relationship. */
function callSite(err: Error): string | null {
  const stack = err.stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    if (/[\\/](src|dist)[\\/](orm|engine|sql|dialects)[\\/]/.test(line) || line.includes('node:internal')) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (m) return relativePath(m[1]!);
  }
  return null;
}

/** The result of `session.scalars(stmt)`: await it for the list, or call all()/first()/one(). */
export class ScalarResult<T> implements PromiseLike<T[]> {
  constructor(private readonly query: Query<T>) {}
  all(): Promise<T[]> {
    return this.query.all();
  }
  first(): Promise<T | null> {
    return this.query.first();
  }
  one(): Promise<T> {
    return this.query.one();
  }
  then<A = T[], B = never>(
    onfulfilled?: ((v: T[]) => A | PromiseLike<A>) | null,
    onrejected?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }
}

function relativePath(location: string): string {
  const cwd = typeof process !== 'undefined' && typeof process.cwd === 'function' ? process.cwd() + '/' : '';
  return location.replace(/^file:\/\//, '').replace(cwd, '');
}

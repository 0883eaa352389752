/**
 * What a relationship is: its target, direction and key pairs (resolved from foreign keys),
 * cascades, the reverse side, and how it keeps both sides consistent in memory.
 */
import {
  BinaryExpression,
  BooleanClauseList,
  ColumnElement,
  ColumnRef,
  OrderByElement,
  TextClause,
  and_,
} from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import type { Column, ForeignKey, Table } from '../../sql/schema.js';
import { Select, TableAlias, type FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import { RelationshipAttribute } from './attributes.js';
import { InstrumentedList } from '../session/collections.js';
import type { LazyStrategy, RelationshipDecl, RelationshipOptions } from './declarative.js';
import { AmbiguousForeignKeysError, MappingError, NoForeignKeysError, NotLoadedError } from '../errors.js';
import type { Mapper } from './mapper.js';
import { NOT_LOADED, stateOf, type InstanceState } from '../session/state.js';
import { takeKnownMembers } from './unloaded-collection.js';
import { parseCascade } from './cascade.js';

export type Direction = 'ONETOMANY' | 'MANYTOONE' | 'MANYTOMANY';

/** `local` is a column of the parent side, `remote` of the other side of one equality. */
export interface ColumnPair {
  readonly local: Column;
  readonly remote: Column;
}

export class RelationshipProperty {
  target!: Mapper;
  direction!: Direction;
  uselist!: boolean;
  /** Parent ↔ target key pairs (no secondary). */
  pairs: ColumnPair[] = [];
  secondary: Table | null = null;
  /** Parent column ↔ secondary column. */
  secondaryLocal: ColumnPair[] = [];
  /** Secondary column ↔ target column. */
  secondaryRemote: ColumnPair[] = [];
  /** Conditions of a custom primaryJoin beyond the key equalities, on the target's table. */
  extraCriteria: ColumnElement<boolean> | null = null;
  orderBy: OrderByElement[] = [];
  cascade = new Set<string>();
  reverse: RelationshipProperty | null = null;
  lazy: LazyStrategy = 'select';
  viewonly = false;
  passiveDeletes = false;
  readonly attribute: RelationshipAttribute;
  private configureState: 'pending' | 'busy' | 'done' = 'pending';

  constructor(
    readonly parent: Mapper,
    readonly key: string,
    readonly decl: RelationshipDecl,
    /** Set for a relationship created by a `backref`: it mirrors that one. */
    readonly mirrorOf: RelationshipProperty | null = null,
  ) {
    this.attribute = new RelationshipAttribute(this, key);
  }

  get options(): RelationshipOptions {
    return this.decl.options;
  }

  get name(): string {
    return `${this.parent.name}.${this.key}`;
  }

  configure(): void {
    if (this.configureState !== 'pending') return;
    this.configureState = 'busy';
    try {
      this.resolve();
      this.configureState = 'done';
    } catch (err) {
      // Left unconfigured, so the next attempt reports the same error instead of passing silently.
      this.configureState = 'pending';
      throw err;
    }
  }

  private resolve(): void {
    const o = this.options;
    this.target = this.resolveTarget();
    this.lazy = o.lazy === true || o.lazy === undefined ? 'select' : o.lazy === false ? 'joined' : o.lazy;
    this.viewonly = o.viewonly ?? false;
    this.passiveDeletes = o.passiveDeletes ?? false;
    if (this.mirrorOf) this.mirror(this.mirrorOf);
    else if (o.secondary !== undefined) this.resolveSecondary(o.secondary);
    else this.resolvePairs();
    this.uselist = o.uselist ?? this.direction !== 'MANYTOONE';
    if (o.uselist === undefined && this.direction === 'MANYTOONE' && !this.mirrorOf) {
      // The declared type is a list unless uselist: false says otherwise; refuse a type that would lie.
      throw new MappingError(
        `relationship ${this.name} is many-to-one (its foreign key is on ${this.parent.table.name}), so it holds one ` +
          `${this.target.name}: pass uselist: false so its type is ${this.target.name} | null`,
      );
    }
    this.cascade = parseCascade(o.cascade, this.name);
    this.orderBy = this.resolveOrderBy();
    this.linkReverse();
  }

  private resolveTarget(): Mapper {
    const t = this.decl.target;
    const registry = this.parent.registry;
    if (typeof t === 'string') return registry.byName(t, `relationship ${this.name}`);
    let cls: unknown;
    try {
      cls = t();
    } catch (err) {
      throw new MappingError(`relationship ${this.name}: its target thunk threw: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return registry.mapperOf(cls);
  }

  private mirror(other: RelationshipProperty): void {
    other.configure();
    this.secondary = other.secondary;
    this.pairs = other.pairs.map((p) => ({ local: p.remote, remote: p.local }));
    this.secondaryLocal = other.secondaryRemote.map((p) => ({ local: p.remote, remote: p.local }));
    this.secondaryRemote = other.secondaryLocal.map((p) => ({ local: p.remote, remote: p.local }));
    this.direction =
      other.direction === 'MANYTOMANY' ? 'MANYTOMANY' : other.direction === 'MANYTOONE' ? 'ONETOMANY' : 'MANYTOONE';
    this.reverse = other;
    other.reverse = this;
  }

  private resolveSecondary(secondary: Table | string): void {
    const meta = this.parent.registry.metadata;
    const table = typeof secondary === 'string' ? meta.tables.get(secondary) : secondary;
    if (!table) {
      throw new MappingError(
        `relationship ${this.name}: secondary table '${String(secondary)}' is not defined (use db.Table(...))`,
      );
    }
    if (this.options.primaryJoin) {
      // Ignoring it would join through the association table alone and return rows it excludes.
      throw new MappingError(
        `relationship ${this.name}: primaryJoin together with secondary is not supported (secondaryJoin is issue 14): ` +
          `the join through '${table.name}' follows its foreign keys. Drop primaryJoin and filter in a query ` +
          `(${this.target.name}.query.join(...).filter(...)), or map the association table as a model`,
      );
    }
    this.secondary = table;
    this.direction = 'MANYTOMANY';
    const pt = this.parent.table;
    const tt = this.target.table;
    if (pt === tt) {
      throw new MappingError(
        `relationship ${this.name}: a self-referential many-to-many needs primaryJoin/secondaryJoin, which Relata does not support yet`,
      );
    }
    const toParent = table.foreignKeysTo(pt);
    const toTarget = table.foreignKeysTo(tt);
    for (const [fks, other] of [
      [toParent, pt],
      [toTarget, tt],
    ] as const) {
      if (fks.length === 0) {
        throw new NoForeignKeysError(
          `relationship ${this.name}: secondary table '${table.name}' has no foreign key to table '${other.name}'`,
        );
      }
      if (!coversKey(fks)) {
        throw new AmbiguousForeignKeysError(
          `relationship ${this.name}: secondary table '${table.name}' has several foreign keys to '${other.name}' (${fks.map((f) => f.parent.name).join(', ')})`,
        );
      }
    }
    // Association rows are unique pairs: give the table a key when it has none (Galera refuses tables without).
    if (table.primaryKey.length === 0 && table.associationPrimaryKey) {
      table.markPrimaryKey([...toParent, ...toTarget].map((fk) => fk.parent));
    }
    this.secondaryLocal = toParent.map((fk) => ({ local: fk.column, remote: fk.parent }));
    this.secondaryRemote = toTarget.map((fk) => ({ local: fk.parent, remote: fk.column }));
  }

  private resolvePairs(): void {
    const o = this.options;
    const pt = this.parent.table;
    const tt = this.target.table;
    if (o.primaryJoin) return this.resolvePrimaryJoin(o.primaryJoin());
    const named = o.foreignKeys === undefined ? null : this.resolveColumnNames(o.foreignKeys, 'foreignKeys');
    let fks: ForeignKey[] = pt === tt ? pt.foreignKeysTo(pt) : [...pt.foreignKeysTo(tt), ...tt.foreignKeysTo(pt)];
    if (named) fks = fks.filter((fk) => named.includes(fk.parent));
    if (fks.length === 0) {
      throw new NoForeignKeysError(
        `relationship ${this.name}: no foreign key links table '${pt.name}' and table '${tt.name}'` +
          (named ? ` through ${named.map((c) => c.name).join(', ')}` : '') +
          `. Add a ForeignKey to one of them, or pass primaryJoin`,
      );
    }
    if (!coversKey(fks) || (pt !== tt && new Set(fks.map((f) => f.parent.table)).size > 1)) {
      throw new AmbiguousForeignKeysError(
        `relationship ${this.name}: several foreign keys link table '${pt.name}' and table '${tt.name}' ` +
          `(${fks.map((f) => `${f.parent.table.name}.${f.parent.name}`).join(', ')}). ` +
          `Pass foreignKeys: '<attribute>' to say which one this relationship uses`,
      );
    }
    let manyToOne: boolean;
    if (pt === tt) {
      // Self-referential: one-to-many unless remoteSide names the referenced (usually primary key) columns.
      const remote = o.remoteSide === undefined ? null : this.resolveColumnNames(o.remoteSide, 'remoteSide');
      manyToOne = remote !== null && fks.every((fk) => remote.includes(fk.column));
    } else {
      manyToOne = fks[0]!.parent.table === pt;
    }
    this.direction = manyToOne ? 'MANYTOONE' : 'ONETOMANY';
    this.pairs = fks.map((fk) =>
      manyToOne ? { local: fk.parent, remote: fk.column } : { local: fk.column, remote: fk.parent },
    );
  }

  /** Splits a custom join condition into key equalities (along a foreign key) and extra criteria. */
  private resolvePrimaryJoin(cond: ColumnElement<boolean>): void {
    const pt = this.parent.table;
    const tt = this.target.table;
    const named =
      this.options.foreignKeys === undefined ? null : this.resolveColumnNames(this.options.foreignKeys, 'foreignKeys');
    const clauses = cond instanceof BooleanClauseList && cond.operator === 'AND' ? cond.clauses : [cond];
    const extra: ColumnElement<boolean>[] = [];
    let manyToOne: boolean | null = null;
    for (const c of clauses) {
      if (
        c instanceof BinaryExpression &&
        c.operator === '=' &&
        c.left instanceof ColumnRef &&
        c.right instanceof ColumnRef
      ) {
        const [a, b] = [c.left.column, c.right.column];
        const pc = a.table === pt ? a : b.table === pt ? b : null;
        const tc = pc === a ? b : a;
        if (pc && tc.table === tt && pc !== tc) {
          const isFk = (col: Column, other: Column) =>
            named ? named.includes(col) : col.foreignKeys.some((fk) => fk.column === other);
          if (isFk(tc, pc)) manyToOne = false;
          else if (isFk(pc, tc)) manyToOne = true;
          else continue;
          this.pairs.push({ local: pc, remote: tc });
          continue;
        }
      }
      extra.push(c as ColumnElement<boolean>);
    }
    if (manyToOne === null) {
      throw new NoForeignKeysError(
        `relationship ${this.name}: primaryJoin has no equality along a foreign key between '${pt.name}' and '${tt.name}'; pass foreignKeys`,
      );
    }
    this.direction = manyToOne ? 'MANYTOONE' : 'ONETOMANY';
    this.extraCriteria = extra.length ? and_(...extra) : null;
    this.viewonly = this.options.viewonly ?? this.extraCriteria !== null;
  }

  /** Attribute names ('userId', or 'Model.attr') to columns of the parent or target table. */
  private resolveColumnNames(names: string | readonly string[], option: string): Column[] {
    const list = typeof names === 'string' ? names.split(',').map((s) => s.trim()) : names;
    return list.map((name) => {
      const [model, attr] = name.includes('.') ? (name.split('.') as [string, string]) : [null, name];
      const mappers = model
        ? [this.parent.registry.byName(model, `relationship ${this.name} ${option}`)]
        : [this.parent, this.target];
      for (const m of mappers) {
        const mc = m.columnsByKey.get(attr);
        if (mc) return mc.column;
      }
      throw new MappingError(
        `relationship ${this.name}: ${option} names '${name}', which is not a column of ${mappers.map((m) => m.name).join(' or ')}`,
      );
    });
  }

  private resolveOrderBy(): OrderByElement[] {
    const ob = this.options.orderBy;
    if (ob === undefined) return [];
    if (typeof ob === 'function') {
      const v = ob();
      const list = Array.isArray(v) ? (v as readonly unknown[]) : [v];
      return list.map((x) => (x instanceof OrderByElement ? x : new OrderByElement(x as ColumnElement, 'ASC')));
    }
    const names = typeof ob === 'string' ? ob.split(',').map((s) => s.trim()) : ob;
    return names.map((n) => {
      const desc = n.startsWith('-') || / desc$/i.test(n);
      const key = n.replace(/^-/, '').replace(/ (asc|desc)$/i, '');
      const mc = this.target.columnsByKey.get(key);
      if (!mc)
        throw new MappingError(
          `relationship ${this.name}: orderBy names '${key}', which is not a column of ${this.target.name}`,
        );
      return new OrderByElement(new ColumnRef(mc.column, this.target.table), desc ? 'DESC' : 'ASC');
    });
  }

  private linkReverse(): void {
    const o = this.options;
    if (o.backPopulates) {
      const other = this.target.relationships.get(o.backPopulates);
      if (!other) {
        throw new MappingError(
          `relationship ${this.name}: backPopulates '${o.backPopulates}' is not a relationship of ${this.target.name}`,
        );
      }
      this.reverse = other;
      other.reverse ??= this;
    }
    if (o.backref) {
      const spec = typeof o.backref === 'string' ? { name: o.backref } : o.backref;
      if (this.target.relationships.has(spec.name) || this.target.columnsByKey.has(spec.name)) {
        throw new MappingError(
          `relationship ${this.name}: backref '${spec.name}' clashes with an attribute of ${this.target.name}`,
        );
      }
      const decl = {
        kind: 'relationship-decl',
        target: this.parent.name,
        options: { lazy: spec.lazy, uselist: spec.uselist, cascade: spec.cascade, orderBy: spec.orderBy },
      } as unknown as RelationshipDecl;
      const back = new RelationshipProperty(this.target, spec.name, decl, this);
      this.target.registry.defineRelationship(this.target, back);
      back.configure();
    }
  }

  // ---- SQL ----

  /** ON clause from the parent (on `parentFrom`) to the target (on `targetFrom`); not for many-to-many. */
  joinCondition(parentFrom: FromClause, targetFrom: FromClause): ColumnElement<boolean> {
    const parts = this.pairs.map((p) => new ColumnRef(p.local, parentFrom).eq(new ColumnRef(p.remote, targetFrom)));
    if (this.extraCriteria) parts.push(replaceFrom(this.extraCriteria, this.target.table, targetFrom));
    return and_(...parts);
  }

  /** ON clause from the parent to the association table. */
  secondaryCondition(parentFrom: FromClause, secondaryFrom: FromClause): ColumnElement<boolean> {
    return and_(
      ...this.secondaryLocal.map((p) => new ColumnRef(p.local, parentFrom).eq(new ColumnRef(p.remote, secondaryFrom))),
    );
  }

  /** ON clause from the association table to the target. */
  targetCondition(secondaryFrom: FromClause, targetFrom: FromClause): ColumnElement<boolean> {
    return and_(
      ...this.secondaryRemote.map((p) => new ColumnRef(p.local, secondaryFrom).eq(new ColumnRef(p.remote, targetFrom))),
    );
  }

  /** `User.posts.any(...)` / `Post.author.has(...)`: a correlated EXISTS. */
  exists(criteria: ColumnElement<boolean> | undefined, method: 'any' | 'has'): ColumnElement<boolean> {
    this.parent.registry.configure();
    if (method === 'any' && !this.uselist)
      throw new ArgumentError(`${this.name} is not a collection: use ${this.name}.has()`);
    if (method === 'has' && this.uselist)
      throw new ArgumentError(`${this.name} is a collection: use ${this.name}.any()`);
    const selfRef = this.parent.table === this.target.table;
    const targetFrom = selfRef ? new TableAlias(this.target.table, `${this.target.table.name}_1`) : this.target.table;
    const conds: ColumnElement<boolean>[] = [];
    let from: FromClause[];
    if (this.secondary) {
      from = [this.secondary, targetFrom];
      conds.push(
        this.secondaryCondition(this.parent.table, this.secondary),
        this.targetCondition(this.secondary, targetFrom),
      );
    } else {
      from = [targetFrom];
      conds.push(this.joinCondition(this.parent.table, targetFrom));
    }
    if (criteria) conds.push(selfRef ? replaceFrom(criteria, this.target.table, targetFrom) : criteria);
    return new Select({ columns: [new TextClause('1')], from, where: and_(...conds) }).exists();
  }

  // ---- in memory ----

  checkMember(item: unknown): void {
    if (!this.target.owns(item)) {
      const got = item === null || typeof item !== 'object' ? String(item) : (item.constructor?.name ?? 'an object');
      throw new ArgumentError(`${this.name} holds ${this.target.name} objects, got ${got}`);
    }
  }

  /**
   * The value of a relationship read before it is loaded: the awaitable placeholder, or for
   * `noload` (the relationship's `lazy` or the query's option) the empty value, readable at once.
   */
  unloaded(state: InstanceState): unknown {
    if ((state.loadOptions?.get(this) ?? this.lazy) === 'noload') {
      this.setLoaded(state, this.uselist ? [] : null);
      return state.rel![this.key];
    }
    return makeUnloaded(this, state, this.nPlusOneSite(state));
  }

  /**
   * Where user code read the attribute (an Error, for its stack: `then` runs later, from a microtask),
   * when that read is about to be reported as an N+1: the second lazy load of this relationship for
   * objects of one query result. Capturing a stack costs microseconds, so no other read pays for it.
   */
  private nPlusOneSite(state: InstanceState): Error | null {
    const batch = state.batch;
    if (!batch || batch.size < 2 || state.session?.nPlusOne === 'off') return null;
    return (batch.lazyCounts.get(this) ?? 0) === 1 ? new Error() : null;
  }

  /** Empty value for a new object: an empty collection or null. */
  emptyValue(state: InstanceState): unknown {
    return this.uselist ? InstrumentedList.of_(state, this, []) : null;
  }

  /** Records a loaded value without marking anything changed. */
  setLoaded(state: InstanceState, value: unknown): void {
    state.rel ??= {};
    if (!this.uselist) {
      state.rel[this.key] = value;
      return;
    }
    const items = value as object[];
    const list = InstrumentedList.of_(state, this, items);
    state.rel[this.key] = list;
    if (state.pendingMutations !== null) this.applyPending(state, list);
    // Loading a one-to-many also answers each child's many-to-one back to this parent: fill it for free.
    const back = this.reverse;
    if (back && back.direction === 'MANYTOONE' && !back.extraCriteria) {
      for (let i = 0; i < items.length; i++) {
        const child = stateOf(items[i]!)!;
        if (!child.isLoaded(back.key)) (child.rel ??= {})[back.key] = state.obj;
      }
    }
  }

  /**
   * Backref changes queued while this collection was not loaded, laid over the rows just read:
   * removals go, additions follow the rows (once: the database may have them already, after a
   * flush). An item deleted or expunged since it was queued is not shown.
   */
  private applyPending(state: InstanceState, list: InstrumentedList<object>): void {
    const pending = state.pendingMutations!.get(this.key);
    if (!pending) return;
    state.pendingMutations!.delete(this.key);
    if (state.pendingMutations!.size === 0) state.pendingMutations = null;
    for (const item of pending.removed) list.removeQuietly(item);
    for (const item of pending.added) {
      const st = stateOf(item)!;
      if (st.session === state.session && st.status !== 'deleted') list.appendQuietly(item);
    }
  }

  /**
   * save-update cascade through a backref: a new object linked to one in a session (`post.author =
   * user`) joins that session, as adding it to the collection directly would make it.
   */
  private cascadeInto(state: InstanceState, item: object): void {
    const session = state.session;
    if (!session || this.viewonly || !this.cascade.has('save-update')) return;
    const st = stateOf(item)!;
    if (st.status === 'transient' && st.session === null) session.add(item);
  }

  /** `user.posts = [...]` or `post.author = user`. */
  set(state: InstanceState, value: unknown): void {
    this.parent.registry.configure();
    const current = this.replacedValue(state);
    if (this.uselist) {
      if (!Array.isArray(value))
        throw new ArgumentError(`${this.name} is a collection: assign an array of ${this.target.name}`);
      value.forEach((v) => this.checkMember(v));
      const old = current === NOT_LOADED ? this.replaceUnloaded(state) : (current as object[]);
      const next = InstrumentedList.of_(state, this, value as object[]);
      state.rel ??= {};
      state.rel[this.key] = next;
      for (const item of old) if (!value.includes(item)) this.onRemove(state, item);
      for (const item of value as object[]) if (!old.includes(item)) this.onAppend(state, item);
      return;
    }
    if (value !== null) this.checkMember(value);
    if (current === value) return;
    state.rel ??= {};
    state.rel![this.key] = value;
    this.noteScalarChange(state, current);
    if (this.reverse) {
      if (current && current !== NOT_LOADED) this.reverse.detachQuietly(stateOf(current as object)!, state.obj);
      if (value) this.reverse.attachQuietly(stateOf(value as object)!, state.obj);
    }
  }

  /**
   * What an assignment replaces. Unloaded on a persistent object: a many-to-one's old target from
   * the identity map (its own foreign key is all the flush changes); a one-to-one's or a
   * collection's NOT_LOADED, which the flush loads (old rows must let go of the key, or be
   * deleted as orphans); a `noload` collection's empty list. No SQL at assignment time.
   */
  private replacedValue(state: InstanceState): unknown {
    if (state.isLoaded(this.key) || state.status !== 'persistent') return this.currentValue(state, 'assigned');
    if (this.uselist)
      return (state.loadOptions?.get(this) ?? this.lazy) === 'noload' ? this.unloaded(state) : NOT_LOADED;
    return this.direction === 'MANYTOONE' ? this.targetInIdentityMap(state) : NOT_LOADED;
  }

  /**
   * `owner.items = [...]` before `items` was loaded: marked for the flush to load what the
   * database holds and write the difference. Returns the members memory knows of, which the
   * assignment removes or keeps as if the collection had been loaded with them.
   */
  private replaceUnloaded(state: InstanceState): object[] {
    const known = takeKnownMembers(this, state);
    state.collectionChangesFor(this.key).replacedUnloaded = true;
    state.session?.noteChanged(state);
    return known;
  }

  /** The current many-to-one target by its key, from the identity map (no SQL); null when not there. */
  private targetInIdentityMap(state: InstanceState): object | null {
    const values: Record<string, unknown> = {};
    for (const p of this.pairs) {
      const v = state.v[this.parent.columnsByColumn.get(p.local)!.key];
      if (v === null || v === undefined) return null;
      values[this.target.columnsByColumn.get(p.remote)!.key] = v;
    }
    const key = this.target.keyFromValues(values);
    return (key !== undefined && state.session?.lookupIdentity(this.target, key)?.obj) || null;
  }

  private noteScalarChange(state: InstanceState, previous: unknown): void {
    state.scalarChanges ??= new Map();
    if (!state.scalarChanges.has(this.key)) state.scalarChanges.set(this.key, previous);
    state.session?.noteChanged(state);
  }

  /** The loaded value, or the empty value for objects never flushed; throws for unloaded persistent ones. */
  currentValue(state: InstanceState, action: string): unknown {
    if (state.isLoaded(this.key)) return state.rel![this.key];
    if (state.status === 'transient' || state.status === 'pending') {
      const empty = this.emptyValue(state);
      state.rel ??= {};
      state.rel[this.key] = empty;
      return empty;
    }
    throw new NotLoadedError(
      `${this.name} must be loaded before it is ${action}: await ${lowerFirst(this.parent.name)}.${this.key} first`,
    );
  }

  onAppend(owner: InstanceState, item: object): void {
    // A new owner's collections are not tracked: its flush writes them whole (see UnitOfWork).
    if (!writtenWhole(owner)) {
      const changes = owner.collectionChangesFor(this.key);
      if (changes.removed.has(item)) changes.removed.delete(item);
      else changes.added.add(item);
      owner.session?.noteChanged(owner);
    }
    if (this.reverse) this.reverse.attachQuietly(stateOf(item)!, owner.obj);
  }

  onRemove(owner: InstanceState, item: object): void {
    if (writtenWhole(owner)) {
      if (this.reverse) this.reverse.detachQuietly(stateOf(item)!, owner.obj);
      return;
    }
    const changes = owner.collectionChangesFor(this.key);
    if (changes.added.has(item)) changes.added.delete(item);
    else changes.removed.add(item);
    owner.session?.noteChanged(owner);
    if (this.reverse) this.reverse.detachQuietly(stateOf(item)!, owner.obj);
  }

  /** Backref sync: `other` now points at `state` through the reverse side; mirror it here. */
  attachQuietly(state: InstanceState, other: object): void {
    if (this.uselist) {
      if (state.isLoaded(this.key)) (state.rel![this.key] as InstrumentedList<object>).appendQuietly(other);
      else if (state.status === 'transient' || state.status === 'pending') this.setLoaded(state, [other]);
      else if (state.status === 'persistent') {
        // Not loaded: queue it for when it loads, without SQL now (SQLAlchemy's pending collection).
        const pending = state.pendingMutationsFor(this.key);
        pending.removed.delete(other);
        pending.added.add(other);
        state.session?.pendingOwners.add(state);
      }
      this.cascadeInto(state, other);
      return;
    }
    const loaded = state.isLoaded(this.key);
    const prev = loaded ? state.rel![this.key] : undefined;
    if (prev === other) return;
    state.rel ??= {};
    state.rel[this.key] = other;
    // The previous owner of a many-to-one loses this object from its collection.
    if (prev && this.reverse && this.reverse.uselist) this.reverse.detachQuietly(stateOf(prev as object)!, state.obj);
    if (this.direction !== 'MANYTOONE' && !this.viewonly && state.status === 'persistent' && (prev || !loaded)) {
      // A one-to-one taken over from the other side: the row it held lets go at flush (loaded then if need be).
      this.noteScalarChange(state, loaded ? prev : NOT_LOADED);
      if (prev && this.reverse) this.reverse.detachQuietly(stateOf(prev as object)!, state.obj);
    }
    this.cascadeInto(state, other);
  }

  detachQuietly(state: InstanceState, other: object): void {
    if (!state.isLoaded(this.key)) {
      if (this.uselist && state.status === 'persistent') {
        const pending = state.pendingMutationsFor(this.key);
        pending.added.delete(other);
        pending.removed.add(other);
        state.session?.pendingOwners.add(state);
      }
      return;
    }
    if (this.uselist) (state.rel![this.key] as InstrumentedList<object>).removeQuietly(other);
    else if (state.rel![this.key] === other) state.rel![this.key] = null;
  }
}

/**
 * A new object's collections, which its first flush writes whole instead of change by change. Once
 * a running flush has read them, further changes are tracked, for the next flush to write.
 */
function writtenWhole(state: InstanceState): boolean {
  if (state.status !== 'transient' && state.status !== 'pending') return false;
  return !state.session?.activeFlush?.collected;
}

/** True when a list of foreign keys is one key: one column, or several columns of one composite key. */
function coversKey(fks: ForeignKey[]): boolean {
  if (fks.length <= 1) return true;
  const parents = new Set(fks.map((f) => f.parent));
  const targets = new Set(fks.map((f) => f.column));
  const targetTables = new Set(fks.map((f) => f.column.table));
  return (
    parents.size === fks.length &&
    targets.size === fks.length &&
    targetTables.size === 1 &&
    [...targets].every((c) => c.primaryKey) &&
    [...targetTables][0]!.primaryKey.length === fks.length
  );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The value of an unloaded relationship: awaitable (loads it), and loud on any synchronous use,
 * naming the relationship and the loader option that would have loaded it.
 */
function makeUnloaded(prop: RelationshipProperty, state: InstanceState, site: Error | null): unknown {
  const target = {
    then(resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) {
      const session = state.session;
      if (!session) {
        return Promise.reject(
          new NotLoadedError(
            `${prop.name} cannot be loaded: ${state} is not in a session (it was expunged or its session closed)`,
          ),
        ).then(resolve, reject);
      }
      return session.loadRelationship(state, prop, site).then(resolve, reject);
    },
  };
  // util.inspect looks through a Proxy at its target (unless showProxy): the target itself must
  // say what it is, or it prints as `{ then: [Function: then] }`.
  Object.defineProperty(target, INSPECT, { value: () => `<${prop.name} not loaded>` });
  return new Proxy(target, {
    get(t, key) {
      if (key === 'then') return t.then;
      if (key === INSPECT) return () => `<${prop.name} not loaded>`;
      // In JSON an unloaded relationship is absent (an object's key is dropped), as in a model's own JSON.
      if (key === 'toJSON') return () => undefined;
      if (key === Symbol.toPrimitive || key === 'constructor' || key === Symbol.toStringTag) return undefined;
      const fix = prop.uselist ? 'selectinload' : 'joinedload';
      throw new NotLoadedError(
        `${prop.name} is not loaded. Use \`await ${lowerFirst(prop.parent.name)}.${prop.key}\` to load it, ` +
          `or load it with the query: .options(${fix}(${prop.parent.name}.${prop.key}))`,
      );
    },
  });
}

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
import type { LazyStrategy, RelationshipDecl, RelationshipOptions } from './declarative.js';
import { AmbiguousForeignKeysError, MappingError, NoForeignKeysError } from '../errors.js';
import type { Mapper } from './mapper.js';
import type { InstanceState } from '../session/state.js';
import * as access from './relationship-access.js';
import * as sync from './backref-sync.js';
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

  // ---- in memory: the attribute (relationship-access.ts) and backref sync (backref-sync.ts) ----

  checkMember(item: unknown): void {
    access.checkMember(this, item);
  }

  unloaded(state: InstanceState): unknown {
    return access.unloaded(this, state);
  }

  emptyValue(state: InstanceState): unknown {
    return access.emptyValue(this, state);
  }

  setLoaded(state: InstanceState, value: unknown): void {
    access.setLoaded(this, state, value);
  }

  set(state: InstanceState, value: unknown): void {
    access.set(this, state, value);
  }

  currentValue(state: InstanceState, action: string): unknown {
    return access.currentValue(this, state, action);
  }

  onAppend(owner: InstanceState, item: object): void {
    sync.onAppend(this, owner, item);
  }

  onRemove(owner: InstanceState, item: object): void {
    sync.onRemove(this, owner, item);
  }

  attachQuietly(state: InstanceState, other: object): void {
    sync.attachQuietly(this, state, other);
  }

  detachQuietly(state: InstanceState, other: object): void {
    sync.detachQuietly(this, state, other);
  }
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

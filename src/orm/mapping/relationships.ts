/**
 * What a relationship is: its target, direction and key pairs, options, cascades and reverse side,
 * as RelationshipProperty holds them for the loaders, queries and the unit of work. The work behind
 * its methods lives beside it, one job a module: relationship-setup.ts (configuring it from its
 * options), join-condition.ts (key pairs from foreign keys, ON clauses), relationship-access.ts
 * (the instance attribute) and backref-sync.ts (both sides kept consistent in memory).
 */
import { ColumnElement, OrderByElement, TextClause, and_ } from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import type { Column, Table } from '../../sql/schema.js';
import { Select, TableAlias, type FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import { RelationshipAttribute } from './attributes.js';
import type { LazyStrategy, RelationshipDecl, RelationshipOptions } from './declarative.js';
import type { Mapper } from './mapper.js';
import type { CollectionClass } from './collection-class.js';
import type { InstanceState } from '../session/state.js';
import * as setup from './relationship-setup.js';
import * as join from './join-condition.js';
import * as access from './relationship-access.js';
import * as sync from './backref-sync.js';

export type Direction = 'ONETOMANY' | 'MANYTOONE' | 'MANYTOMANY';

/** `local` is a column of the parent side, `remote` of the other side of one equality. */
export interface ColumnPair {
  readonly local: Column;
  readonly remote: Column;
}

/**
 * What a relationship that is one target of a polymorphic association (polymorphic.ts) tells its
 * group: that it now points at an object, so the other targets' keys are cleared.
 */
export interface PolymorphicLink {
  /** The polymorphic attribute's key (`commentable`): how JSON names the value. */
  readonly key: string;
  /** `member` of `state` now refers to an object: the other members let go. */
  linked(member: RelationshipProperty, state: InstanceState): void;
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
  /** Many-to-many: conditions of primaryJoin/secondaryJoin beyond the key equalities, on the secondary and target tables. */
  secondaryCriteria: ColumnElement<boolean> | null = null;
  /** Its foreign key is written after the INSERTs and cleared before the DELETEs (session/post-update.ts). */
  postUpdate = false;
  orderBy: OrderByElement[] = [];
  cascade = new Set<string>();
  reverse: RelationshipProperty | null = null;
  lazy: LazyStrategy = 'select';
  /** What the collection is on an instance: an array, a Set, or a Map by key (collection-class.ts). */
  collectionClass: CollectionClass = 'list';
  viewonly = false;
  passiveDeletes = false;
  /** Set on each target's relationship of a polymorphic association. */
  polymorphic: PolymorphicLink | null = null;
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
    setup.resolve(this);
    const backref = setup.backrefFor(this);
    if (!backref) return;
    const back = new RelationshipProperty(this.target, backref.name, backref.decl, this);
    this.target.registry.defineRelationship(this.target, back);
    back.configure();
  }

  // ---- SQL ----

  /** ON clause from the parent (on `parentFrom`) to the target (on `targetFrom`); not for many-to-many. */
  joinCondition(parentFrom: FromClause, targetFrom: FromClause): ColumnElement<boolean> {
    return join.joinCondition(this, parentFrom, targetFrom);
  }

  /** ON clause from the parent to the association table. */
  secondaryCondition(parentFrom: FromClause, secondaryFrom: FromClause): ColumnElement<boolean> {
    return join.secondaryCondition(this, parentFrom, secondaryFrom);
  }

  /** ON clause from the association table to the target. */
  targetCondition(secondaryFrom: FromClause, targetFrom: FromClause): ColumnElement<boolean> {
    return join.targetCondition(this, secondaryFrom, targetFrom);
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

  /** Refuses a write to a viewonly relationship: the flush never writes one, so the change would be lost. */
  checkWritable(action: string): void {
    access.checkWritable(this, action);
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

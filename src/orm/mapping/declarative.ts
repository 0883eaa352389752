/**
 * What a model declaration is made of, and the types computed from it. The declaration object
 * passed to `db.Model(name, { … })` is the only place a column's or relationship's type is written.
 */
import type { ColumnElement } from '../../sql/expressions.js';
import type { ColumnOptions, ForeignKey } from '../../sql/schema.js';
import type { Table } from '../../sql/schema.js';
import type { Orderable } from '../../sql/selectable.js';
import type { SqlType } from '../../sql/types.js';
import type { ColumnAttribute, RelationshipAttribute } from './attributes.js';
import type { Query } from '../query/query.js';

/** A column as declared on a model: its SQL type, foreign keys and options. */
export class ColumnDecl<V = unknown, Nullable extends boolean = boolean> {
  readonly kind = 'column-decl';
  declare readonly __nullable: Nullable;
  constructor(
    readonly type: SqlType<V>,
    readonly foreignKeys: ForeignKey[],
    readonly options: ColumnOptions<V>,
    /** Database column name when given as the first argument (`Column('ArtistId', Integer)`). */
    readonly name?: string,
  ) {}
}

/** `primaryKey: true` or `nullable: false` make a column's values non-null; otherwise `| null`. */
export type IsNullable<O> = O extends { primaryKey: true } ? false : O extends { nullable: false } ? false : true;

export type LazyStrategy = 'select' | 'joined' | 'selectin' | 'raise' | 'noload';

export interface BackrefOptions {
  name: string;
  lazy?: LazyStrategy | boolean;
  uselist?: boolean;
  cascade?: string;
  orderBy?: RelationshipOptions['orderBy'];
}

export interface RelationshipOptions {
  /** Creates the reverse relationship on the target at run time (untyped; `backPopulates` is the typed way). */
  backref?: string | BackrefOptions;
  /** Name of the reverse relationship declared on the target; keeps both sides in sync in memory. */
  backPopulates?: string;
  /** How the relationship loads: `select` (lazy, default; `true` too), `joined` (`false` too), `selectin`, `raise`, `noload`. */
  lazy?: LazyStrategy | boolean;
  /** false: the relationship is one object (or null) instead of a list. Defaults from the foreign key direction. */
  uselist?: boolean;
  /** Association table for many-to-many: a `db.Table(...)` or its name. */
  secondary?: Table | string;
  /** `'save-update'` (default), `'delete'`, `'delete-orphan'`, `'all'`, comma separated. */
  cascade?: string;
  /** Leave deleting or nulling children to the database's ON DELETE; unloaded children are not SELECTed. */
  passiveDeletes?: boolean;
  /** Order of the collection: attribute names of the target, `'-name'` for descending, or a thunk of expressions. */
  orderBy?: string | readonly string[] | (() => Orderable | readonly Orderable[]);
  /** Which foreign key column(s) to use when several link the tables: attribute names (`'billingAddressId'`). */
  foreignKeys?: string | readonly string[];
  /** Self-referential many-to-one: the target side's column(s), usually its primary key (`'id'`). */
  remoteSide?: string | readonly string[];
  /** A custom join condition, for the rare case foreign keys cannot express. */
  primaryJoin?: () => ColumnElement<boolean>;
  /** Read-only: never written at flush. */
  viewonly?: boolean;
}

/** Any model class. */
export type AnyModelClass = abstract new (...args: never[]) => object;

/**
 * A relationship as declared: `Target` is the related model's instance type and `Many` whether it
 * is a collection (`uselist: false` makes it one object or null). List-ness is a separate literal
 * so that computing a shape never has to look inside `Target`: doing so in a base-class expression
 * makes two models that refer to each other a type cycle.
 */
export class RelationshipDecl<Target = unknown, Many extends boolean = boolean> {
  readonly kind = 'relationship-decl';
  declare readonly __target: Target;
  declare readonly __many: Many;
  constructor(
    readonly target: string | (() => AnyModelClass),
    readonly options: RelationshipOptions,
  ) {}
}

/** The value shape of a relationship declaration: `Post[]`, or `User | null` for `uselist: false`. */
export type ShapeOf<R> =
  R extends RelationshipDecl<infer T, infer M>
    ? T extends readonly unknown[]
      ? ListTypeArgumentUseTheModel
      : M extends true
        ? T[]
        : T | null
    : never;

/** What a relationship typed `relationship<Post[]>` is: unusable, saying why (the model is `Post`; `uselist` makes lists). */
export interface ListTypeArgumentUseTheModel {
  readonly 'relationship<T>: T is the target model (Post), not a list (Post[])': never;
}

declare const unloadedBrand: unique symbol;

/**
 * A relationship that may not be loaded yet: `await` it to load (one SELECT when needed).
 * Synchronous use is a type error; at run time it throws `NotLoadedError`.
 */
export interface Unloaded<S> extends PromiseLike<S> {
  readonly [unloadedBrand]: S;
}

/** The type of a relationship attribute on an instance: loaded value, or awaitable until loaded. */
export type Related<S> = S | Unloaded<S>;

export type Declarations = Record<string, ColumnDecl<unknown, boolean> | RelationshipDecl<unknown, boolean>>;

/** Column attribute values of an instance. */
export type ColumnValues<D> = {
  -readonly [K in keyof D as D[K] extends ColumnDecl<unknown, boolean> ? K : never]: D[K] extends ColumnDecl<
    infer V,
    infer N
  >
    ? N extends true
      ? V | null
      : V
    : never;
};

/** Relationship attributes of an instance: awaitable until loaded. */
export type RelationshipValues<D> = {
  -readonly [K in keyof D as D[K] extends RelationshipDecl<unknown, boolean>
    ? K
    : never]: D[K] extends RelationshipDecl<unknown, boolean> ? Related<ShapeOf<D[K]>> : never;
};

/** What `new Model({...})` accepts: any column values and already-known related objects. */
export type ModelInit<D> = Partial<
  ColumnValues<D> & {
    [K in keyof D as D[K] extends RelationshipDecl<unknown, boolean> ? K : never]: D[K] extends RelationshipDecl<
      unknown,
      boolean
    >
      ? ShapeOf<D[K]>
      : never;
  }
>;

/** Behaviour every model instance has. */
export interface ModelMethods {
  /** Column values and loaded relationships as a plain object (what JSON.stringify prints). */
  toJSON(): Record<string, unknown>;
}

/**
 * Type-only: the names of an instance's column attributes (what `filterBy` accepts); never present
 * at run time. A string key (not a unique symbol) so declaration files of user models can name it,
 * holding only the names so the types emitted for a model stay small.
 */
export interface HasColumns<K> {
  readonly '~columns'?: K;
}

/** The column values `filterBy` accepts for instances of `T`: columns only, never relationships or methods. */
export type ColumnFilter<T> = T extends HasColumns<infer K> ? { [P in K & keyof T]?: T[P] } : never;

export type ModelInstance<D> = ModelMethods &
  ColumnValues<D> &
  RelationshipValues<D> &
  HasColumns<keyof ColumnValues<D>>;

/** Class-side attributes: `User.username` is a column expression, `User.posts` a relationship. */
export type ModelAttributes<D> = {
  readonly [K in keyof D]: D[K] extends ColumnDecl<infer V, infer N>
    ? ColumnAttribute<N extends true ? V | null : V>
    : D[K] extends RelationshipDecl<unknown, boolean>
      ? RelationshipAttribute<K & string, ShapeOf<D[K]>>
      : never;
};

export interface ModelStatics<I> {
  /** `User.query.filterBy({ ... }).all()`: a query on the database's default session. */
  readonly query: Query<I>;
  readonly __table__: Table;
  readonly modelName: string;
}

export type ModelClass<D> = (new (init?: ModelInit<D>) => ModelInstance<D>) &
  ModelStatics<ModelInstance<D>> &
  ModelAttributes<D>;

/** Element type of a relationship shape (`Post[]` → `Post`, `User | null` → `User`). */
export type ElementOf<S> = S extends readonly (infer E)[] ? E : NonNullable<S>;

/**
 * The types of mapped inheritance: what `db.Model(name, declarations, { inherits: Base })` returns,
 * and the union a polymorphic query returns, narrowed by the discriminator.
 */
import type {
  AnyModelClass,
  AttributeValues,
  ColumnDecl,
  ColumnValues,
  HasColumns,
  ModelAttributes,
  ModelInit,
  ModelMethods,
  ModelStatics,
  RelationshipValues,
} from './declarative.js';
import type { ModelOptions } from './model.js';

/**
 * Type-only: a polymorphic model class's discriminator attribute and identity, read by
 * {@link withPolymorphic}'s result type; never present at run time.
 *
 * @example
 * ```ts
 * import type { PolymorphicBrand } from 'relata';
 *
 * type Brand = PolymorphicBrand<'type', 'employee'>; // what Employee's class carries
 * const none: Brand = {};
 * ```
 */
export interface PolymorphicBrand<On extends string, Id extends string> {
  /** Type-only: the discriminator attribute and this class's identity. */
  readonly '~polymorphic'?: {
    /** The discriminator attribute. */
    readonly on: On;
    /** This class's polymorphic identity. */
    readonly identity: Id;
  };
}

/**
 * Options of a base model that subclasses inherit from: `polymorphicOn` names the discriminator
 * column, `polymorphicIdentity` the value its own rows carry (SQLAlchemy's `__mapper_args__`).
 *
 * @example
 * ```ts
 * class Vehicle extends db.Model(
 *   'Vehicle',
 *   {
 *     id: db.Column(db.Integer, { primaryKey: true }),
 *     kind: db.Column(db.String(20), { nullable: false }),
 *   },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'vehicle' },
 * ) {}
 * ```
 */
export interface PolymorphicBaseOptions<On extends string, Id extends string> extends ModelOptions {
  /** A base inherits from nothing (see SubclassOptions). */
  inherits?: never;
  /** The discriminator column's attribute: every row says which class it is. */
  polymorphicOn?: On;
  /** The discriminator value of this model's own rows. */
  polymorphicIdentity?: Id;
}

/**
 * Options of a subclass model: `inherits` names the base class. With a primary key of its own
 * (a foreign key to the base's) it gets its own table (joined-table inheritance); without one its
 * columns go into the base's table (single-table inheritance).
 *
 * @example
 * ```ts
 * class Vehicle extends db.Model(
 *   'Vehicle',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(20), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'vehicle' },
 * ) {}
 * class Truck extends db.Model('Truck', { axles: db.Column(db.Integer) }, { inherits: Vehicle, polymorphicIdentity: 'truck' }) {}
 * ```
 */
export interface SubclassOptions<B extends AnyModelClass, Id extends string> extends ModelOptions {
  /** The base model class (itself possibly a subclass). */
  inherits: B;
  /** Set on the base of the hierarchy only. */
  polymorphicOn?: never;
  /** The discriminator value of this subclass's rows. */
  polymorphicIdentity?: Id;
}

/** The instance type of a model class (abstract ones too). */
type InstanceOf<C> = C extends abstract new (...args: never[]) => infer I ? I : never;
/** What a model class's constructor accepts. */
type InitOf<C> = C extends abstract new (init?: infer P) => unknown ? NonNullable<P> : object;
/** The column names an instance type records (see HasColumns). */
type ColumnsOf<I> = I extends HasColumns<infer K, unknown> ? K : never;
/** The primary key's attribute names an instance type records (a subclass keeps its base's). */
type PrimaryKeyNamesOf<I> = I extends HasColumns<infer _K, infer P> ? P : never;
/**
 * The discriminator attribute a model class carries (`never` for a model without one).
 *
 * @example
 * ```ts
 * import type { DiscriminatorOf } from 'relata';
 *
 * class Shape extends db.Model(
 *   'Shape',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'shape' },
 * ) {}
 * const on: DiscriminatorOf<typeof Shape> = 'kind';
 * ```
 */
export type DiscriminatorOf<C> = C extends PolymorphicBrand<infer On, string> ? On : never;

/**
 * A subclass's instance: the base's (columns, relationships, methods, so a method can be
 * overridden) and the subclass's own. Its column names (HasColumns, last so `filterBy` reads them)
 * are the base's and its own.
 *
 * @example
 * ```ts
 * import type { SubclassInstance } from 'relata';
 *
 * class Shape extends db.Model(
 *   'Shape',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'shape' },
 * ) {}
 * const squareDecls = { side: db.Column(db.Integer) };
 * type Square = SubclassInstance<typeof Shape, typeof squareDecls>; // kind, id and side
 * const side = (s: Square): number | null => s.side;
 * ```
 */
export type SubclassInstance<B, D> = InstanceOf<B> &
  ModelMethods &
  ColumnValues<D> &
  RelationshipValues<D> &
  AttributeValues<D> &
  HasColumns<ColumnsOf<InstanceOf<B>> | keyof ColumnValues<D>, PrimaryKeyNamesOf<InstanceOf<B>>>;

/**
 * What `db.Model(name, declarations, { inherits: Base, polymorphicIdentity })` returns, to extend:
 * a class whose instances are the base's plus the declared columns and relationships, whose class
 * has the base's class attributes and statics, and whose identity is a literal type.
 *
 * @example
 * ```ts
 * import type { SubclassModelClass } from 'relata';
 *
 * class Shape extends db.Model(
 *   'Shape',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'shape' },
 * ) {}
 * const circleBase: SubclassModelClass<typeof Shape, { radius: ReturnType<typeof db.Column<number>> }, 'circle'> =
 *   db.Model('Circle', { radius: db.Column(db.Integer) }, { inherits: Shape, polymorphicIdentity: 'circle' });
 * class Circle extends circleBase {}
 * ```
 */
export type SubclassModelClass<B extends AnyModelClass, D, Id extends string> = (new (
  init?: ModelInit<D> & InitOf<B>,
) => SubclassInstance<B, D>) &
  Omit<B, 'prototype' | 'query' | '~polymorphic'> &
  ModelStatics<SubclassInstance<B, D>> &
  ModelAttributes<D> &
  PolymorphicBrand<DiscriminatorOf<B>, Id>;

/** One member of a polymorphic result: the class's instance with its discriminator a literal. */
type PolymorphicMember<C> =
  C extends PolymorphicBrand<infer On, infer Id>
    ? [Id] extends [never]
      ? InstanceOf<C>
      : [On] extends [never]
        ? InstanceOf<C>
        : InstanceOf<C> & { readonly [K in On]: Id }
    : InstanceOf<C>;

/**
 * The instance type of a polymorphic query over `B` and the listed subclasses: a union narrowed by
 * the discriminator (`if (p.type === 'employee') p.salary`).
 *
 * @example
 * ```ts
 * import type { PolymorphicUnion } from 'relata';
 *
 * class Pet extends db.Model(
 *   'Pet',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'pet' },
 * ) {}
 * class Dog extends db.Model('Dog', { barks: db.Column(db.Boolean) }, { inherits: Pet, polymorphicIdentity: 'dog' }) {}
 * function sound(p: PolymorphicUnion<typeof Pet, [typeof Dog]>): string {
 *   return p.kind === 'dog' && p.barks ? 'woof' : '...';
 * }
 * ```
 */
export type PolymorphicUnion<B, S extends readonly unknown[]> = PolymorphicMember<B> | PolymorphicMember<S[number]>;

/**
 * The keys of a declaration object that are columns: what `polymorphicOn` may name.
 *
 * @example
 * ```ts
 * import type { ColumnKeys } from 'relata';
 *
 * const decls = { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10)) };
 * const on: ColumnKeys<typeof decls> = 'kind';
 * ```
 */
export type ColumnKeys<D> = {
  [K in keyof D]: D[K] extends ColumnDecl<unknown, boolean> ? K : never;
}[keyof D] &
  string;

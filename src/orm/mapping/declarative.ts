/**
 * What a model declaration is made of, and the types computed from it. The declaration object
 * passed to `db.Model(name, { … })` is the only place a column's or relationship's type is written.
 */
import type { ColumnElement } from '../../sql/expressions.js';
import type { ColumnOptions, ForeignKey } from '../../sql/schema.js';
import type { Table } from '../../sql/schema.js';
import type { Orderable } from '../../sql/selectable.js';
import type { SqlType } from '../../sql/types.js';
import type { ColumnAttribute, PolymorphicAttribute, RelationshipAttribute } from './attributes.js';
import type { Query } from '../query/query.js';
import type { Mapper } from './mapper.js';
import type { WriteOnlyCollection } from '../session/write-only.js';

/**
 * How a model column loads: `'eager'` with its row (the default), `'deferred'` on `await` (its
 * `deferred` / `deferredGroup` options), `'primary'` always (a primary key; loadOnly() keeps it).
 */
export type ColumnLoad = 'eager' | 'deferred' | 'primary';

/**
 * A model column's loading options, beside the Core column options (SQLAlchemy's
 * `mapped_column(deferred=…, deferred_group=…, deferred_raiseload=…)`).
 *
 * @example
 * ```ts
 * import type { ColumnLoadingOptions } from 'relata';
 *
 * const lazyText: ColumnLoadingOptions = { deferred: true };
 * class Essay extends db.Model('Essay', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, lazyText),
 *   scan: db.Column(db.LargeBinary, { deferredGroup: 'media' }),
 * }) {}
 * ```
 */
export interface ColumnLoadingOptions {
  /** true: not loaded with the row; `await obj.column` loads it (one SELECT), or a query's `undefer()`. */
  deferred?: boolean;
  /** Deferred, and loaded together with the other columns of this group (`undeferGroup(name)` for a query). */
  deferredGroup?: string;
  /** With `deferred`: `await obj.column` refuses (NotLoadedError); only a query option loads it. */
  deferredRaiseload?: boolean;
}

/** A column as declared on a model: its SQL type, foreign keys and options. */
export class ColumnDecl<V = unknown, Nullable extends boolean = boolean, Load extends ColumnLoad = ColumnLoad> {
  readonly kind = 'column-decl';
  declare readonly __nullable: Nullable;
  declare readonly __load: Load;
  constructor(
    readonly type: SqlType<V>,
    readonly foreignKeys: ForeignKey[],
    readonly options: ColumnOptions<V>,
    /** Database column name when given as the first argument (`Column('ArtistId', Integer)`). */
    readonly name?: string,
    /** The loading options (`deferred`, ...), apart from the Core options; null when none were given. */
    readonly loading: ColumnLoadingOptions | null = null,
  ) {}
}

/** `primaryKey: true` or `nullable: false` make a column's values non-null; otherwise `| null`. */
export type IsNullable<O> = O extends { primaryKey: true } ? false : O extends { nullable: false } ? false : true;

/** How a column's options make it load: a primary key always, `deferred` / `deferredGroup` on `await`. */
export type LoadOf<O> = O extends { primaryKey: true }
  ? 'primary'
  : O extends { deferred: true } | { deferredGroup: string }
    ? 'deferred'
    : 'eager';

/**
 * How a relationship loads when its query does not say: `select` (lazy, on `await`, the default), `joined` (LEFT OUTER JOIN in the parent's query), `selectin` (a second query with IN), `raise` (refuses to lazy load), `noload` (stays empty), `writeOnly` (never loads: the attribute is a {@link WriteOnlyCollection}, queried with `select()`).
 *
 * @example
 * ```ts
 * import type { LazyStrategy } from 'relata';
 *
 * const strategy: LazyStrategy = 'selectin';
 * class Author extends db.Model('Author', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   books: db.relationship<Book>('Book', { backPopulates: 'author', lazy: strategy }),
 * }) {}
 * class Book extends db.Model('Book', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
 *   author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
 * }) {}
 * ```
 */
export type LazyStrategy = 'select' | 'joined' | 'selectin' | 'raise' | 'noload' | 'writeOnly';

/**
 * A backref with options of its own: `backref: { name: 'author', lazy: 'joined' }` creates the reverse relationship `name` on the target, configured by the other fields.
 *
 * @example
 * ```ts
 * class Shelf extends db.Model('Shelf', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   books: db.relationship<Volume>('Volume', { backref: { name: 'shelf', lazy: 'joined', uselist: false } }),
 * }) {}
 * class Volume extends db.Model('Volume', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   shelfId: db.Column(db.Integer, db.ForeignKey('shelf.id')),
 * }) {}
 * ```
 */
export interface BackrefOptions {
  /** The reverse relationship's attribute name on the target. */
  name: string;
  /** How the reverse relationship loads (see {@link RelationshipOptions.lazy}). */
  lazy?: LazyStrategy | boolean;
  /** false: the reverse relationship is one object (or null). */
  uselist?: boolean;
  /** The reverse relationship's cascades (see {@link RelationshipOptions.cascade}). */
  cascade?: string;
  /** The reverse collection's order (see {@link RelationshipOptions.orderBy}). */
  orderBy?: RelationshipOptions['orderBy'];
}

/**
 * Options of `relationship(target, options)`. An unknown option, or one that does not apply, is refused naming the relationship.
 *
 * @example
 * ```ts
 * class Thread extends db.Model('Thread', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   replies: db.relationship<Reply>('Reply', {
 *     backPopulates: 'thread',
 *     cascade: 'all, delete-orphan',
 *     orderBy: '-id',
 *     lazy: 'selectin',
 *   }),
 * }) {}
 * class Reply extends db.Model('Reply', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   threadId: db.Column(db.Integer, db.ForeignKey('thread.id'), { nullable: false }),
 *   thread: db.relationship<Thread>('Thread', { backPopulates: 'replies', uselist: false }),
 * }) {}
 * ```
 */
export interface RelationshipOptions {
  /** Creates the reverse relationship on the target at run time (untyped; `backPopulates` is the typed way). */
  backref?: string | BackrefOptions;
  /** Name of the reverse relationship declared on the target; keeps both sides in sync in memory. */
  backPopulates?: string;
  /** How the relationship loads: `select` (lazy, default; `true` too), `joined` (`false` too), `selectin`, `raise`, `noload`, or `writeOnly` (a collection never loaded: a {@link WriteOnlyCollection}). */
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
  // Join conditions and foreign-key cycles (issue 14):
  /**
   * With `secondary`: the condition from the association table to the target, as `primaryJoin` is
   * the one from the parent to it (SQLAlchemy's secondaryjoin); a self-referential many-to-many
   * (followers) needs both: `() => followers.c.followed_id!.eq(User.id)`.
   */
  secondaryJoin?: () => ColumnElement<boolean>;
  /**
   * Write this relationship's foreign key with an UPDATE after the flush's INSERTs, and set it to
   * NULL with an UPDATE before its DELETEs (SQLAlchemy's post_update): for rows that point at each other.
   */
  postUpdate?: boolean;
}

/** Any model class. */
export type AnyModelClass = abstract new (...args: never[]) => object;

/**
 * What kind of collection a relationship is, as its declaration says: `'list'` (an array, the
 * default) or `'writeOnly'` (`lazy: 'writeOnly'`, a {@link WriteOnlyCollection}).
 *
 * @example
 * ```ts
 * import type { CollectionKind, WriteOnlyCollection } from 'relata';
 *
 * // Type-only: what a collection of each kind is on an instance.
 * type Holds<K extends CollectionKind, T> = K extends 'writeOnly' ? WriteOnlyCollection<T> : T[];
 * const kind: CollectionKind = 'writeOnly';
 * const posts: Holds<'list', Post> = [];
 * ```
 */
export type CollectionKind = 'list' | 'writeOnly';

/**
 * A relationship as declared: `Target` is the related model's instance type and `Many` whether it
 * is a collection (`uselist: false` makes it one object or null), `Kind` what kind of collection.
 * List-ness is a separate literal so that computing a shape never has to look inside `Target`:
 * doing so in a base-class expression makes two models that refer to each other a type cycle.
 */
export class RelationshipDecl<
  Target = unknown,
  Many extends boolean = boolean,
  Kind extends CollectionKind = CollectionKind,
> {
  readonly kind = 'relationship-decl';
  declare readonly __target: Target;
  declare readonly __many: Many;
  declare readonly __collection: Kind;
  constructor(
    readonly target: string | (() => AnyModelClass),
    readonly options: RelationshipOptions,
  ) {}
}

/**
 * The value shape of a relationship declaration: `Post[]`, or `User | null` for `uselist: false`.
 *
 * @example
 * ```ts
 * import type { RelationshipAttribute, ShapeOf } from 'relata';
 *
 * type PostsOf<R> = R extends RelationshipAttribute<string, infer S> ? S : never;
 * const posts: PostsOf<typeof User.posts> = []; // Post[]
 * const decl = db.relationship<User>('User', { uselist: false });
 * const author: ShapeOf<typeof decl> = null; // User | null
 * ```
 */
export type ShapeOf<R> =
  R extends RelationshipDecl<infer T, infer M, infer C>
    ? T extends readonly unknown[]
      ? ListTypeArgumentUseTheModel
      : M extends true
        ? C extends 'writeOnly'
          ? WriteOnlyCollection<T>
          : T[]
        : T | null
    : never;

/** What the constructor accepts for a relationship: its shape, or a list of first members for a write-only one. */
type InitOf<R> = R extends RelationshipDecl<infer T, true, 'writeOnly'> ? T[] : ShapeOf<R>;

/**
 * What a relationship typed `relationship<Post[]>` is: unusable, saying why (the model is `Post`; `uselist` makes lists).
 *
 * @example
 * ```ts
 * // relationship<Post[]>('Post') is a mistake: the type argument is the model, list-ness comes from
 * // uselist. Such an attribute's type is ListTypeArgumentUseTheModel, which says so in its one field.
 * const right = db.relationship<Post>('Post'); // Post[]
 * const wrong = db.relationship<Post[]>('Post'); // unusable: the error names the fix
 * ```
 */
export interface ListTypeArgumentUseTheModel {
  /** The message: the type argument is the model, and `uselist` decides list or single object. */
  readonly 'relationship<T>: T is the target model (Post), not a list (Post[])': never;
}

declare const unloadedBrand: unique symbol;

/**
 * A relationship that may not be loaded yet: `await` it to load (one SELECT when needed).
 * Synchronous use is a type error; at run time it throws `NotLoadedError`.
 *
 * @example
 * ```ts
 * import type { Unloaded } from 'relata';
 *
 * const [first] = await User.query.all();
 * const pending: Unloaded<Post[]> | Post[] = first!.posts; // not loaded: awaitable
 * const posts = await first!.posts; // Post[] (one SELECT the first time)
 * ```
 */
export interface Unloaded<S> extends PromiseLike<S> {
  /** Type-only: what the relationship holds once loaded. */
  readonly [unloadedBrand]: S;
}

/**
 * A column that may not be loaded yet (a deferred column): `await` it to load (one SELECT of the
 * column, or of its deferred group). Synchronous use is a type error; at run time it throws
 * `NotLoadedError`. A query whose options load it types it as the plain value.
 *
 * @example
 * ```ts
 * import type { Deferred } from 'relata';
 *
 * class Page extends db.Model('Page', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, { deferred: true }),
 * }) {}
 * const page = (await Page.query.first())!;
 * const body: Deferred<string | null> = page.body; // not loaded: awaitable
 * console.log(await page.body); // one SELECT of page.body
 * ```
 */
export type Deferred<V> = V | Unloaded<V>;

/** A value type without its awaitable (unloaded) form: `Plain<Deferred<string>>` is `string`. */
export type Plain<V> = Exclude<V, Unloaded<unknown>>;

/**
 * The type of a relationship attribute on an instance: loaded value, or awaitable until loaded.
 *
 * @example
 * ```ts
 * import type { Related } from 'relata';
 *
 * class Note extends db.Model('Note', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   postId: db.Column(db.Integer, db.ForeignKey('post.id')),
 * }) {
 *   declare post: Related<Post | null>; // what a backref on Post would add, for TypeScript
 * }
 * const note = (await session.get(Note, 1))!; // Note.query would give the base type, without `post`
 * const post = await note.post; // Post | null
 * ```
 */
export type Related<S> = S | Unloaded<S>;

/**
 * A declaration that is neither a column nor a relationship: an attribute computed from others or
 * standing for several (association proxies, hybrids, column properties, composites, aggregates).
 * Each kind is a subclass; `db.Model` installs it after the model's columns and relationships, in
 * declaration order. The type parameters are type-only: `Value` is the instance attribute's type,
 * `ClassSide` the class attribute's (`User.fullName` in a filter), `Init` what `new Model({...})`
 * accepts for it (`never`: the constructor refuses it).
 *
 * @example
 * ```ts
 * import type { AttributeDecl } from 'relata';
 *
 * // Type-only view of a declaration kind: what the instance and the class see.
 * type ValueOf<A> = A extends AttributeDecl<infer V, unknown, unknown> ? V : never;
 * const names: ValueOf<AttributeDecl<string[]>> = ['a', 'b'];
 * ```
 */
export abstract class AttributeDecl<Value = unknown, ClassSide = unknown, Init = never> {
  /** What the declaration is, at run time. */
  readonly kind = 'attribute-decl';
  /** Type-only: the instance attribute's type. */
  declare readonly __value: Value;
  /** Type-only: the class attribute's type. */
  declare readonly __classSide: ClassSide;
  /** Type-only: what the constructor accepts for it. */
  declare readonly __init: Init;
  /**
   * Installs the attribute on the model (its instance accessor on `mapper.base.prototype`, its class
   * attribute through `mapper.attributes`): called once, after the columns and relationships exist.
   */
  abstract install(mapper: Mapper, key: string): void;
  /** Whether `new Model({ [key]: value })` assigns it through the instance setter (false: refused). */
  acceptsInit(): boolean {
    return false;
  }
}

/**
 * Type-only mark of a declaration kind whose instance attribute is read-only (a column property, a
 * hybrid without a setter): assigning it is a type error.
 *
 * @example
 * ```ts
 * import type { ColumnElement, ReadOnlyAttribute } from 'relata';
 *
 * const computed = db.columnProperty((): ColumnElement<number> => Post.views);
 * const readOnly: ReadOnlyAttribute = computed;
 * ```
 */
export interface ReadOnlyAttribute {
  /** Type-only: the instance attribute is read-only. */
  readonly __readOnly: true;
}

export type Declarations = Record<
  string,
  ColumnDecl<unknown, boolean> | RelationshipDecl<unknown, boolean> | AttributeDecl<unknown, unknown, unknown>
>;

/** Column attribute values of an instance (a deferred column's awaitable until loaded). */
export type ColumnValues<D> = {
  -readonly [K in keyof D as D[K] extends ColumnDecl<unknown, boolean> ? K : never]: D[K] extends ColumnDecl<
    infer V,
    infer N,
    infer L
  >
    ? [L] extends ['deferred']
      ? Deferred<N extends true ? V | null : V>
      : N extends true
        ? V | null
        : V
    : never;
};

/** The keys of a declaration's primary key columns (what loadOnly() always keeps). */
export type PrimaryKeyOf<D> = {
  [K in keyof D]: D[K] extends ColumnDecl<unknown, boolean, 'primary'> ? K : never;
}[keyof D];

/** Relationship attributes of an instance: awaitable until loaded. */
export type RelationshipValues<D> = {
  -readonly [K in keyof D as D[K] extends RelationshipDecl<unknown, boolean>
    ? K
    : never]: D[K] extends RelationshipDecl<unknown, true, 'writeOnly'>
    ? ShapeOf<D[K]>
    : D[K] extends RelationshipDecl<unknown, boolean>
      ? Related<ShapeOf<D[K]>>
      : never;
};

/**
 * Attributes of other declaration kinds ({@link AttributeDecl}): their instance types.
 *
 * @example
 * ```ts
 * import type { AttributeDecl, AttributeValues } from 'relata';
 *
 * type Values = AttributeValues<{ tags: AttributeDecl<string[]> }>; // { tags: string[] }
 * const v: Values = { tags: ['news'] };
 * ```
 */
export type AttributeValues<D> = {
  -readonly [K in keyof D as D[K] extends AttributeDecl<unknown, unknown, unknown>
    ? D[K] extends ReadOnlyAttribute
      ? never
      : K
    : never]: D[K] extends AttributeDecl<infer V, unknown, unknown> ? V : never;
} & {
  readonly [K in keyof D as D[K] extends AttributeDecl<unknown, unknown, unknown> & ReadOnlyAttribute
    ? K
    : never]: D[K] extends AttributeDecl<infer V, unknown, unknown> ? V : never;
};

/** What the constructor accepts for other declaration kinds: those whose `Init` is not `never`. */
type AttributeInits<D> = {
  [K in keyof D as D[K] extends AttributeDecl<unknown, unknown, infer I>
    ? [I] extends [never]
      ? never
      : K
    : never]: D[K] extends AttributeDecl<unknown, unknown, infer I> ? I : never;
};

/**
 * What `new Model({...})` accepts: any column values and already-known related objects.
 *
 * @example
 * ```ts
 * import type { ModelInit } from 'relata';
 *
 * type UserDeclarations = typeof User extends { new (init?: ModelInit<infer D>): unknown } ? D : never;
 * const init: ModelInit<UserDeclarations> = { username: 'alice', email: null };
 * const alice = new User(init);
 * ```
 */
export type ModelInit<D> = Partial<
  ColumnValues<D> & {
    [K in keyof D as D[K] extends RelationshipDecl<unknown, boolean> ? K : never]: D[K] extends RelationshipDecl<
      unknown,
      boolean
    >
      ? InitOf<D[K]>
      : never;
  } & AttributeInits<D>
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
 *
 * @example
 * ```ts
 * import type { HasColumns } from 'relata';
 *
 * // Type-only: a model instance names its column attributes through HasColumns, for filterBy.
 * type UserColumns = User extends HasColumns<infer K, unknown> ? K : never; // 'id' | 'username' | 'email'
 * const key: UserColumns = 'username';
 * ```
 */
export interface HasColumns<K, P = never> {
  /**
   * Type-only: the column attribute names; never present at run time. A parameter, so a subclass
   * model (more columns) stays assignable to its base (see inheritance-types.ts).
   */
  readonly '~columns'?: (key: K) => void;
  /** Type-only: the primary key's attribute names (loadOnly() keeps them); never present at run time. */
  readonly '~primaryKey'?: P;
}

/**
 * The column values `filterBy` accepts for instances of `T`: columns only, never relationships or methods.
 *
 * @example
 * ```ts
 * import type { ColumnFilter } from 'relata';
 *
 * const where: ColumnFilter<User> = { username: 'alice' }; // columns only: { posts: … } is a type error
 * const alice = await User.query.filterBy(where).first();
 * ```
 */
export type ColumnFilter<T> = T extends HasColumns<infer K, unknown> ? { [P in K & keyof T]?: Plain<T[P]> } : never;

/**
 * The instance type of a model declared with `db.Model(name, declarations)`: its column values, its relationships (awaitable until loaded) and `toJSON()`. Usually you write the class (`class User extends db.Model(...) {}`) and use `User` as the type.
 *
 * @example
 * ```ts
 * import type { ModelInstance } from 'relata';
 *
 * const declarations = {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   name: db.Column(db.String(40), { nullable: false }),
 * };
 * type Gadget = ModelInstance<typeof declarations>;
 * const Gadget = db.Model('Gadget', declarations);
 * const lamp: Gadget = new Gadget({ name: 'lamp' }); // lamp.name: string, lamp.id: number
 * ```
 */
export type ModelInstance<D> = ModelMethods &
  ColumnValues<D> &
  RelationshipValues<D> &
  AttributeValues<D> &
  HasColumns<keyof ColumnValues<D>, PrimaryKeyOf<D>>;

/** Class-side attributes: `User.username` is a column expression, `User.posts` a relationship. */
export type ModelAttributes<D> = {
  readonly [K in keyof D]: D[K] extends ColumnDecl<infer V, infer N>
    ? ColumnAttribute<N extends true ? V | null : V, K & string>
    : D[K] extends RelationshipDecl<unknown, boolean>
      ? RelationshipAttribute<K & string, ShapeOf<D[K]>>
      : D[K] extends AttributeDecl<unknown, infer C, unknown>
        ? C extends PolymorphicAttribute<string, infer S>
          ? PolymorphicAttribute<K & string, S> // the attribute's key is known here, not in its declaration
          : KeyedClassSide<C, K & string>
        : never;
};

/**
 * A class-side attribute that declares a type-only `'~key'` learns its own name on the model (an
 * association proxy's loader option records what it loads under that name); others are unchanged.
 */
type KeyedClassSide<C, K extends string> = C extends { readonly '~key': string } ? C & { readonly '~key': K } : C;

export interface ModelStatics<I> {
  /** `User.query.filterBy({ ... }).all()`: a query on the database's default session. */
  readonly query: Query<I>;
  readonly __table__: Table;
  readonly modelName: string;
}

/**
 * What `db.Model(name, declarations)` returns, to extend: a class whose instances have the declared columns and relationships, with class-side column expressions (`User.username`), relationship attributes (`User.posts`), `query`, `__table__` and `modelName`.
 *
 * @example
 * ```ts
 * import type { ModelClass } from 'relata';
 *
 * const declarations = {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   name: db.Column(db.String(40), { nullable: false }),
 * };
 * const Base: ModelClass<typeof declarations> = db.Model('Widget', declarations);
 * class Widget extends Base {}
 * const widgets = await Widget.query.filter(Widget.name.like('w%')).all();
 * ```
 */
export type ModelClass<D> = (new (init?: ModelInit<D>) => ModelInstance<D>) &
  ModelStatics<ModelInstance<D>> &
  ModelAttributes<D>;

/**
 * Element type of a relationship shape (`Post[]` → `Post`, `User | null` → `User`).
 *
 * @example
 * ```ts
 * import type { ElementOf } from 'relata';
 *
 * const one: ElementOf<Post[]> = new Post({ title: 'x' }); // Post
 * const other: ElementOf<User | null> = new User({ username: 'y' }); // User
 * ```
 */
export type ElementOf<S> = S extends readonly (infer E)[] ? E : NonNullable<S>;

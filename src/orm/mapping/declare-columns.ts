/**
 * The column-level declaration factories of a model: `Column`, `ForeignKey` and `relationship` (also
 * `db.Column`, ...). They only build declarations; the model's mapper reads them when it is configured.
 * Apart from `Database` so that new kinds of declaration (validators, column properties) have a home.
 */
import { ArgumentError } from '../../sql/errors.js';
import { describeValue } from '../../sql/options.js';
import {
  ForeignKey as SqlForeignKey,
  type ColumnOptions,
  type ForeignKeyOptions,
  type ForeignKeyTarget,
} from '../../sql/schema.js';
import * as types from '../../sql/types.js';
import type { SqlType } from '../../sql/types.js';
import {
  ColumnDecl,
  RelationshipDecl,
  type AnyModelClass,
  type ColumnLoadingOptions,
  type IsNullable,
  type LoadOf,
  type RelationshipOptions,
} from './declarative.js';
import type { KeyAttribute, KeyedBy, KeyFunction } from './collection-class.js';

/**
 * A model column (also `db.Column`): `Column(Integer, { primaryKey: true })`, `Column(Integer, ForeignKey('user.id'))`, or with its database name first, `Column('Name', String(120))` (needed in `db.Table`). Its options decide whether the attribute's type includes null.
 *
 * @example
 * ```ts
 * import { Column, ForeignKey, Integer, String } from 'relata';
 *
 * class Profile2 extends db.Model('Profile2', {
 *   id: Column(Integer, { primaryKey: true }), // number
 *   handle: Column('Handle', String(40), { nullable: false }), // string, column "Handle"
 *   userId: Column(Integer, ForeignKey('user.id'), { unique: true }), // number | null
 * }) {}
 * ```
 */
export function Column<V, const O extends ModelColumnOptions<V> = {}>(
  type: SqlType<V>,
  options?: O,
): ColumnDecl<V, IsNullable<O>, LoadOf<O>>;
export function Column<V, const O extends ModelColumnOptions<V> = {}>(
  type: SqlType<V>,
  foreignKey: SqlForeignKey,
  options?: O,
): ColumnDecl<V, IsNullable<O>, LoadOf<O>>;
export function Column<V, const O extends ModelColumnOptions<V> = {}>(
  name: string,
  type: SqlType<V>,
  options?: O,
): ColumnDecl<V, IsNullable<O>, LoadOf<O>>;
export function Column<V, const O extends ModelColumnOptions<V> = {}>(
  name: string,
  type: SqlType<V>,
  foreignKey: SqlForeignKey,
  options?: O,
): ColumnDecl<V, IsNullable<O>, LoadOf<O>>;
export function Column(...args: unknown[]): ColumnDecl<unknown, boolean> {
  const name = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
  const type = args.shift();
  if (!(type instanceof types.SqlType)) {
    throw new ArgumentError(
      `Column(${name ? `'${name}', ` : ''}...) needs a type such as Integer or String(80) ${name ? 'after the name' : 'first'}, got ${describeValue(type)}`,
    );
  }
  const fks: SqlForeignKey[] = [];
  while (args[0] instanceof SqlForeignKey) fks.push(args.shift() as SqlForeignKey);
  const given = (args.shift() ?? {}) as ModelColumnOptions;
  if (typeof given !== 'object' || given === null || args.length) {
    throw new ArgumentError(`Column(${name ? `'${name}'` : type.typeName}): expected (type, ForeignKey?, options?)`);
  }
  const { deferred, deferredGroup, deferredRaiseload, ...options } = given;
  const loading =
    deferred === undefined && deferredGroup === undefined && deferredRaiseload === undefined
      ? null
      : { deferred, deferredGroup, deferredRaiseload };
  return new ColumnDecl(type as SqlType<unknown>, fks, options as ColumnOptions, name, loading);
}

/**
 * A model column's options: the Core column's (`primaryKey`, `nullable`, `default`, ...) and how it
 * loads (`deferred`, `deferredGroup`, `deferredRaiseload`).
 *
 * @example
 * ```ts
 * import type { ModelColumnOptions } from 'relata';
 *
 * const options: ModelColumnOptions<string> = { nullable: false, deferred: true };
 * class Letter extends db.Model('Letter', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, options),
 * }) {}
 * ```
 */
export type ModelColumnOptions<V = unknown> = ColumnOptions<V> & ColumnLoadingOptions;

/**
 * A foreign key for a column (also `db.ForeignKey`): `ForeignKey('user.id')`, or `ForeignKey(() => User.id, { ondelete: 'CASCADE' })` for a model declared later. Resolved when the models are configured; a missing table or column is an error naming it.
 *
 * @example
 * ```ts
 * import { Column, ForeignKey, Integer } from 'relata';
 *
 * class Like extends db.Model('Like', {
 *   id: Column(Integer, { primaryKey: true }),
 *   postId: Column(Integer, ForeignKey('post.id', { ondelete: 'CASCADE' }), { nullable: false }),
 *   userId: Column(Integer, ForeignKey(() => User.id)),
 * }) {}
 * ```
 */
export function ForeignKey(target: ForeignKeyTarget, options?: ForeignKeyOptions): SqlForeignKey {
  return new SqlForeignKey(target, options);
}

/**
 * A relationship to another model. Name the target and give its type: `relationship<Post>('Post', { backref: 'author' })`
 * is a list of Post; add `uselist: false` for one object or null (many-to-one, one-to-one):
 * `relationship<User>('User', { backPopulates: 'posts', uselist: false })`. A thunk works too when the target does
 * not refer back: `relationship(() => Tag, { secondary: postTags })`. `lazy: 'writeOnly'` makes a collection a
 * {@link WriteOnlyCollection}, never loaded whole.

 * @example
 * ```ts
 * import { relationship } from 'relata';
 *
 * class Series extends db.Model('Series', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   entries: relationship<Entry>('Entry', { backPopulates: 'series', orderBy: 'position' }), // Entry[]
 * }) {}
 * class Entry extends db.Model('Entry', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   position: db.Column(db.Integer, { nullable: false }),
 *   seriesId: db.Column(db.Integer, db.ForeignKey('series.id')),
 *   series: relationship<Series>('Series', { backPopulates: 'entries', uselist: false }), // Series | null
 * }) {}
 * ```
 */
export function relationship<T>(
  target: string,
  options: RelationshipOptions & { uselist: false },
): RelationshipDecl<T, false>;
export function relationship<T>(
  target: string,
  options: RelationshipOptions & { lazy: 'writeOnly' },
): RelationshipDecl<T, true, 'writeOnly'>;
export function relationship<T>(
  target: string,
  options: RelationshipOptions & { collection: 'set' },
): RelationshipDecl<T, true, 'set'>;
export function relationship<T, K>(
  target: string,
  options: RelationshipOptions & { collection: KeyedBy<KeyFunction<T, K>> },
): RelationshipDecl<T, true, KeyedBy<KeyFunction<T, K>>>;
export function relationship<T, N extends string>(
  target: string,
  options: RelationshipOptions & { collection: KeyedBy<KeyAttribute<N>> },
): RelationshipDecl<T, true, KeyedBy<KeyAttribute<N>>>;
export function relationship<T>(
  target: string,
  options?: RelationshipOptions & { collection?: 'list' },
): RelationshipDecl<T, true, 'list'>;
export function relationship<C extends AnyModelClass>(
  target: () => C,
  options: RelationshipOptions & { uselist: false },
): RelationshipDecl<InstanceType<C>, false>;
export function relationship<C extends AnyModelClass>(
  target: () => C,
  options: RelationshipOptions & { lazy: 'writeOnly' },
): RelationshipDecl<InstanceType<C>, true, 'writeOnly'>;
export function relationship<C extends AnyModelClass>(
  target: () => C,
  options: RelationshipOptions & { collection: 'set' },
): RelationshipDecl<InstanceType<C>, true, 'set'>;
export function relationship<C extends AnyModelClass, const S>(
  target: () => C,
  options: RelationshipOptions & { collection: KeyedBy<S> },
): RelationshipDecl<InstanceType<C>, true, KeyedBy<S>>;
export function relationship<C extends AnyModelClass>(
  target: () => C,
  options?: RelationshipOptions & { collection?: 'list' },
): RelationshipDecl<InstanceType<C>, true, 'list'>;
export function relationship(
  target: string | (() => AnyModelClass),
  options: RelationshipOptions = {},
): RelationshipDecl<unknown, boolean> {
  if (typeof target !== 'string' && typeof target !== 'function') {
    throw new ArgumentError(
      `relationship() needs the target model's name or a thunk returning its class, got ${typeof target}`,
    );
  }
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('relationship() options must be an object');
  return new RelationshipDecl(target, options);
}

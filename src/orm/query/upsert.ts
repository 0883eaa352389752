/**
 * The ORM side of INSERT … ON CONFLICT / ON DUPLICATE KEY UPDATE: conflict targets and SET lists
 * written with a model's attributes (`{ target: Tag.name, set: { uses: excluded(Tag.uses) } }`),
 * checked against its mapper and turned into the Core node of src/sql/upsert.ts.
 */
import { ArgumentError } from '../../sql/errors.js';
import { ColumnElement } from '../../sql/expressions.js';
import type { Column } from '../../sql/schema.js';
import { ExcludedColumn, checkTarget, type OnConflict } from '../../sql/upsert.js';
import { ColumnAttribute } from '../mapping/attributes.js';
import type { HasColumns } from '../mapping/declarative.js';
import type { Mapper } from '../mapping/mapper.js';

/**
 * The column attributes of a model class `M` (`Tag.id | Tag.name`), for targets and `returning()`.
 *
 * @example
 * ```ts
 * import type { ColumnOf } from 'relata';
 *
 * const key: ColumnOf<typeof Tag> = Tag.name; // Post.title would be a type error
 * ```
 */
export type ColumnOf<M> = { [K in keyof M]: M[K] extends ColumnAttribute<unknown, string> ? M[K] : never }[keyof M];

/**
 * A conflict target: one column attribute of the model, or several (a composite unique key).
 *
 * @example
 * ```ts
 * import type { ConflictTarget } from 'relata';
 *
 * const byName: ConflictTarget<typeof Tag> = Tag.name;
 * const byKey: ConflictTarget<typeof Tag> = [Tag.id];
 * ```
 */
export type ConflictTarget<M> = ColumnOf<M> | readonly ColumnOf<M>[];

/**
 * What an upsert sets on the existing row, by column attribute: a value, or an expression such as
 * `excluded(Tag.uses)` (the value the row being inserted had).
 *
 * @example
 * ```ts
 * import { excluded, type UpsertSet } from 'relata';
 *
 * const set: UpsertSet<User> = { email: excluded(User.email) }; // { nope: 1 } is a type error
 * ```
 */
export type UpsertSet<T> =
  T extends HasColumns<infer K, unknown> ? { [P in K & keyof T]?: T[P] | ColumnElement<T[P]> } : never;

/**
 * Options of `onConflictDoNothing()`.
 *
 * @example
 * ```ts
 * import { insert, type DoNothingOptions } from 'relata';
 *
 * const options: DoNothingOptions<typeof Tag> = { target: Tag.name };
 * await session.execute(insert(Tag).values({ name: 'orm' }).onConflictDoNothing(options));
 * ```
 */
export interface DoNothingOptions<M> {
  /** The unique key the conflict is on; without it, a conflict on any unique key. */
  readonly target?: ConflictTarget<M>;
}

/**
 * Options of `onConflictDoUpdate()`.
 *
 * @example
 * ```ts
 * import { excluded, insert, type DoUpdateOptions } from 'relata';
 *
 * const options: DoUpdateOptions<User, typeof User> = { target: User.username, set: { email: excluded(User.email) } };
 * await session.execute(insert(User).values({ username: 'alice', email: 'a@x.org' }).onConflictDoUpdate(options));
 * ```
 */
export interface DoUpdateOptions<T, M> {
  /** The unique key (primary key, UNIQUE constraint or unique index) the conflict is on. */
  readonly target: ConflictTarget<M>;
  /** The columns to set on the existing row. */
  readonly set: UpsertSet<T>;
  /** Only update existing rows matching this (PostgreSQL and SQLite). */
  readonly where?: ColumnElement<boolean>;
}

/**
 * `excluded(Tag.uses)`: in an upsert's `set`, the value the row being inserted had for that column
 * (SQLAlchemy's `stmt.excluded.uses`; `EXCLUDED.uses` on PostgreSQL and SQLite, `VALUES(uses)` on
 * MySQL and MariaDB).
 *
 * @example
 * ```ts
 * import { excluded, insert } from 'relata';
 *
 * await session.execute(
 *   insert(User)
 *     .values({ username: 'alice', email: 'alice@new.example' })
 *     .onConflictDoUpdate({ target: User.username, set: { email: excluded(User.email) } }),
 * );
 * ```
 */
export function excluded<V>(attribute: ColumnAttribute<V>): ExcludedColumn<V> {
  if (!(attribute instanceof ColumnAttribute))
    throw new ArgumentError('excluded() takes a column attribute of the inserted model, such as excluded(User.email)');
  return new ExcludedColumn<V>(attribute.column, attribute.describe());
}

/**
 * `inserted(Tag.uses)`: the same as {@link excluded}, under the name SQLAlchemy's MySQL dialect uses
 * (`stmt.inserted.uses`), for `onDuplicateKeyUpdate()`.
 *
 * @example
 * ```ts
 * import { inserted, insert } from 'relata';
 *
 * const stmt = insert(User).values({ username: 'a', email: 'a@x' }).onDuplicateKeyUpdate({ email: inserted(User.email) });
 * ```
 */
export const inserted = excluded;

/** The columns of a conflict target, each checked to be a column of `mapper`. */
export function targetColumns(mapper: Mapper, target: unknown, where: string): Column[] {
  const list = Array.isArray(target) ? (target as unknown[]) : [target];
  if (list.length === 0) throw new ArgumentError(`${where}: target is an empty list; name the unique columns`);
  const cols = list.map((t) => ownColumn(mapper, t, where, 'target'));
  checkTarget(mapper.table, cols, where);
  return cols;
}

/** `attr` as a column of `mapper`'s table; a column of another model, or anything else, is refused. */
export function ownColumn(mapper: Mapper, attr: unknown, where: string, what: string): Column {
  if (!(attr instanceof ColumnAttribute))
    throw new ArgumentError(`${where}: ${what} takes column attributes of ${mapper.name} (such as ${mapper.name}.id)`);
  if (attr.mapper !== mapper && mapper.columnsByColumn.get(attr.column) === undefined)
    throw new ArgumentError(`${where}: ${attr.describe()} is not a column of ${mapper.name}`, {
      model: mapper.name,
      column: attr.key,
    });
  return attr.column;
}

/** The SET list by column: values checked against the column's type, expressions kept as they are. */
export function setColumns(mapper: Mapper, set: object, where: string): Map<Column, unknown> {
  if (typeof set !== 'object' || set === null || Array.isArray(set))
    throw new ArgumentError(`${where}: set takes an object of column values by attribute name`);
  const out = new Map<Column, unknown>();
  for (const [key, value] of Object.entries(set)) {
    const mc = mapper.columnsByKey.get(key);
    const at = { model: mapper.name, column: key };
    if (!mc) throw new ArgumentError(`${where}: ${mapper.name} has no column attribute '${key}'`, at);
    if (value === undefined) throw new ArgumentError(`${where}: set.${key} is undefined; use null for NULL`, at);
    if (value instanceof ExcludedColumn && value.column.table !== mapper.table)
      throw new ArgumentError(`${where}: set.${key} = ${value.describe()}, a column of another table`, at);
    if (value !== null && !(value instanceof ColumnElement)) {
      const problem = mc.column.type.checkValue(value);
      if (problem) throw new ArgumentError(`${where}: ${mapper.name}.${key}: ${problem}`, at);
    }
    out.set(mc.column, value);
  }
  if (out.size === 0) throw new ArgumentError(`${where}: set is empty; name at least one column to update`);
  return out;
}

/** The Core conflict clause for `onConflictDoNothing()`. */
export function doNothing(mapper: Mapper, options: { readonly target?: unknown }, where: string): OnConflict {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where} takes an options object`);
  for (const k of Object.keys(options))
    if (k !== 'target') throw new ArgumentError(`${where}: unknown option '${k}' (options: target)`);
  const target = options.target === undefined ? null : targetColumns(mapper, options.target, where);
  return { action: 'nothing', target, set: new Map(), where: null, duplicateKey: false };
}

/** The Core conflict clause for `onConflictDoUpdate()`. */
export function doUpdate(
  mapper: Mapper,
  options: { readonly target?: unknown; readonly set?: object; readonly where?: unknown },
  where: string,
): OnConflict {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError(`${where} takes { target, set, where? }`);
  for (const k of Object.keys(options))
    if (!['target', 'set', 'where'].includes(k))
      throw new ArgumentError(`${where}: unknown option '${k}' (options: target, set, where)`);
  if (options.target === undefined)
    throw new ArgumentError(`${where}: target is required (the unique columns the conflict is on)`);
  if (options.where !== undefined && !(options.where instanceof ColumnElement))
    throw new ArgumentError(`${where}: where takes a condition such as ${mapper.name}.id.gt(0)`);
  return {
    action: 'update',
    target: targetColumns(mapper, options.target, where),
    set: setColumns(mapper, options.set ?? {}, where),
    where: (options.where as ColumnElement<boolean> | undefined) ?? null,
    duplicateKey: false,
  };
}

/** The Core conflict clause for `onDuplicateKeyUpdate()` (MySQL/MariaDB's spelling). */
export function duplicateKeyUpdate(mapper: Mapper, set: object, where: string): OnConflict {
  return { action: 'update', target: null, set: setColumns(mapper, set, where), where: null, duplicateKey: true };
}

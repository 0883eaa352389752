/**
 * What a relationship's collection is (`collection:` option): an array (the default), a Set, or a
 * Map keyed by an attribute of its members (SQLAlchemy's collection_class=set and
 * attribute_keyed_dict / keyfunc_mapping). Declared here; the instance values are session/collection-views.ts.
 */
import { MappingError, NotLoadedError } from '../errors.js';
import { RelataError } from '../../sql/errors.js';
import { describeValue } from '../../sql/options.js';
import type { RelationshipProperty } from './relationships.js';

/**
 * How a keyed collection (`collection: keyedBy(...)`) finds a member's key: an attribute's name,
 * or a function of the member. `Spec` is type-only: a {@link KeyAttribute} or a {@link KeyFunction}.
 *
 * @example
 * ```ts
 * import { keyedBy, type KeyAttribute, type KeyedBy } from 'relata';
 *
 * const byLang: KeyedBy<KeyAttribute<'lang'>> = keyedBy('lang');
 * console.log(byLang.attribute); // 'lang'
 * ```
 */
export class KeyedBy<Spec = unknown> {
  /** Always `'keyedBy'`. */
  readonly kind = 'keyedBy';
  /** Type-only: how the key is found, for the Map's key type ({@link KeyAttribute} or {@link KeyFunction}). */
  declare readonly __spec: Spec;
  constructor(
    /** The member attribute holding the key, or null for a key function. */
    readonly attribute: string | null,
    /** The key of one member. */
    readonly keyOf: (member: object) => unknown,
  ) {}

  /** `Note.lang` or `a key function`, as messages name it. */
  describe(target: string): string {
    return this.attribute === null ? 'a key function' : `${target}.${this.attribute}`;
  }
}

/**
 * Type-only: a keyed collection keyed by the member attribute `N` (`keyedBy('lang')`).
 *
 * @example
 * ```ts
 * import type { KeyAttribute, KeyTypeOf } from 'relata';
 *
 * const key: KeyTypeOf<User, KeyAttribute<'username'>> = 'ada'; // User.username's type
 * ```
 */
export interface KeyAttribute<N extends string> {
  /** The member attribute holding the key. */
  readonly attribute: N;
}

/**
 * Type-only: a keyed collection of `T` keyed by a function's result `K` (`keyedBy((post) => post.slug)`).
 *
 * @example
 * ```ts
 * import type { KeyFunction, KeyTypeOf } from 'relata';
 *
 * const key: KeyTypeOf<Post, KeyFunction<Post, number>> = 1; // what the function returns
 * ```
 */
export interface KeyFunction<T, K> {
  /** The key of a member. */
  readonly keyOf: (member: T) => K;
}

/**
 * A keyed collection: `collection: keyedBy('lang')` makes the attribute a `Map` from each member's
 * `lang` to the member (SQLAlchemy's `attribute_keyed_dict('lang')`); `keyedBy((post) => post.slug)`
 * keys by a function (SQLAlchemy's `keyfunc_mapping`). Give the key type as the second type argument
 * of `db.relationship`: `db.relationship<Note, 'lang'>('Note', { collection: keyedBy('lang') })`, or
 * `db.relationship<Post, string>('Post', { collection: keyedBy((post) => post.slug) })`.
 *
 * @example
 * ```ts
 * import { keyedBy } from 'relata';
 *
 * class Author extends db.Model('Author', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   notes: db.relationship<Note, 'lang'>('Note', { collection: keyedBy('lang'), cascade: 'all, delete-orphan' }),
 * }) {}
 * class Note extends db.Model('Note', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
 *   lang: db.Column(db.String(8), { nullable: false }),
 * }) {}
 * const author = new Author({ notes: new Map([['en', new Note({ lang: 'en' })]]) });
 * const notes = await author.notes; // Map<string, Note>
 * notes.set('fr', new Note({ lang: 'fr' })); // the key must be the member's lang
 * ```
 */
// The function form first: a contextually typed parameter (`(page) => page.slug`) is typed by the
// first overload that takes a function, so the name form must not be tried before it.
export function keyedBy<T, K>(keyOf: (member: T) => K): KeyedBy<KeyFunction<T, K>>;
export function keyedBy<const N extends string>(attribute: N): KeyedBy<KeyAttribute<N>>;
export function keyedBy(by: string | ((member: never) => unknown)): KeyedBy {
  if (typeof by === 'string' && by !== '') return new KeyedBy(by, (m) => (m as Record<string, unknown>)[by]);
  if (typeof by === 'function') return new KeyedBy(null, by as (member: object) => unknown);
  throw new MappingError(`keyedBy() takes an attribute name or a function of the member, got ${describeValue(by)}`);
}

/** A relationship's collection class, resolved: what `collection:` says. */
export type CollectionClass = 'list' | 'set' | KeyedBy;

/** The `collection:` option check: `'list'`, `'set'` or a `keyedBy(...)`. */
export function checkCollectionOption(v: unknown): string | null {
  if (v === 'list' || v === 'set' || v instanceof KeyedBy) return null;
  if (v === Set || v === 'dict' || v === Map || v === Object)
    return "spell a Set collection collection: 'set', and a dict collection collection: keyedBy('attribute')";
  return `must be 'list', 'set' or keyedBy('attribute'), got ${describeValue(v)}`;
}

/**
 * The collection class of `prop`, checked against the rest of its configuration: only collections
 * have one, a write-only collection is never held in memory, and an attribute key must exist.
 */
export function resolveCollectionClass(prop: RelationshipProperty): CollectionClass {
  const c = prop.options.collection ?? 'list';
  if (c === 'list') return c;
  const what = c === 'set' ? "collection: 'set'" : 'collection: keyedBy(...)';
  if (!prop.uselist)
    throw new MappingError(
      `relationship ${prop.name}: ${what} is for collections, and this one holds one ${prop.target.name} (uselist: false)`,
    );
  if (prop.lazy === 'writeOnly')
    throw new MappingError(
      `relationship ${prop.name}: lazy: 'writeOnly' is never loaded into memory, so it has no ${what}; drop one of them`,
    );
  if (c instanceof KeyedBy && c.attribute !== null && !prop.target.columnsByKey.has(c.attribute)) {
    throw new MappingError(
      `relationship ${prop.name}: keyedBy('${c.attribute}') names no column of ${prop.target.name} ` +
        `(columns: ${[...prop.target.columnsByKey.keys()].join(', ')}); key by a function for anything else`,
    );
  }
  return c;
}

/**
 * A keyed collection would hold two members under one key: two rows loaded with the same key, or a
 * member's key changed (or a backref added one) to one already taken. SQLAlchemy keeps the last and
 * drops the other from the dictionary; Relata refuses, so no row silently goes missing.
 *
 * @example
 * ```ts
 * import { DuplicateKeyError } from 'relata';
 *
 * try {
 *   await session.get(User, 1); // any load of a keyed collection whose rows share a key
 * } catch (err) {
 *   if (err instanceof DuplicateKeyError) console.log(err.code, err.message); // 'duplicate-key' 'User.notes is keyed by Note.lang and holds two …'
 * }
 * ```
 */
export class DuplicateKeyError extends RelataError {
  /** Always `'duplicate-key'`. */
  override readonly code = 'duplicate-key';
}

/** The key of `member` in `prop`'s keyed collection; an unloaded (deferred) key column is an error. */
export function keyOfMember(prop: RelationshipProperty, by: KeyedBy, member: object): unknown {
  const key = by.keyOf(member);
  if (key !== null && typeof key === 'object' && typeof (key as { then?: unknown }).then === 'function')
    throw new NotLoadedError(
      `${prop.name} is keyed by ${by.describe(prop.target.name)}, which is not loaded on a member: undefer it or load it first`,
    );
  return key;
}

/** The members of a keyed collection by key; two under one key is a DuplicateKeyError naming both. */
export function indexByKey(prop: RelationshipProperty, by: KeyedBy, members: readonly object[]): Map<unknown, object> {
  const index = new Map<unknown, object>();
  for (const member of members) {
    const key = keyOfMember(prop, by, member);
    const other = index.get(key);
    if (other !== undefined && other !== member)
      throw new DuplicateKeyError(
        `${prop.name} is keyed by ${by.describe(prop.target.name)} and holds two ${prop.target.name} objects ` +
          `under ${describeValue(key)}; a keyed collection holds one member per key: make the key unique ` +
          `(a unique constraint on it and the foreign key), or change one member's key`,
      );
    index.set(key, member);
  }
  return index;
}

/**
 * Validators (SQLAlchemy's `@validates`): a function of a model's column or relationship that runs
 * when the attribute is set (the constructor's values included) and when an object joins the
 * collection, and optionally when one leaves it (`includeRemoves`). What it returns is what is
 * stored; a throw stores nothing. Rows loaded from the database are not validated. Changes a
 * backref makes on the other side (`post.author = user` adding to `user.posts`) run the validator of
 * the side that was changed only (SQLAlchemy's `include_backrefs=False`).
 */
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, isBoolean, type OptionTable } from '../../sql/options.js';
import { MappingError } from '../errors.js';
import type { ColumnAttribute, RelationshipAttribute } from './attributes.js';
import { hooksOf } from './events.js';
import type { Mapper } from './mapper.js';

/**
 * Why a validator runs: `'set'` (a column or a many-to-one / one-to-one assigned, the constructor
 * included), `'append'` (an object joins a collection), `'remove'` (one leaves it, with `includeRemoves`).
 *
 * @example
 * ```ts
 * import type { ValidationOp } from 'relata';
 *
 * const log: ValidationOp[] = [];
 * db.validates(Post, 'tags', (tag, _post, op) => (log.push(op), tag), { includeRemoves: true });
 * ```
 */
export type ValidationOp = 'set' | 'append' | 'remove';

/**
 * Options of `db.validates(Model, key, validator, options)`.
 *
 * @example
 * ```ts
 * import type { ValidatorOptions } from 'relata';
 *
 * const options: ValidatorOptions = { includeRemoves: true };
 * db.validates(User, 'posts', (post) => post, options);
 * ```
 */
export interface ValidatorOptions {
  /** Also run when an object leaves the collection (op `'remove'`); a throw keeps it there. Collections only. */
  includeRemoves?: boolean;
}

const validatorOptionTable = {
  known: { includeRemoves: isBoolean },
  refused: {
    include_backrefs:
      'validators run for changes made through their own attribute; validate the other side of a backref there',
  },
} as const satisfies OptionTable<ValidatorOptions>;

/**
 * The attributes of model class `C` that can have a validator: its columns and relationships.
 *
 * @example
 * ```ts
 * import type { ValidatedKey } from 'relata';
 *
 * const key: ValidatedKey<typeof User> = 'email'; // 'id' | 'username' | 'email' | 'posts' | …
 * ```
 */
export type ValidatedKey<C> = {
  [K in keyof C]-?: C[K] extends RelationshipAttribute<string, infer _S>
    ? K
    : C[K] extends ColumnAttribute<infer _V>
      ? K
      : never;
}[keyof C] &
  string;

/**
 * What a validator of `C[K]` takes and returns: a column's value, a collection's member (`Post`
 * for `User.posts`), or a many-to-one's target or null.
 *
 * @example
 * ```ts
 * import type { ValidatedValue } from 'relata';
 *
 * const email: ValidatedValue<typeof User, 'email'> = null; // string | null
 * const post: ValidatedValue<typeof User, 'posts'> = new Post({ title: 'x' }); // Post
 * ```
 */
export type ValidatedValue<C, K extends keyof C> =
  C[K] extends RelationshipAttribute<string, infer S>
    ? S extends readonly (infer E)[]
      ? E
      : S
    : C[K] extends ColumnAttribute<infer V>
      ? V
      : never;

/**
 * A validator: gets the value being stored, the object and why it runs; returns what to store
 * (the same value, or a normalised one), or throws to refuse it.
 *
 * @example
 * ```ts
 * import type { Validator } from 'relata';
 *
 * const lower: Validator<User, string | null> = (email) => email?.toLowerCase() ?? null;
 * db.validates(User, 'email', lower);
 * ```
 */
export type Validator<T, V> = (value: V, obj: T, op: ValidationOp) => V;

/** @internal A registered validator. */
export interface ValidatorEntry {
  readonly fn: (value: unknown, obj: object, op: ValidationOp) => unknown;
  readonly includeRemoves: boolean;
}

/** `db.validates(Model, key, fn, options)`: checks and registers one validator. */
export function addValidator(mapper: Mapper, key: unknown, fn: unknown, options: ValidatorOptions = {}): void {
  const where = `db.validates(${mapper.name}, ${JSON.stringify(key)})`;
  if (typeof fn !== 'function') throw new ArgumentError(`${where}: the validator must be a function, got ${typeof fn}`);
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
  checkOptions(options, validatorOptionTable, where, ArgumentError);
  const isColumn = typeof key === 'string' && mapper.columnsByKey.has(key);
  const prop = typeof key === 'string' ? mapper.relationships.get(key) : undefined;
  if (!isColumn && !prop) {
    const names = [...mapper.columnsByKey.keys(), ...mapper.relationships.keys()];
    throw new MappingError(
      `${where}: ${mapper.name} has no column or relationship '${String(key)}' (attributes: ${names.join(', ')})`,
    );
  }
  const name = `${mapper.name}.${key as string}`;
  // (Whether a relationship is a collection is known once the mappers are configured: only columns are refused here.)
  if (options.includeRemoves && isColumn)
    throw new MappingError(`${where}: includeRemoves applies to collections, and ${name} is a column`);
  const hooks = hooksOf(mapper);
  if (hooks.validators.has(key as string))
    throw new MappingError(`${where}: ${name} already has a validator; validate everything in that one function`);
  hooks.validators.set(key as string, {
    fn: fn as ValidatorEntry['fn'],
    includeRemoves: options.includeRemoves === true,
  });
}

/** The value to store for `key` of `obj`: the validator's answer, or `value` when the attribute has none. */
export function validated(mapper: Mapper, key: string, value: unknown, obj: object, op: 'set' | 'append'): unknown {
  const entry = mapper.hooks?.validator(key);
  return entry ? entry.fn(value, obj, op) : value;
}

/** Runs the removal validator of collection `key` for `item` leaving it (with `includeRemoves`). */
export function validateRemoval(mapper: Mapper, key: string, item: unknown, obj: object): void {
  const entry = mapper.hooks?.validator(key);
  if (entry?.includeRemoves) entry.fn(item, obj, 'remove');
}

/**
 * A collection assigned whole: removals are validated first (when the members before are known),
 * then each member it adds, whose validated value takes its place. Returns the members to store.
 */
export function validatedReplacement(
  mapper: Mapper,
  key: string,
  next: readonly object[],
  before: readonly object[] | null,
  obj: object,
): object[] {
  const entry = mapper.hooks?.validator(key);
  if (!entry) return [...next];
  if (before && entry.includeRemoves)
    for (const item of before) if (!next.includes(item)) entry.fn(item, obj, 'remove');
  return next.map((item) => (before?.includes(item) ? item : (entry.fn(item, obj, 'append') as object)));
}

/**
 * `Serialized<T>`: the type of `JSON.parse(JSON.stringify(x))` for a model instance `x` of type `T`,
 * computed from `T` the way query result types are (see Loaded in loading/options.ts): a
 * relationship typed as loaded (`Post[]`, `User | null`, after `selectinload`/`joinedload`) is a
 * key that is there; one that may be unloaded (`Related<…>`) is an optional key.
 */
import type { ElementOf, HasColumns, Unloaded } from '../mapping/declarative.js';

/**
 * A column value in JSON: bigints as strings (decimals are strings already), dates as ISO strings.
 *
 * @example
 * import type { JsonColumn } from 'relata';
 *
 * type A = JsonColumn<bigint | null>; // string | null
 * type B = JsonColumn<Date>; // string
 * type C = JsonColumn<Uint8Array>; // string (base64)
 */
export type JsonColumn<V> = V extends bigint ? string : V extends Date ? string : V extends Uint8Array ? string : V;

/** The column attribute names of model instance type `T`. */
type ColumnKeys<T> = T extends HasColumns<infer K, unknown> ? K & keyof T : never;

type LoadedPart<V> = Exclude<V, Unloaded<unknown>>;

type MayBeUnloaded<V> = [Extract<V, Unloaded<unknown>>] extends [never] ? false : true;

/** Whether `V` (minus its awaitable form) holds model instances: `Post[]`, `User | null`. */
type HoldsModels<V> = [ElementOf<LoadedPart<V>>] extends [never]
  ? false
  : '~columns' extends keyof ElementOf<LoadedPart<V>>
    ? true
    : false;

/** The relationship attribute names of `T`: the non-column keys whose values are model instances. */
type RelationshipKeys<T> = {
  [K in keyof T]-?: K extends ColumnKeys<T> ? never : HoldsModels<T[K]> extends true ? K : never;
}[keyof T];

/** Relationship levels left to follow: `number` for unlimited; 0 stops at columns. */
type Next<D extends number> = number extends D ? number : D extends keyof Countdown ? Countdown[D] : number;
interface Countdown {
  1: 0;
  2: 1;
  3: 2;
  4: 3;
  5: 4;
  6: 5;
  7: 6;
  8: 7;
  9: 8;
}

type SerializedRelation<S, D extends number> = S extends readonly (infer E)[]
  ? SerializedModel<E, D>[]
  : S extends ReadonlyMap<unknown, infer E>
    ? Record<string, SerializedModel<E, D>>
    : S extends ReadonlySet<infer E>
      ? SerializedModel<E, D>[]
      : S extends null | undefined
        ? null
        : SerializedModel<S, D>;

type SerializedColumns<T> = { -readonly [K in ColumnKeys<T>]: JsonColumn<T[K]> };

type SerializedRelationships<T, D extends number> = D extends 0
  ? unknown
  : {
      -readonly [K in RelationshipKeys<T> as MayBeUnloaded<T[K]> extends true ? never : K]: SerializedRelation<
        T[K],
        Next<D>
      >;
    } & {
      -readonly [K in RelationshipKeys<T> as MayBeUnloaded<T[K]> extends true ? K : never]?: SerializedRelation<
        LoadedPart<T[K]>,
        Next<D>
      >;
    };

/**
 * The JSON object of one model instance of type `T`, following `D` relationship levels.
 *
 * @example
 * import type { SerializedModel } from 'relata';
 *
 * type UserJson = SerializedModel<User>; // { id: number; username: string; posts?: SerializedModel<Post>[]; … }
 * type UserColumns = SerializedModel<User, 0>; // columns only, as serialize(user, { depth: 0 })
 */
export type SerializedModel<T, D extends number = number> =
  // Not a model: nothing (drops the `Omit<never, …>` member Reshape adds for a nullable relationship).
  T extends HasColumns<infer _K, unknown> ? SerializedColumns<T> & SerializedRelationships<T, D> : never;

/**
 * What `JSON.stringify` (and `serialize`) make of a model instance, or an array of them, of type
 * `T`: the columns with their JSON types, and the relationships `T` has loaded.
 *
 * @example
 * import { selectinload, serialize, type Serialized } from 'relata';
 *
 * const users = await session.query(User).options(selectinload(User.posts)).all();
 * const body: Serialized<typeof users> = serialize(users);
 * body[0]!.posts[0]!.title; // string: posts were loaded
 * body[0]!.profile; // Serialized<Profile> | null | undefined: present only if it was loaded
 */
export type Serialized<T, D extends number = number> = T extends readonly (infer E)[]
  ? SerializedModel<E, D>[]
  : T extends ReadonlyMap<unknown, infer E>
    ? Record<string, SerializedModel<E, D>>
    : T extends ReadonlySet<infer E>
      ? SerializedModel<E, D>[]
      : SerializedModel<T, D>;

/**
 * The attribute names `pick`/`omit` accept for `T` (a model instance type or an array of them).
 *
 * @example
 * import type { SerializableKey } from 'relata';
 *
 * type Keys = SerializableKey<User>; // 'id' | 'username' | 'isActive' | 'posts' | 'profile'
 */
export type SerializableKey<T> = T extends readonly (infer E)[]
  ? SerializableKey<E>
  : (ColumnKeys<T> | RelationshipKeys<T>) & string;

/**
 * `Serialized<T>` keeping only the attributes `K` of the root object(s): what `serialize(x, { pick })` returns.
 *
 * @example
 * import { serialize, type SerializedPick } from 'relata';
 *
 * const brief: SerializedPick<User, 'id' | 'username'> = serialize(user, { pick: ['id', 'username'] });
 */
export type SerializedPick<T, K extends string, D extends number = number> = T extends readonly (infer E)[]
  ? Pick<SerializedModel<E, D>, K & keyof SerializedModel<E, D>>[]
  : Pick<SerializedModel<T, D>, K & keyof SerializedModel<T, D>>;

/**
 * `Serialized<T>` without the attributes `K` of the root object(s): what `serialize(x, { omit })` returns.
 *
 * @example
 * import { serialize, type SerializedOmit } from 'relata';
 *
 * const open: SerializedOmit<User, 'email'> = serialize(user, { omit: ['email'] });
 */
export type SerializedOmit<T, K extends string, D extends number = number> = T extends readonly (infer E)[]
  ? Omit<SerializedModel<E, D>, K>[]
  : Omit<SerializedModel<T, D>, K>;

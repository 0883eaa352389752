import {
  INT32_MAX,
  INT32_MIN,
  INT64_MAX,
  INT64_MIN,
  calendarDateProblem,
  characterCount,
  decimalProblem,
  describeValue,
  instantProblem,
  integerProblem,
  jsonProblem,
  textProblem,
} from './value-checks.js';
import { ArgumentError } from './errors.js';

/**
 * Column types. Each carries the TypeScript type of its values (`T`) so a model's
 * declaration is the only place a type is written.
 *
 * @example
 * ```ts
 * import { SqlType, String } from 'relata';
 *
 * const type: SqlType<string> = String(80);
 * console.log(type.typeName, type.checkValue('x'.repeat(81))); // 'String', why the value is refused
 * ```
 */
export abstract class SqlType<T> {
  /** Phantom: the TypeScript type of values of this SQL type. */
  declare readonly __value: T;
  /** The type's name ('Integer', 'String', 'Numeric'…), as error messages show it. */
  abstract readonly typeName: string;
  /** Checks a value bound to this type; returns an error message or null. */
  checkValue(value: unknown): string | null {
    if (value !== null && typeof value === 'object') return 'an object or array is not a value of this column';
    return null;
  }
}

/** Extracts the TypeScript value type of a SQL type. */
export type ValueOf<S> = S extends SqlType<infer T> ? T : never;

/** A 32-bit signed integer on every dialect (INT on PostgreSQL and MariaDB; SQLite keeps to the same range). */
export class IntegerType extends SqlType<number> {
  readonly typeName = 'Integer';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'number' || typeof value === 'bigint') return integerProblem(value, INT32_MIN, INT32_MAX);
    return `expected a number, got ${describeValue(value)}`;
  }
}
/** A 64-bit signed integer; read back as a bigint (or a string, see the dialects' `bigint` option). */
export class BigIntegerType extends SqlType<bigint> {
  readonly typeName = 'BigInteger';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'number' || typeof value === 'bigint') return integerProblem(value, INT64_MIN, INT64_MAX);
    return `expected a bigint, got ${describeValue(value)}`;
  }
}
/**
 * A double. NaN and ±Infinity are refused (SQLite stores NaN as NULL, MariaDB refuses all three);
 * -0 is bound as 0, as MariaDB and SQLite store it anyway (`-0 === 0` in JS and in SQL).
 */
export class FloatType extends SqlType<number> {
  readonly typeName = 'Float';
  override checkValue(value: unknown): string | null {
    if (typeof value !== 'number') return `expected a number, got ${describeValue(value)}`;
    return Number.isFinite(value) ? null : `${value} is not a finite number, which not every dialect stores`;
  }
}
/**
 * Exact decimal; values are strings so no precision is lost in a JS float. What is read back is the
 * same number as a plain decimal string (with the column's scale where it has one: '12.5' → '12.50').
 * A value with more digits than Numeric(precision, scale) holds is refused, never rounded.
 */
export class NumericType extends SqlType<string> {
  readonly typeName = 'Numeric';
  constructor(
    readonly precision?: number,
    readonly scale?: number,
  ) {
    super();
  }
  override checkValue(value: unknown): string | null {
    if (typeof value === 'number' && !Number.isFinite(value)) return `${value} is not a decimal number`;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
      return decimalProblem(globalThis.String(value), this.precision, this.scale);
    return `expected a decimal string, got ${describeValue(value)}`;
  }
}
/** `String(n)` holds at most n characters (code points, as PostgreSQL and MariaDB count them). */
export class StringType extends SqlType<string> {
  readonly typeName: string = 'String';
  constructor(readonly length?: number) {
    super();
  }
  override checkValue(value: unknown): string | null {
    if (typeof value !== 'string') return `expected a string, got ${describeValue(value)}`;
    if (this.length !== undefined && value.length > this.length && characterCount(value) > this.length)
      return `a string of ${characterCount(value)} characters is longer than String(${this.length})`;
    return textProblem(value);
  }
}
export class TextType extends StringType {
  override readonly typeName = 'Text';
}
export class BooleanType extends SqlType<boolean> {
  readonly typeName = 'Boolean';
  override checkValue(value: unknown): string | null {
    return typeof value === 'boolean' ? null : `expected a boolean, got ${describeValue(value)}`;
  }
}
/** A point in time in years 0001–9999 (UTC); always a JS Date, stored as UTC so it round-trips whatever the time zone. */
export class DateTimeType extends SqlType<Date> {
  readonly typeName = 'DateTime';
  override checkValue(value: unknown): string | null {
    if (value instanceof Date) return instantProblem(value);
    return `expected a Date, got ${describeValue(value)}`;
  }
}
/** A calendar date as 'YYYY-MM-DD' in 0001-01-01 … 9999-12-31: a date has no time zone, so it is not a JS Date. */
export class DateType extends SqlType<string> {
  readonly typeName = 'Date';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'string') return calendarDateProblem(value);
    return `expected a 'YYYY-MM-DD' string, got ${describeValue(value)}`;
  }
}
/** JSON that comes back deep-equal: null, booleans, finite numbers, strings, arrays and plain objects. */
export class JSONType<T = unknown> extends SqlType<T> {
  readonly typeName = 'JSON';
  override checkValue(value: unknown): string | null {
    return jsonProblem(value);
  }
}

/**
 * A 32-bit signed integer column (`db.Integer`): values are numbers.
 *
 * @example
 * ```ts
 * import { Integer } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   stock: db.Column(Integer, { nullable: false, default: 0 }),
 * }) {}
 * const item = new Item({ stock: 3 }); // item.stock: number
 * ```
 */
export const Integer = new IntegerType();
/**
 * A 64-bit signed integer column (`db.BigInteger`): values are bigints, never rounded.
 *
 * @example
 * ```ts
 * import { BigInteger } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   bytes: db.Column(BigInteger),
 * }) {}
 * const item = new Item({ bytes: 9007199254740993n }); // item.bytes: bigint | null
 * ```
 */
export const BigInteger = new BigIntegerType();
/**
 * A double-precision column (`db.Float`): finite numbers.
 *
 * @example
 * ```ts
 * import { Float } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   weight: db.Column(Float),
 * }) {}
 * const item = new Item({ weight: 0.25 });
 * ```
 */
export const Float = new FloatType();
/**
 * An unbounded text column (`db.Text`).
 *
 * @example
 * ```ts
 * import { Text } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   description: db.Column(Text),
 * }) {}
 * const item = new Item({ description: 'long text…' });
 * ```
 */
export const Text = new TextType();
/**
 * A boolean column (`db.Boolean`): true or false on every dialect (SQLite's 0/1 and MySQL's TINYINT read back as booleans).
 *
 * @example
 * ```ts
 * import { Boolean } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   active: db.Column(Boolean, { nullable: false, default: true }),
 * }) {}
 * const item = new Item({ active: false });
 * ```
 */
export const Boolean = new BooleanType();
/**
 * A point-in-time column (`db.DateTime`): JS Dates, stored as UTC.
 *
 * @example
 * ```ts
 * import { DateTime } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   createdAt: db.Column(DateTime, { default: () => new Date() }),
 * }) {}
 * const item = new Item({ createdAt: new Date('2026-01-31T12:00:00Z') });
 * ```
 */
export const DateTime = new DateTimeType();
/**
 * A calendar-date column, exported publicly as `Date` (like SQLAlchemy's) and as `db.Date`: values are 'YYYY-MM-DD' strings, as a date has no time zone. Named apart here so the global Date stays usable.
 *
 * @example
 * ```ts
 * class Person extends db.Model('Person', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   birthday: db.Column(db.Date),
 * }) {}
 * const p = new Person({ birthday: '1990-04-01' }); // p.birthday: string | null
 * ```
 */
export const DateOnly = new DateType();
/**
 * An untyped JSON column, exported publicly as `JSON` and as `db.JSON`: values are `unknown`. Use `JSONOf<T>()` for a typed one.
 *
 * @example
 * ```ts
 * class Event extends db.Model('Event', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   payload: db.Column(db.JSON),
 * }) {}
 * const e = new Event({ payload: { clicks: [1, 2, 3] } });
 * ```
 */
export const Json = new JSONType<unknown>();
/**
 * `String(80)` → VARCHAR(80); `String()` → unbounded text. A longer value is refused before SQL, naming the column.
 *
 * @example
 * ```ts
 * import { String } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   name: db.Column(String(80), { nullable: false }),
 * }) {}
 * const item = new Item({ name: 'chair' }); // item.name: string
 * ```
 */
export function String(length?: number): StringType {
  return new StringType(length);
}
/**
 * `Numeric(10, 2)`: an exact decimal column; values are decimal strings ('12.50'), never rounded: a value with more digits than it holds is refused.
 *
 * @example
 * ```ts
 * import { Numeric } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   price: db.Column(Numeric(10, 2), { nullable: false }),
 * }) {}
 * const item = new Item({ price: '19.99' }); // item.price: string
 * ```
 */
export function Numeric(precision?: number, scale?: number): NumericType {
  return new NumericType(precision, scale);
}
/**
 * `JSONOf<{ tags: string[] }>()`: a JSON column whose values have type T (not checked against T at run time: only that they are JSON).
 *
 * @example
 * ```ts
 * import { JSONOf } from 'relata';
 *
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   meta: db.Column(JSONOf<{ tags: string[] }>()),
 * }) {}
 * const item = new Item({ meta: { tags: ['new'] } }); // item.meta: { tags: string[] } | null
 * ```
 */
export function JSONOf<T>(): JSONType<T> {
  return new JSONType<T>();
}

/** The type of an expression whose type is not known (e.g. a function result); values pass through. */
export class AnyType extends SqlType<unknown> {
  readonly typeName = 'Any';
  override checkValue(): string | null {
    return null;
  }
}
export const Any = new AnyType();

/**
 * One of a fixed set of strings. Native `ENUM` on MySQL/MariaDB (inline) and PostgreSQL (a
 * `CREATE TYPE … AS ENUM` made before its table, dropped after; named `name` or `<table>_<column>`);
 * `VARCHAR` + `CHECK` on SQLite. A value outside the set is refused before any SQL runs.
 *
 * @example
 * ```ts
 * import { EnumType } from 'relata';
 *
 * const status = new EnumType(['draft', 'published'] as const); // or Enum([...]): 'draft' | 'published'
 * ```
 */
export class EnumType<T extends string = string> extends SqlType<T> {
  readonly typeName = 'Enum';
  private readonly members: ReadonlySet<string>;
  constructor(
    /** The members, in declaration order. */
    readonly values: readonly T[],
    /** The PostgreSQL type's name; the default is `<table>_<column>`. */
    readonly name?: string,
  ) {
    super();
    this.members = new Set(values);
    const problem = enumValuesProblem(values, name);
    if (problem) throw new ArgumentError(`Enum(${values.map((v) => `'${v}'`).join(', ')}): ${problem}`);
  }
  /** The longest member in characters: the VARCHAR length on SQLite. */
  get length(): number {
    return Math.max(...this.values.map(characterCount));
  }
  override checkValue(value: unknown): string | null {
    if (typeof value !== 'string') return `expected one of ${this.describe()}, got ${describeValue(value)}`;
    return this.members.has(value) ? null : `'${value}' is not one of ${this.describe()}`;
  }
  private describe(): string {
    return this.values.map((v) => `'${v}'`).join(', ');
  }
}

function enumValuesProblem(values: readonly unknown[], name: string | undefined): string | null {
  if (!Array.isArray(values) || values.length === 0) return 'expected a non-empty array of strings';
  const folded = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string' || v === '') return `${describeValue(v)} is not a non-empty string`;
    const text = textProblem(v);
    if (text) return text;
    // MySQL strips trailing spaces from ENUM members and compares them case-insensitively: such a
    // member would come back as another string, or collide with one.
    if (/\s$/u.test(v)) return `'${v}' ends in white space, which MySQL strips from ENUM members`;
    if (folded.has(v.toLowerCase())) return `'${v}' repeats a member (MySQL compares ENUM members ignoring case)`;
    folded.add(v.toLowerCase());
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) return `name: expected a non-empty string`;
  return null;
}

/**
 * An Enum column type whose values are the literals given (`as const` is optional).
 * An option other than `name` is refused.
 *
 * @example
 * ```ts
 * import { Column, Enum } from 'relata';
 *
 * const status = Column(Enum(['draft', 'published'], { name: 'post_status' })); // 'draft' | 'published'
 * ```
 */
export function Enum<const T extends string>(
  values: readonly T[],
  options: { readonly name?: string } = {},
): EnumType<T> {
  const unknownKeys = Object.keys(options).filter((k) => k !== 'name');
  if (unknownKeys.length) throw new ArgumentError(`Enum(): unsupported option(s) ${unknownKeys.join(', ')}`);
  return new EnumType<T>(values, options.name);
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A UUID, a string in TypeScript: native `uuid` on PostgreSQL, `CHAR(36)` on MySQL and SQLite (text,
 * not BINARY(16), so the value reads the same in SQL, in logs and in raw queries as in the model).
 * Only the canonical lower-case form is accepted: PostgreSQL gives any other spelling back lower-cased.
 *
 * @example
 * ```ts
 * import { Column, UuidType, uuid4 } from 'relata';
 *
 * const id = Column(new UuidType(), { primaryKey: true, default: uuid4 }); // or the `Uuid` instance
 * ```
 */
export class UuidType extends SqlType<string> {
  readonly typeName = 'Uuid';
  override checkValue(value: unknown): string | null {
    if (typeof value !== 'string') return `expected a UUID string, got ${describeValue(value)}`;
    if (UUID_TEXT.test(value)) return null;
    if (UUID_TEXT.test(value.toLowerCase()))
      return `'${value}' is not in lower case (PostgreSQL reads it back as '${value.toLowerCase()}')`;
    return `'${value}' is not a UUID in canonical form (8-4-4-4-12 lower-case hex digits)`;
  }
}

/**
 * A new random (version 4) UUID in canonical form, from `crypto.randomUUID()`.
 *
 * @example
 * ```ts
 * import { Column, Uuid, uuid4 } from 'relata';
 *
 * const id = Column(Uuid, { primaryKey: true, default: uuid4 });
 * ```
 */
export function uuid4(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Bytes, as a `Uint8Array` (a Node `Buffer` is one): `BYTEA` on PostgreSQL, `LONGBLOB` on MySQL,
 * `BLOB` on SQLite. Values read back are `Uint8Array`s (Buffers under Node) with the same bytes.
 * Uint8Array, not Buffer, is the type: it is what the browser build (SQLite WASM) has, and a Buffer is one.
 *
 * @example
 * ```ts
 * import { Column, LargeBinaryType } from 'relata';
 *
 * const avatar = Column(new LargeBinaryType()); // or the `LargeBinary` instance
 * ```
 */
export class LargeBinaryType extends SqlType<Uint8Array> {
  readonly typeName = 'LargeBinary';
  override checkValue(value: unknown): string | null {
    return value instanceof Uint8Array ? null : `expected a Uint8Array (or Buffer), got ${describeValue(value)}`;
  }
}

/** Item types an array column may hold: what PostgreSQL arrays give back unchanged through `pg`. */
const ARRAY_ITEM_TYPES: ReadonlySet<string> = new Set([
  'Integer',
  'BigInteger',
  'Float',
  'Numeric',
  'String',
  'Text',
  'Boolean',
  'Uuid',
]);

/**
 * A PostgreSQL array of `item` values, typed `T[]`. Other dialects have no array column: creating one
 * there is a CompileError naming the column (use `JSONOf<T[]>()` for a portable list). Elements may
 * not be null (an element type of `T`, not `T | null`).
 *
 * @example
 * ```ts
 * import { ArrayType, Column, String } from 'relata';
 *
 * const tags = Column(new ArrayType(String(20))); // string[]; same as ArrayOf(String(20))
 * ```
 */
export class ArrayType<T> extends SqlType<T[]> {
  readonly typeName = 'Array';
  constructor(
    /** The element type. */
    readonly item: SqlType<T>,
  ) {
    super();
    // A TypeDecorator carries its impl's typeName but not its values: not an item type.
    if (!(item instanceof SqlType) || !ARRAY_ITEM_TYPES.has(item.typeName) || 'impl' in item)
      throw new ArgumentError(
        `ArrayOf(${item instanceof SqlType ? item.typeName : describeValue(item)}): the item type must be one of ${[...ARRAY_ITEM_TYPES].join(', ')}`,
      );
  }
  override checkValue(value: unknown): string | null {
    if (!Array.isArray(value)) return `expected an array, got ${describeValue(value)}`;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return `[${i}] is a hole`;
      const v: unknown = value[i];
      if (v === null || v === undefined) return `[${i}] is ${describeValue(v)}; array elements may not be null`;
      const problem = this.item.checkValue(v);
      if (problem) return `[${i}]: ${problem}`;
    }
    return null;
  }
}

/**
 * A PostgreSQL array column of `item` values: `ArrayOf(String(20))` is `VARCHAR(20)[]`, typed `string[]`.
 *
 * @example
 * ```ts
 * import { ArrayOf, Column, Integer } from 'relata';
 *
 * const scores = Column(ArrayOf(Integer)); // number[]
 * ```
 */
export function ArrayOf<T>(item: SqlType<T>): ArrayType<T> {
  return new ArrayType<T>(item);
}

/**
 * The UUID column type (see {@link UuidType}).
 *
 * @example
 * ```ts
 * import { Column, Uuid, uuid4 } from 'relata';
 *
 * const id = Column(Uuid, { primaryKey: true, default: uuid4 });
 * ```
 */
export const Uuid = new UuidType();
/**
 * The bytes column type (see {@link LargeBinaryType}).
 *
 * @example
 * ```ts
 * import { Column, LargeBinary } from 'relata';
 *
 * const avatar = Column(LargeBinary); // Uint8Array
 * ```
 */
export const LargeBinary = new LargeBinaryType();

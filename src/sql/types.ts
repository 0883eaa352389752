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

/**
 * Column types. Each carries the TypeScript type of its values (`T`) so a model's
 * declaration is the only place a type is written.
 */
export abstract class SqlType<T> {
  /** Phantom: the TypeScript type of values of this SQL type. */
  declare readonly __value: T;
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

export const Integer = new IntegerType();
export const BigInteger = new BigIntegerType();
export const Float = new FloatType();
export const Text = new TextType();
export const Boolean = new BooleanType();
export const DateTime = new DateTimeType();
/** Exported publicly as `Date` (like SQLAlchemy's); named apart here so the global Date stays usable. */
export const DateOnly = new DateType();
/** Exported publicly as `JSON`; an untyped JSON column. Use `JSONOf<T>()` for a typed one. */
export const Json = new JSONType<unknown>();
/** `String(80)` → VARCHAR(80); `String()` → unbounded text. */
export function String(length?: number): StringType {
  return new StringType(length);
}
/** `Numeric(10, 2)`; values are decimal strings. */
export function Numeric(precision?: number, scale?: number): NumericType {
  return new NumericType(precision, scale);
}
/** `JSONOf<{ tags: string[] }>()`: a JSON column whose values have type T. */
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

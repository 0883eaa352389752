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

export class IntegerType extends SqlType<number> {
  readonly typeName = 'Integer';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'number' || typeof value === 'bigint') return null;
    return `expected a number, got ${describe(value)}`;
  }
}
export class BigIntegerType extends SqlType<bigint> {
  readonly typeName = 'BigInteger';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'number' || typeof value === 'bigint') return null;
    return `expected a bigint, got ${describe(value)}`;
  }
}
export class FloatType extends SqlType<number> {
  readonly typeName = 'Float';
  override checkValue(value: unknown): string | null {
    return typeof value === 'number' ? null : `expected a number, got ${describe(value)}`;
  }
}
/** Exact decimal; values are strings so no precision is lost in a JS float. */
export class NumericType extends SqlType<string> {
  readonly typeName = 'Numeric';
  constructor(
    readonly precision?: number,
    readonly scale?: number,
  ) {
    super();
  }
  override checkValue(value: unknown): string | null {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return null;
    return `expected a decimal string, got ${describe(value)}`;
  }
}
export class StringType extends SqlType<string> {
  readonly typeName: string = 'String';
  constructor(readonly length?: number) {
    super();
  }
  override checkValue(value: unknown): string | null {
    return typeof value === 'string' ? null : `expected a string, got ${describe(value)}`;
  }
}
export class TextType extends StringType {
  override readonly typeName = 'Text';
}
export class BooleanType extends SqlType<boolean> {
  readonly typeName = 'Boolean';
  override checkValue(value: unknown): string | null {
    return typeof value === 'boolean' ? null : `expected a boolean, got ${describe(value)}`;
  }
}
/** A point in time; always a JS Date, stored as UTC so it round-trips whatever the time zone. */
export class DateTimeType extends SqlType<Date> {
  readonly typeName = 'DateTime';
  override checkValue(value: unknown): string | null {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'got an invalid Date' : null;
    return `expected a Date, got ${describe(value)}`;
  }
}
/** A calendar date as 'YYYY-MM-DD': a date has no time zone, so it is not a JS Date. */
export class DateType extends SqlType<string> {
  readonly typeName = 'Date';
  override checkValue(value: unknown): string | null {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
    return `expected a 'YYYY-MM-DD' string, got ${describe(value)}`;
  }
}
export class JSONType<T = unknown> extends SqlType<T> {
  readonly typeName = 'JSON';
  override checkValue(value: unknown): string | null {
    if (value === undefined || typeof value === 'function') return `expected a JSON value, got ${describe(value)}`;
    return null;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${globalThis.String(value)}`;
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

/**
 * What a `text()` fragment may bind. Its parameters have no column type to check them, so the rule is
 * the set of values every driver binds as themselves on every dialect; anything else (a boxed number,
 * an object with `toString`, an array) would reach the database as whatever the driver makes of it.
 */
import { ArgumentError } from './errors.js';
import { INT64_MAX, INT64_MIN, instantProblem, textProblem } from './value-checks.js';

/**
 * Why `value` cannot be a `text()` parameter, or null when it can: null, a boolean, a finite number,
 * a bigint within 64 bits, a string a column could store (no NUL, no lone surrogate), a Date a column
 * could store (valid, years 0001–9999), a Buffer/Uint8Array: the same rules as typed columns.
 *
 * @example
 * textParameterProblem(new Number(1)) // 'a Number object; pass the primitive (Number(x))'
 */
export function textParameterProblem(value: unknown): string | null {
  switch (typeof value) {
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a finite number`;
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? null : `${value}n does not fit a 64-bit integer`;
    case 'string':
      return textProblem(value);
    case 'undefined':
      return 'undefined; pass null for NULL';
    case 'object':
      return objectProblem(value);
    default:
      return `a ${typeof value}, not a SQL value`;
  }
}

function objectProblem(value: object | null): string | null {
  if (value === null || ArrayBuffer.isView(value)) {
    return value === null || value instanceof Uint8Array ? null : `a ${value.constructor.name}; pass a Uint8Array`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : instantProblem(value);
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    const name = value.constructor.name;
    return `a ${name} object; pass the primitive (${name}(x))`;
  }
  if (Array.isArray(value)) return 'an array; one ? binds one value (for a list, use Column.in([...]))';
  return 'an object, not a SQL value (bind a string, number, boolean, bigint, Date, Uint8Array or null)';
}

/** Refuses the first parameter `text(sql, params)` cannot bind, naming its position. */
export function checkTextParameters(sql: string, params: readonly unknown[]): void {
  if (!Array.isArray(params)) {
    throw new ArgumentError(`text(${describe(sql)}, params): params must be an array, one value per ?`);
  }
  for (let i = 0; i < params.length; i++) {
    const problem = textParameterProblem(params[i]);
    if (problem) throw new ArgumentError(`text(${describe(sql)}): parameter ${i + 1} is ${problem}`);
  }
}

/** The fragment as messages quote it: short enough to read. */
export function describe(sql: string): string {
  return JSON.stringify(sql.length > 80 ? `${sql.slice(0, 77)}...` : sql);
}

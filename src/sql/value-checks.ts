/**
 * The checks behind each column type's `checkValue`: what every dialect can store and give back
 * unchanged. A value outside them is refused before any SQL runs (see docs/dialects.md, "What each
 * dialect refuses, and why"), so no database gets to round, truncate or reinterpret it.
 */
import { ArgumentError } from './errors.js';

/** Integer is a 32-bit INT on PostgreSQL and MariaDB; SQLite keeps to the same range so all three agree. */
export const INT32_MIN = -2147483648n;
export const INT32_MAX = 2147483647n;
export const INT64_MIN = -9223372036854775808n;
export const INT64_MAX = 9223372036854775807n;

/** Why an integral value is refused (not integral, not safe, out of [min, max]), or null. */
export function integerProblem(value: number | bigint, min: bigint, max: bigint): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${value} is not a finite number`;
    if (!Number.isInteger(value)) return `${value} is not a whole number`;
    // A number past 2^53 is already rounded: the integer it stands for is not known.
    if (!Number.isSafeInteger(value)) return `${value} is past Number.MAX_SAFE_INTEGER (pass a bigint)`;
  }
  // A number and a bigint compare exactly in JS: no conversion needed.
  if (value < min || value > max) return `${value} is outside the column's range ${min} to ${max}`;
  return null;
}

/** With the u flag a surrogate pair is one code point, so this matches only a lone surrogate. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a string cannot be stored unchanged on every dialect (NUL, a lone surrogate), or null. */
export function textProblem(value: string): string | null {
  // PostgreSQL refuses NUL in text; MariaDB and SQLite would keep it, so refuse it everywhere.
  if (value.includes('\u0000')) return 'a string containing NUL (U+0000) cannot be stored on PostgreSQL';
  // UTF-8 cannot encode a lone surrogate: it would come back as U+FFFD.
  if (LONE_SURROGATE.test(value)) return 'a string with a lone UTF-16 surrogate cannot be stored as UTF-8';
  return null;
}

/** Characters as PostgreSQL and MariaDB count them (code points, not UTF-16 units). */
export function characterCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why 'YYYY-MM-DD' text is not a calendar date in 0001-01-01 … 9999-12-31, or null. */
export function calendarDateProblem(value: string): string | null {
  const m = DATE_TEXT.exec(value);
  if (!m) return `expected a 'YYYY-MM-DD' string, got '${value}'`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return `'${value}': year 0000 is not a date any dialect stores (dates run 0001-01-01 to 9999-12-31)`;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `'${value}' is not a calendar date`;
  }
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** First and last instants stored on every dialect: SQLite's text and MariaDB's DATETIME stop at year 9999. */
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Why a Date cannot be stored (invalid, or outside years 0001–9999 UTC), or null. */
export function instantProblem(value: Date): string | null {
  const t = value.getTime();
  if (Number.isNaN(t)) return 'got an invalid Date';
  if (t < FIRST_INSTANT || t > LAST_INSTANT) {
    return `${value.toISOString()} is outside years 0001–9999 (UTC), which every dialect stores readably`;
  }
  return null;
}

/** A decimal as sign, significant digits and a power of ten: `-12.50` is { negative, digits: '125', exponent: -1 }. */
export interface DecimalParts {
  readonly negative: boolean;
  /** No leading or trailing zeros; '' for zero. */
  readonly digits: string;
  readonly exponent: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The parts of decimal text ('12.5', '-.5', '3e-323'), or null when it is not a finite decimal. */
export function parseDecimal(text: string): DecimalParts | null {
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const whole = m[2]!;
  const frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return null;
  let digits = (whole + frac).replace(/^0+/, '');
  let exponent = exp - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative: m[1] === '-', digits, exponent };
}

/** Digits before and after the point in plain notation (trailing fractional zeros dropped). */
export function decimalWidth(p: DecimalParts): { readonly whole: number; readonly fraction: number } {
  return { whole: Math.max(0, p.digits.length + p.exponent), fraction: Math.max(0, -p.exponent) };
}

/** Plain decimal text, no exponent: { digits: '3', exponent: -3 } → '0.003'. Call only on bounded widths. */
export function plainDecimal(p: DecimalParts): string {
  if (p.digits === '') return '0';
  const sign = p.negative ? '-' : '';
  if (p.exponent >= 0) return sign + p.digits + '0'.repeat(p.exponent);
  const point = p.digits.length + p.exponent;
  if (point > 0) return `${sign}${p.digits.slice(0, point)}.${p.digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${p.digits}`;
}

/** PostgreSQL NUMERIC's own limits, the widest any dialect stores: a value past them fits no dialect. */
export const DECIMAL_MAX_WHOLE_DIGITS = 131072;
export const DECIMAL_MAX_FRACTION_DIGITS = 16383;

/**
 * Why a decimal does not fit NUMERIC(precision, scale) without rounding, or null. Without a
 * precision only the widest limits apply; the dialects narrow them (MariaDB, SQLite) when binding.
 */
export function decimalProblem(text: string, precision?: number, scale?: number): string | null {
  const p = parseDecimal(text);
  if (!p) return `'${text}' is not a decimal number`;
  const { whole, fraction } = decimalWidth(p);
  if (precision === undefined) {
    if (whole > DECIMAL_MAX_WHOLE_DIGITS || fraction > DECIMAL_MAX_FRACTION_DIGITS)
      return `${text} has more digits than any dialect's NUMERIC holds`;
    return null;
  }
  const s = scale ?? 0;
  if (fraction > s) return `${text} has ${fraction} digits after the point; Numeric(${precision}, ${s}) would round it`;
  if (whole > precision - s)
    return `${text} has ${whole} digits before the point; Numeric(${precision}, ${s}) holds ${precision - s}`;
  return null;
}

/**
 * Why a value is not JSON that every dialect stores and gives back deep-equal, or null: only null,
 * booleans, finite numbers, strings (no NUL or lone surrogate), arrays without holes and plain
 * objects; no Date, Map, Set, bigint, undefined, class instance or cycle. `path` names the place.
 */
export function jsonProblem(value: unknown, path = '$', seen: object[] = []): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem && `${path}: ${problem}`;
  }
  if (typeof value !== 'object') return `${path} is ${describeValue(value)}, which JSON cannot hold`;
  if (seen.includes(value)) return `${path} refers back to itself (a cycle)`;
  if (Array.isArray(value)) return arrayProblem(value, path, [...seen, value]);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null)
    return `${path} is ${describeValue(value)}, not a plain object (it would not come back as the same value)`;
  return objectProblem(value as Record<string, unknown>, path, [...seen, value]);
}

function arrayProblem(value: readonly unknown[], path: string, seen: object[]): string | null {
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) return `${path}[${i}] is a hole, which JSON would turn into null`;
    const problem = jsonProblem(value[i], `${path}[${i}]`, seen);
    if (problem) return problem;
  }
  return null;
}

function objectProblem(value: Record<string, unknown>, path: string, seen: object[]): string | null {
  if (Object.getOwnPropertySymbols(value).length > 0) return `${path} has symbol keys, which JSON drops`;
  for (const key of Object.keys(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return `${path} key ${JSON.stringify(key)}: ${keyProblem}`;
    const problem = jsonProblem(value[key], `${path}.${key}`, seen);
    if (problem) return problem;
  }
  return null;
}

/** How messages name a value: 'a Date', 'a Map', 'bigint 5', 'undefined'. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return `${typeof value} ${String(value)}`;
}

/**
 * JSON text for a JSON column's value, checked again as it is bound: a value mutated in place after it
 * was assigned must still never be stored as a row that fails to load.
 */
export function jsonText(value: unknown): string {
  const problem = jsonProblem(value);
  if (problem) throw new ArgumentError(`a JSON value: ${problem}`);
  return JSON.stringify(value);
}

/** The parts of a Numeric value (decimal text, number or bigint); an ArgumentError if it is not a decimal. */
export function decimalParts(value: unknown): DecimalParts {
  const parts = parseDecimal(String(value));
  if (!parts) throw new ArgumentError(`'${String(value)}' is not a decimal number`);
  return parts;
}

/**
 * Option tables: every construct that takes an options object (Column, ForeignKey, relationship,
 * model) lists the options it implements with a check of each value, and the options users bring
 * from SQLAlchemy that it does not implement, with what to use instead. The table is typed against
 * the construct's option interface (`satisfies OptionTable<ColumnOptions>`), so `tsc` fails when an
 * option is added to one and not the other: the type and the run-time check cannot drift.
 */
import { RelataError } from './errors.js';

/** Checks one option's value: null when it fits, else what was expected (`"must be a boolean"`). */
export type OptionCheck = (value: unknown) => string | null;

export interface OptionTable<O> {
  /** Every option the construct implements, each with its value check. */
  readonly known: { readonly [K in keyof O]-?: OptionCheck };
  /** Options Relata does not implement, each with what to use instead. */
  readonly refused: Readonly<Record<string, string>>;
}

type ErrorClass = new (message: string) => RelataError;

/**
 * Throws `ErrorClass` naming `where` for the first option of `options` that is unknown, refused
 * or of the wrong type. An `undefined` value counts as absent, as it does for the option types.
 *
 * @example
 * checkOptions({ primary_key: true }, columnOptionTable, 'User.id', ArgumentError);
 * // ArgumentError: User.id: unknown option 'primary_key'; did you mean 'primaryKey'? …
 */
export function checkOptions<O>(options: object, table: OptionTable<O>, where: string, ErrorClass: ErrorClass): void {
  const known = table.known as Readonly<Record<string, OptionCheck>>;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const check = Object.prototype.hasOwnProperty.call(known, key) ? known[key] : undefined;
    if (check) {
      const problem = check(value);
      if (problem) throw new ErrorClass(`${where}: option ${key} ${problem}`);
      continue;
    }
    const instead = Object.prototype.hasOwnProperty.call(table.refused, key) ? table.refused[key] : undefined;
    if (instead) throw new ErrorClass(`${where}: option '${key}' is not supported by Relata: ${instead}`);
    const names = Object.keys(known);
    const near = nearest(key, names);
    throw new ErrorClass(
      `${where}: unknown option '${key}'${near ? `; did you mean '${near}'?` : ''} (options: ${names.join(', ')})`,
    );
  }
}

/** The known name closest to `name` (ignoring case and underscores), if it is close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const n = norm(name);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(n, norm(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(n.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// ---- value checks, combined into tables ----

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/** A check that passes when `test` holds; else "must be `expected`, got …". */
export function mustBe(expected: string, test: (value: unknown) => boolean): OptionCheck {
  return (value) => (test(value) ? null : `must be ${expected}, got ${describeValue(value)}`);
}

export const isBoolean = mustBe('true or false', (v) => typeof v === 'boolean');
export const isString = mustBe('a string', (v) => typeof v === 'string' && v !== '');
export const isFunction = mustBe('a function', (v) => typeof v === 'function');
/** A name or a list of names (`'userId'`, `['a', 'b']`). */
export const isNames = mustBe(
  'a name or a list of names',
  (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
);
export const anyValue: OptionCheck = () => null;

/** One of the listed strings. */
export function oneOf(values: readonly string[]): OptionCheck {
  return mustBe(`one of ${values.map((v) => `'${v}'`).join(', ')}`, (v) => values.includes(v as string));
}

/**
 * String concatenation as one node: `concat(User.firstName, ' ', User.lastName)`. SQLite and
 * PostgreSQL spell it `a || b`, MySQL `concat(a, b)` (its `||` is OR); each is NULL when a part is
 * NULL, so the three databases agree (PostgreSQL's `concat()` function would skip NULLs instead).
 */
import { ArgumentError } from './errors.js';
import { ColumnElement, bindValue } from './expressions.js';
import { Text, type SqlType } from './types.js';

/** What `concat()` takes: string expressions and string values (bound as parameters). */
export type ConcatPart = ColumnElement<string | null> | string;

/** `string | null` when a part may be NULL, else `string`. */
export type ConcatValue<P extends readonly ConcatPart[]> = null extends (
  P[number] extends infer E ? (E extends ColumnElement<infer V> ? V : string) : never
)
  ? string | null
  : string;

/** The concatenation node; a dialect compiles it (`||` or `concat()`). */
export class Concat<T = string> extends ColumnElement<T> {
  readonly kind = 'concat';
  constructor(readonly parts: readonly ColumnElement[]) {
    super();
  }
  override get sqlType(): SqlType<unknown> | null {
    return Text;
  }
  override describe(): string {
    return `concat(${this.parts.map((p) => p.describe()).join(', ')})`;
  }
}

/**
 * Concatenates strings in SQL (SQLAlchemy's `+` on strings, or `func.concat`): NULL when any part
 * is NULL, on every database.
 *
 * @example
 * ```ts
 * import { concat } from 'relata';
 *
 * const named = await User.query.filter(concat(User.username, '@', 'example.org').eq('alice@example.org')).all();
 * ```
 */
export function concat<const P extends readonly ConcatPart[]>(...parts: P): Concat<ConcatValue<P>> {
  if (parts.length < 2) throw new ArgumentError(`concat() needs at least two parts, got ${parts.length}`);
  return new Concat<ConcatValue<P>>(
    parts.map((p, i) => {
      if (p instanceof ColumnElement) return p;
      if (typeof p !== 'string')
        throw new ArgumentError(`concat(): part ${i + 1} must be a string or a string expression, got ${typeof p}`);
      return bindValue(p, Text, 'concat()');
    }),
  );
}

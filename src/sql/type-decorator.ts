/**
 * User types over a built-in one (SQLAlchemy's TypeDecorator): the column is created, bound and read
 * as `impl`, and `toDriver` / `fromDriver` convert between the model's value and impl's value.
 */
import { ArgumentError } from './errors.js';
import { SqlType } from './types.js';
import { describeValue } from './value-checks.js';

/**
 * The two conversions of a {@link TypeDecorator}, and optionally its own value check.
 *
 * @example
 * ```ts
 * import type { TypeDecoratorOptions } from 'relata';
 *
 * const options: TypeDecoratorOptions<URL, string> = { toDriver: (u) => u.href, fromDriver: (s) => new URL(s) };
 * ```
 */
export interface TypeDecoratorOptions<T, I> {
  /** The model's value → impl's value; runs for writes and for values bound in filters. May throw to refuse it. */
  readonly toDriver: (value: T) => I;
  /** Impl's value, as read back → the model's value. */
  readonly fromDriver: (value: I) => T;
  /**
   * Why a value is not one of T, or null. Without it, a value is checked by converting it with
   * `toDriver` and checking the result against impl (a thrown error is the refusal).
   */
  readonly checkValue?: (value: unknown) => string | null;
}

/**
 * A user type stored as `impl`. Its `typeName` is impl's, so every dialect creates, binds and reads
 * it as impl; the conversions run around that.
 *
 * @example
 * ```ts
 * import { Integer, TypeDecorator } from 'relata';
 *
 * const Cents = new TypeDecorator(Integer, {
 *   toDriver: (d: number) => Math.round(d * 100),
 *   fromDriver: (c: number) => c / 100,
 * });
 * ```
 */
export class TypeDecorator<T, I> extends SqlType<T> {
  readonly typeName: string;
  /** The user value to what `impl` stores (writes and filter values). */
  readonly toDriver: (value: T) => I;
  /** What `impl` read back to the user value. */
  readonly fromDriver: (value: I) => T;
  private readonly check: ((value: unknown) => string | null) | undefined;

  constructor(
    /** The built-in type it is stored as. */
    readonly impl: SqlType<I>,
    options: TypeDecoratorOptions<T, I>,
  ) {
    super();
    if (!(impl instanceof SqlType))
      throw new ArgumentError(`TypeDecorator: impl must be a column type, got ${describeValue(impl)}`);
    if (impl instanceof TypeDecorator) throw new ArgumentError('TypeDecorator: impl may not itself be a TypeDecorator');
    if (typeof options?.toDriver !== 'function' || typeof options.fromDriver !== 'function')
      throw new ArgumentError(`TypeDecorator(${impl.typeName}): toDriver and fromDriver must be functions`);
    const unknownKeys = Object.keys(options).filter((k) => !['toDriver', 'fromDriver', 'checkValue'].includes(k));
    if (unknownKeys.length)
      throw new ArgumentError(`TypeDecorator(${impl.typeName}): unsupported option(s) ${unknownKeys.join(', ')}`);
    this.typeName = impl.typeName;
    this.toDriver = options.toDriver;
    this.fromDriver = options.fromDriver;
    this.check = options.checkValue;
  }

  override checkValue(value: unknown): string | null {
    if (this.check) return this.check(value);
    let converted: I;
    try {
      converted = this.toDriver(value as T);
    } catch (err) {
      return `toDriver refused it: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (converted === null || converted === undefined) return null;
    return this.impl.checkValue(converted);
  }
}

/** The type a dialect stores: impl for a TypeDecorator, else the type itself. */
export function storedType(type: SqlType<unknown>): SqlType<unknown> {
  return type instanceof TypeDecorator ? (type.impl as SqlType<unknown>) : type;
}

/** `[value, type]` as the dialect binds them: a TypeDecorator's value converted by toDriver, its type impl. */
export function toStored(value: unknown, type: SqlType<unknown> | null): [unknown, SqlType<unknown> | null] {
  if (!(type instanceof TypeDecorator)) return [value, type];
  const d = type as TypeDecorator<unknown, unknown>;
  return [d.toDriver(value), d.impl];
}

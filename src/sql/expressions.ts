/**
 * Immutable expression nodes. Builders only build nodes; a dialect's compiler turns them into SQL.
 * Values are always bound parameters, never spliced into SQL text.
 */
import { ArgumentError, type ColumnAtFault } from './errors.js';
import { checkTextParameters } from './text-params.js';
import { StringType, Text, type SqlType } from './types.js';
import type { Column } from './schema.js';
import type { FromClause, Select } from './selectable.js';
import { toWindow, type Window, type WindowSpec } from './window.js';

/** Anything that can be compared to a column of value type T: a value or another expression. */
export type Operand<T> = T | ColumnElement<unknown>;

/**
 * Base of every SQL expression; comparison operators are methods (`User.username.eq('x')`). Values
 * compared are bound parameters, checked against the column's type first; `undefined`, or an object
 * where a value belongs, is refused with an ArgumentError naming the column.
 *
 * @example
 * ```ts
 * import { or_ } from 'relata';
 *
 * const recent = await Post.query
 *   .filter(Post.views.between(10, 100), or_(Post.title.like('%ORM%'), Post.content.isNull()))
 *   .orderBy(Post.views.desc())
 *   .all();
 * ```
 */
export abstract class ColumnElement<T = unknown> {
  /** Type-only: the TypeScript type of the expression's values. */
  declare readonly __value: T;
  /** @internal Tells the node types apart. */
  abstract readonly kind: string;
  /** The SQL type, used to check and convert bound values; null when unknown. */
  get sqlType(): SqlType<unknown> | null {
    return null;
  }
  /** How errors name this expression, e.g. `User.username`. */
  describe(): string {
    return this.kind;
  }

  /** The column a value compared with this expression is meant for, when it is one column. */
  columnAtFault(): ColumnAtFault | undefined {
    return undefined;
  }

  /** `= other`; `eq(null)` is `IS NULL`. */
  eq(other: Operand<NonNullable<T>> | null): ColumnElement<boolean> {
    if (other === null) return new UnaryExpression('IS NULL', this, 'postfix');
    return this.compare('=', other, 'eq');
  }
  /** `<> other`; `ne(null)` is `IS NOT NULL`. */
  ne(other: Operand<NonNullable<T>> | null): ColumnElement<boolean> {
    if (other === null) return new UnaryExpression('IS NOT NULL', this, 'postfix');
    return this.compare('<>', other, 'ne');
  }
  /** `< other`. */
  lt(other: Operand<NonNullable<T>>): ColumnElement<boolean> {
    return this.compare('<', other, 'lt');
  }
  /** `<= other`. */
  le(other: Operand<NonNullable<T>>): ColumnElement<boolean> {
    return this.compare('<=', other, 'le');
  }
  /** `> other`. */
  gt(other: Operand<NonNullable<T>>): ColumnElement<boolean> {
    return this.compare('>', other, 'gt');
  }
  /** `>= other`. */
  ge(other: Operand<NonNullable<T>>): ColumnElement<boolean> {
    return this.compare('>=', other, 'ge');
  }
  /** `LIKE pattern` (`%` any characters, `_` one). */
  like(pattern: Operand<string>): ColumnElement<boolean> {
    return this.matchPattern('LIKE', pattern, 'like');
  }
  /** `NOT LIKE pattern`. */
  notLike(pattern: Operand<string>): ColumnElement<boolean> {
    return this.matchPattern('NOT LIKE', pattern, 'notLike');
  }
  /** Case-insensitive LIKE (ILIKE on PostgreSQL, lower() LIKE lower() elsewhere). */
  ilike(pattern: Operand<string>): ColumnElement<boolean> {
    return this.matchPattern('ILIKE', pattern, 'ilike');
  }
  /** `IN (values…)` or `IN (SELECT …)`; an empty list matches nothing. */
  in(values: readonly NonNullable<T>[] | Select): ColumnElement<boolean> {
    return new InExpression(this, this.inValues(values, 'in'), false);
  }
  /** `NOT IN (values…)` or `NOT IN (SELECT …)`. */
  notIn(values: readonly NonNullable<T>[] | Select): ColumnElement<boolean> {
    return new InExpression(this, this.inValues(values, 'notIn'), true);
  }
  /** `IS NULL`. */
  isNull(): ColumnElement<boolean> {
    return new UnaryExpression('IS NULL', this, 'postfix');
  }
  /** `IS NOT NULL`. */
  isNotNull(): ColumnElement<boolean> {
    return new UnaryExpression('IS NOT NULL', this, 'postfix');
  }
  /** `BETWEEN low AND high` (both included). */
  between(low: Operand<NonNullable<T>>, high: Operand<NonNullable<T>>): ColumnElement<boolean> {
    return new BetweenExpression(this, this.bindOperand(low, 'between'), this.bindOperand(high, 'between'));
  }
  /** Ascending, for orderBy(). */
  asc(): OrderByElement {
    return new OrderByElement(this, 'ASC');
  }
  /** Descending, for orderBy(). */
  desc(): OrderByElement {
    return new OrderByElement(this, 'DESC');
  }
  /** `expr AS name`: the key of this value in Core result rows (typed: `row.name`). */
  label<const N extends string>(name: N): Label<T, N> {
    if (typeof name !== 'string' || name === '')
      throw new ArgumentError(`${this.describe()}.label() needs a non-empty name, got ${String(name)}`);
    return new Label<T, N>(this, name);
  }

  protected compare(op: string, other: unknown, method: string): ColumnElement<boolean> {
    return new BinaryExpression(this, op, this.bindOperand(other, method));
  }

  /** A LIKE pattern may be longer than String(n) holds ('%abc%' on String(3)): bind it as Text. */
  private matchPattern(op: string, pattern: unknown, method: string): ColumnElement<boolean> {
    if (pattern instanceof ColumnElement || !(this.sqlType instanceof StringType))
      return this.compare(op, pattern, method);
    return new BinaryExpression(
      this,
      op,
      bindValue(pattern, Text, `${this.describe()}.${method}()`, this.columnAtFault()),
    );
  }

  /** Turns a JS value into a bound parameter of this expression's type, refusing what is not a value. */
  protected bindOperand(value: unknown, method: string): ColumnElement {
    if (value instanceof ColumnElement) return value;
    return bindValue(value, this.sqlType, `${this.describe()}.${method}()`, this.columnAtFault());
  }

  private inValues(values: unknown, method: string): readonly ColumnElement[] | Select {
    if (values === undefined || values === null) {
      throw new ArgumentError(
        `${this.describe()}.${method}() needs an array of values or a select, got ${String(values)}`,
      );
    }
    if (!Array.isArray(values)) {
      if (isSelect(values)) return values;
      throw new ArgumentError(`${this.describe()}.${method}() needs an array of values or a select`);
    }
    return values.map((v) => this.bindOperand(v, method));
  }
}

function isSelect(v: unknown): v is Select {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'select';
}

/** Checks and binds one value; `where` names the call for the error message, `target` its column. */
export function bindValue(
  value: unknown,
  type: SqlType<unknown> | null,
  where: string,
  target?: ColumnAtFault,
): BindParameter {
  if (value === undefined) {
    throw new ArgumentError(`${where} got undefined; pass a value, or null / isNull() to match NULL`, target);
  }
  if (value !== null && type) {
    const problem = type.checkValue(value);
    if (problem) throw new ArgumentError(`${where}: ${problem}`, target);
  } else if (value instanceof Date) {
    // No column type to check it (a function argument): an invalid Date would fail later as a bare RangeError.
    if (Number.isNaN(value.getTime())) throw new ArgumentError(`${where}: got an invalid Date`);
  } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    throw new ArgumentError(`${where}: an object or array is not a SQL value`);
  }
  return new BindParameter(value, type, where);
}

/** A column of a table or alias in a FROM clause. */
export class ColumnRef<T = unknown> extends ColumnElement<T> {
  /** @internal Tells the node types apart. */
  readonly kind = 'column';
  constructor(
    /** @internal The table's column. */
    readonly column: Column,
    /** @internal The table or alias it is read from. */
    readonly from: FromClause,
    /** How errors name it, e.g. `User.username` for a mapped attribute. */
    readonly displayName?: string,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> {
    return this.column.type;
  }
  override describe(): string {
    return this.displayName ?? `${this.column.table.name}.${this.column.name}`;
  }
  override columnAtFault(): ColumnAtFault {
    // A mapped attribute's display name is `Model.key`; a Core column is named by its table.
    const dot = this.displayName?.indexOf('.') ?? -1;
    if (this.displayName && dot > 0)
      return { model: this.displayName.slice(0, dot), column: this.displayName.slice(dot + 1) };
    return { model: this.column.table.name, column: this.column.name };
  }
}

export class BindParameter extends ColumnElement {
  readonly kind = 'bind';
  constructor(
    readonly value: unknown,
    readonly type: SqlType<unknown> | null,
    /** The call that bound it (`User.name.eq()`), so a dialect's refusal of the value can name it. */
    readonly where?: string,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> | null {
    return this.type;
  }
}

export class BinaryExpression extends ColumnElement<boolean> {
  readonly kind = 'binary';
  constructor(
    readonly left: ColumnElement,
    readonly operator: string,
    readonly right: ColumnElement,
  ) {
    super();
  }
}

export class UnaryExpression extends ColumnElement<boolean> {
  readonly kind = 'unary';
  constructor(
    readonly operator: string,
    readonly operand: ColumnElement,
    readonly position: 'prefix' | 'postfix',
  ) {
    super();
  }
}

export class BooleanClauseList extends ColumnElement<boolean> {
  readonly kind = 'boolean-list';
  constructor(
    readonly operator: 'AND' | 'OR',
    readonly clauses: readonly ColumnElement[],
  ) {
    super();
  }
}

export class InExpression extends ColumnElement<boolean> {
  readonly kind = 'in';
  constructor(
    readonly element: ColumnElement,
    readonly values: readonly ColumnElement[] | Select,
    readonly negated: boolean,
  ) {
    super();
  }
}

/** Row-value IN for composite keys: `(a, b) IN ((?, ?), (?, ?))`. */
export class TupleInExpression extends ColumnElement<boolean> {
  readonly kind = 'tuple-in';
  constructor(
    readonly elements: readonly ColumnElement[],
    readonly rows: readonly (readonly ColumnElement[])[],
  ) {
    super();
  }
}

export class BetweenExpression extends ColumnElement<boolean> {
  readonly kind = 'between';
  constructor(
    readonly element: ColumnElement,
    readonly low: ColumnElement,
    readonly high: ColumnElement,
  ) {
    super();
  }
}

export class FunctionCall<T = unknown> extends ColumnElement<T> {
  readonly kind = 'function';
  constructor(
    readonly name: string,
    readonly args: readonly ColumnElement[],
    readonly distinct = false,
    /** The result's SQL type when known (sum/min/max: their argument's), so results convert like the column's. */
    readonly type: SqlType<unknown> | null = null,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> | null {
    return this.type;
  }
  /**
   * As a window function: `func.rank().over({ partitionBy: Track.GenreId, orderBy: Track.Milliseconds.desc() })`,
   * or a running aggregate, `func.sum(Invoice.Total).over({ orderBy: Invoice.InvoiceDate, rows: [null, 0] })`.
   */
  over(spec: WindowSpec = {}): Over<T> {
    return new Over<T>(this, toWindow(spec, `${this.name}()`));
  }
}

/** `fn(...) OVER (PARTITION BY … ORDER BY … frame)`, from `FunctionCall.over()` (see window.ts). */
export class Over<T = unknown> extends ColumnElement<T> {
  readonly kind = 'over';
  constructor(
    readonly fn: FunctionCall<T>,
    readonly window: Window,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> | null {
    return this.fn.sqlType;
  }
  override describe(): string {
    return `${this.fn.name}() OVER (...)`;
  }
}

/** Functions whose result has their argument's type: sum(Numeric) is an exact decimal, max(DateTime) a Date. */
const TYPE_FROM_ARGUMENT = new Set(['sum', 'min', 'max', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);

/** Window functions spelled in camelCase on `func`, by their SQL names. */
const WINDOW_NAMES: Record<string, string> = {
  rowNumber: 'row_number',
  denseRank: 'dense_rank',
  percentRank: 'percent_rank',
  cumeDist: 'cume_dist',
  firstValue: 'first_value',
  lastValue: 'last_value',
  nthValue: 'nth_value',
};

/** `*`, as in count(*). */
export class Star extends ColumnElement<never> {
  readonly kind = 'star';
}

export class Label<T = unknown, N extends string = string> extends ColumnElement<T> {
  readonly kind = 'label';
  constructor(
    readonly element: ColumnElement<T>,
    readonly name: N,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> | null {
    return this.element.sqlType;
  }
}

/**
 * An ORDER BY term: an expression and a direction, from `.asc()` / `.desc()`.
 *
 * @example
 * ```ts
 * import type { OrderByElement } from 'relata';
 *
 * const newestFirst: OrderByElement = Post.id.desc();
 * const posts = await Post.query.orderBy(newestFirst, Post.title.asc()).all();
 * ```
 */
export class OrderByElement {
  /** @internal Tells the node types apart. */
  readonly kind = 'order-by';
  constructor(
    /** The expression sorted by. */
    readonly element: ColumnElement,
    /** The direction. */
    readonly direction: 'ASC' | 'DESC',
  ) {}
}

export class ExistsExpression extends ColumnElement<boolean> {
  readonly kind = 'exists';
  constructor(readonly select: Select) {
    super();
  }
}

export class ScalarSubquery<T = unknown> extends ColumnElement<T> {
  readonly kind = 'scalar-subquery';
  constructor(readonly select: Select) {
    super();
  }
}

/** A literal SQL fragment written by the user with `text()`. Parameters go in `params`, never in the text. */
export class TextClause extends ColumnElement<boolean> {
  readonly kind = 'text';
  constructor(
    readonly text: string,
    readonly params: readonly unknown[] = [],
  ) {
    super();
  }
}

/**
 * `and_(a, b, …)`: all conditions hold. (filter() with several conditions AND-s them already.)
 *
 * @example
 * ```ts
 * import { and_, or_ } from 'relata';
 *
 * const posts = await Post.query.filter(or_(and_(Post.views.gt(100), Post.userId.eq(1)), Post.title.like('Hello%'))).all();
 * ```
 */
export function and_(...clauses: ColumnElement<boolean>[]): ColumnElement<boolean> {
  return combine('AND', clauses);
}
/**
 * `or_(a, b, …)`: any condition holds.
 *
 * @example
 * ```ts
 * import { or_ } from 'relata';
 *
 * const staff = await User.query.filter(or_(User.username.eq('alice'), User.email.like('%@example.com'))).all();
 * ```
 */
export function or_(...clauses: ColumnElement<boolean>[]): ColumnElement<boolean> {
  return combine('OR', clauses);
}
/**
 * `not_(a)`: the condition does not hold.
 *
 * @example
 * ```ts
 * import { not_ } from 'relata';
 *
 * const silent = await User.query.filter(not_(User.posts.any())).all(); // users without posts
 * ```
 */
export function not_(clause: ColumnElement<boolean>): ColumnElement<boolean> {
  return new UnaryExpression('NOT', requireElement(clause, 'not_()'), 'prefix');
}

function combine(op: 'AND' | 'OR', clauses: ColumnElement<boolean>[]): ColumnElement<boolean> {
  const name = op === 'AND' ? 'and_()' : 'or_()';
  clauses.forEach((c) => requireElement(c, name));
  if (clauses.length === 1) return clauses[0]!;
  return new BooleanClauseList(op, clauses);
}

export function requireElement<E>(value: E, where: string): E {
  if (!(value instanceof ColumnElement)) {
    throw new ArgumentError(
      `${where} needs SQL expressions such as User.name.eq('x'), got ${value === undefined ? 'undefined' : typeof value}`,
    );
  }
  return value;
}

/**
 * A raw SQL fragment: `text('price > ?', [10])`. Values go in `params`, never in the string: one per
 * `?` outside quotes and comments, each null, a boolean, a finite number, a 64-bit bigint, a string,
 * a valid Date or a Uint8Array (anything else is refused here, see text-params.ts).
 *
 * @example
 * ```ts
 * import { text } from 'relata';
 *
 * const popular = await Post.query.filter(text('views > ? AND title <> ?', [100, 'draft'])).all();
 * ```
 */
export function text(sql: string, params: readonly unknown[] = []): TextClause {
  if (typeof sql !== 'string') throw new ArgumentError(`text() needs the SQL as a string, got ${typeof sql}`);
  checkTextParameters(sql, params);
  return new TextClause(sql, params);
}

type FuncBuilder = (...args: (ColumnElement | number | string | boolean)[]) => FunctionCall<unknown>;

/**
 * SQL functions: `func.count()`, `func.count(Post.id)`, `func.max(Track.Milliseconds)`, `func.lower(User.name)`.
 * Any name works; arguments that are not expressions become bound parameters.
 *
 * @example
 * ```ts
 * import { func, selectColumns } from 'relata';
 *
 * const [stats] = await session.execute(
 *   selectColumns(func.count(Post.id).label('posts'), func.max(Post.views).label('most'), func.call<number>('abs', -1).label('one')),
 * );
 * const named = await User.query.filter(func.lower(User.username).eq('alice')).all();
 * ```
 */
export const func: {
  /** `count(*)`, or `count(arg)`: non-null values. */
  count(arg?: ColumnElement): FunctionCall<number>;
  /** `count(DISTINCT arg)`. */
  countDistinct(arg: ColumnElement): FunctionCall<number>;
  /** `max(arg)`; null over no rows. */
  max<T>(arg: ColumnElement<T>): FunctionCall<T | null>;
  /** `min(arg)`; null over no rows. */
  min<T>(arg: ColumnElement<T>): FunctionCall<T | null>;
  /** `sum(arg)`; null over no rows. */
  sum<T>(arg: ColumnElement<T>): FunctionCall<T | null>;
  /** `avg(arg)`; null over no rows. */
  avg(arg: ColumnElement): FunctionCall<number | null>;
  /** `lower(arg)`. */
  lower(arg: ColumnElement<string | null>): FunctionCall<string>;
  /** `upper(arg)`. */
  upper(arg: ColumnElement<string | null>): FunctionCall<string>;
  /** `coalesce(a, b, …)`: the first non-null argument. */
  coalesce(...args: (ColumnElement | number | string | boolean)[]): FunctionCall<unknown>;
  /** `row_number()`: 1, 2, 3… within the window; call `.over({...})` on it. */
  rowNumber(): FunctionCall<number>;
  /** `rank()`: ties share a rank and leave gaps (1, 1, 3); call `.over({...})` on it. */
  rank(): FunctionCall<number>;
  /** `dense_rank()`: ties share a rank, no gaps (1, 1, 2); call `.over({...})` on it. */
  denseRank(): FunctionCall<number>;
  /** `percent_rank()`: (rank - 1) / (rows - 1), from 0 to 1. */
  percentRank(): FunctionCall<number>;
  /** `cume_dist()`: the fraction of rows up to this one's peers, from 0 to 1. */
  cumeDist(): FunctionCall<number>;
  /** `ntile(n)`: which of n near-equal buckets the row falls in (1…n). */
  ntile(buckets: number): FunctionCall<number>;
  /** `lag(arg, offset = 1)`: the value `offset` rows before; null before the first. */
  lag<T>(arg: ColumnElement<T>, offset?: number): FunctionCall<T | null>;
  /** `lead(arg, offset = 1)`: the value `offset` rows after; null past the last. */
  lead<T>(arg: ColumnElement<T>, offset?: number): FunctionCall<T | null>;
  /** `first_value(arg)` in the window frame. */
  firstValue<T>(arg: ColumnElement<T>): FunctionCall<T>;
  /** `last_value(arg)` in the window frame (mind the default frame ends at the current row). */
  lastValue<T>(arg: ColumnElement<T>): FunctionCall<T>;
  /** Any other SQL function, typed without `!`: `func.call('pg_backend_pid')`, `func.call<string>('upper', User.name)`. */
  call<T = unknown>(name: string, ...args: (ColumnElement | number | string | boolean)[]): FunctionCall<T>;
} & Record<string, FuncBuilder> = new Proxy({} as never, {
  get(_target, name) {
    if (typeof name !== 'string') return undefined;
    if (name === 'count') return (arg?: ColumnElement) => new FunctionCall<number>('count', [arg ?? new Star()]);
    if (name === 'countDistinct') return (arg: ColumnElement) => new FunctionCall<number>('count', [arg], true);
    if (name === 'call') {
      return (fn: unknown, ...args: unknown[]) => {
        if (typeof fn !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(fn)) {
          throw new ArgumentError(`func.call() needs a function name made of letters, digits and _, got ${String(fn)}`);
        }
        return new FunctionCall(
          fn,
          args.map((a) => (a instanceof ColumnElement ? a : bindValue(a, null, `func.${fn}()`))),
        );
      };
    }
    // The name goes into SQL unquoted: only a plain identifier may (func['x(); drop …'] must not).
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name))
      throw new ArgumentError(`func.${name}: not a function name (letters, digits and _ only)`);
    const sqlName = WINDOW_NAMES[name] ?? name;
    return (...args: unknown[]) => {
      const elements = args.map((a) => (a instanceof ColumnElement ? a : bindValue(a, null, `func.${name}()`)));
      const type = TYPE_FROM_ARGUMENT.has(sqlName.toLowerCase()) ? (elements[0]?.sqlType ?? null) : null;
      return new FunctionCall(sqlName, elements, false, type);
    };
  },
});

/**
 * The key of a selected element in an object row: its label, its column's key (a model attribute's
 * name, which may differ from the column's SQL name), or `col_<n>`.
 */
export function resultKey(el: ColumnElement, index: number): string {
  if (el instanceof Label) return el.name;
  if (el instanceof ColumnRef) return el.column.key;
  return `col_${index + 1}`;
}

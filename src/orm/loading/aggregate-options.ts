/**
 * Relationship aggregates as loader options: `withCount(User.posts)`, `withSum(User.posts, Post.views)`,
 * min/max/avg/exists, each loaded after the rows by one `GROUP BY` statement over the parents' keys
 * (batched like selectin), its value set on each parent under a name the result type knows
 * (`user.postsCount: number`). SQLAlchemy writes these as a `column_property(select(func.count())…)`
 * or a query with `group_by`; here they are options of the query that loads the parents.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { ColumnElement } from '../../sql/expressions.js';
import { ColumnAttribute, RelationshipAttribute } from '../mapping/attributes.js';
import type { Mapper } from '../mapping/mapper.js';
import { LoaderOption, type LoadStep } from './options.js';

/** What an aggregate computes over a parent's related rows. */
export type AggregateFunction = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'exists';

/** One aggregate of a loader option: over which relationship, of which column, filtered how, set under which name. */
export interface AggregateSpec {
  readonly fn: AggregateFunction;
  readonly relationship: RelationshipAttribute;
  readonly column: ColumnAttribute | null;
  readonly where: ColumnElement<boolean> | null;
  readonly as: string;
}

/**
 * Options of the aggregate loader options: `as` names the attribute the value is set on (default
 * `postsCount`, `postsSum`, …: the relationship's name and the function's), `where` keeps only the
 * related rows it matches (`withCount(User.posts, { where: Post.views.gt(100) })`).
 *
 * @example
 * ```ts
 * import { withCount, type AggregateOptions } from 'relata';
 *
 * const popular: AggregateOptions<'popularCount'> = { as: 'popularCount', where: Post.views.gt(100) };
 * const users = await User.query.options(withCount(User.posts, popular)).all();
 * console.log(users[0]?.popularCount); // number
 * ```
 */
export interface AggregateOptions<As extends string = string> {
  /** The attribute the value is set on. */
  as?: As;
  /** Only related rows matching this count (or are summed, …). */
  where?: ColumnElement<boolean>;
}

/** A column whose values can be summed: integers, big integers, floats and exact decimals. */
const SUMMABLE = new Set(['Integer', 'BigInteger', 'Float', 'Numeric']);

const SUFFIX: Record<AggregateFunction, string> = {
  count: 'Count',
  sum: 'Sum',
  min: 'Min',
  max: 'Max',
  avg: 'Avg',
  exists: 'Exists',
};

/** @internal An aggregate spec from an option's arguments, every argument checked. */
export function aggregateSpec(
  fn: AggregateFunction,
  relationship: unknown,
  column: unknown,
  options: AggregateOptions | undefined,
): AggregateSpec {
  const optionName = `with${SUFFIX[fn]}`;
  if (!(relationship instanceof RelationshipAttribute)) {
    throw new ArgumentError(
      `${optionName}() takes a relationship such as User.posts first, got ${typeof relationship}`,
    );
  }
  const prop = relationship.property;
  prop.parent.registry.configure();
  if (!prop.uselist) {
    throw new ArgumentError(
      `${optionName}(${prop.name}): ${prop.name} is not a collection (uselist: false); aggregates count, sum, … a collection's rows`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new ArgumentError(`${optionName}(${prop.name}, …): options must be an object ({ as, where })`);
  for (const k of Object.keys(options ?? {})) {
    if (k !== 'as' && k !== 'where')
      throw new ArgumentError(`${optionName}(${prop.name}): unknown option '${k}' (it takes as, where)`);
  }
  const col = fn === 'count' || fn === 'exists' ? null : checkedColumn(optionName, prop.target, prop.name, column);
  if (fn === 'sum' && col && !SUMMABLE.has(col.column.type.typeName)) {
    throw new ArgumentError(
      `withSum(${prop.name}, ${col.key}): ${prop.target.name}.${col.key} is ${col.column.type.typeName}; only Integer, BigInteger, Float and Numeric columns can be summed`,
    );
  }
  const as = options?.as ?? `${relationship.key}${SUFFIX[fn]}`;
  if (typeof as !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(as))
    throw new ArgumentError(`${optionName}(${prop.name}): 'as' must be an attribute name, got ${String(as)}`);
  const parent = prop.parent;
  if (parent.attributes.has(as) || as in (parent.cls as { prototype: object }).prototype) {
    throw new ArgumentError(
      `${optionName}(${prop.name}) would set ${parent.name}.${as}, which ${parent.name} already has; name the value with { as: '…' }`,
    );
  }
  const where = options?.where ?? null;
  if (where !== null && (typeof where !== 'object' || !('kind' in where)))
    throw new ArgumentError(`${optionName}(${prop.name}): 'where' must be a SQL condition such as Post.views.gt(100)`);
  return { fn, relationship, column: col, where, as };
}

function checkedColumn(optionName: string, target: Mapper, relName: string, column: unknown): ColumnAttribute {
  if (!(column instanceof ColumnAttribute) || column.mapper !== target) {
    throw new ArgumentError(
      `${optionName}(${relName}, column): the column must be one of ${target.name}'s, the relationship's target (such as ${target.name}.${target.columns[0]?.key ?? 'id'})`,
    );
  }
  return column;
}

/**
 * @internal Refuses an aggregate that does not start where the option's path ends (`from`), or that
 * follows a step that does not load (lazyload, raiseload): no parent would ever get its value.
 */
export function checkAggregatePath(option: LoaderOption, from: Mapper, describe: () => string): void {
  const spec = option.aggregate;
  if (!spec) return;
  const prop = spec.relationship.property;
  if (prop.parent !== from) {
    throw new ArgumentError(
      `loader option ${describe()} does not fit: ${prop.name} is not a relationship of ${from.name}, where the path before it ends`,
    );
  }
  const idle = option.steps.find((s: LoadStep) => s.strategy === 'select' || s.strategy === 'raise');
  if (idle) {
    throw new ArgumentError(
      `loader option ${describe()}: the aggregate follows ${idle.attribute.property.name}, which the option does not load; use selectinload(${idle.attribute.property.name}) before it`,
    );
  }
}

/** @internal `withCount(User.posts)` as messages spell it. */
export function describeAggregate(spec: AggregateSpec): string {
  const col = spec.column ? `, ${spec.column.mapper.name}.${spec.column.key}` : '';
  return `with${SUFFIX[spec.fn]}(${spec.relationship.property.name}${col})`;
}

/**
 * Loads how many related rows each parent has, as `parent.<relationship>Count` (or `as`): one
 * `SELECT key, count(*) … WHERE key IN (…) GROUP BY key` after the parents, never one per parent.
 * A parent without related rows gets 0.
 *
 * @example
 * ```ts
 * import { withCount } from 'relata';
 *
 * const users = await User.query.options(withCount(User.posts)).all(); // two statements
 * for (const u of users) console.log(u.username, u.postsCount); // number
 * ```
 */
export function withCount<K extends string, S, const As extends string = `${K}Count`>(
  relationship: RelationshipAttribute<K, S>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, number]]> {
  return new LoaderOption([], null, aggregateSpec('count', relationship, null, options));
}

/**
 * Loads whether each parent has a related row (matching `where`), as `parent.<relationship>Exists`.
 *
 * @example
 * ```ts
 * import { withExists } from 'relata';
 *
 * const users = await User.query.options(withExists(User.posts, { as: 'hasPopular', where: Post.views.gt(100) })).all();
 * console.log(users[0]?.hasPopular); // boolean
 * ```
 */
export function withExists<K extends string, S, const As extends string = `${K}Exists`>(
  relationship: RelationshipAttribute<K, S>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, boolean]]> {
  return new LoaderOption([], null, aggregateSpec('exists', relationship, null, options));
}

/**
 * Loads the sum of `column` over each parent's related rows, as `parent.<relationship>Sum`: typed as the
 * column (a Numeric sum is an exact decimal string, a BigInteger sum a bigint), null when there are none
 * (SQL's SUM over no rows, as in SQLAlchemy).
 *
 * @example
 * ```ts
 * import { withSum } from 'relata';
 *
 * const users = await User.query.options(withSum(User.posts, Post.views, { as: 'totalViews' })).all();
 * console.log(users[0]?.totalViews); // number | null
 * ```
 */
export function withSum<K extends string, S, V, const As extends string = `${K}Sum`>(
  relationship: RelationshipAttribute<K, S>,
  column: ColumnAttribute<V>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, NonNullable<V> | null]]> {
  return new LoaderOption([], null, aggregateSpec('sum', relationship, column, options));
}

/**
 * Loads the smallest value of `column` among each parent's related rows, as `parent.<relationship>Min`; null when there are none.
 *
 * @example
 * ```ts
 * import { withMin } from 'relata';
 *
 * const users = await User.query.options(withMin(User.posts, Post.views)).all();
 * console.log(users[0]?.postsMin); // number | null
 * ```
 */
export function withMin<K extends string, S, V, const As extends string = `${K}Min`>(
  relationship: RelationshipAttribute<K, S>,
  column: ColumnAttribute<V>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, NonNullable<V> | null]]> {
  return new LoaderOption([], null, aggregateSpec('min', relationship, column, options));
}

/**
 * Loads the largest value of `column` among each parent's related rows, as `parent.<relationship>Max`; null when there are none.
 *
 * @example
 * ```ts
 * import { withMax } from 'relata';
 *
 * const users = await User.query.options(withMax(User.posts, Post.views, { as: 'topViews' })).all();
 * console.log(users[0]?.topViews); // number | null
 * ```
 */
export function withMax<K extends string, S, V, const As extends string = `${K}Max`>(
  relationship: RelationshipAttribute<K, S>,
  column: ColumnAttribute<V>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, NonNullable<V> | null]]> {
  return new LoaderOption([], null, aggregateSpec('max', relationship, column, options));
}

/**
 * Loads the average of `column` over each parent's related rows, as `parent.<relationship>Avg`: a
 * number (an average is not exact whatever the column), null when there are none.
 *
 * @example
 * ```ts
 * import { withAvg } from 'relata';
 *
 * const users = await User.query.options(withAvg(User.posts, Post.views)).all();
 * console.log(users[0]?.postsAvg); // number | null
 * ```
 */
export function withAvg<K extends string, S, V, const As extends string = `${K}Avg`>(
  relationship: RelationshipAttribute<K, S>,
  column: ColumnAttribute<V>,
  options?: AggregateOptions<As>,
): LoaderOption<[[As, number | null]]> {
  return new LoaderOption([], null, aggregateSpec('avg', relationship, column, options));
}

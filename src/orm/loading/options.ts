/**
 * Loader options: `joinedload(User.posts)`, `selectinload(...)`, chained
 * `joinedload(Post.author).selectinload(User.profile)`. Their types record what gets loaded, so
 * the query's result type lets you use those relationships without `await`.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { TableAlias } from '../../sql/selectable.js';
import { PolymorphicAttribute, RelationshipAttribute, type ColumnAttribute } from '../mapping/attributes.js';
import { AssociationProxyAttribute } from '../mapping/association-proxy.js';
import {
  aggregateSpec,
  checkAggregatePath,
  describeAggregate,
  type AggregateFunction,
  type AggregateOptions,
  type AggregateSpec,
} from './aggregate-options.js';
import type { Mapper } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { strategyFor } from './strategies/index.js';
import {
  checkColumnStep,
  columnStep,
  describeColumnStep,
  groupStep,
  type ColumnStep,
  type ColumnsEntry,
  type DeferShape,
  type KeysOf,
  type LoadedOnly,
  type OnlyColumns,
  type UndeferShape,
} from './column-options.js';
import { InvalidRequestError } from '../errors.js';
import { lowerFirst } from '../mapping/unloaded-value.js';
import type { WriteOnlyCollection } from '../session/write-only.js';

export type LoadStrategy = 'joined' | 'selectin' | 'select' | 'raise' | 'noload' | 'contains' | 'writeOnly';

/** One step of a loader path: which relationship, how to load it, and (containsEager) from which alias. */
export interface LoadStep {
  readonly attribute: RelationshipAttribute;
  readonly strategy: LoadStrategy;
  readonly alias?: TableAlias;
}

/**
 * A relationship attribute a loader option accepts: any but a write-only collection's, which
 * never loads (the type names why; at run time checkOptionPath refuses it too).
 */
type LoadableAttribute<K extends string, S> = RelationshipAttribute<K, S> &
  ([S] extends [WriteOnlyCollection<unknown>]
    ? { readonly 'a writeOnly collection never loads: query it with select()': never }
    : unknown);

/** A path of [key, shape] pairs: what the option makes loaded, for the result type. */
export type LoadedPath = readonly (readonly [string, unknown])[];

/**
 * `T` with the relationships in `Shape` loaded: their types replace the awaitable ones (what `query.options(...)` returns objects of).
 *
 * @example
 * ```ts
 * import type { Loaded } from 'relata';
 *
 * type UserWithPosts = Loaded<User, { posts: Post[] }>;
 * const users: UserWithPosts[] = await User.query.options(db.selectinload(User.posts)).all();
 * console.log(users[0]?.posts.length); // no await: loaded
 * ```
 */
export type Loaded<T, Shape> = unknown extends Shape
  ? T
  : Shape extends OnlyColumns<infer K>
    ? LoadedOnly<T, K, Shape>
    : Omit<T, keyof Shape> & Shape;

/**
 * Replaces the element type of a relationship shape with its loaded form, keeping list/nullable-ness
 * (how chained options type nested loads). Not distributive (`[S]`): `User | null` must give
 * `Loaded<User> | null`, not also a bare `Inner`.
 *
 * @example
 * ```ts
 * import type { Reshape } from 'relata';
 *
 * type PostsWithTags = Reshape<Post[], { tags: Tag[] }>; // (Post & { tags: Tag[] })[]
 * const user = (await User.query.options(db.selectinload(User.posts).selectinload(Post.tags)).first())!;
 * const posts: PostsWithTags = user.posts;
 * ```
 */
export type Reshape<S, Inner> = [S] extends [readonly (infer E)[]]
  ? Loaded<E, Inner>[]
  : [S] extends [ReadonlyMap<infer K, infer E>]
    ? Map<K, Loaded<E, Inner>>
    : [S] extends [ReadonlySet<infer E>]
      ? Set<Loaded<E, Inner>>
      : Loaded<NonNullable<S>, Inner> | Extract<S, null>;

/**
 * The object type a loaded path adds: `[['author', User|null], ['profile', Profile|null]]` → `{ author: (User & { profile: Profile|null }) | null }`.
 *
 * @example
 * ```ts
 * import type { PathShape } from 'relata';
 *
 * type Shape = PathShape<[['author', User | null], ['profile', Profile | null]]>;
 * const post = (await Post.query.options(db.joinedload(Post.author).joinedload(User.profile)).first())!;
 * const shape: Shape = post; // post.author?.profile without await
 * ```
 */
export type PathShape<P> = P extends readonly [ColumnsEntry<infer C>]
  ? C
  : P extends readonly [readonly [infer K extends string, infer S], ...infer Rest]
    ? { [key in K]: Reshape<S, PathShape<Rest>> }
    : unknown;

/**
 * A loader option for `query.options(...)`, from {@link joinedload}, {@link selectinload} and the
 * others; chain more to load along a path (`joinedload(Post.author).selectinload(User.posts)`).
 * Its type records the path, so the result type knows what is loaded.
 *
 * @example
 * ```ts
 * import { joinedload } from 'relata';
 *
 * const option = joinedload(Post.author).selectinload(User.posts);
 * const posts = await Post.query.options(option).all();
 * for (const p of posts) console.log(p.author?.posts.length); // loaded along the path
 * ```
 */
export class LoaderOption<P extends LoadedPath = LoadedPath> {
  /** Type-only: the path of [key, shape] pairs the option loads. */
  declare readonly __path: P;
  constructor(
    /** @internal The relationship steps of the path, in order. */
    readonly steps: readonly LoadStep[],
    /** @internal The column option ending the path (`.undefer(Book.summary)`), if any. */
    readonly columns: ColumnStep | null = null,
    /** @internal The aggregate loaded where the path ends (withCount, withSum, …), if any. */
    readonly aggregate: AggregateSpec | null = null,
  ) {}

  private then_<K extends string, S>(
    attribute: RelationshipAttribute<K, S>,
    strategy: LoadStrategy,
    alias?: TableAlias,
  ): LoaderOption<[...P, [K, S]]> {
    return new LoaderOption([...this.open(), step(attribute, strategy, alias)]);
  }

  /** The steps, refusing to go on past a column option (columns have no relationships to follow). */
  private open(): readonly LoadStep[] {
    if (this.columns)
      throw new ArgumentError(
        `${describeOption(this)}: a column option ends a loader path; start another option for more relationships`,
      );
    if (this.aggregate)
      throw new ArgumentError(
        `loader option ${describeOption(this)} ends with an aggregate; start another option for more`,
      );
    return this.steps;
  }

  private endWith<S>(columns: ColumnStep): LoaderOption<[...P, ColumnsEntry<S>]> {
    return new LoaderOption(this.open(), columns);
  }

  /** Then loads these deferred columns of the objects reached, with their rows; typed plain. */
  undefer<const A extends readonly ColumnAttribute<unknown, string>[]>(
    ...columns: A
  ): LoaderOption<[...P, ColumnsEntry<UndeferShape<A>>]> {
    return this.endWith(columnStep('undefer', columns));
  }
  /** Then leaves these columns of the objects reached out of their rows; `await obj.column` loads one. */
  defer<const A extends readonly ColumnAttribute<unknown, string>[]>(
    ...columns: A
  ): LoaderOption<[...P, ColumnsEntry<DeferShape<A>>]> {
    return this.endWith(columnStep('defer', columns));
  }
  /** Then loads only these columns of the objects reached (with the primary key and relationship keys). */
  loadOnly<const A extends readonly ColumnAttribute<unknown, string>[]>(
    ...columns: A
  ): LoaderOption<[...P, ColumnsEntry<OnlyColumns<KeysOf<A>>>]> {
    return this.endWith(columnStep('only', columns));
  }
  /** Then loads the deferred group `name` of the objects reached (their type keeps the columns awaitable). */
  undeferGroup(name: string): LoaderOption<P> {
    return new LoaderOption(this.open(), groupStep(name));
  }

  private aggregate_<Q extends LoadedPath>(
    fn: AggregateFunction,
    rel: unknown,
    column: unknown,
    options: AggregateOptions | undefined,
  ): LoaderOption<Q> {
    return new LoaderOption<Q>(this.open(), null, aggregateSpec(fn, rel, column, options));
  }

  /** Then loads how many related rows each object reached so far has (see {@link withCount}). */
  withCount<K extends string, S, const As extends string = `${K}Count`>(
    relationship: RelationshipAttribute<K, S>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, number]]> {
    return this.aggregate_('count', relationship, null, options);
  }
  /** Then loads whether each object reached so far has a related row (see {@link withExists}). */
  withExists<K extends string, S, const As extends string = `${K}Exists`>(
    relationship: RelationshipAttribute<K, S>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, boolean]]> {
    return this.aggregate_('exists', relationship, null, options);
  }
  /** Then loads a sum over each object's related rows (see {@link withSum}). */
  withSum<K extends string, S, V, const As extends string = `${K}Sum`>(
    relationship: RelationshipAttribute<K, S>,
    column: ColumnAttribute<V>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, NonNullable<V> | null]]> {
    return this.aggregate_('sum', relationship, column, options);
  }
  /** Then loads the smallest value among each object's related rows (see {@link withMin}). */
  withMin<K extends string, S, V, const As extends string = `${K}Min`>(
    relationship: RelationshipAttribute<K, S>,
    column: ColumnAttribute<V>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, NonNullable<V> | null]]> {
    return this.aggregate_('min', relationship, column, options);
  }
  /** Then loads the largest value among each object's related rows (see {@link withMax}). */
  withMax<K extends string, S, V, const As extends string = `${K}Max`>(
    relationship: RelationshipAttribute<K, S>,
    column: ColumnAttribute<V>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, NonNullable<V> | null]]> {
    return this.aggregate_('max', relationship, column, options);
  }
  /** Then loads an average over each object's related rows (see {@link withAvg}). */
  withAvg<K extends string, S, V, const As extends string = `${K}Avg`>(
    relationship: RelationshipAttribute<K, S>,
    column: ColumnAttribute<V>,
    options?: AggregateOptions<As>,
  ): LoaderOption<[...P, [As, number | null]]> {
    return this.aggregate_('avg', relationship, column, options);
  }

  /** Then loads `attribute` of the objects reached so far with a LEFT OUTER JOIN. */
  joinedload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[...P, [K, S]]> {
    return this.then_(attribute, 'joined');
  }
  /** Then loads `attribute` of the objects reached so far with one more SELECT … IN. */
  selectinload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[...P, [K, S]]> {
    return this.then_(attribute, 'selectin');
  }
  /** Then fills `attribute` from columns the query already joins. */
  containsEager<K extends string, S>(
    attribute: LoadableAttribute<K, S>,
    alias?: TableAlias,
  ): LoaderOption<[...P, [K, S]]> {
    return this.then_(attribute, 'contains', alias);
  }
  /** Then leaves `attribute` to load on `await`. */
  lazyload(attribute: RelationshipAttribute): LoaderOption<P> {
    return new LoaderOption([...this.open(), step(attribute, 'select')]);
  }
  /** Then makes a lazy load of `attribute` throw NotLoadedError. */
  raiseload(attribute: RelationshipAttribute): LoaderOption<P> {
    return new LoaderOption([...this.open(), step(attribute, 'raise')]);
  }
  /** Reads as empty at once, so its type is the loaded one. */
  noload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[...P, [K, S]]> {
    return this.then_(attribute, 'noload');
  }
}

function step(attribute: RelationshipAttribute, strategy: LoadStrategy, alias?: TableAlias): LoadStep {
  if (!(attribute instanceof RelationshipAttribute)) {
    throw new ArgumentError(`loader options take a relationship such as User.posts, got ${describe(attribute)}`);
  }
  const as = attribute.targetAs;
  if (as) {
    // ofType(alias) says which alias containsEager reads; other uses would change nothing, so they are refused.
    if (strategy !== 'contains' || !as.alias) {
      throw new ArgumentError(
        `${strategyFor(strategy).optionName}(${attribute}): ofType() in a loader option names the alias containsEager() reads ` +
          `(containsEager(${attribute.property.name}.ofType(db.aliased(${attribute.property.target.name})))); ` +
          `a query of ${attribute.property.target.name} already loads each object as its class`,
      );
    }
    if (alias && alias !== as.alias)
      throw new ArgumentError(
        `containsEager(${attribute}): give the alias once, as ofType() or as the second argument`,
      );
    return { attribute, strategy, alias: as.alias };
  }
  return { attribute, strategy, alias };
}

function describe(v: unknown): string {
  if (v === undefined)
    return 'undefined (is the relationship declared with backref? use backPopulates for a typed attribute)';
  if (v && typeof v === 'object' && 'describe' in v) return `column ${(v as { describe(): string }).describe()}`;
  return typeof v;
}

/**
 * Load the relationship in the same query with a LEFT OUTER JOIN (parents de-duplicated; LIMIT applies to parents).
 *
 * @example
 * ```ts
 * import { joinedload } from 'relata';
 *
 * const posts = await Post.query.options(joinedload(Post.author)).limit(10).all(); // one statement
 * for (const p of posts) console.log(p.author?.username); // no await
 * ```
 */
export function joinedload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[[K, S]]>;
/** An association proxy (`User.keywords`): its collection and the members' targets, joined; the proxy is then loaded. */
export function joinedload<P extends ProxyAttribute>(proxy: P): LoaderOption<[[P['~key'], P['__loaded']]]>;
export function joinedload(attribute: RelationshipAttribute | ProxyAttribute): LoaderOption {
  if (attribute instanceof AssociationProxyAttribute) return proxyOption(attribute, 'joined');
  return new LoaderOption([step(attribute as RelationshipAttribute, 'joined')]);
}

/** An association proxy's class attribute, with its name on the model. */
type ProxyAttribute = AssociationProxyAttribute<unknown> & { readonly '~key': string };

/**
 * Loads an association proxy: its collection with `strategy`, then each member's proxied relationship
 * joined into that load (a many-to-one: no statement of its own).
 */
function proxyOption(proxy: AssociationProxyAttribute<unknown>, strategy: LoadStrategy): LoaderOption {
  const [collection, via] = proxy.loadPath();
  const steps = [step(collection!.attribute, strategy)];
  if (via) steps.push(step(via.attribute, 'joined'));
  return new LoaderOption(steps);
}
/**
 * Load the relationship with one more query: `WHERE fk IN (…parent keys…)`, in batches the driver's parameter limit allows.
 *
 * @example
 * ```ts
 * import { selectinload } from 'relata';
 *
 * const users = await User.query.options(selectinload(User.posts)).all(); // two statements
 * for (const u of users) console.log(u.username, u.posts.length);
 * ```
 */
export function selectinload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[[K, S]]>;
/** An association proxy (`User.keywords`): one more statement loads its collection with the members' targets joined. */
export function selectinload<P extends ProxyAttribute>(proxy: P): LoaderOption<[[P['~key'], P['__loaded']]]>;
export function selectinload(attribute: RelationshipAttribute | ProxyAttribute): LoaderOption {
  if (attribute instanceof AssociationProxyAttribute) return proxyOption(attribute, 'selectin');
  return new LoaderOption([step(attribute as RelationshipAttribute, 'selectin')]);
}
/**
 * The query already joins the relationship's table (optionally as `alias`): fill it from those columns, so a join that filters also loads.
 *
 * @example
 * ```ts
 * import { containsEager } from 'relata';
 *
 * const posts = await Post.query
 *   .join(Post.author)
 *   .filter(User.username.eq('alice'))
 *   .options(containsEager(Post.author))
 *   .all();
 * console.log(posts[0]?.author?.username); // 'alice', from the same statement
 * ```
 */
export function containsEager<K extends string, S>(
  attribute: LoadableAttribute<K, S>,
  alias?: TableAlias,
): LoaderOption<[[K, S]]> {
  return new LoaderOption([step(attribute, 'contains', alias)]);
}
/**
 * Load on first `await` (the default): overrides a relationship declared with another `lazy`.
 *
 * @example
 * ```ts
 * import { lazyload } from 'relata';
 *
 * const users = await User.query.options(lazyload(User.profile)).all();
 * const profile = await users[0]?.profile; // one SELECT now
 * ```
 */
export function lazyload(attribute: RelationshipAttribute): LoaderOption<[]> {
  return new LoaderOption([step(attribute, 'select')]);
}
/**
 * Make any lazy load of this relationship throw NotLoadedError: catches N+1 in tests.
 *
 * @example
 * ```ts
 * import { raiseload } from 'relata';
 *
 * const users = await User.query.options(raiseload(User.posts)).all();
 * try {
 *   await users[0]?.posts;
 * } catch (err) {
 *   console.log(err); // NotLoadedError: User.posts is set to raise on lazy load; …
 * }
 * ```
 */
export function raiseload(attribute: RelationshipAttribute): LoaderOption<[]> {
  return new LoaderOption([step(attribute, 'raise')]);
}
/**
 * Never load: the relationship reads as empty at once (`[]` or `null`), so its type is the loaded one.
 *
 * @example
 * ```ts
 * import { noload } from 'relata';
 *
 * const users = await User.query.options(noload(User.posts)).all();
 * console.log(users[0]?.posts); // [] without SQL, whatever the database holds
 * ```
 */
export function noload<K extends string, S>(attribute: LoadableAttribute<K, S>): LoaderOption<[[K, S]]> {
  return new LoaderOption([step(attribute, 'noload')]);
}

/**
 * An option along a polymorphic relationship (`selectinload(Comment.commentable)`) as one option
 * per target's relationship: each loads its own table. Nothing may follow it in the path, since
 * the objects reached are of several models.
 */
export function expandPolymorphic(option: LoaderOption): LoaderOption[] {
  if (!(option instanceof LoaderOption)) return [option];
  const i = option.steps.findIndex((s) => s.attribute instanceof PolymorphicAttribute);
  if (i < 0) return [option];
  const poly = option.steps[i]!.attribute as PolymorphicAttribute;
  if (i < option.steps.length - 1)
    throw new ArgumentError(
      `loader option after ${String(poly)}: it reaches objects of several models, so a path cannot go on from it; ` +
        `load their relationships in a query of each target model`,
    );
  const head = option.steps.slice(0, i);
  return poly.members.map((m) => new LoaderOption([...head, { ...option.steps[i]!, attribute: m }]));
}

/** The option as written: `joinedload(Post.author).selectinload(User.profile)`. */
export function describeOption(option: LoaderOption): string {
  const parts = option.steps.map((s) => `${strategyFor(s.strategy).optionName}(${s.attribute.property.name})`);
  if (option.columns) parts.push(describeColumnStep(option.columns));
  if (option.aggregate) parts.push(describeAggregate(option.aggregate));
  return parts.join('.');
}

/**
 * Refuses an option whose path does not start at the query's entity, or whose next relationship
 * does not belong to the previous one's target: the loaders would never reach it, so it would be
 * silently ignored. Needs configured mappers (a backref's target).
 */
export function checkOptionPath(option: unknown, entity: Mapper): void {
  if (!(option instanceof LoaderOption)) {
    throw new ArgumentError(
      `${entity.name} query options() takes loader options such as joinedload(${entity.name}.posts), got ${describe(option)}`,
    );
  }
  let from = entity;
  let via: RelationshipProperty | null = null;
  for (const s of option.steps) {
    const prop = s.attribute.property;
    if (prop.parent !== from) {
      const where = via
        ? `${prop.name} is not a relationship of ${from.name}, the target of ${via.name}`
        : `its path starts at ${prop.parent.name}, not at the query's entity ${entity.name}`;
      throw new ArgumentError(
        `loader option ${describeOption(option)} does not fit a query of ${entity.name}: ${where}. ` +
          `Start the path at ${entity.name} (${strategyFor(s.strategy).optionName}(${entity.name}.<relationship>)) and chain each next relationship from the previous one's target`,
      );
    }
    if (prop.lazy === 'writeOnly') {
      throw new InvalidRequestError(
        `loader option ${describeOption(option)}: ${prop.name} is a writeOnly collection, which never loads; ` +
          `query it instead: ${lowerFirst(prop.parent.name)}.${prop.key}.select()`,
      );
    }
    via = prop;
    from = prop.target;
  }
  if (option.columns) {
    const last = option.steps[option.steps.length - 1];
    if (last && !LOADS_ROWS.has(last.strategy))
      throw new ArgumentError(
        `loader option ${describeOption(option)}: column options follow joinedload, selectinload or containsEager; ` +
          `after ${strategyFor(last.strategy).optionName}() nothing loads with the query`,
      );
    checkColumnStep(option.columns, from, entity, () => describeOption(option));
  }
  checkAggregatePath(option, from, () => describeOption(option));
}

/** The strategies that load a relationship's rows with the query, so a column option can shape them. */
const LOADS_ROWS: ReadonlySet<LoadStrategy> = new Set(['joined', 'selectin', 'contains']);

/** Intersection of what each option in a tuple makes loaded. */
export type ShapeOfOptions<O> = O extends readonly [LoaderOption<infer P>, ...infer Rest]
  ? PathShape<P> & ShapeOfOptions<Rest>
  : unknown;

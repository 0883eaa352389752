/**
 * Column loader options: `undefer(Book.summary)`, `defer(Book.pages)`, `loadOnly(Book.title)`,
 * `undeferGroup('media')`, alone or ending a relationship path
 * (`selectinload(Author.books).undefer(Book.summary)`). Their types record what they load, as the
 * relationship options' do, so the result type knows which columns are plain and which awaitable.
 */
import { ArgumentError } from '../../sql/errors.js';
import { LoaderOption } from './options.js';
import { ColumnAttribute } from '../mapping/attributes.js';
import type { Deferred, HasColumns, Plain } from '../mapping/declarative.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';
import { columnLoadInfo } from './deferred-columns.js';

/** What one column option does to the columns it names (or, `group`, to a deferred group). */
export type ColumnMode = 'undefer' | 'defer' | 'only' | 'group';

/** @internal A loader path's last step when it is a column option. */
export interface ColumnStep {
  readonly mode: ColumnMode;
  readonly columns: readonly ColumnAttribute[];
  readonly group: string | null;
}

/**
 * Type-only: a loader path's entry for column options, `['~columns', Shape]`, where Shape is the
 * columns made plain (`undefer`) or awaitable (`defer`), or {@link OnlyColumns} for `loadOnly`.
 */
export type ColumnsEntry<S> = readonly ['~columns', S];

/**
 * Type-only: `loadOnly(...)`'s columns (`K`); every other column of the entity, but the primary key, is `Deferred`.
 *
 * @example
 * ```ts
 * import { loadOnly, type Loaded, type OnlyColumns } from 'relata';
 *
 * type Titles = Loaded<User, OnlyColumns<'username'>>; // email: Deferred<string | null>
 * const users: Titles[] = await User.query.options(loadOnly(User.username)).all();
 * ```
 */
export interface OnlyColumns<K extends string> {
  /** Type-only: the columns loadOnly() keeps. */
  readonly '~only': K;
}

/** The object type `undefer(...)` of these attributes gives: each column plain. */
export type UndeferShape<A extends readonly ColumnAttribute<unknown, string>[]> = {
  [E in A[number] as E extends ColumnAttribute<unknown, infer K> ? K : never]: E extends ColumnAttribute<
    infer V,
    string
  >
    ? V
    : never;
};

/** The object type `defer(...)` of these attributes gives: each column awaitable. */
export type DeferShape<A extends readonly ColumnAttribute<unknown, string>[]> = {
  [E in A[number] as E extends ColumnAttribute<unknown, infer K> ? K : never]: E extends ColumnAttribute<
    infer V,
    string
  >
    ? Deferred<V>
    : never;
};

/** The keys of attributes. */
export type KeysOf<A extends readonly ColumnAttribute<unknown, string>[]> =
  A[number] extends ColumnAttribute<unknown, infer K> ? K : never;

/** `T` after `loadOnly(K…)` (and whatever else `Shape` loads): its other columns deferred, its primary key kept. */
export type LoadedOnly<T, K, Shape> =
  T extends HasColumns<infer C, infer P>
    ? Omit<T, (Exclude<C, K | P> & keyof T) | Exclude<keyof Shape, '~only'>> & {
        [F in Exclude<C, K | P> & keyof T]: Deferred<Plain<T[F]>>;
      } & Omit<Shape, '~only'>
    : T;

/** @internal Column options merged for one entity of a load (the root, or a relationship's target). */
export interface ColumnSpec {
  readonly undefer: ReadonlySet<string>;
  readonly defer: ReadonlySet<string>;
  readonly only: ReadonlySet<string> | null;
  readonly groups: ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

/** @internal `spec` with one more column step merged in. */
export function mergeColumnStep(spec: ColumnSpec | undefined, step: ColumnStep): ColumnSpec {
  const base = spec ?? { undefer: EMPTY, defer: EMPTY, only: null, groups: EMPTY };
  const keys = step.columns.map((c) => c.key);
  const add = (set: ReadonlySet<string>, more: readonly string[]) => new Set([...set, ...more]);
  switch (step.mode) {
    case 'undefer':
      return { ...base, undefer: add(base.undefer, keys) };
    case 'defer':
      return { ...base, defer: add(base.defer, keys) };
    case 'only':
      return { ...base, only: add(base.only ?? EMPTY, keys) };
    case 'group':
      return { ...base, groups: add(base.groups, [step.group!]) };
  }
}

/** @internal A spec as a string, for the compiled-load cache keys. */
export function columnSpecKey(spec: ColumnSpec | undefined): string {
  if (!spec) return '';
  const list = (s: ReadonlySet<string>) => [...s].sort().join(',');
  return `{u${list(spec.undefer)}|d${list(spec.defer)}|o${spec.only ? list(spec.only) : '*'}|g${list(spec.groups)}}`;
}

/**
 * @internal The columns a load of `mapper` selects under `spec`, in column order, or null for all
 * of them (the usual case, which keeps the mapper's own row reader).
 */
export function plannedColumns(mapper: Mapper, spec: ColumnSpec | undefined): readonly MappedColumn[] | null {
  const info = columnLoadInfo(mapper);
  if (!spec && info.deferred.size === 0) return null;
  const loaded = new Set<string>();
  for (const mc of mapper.columns) {
    const keep = spec?.only ? spec.only.has(mc.key) || info.always.has(mc.key) : !info.deferred.has(mc.key);
    if (keep) loaded.add(mc.key);
  }
  if (spec) {
    for (const k of spec.defer) loaded.delete(k);
    for (const k of spec.undefer) loaded.add(k);
    for (const g of spec.groups) for (const k of info.groups.get(g) ?? []) loaded.add(k);
  }
  return loaded.size === mapper.columns.length ? null : mapper.columns.filter((mc) => loaded.has(mc.key));
}

/** @internal Refuses a column step that cannot apply to `mapper`, the entity its path reaches. */
export function checkColumnStep(step: ColumnStep, mapper: Mapper, entity: Mapper, describe: () => string): void {
  const info = columnLoadInfo(mapper);
  for (const attr of step.columns) {
    if (attr.mapper !== mapper) {
      const reached = mapper === entity ? `the query's entity` : 'the entity its path reaches';
      throw new ArgumentError(
        `loader option ${describe()} does not fit a query of ${entity.name}: ${attr.mapper.name}.${attr.key} is not a column of ${mapper.name}, ${reached}`,
      );
    }
    const why = step.mode === 'defer' ? info.always.get(attr.key) : undefined;
    if (why) throw new ArgumentError(`${describe()}: ${why}: it always loads, so it cannot be deferred`);
  }
  if (step.mode === 'group' && !info.groups.has(step.group!)) {
    const names = [...info.groups.keys()];
    throw new ArgumentError(
      `${describe()}: ${mapper.name} has no deferred group '${step.group!}'${names.length ? ` (groups: ${names.join(', ')})` : ' (it declares none)'}`,
    );
  }
}

const NAMES: Readonly<Record<ColumnMode, string>> = {
  undefer: 'undefer',
  defer: 'defer',
  only: 'loadOnly',
  group: 'undeferGroup',
};

/** @internal The step as written: `undefer(Book.summary, Book.body)`, `undeferGroup('media')`. */
export function describeColumnStep(step: ColumnStep): string {
  const args =
    step.mode === 'group' ? `'${step.group!}'` : step.columns.map((c) => `${c.mapper.name}.${c.key}`).join(', ');
  return `${NAMES[step.mode]}(${args})`;
}

/** @internal A column step of column attributes, refusing anything else (a relationship, a backref's undefined). */
export function columnStep(mode: Exclude<ColumnMode, 'group'>, columns: readonly unknown[]): ColumnStep {
  const name = NAMES[mode];
  if (columns.length === 0) throw new ArgumentError(`${name}() needs at least one column, such as ${name}(User.email)`);
  for (const c of columns) {
    if (!(c instanceof ColumnAttribute)) {
      const what = c && typeof c === 'object' && 'property' in c ? `relationship ${String(c)}` : typeof c;
      throw new ArgumentError(`${name}() takes column attributes such as ${name}(User.email), got ${what}`);
    }
    if (mode === 'defer' && c.column.primaryKey)
      throw new ArgumentError(
        `defer(${c.mapper.name}.${c.key}): ${c.mapper.name}.${c.key} is the primary key: it always loads`,
      );
  }
  return { mode, columns: columns as ColumnAttribute[], group: null };
}

/** @internal The step of `undeferGroup(name)`. */
export function groupStep(group: unknown): ColumnStep {
  if (typeof group !== 'string' || group === '')
    throw new ArgumentError(`undeferGroup() takes a deferred group's name, got ${typeof group}`);
  return { mode: 'group', columns: [], group };
}

/**
 * Load deferred columns with the row (SQLAlchemy's `undefer()`): the result type has them plain.
 *
 * @example
 * ```ts
 * import { undefer } from 'relata';
 *
 * class Draft extends db.Model('Draft', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, { deferred: true }),
 * }) {}
 * const drafts = await Draft.query.options(undefer(Draft.body)).all(); // one SELECT, body in it
 * console.log(drafts[0]?.body); // string | null, no await
 * ```
 */
export function undefer<const A extends readonly ColumnAttribute<unknown, string>[]>(
  ...columns: A
): LoaderOption<[ColumnsEntry<UndeferShape<A>>]> {
  return new LoaderOption([], columnStep('undefer', columns));
}

/**
 * Leave columns out of this query's rows (SQLAlchemy's `defer()`): the result type has them
 * `Deferred`, and `await obj.column` loads one with one SELECT. A primary key or a column a
 * relationship joins on always loads: deferring one is an ArgumentError.
 *
 * @example
 * ```ts
 * import { defer } from 'relata';
 *
 * const posts = await Post.query.options(defer(Post.content)).all();
 * const content = await posts[0]?.content; // one SELECT of post.content
 * ```
 */
export function defer<const A extends readonly ColumnAttribute<unknown, string>[]>(
  ...columns: A
): LoaderOption<[ColumnsEntry<DeferShape<A>>]> {
  return new LoaderOption([], columnStep('defer', columns));
}

/**
 * Load only these columns (SQLAlchemy's `load_only()`), with the primary key and the columns
 * relationships join on; every other column is deferred, and typed `Deferred`.
 *
 * @example
 * ```ts
 * import { loadOnly } from 'relata';
 *
 * const titles = await Post.query.options(loadOnly(Post.title)).all(); // SELECT id, title, userId
 * console.log(titles[0]?.title, await titles[0]?.views); // views: one SELECT when awaited
 * ```
 */
export function loadOnly<const A extends readonly ColumnAttribute<unknown, string>[]>(
  ...columns: A
): LoaderOption<[ColumnsEntry<OnlyColumns<KeysOf<A>>>]> {
  return new LoaderOption([], columnStep('only', columns));
}

/**
 * Load a deferred group with the row (SQLAlchemy's `undefer_group()`). The type cannot know a
 * group's columns, so it keeps them `Deferred`; `await` gives their values without SQL.
 *
 * @example
 * ```ts
 * import { undeferGroup } from 'relata';
 *
 * class Photo extends db.Model('Photo', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   full: db.Column(db.LargeBinary, { deferredGroup: 'images' }),
 *   thumb: db.Column(db.LargeBinary, { deferredGroup: 'images' }),
 * }) {}
 * const photos = await Photo.query.options(undeferGroup('images')).all(); // one SELECT
 * const thumb = await photos[0]?.thumb; // loaded already: no SQL
 * ```
 */
export function undeferGroup(name: string): LoaderOption<[]> {
  return new LoaderOption([], groupStep(name));
}

/**
 * Queries whose rows are tuples: `session.query(User, func.count(Post.id).label('n'))` gives
 * `[User, number]` rows (the object through the identity map), `session.query(User.id, User.username)`
 * gives `[number, string]` rows; SQLAlchemy's `session.query(User, func.count(...))`.
 */
import { ArgumentError } from '../../sql/errors.js';
import { ColumnElement } from '../../sql/expressions.js';
import type { ValueOf } from '../../sql/row-types.js';
import { ColumnAttribute } from '../mapping/attributes.js';
import type { Registry } from '../mapping/registry.js';
import type { Session } from '../session/session.js';
import { Query } from './query.js';
import { initialState } from './state.js';

/** What `session.query(...)` takes: a model class, or a SQL expression (a model's column among them). */
export type QueryItem = (abstract new (...args: never[]) => unknown) | ColumnElement;

/**
 * The row of `session.query(...items)`: each model class gives its object, each expression its value.
 *
 * @example
 * ```ts
 * import { func, type QueryRow } from 'relata';
 *
 * type Row = QueryRow<[typeof User, ReturnType<typeof func.count>]>; // [User, number]
 * const rows: Row[] = await session.query(User, func.count(Post.id)).join(User.posts).groupBy(User.id).all();
 * ```
 */
export type QueryRow<E extends readonly unknown[]> = {
  -readonly [I in keyof E]: E[I] extends ColumnElement
    ? ValueOf<E[I]>
    : E[I] extends abstract new (...args: never[]) => infer M
      ? M
      : never;
};

/** The Query for `session.query(...items)`: a query of objects for one model, else of tuples. */
export function queryOf(registry: Registry, session: Session, items: readonly QueryItem[]): Query<unknown> {
  const described = () => items.map((i) => (typeof i === 'function' ? i.name : describe(i))).join(', ');
  if (items.length === 0) throw new ArgumentError('session.query() needs a model or columns to select');
  if (items.length === 1 && typeof items[0] === 'function') return new Query(registry.mapperOf(items[0]), session);
  const models = items.filter((i) => typeof i === 'function');
  if (models.length > 1)
    throw new ArgumentError(
      `session.query(${described()}): one model per query; select the other model's columns, or load it through a relationship option`,
    );
  for (const i of items)
    if (typeof i !== 'function' && !(i instanceof ColumnElement))
      throw new ArgumentError(`session.query(): ${describe(i)} is neither a model nor a SQL expression`);
  const root = models[0]
    ? registry.mapperOf(models[0])
    : items.find((i): i is ColumnAttribute => i instanceof ColumnAttribute)?.mapper;
  if (!root)
    throw new ArgumentError(
      `session.query(${described()}): name a model or one of its columns to query from (or use select(...) with session.execute())`,
    );
  const selected = items.map((i) => (typeof i === 'function' ? null : (i as ColumnElement)));
  return new Query(root, session, { ...initialState(root), selected });
}

function describe(i: unknown): string {
  if (i instanceof ColumnElement) return i.describe();
  return i === null ? 'null' : typeof i;
}

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
import { isAliased, type AliasedModel } from './alias.js';
import type { Mapper } from '../mapping/mapper.js';

/**
 * What `session.query(...)` takes: a model class, an alias of one (`db.aliased(User)`), or a SQL
 * expression (a model's column among them).
 */
export type QueryItem = (abstract new (...args: never[]) => unknown) | AliasedModel | ColumnElement;

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
      : E[I] extends AliasedModel<infer M>
        ? M
        : never;
};

/** The Query for `session.query(...items)`: a query of objects for one model, else of tuples. */
export function queryOf(registry: Registry, session: Session, items: readonly QueryItem[]): Query<unknown> {
  const described = () =>
    items
      .map((i) => (typeof i === 'function' ? i.name : isAliased(i) ? `db.aliased(${i.__mapper__.name})` : describe(i)))
      .join(', ');
  if (items.length === 0) throw new ArgumentError('session.query() needs a model or columns to select');
  const isEntity = (i: QueryItem) => typeof i === 'function' || isAliased(i);
  const entityOf = (i: QueryItem) => (isAliased(i) ? i.__mapper__ : registry.mapperOf(i as never));
  const models = items.filter(isEntity);
  // An alias is read through its own name for the table: the root entity's FROM (compile-query.ts).
  const rootState = (i: QueryItem) => {
    const mapper = entityOf(i);
    if (isAliased(i)) refuseAliasOfPolymorphic(mapper, described());
    return {
      mapper,
      state: { ...initialState(mapper), ...(isAliased(i) && { entities: [{ mapper, from: i.__alias__ }] }) },
    };
  };
  if (items.length === 1 && isEntity(items[0]!)) {
    const { mapper, state } = rootState(items[0]!);
    return new Query(mapper, session, state);
  }
  if (models.length > 1)
    throw new ArgumentError(
      `session.query(${described()}): one model per query; select the other model's columns, or load it through a relationship option`,
    );
  for (const i of items)
    if (!isEntity(i) && !(i instanceof ColumnElement))
      throw new ArgumentError(`session.query(): ${describe(i)} is neither a model nor a SQL expression`);
  // Columns only: the FROM is the first column's model.
  const columnModel = items.find((i): i is ColumnAttribute => i instanceof ColumnAttribute)?.mapper;
  const root = models[0]
    ? rootState(models[0])
    : columnModel
      ? { mapper: columnModel, state: initialState(columnModel) }
      : null;
  if (!root)
    throw new ArgumentError(
      `session.query(${described()}): name a model or one of its columns to query from (or use select(...) with session.execute())`,
    );
  const selected = items.map((i) => (isEntity(i) ? null : (i as ColumnElement)));
  return new Query(root.mapper, session, { ...root.state, selected });
}

function describe(i: unknown): string {
  if (i instanceof ColumnElement) return i.describe();
  return i === null ? 'null' : typeof i;
}

/** A model with subclasses reads each row as its class, through its base's table(s): not through an alias. */
function refuseAliasOfPolymorphic(mapper: Mapper, described: string): void {
  if (mapper.inheritance.polymorphic)
    throw new ArgumentError(
      `session.query(${described}): ${mapper.name} is part of an inheritance hierarchy; query it through its own ` +
        `tables (an alias of it can be joined and filtered on, not queried as the entity)`,
    );
}

/**
 * The TypeScript types of a column select's rows, computed from the selected expressions (as
 * Drizzle and Kysely compute theirs): no row type is ever written by hand.
 *
 * A row comes two ways, as SQLAlchemy 2.0's `Row` is both a tuple and a named record:
 * - as an object keyed by each expression's name: a label (`func.count(Post.id).label('n')` → `n`) or
 *   a model attribute's key (`User.username` → `username`);
 * - as a tuple in select order (`[number, string, number]`), which also holds unnamed expressions.
 */
import type { ColumnElement, Label } from './expressions.js';

/** The value type of one selected expression. */
export type ValueOf<E> = E extends { readonly __value: infer T } ? T : unknown;

/**
 * The name an expression has in an object row: its label, or a model attribute's key; `never` for an
 * expression with neither (it is in the tuple only: label it to name it).
 */
export type KeyOf<E> =
  E extends Label<unknown, infer N> ? N : E extends { readonly key: infer K extends string } ? K : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The object row of a select of `C`: `{ id: number; username: string; n: number }` for
 * `select(User.id, User.username, func.count(Post.id).label('n'))`. A select whose columns are not
 * known to the compiler (built from an array) has `Record<string, unknown>` rows.
 *
 * @example
 * ```ts
 * import { func, select, type RowOf } from 'relata';
 *
 * const stmt = select(User.id, func.count(Post.id).label('posts')).join(Post.__table__);
 * type PerUser = RowOf<typeof stmt.columns>; // { id: number; posts: number }
 * const rows: PerUser[] = await session.execute(stmt.groupBy(User.id));
 * ```
 */
export type RowOf<C extends readonly unknown[]> = number extends C['length']
  ? Record<string, unknown>
  : Simplify<{ -readonly [I in keyof C as I extends `${number}` ? KeyOf<C[I]> : never]: ValueOf<C[I]> }>;

/**
 * The tuple row of a select of `C`, in select order: `[number, string, number]` for
 * `select(User.id, User.username, func.count(Post.id))`.
 *
 * @example
 * ```ts
 * import { func, select, type TupleOf } from 'relata';
 *
 * const stmt = select(User.username, func.count(Post.id)).join(Post.__table__).groupBy(User.username);
 * const rows: TupleOf<typeof stmt.columns>[] = await session.execute(stmt).tuples(); // [string, number][]
 * ```
 */
export type TupleOf<C extends readonly unknown[]> = { -readonly [I in keyof C]: ValueOf<C[I]> };

/** What select() takes: SQL expressions, a model's column attributes among them. */
export type Selectable = ColumnElement<unknown>;

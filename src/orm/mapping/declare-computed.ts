/**
 * The factories of attributes computed from columns: `columnProperty`, `hybrid` and `composite`
 * (also `db.columnProperty`, ...). Each builds a declaration that `db.Model` installs after the
 * columns and relationships (see AttributeDecl).
 */
import { ArgumentError } from '../../sql/errors.js';
import type { ColumnElement } from '../../sql/expressions.js';
import { ColumnPropertyDecl } from './column-property.js';
import { CompositeDecl, type CompositeClass, type CompositeValues } from './composite.js';
import { HybridDecl, ReadOnlyHybridDecl, type HybridDefinition } from './hybrid.js';

/**
 * An attribute the database computes from the row (SQLAlchemy's `column_property()`): loaded with
 * it, read-only, typed from the expression, and a SQL expression on the class. Write out the
 * function's return type: inferring it would need the model's type while it is declared.
 *
 * @example
 * ```ts
 * import { columnProperty, concat, type ColumnElement } from 'relata';
 *
 * class Writer extends db.Model('Writer', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   first: db.Column(db.String(40), { nullable: false }),
 *   last: db.Column(db.String(40), { nullable: false }),
 *   fullName: columnProperty((): ColumnElement<string> => concat(Writer.first, ' ', Writer.last)),
 * }) {}
 * const [ada] = await Writer.query.filter(Writer.fullName.eq('Ada Lovelace')).all();
 * console.log(ada?.fullName); // 'Ada Lovelace', read with the row
 * ```
 */
export function columnProperty<V>(expression: () => ColumnElement<V>): ColumnPropertyDecl<V> {
  return new ColumnPropertyDecl(expression);
}

/**
 * One attribute read two ways (SQLAlchemy's `hybrid_property`): on an instance, `get` over its
 * values (no SQL); on the class, `expression` for filter and orderBy. With `set`, it is assignable
 * and the constructor takes it; without, it is read-only.
 *
 * @example
 * ```ts
 * import { concat, hybrid, type ColumnElement } from 'relata';
 *
 * class Reader extends db.Model('Reader', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   first: db.Column(db.String(40), { nullable: false }),
 *   last: db.Column(db.String(40), { nullable: false }),
 *   display: hybrid({
 *     get(this: Reader): string {
 *       return `${this.last}, ${this.first}`;
 *     },
 *     expression: (): ColumnElement<string> => concat(Reader.last, ', ', Reader.first),
 *   }),
 * }) {}
 * const readers = await Reader.query.orderBy(Reader.display).all(); // ORDER BY the expression
 * console.log(readers[0]?.display); // computed from the loaded columns
 * ```
 */
export function hybrid<V>(definition: HybridDefinition<V> & { set(this: never, value: V): void }): HybridDecl<V, V>;
export function hybrid<V>(definition: HybridDefinition<V>): ReadOnlyHybridDecl<V>;
export function hybrid<V>(definition: HybridDefinition<V>): HybridDecl<V, V> | ReadOnlyHybridDecl<V> {
  const hasSetter = typeof definition === 'object' && definition !== null && definition.set !== undefined;
  return hasSetter ? new HybridDecl<V, V>(definition) : new ReadOnlyHybridDecl<V>(definition);
}

/**
 * A value object over several columns (SQLAlchemy's `composite()`): `composite(Point, { x: 'x1', y: 'y1' })`
 * names the column of each field (the object is built as `new Point(x1, y1)`, in that order), or
 * `composite(Range, 'low', 'high')` for a class with `compositeValues()`. Reading gives the object
 * (null when every column is NULL), assigning writes the columns, the class attribute compares in SQL.
 *
 * @example
 * ```ts
 * import { composite } from 'relata';
 *
 * class Money {
 *   constructor(readonly amount: number, readonly currency: string) {}
 * }
 * class Invoice extends db.Model('Invoice', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   amount: db.Column(db.Integer),
 *   currency: db.Column(db.String(3)),
 *   total: composite(Money, { amount: 'amount', currency: 'currency' }),
 * }) {}
 * const big = await Invoice.query.filter(Invoice.total.eq(new Money(100, 'EUR'))).all(); // amount = ? AND currency = ?
 * ```
 */
export function composite<C extends CompositeValues>(
  cls: CompositeClass<C>,
  ...columns: [string, ...string[]]
): CompositeDecl<C>;
export function composite<C>(cls: CompositeClass<C>, fields: { readonly [F in keyof C]?: string }): CompositeDecl<C>;
export function composite<C>(cls: CompositeClass<C>, ...spec: unknown[]): CompositeDecl<C> {
  if (typeof cls !== 'function') throw new ArgumentError(`composite() takes the value class first, got ${typeof cls}`);
  const [first] = spec;
  if (typeof first === 'object' && first !== null && spec.length === 1) {
    const entries = Object.entries(first as Record<string, unknown>);
    if (entries.length === 0 || entries.some(([, c]) => typeof c !== 'string'))
      throw new ArgumentError(`composite(${cls.name}, { field: 'column', … }) needs each field's column name`);
    return new CompositeDecl(
      cls,
      entries.map(([, c]) => c as string),
      entries.map(([f]) => f),
    );
  }
  if (spec.length === 0 || spec.some((c) => typeof c !== 'string'))
    throw new ArgumentError(`composite(${cls.name}, 'column', …) needs the column names, or { field: 'column' }`);
  return new CompositeDecl(cls, spec as string[], null);
}

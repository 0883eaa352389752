/**
 * The table-level declaration factories: composite primary keys, UNIQUEs, composite foreign keys,
 * CHECKs and indexes (also `db.PrimaryKeyConstraint`, ...), for a model's `tableArgs` or `db.Table(...)`.
 * Thin wrappers over the Core constraint classes, kept apart from `Database` so each has one home.
 */
import {
  CheckConstraint as SqlCheckConstraint,
  ForeignKeyConstraint as SqlForeignKeyConstraint,
  PrimaryKeyConstraint as SqlPrimaryKeyConstraint,
  UniqueConstraint as SqlUniqueConstraint,
  type ConstraintOptions,
  type ForeignKeyConstraintOptions,
} from '../../sql/constraints.js';
import type { TextClause } from '../../sql/expressions.js';
import { Index as SqlIndex, type IndexOptions, type ForeignKeyTarget } from '../../sql/schema.js';

/**
 * A table's primary key over several columns, for `tableArgs` or `db.Table(...)`; its columns become NOT NULL.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * const line = db.Table('order_line',
 *   db.Column('order_id', db.Integer), db.Column('line_no', db.Integer),
 *   db.PrimaryKeyConstraint(['order_id', 'line_no']));
 * ```
 */
export function PrimaryKeyConstraint(columns: readonly string[], options?: ConstraintOptions): SqlPrimaryKeyConstraint {
  return new SqlPrimaryKeyConstraint(columns, options);
}

/**
 * A UNIQUE constraint over several columns, for `tableArgs` or `db.Table(...)` (one column: its
 * `unique: true`); named `uq_<table>_<columns>` unless named.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * class Seat extends db.Model('Seat', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   row: db.Column(db.Integer),
 *   number: db.Column(db.Integer),
 * }, { tableArgs: [db.UniqueConstraint(['row', 'number'])] }) {}
 * ```
 */
export function UniqueConstraint(columns: readonly string[], options?: ConstraintOptions): SqlUniqueConstraint {
  return new SqlUniqueConstraint(columns, options);
}

/**
 * A foreign key over several columns (to a composite key), for `tableArgs` or `db.Table(...)`: this
 * table's column names, then the referred `'table.column'`s in the same order. Relationships over it
 * load and flush like over a one-column key.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * class Shipment extends db.Model('Shipment', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   orderId: db.Column('order_id', db.Integer),
 *   lineNo: db.Column('line_no', db.Integer),
 * }, {
 *   tableArgs: [
 *     db.ForeignKeyConstraint(['order_id', 'line_no'], ['order_line.order_id', 'order_line.line_no'], { onDelete: 'CASCADE' }),
 *   ],
 * }) {}
 * ```
 */
export function ForeignKeyConstraint(
  columns: readonly string[],
  targets: readonly ForeignKeyTarget[],
  options?: ForeignKeyConstraintOptions,
): SqlForeignKeyConstraint {
  return new SqlForeignKeyConstraint(columns, targets, options);
}

/**
 * A CHECK constraint: SQL the database evaluates for every row; a violating write raises IntegrityError.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * class Product extends db.Model('Product', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   price: db.Column(db.Integer),
 * }, { tableArgs: [db.CheckConstraint('price >= 0', { name: 'ck_product_price' })] }) {}
 *
 * // Naming a column whose name needs quoting: a function of the dialect's quoting, right on every
 * // database (on MySQL "unitPrice" would be a string literal).
 * class Line extends db.Model('Line', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   unitPrice: db.Column(db.Integer),
 * }, { tableArgs: [db.CheckConstraint((q) => `${q('unitPrice')} >= 0`, { name: 'ck_line_price' })] }) {}
 * ```
 */
export function CheckConstraint(
  condition: string | ((quote: (identifier: string) => string) => string),
  options?: ConstraintOptions,
): SqlCheckConstraint {
  return typeof condition === 'function'
    ? SqlCheckConstraint.overColumns(condition, options)
    : new SqlCheckConstraint(condition, options);
}

/**
 * An index for `tableArgs` or `db.Table(...)`: over columns (by database name) and/or SQL expressions
 * (`text('lower(email)')`), `unique`, and partial with `where` on PostgreSQL and SQLite (MySQL has
 * no partial indexes and refuses one; MariaDB cannot index expressions and refuses those).
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * class Account extends db.Model('Account', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   email: db.Column(db.String(200)),
 *   deletedAt: db.Column('deleted_at', db.DateTime, { nullable: true }),
 * }, {
 *   tableArgs: [db.Index('ux_account_email', [db.text('lower(email)')], { unique: true, where: 'deleted_at IS NULL' })],
 * }) {}
 * ```
 */
export function Index(name: string, elements: readonly (string | TextClause)[], options?: IndexOptions): SqlIndex {
  return new SqlIndex(name, elements, options);
}

/**
 * `db.Table(name, ...columns, ...constraints, options?)`: an association (or any plain) table read as
 * SQLAlchemy's `Table(name, metadata, *args)`. Here the arguments are checked and the Core table is built;
 * `Database.Table` adds it to the models' metadata.
 */
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, isBoolean, isString, type OptionTable } from '../../sql/options.js';
import { isTableConstraint, type TableConstraint } from '../../sql/constraints.js';
import { Table as SqlTable, Column as SqlColumn } from '../../sql/schema.js';
import { ColumnDecl } from './declarative.js';
import { checkColumnDecl } from './model.js';

/**
 * A column of `db.Table(...)`: `db.Column('name', type, ...)`, named.
 *
 * @example
 * ```ts
 * import type { TableColumn } from 'relata';
 *
 * const postId: TableColumn = db.Column('post_id', db.Integer, db.ForeignKey('post.id'));
 * ```
 */
export type TableColumn = ColumnDecl<unknown, boolean>;

/**
 * The options object that may end `db.Table(name, ...columns)`.
 *
 * @example
 * db.Table('post_likes', db.Column('post_id', db.Integer, db.ForeignKey('post.id')), { associationPrimaryKey: false, comment: 'likes' });
 */
export interface TableOptions {
  /**
   * `false` keeps a `secondary` table without a primary key; by default one is made over the
   * foreign key columns its relationships use (rows of an association are unique pairs anyway).
   */
  associationPrimaryKey?: boolean;
  /** The table's comment in the database (COMMENT ON on PostgreSQL, inline on MySQL; none on SQLite). */
  comment?: string;
  /** The schema the table lives in: a PostgreSQL schema, a MySQL database, an attached SQLite database. */
  schema?: string;
}

const tableOptionTable = {
  known: { associationPrimaryKey: isBoolean, comment: isString, schema: isString },
  refused: {},
} as const satisfies OptionTable<TableOptions>;

/** The table `db.Table(name, ...args)` declares, not yet added to any metadata. */
export function buildTable(name: string, args: (TableColumn | TableConstraint | TableOptions)[]): SqlTable {
  if (typeof name !== 'string') throw new ArgumentError('db.Table(name, ...columns) needs the table name first');
  const last = args[args.length - 1];
  const options: TableOptions =
    typeof last === 'object' && last !== null && !(last instanceof ColumnDecl) && !isTableConstraint(last)
      ? (args.pop() as TableOptions)
      : {};
  checkOptions(options, tableOptionTable, `db.Table('${name}')`, ArgumentError);
  const cols: SqlColumn[] = [];
  const constraints: TableConstraint[] = [];
  args.forEach((c, i) => {
    if (isTableConstraint(c)) return void constraints.push(c);
    if (!(c instanceof ColumnDecl) || !c.name || constraints.length > 0)
      throw new ArgumentError(
        `db.Table('${name}'): argument ${i + 2} must be db.Column('name', type, ...)${constraints.length ? ' (columns come before constraints)' : ''}`,
      );
    checkColumnDecl(`db.Table('${name}') column '${c.name}'`, c);
    // A plain table's rows are never objects: nothing loads a column later, so nothing defers one.
    if (c.loading)
      throw new ArgumentError(
        `db.Table('${name}') column '${c.name}': deferred loading is for a model's columns (db.Model), not a table's`,
      );
    cols.push(new SqlColumn(c.name, c.type, c.foreignKeys, c.options));
  });
  const table = new SqlTable(name, cols, constraints, {
    ...(options.comment !== undefined && { comment: options.comment }),
    ...(options.schema !== undefined && { schema: options.schema }),
  });
  if (options.associationPrimaryKey === false) table.associationPrimaryKey = false;
  return table;
}

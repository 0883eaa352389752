/**
 * Schema objects for migration operations: a table named `'app.account'` split into schema and name,
 * `createTable`'s arguments read as `db.Table` reads them, one-column tables to render a column, and
 * stand-ins for the tables foreign keys refer to (they exist in the database, not in any MetaData).
 */
import { ColumnDecl } from '../orm/mapping/declarative.js';
import type { TableColumn, TableOptions } from '../orm/mapping/database.js';
import { checkColumnDecl } from '../orm/mapping/model.js';
import { isTableConstraint, type TableConstraint } from '../sql/constraints.js';
import { ArgumentError, RelataError } from '../sql/errors.js';
import { checkOptions, isBoolean, isString, type OptionTable } from '../sql/options.js';
import { Column, ForeignKey, MetaData, Table, type ColumnOptions } from '../sql/schema.js';
import { Integer, SqlType } from '../sql/types.js';
import type { TableRef } from '../sql/compiler.js';

/**
 * A migration operation was given something it cannot do, or the database does not have the table
 * or column it names: the message names the operation, the table and the column. Raised before the
 * operation's DDL runs where that can be checked.
 *
 * @example
 * ```ts
 * import { MigrationOperationError, type Operations } from 'relata';
 *
 * async function up(op: Operations): Promise<void> {
 *   try {
 *     await op.dropColumn('user', 'nickname');
 *   } catch (err) {
 *     if (err instanceof MigrationOperationError) console.log(err.table, err.column, err.message);
 *     throw err;
 *   }
 * }
 * ```
 */
export class MigrationOperationError extends RelataError {
  override readonly code = 'migration-operation';
  constructor(
    message: string,
    /** The table at fault, by its full name. */
    readonly table: string,
    /** The column at fault, when it is one. */
    readonly column?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `'app.account'` → `{ schema: 'app', name: 'account' }`; `'account'` → `{ name: 'account' }`. */
export function tableRef(fullName: string, where: string): TableRef & { readonly fullName: string } {
  if (typeof fullName !== 'string' || fullName === '' || fullName.split('.').length > 2 || /^\.|\.$/.test(fullName))
    throw new MigrationOperationError(
      `${where}: expected a table name ('account' or 'schema.account'), got ${JSON.stringify(fullName)}`,
      String(fullName),
    );
  const dot = fullName.indexOf('.');
  return dot < 0
    ? { name: fullName, fullName }
    : { schema: fullName.slice(0, dot), name: fullName.slice(dot + 1), fullName };
}

const tableOptionTable = {
  known: { associationPrimaryKey: isBoolean, comment: isString, schema: isString },
  refused: {},
} as const satisfies OptionTable<TableOptions>;

/** A declared column (`Column('email', String(120), …)`) as a new Column; its ForeignKeys copied, so a declaration may be used twice. */
export function columnFromDecl(decl: TableColumn, where: string): Column {
  if (!(decl instanceof ColumnDecl) || !decl.name)
    throw new MigrationOperationError(`${where}: expected Column('name', type, ...)`, where);
  checkColumnDecl(`${where} column '${decl.name}'`, decl);
  const fks = decl.foreignKeys.map((fk) => new ForeignKey(fk.target, fk.options));
  return new Column(decl.name, decl.type, fks, decl.options);
}

/** `createTable`'s arguments read as `db.Table` reads them: columns, then constraints, then options. */
export function tableFromArgs(
  fullName: string,
  args: readonly (TableColumn | TableConstraint | TableOptions)[],
  where: string,
): Table {
  const ref = tableRef(fullName, where);
  const list = [...args];
  const last = list[list.length - 1];
  const options: TableOptions =
    typeof last === 'object' && last !== null && !(last instanceof ColumnDecl) && !isTableConstraint(last)
      ? (list.pop() as TableOptions)
      : {};
  checkOptions(options, tableOptionTable, where, ArgumentError);
  if (options.schema !== undefined && ref.schema !== undefined && options.schema !== ref.schema)
    throw new MigrationOperationError(`${where}: schema '${options.schema}' contradicts the name`, fullName);
  const columns: Column[] = [];
  const constraints: TableConstraint[] = [];
  list.forEach((a, i) => {
    if (isTableConstraint(a)) return void constraints.push(a);
    if (constraints.length > 0)
      throw new MigrationOperationError(`${where}: argument ${i + 2} is a column after a constraint`, fullName);
    columns.push(columnFromDecl(a as TableColumn, where));
  });
  const schema = ref.schema ?? options.schema;
  return withTargets(
    new Table(ref.name, columns, constraints, {
      ...(options.comment !== undefined && { comment: options.comment }),
      ...(schema !== undefined && { schema }),
    }),
  );
}

/** A one-column Table of `ref`'s name holding `column`: what DDL renders a column with. */
export function columnTable(ref: TableRef, column: Column): Table {
  return withTargets(new Table(ref.name, [column], [], ref.schema !== undefined ? { schema: ref.schema } : {}));
}

/** A column like `c` with some properties changed (a new Column: a Column belongs to one table). */
export function changedColumn(
  c: Column,
  changes: { name?: string; type?: SqlType<unknown>; options?: ColumnOptions },
): Column {
  // A composite key's elements belong to its table-level constraint, not to the column.
  const fks = c.foreignKeys
    .filter((fk) => (fk.constraint?.columnNames.length ?? 1) === 1)
    .map((fk) => new ForeignKey(fk.target, fk.options));
  const options: ColumnOptions = {
    primaryKey: c.primaryKey,
    nullable: c.nullable,
    unique: c.unique,
    ...(c.serverDefault !== undefined && { serverDefault: c.serverDefault }),
    ...(c.comment !== undefined && { comment: c.comment }),
    ...(c.primaryKey && { autoincrement: c.autoincrement }),
    ...changes.options,
  };
  for (const key of Object.keys(options) as (keyof ColumnOptions)[])
    if (options[key] === undefined) delete options[key];
  return new Column(changes.name ?? c.name, changes.type ?? c.type, fks, options);
}

/**
 * Puts `table` in a MetaData with a stand-in for each table its foreign keys name (with just the
 * referred columns), so DDL can render REFERENCES without the whole database's schema.
 */
export function withTargets(table: Table): Table {
  const metadata = new MetaData();
  metadata.add(table);
  const wanted = new Map<string, Set<string>>();
  for (const fk of table.foreignKeys) {
    if (typeof fk.target !== 'string') continue;
    const dot = fk.target.lastIndexOf('.');
    const [t, c] = [fk.target.slice(0, dot), fk.target.slice(dot + 1)];
    if (t === table.fullName) continue;
    wanted.set(t, (wanted.get(t) ?? new Set()).add(c));
  }
  for (const [full, cols] of wanted) {
    const ref = tableRef(full, 'foreign key');
    const stub = new Table(
      ref.name,
      [...cols].map((c) => new Column(c, Integer)),
      [],
      ref.schema !== undefined ? { schema: ref.schema } : {},
    );
    metadata.add(stub);
  }
  return table;
}

/** The type of a placeholder column that only names a column in DDL (its type is never rendered). */
export const ANY_TYPE = new (class extends SqlType<unknown> {
  readonly typeName = 'Unknown';
})();

export function schemaOf(ref: TableRef): { schema?: string } {
  return ref.schema !== undefined ? { schema: ref.schema } : {};
}

export function checkNames(columns: readonly string[], where: string, ref: { readonly fullName: string }): void {
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && c !== ''))
    throw new MigrationOperationError(`${where}: expected a non-empty list of column names`, ref.fullName);
}

/**
 * What SQLite's ADD COLUMN accepts: no PRIMARY KEY or UNIQUE, a constant default, NOT NULL only with
 * a default; a foreign key is added by rebuilding too, so it keeps its constraint name.
 */
export function sqliteCanAdd(c: Column): boolean {
  if (c.unique || c.foreignKeys.length > 0) return false;
  const d = c.serverDefault?.trim();
  if (!c.nullable && d === undefined) return false;
  if (d !== undefined && (d.startsWith('(') || /^current_(time|date|timestamp)$/i.test(d))) return false;
  return true;
}

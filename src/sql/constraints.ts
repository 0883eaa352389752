/**
 * Table-level constraints, SQLAlchemy's `__table_args__`: a composite primary key, a foreign key
 * over several columns, a CHECK. They name their columns by database name and are bound to their
 * table when it is built; introspection and the migration differ compare these same objects.
 */
import { ArgumentError } from './errors.js';
import { checkOptions } from './options.js';
import { foreignKeyConstraintOptionTable, nameOptionTable } from './schema-options.js';
import { ForeignKey, Index, type Column, type ForeignKeyTarget, type ReferentialAction, type Table } from './schema.js';

/**
 * Options of `PrimaryKeyConstraint`, `CheckConstraint` (and the base of `ForeignKeyConstraint`'s).
 *
 * @example
 * db.CheckConstraint('qty > 0', { name: 'ck_line_qty' });
 */
export interface ConstraintOptions {
  /** Constraint name in the database; generated (`pk_<table>`, `fk_<table>_<columns>_<target>`, `ck_<table>_<n>`) when omitted. */
  name?: string;
}

/**
 * Options of `ForeignKeyConstraint`: its name and referential actions.
 *
 * @example
 * db.ForeignKeyConstraint(['order_id', 'region'], ['orders.id', 'orders.region'], { onDelete: 'CASCADE', name: 'fk_line_order' });
 */
export interface ForeignKeyConstraintOptions extends ConstraintOptions {
  /** ON DELETE: what the database does to these rows when the referred row is deleted. */
  onDelete?: ReferentialAction;
  /** ON UPDATE: what the database does to these rows when the referred key changes. */
  onUpdate?: ReferentialAction;
  /** Created after the tables with ALTER TABLE (tables that refer to each other): see `ForeignKeyOptions.useAlter`. */
  useAlter?: boolean;
}

function columnNames(names: unknown, where: string): string[] {
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== '')) {
    throw new ArgumentError(`${where}: expected a non-empty list of column names`);
  }
  if (new Set(names).size !== names.length) throw new ArgumentError(`${where}: a column is listed twice`);
  return names as string[];
}

function checkedOptions<O extends object>(options: O, where: string): O {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
  return options;
}

/**
 * The table's primary key over one or more columns; they become NOT NULL.
 *
 * @example
 * const line = db.Table('order_line',
 *   db.Column('order_id', db.Integer), db.Column('line_no', db.Integer),
 *   new PrimaryKeyConstraint(['order_id', 'line_no']));
 */
export class PrimaryKeyConstraint {
  readonly kind = 'primary-key-constraint';
  readonly columnNames: readonly string[];
  table!: Table;
  constructor(
    columns: readonly string[],
    readonly options: ConstraintOptions = {},
  ) {
    this.columnNames = columnNames(columns, 'PrimaryKeyConstraint');
    checkOptions(
      checkedOptions(options, 'PrimaryKeyConstraint'),
      nameOptionTable,
      'PrimaryKeyConstraint',
      ArgumentError,
    );
  }

  get name(): string {
    return this.options.name ?? `pk_${this.table.name}`;
  }
}

/**
 * A foreign key over several columns, to a composite key of another table (or one column, like
 * `ForeignKey`). `columns` are this table's, `targets` the referred `'table.column'`s in the same order.
 *
 * @example
 * const shipment = db.Table('shipment',
 *   db.Column('id', db.Integer, { primaryKey: true }),
 *   db.Column('order_id', db.Integer), db.Column('line_no', db.Integer),
 *   new ForeignKeyConstraint(['order_id', 'line_no'], ['order_line.order_id', 'order_line.line_no'], { onDelete: 'CASCADE' }));
 */
export class ForeignKeyConstraint {
  readonly kind = 'foreign-key-constraint';
  readonly columnNames: readonly string[];
  /** One ForeignKey per column, in order: what relationships read (they are in `table.foreignKeys`). */
  elements: readonly ForeignKey[];
  table!: Table;
  constructor(
    columns: readonly string[],
    targets: readonly ForeignKeyTarget[],
    readonly options: ForeignKeyConstraintOptions = {},
  ) {
    const where = `ForeignKeyConstraint([${Array.isArray(columns) ? columns.map((c) => `'${String(c)}'`).join(', ') : ''}])`;
    this.columnNames = columnNames(columns, where);
    checkOptions(checkedOptions(options, where), foreignKeyConstraintOptionTable, where, ArgumentError);
    if (!Array.isArray(targets) || targets.length !== this.columnNames.length) {
      throw new ArgumentError(`${where}: expected ${this.columnNames.length} targets, one per column`);
    }
    this.elements = targets.map((t) => {
      const fk = new ForeignKey(t);
      fk.constraint = this;
      return fk;
    });
  }

  /** @internal The one-column constraint of a `ForeignKey` declared on its column. */
  static forColumn(fk: ForeignKey): ForeignKeyConstraint {
    const c = new ForeignKeyConstraint([fk.parent.name], [fk.target], {
      ...(fk.options.name !== undefined && { name: fk.options.name }),
      ...(fk.options.ondelete !== undefined && { onDelete: fk.options.ondelete }),
      ...(fk.options.onupdate !== undefined && { onUpdate: fk.options.onupdate }),
      ...(fk.options.useAlter !== undefined && { useAlter: fk.options.useAlter }),
    });
    c.elements = [fk];
    fk.constraint = c;
    return c;
  }

  get columns(): Column[] {
    return this.elements.map((e) => e.parent);
  }

  /** Whether DDL adds this key after the tables (ALTER TABLE ADD CONSTRAINT), as `useAlter: true` asks. */
  get useAlter(): boolean {
    return this.options.useAlter === true;
  }

  /** The referred columns, checked: one table, and never part of a composite key only. */
  get referredColumns(): Column[] {
    const cols = this.elements.map((e) => e.column);
    const target = cols[0]!.table;
    const where = `foreign key (${this.columnNames.join(', ')}) of table '${this.table.name}'`;
    if (cols.some((c) => c.table !== target)) throw new ArgumentError(`${where}: its targets are in different tables`);
    const pk = target.primaryKey;
    const partOfPk = cols.length < pk.length && cols.every((c) => pk.includes(c));
    // Part of the key is fine when it is unique by itself (a column's unique: true, or a UniqueConstraint over exactly it).
    const names = cols.map((c) => c.name).join(',');
    const unique =
      (cols.length === 1 && cols[0]!.unique) || target.uniqueConstraints.some((u) => u.columnNames.join(',') === names);
    if (partOfPk && !unique) {
      throw new ArgumentError(
        `${where} refers to ${cols.map((c) => `${target.name}.${c.name}`).join(', ')}, part of the composite primary key ` +
          `(${pk.map((c) => c.name).join(', ')}) of '${target.name}': a foreign key must refer to the whole key. ` +
          `Declare ForeignKeyConstraint([<${pk.length} columns>], [${pk.map((c) => `'${target.name}.${c.name}'`).join(', ')}]) in the table's arguments`,
        { model: this.table.name, column: this.columnNames[0]! },
      );
    }
    return cols;
  }

  get name(): string {
    if (this.options.name) return this.options.name;
    return `fk_${this.table.name}_${this.columnNames.join('_')}_${this.elements[0]!.column.table.name}`;
  }
}

/**
 * A CHECK constraint: SQL text the database evaluates for every row (`'price >= 0'`).
 *
 * @example
 * const Product = db.Model('Product', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   price: db.Column(db.Integer),
 * }, { tableArgs: [new CheckConstraint('price >= 0', { name: 'ck_product_price' })] });
 */
export class CheckConstraint {
  readonly kind = 'check-constraint';
  table!: Table;
  constructor(
    readonly sql: string,
    readonly options: ConstraintOptions = {},
  ) {
    if (typeof sql !== 'string' || sql.trim() === '') throw new ArgumentError('CheckConstraint: expected SQL text');
    checkOptions(checkedOptions(options, 'CheckConstraint'), nameOptionTable, 'CheckConstraint', ArgumentError);
  }

  get name(): string {
    return this.options.name ?? `ck_${this.table.name}_${this.table.checks.indexOf(this) + 1}`;
  }
}

/**
 * A UNIQUE constraint over one or more columns (by database name). A column's `unique: true` is the
 * one-column constraint `uq_<table>_<column>`; declare this one for several columns together.
 *
 * @example
 * const seat = db.Table('seat',
 *   db.Column('id', db.Integer, { primaryKey: true }),
 *   db.Column('row', db.Integer), db.Column('number', db.Integer),
 *   new UniqueConstraint(['row', 'number'], { name: 'uq_seat_place' }));
 */
export class UniqueConstraint {
  readonly kind = 'unique-constraint';
  readonly columnNames: readonly string[];
  table!: Table;
  constructor(
    columns: readonly string[],
    readonly options: ConstraintOptions = {},
  ) {
    this.columnNames = columnNames(columns, 'UniqueConstraint');
    checkOptions(checkedOptions(options, 'UniqueConstraint'), nameOptionTable, 'UniqueConstraint', ArgumentError);
  }

  /** @internal The constraint of a column declared `unique: true`. */
  static forColumn(column: Column): UniqueConstraint {
    return new UniqueConstraint([column.name]);
  }

  /** The declared name, else `uq_<table>_<columns>` (for one column: what its `unique: true` makes). */
  get name(): string {
    return this.options.name ?? `uq_${this.table.name}_${this.columnNames.join('_')}`;
  }

  get columns(): Column[] {
    return this.columnNames.map((n) => this.table.column(n));
  }
}

/**
 * What a table accepts besides its columns (SQLAlchemy's `__table_args__`): constraints and indexes.
 *
 * @example
 * ```ts
 * import type { TableConstraint } from 'relata';
 *
 * const tableArgs: TableConstraint[] = [db.PrimaryKeyConstraint(['a', 'b']), db.Index('ix_t_c', ['c'])];
 * ```
 */
export type TableConstraint = PrimaryKeyConstraint | ForeignKeyConstraint | CheckConstraint | UniqueConstraint | Index;

/** True for a value `Table` accepts as a constraint. */
export function isTableConstraint(v: unknown): v is TableConstraint {
  return (
    v instanceof PrimaryKeyConstraint ||
    v instanceof ForeignKeyConstraint ||
    v instanceof CheckConstraint ||
    v instanceof UniqueConstraint ||
    v instanceof Index
  );
}

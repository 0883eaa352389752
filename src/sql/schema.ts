/** Tables, columns and constraints: what DDL is made from and what the mapper reads foreign keys from. */
import { ArgumentError } from './errors.js';
import { ColumnRef, type ColumnElement } from './expressions.js';
import { checkOptions, describeValue } from './options.js';
import { columnOptionTable, foreignKeyOptionTable } from './schema-options.js';
import { SqlType } from './types.js';

export type ReferentialAction = 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION' | 'SET DEFAULT';

/**
 * Options of `ForeignKey(target, options)`: the referential actions and the constraint's name.
 *
 * @example
 * ```ts
 * import type { ForeignKeyOptions } from 'relata';
 *
 * const cascade: ForeignKeyOptions = { ondelete: 'CASCADE', name: 'fk_comment_post' };
 * class Comment extends db.Model('Comment', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   postId: db.Column(db.Integer, db.ForeignKey('post.id', cascade), { nullable: false }),
 * }) {}
 * ```
 */
export interface ForeignKeyOptions {
  /** ON DELETE: what the database does to this row when the referenced row is deleted. */
  ondelete?: ReferentialAction;
  /** ON UPDATE: what the database does when the referenced key changes. */
  onupdate?: ReferentialAction;
  /** Constraint name; generated as fk_<table>_<column>_<target> when omitted. */
  name?: string;
}

/** What a foreign key points at: 'table.column', a column expression, or a thunk for one defined later. */
export type ForeignKeyTarget = string | ColumnElement | (() => ColumnElement);

/** `ForeignKey('user.id')` or `ForeignKey(() => User.id)`; resolved when the metadata is complete. */
export class ForeignKey {
  readonly kind = 'foreign-key';
  parent!: Column;
  private resolved: Column | undefined;
  constructor(
    readonly target: ForeignKeyTarget,
    readonly options: ForeignKeyOptions = {},
  ) {
    if (typeof target === 'string' && !/^[^.]+\.[^.]+$/.test(target)) {
      throw new ArgumentError(`ForeignKey('${target}'): expected 'table.column'`);
    }
    const where = `ForeignKey(${typeof target === 'string' ? `'${target}'` : '…'})`;
    if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
    checkOptions(options, foreignKeyOptionTable, where, ArgumentError);
  }

  /** The referenced column; throws naming this foreign key if its table or column does not exist. */
  get column(): Column {
    if (this.resolved) return this.resolved;
    this.resolved = this.resolve();
    return this.resolved;
  }

  get targetTableName(): string {
    return typeof this.target === 'string' ? this.target.split('.')[0]! : this.column.table.name;
  }

  get constraintName(): string {
    return this.options.name ?? `fk_${this.parent.table.name}_${this.parent.name}_${this.column.table.name}`;
  }

  private resolve(): Column {
    const where = `ForeignKey on ${this.parent.table.name}.${this.parent.name}`;
    let target = this.target;
    if (typeof target === 'function') target = target();
    if (typeof target !== 'string') {
      if (target instanceof ColumnRef) return target.column;
      throw new ArgumentError(`${where}: target is not a column`);
    }
    const [tableName, columnName] = target.split('.') as [string, string];
    const table = this.parent.table.metadata?.tables.get(tableName);
    if (!table) {
      const known = [...(this.parent.table.metadata?.tables.keys() ?? [])].join(', ');
      throw new ArgumentError(`${where} refers to table '${tableName}', which does not exist (tables: ${known})`);
    }
    const column = table.columnsByName.get(columnName);
    if (!column) {
      throw new ArgumentError(`${where} refers to column '${target}', which table '${tableName}' does not have`);
    }
    return column;
  }
}

/**
 * Options of `Column(type, options)`. `primaryKey: true` or `nullable: false` make the attribute's
 * type non-null; an unknown option is refused, naming the column.
 *
 * @example
 * ```ts
 * class Article extends db.Model('Article', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   slug: db.Column(db.String(120), { nullable: false, unique: true, index: true }),
 *   publishedAt: db.Column(db.DateTime, { name: 'published_at', default: () => new Date() }),
 * }) {}
 * ```
 */
export interface ColumnOptions<V = unknown> {
  /** Part of the primary key (non-null). */
  primaryKey?: boolean;
  /** false: NOT NULL, and the attribute's type has no `| null` (default true, except primary keys). */
  nullable?: boolean;
  /** A UNIQUE constraint on this column. */
  unique?: boolean;
  /** An index on this column (`ix_<table>_<column>`). */
  index?: boolean;
  /** A value, or a function called for each INSERT (e.g. `() => new Date()`). */
  default?: V | (() => V);
  /** Column name in the database when it differs from the attribute name. */
  name?: string;
  /** Integer primary keys autoincrement unless this is false. */
  autoincrement?: boolean;
}

export class Column<V = unknown> {
  readonly kind = 'column-def';
  table!: Table;
  /** Attribute name on the model; equals `name` unless the model maps it differently. */
  key: string;
  readonly primaryKey: boolean;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly index: boolean;
  readonly default: ColumnOptions<V>['default'];
  readonly foreignKeys: ForeignKey[];
  private readonly autoincrementOption: boolean | undefined;

  constructor(
    public name: string,
    readonly type: SqlType<V>,
    foreignKeys: ForeignKey[] = [],
    options: ColumnOptions<V> = {},
  ) {
    if (!(type instanceof SqlType)) {
      throw new ArgumentError(`Column '${name}': type must be a SQL type such as Integer, got ${describeValue(type)}`);
    }
    checkOptions(options, columnOptionTable, `Column '${name}'`, ArgumentError);
    this.key = name;
    this.primaryKey = options.primaryKey ?? false;
    this.nullable = options.nullable ?? !this.primaryKey;
    this.unique = options.unique ?? false;
    this.index = options.index ?? false;
    this.default = options.default;
    this.autoincrementOption = options.autoincrement;
    this.foreignKeys = foreignKeys;
    for (const fk of foreignKeys) fk.parent = this;
  }

  /** True for the single integer primary key of a table, whose values the database generates. */
  get autoincrement(): boolean {
    if (this.autoincrementOption === false || !this.primaryKey) return false;
    if (this.table.primaryKey.length !== 1) return this.autoincrementOption === true;
    return this.type.typeName === 'Integer' || this.type.typeName === 'BigInteger';
  }

  /** The default for an INSERT that did not set this column, or undefined when there is none. */
  defaultValue(): V | undefined {
    const d = this.default;
    const value = typeof d === 'function' ? (d as () => V)() : d;
    // A default is a value written like any other: it must round-trip too (a `() => new Date(NaN)`, a 1.5 in an Integer).
    const problem = value === null || value === undefined ? null : this.type.checkValue(value);
    if (problem)
      throw new ArgumentError(`${this.table.name}.${this.name}: its default: ${problem}`, {
        model: this.table.name,
        column: this.name,
      });
    return value;
  }
}

export class Index {
  constructor(
    readonly name: string,
    readonly columns: readonly Column[],
    readonly unique: boolean,
  ) {}
}

/**
 * A table: a FROM clause whose columns are in `c` (`post_tags.c.post_id`). `db.Table(...)` declares
 * one (an association table); a model's is its `__table__`.
 *
 * @example
 * ```ts
 * import { selectColumns } from 'relata';
 *
 * const rows = await session.execute(selectColumns(post_tags.c.post_id!).filter(post_tags.c.tag_id!.eq(1)));
 * console.log(post_tags.name, post_tags.columns.map((c) => c.name)); // 'post_tags', ['post_id', 'tag_id']
 * ```
 */
export class Table {
  /** @internal Tells FROM clauses apart. */
  readonly kind = 'table';
  /** The columns, in declaration order. */
  readonly columns: readonly Column[];
  /** The columns by database name. */
  readonly columnsByName = new Map<string, Column>();
  /** The primary key's columns (none for an association table). */
  readonly primaryKey: readonly Column[];
  /** Every foreign key of its columns. */
  readonly foreignKeys: readonly ForeignKey[];
  /** @internal The indexes createAll() creates. */
  readonly indexes: Index[] = [];
  /** Column expressions by attribute name, for Core queries: `post_tags.c.post_id.eq(1)`. */
  readonly c: Record<string, ColumnRef>;
  /** @internal The metadata it was added to. */
  metadata: MetaData | undefined;

  constructor(
    /** The table's name in the database. */
    readonly name: string,
    columns: readonly Column[],
  ) {
    if (columns.length === 0) throw new ArgumentError(`Table '${name}' has no columns`);
    this.columns = columns;
    this.c = {};
    for (const col of columns) {
      if (this.columnsByName.has(col.name))
        throw new ArgumentError(`Table '${name}' has two columns named '${col.name}'`);
      col.table = this;
      this.columnsByName.set(col.name, col);
      this.c[col.key] = new ColumnRef(col, this);
      if (col.index) this.indexes.push(new Index(`ix_${name}_${col.name}`, [col], false));
    }
    this.primaryKey = columns.filter((c) => c.primaryKey);
    this.foreignKeys = columns.flatMap((c) => c.foreignKeys);
  }

  /** The column named `name`, or an error naming the table and its columns. */
  column(name: string): Column {
    const col = this.columnsByName.get(name);
    if (!col) {
      throw new ArgumentError(
        `Table '${this.name}' has no column '${name}' (columns: ${this.columns.map((c) => c.name).join(', ')})`,
      );
    }
    return col;
  }

  /** Foreign keys of this table that point at `target`. */
  foreignKeysTo(target: Table): ForeignKey[] {
    return this.foreignKeys.filter((fk) => fk.column.table === target);
  }
}

/**
 * The set of tables of one schema, ordered by foreign-key dependency for DDL. Each Database keeps
 * its own; `db.Table()` and `db.Model()` add to it.
 *
 * @example
 * ```ts
 * import { MetaData } from 'relata';
 *
 * const metadata = new MetaData();
 * metadata.add(post_tags);
 * console.log([...metadata.tables.keys()]); // ['post_tags']
 * const ddlOrder = metadata.sortedTables(); // referenced tables before the tables that refer to them
 * ```
 */
export class MetaData {
  /** The tables by name. */
  readonly tables = new Map<string, Table>();

  /** Adds a table (refusing a second, different table of the same name) and returns it. */
  add(table: Table): Table {
    const existing = this.tables.get(table.name);
    if (existing && existing !== table) throw new ArgumentError(`Table '${table.name}' is already defined`);
    table.metadata = this;
    this.tables.set(table.name, table);
    return table;
  }

  /** Tables with every referenced table before its referrers (self-references ignored). */
  sortedTables(): Table[] {
    const out: Table[] = [];
    const state = new Map<Table, 'visiting' | 'done'>();
    const visit = (t: Table): void => {
      if (state.get(t) === 'done' || state.get(t) === 'visiting') return;
      state.set(t, 'visiting');
      for (const fk of t.foreignKeys) if (fk.column.table !== t) visit(fk.column.table);
      state.set(t, 'done');
      out.push(t);
    };
    for (const t of this.tables.values()) visit(t);
    return out;
  }
}

/** Tables, columns and constraints: what DDL is made from and what the mapper reads foreign keys from. */
import { ArgumentError } from './errors.js';
import { ColumnRef, TextClause, type ColumnElement } from './expressions.js';
import { checkOptions, describeValue } from './options.js';
import { columnOptionTable, foreignKeyOptionTable, indexOptionTable } from './schema-options.js';
import { SqlType } from './types.js';
import { sortTablesAndConstraints, type TableDDLOrder } from './ddl-order.js';
import {
  CheckConstraint,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  UniqueConstraint,
  isTableConstraint,
  type TableConstraint,
} from './constraints.js';

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
  /**
   * Create the constraint after the tables, with ALTER TABLE ADD CONSTRAINT, and drop it before
   * them: for tables that refer to each other (SQLAlchemy's `use_alter`). A cycle's keys are added
   * this way even unmarked, with a warning; SQLite, which cannot add a constraint to a table,
   * keeps them in its CREATE TABLE (it checks foreign keys when rows are written).
   */
  useAlter?: boolean;
}

/** What a foreign key points at: 'table.column', a column expression, or a thunk for one defined later. */
export type ForeignKeyTarget = string | ColumnElement | (() => ColumnElement);

/** `ForeignKey('user.id')` or `ForeignKey(() => User.id)`; resolved when the metadata is complete. */
export class ForeignKey {
  readonly kind = 'foreign-key';
  parent!: Column;
  /** The constraint this key is one column of: a `ForeignKeyConstraint`, or the column's own one-column constraint. */
  constraint: ForeignKeyConstraint | undefined;
  private resolved: Column | undefined;
  constructor(
    readonly target: ForeignKeyTarget,
    readonly options: ForeignKeyOptions = {},
  ) {
    if (typeof target === 'string' && !/^([^.]+\.)?[^.]+\.[^.]+$/.test(target)) {
      throw new ArgumentError(`ForeignKey('${target}'): expected 'table.column' or 'schema.table.column'`);
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
    return typeof this.target === 'string'
      ? this.target.slice(0, this.target.lastIndexOf('.'))
      : this.column.table.fullName;
  }

  /** The name of the constraint this key is part of (`fk_<table>_<columns>_<target>` unless named). */
  get constraintName(): string {
    return this.constraint!.name;
  }

  private resolve(): Column {
    const where = `ForeignKey on ${this.parent.table.name}.${this.parent.name}`;
    let target = this.target;
    if (typeof target === 'function') target = target();
    if (typeof target !== 'string') {
      if (target instanceof ColumnRef) return target.column;
      throw new ArgumentError(`${where}: target is not a column`);
    }
    const dot = target.lastIndexOf('.');
    const [tableName, columnName] = [target.slice(0, dot), target.slice(dot + 1)];
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
  /**
   * A default the database applies (SQLAlchemy's server_default): SQL text written into the DDL as
   * is (`'0'`, `"'draft'"`, `'CURRENT_TIMESTAMP'`; MySQL wants an expression in parentheses). A flush
   * that leaves the column unset reads the value back after the INSERT.
   */
  serverDefault?: string | TextClause;
  /** A value, or a function called for each UPDATE of the row that does not set this column (SQLAlchemy's onupdate). */
  onUpdate?: V | (() => V);
  /** The column's comment in the database (COMMENT ON on PostgreSQL, inline on MySQL; SQLite has no comments and keeps none). */
  comment?: string;
}

export class Column<V = unknown> {
  readonly kind = 'column-def';
  table!: Table;
  /** Attribute name on the model; equals `name` unless the model maps it differently. */
  key: string;
  /** Set by the column's option, or by the table's `PrimaryKeyConstraint` (which also makes it NOT NULL). */
  primaryKey: boolean;
  nullable: boolean;
  readonly unique: boolean;
  readonly index: boolean;
  readonly default: ColumnOptions<V>['default'];
  readonly comment: string | undefined;
  /** SQL text of the database-side default, rendered as `DEFAULT <sql>`. */
  readonly serverDefault: string | undefined;
  readonly onUpdate: ColumnOptions<V>['onUpdate'];
  readonly foreignKeys: ForeignKey[];
  private readonly autoincrementOption: boolean | undefined;
  /** Whether `nullable` was given explicitly (a primary key column cannot be nullable: see Table). */
  readonly nullableGiven: boolean;

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
    this.nullableGiven = options.nullable !== undefined;
    this.unique = options.unique ?? false;
    this.index = options.index ?? false;
    this.default = options.default;
    this.comment = options.comment;
    const sd = options.serverDefault;
    if (sd instanceof TextClause && sd.params.length > 0)
      throw new ArgumentError(`Column '${name}': a serverDefault cannot have bound parameters (${sd.text})`);
    this.serverDefault = sd instanceof TextClause ? sd.text : sd;
    this.onUpdate = options.onUpdate;
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
    return this.checkedValue(this.default, 'default');
  }

  /** The value an UPDATE of the row writes when it does not set this column (`onUpdate`). */
  onUpdateValue(): V | undefined {
    return this.checkedValue(this.onUpdate, 'onUpdate');
  }

  private checkedValue(d: V | (() => V) | undefined, what: string): V | undefined {
    const value = typeof d === 'function' ? (d as () => V)() : d;
    // A default is a value written like any other: it must round-trip too (a `() => new Date(NaN)`, a 1.5 in an Integer).
    const problem = value === null || value === undefined ? null : this.type.checkValue(value);
    if (problem)
      throw new ArgumentError(`${this.table.name}.${this.name}: its ${what}: ${problem}`, {
        model: this.table.name,
        column: this.name,
      });
    return value;
  }
}

/**
 * Options of `Index`: unique, and partial (`where`).
 *
 * @example
 * db.Index('ux_account_email', ['email'], { unique: true, where: 'deleted_at IS NULL' });
 */
export interface IndexOptions {
  unique?: boolean;
  /** A partial index's condition, as SQL text (`'deleted_at IS NULL'`): PostgreSQL and SQLite; MySQL has none and refuses it. */
  where?: string;
}

/** One part of an index: a column, or an SQL expression (`text('lower(email)')`, without parameters). */
export type IndexElement = Column | TextClause;

/**
 * An index over columns and/or expressions: `new Index('ix_user_name', ['last', 'first'])`, unique or
 * partial. Columns are named by database name and bound when the index is given to its table.
 */
export class Index {
  readonly kind = 'index';
  readonly unique: boolean;
  readonly where: string | undefined;
  /** What was declared: column names (or columns) and expressions; `elements` once bound to the table. */
  private readonly declared: readonly (string | Column | TextClause)[];
  elements: readonly IndexElement[] = [];
  table!: Table;

  constructor(
    readonly name: string,
    elements: readonly (string | Column | TextClause)[],
    options: IndexOptions = {},
  ) {
    const where = `Index('${String(name)}')`;
    if (typeof name !== 'string' || name === '') throw new ArgumentError('Index(name, elements): expected a name');
    if (!Array.isArray(elements) || elements.length === 0)
      throw new ArgumentError(`${where}: expected a non-empty list of column names or text() expressions`);
    for (const e of elements) {
      if (e instanceof TextClause && e.params.length > 0)
        throw new ArgumentError(`${where}: an index expression cannot have bound parameters (${e.text})`);
      if (typeof e !== 'string' && !(e instanceof TextClause) && !(e instanceof Column))
        throw new ArgumentError(`${where}: ${describeValue(e)} is neither a column name nor a text() expression`);
    }
    if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
    checkOptions(options, indexOptionTable, where, ArgumentError);
    this.declared = elements;
    this.unique = options.unique ?? false;
    this.where = options.where;
    if (elements.every((e) => e instanceof Column)) this.elements = elements as Column[];
  }

  /** @internal Resolves column names against `table`. */
  bind(table: Table, column: (name: string) => Column): void {
    this.table = table;
    this.elements = this.declared.map((e) => (typeof e === 'string' ? column(e) : e));
  }

  /** The index's columns, when it has no expression; null when it has one. */
  get columns(): Column[] | null {
    return this.elements.every((e) => e instanceof Column) ? (this.elements as Column[]) : null;
  }
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
  /** The primary key's columns (none for an association table until mappers are configured). */
  primaryKey: readonly Column[];
  /** The named primary key when the table declares one with `PrimaryKeyConstraint`. */
  primaryKeyConstraint: PrimaryKeyConstraint | undefined;
  /** Every column of every foreign key, one-column and composite: what relationships read. */
  readonly foreignKeys: readonly ForeignKey[];
  /** The foreign keys as constraints: a column's `ForeignKey` is a one-column constraint. What DDL emits. */
  readonly foreignKeyConstraints: readonly ForeignKeyConstraint[];
  /** The table's CHECK constraints. */
  readonly checks: readonly CheckConstraint[];
  /** The UNIQUE constraints: one per `unique: true` column (`uq_<table>_<column>`), then the declared ones. What DDL emits. */
  readonly uniqueConstraints: readonly UniqueConstraint[];
  /** The indexes createAll() creates: `index: true` columns and declared `Index`es. */
  readonly indexes: Index[] = [];
  /** Column expressions by attribute name, for Core queries: `post_tags.c.post_id.eq(1)`. */
  readonly c: Record<string, ColumnRef>;
  /** @internal The metadata it was added to. */
  metadata: MetaData | undefined;
  /** Whether a relationship using this table as its `secondary` gives it a primary key over its foreign keys when it has none. */
  associationPrimaryKey = true;

  /** The table's comment in the database (see ColumnOptions.comment). */
  readonly comment: string | undefined;
  /**
   * The schema the table lives in: a PostgreSQL schema, a MySQL database, an attached SQLite
   * database; undefined for the connection's default one.
   */
  readonly schema: string | undefined;

  constructor(
    /** The table's name in the database. */
    readonly name: string,
    columns: readonly Column[],
    constraints: readonly TableConstraint[] = [],
    options: { comment?: string; schema?: string } = {},
  ) {
    this.comment = options.comment;
    this.schema = options.schema;
    if (
      this.schema !== undefined &&
      (typeof this.schema !== 'string' || this.schema === '' || this.schema.includes('.'))
    )
      throw new ArgumentError(`Table '${name}': schema must be a name without dots, got ${describeValue(this.schema)}`);
    if (columns.length === 0) throw new ArgumentError(`Table '${name}' has no columns`);
    this.columns = columns;
    this.c = {};
    for (const col of columns) this.attachColumn(col);
    const fkcs = columns.flatMap((c) => c.foreignKeys.map((fk) => ForeignKeyConstraint.forColumn(fk)));
    const checks: CheckConstraint[] = [];
    const uniques = columns.filter((c) => c.unique).map((c) => UniqueConstraint.forColumn(c));
    for (const k of constraints) {
      if (!isTableConstraint(k)) {
        throw new ArgumentError(
          `Table '${name}': ${describeValue(k)} is not a constraint (PrimaryKeyConstraint, ForeignKeyConstraint, CheckConstraint, UniqueConstraint, Index)`,
        );
      }
      if (k.table && k.table !== this)
        throw new ArgumentError(`Table '${name}': its ${k.kind} belongs to table '${k.table.name}'`);
      k.table = this;
      if (k instanceof PrimaryKeyConstraint) this.setPrimaryKey(k);
      else if (k instanceof Index) {
        k.bind(this, (n) => this.constraintColumn(n, `Index '${k.name}'`));
        this.indexes.push(k);
      } else if (k instanceof ForeignKeyConstraint) {
        k.columnNames.forEach((n, i) => {
          const col = this.constraintColumn(n, 'ForeignKeyConstraint');
          k.elements[i]!.parent = col;
          col.foreignKeys.push(k.elements[i]!);
        });
        fkcs.push(k);
      } else if (k instanceof UniqueConstraint) {
        for (const n of k.columnNames)
          this.constraintColumn(n, `UniqueConstraint '${k.options.name ?? k.columnNames.join(', ')}'`);
        uniques.push(k);
      } else checks.push(k);
    }
    for (const k of [...fkcs, ...uniques]) k.table = this;
    this.uniqueConstraints = uniques;
    this.foreignKeyConstraints = fkcs;
    this.checks = checks;
    this.primaryKey ??= columns.filter((c) => c.primaryKey);
    this.foreignKeys = fkcs.flatMap((k) => k.elements);
  }

  /** @internal Adds a CHECK the mapping derives once the models are configured (a polymorphic association's). */
  addCheck(check: CheckConstraint): void {
    if (check.table && check.table !== this)
      throw new ArgumentError(`Table '${this.name}': its check-constraint belongs to table '${check.table.name}'`);
    check.table = this;
    (this.checks as CheckConstraint[]).push(check);
  }

  /**
   * @internal Adds a column after construction: a single-table-inheritance subclass's columns live
   * in its base's table (SQLAlchemy adds them to the parent's Table the same way).
   */
  appendColumn(col: Column): void {
    this.attachColumn(col);
    (this.columns as Column[]).push(col);
    for (const fk of col.foreignKeys) {
      const k = ForeignKeyConstraint.forColumn(fk);
      k.table = this;
      (this.foreignKeyConstraints as ForeignKeyConstraint[]).push(k);
      (this.foreignKeys as ForeignKey[]).push(fk);
    }
    if (col.unique) {
      const u = UniqueConstraint.forColumn(col);
      u.table = this;
      (this.uniqueConstraints as UniqueConstraint[]).push(u);
    }
  }

  /** A column becomes this table's: its name checked unique, its `c` entry and its one-column index. */
  private attachColumn(col: Column): void {
    if (this.columnsByName.has(col.name))
      throw new ArgumentError(`Table '${this.name}' has two columns named '${col.name}'`);
    col.table = this;
    this.columnsByName.set(col.name, col);
    this.c[col.key] = new ColumnRef(col, this);
    if (col.index) this.indexes.push(new Index(`ix_${this.name}_${col.name}`, [col]));
  }

  private setPrimaryKey(k: PrimaryKeyConstraint): void {
    if (this.primaryKeyConstraint) throw new ArgumentError(`Table '${this.name}' has two PrimaryKeyConstraints`);
    const cols = k.columnNames.map((n) => this.constraintColumn(n, 'PrimaryKeyConstraint'));
    const marked = this.columns.filter((c) => c.primaryKey && !cols.includes(c));
    if (marked.length) {
      throw new ArgumentError(
        `Table '${this.name}': column '${marked[0]!.name}' has primaryKey: true but is not in the PrimaryKeyConstraint (${k.columnNames.join(', ')}); declare the key in one place`,
        { model: this.name, column: marked[0]!.name },
      );
    }
    this.primaryKeyConstraint = k;
    this.markPrimaryKey(cols);
  }

  /**
   * @internal Makes `columns` the primary key (a PrimaryKeyConstraint, or the default key of an
   * association table); they become NOT NULL, and a column declared `nullable: true` is refused.
   */
  markPrimaryKey(columns: readonly Column[]): void {
    for (const c of columns) {
      if (c.nullable && c.nullableGiven) {
        throw new ArgumentError(`${this.name}.${c.name}: a primary key column cannot be nullable`, {
          model: this.name,
          column: c.name,
        });
      }
      c.primaryKey = true;
      c.nullable = false;
    }
    this.primaryKey = columns;
  }

  private constraintColumn(name: string, what: string): Column {
    const col = this.columnsByName.get(name);
    if (!col) {
      throw new ArgumentError(
        `Table '${this.name}': ${what} names column '${name}', which the table does not have (columns: ${this.columns.map((c) => c.name).join(', ')})`,
        { model: this.name, column: name },
      );
    }
    return col;
  }

  /** `schema.name`, or `name` without a schema: the table's key in its MetaData and in `'schema.table.column'` targets. */
  get fullName(): string {
    return this.schema === undefined ? this.name : `${this.schema}.${this.name}`;
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
    const existing = this.tables.get(table.fullName);
    if (existing && existing !== table) throw new ArgumentError(`Table '${table.fullName}' is already defined`);
    table.metadata = this;
    this.tables.set(table.fullName, table);
    return table;
  }

  /**
   * Tables with every referenced table before its referrers (self-references ignored), leaving out
   * the foreign keys `sortedTablesAndConstraints()` adds after the tables (`useAlter`, cycles).
   */
  sortedTables(): Table[] {
    return [...this.sortedTablesAndConstraints().tables];
  }

  /** The DDL order: the tables, and the foreign keys created after them (`useAlter` ones and those of a cycle). */
  sortedTablesAndConstraints(): TableDDLOrder {
    return sortTablesAndConstraints([...this.tables.values()]);
  }
}

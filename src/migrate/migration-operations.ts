/**
 * The operations a migration runs (see operations.ts), on the connection the runner holds inside its
 * transaction: each checks what it names against the catalog, compiles the dialect's DDL and runs it
 * (or, in a dry run, only reports it). SQLite's table rebuilds are in sqlite-batch.ts.
 */
import type { Dialect } from '../dialects/dialect.js';
import type { Connection } from '../engine/engine.js';
import type { TableColumn, TableOptions } from '../orm/mapping/database.js';
import { Inspector } from '../schema/introspect/index.js';
import { IntrospectionError, type ReflectedColumn } from '../schema/introspect/reflected.js';
import type { SqlCompiler, TableRef } from '../sql/compiler.js';
import {
  CheckConstraint,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  type TableConstraint,
} from '../sql/constraints.js';
import { ArgumentError } from '../sql/errors.js';
import { TextClause } from '../sql/expressions.js';
import { checkOptions } from '../sql/options.js';
import {
  CONSTRAINT_KINDS,
  alterOptionTable,
  existingOptionTable,
  foreignKeyOptionTable,
  indexOptionTable,
  operationsOptionTable,
} from './op-options.js';
import { Column, Index, Table } from '../sql/schema.js';
import { SqlType } from '../sql/types.js';
import {
  MigrationOperationError,
  changedColumn,
  columnFromDecl,
  columnTable,
  tableFromArgs,
  tableRef,
  withTargets,
} from './op-tables.js';
import type {
  AlterColumnChanges,
  ConstraintKind,
  CreateForeignKeyOptions,
  CreateIndexOptions,
  ExistingColumn,
  MigrationRows,
  Operations,
} from './operations.js';
import { SqliteBatch } from './sqlite-batch.js';
import { enumTypesFreedBy, enumTypesToCreate } from './pg-enums.js';

/**
 * Options of `createOperations`.
 *
 * @example
 * ```ts
 * import type { OperationsOptions } from 'relata';
 *
 * const sql: string[] = [];
 * const options: OperationsOptions = { dryRun: true, onStatement: (s) => sql.push(s) };
 * ```
 */
export interface OperationsOptions {
  /** Report each statement to `onStatement` without running it (catalog reads still run). */
  readonly dryRun?: boolean;
  /** Called with each statement's SQL, before it runs. */
  readonly onStatement?: (sql: string) => void;
}

type Ref = TableRef & { readonly fullName: string };

/**
 * Operations for a connection: what a migration's `up` and `down` receive. The migration runner
 * creates it with the connection it holds inside its transaction.
 *
 * @example
 * ```ts
 * import { createOperations, Column, String } from 'relata';
 *
 * const conn = await db.engine.connect();
 * try {
 *   await conn.begin();
 *   const op = createOperations(conn, db.engine.dialect);
 *   await op.addColumn('user', Column('nickname', String(40)));
 *   await conn.commit();
 * } finally {
 *   conn.release();
 * }
 * ```
 */
export function createOperations(
  connection: Connection,
  dialect: Dialect,
  options: OperationsOptions = {},
): Operations {
  return new MigrationOperations(connection, dialect, options);
}

/**
 * The Operations of one migration on one connection (see {@link createOperations}).
 *
 * @example
 * ```ts
 * import { MigrationOperations } from 'relata';
 *
 * const conn = await db.engine.connect();
 * const op = new MigrationOperations(conn, db.engine.dialect, { dryRun: true, onStatement: console.log });
 * await op.createIndex('ix_user_email', 'user', ['email']);
 * conn.release();
 * ```
 */
export class MigrationOperations implements Operations {
  /** The dialect the migration runs on. */
  readonly dialect: 'sqlite' | 'postgresql' | 'mysql';
  /** The dialect's compiler. */
  private readonly compiler: SqlCompiler;
  private readonly dryRun: boolean;
  private readonly report: (sql: string) => void;

  constructor(
    /** The connection every statement and catalog read runs on. */
    readonly connection: Connection,
    dialect: Dialect,
    options: OperationsOptions = {},
  ) {
    if (typeof options !== 'object' || options === null)
      throw new ArgumentError('createOperations(): options must be an object');
    checkOptions(options, operationsOptionTable, 'createOperations()', ArgumentError);
    this.dialect = dialect.name === 'postgres' ? 'postgresql' : dialect.name;
    this.compiler = dialect.compiler;
    this.dryRun = options.dryRun ?? false;
    this.report = options.onStatement ?? (() => {});
  }

  // ---- running ----

  /** @internal Runs (or in a dry run, reports) each statement in order. */
  async run(statements: readonly string[]): Promise<void> {
    for (const sql of statements) {
      this.report(sql);
      if (!this.dryRun) await this.connection.execute({ sql, params: [], returnsRows: false });
    }
  }

  /** @internal A catalog read, run in dry runs too. */
  async read(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const result = await this.connection.execute(
      { sql, params: [...params], returnsRows: true },
      { columnNames: true },
    );
    const names = result.columns ?? [];
    return result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  }

  /** @internal An Inspector reading the catalog on this connection (in its transaction). */
  inspector(ref: TableRef): Inspector {
    const engine = this.connection.engine;
    return new Inspector(engine, ref.schema !== undefined ? { schema: ref.schema } : {}, this.connection);
  }

  /** @internal Whether this is a dry run. */
  get isDryRun(): boolean {
    return this.dryRun;
  }

  /** @internal The compiler. */
  get sql(): SqlCompiler {
    return this.compiler;
  }

  /**
   * The table's live columns; a MigrationOperationError naming the table when it does not exist. In a
   * dry run the database may be behind the migrations being printed: null then, not an error.
   */
  private async columns(ref: Ref, where: string): Promise<ReflectedColumn[] | null> {
    try {
      return await this.inspector(ref).getColumns(ref.name);
    } catch (err) {
      if (!(err instanceof IntrospectionError)) throw err;
      if (this.dryRun) return null;
      throw new MigrationOperationError(`${where}: ${err.message}`, ref.fullName, undefined, { cause: err });
    }
  }

  /** The live column `name` of `ref`; an error naming both when either is missing (null in a dry run). */
  private async column(ref: Ref, name: string, where: string): Promise<ReflectedColumn | null> {
    const cols = await this.columns(ref, where);
    if (cols === null) return null;
    const col = cols.find((c) => c.name === name);
    if (!col)
      throw new MigrationOperationError(
        `${where}: table '${ref.fullName}' has no column '${name}' (columns: ${cols.map((c) => c.name).join(', ')})`,
        ref.fullName,
        name,
      );
    return col;
  }

  /** Checks every name in `names` is a column of `ref`. */
  private async requireColumns(ref: Ref, names: readonly string[], where: string): Promise<void> {
    const cols = await this.columns(ref, where);
    if (cols === null) return;
    for (const name of names) {
      if (!cols.some((c) => c.name === name))
        throw new MigrationOperationError(
          `${where}: table '${ref.fullName}' has no column '${name}' (columns: ${cols.map((c) => c.name).join(', ')})`,
          ref.fullName,
          name,
        );
    }
  }

  /** PostgreSQL's CREATE TYPE statements `table` needs (none elsewhere). */
  private typesFor(table: Table, where: string): Promise<string[]> {
    return this.dialect === 'postgresql' ? enumTypesToCreate(this, table, where) : Promise.resolve([]);
  }

  /** PostgreSQL's DROP TYPE statements for enums only `table` (or its `column`) uses (none elsewhere). */
  private typesFreedBy(ref: Ref, column: string | null): Promise<string[]> {
    return this.dialect === 'postgresql' ? enumTypesFreedBy(this, ref, column) : Promise.resolve([]);
  }

  private batch(ref: Ref, where: string): SqliteBatch {
    return new SqliteBatch(this, ref, where);
  }

  // ---- tables ----

  /** CREATE TABLE from `db.Table`-style arguments (columns, constraints, options); PostgreSQL enum types it needs first, unless they exist. */
  async createTable(name: string, ...args: (TableColumn | TableConstraint | TableOptions)[]): Promise<void> {
    const table = tableFromArgs(name, args, `createTable('${String(name)}')`);
    await this.run([...(await this.typesFor(table, `createTable('${name}')`)), ...this.compiler.tableDDL(table)]);
  }

  /** DROP TABLE (PostgreSQL enum types it used are left in place). */
  async dropTable(name: string): Promise<void> {
    const where = `dropTable('${String(name)}')`;
    const ref = tableRef(name, where);
    await this.columns(ref, where);
    const freed = await this.typesFreedBy(ref, null);
    await this.run([`DROP TABLE ${this.compiler.tableName(ref)}`, ...freed]);
  }

  /** Renames a table within its schema (`'app.a'` → `'b'` or `'app.b'`). */
  async renameTable(from: string, to: string): Promise<void> {
    const where = `renameTable('${String(from)}', '${String(to)}')`;
    const [a, b] = [tableRef(from, where), tableRef(to, where)];
    if (b.schema !== undefined && b.schema !== a.schema)
      throw new MigrationOperationError(`${where}: a table is renamed within its schema`, a.fullName);
    await this.columns(a, where);
    await this.run(this.compiler.renameTable(a, b.name));
  }

  /** Sets the table's comment, or drops it (null); SQLite keeps no comments and runs nothing. */
  async setTableComment(table: string, comment: string | null): Promise<void> {
    const where = `setTableComment('${String(table)}')`;
    const ref = tableRef(table, where);
    if (comment !== null && typeof comment !== 'string')
      throw new MigrationOperationError(`${where}: the comment must be a string or null`, ref.fullName);
    await this.columns(ref, where);
    await this.run(this.compiler.setTableComment(ref, comment));
  }

  // ---- columns ----

  /** ADD COLUMN with its UNIQUE, foreign keys, index and comment; SQLite rebuilds the table for what ADD COLUMN cannot do (UNIQUE, a foreign key, NOT NULL without a default, an expression default). */
  async addColumn(table: string, column: TableColumn): Promise<void> {
    const where = `addColumn('${String(table)}')`;
    const ref = tableRef(table, where);
    const col = columnFromDecl(column, where);
    if (col.primaryKey)
      throw new MigrationOperationError(
        `${where}: column '${col.name}' cannot be added as the primary key; add it, then createPrimaryKey()`,
        ref.fullName,
        col.name,
      );
    const live = await this.columns(ref, where);
    if (live?.some((c) => c.name === col.name))
      throw new MigrationOperationError(
        `${where}: table '${ref.fullName}' already has a column '${col.name}'`,
        ref.fullName,
        col.name,
      );
    const t = columnTable(ref, col);
    if (this.dialect === 'sqlite' && !sqliteCanAdd(col)) return this.batch(ref, where).addColumn(col);
    await this.run([...(await this.typesFor(t, where)), ...this.compiler.addColumn(col)]);
  }

  /** DROP COLUMN; SQLite rebuilds the table when the column is in a key, UNIQUE, index or foreign key (indexes on it go with it). */
  async dropColumn(table: string, column: string): Promise<void> {
    const where = `dropColumn('${String(table)}', '${String(column)}')`;
    const ref = tableRef(table, where);
    await this.column(ref, column, where);
    if (this.dialect === 'sqlite') {
      const batch = this.batch(ref, where);
      if (await batch.columnIsConstrained(column)) return batch.dropColumn(column);
    }
    const freed = await this.typesFreedBy(ref, column);
    await this.run([...this.compiler.dropColumn(ref, column), ...freed]);
  }

  /** RENAME COLUMN (SQLite updates its indexes, triggers and foreign keys). */
  async renameColumn(table: string, from: string, to: string): Promise<void> {
    const where = `renameColumn('${String(table)}', '${String(from)}', '${String(to)}')`;
    const ref = tableRef(table, where);
    if (typeof to !== 'string' || to === '')
      throw new MigrationOperationError(`${where}: expected the new column name`, ref.fullName, from);
    await this.column(ref, from, where);
    await this.run(this.compiler.renameColumn(ref, from, to));
  }

  /**
   * Changes a column's type (with `using`), nullability, server default, comment and name: ALTER COLUMN on
   * PostgreSQL, MODIFY/CHANGE restating the column on MySQL (from `existing`, else the catalog), a table rebuild
   * on SQLite (RENAME COLUMN for a rename alone; comments are not kept there).
   */
  async alterColumn(
    table: string,
    column: string,
    changes: AlterColumnChanges,
    existing: ExistingColumn = {},
  ): Promise<void> {
    const where = `alterColumn('${String(table)}', '${String(column)}')`;
    const ref = tableRef(table, where);
    if (typeof changes !== 'object' || changes === null || typeof existing !== 'object' || existing === null)
      throw new ArgumentError(`${where}: expected objects of changes and of the existing column`);
    checkOptions(changes, alterOptionTable, where, ArgumentError);
    checkOptions(existing, existingOptionTable, `${where} existing`, ArgumentError);
    const live = await this.column(ref, column, where);
    const flags = {
      type: changes.type !== undefined,
      nullable: changes.nullable !== undefined,
      serverDefault: changes.serverDefault !== undefined,
      comment: changes.comment !== undefined,
    };
    if (changes.using !== undefined && !flags.type)
      throw new MigrationOperationError(
        `${where}: 'using' converts values to a new type: give 'type' too`,
        ref.fullName,
        column,
      );
    if (this.dialect === 'sqlite') return this.alterSqliteColumn(ref, column, changes, flags, where);
    // The column as it will be: the change, else what the migration says it is, else the catalog.
    const restate = this.dialect === 'mysql' && (flags.type || flags.nullable || flags.comment);
    const known = <K extends keyof ExistingColumn>(key: K, fromLive: (c: ReflectedColumn) => ExistingColumn[K]) => {
      if (existing[key] !== undefined) return existing[key];
      if (live) return fromLive(live);
      if (!restate) return undefined;
      throw new MigrationOperationError(
        `${where}: MySQL restates the whole column, and its ${key} is not known: the table is not in the database yet ` +
          `(a dry run ahead of it), so pass existing: { type, nullable, serverDefault, comment, autoincrement }`,
        ref.fullName,
        column,
      );
    };
    const type = changes.type ?? known('type', (c) => c.type);
    const nullable = changes.nullable ?? known('nullable', (c) => c.nullable) ?? true;
    const serverDefault =
      changes.serverDefault !== undefined ? changes.serverDefault : known('serverDefault', (c) => c.default);
    const comment = changes.comment !== undefined ? changes.comment : known('comment', (c) => c.comment);
    const autoincrement = known('autoincrement', (c) => c.autoincrement) ?? false;
    if (type === undefined && restate)
      throw new MigrationOperationError(
        `${where}: the column's type is not known; pass existing: { type }`,
        ref.fullName,
        column,
      );
    const col = new Column(changes.newName ?? column, type ?? ANY_TYPE, [], {
      nullable,
      ...(autoincrement && { primaryKey: true, autoincrement: true }),
      ...(serverDefault !== null && serverDefault !== undefined && { serverDefault }),
      ...(comment !== null && comment !== undefined && { comment }),
    });
    const t = columnTable(ref, col);
    const types = flags.type ? await this.typesFor(t, where) : [];
    const freed = flags.type ? await this.typesFreedBy(ref, column) : [];
    await this.run([
      ...types,
      ...this.compiler.alterColumn({ name: column, column: col, ...flags, using: changes.using }),
      ...freed,
    ]);
  }

  /** SQLite renames in place, keeps no comments, and rebuilds the table for everything else. */
  private async alterSqliteColumn(
    ref: Ref,
    column: string,
    changes: AlterColumnChanges,
    flags: { type: boolean; nullable: boolean; serverDefault: boolean },
    where: string,
  ): Promise<void> {
    if (flags.type || flags.nullable || flags.serverDefault) {
      await this.batch(ref, where).alterColumn(
        column,
        (c) =>
          changedColumn(c, {
            ...(changes.type !== undefined && { type: changes.type }),
            options: {
              ...(changes.nullable !== undefined && { nullable: changes.nullable }),
              ...(changes.serverDefault !== undefined && { serverDefault: changes.serverDefault ?? undefined }),
            },
          }),
        changes.using,
      );
    }
    if (changes.newName !== undefined && changes.newName !== column)
      await this.run(this.compiler.renameColumn(ref, column, changes.newName));
  }

  // ---- indexes and constraints ----

  /** CREATE INDEX over columns and `text()` expressions, unique or partial (`where`: PostgreSQL and SQLite). */
  async createIndex(
    name: string,
    table: string,
    elements: readonly (string | TextClause)[],
    options: CreateIndexOptions = {},
  ): Promise<void> {
    const where = `createIndex('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
    checkOptions(options, indexOptionTable, where, ArgumentError);
    const ix = new Index(name, elements, options);
    const names = (Array.isArray(elements) ? elements : []).filter((e): e is string => typeof e === 'string');
    await this.requireColumns(ref, names, where);
    const cols = [...new Set(names)].map((n) => new Column(n, ANY_TYPE));
    // A Table needs a column: an index of expressions only is rendered over a placeholder one.
    new Table(ref.name, cols.length ? cols : [new Column('_', ANY_TYPE)], [ix], schemaOf(ref));
    await this.run([this.compiler.createIndex(ix)]);
  }

  /** DROP INDEX (`DROP INDEX … ON table` on MySQL). */
  async dropIndex(name: string, table: string): Promise<void> {
    const where = `dropIndex('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    if (typeof name !== 'string' || name === '')
      throw new MigrationOperationError(`${where}: expected the index name`, ref.fullName);
    await this.columns(ref, where);
    await this.run([this.compiler.dropIndex(name, ref)]);
  }

  /** ADD CONSTRAINT … UNIQUE; SQLite rebuilds the table with it. */
  async createUniqueConstraint(name: string, table: string, columns: readonly string[]): Promise<void> {
    const where = `createUniqueConstraint('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    checkNames(columns, where, ref);
    await this.requireColumns(ref, columns, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).addUnique(name, columns);
    await this.run([this.compiler.addUnique(ref, name, columns)]);
  }

  /** ADD CONSTRAINT … FOREIGN KEY; SQLite rebuilds the table with it (existing rows must satisfy it). */
  async createForeignKey(
    name: string,
    table: string,
    columns: readonly string[],
    referredTable: string,
    referredColumns: readonly string[],
    options: CreateForeignKeyOptions = {},
  ): Promise<void> {
    const where = `createForeignKey('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    const target = tableRef(referredTable, where);
    checkNames(columns, where, ref);
    checkNames(referredColumns, where, target);
    if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
    checkOptions(options, foreignKeyOptionTable, where, ArgumentError);
    if (columns.length !== referredColumns.length)
      throw new MigrationOperationError(
        `${where}: ${columns.length} columns refer to ${referredColumns.length} columns of '${target.fullName}'`,
        ref.fullName,
      );
    await this.requireColumns(ref, columns, where);
    await this.requireColumns(target, referredColumns, where);
    const fk = new ForeignKeyConstraint(
      columns,
      referredColumns.map((c) => `${target.fullName}.${c}`),
      { name, ...options },
    );
    if (this.dialect === 'sqlite') return this.batch(ref, where).addForeignKey(fk);
    const self = target.fullName === ref.fullName;
    const names = [...new Set([...columns, ...(self ? referredColumns : [])])];
    const t = withTargets(
      new Table(
        ref.name,
        names.map((n) => new Column(n, ANY_TYPE)),
        [fk],
        schemaOf(ref),
      ),
    );
    await this.run([this.compiler.addForeignKey(t.foreignKeyConstraints[0]!)]);
  }

  /** ADD CONSTRAINT … CHECK; SQLite rebuilds the table with it. */
  async createCheckConstraint(name: string, table: string, sql: string): Promise<void> {
    const where = `createCheckConstraint('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    if (typeof sql !== 'string' || sql.trim() === '')
      throw new MigrationOperationError(`${where}: expected the condition as SQL text`, ref.fullName);
    await this.columns(ref, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).addCheck(new CheckConstraint(sql, { name }));
    await this.run([this.compiler.addCheck(ref, name, sql)]);
  }

  /** ADD PRIMARY KEY for a table that has none; SQLite rebuilds the table with it. */
  async createPrimaryKey(name: string, table: string, columns: readonly string[]): Promise<void> {
    const where = `createPrimaryKey('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    checkNames(columns, where, ref);
    await this.requireColumns(ref, columns, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).setPrimaryKey(name, columns);
    const t = new Table(
      ref.name,
      columns.map((n) => new Column(n, ANY_TYPE)),
      [new PrimaryKeyConstraint(columns, { name })],
      schemaOf(ref),
    );
    await this.run([this.compiler.addPrimaryKey(t)]);
  }

  /** Drops a constraint: DROP CONSTRAINT, on MySQL DROP FOREIGN KEY / INDEX / CHECK / PRIMARY KEY by `kind`; SQLite rebuilds the table without it. */
  async dropConstraint(name: string, table: string, kind: ConstraintKind): Promise<void> {
    const where = `dropConstraint('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    if (!CONSTRAINT_KINDS.includes(kind))
      throw new MigrationOperationError(
        `${where}: kind must be one of ${CONSTRAINT_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(kind)}`,
        ref.fullName,
      );
    await this.columns(ref, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).dropConstraint(name, kind);
    await this.run([this.compiler.dropConstraint(ref, name, kind)]);
  }

  // ---- data ----

  /** Runs SQL text or `text(sql, params)` and returns its rows as records: data migrations. In a dry run only reported. */
  async execute(sql: string | TextClause): Promise<MigrationRows> {
    const compiled =
      sql instanceof TextClause
        ? this.compiler.compileText(sql)
        : typeof sql === 'string' && sql.trim() !== ''
          ? { sql, params: [] }
          : null;
    if (compiled === null) throw new ArgumentError('execute(): expected SQL text or text(sql, params)');
    this.report(compiled.sql);
    if (this.dryRun) return { rows: [], rowsAffected: 0 };
    const result = await this.connection.execute(compiled, { columnNames: true });
    const names = result.columns ?? [];
    return {
      rows: result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))),
      rowsAffected: result.rowsAffected,
    };
  }
}

/** The type of a placeholder column that only names a column in DDL (its type is never rendered). */
const ANY_TYPE = new (class extends SqlType<unknown> {
  readonly typeName = 'Unknown';
})();

function schemaOf(ref: TableRef): { schema?: string } {
  return ref.schema !== undefined ? { schema: ref.schema } : {};
}

function checkNames(columns: readonly string[], where: string, ref: Ref): void {
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && c !== ''))
    throw new MigrationOperationError(`${where}: expected a non-empty list of column names`, ref.fullName);
}

/**
 * What SQLite's ADD COLUMN accepts: no PRIMARY KEY or UNIQUE, a constant default, NOT NULL only with
 * a default; a foreign key is added by rebuilding too, so it keeps its constraint name.
 */
function sqliteCanAdd(c: Column): boolean {
  if (c.unique || c.foreignKeys.length > 0) return false;
  const d = c.serverDefault?.trim();
  if (!c.nullable && d === undefined) return false;
  if (d !== undefined && (d.startsWith('(') || /^current_(time|date|timestamp)$/i.test(d))) return false;
  return true;
}

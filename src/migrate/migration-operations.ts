/**
 * The operations a migration runs (see operations.ts), on the connection the runner holds inside its
 * transaction: each checks what it names against the catalog, compiles the dialect's DDL and runs it
 * (or, in a dry run, only reports it). SQLite's table rebuilds are in sqlite-batch.ts.
 */
import type { Dialect } from '../dialects/dialect.js';
import type { Connection } from '../engine/engine.js';
import type { TableColumn, TableOptions } from '../orm/mapping/database.js';
import type { TableRef } from '../sql/compiler.js';
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
import {
  ANY_TYPE,
  MigrationOperationError,
  changedColumn,
  checkNames,
  schemaOf,
  sqliteCanAdd,
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
import { OperationContext } from './op-context.js';
import { isPgUniqueIndex } from './pg-catalog.js';
import { alteredColumn } from './altered-column.js';
import type { Database } from '../orm/mapping/database.js';
import type { Session } from '../orm/session/session.js';
import { openMigrationSession, type MigrationSessionOptions } from './op-session.js';

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
  /** Where its statements and catalog reads run. */
  private readonly ctx: OperationContext;

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
    this.ctx = new OperationContext(connection, dialect.compiler, this.dialect, options);
  }

  private batch(ref: Ref, where: string): SqliteBatch {
    return new SqliteBatch(this.ctx, ref, where);
  }

  // ---- tables ----

  /** CREATE TABLE from `db.Table`-style arguments (columns, constraints, options); PostgreSQL enum types it needs first, unless they exist. */
  async createTable(name: string, ...args: (TableColumn | TableConstraint | TableOptions)[]): Promise<void> {
    const table = tableFromArgs(name, args, `createTable('${String(name)}')`);
    await this.ctx.run([
      ...(await this.ctx.typesFor(table, `createTable('${name}')`)),
      ...this.ctx.sql.tableDDL(table),
    ]);
  }

  /** DROP TABLE (PostgreSQL enum types it used are left in place). */
  async dropTable(name: string): Promise<void> {
    const where = `dropTable('${String(name)}')`;
    const ref = tableRef(name, where);
    await this.ctx.columns(ref, where);
    const freed = await this.ctx.typesFreedBy(ref, null);
    await this.ctx.run([`DROP TABLE ${this.ctx.sql.tableName(ref)}`, ...freed]);
  }

  /** Renames a table within its schema (`'app.a'` → `'b'` or `'app.b'`). */
  async renameTable(from: string, to: string): Promise<void> {
    const where = `renameTable('${String(from)}', '${String(to)}')`;
    const [a, b] = [tableRef(from, where), tableRef(to, where)];
    if (b.schema !== undefined && b.schema !== a.schema)
      throw new MigrationOperationError(`${where}: a table is renamed within its schema`, a.fullName);
    await this.ctx.columns(a, where);
    await this.ctx.run(this.ctx.sql.renameTable(a, b.name));
  }

  /** Sets the table's comment, or drops it (null); SQLite keeps no comments and runs nothing. */
  async setTableComment(table: string, comment: string | null): Promise<void> {
    const where = `setTableComment('${String(table)}')`;
    const ref = tableRef(table, where);
    if (comment !== null && typeof comment !== 'string')
      throw new MigrationOperationError(`${where}: the comment must be a string or null`, ref.fullName);
    await this.ctx.columns(ref, where);
    await this.ctx.run(this.ctx.sql.setTableComment(ref, comment));
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
    const live = await this.ctx.columns(ref, where);
    if (live?.some((c) => c.name === col.name))
      throw new MigrationOperationError(
        `${where}: table '${ref.fullName}' already has a column '${col.name}'`,
        ref.fullName,
        col.name,
      );
    const t = columnTable(ref, col);
    if (this.dialect === 'sqlite' && !sqliteCanAdd(col)) {
      await this.batch(ref, where).addColumn(col);
      // The rebuild keeps the table's own indexes; the column's `index: true` is a new one.
      // (A column's own index is not bound to its table by Table: see Table's constructor.)
      for (const ix of t.indexes) ix.table ??= t;
      return this.ctx.run(t.indexes.map((ix) => this.ctx.sql.createIndex(ix)));
    }
    await this.ctx.run([...(await this.ctx.typesFor(t, where)), ...this.ctx.sql.addColumn(col)]);
  }

  /** DROP COLUMN; SQLite rebuilds the table when the column is in a key, UNIQUE, index or foreign key (indexes on it go with it). */
  async dropColumn(table: string, column: string): Promise<void> {
    const where = `dropColumn('${String(table)}', '${String(column)}')`;
    const ref = tableRef(table, where);
    await this.ctx.column(ref, column, where);
    if (this.dialect === 'sqlite') {
      const batch = this.batch(ref, where);
      if (await batch.columnIsConstrained(column)) return batch.dropColumn(column);
    }
    const freed = await this.ctx.typesFreedBy(ref, column);
    await this.ctx.run([...this.ctx.sql.dropColumn(ref, column), ...freed]);
  }

  /** RENAME COLUMN (SQLite updates its indexes, triggers and foreign keys). */
  async renameColumn(table: string, from: string, to: string): Promise<void> {
    const where = `renameColumn('${String(table)}', '${String(from)}', '${String(to)}')`;
    const ref = tableRef(table, where);
    if (typeof to !== 'string' || to === '')
      throw new MigrationOperationError(`${where}: expected the new column name`, ref.fullName, from);
    await this.ctx.column(ref, from, where);
    await this.ctx.run(this.ctx.sql.renameColumn(ref, from, to));
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
    const live = await this.ctx.column(ref, column, where);
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
    const restate = this.dialect === 'mysql' && (flags.type || flags.nullable || flags.comment);
    const col = alteredColumn(ref, column, changes, existing, live, restate, where);
    const t = columnTable(ref, col);
    const types = flags.type ? await this.ctx.typesFor(t, where) : [];
    const freed = flags.type ? await this.ctx.typesFreedBy(ref, column) : [];
    await this.ctx.run([
      ...types,
      ...this.ctx.sql.alterColumn({ name: column, column: col, ...flags, using: changes.using }),
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
      await this.ctx.run(this.ctx.sql.renameColumn(ref, column, changes.newName));
  }

  // ---- indexes and constraints ----

  /** CREATE INDEX over columns and `text()` expressions, unique or partial (`where`: PostgreSQL and SQLite), CONCURRENTLY on PostgreSQL. */
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
    const { concurrently, ...indexOptions } = options;
    if (concurrently && this.dialect !== 'postgresql')
      throw new MigrationOperationError(
        `${where}: concurrently is PostgreSQL's (CREATE INDEX CONCURRENTLY)`,
        ref.fullName,
      );
    if (concurrently && !this.ctx.isDryRun && this.ctx.connection.inTransaction)
      throw new MigrationOperationError(
        `${where}: CREATE INDEX CONCURRENTLY cannot run inside a transaction; give the migration transactional: false`,
        ref.fullName,
      );
    const ix = new Index(name, elements, indexOptions);
    const names = (Array.isArray(elements) ? elements : []).filter((e): e is string => typeof e === 'string');
    await this.ctx.requireColumns(ref, names, where);
    const cols = [...new Set(names)].map((n) => new Column(n, ANY_TYPE));
    // A Table needs a column: an index of expressions only is rendered over a placeholder one.
    new Table(ref.name, cols.length ? cols : [new Column('_', ANY_TYPE)], [ix], schemaOf(ref));
    const sql = this.ctx.sql.createIndex(ix);
    await this.ctx.run([concurrently ? sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ') : sql]);
  }

  /** DROP INDEX (`DROP INDEX … ON table` on MySQL). */
  async dropIndex(name: string, table: string): Promise<void> {
    const where = `dropIndex('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    if (typeof name !== 'string' || name === '')
      throw new MigrationOperationError(`${where}: expected the index name`, ref.fullName);
    await this.ctx.columns(ref, where);
    await this.ctx.run([this.ctx.sql.dropIndex(name, ref)]);
  }

  /** ADD CONSTRAINT … UNIQUE; SQLite rebuilds the table with it. */
  async createUniqueConstraint(name: string, table: string, columns: readonly string[]): Promise<void> {
    const where = `createUniqueConstraint('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    checkNames(columns, where, ref);
    await this.ctx.requireColumns(ref, columns, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).addUnique(name, columns);
    await this.ctx.run([this.ctx.sql.addUnique(ref, name, columns)]);
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
    await this.ctx.requireColumns(ref, columns, where);
    await this.ctx.requireColumns(target, referredColumns, where);
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
    await this.ctx.run([this.ctx.sql.addForeignKey(t.foreignKeyConstraints[0]!)]);
  }

  /** ADD CONSTRAINT … CHECK; SQLite rebuilds the table with it. */
  async createCheckConstraint(
    name: string,
    table: string,
    condition: string | ((quote: (identifier: string) => string) => string),
  ): Promise<void> {
    const where = `createCheckConstraint('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    // A function names its columns through this dialect's quoting (rendered migrations use it, so one
    // file is right on MySQL, where "col" would be a string literal, and on the others).
    const sql = typeof condition === 'function' ? condition((id) => this.ctx.sql.quote(id)) : condition;
    if (typeof sql !== 'string' || sql.trim() === '')
      throw new MigrationOperationError(
        `${where}: expected the condition as SQL text, or a function of quote returning it`,
        ref.fullName,
      );
    await this.ctx.columns(ref, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).addCheck(new CheckConstraint(sql, { name }));
    await this.ctx.run([this.ctx.sql.addCheck(ref, name, sql)]);
  }

  /** ADD PRIMARY KEY for a table that has none; SQLite rebuilds the table with it. */
  async createPrimaryKey(name: string, table: string, columns: readonly string[]): Promise<void> {
    const where = `createPrimaryKey('${String(name)}', '${String(table)}')`;
    const ref = tableRef(table, where);
    checkNames(columns, where, ref);
    await this.ctx.requireColumns(ref, columns, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).setPrimaryKey(name, columns);
    const t = new Table(
      ref.name,
      columns.map((n) => new Column(n, ANY_TYPE)),
      [new PrimaryKeyConstraint(columns, { name })],
      schemaOf(ref),
    );
    await this.ctx.run([this.ctx.sql.addPrimaryKey(t)]);
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
    await this.ctx.columns(ref, where);
    if (this.dialect === 'sqlite') return this.batch(ref, where).dropConstraint(name, kind);
    if (this.dialect === 'postgresql' && kind === 'unique' && (await isPgUniqueIndex(this.ctx, ref, name)))
      return this.ctx.run([this.ctx.sql.dropIndex(name, ref)]);
    await this.ctx.run([this.ctx.sql.dropConstraint(ref, name, kind)]);
  }

  // ---- data ----

  /** Runs SQL text or `text(sql, params)` and returns its rows as records: data migrations. In a dry run only reported. */
  async execute(sql: string | TextClause): Promise<MigrationRows> {
    const compiled =
      sql instanceof TextClause
        ? this.ctx.sql.compileText(sql)
        : typeof sql === 'string' && sql.trim() !== ''
          ? { sql, params: [] }
          : null;
    if (compiled === null) throw new ArgumentError('execute(): expected SQL text or text(sql, params)');
    this.ctx.report(compiled.sql);
    if (this.ctx.isDryRun) return { rows: [], rowsAffected: 0 };
    const result = await this.connection.execute(compiled, { columnNames: true });
    const names = result.columns ?? [];
    return {
      rows: result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))),
      rowsAffected: result.rowsAffected,
    };
  }

  /** A Session of `db`'s models joined to this connection's transaction (see Operations.session). */
  session(db: Database, options: MigrationSessionOptions = {}): Session {
    return openMigrationSession(this.connection, this.ctx.isDryRun, this.ctx.report, db, options);
  }
}

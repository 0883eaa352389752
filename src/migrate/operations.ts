/**
 * The operations a migration's `up` and `down` are written with (Alembic's `op`): each compiles to
 * the dialect's DDL and runs on the migration's connection, inside its transaction where the
 * database has transactional DDL. On SQLite, changes it cannot ALTER (a column's type or nullability,
 * adding or dropping a constraint) are done by the table-rebuild recipe, keeping rows and foreign keys.
 *
 * Tables are named by their full name (`'app.account'` for a PostgreSQL schema); columns and
 * constraints by their database names. Columns are declared as in `db.Table`: `Column('email',
 * String(120), { nullable: false })`.
 */
import type { TableColumn, TableOptions } from '../orm/mapping/database.js';
import type { ForeignKeyConstraintOptions, TableConstraint } from '../sql/constraints.js';
import type { TextClause } from '../sql/expressions.js';
import type { ReferentialAction } from '../sql/schema.js';
import type { SqlType } from '../sql/types.js';

/** What `alterColumn` changes; a property left out is kept. */
export interface AlterColumnChanges {
  /** The new type. */
  type?: SqlType<unknown>;
  /** false: NOT NULL. */
  nullable?: boolean;
  /** The new server default (SQL text), or null to drop it. */
  serverDefault?: string | null;
  /** The new comment, or null to drop it. */
  comment?: string | null;
  /** Renames the column. */
  newName?: string;
  /**
   * How existing values convert to the new type, as SQL over the old column (PostgreSQL's `USING`;
   * the SELECT expression of SQLite's rebuild; an UPDATE is up to the migration on MySQL).
   */
  using?: string;
}

/**
 * What the column is now, where a dialect must restate it (MySQL's MODIFY COLUMN restates the whole
 * column): generated migrations always pass it. When it is left out, it is read from the database.
 */
export interface ExistingColumn {
  type?: SqlType<unknown>;
  nullable?: boolean;
  serverDefault?: string | null;
  comment?: string | null;
  /** Whether the database generates its values (MySQL's MODIFY must restate AUTO_INCREMENT); read from the database when left out. */
  autoincrement?: boolean;
}

/** Options of `createIndex`. */
export interface CreateIndexOptions {
  unique?: boolean;
  /** A partial index's condition as SQL text (PostgreSQL and SQLite). */
  where?: string;
}

/** Which kind of constraint `dropConstraint` drops (MySQL needs to know). */
export type ConstraintKind = 'foreignKey' | 'unique' | 'check' | 'primaryKey';

/** Options of `createForeignKey`. */
export interface CreateForeignKeyOptions {
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

/** A statement a migration can run and read rows from (data migrations). */
export interface MigrationRows {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowsAffected: number;
}

/**
 * The migration operations. Every method runs its DDL before the promise resolves; in a dry run
 * (`relata migrate sql`) it only records the SQL.
 */
export interface Operations {
  /** The dialect the migration runs on: branch on it for database-specific SQL. */
  readonly dialect: 'sqlite' | 'postgresql' | 'mysql';
  createTable(name: string, ...args: (TableColumn | TableConstraint | TableOptions)[]): Promise<void>;
  dropTable(name: string): Promise<void>;
  renameTable(from: string, to: string): Promise<void>;
  addColumn(table: string, column: TableColumn): Promise<void>;
  dropColumn(table: string, column: string): Promise<void>;
  renameColumn(table: string, from: string, to: string): Promise<void>;
  alterColumn(table: string, column: string, changes: AlterColumnChanges, existing?: ExistingColumn): Promise<void>;
  createIndex(
    name: string,
    table: string,
    elements: readonly (string | TextClause)[],
    options?: CreateIndexOptions,
  ): Promise<void>;
  dropIndex(name: string, table: string): Promise<void>;
  createUniqueConstraint(name: string, table: string, columns: readonly string[]): Promise<void>;
  createForeignKey(
    name: string,
    table: string,
    columns: readonly string[],
    referredTable: string,
    referredColumns: readonly string[],
    options?: CreateForeignKeyOptions,
  ): Promise<void>;
  createCheckConstraint(name: string, table: string, sql: string): Promise<void>;
  createPrimaryKey(name: string, table: string, columns: readonly string[]): Promise<void>;
  dropConstraint(name: string, table: string, kind: ConstraintKind): Promise<void>;
  setTableComment(table: string, comment: string | null): Promise<void>;
  /** Runs SQL text (with bound parameters from `text(sql, params)`) and returns its rows: data migrations. */
  execute(sql: string | TextClause): Promise<MigrationRows>;
}

export type { ForeignKeyConstraintOptions };

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
import type { Database, TableColumn, TableOptions } from '../orm/mapping/database.js';
import type { Session } from '../orm/session/session.js';
import type { MigrationSessionOptions } from './op-session.js';
import type { ForeignKeyConstraintOptions, TableConstraint } from '../sql/constraints.js';
import type { TextClause } from '../sql/expressions.js';
import type { ReferentialAction } from '../sql/schema.js';
import type { SqlType } from '../sql/types.js';

/**
 * What `alterColumn` changes; a property left out is kept.
 *
 * @example
 * ```ts
 * import { Integer, type AlterColumnChanges } from 'relata';
 *
 * const changes: AlterColumnChanges = { type: Integer, nullable: false, using: 'CAST(age AS INTEGER)' };
 * ```
 */
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
 *
 * @example
 * ```ts
 * import { String, type ExistingColumn } from 'relata';
 *
 * const existing: ExistingColumn = { type: String(80), nullable: true, serverDefault: null, comment: null };
 * ```
 */
export interface ExistingColumn {
  /** Its type now. */
  type?: SqlType<unknown>;
  /** Whether it accepts NULL now. */
  nullable?: boolean;
  /** Its server default now (SQL text), null for none. */
  serverDefault?: string | null;
  /** Its comment now, null for none. */
  comment?: string | null;
  /** Whether the database generates its values (MySQL's MODIFY must restate AUTO_INCREMENT); read from the database when left out. */
  autoincrement?: boolean;
}

/**
 * Options of `createIndex`.
 *
 * @example
 * ```ts
 * import type { CreateIndexOptions } from 'relata';
 *
 * const partial: CreateIndexOptions = { unique: true, where: 'deleted_at IS NULL' };
 * ```
 */
export interface CreateIndexOptions {
  /** A UNIQUE index. */
  unique?: boolean;
  /** A partial index's condition as SQL text (PostgreSQL and SQLite). */
  where?: string;
  /**
   * PostgreSQL's CREATE INDEX CONCURRENTLY (no write lock while it builds): outside a transaction only,
   * so in a migration with `transactional: false`. Refused on the other databases.
   */
  concurrently?: boolean;
}

/**
 * Which kind of constraint `dropConstraint` drops (MySQL needs to know).
 *
 * @example
 * ```ts
 * import type { ConstraintKind } from 'relata';
 *
 * const kind: ConstraintKind = 'foreignKey';
 * ```
 */
export type ConstraintKind = 'foreignKey' | 'unique' | 'check' | 'primaryKey';

/**
 * Options of `createForeignKey`.
 *
 * @example
 * ```ts
 * import type { CreateForeignKeyOptions } from 'relata';
 *
 * const cascade: CreateForeignKeyOptions = { onDelete: 'CASCADE' };
 * ```
 */
export interface CreateForeignKeyOptions {
  /** ON DELETE: what the database does to these rows when the referred row is deleted. */
  onDelete?: ReferentialAction;
  /** ON UPDATE: what the database does to these rows when the referred key changes. */
  onUpdate?: ReferentialAction;
}

/**
 * A statement a migration can run and read rows from (data migrations).
 *
 * @example
 * ```ts
 * import { text, type MigrationRows, type Operations } from 'relata';
 *
 * async function up(op: Operations): Promise<void> {
 *   const result: MigrationRows = await op.execute(text('SELECT id FROM "user" WHERE email IS NULL'));
 *   for (const row of result.rows) await op.execute(text('UPDATE "user" SET email = ? WHERE id = ?', [`${String(row.id)}@example.com`, row.id]));
 * }
 * ```
 */
export interface MigrationRows {
  /** The rows it returned, each keyed by column name (none for DDL and plain DML). */
  readonly rows: readonly Record<string, unknown>[];
  /** Rows returned, or changed by INSERT, UPDATE or DELETE. */
  readonly rowsAffected: number;
}

/**
 * The migration operations. Every method runs its DDL before the promise resolves; in a dry run
 * (`relata migrate sql`) it only records the SQL.
 *
 * @example
 * ```ts
 * import { Column, Integer, String, type Operations } from 'relata';
 *
 * async function up(op: Operations): Promise<void> {
 *   await op.createTable('tag', Column('id', Integer, { primaryKey: true }), Column('label', String(40), { nullable: false }));
 *   await op.addColumn('post', Column('tag_id', Integer));
 *   await op.createForeignKey('fk_post_tag', 'post', ['tag_id'], 'tag', ['id'], { onDelete: 'SET NULL' });
 *   await op.createIndex('ix_post_tag_id', 'post', ['tag_id']);
 * }
 * ```
 */
export interface Operations {
  /** The dialect the migration runs on: branch on it for database-specific SQL. */
  readonly dialect: 'sqlite' | 'postgresql' | 'mysql';
  /** CREATE TABLE from columns, constraints and options, as `db.Table` takes them. */
  createTable(name: string, ...args: (TableColumn | TableConstraint | TableOptions)[]): Promise<void>;
  /** DROP TABLE. */
  dropTable(name: string): Promise<void>;
  /** Renames a table within its schema. */
  renameTable(from: string, to: string): Promise<void>;
  /** ADD COLUMN, with the column's UNIQUE, foreign keys, index and comment. */
  addColumn(table: string, column: TableColumn): Promise<void>;
  /** DROP COLUMN. */
  dropColumn(table: string, column: string): Promise<void>;
  /** RENAME COLUMN. */
  renameColumn(table: string, from: string, to: string): Promise<void>;
  /** Changes a column's type, nullability, server default, comment or name. */
  alterColumn(table: string, column: string, changes: AlterColumnChanges, existing?: ExistingColumn): Promise<void>;
  /** CREATE INDEX over columns and `text()` expressions. */
  createIndex(
    name: string,
    table: string,
    elements: readonly (string | TextClause)[],
    options?: CreateIndexOptions,
  ): Promise<void>;
  /** DROP INDEX. */
  dropIndex(name: string, table: string): Promise<void>;
  /** Adds a UNIQUE constraint. */
  createUniqueConstraint(name: string, table: string, columns: readonly string[]): Promise<void>;
  /** Adds a foreign key from `columns` to `referredColumns` of `referredTable`. */
  createForeignKey(
    name: string,
    table: string,
    columns: readonly string[],
    referredTable: string,
    referredColumns: readonly string[],
    options?: CreateForeignKeyOptions,
  ): Promise<void>;
  /**
   * Adds a CHECK constraint: its condition as SQL, or as a function of the dialect's identifier
   * quoting (`(q) => \`${q('unitPrice')} >= 0\``), which rendered migrations use so one file is right
   * on every database.
   */
  createCheckConstraint(
    name: string,
    table: string,
    condition: string | ((quote: (identifier: string) => string) => string),
  ): Promise<void>;
  /** Adds a primary key to a table that has none. */
  createPrimaryKey(name: string, table: string, columns: readonly string[]): Promise<void>;
  /** Drops a constraint by name and kind. */
  dropConstraint(name: string, table: string, kind: ConstraintKind): Promise<void>;
  /** Sets the table's comment, or drops it (null). */
  setTableComment(table: string, comment: string | null): Promise<void>;
  /** Runs SQL text (with bound parameters from `text(sql, params)`) and returns its rows: data migrations. */
  execute(sql: string | TextClause): Promise<MigrationRows>;
  /**
   * A Session of `db`'s models on the migration's connection, inside its transaction (data
   * migrations with objects): declare minimal models for the migration in its file (the app's models
   * describe the newest schema, not this step's). Its `commit()` releases its savepoint; the migration
   * still commits or rolls back as a whole on PostgreSQL and SQLite. On MySQL (no transaction around a
   * migration) its `commit()` commits for real. Refused in a dry run; every session it opens ends
   * with the migration, and one left with uncommitted work fails it.
   */
  session(db: Database, options?: MigrationSessionOptions): Session;
}

export type { ForeignKeyConstraintOptions };

/**
 * What introspection reads from a database, dialect by dialect, before it becomes schema objects: plain
 * records of the catalog as read (type text, defaults, key order, names), kept next to the Table built
 * from them.
 */
import type { CompiledStatement } from '../../sql/compiler.js';
import type { QueryResult } from '../../dialects/dialect.js';
import type { ReferentialAction } from '../../sql/schema.js';
import { RelataError } from '../../sql/errors.js';
import { EnumType, SqlType, Uuid } from '../../sql/types.js';

/**
 * The database's catalog said something introspection cannot read: a table asked for that does not
 * exist, or a catalog value it does not know. The message names the table (and column) at fault.
 *
 * @example
 * ```ts
 * import { Database, IntrospectionError, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * try {
 *   await inspect(db).getColumns('nope');
 * } catch (err) {
 *   if (err instanceof IntrospectionError) console.log(err.message); // table 'nope' does not exist …
 * }
 * ```
 */
export class IntrospectionError extends RelataError {
  override readonly code = 'introspection';
}

/**
 * A column type introspection could not map to one of Relata's types: it keeps the database's own type
 * text (`sqlText`) instead of guessing. DDL refuses it, naming the column, as it refuses any type with no
 * column type.
 *
 * @example
 * ```ts
 * import { UnknownSqlType } from 'relata';
 * const t = new UnknownSqlType('smallint');
 * t.sqlText; // 'smallint'
 * ```
 */
export class UnknownSqlType extends SqlType<unknown> {
  readonly typeName = 'Unknown';
  constructor(
    /** The type as the database spells it (`smallint`, `money`, `enum('a','b')`). */
    readonly sqlText: string,
  ) {
    super();
  }
}

/**
 * One column as the database describes it.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const [id] = await inspect(db).getColumns('user'); // { name: 'id', typeText: 'INTEGER', … }
 * ```
 */
export interface ReflectedColumn {
  /** The column's name. */
  readonly name: string;
  /** Relata's type for it, or an UnknownSqlType carrying the database's type text. */
  readonly type: SqlType<unknown>;
  /** The type as the database spells it (`character varying(80)`, `int(11)`, `NVARCHAR(160)`). */
  readonly typeText: string;
  /** Whether it accepts NULL. */
  readonly nullable: boolean;
  /** The server default as SQL text (`0`, `'draft'`, `CURRENT_TIMESTAMP`), null when there is none. */
  readonly default: string | null;
  /** Whether the database generates its values (SQLite rowid alias, identity/serial, AUTO_INCREMENT). */
  readonly autoincrement: boolean;
  /** The column comment, null when there is none (SQLite has none). */
  readonly comment: string | null;
  /** The labels of an ENUM column (PostgreSQL enum type, MySQL ENUM), in order; absent otherwise. */
  readonly enumValues?: readonly string[];
}

/**
 * A primary key: its columns in key order, and its constraint name where the database keeps one.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const { columns } = await inspect(db).getPrimaryKey('post_tags'); // ['post_id', 'tag_id']
 * ```
 */
export interface ReflectedPrimaryKey {
  /** The constraint's name, null where the database keeps none (MySQL's are all PRIMARY). */
  readonly name: string | null;
  /** The key's columns, in key order. */
  readonly columns: readonly string[];
}

/**
 * A foreign key, possibly over several columns, with its actions (null when the default, NO ACTION).
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * for (const fk of await inspect(db).getForeignKeys('post')) console.log(fk.columns, '->', fk.referredTable);
 * ```
 */
export interface ReflectedForeignKey {
  /** The constraint's name, null when unnamed. */
  readonly name: string | null;
  /** The referencing columns, in order. */
  readonly columns: readonly string[];
  /** The table referred to. */
  readonly referredTable: string;
  /** The referred table's schema when it is not the referring table's own (PostgreSQL, MySQL); absent otherwise. */
  readonly referredSchema?: string;
  /** The referred columns, matching `columns` one by one. */
  readonly referredColumns: readonly string[];
  /** ON DELETE, null for the default (NO ACTION). */
  readonly onDelete: ReferentialAction | null;
  /** ON UPDATE, null for the default (NO ACTION). */
  readonly onUpdate: ReferentialAction | null;
}

/**
 * An index that is not the primary key's nor a unique constraint's.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const names = (await inspect(db).getIndexes('post')).map((ix) => ix.name);
 * ```
 */
export interface ReflectedIndex {
  /** The index's name. */
  readonly name: string;
  /** Column names in index order; null for an expression part. */
  readonly columns: readonly (string | null)[];
  /** When it has expression parts: each part's SQL where `columns` has null (null where the catalog does not say). */
  readonly expressions?: readonly (string | null)[];
  /** Whether it is a UNIQUE index. */
  readonly unique: boolean;
  /** The WHERE of a partial index as SQL, null otherwise. */
  readonly where: string | null;
}

/**
 * A UNIQUE constraint.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const uniques = await inspect(db).getUniqueConstraints('user'); // [{ name: 'uq_user_username', … }]
 * ```
 */
export interface ReflectedUniqueConstraint {
  /** The constraint's name, null when unnamed. */
  readonly name: string | null;
  /** Its columns, in order. */
  readonly columns: readonly string[];
}

/**
 * A CHECK constraint, its condition as SQL.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const checks = await inspect(db).getCheckConstraints('book'); // [{ name: null, sql: 'price >= 0' }]
 * ```
 */
export interface ReflectedCheckConstraint {
  /** The constraint's name, null when unnamed. */
  readonly name: string | null;
  /** The condition as SQL (`price >= 0`). */
  readonly sql: string;
}

/** How one dialect reads its catalog; every read is a plain query through the engine. */
export interface DialectIntrospector {
  defaultSchema(): Promise<string>;
  tableNames(): Promise<string[]>;
  columns(table: string): Promise<ReflectedColumn[]>;
  primaryKey(table: string): Promise<ReflectedPrimaryKey>;
  foreignKeys(table: string): Promise<ReflectedForeignKey[]>;
  indexes(table: string): Promise<ReflectedIndex[]>;
  uniqueConstraints(table: string): Promise<ReflectedUniqueConstraint[]>;
  checkConstraints(table: string): Promise<ReflectedCheckConstraint[]>;
  tableComment(table: string): Promise<string | null>;
}

/**
 * What catalog queries run on: an Engine (a pooled connection per read), or one Connection (a
 * migration reads the catalog inside its own transaction, seeing its own DDL).
 */
export interface CatalogSource {
  execute(stmt: CompiledStatement, options: { columnNames?: boolean }): Promise<QueryResult>;
}

/** A catalog row keyed by column name. */
export type CatalogRow = Record<string, unknown>;

/** Runs one catalog query through the engine (statement events see it) and returns its rows as records. */
export async function catalogRows(
  engine: CatalogSource,
  sql: string,
  params: readonly unknown[] = [],
): Promise<CatalogRow[]> {
  const result = await engine.execute({ sql, params: [...params], returnsRows: true }, { columnNames: true });
  const names = result.columns ?? [];
  return result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

const ACTIONS: Record<string, ReferentialAction | null> = {
  CASCADE: 'CASCADE',
  'SET NULL': 'SET NULL',
  'SET DEFAULT': 'SET DEFAULT',
  RESTRICT: 'RESTRICT',
  'NO ACTION': null,
};

/** A referential action as the catalog spells it; NO ACTION (every database's default) is null. */
export function referentialAction(text: unknown, where: string): ReferentialAction | null {
  const key = String(text).toUpperCase();
  if (!(key in ACTIONS)) throw new IntrospectionError(`${where}: unknown referential action '${String(text)}'`);
  return ACTIONS[key]!;
}

/** The value of a catalog cell as text (MySQL returns some as Buffers), null staying null. */
export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/**
 * An Enum type for a native enum's labels (named `name` on PostgreSQL); the UnknownSqlType of `typeText`
 * when Enum refuses the labels (MySQL members that differ only in case, trailing white space).
 */
export function enumTypeFor(labels: readonly string[], typeText: string, name?: string): SqlType<unknown> {
  try {
    return new EnumType(labels, name);
  } catch {
    return new UnknownSqlType(typeText);
  }
}

/** `CHAR(36)` is what Relata writes for a Uuid on MySQL and SQLite: it reads back as one. */
export function charUuid(name: string, args: readonly number[]): SqlType<unknown> | null {
  return (name === 'CHAR' || name === 'CHARACTER') && args.length === 1 && args[0] === 36 ? Uuid : null;
}

/**
 * Introspection: a live database's tables read into the schema objects models produce (Table, Column,
 * ForeignKey, PrimaryKeyConstraint, ForeignKeyConstraint, CheckConstraint, Index in a MetaData), with the
 * catalog's own record kept next to each Table.
 * Modelled on SQLAlchemy's `inspect(engine)` (one question per method) and `MetaData.reflect()`.
 */
import type { Engine } from '../../engine/engine.js';
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, isString, mustBe, type OptionTable } from '../../sql/options.js';
import { MetaData, type Table } from '../../sql/schema.js';
import { MysqlIntrospector } from './mysql.js';
import { PostgresIntrospector } from './postgres.js';
import {
  IntrospectionError,
  type CatalogSource,
  type DialectIntrospector,
  type ReflectedCheckConstraint,
  type ReflectedColumn,
  type ReflectedForeignKey,
  type ReflectedIndex,
  type ReflectedPrimaryKey,
  type ReflectedUniqueConstraint,
} from './reflected.js';
import { SqliteIntrospector } from './sqlite.js';
import { toTable } from './to-table.js';

/**
 * Where to read: `schema` is PostgreSQL's schema, MySQL's database, SQLite's attached database name.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const names = await inspect(db, { schema: 'main' }).getTableNames();
 * ```
 */
export interface InspectOptions {
  /** The current schema (PostgreSQL), database (MySQL) or `main` (SQLite) when absent. */
  readonly schema?: string;
}

const inspectOptionTable = {
  known: { schema: isString },
  refused: {},
} as const satisfies OptionTable<InspectOptions>;

const reflectOptionTable = {
  known: {
    schema: isString,
    tables: mustBe('a list of table names', (v) => Array.isArray(v) && v.every((t) => typeof t === 'string')),
  },
  refused: {},
} as const satisfies OptionTable<ReflectOptions>;

function checkedOptions<O>(options: O, table: OptionTable<O>, where: string): void {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where}: options must be an object`);
  checkOptions(options, table, where, ArgumentError);
}

/**
 * Questions about a live database, one catalog read each: SQLAlchemy's Inspector. Every read is a
 * plain query through the engine, so statement events and counters see it.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const insp = inspect(db);
 * for (const table of await insp.getTableNames()) {
 *   console.log(table, (await insp.getColumns(table)).map((c) => `${c.name} ${c.typeText}`));
 * }
 * ```
 */
export class Inspector {
  private readonly dialect: DialectIntrospector;

  constructor(
    /** The engine whose database is read. */
    readonly engine: Engine,
    options: InspectOptions = {},
    /** @internal Where the catalog queries run: the engine, or one of its connections (a migration's). */
    source: CatalogSource = engine,
  ) {
    checkedOptions(options, inspectOptionTable, 'inspect()');
    const schema = options.schema;
    switch (engine.dialect.name) {
      case 'sqlite':
        this.dialect = new SqliteIntrospector(source, schema);
        break;
      case 'postgres':
        this.dialect = new PostgresIntrospector(source, schema);
        break;
      case 'mysql':
        this.dialect = new MysqlIntrospector(source, schema);
        break;
      default:
        throw new IntrospectionError(`introspection does not support the '${String(engine.dialect.name)}' dialect`);
    }
  }

  /** The schema (PostgreSQL), database (MySQL) or attached database (SQLite: `main`) read when none is named. */
  getDefaultSchemaName(): Promise<string> {
    return this.dialect.defaultSchema();
  }

  /** The base tables' names, sorted. */
  getTableNames(): Promise<string[]> {
    return this.dialect.tableNames();
  }

  /** The table's columns in order; an IntrospectionError naming the table when it does not exist. */
  async getColumns(table: string): Promise<ReflectedColumn[]> {
    const columns = await this.dialect.columns(table);
    if (columns.length === 0) {
      const known = await this.getTableNames();
      throw new IntrospectionError(`table '${table}' does not exist (tables: ${known.join(', ') || 'none'})`);
    }
    return columns;
  }

  /** The primary key's columns in key order (empty when the table has none) and its name. */
  getPrimaryKey(table: string): Promise<ReflectedPrimaryKey> {
    return this.dialect.primaryKey(table);
  }

  /** The table's foreign keys, composite ones as one entry with their columns in order. */
  getForeignKeys(table: string): Promise<ReflectedForeignKey[]> {
    return this.dialect.foreignKeys(table);
  }

  /** Indexes other than the primary key's and the unique constraints'. */
  getIndexes(table: string): Promise<ReflectedIndex[]> {
    return this.dialect.indexes(table);
  }

  /** The table's UNIQUE constraints (on MySQL, unique indexes too: it does not tell them apart). */
  getUniqueConstraints(table: string): Promise<ReflectedUniqueConstraint[]> {
    return this.dialect.uniqueConstraints(table);
  }

  /** The table's CHECK constraints, each condition as SQL. */
  getCheckConstraints(table: string): Promise<ReflectedCheckConstraint[]> {
    return this.dialect.checkConstraints(table);
  }

  /** The table's comment, null when it has none. */
  getTableComment(table: string): Promise<string | null> {
    return this.dialect.tableComment(table);
  }

  /** Everything about one table, read together. */
  async reflectTable(table: string): Promise<ReflectedTableInfo> {
    const columns = await this.getColumns(table);
    return {
      name: table,
      columns,
      primaryKey: await this.getPrimaryKey(table),
      foreignKeys: await this.getForeignKeys(table),
      indexes: await this.getIndexes(table),
      uniqueConstraints: await this.getUniqueConstraints(table),
      checks: await this.getCheckConstraints(table),
      comment: await this.getTableComment(table),
    };
  }
}

/**
 * An Inspector for a database (or its engine).
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const names = await inspect(db).getTableNames();
 * ```
 */
export function inspect(target: Engine | { readonly engine: Engine }, options: InspectOptions = {}): Inspector {
  const engine = 'engine' in target ? target.engine : target;
  return new Inspector(engine, options);
}

/**
 * What the catalog says about one table, as the Inspector reads it.
 *
 * @example
 * ```ts
 * import { Database, inspect } from 'relata';
 * const db = new Database('sqlite://');
 * const info = await inspect(db).reflectTable('user');
 * console.log(info.columns.length, info.primaryKey.columns, info.comment);
 * ```
 */
export interface ReflectedTableInfo {
  /** The table's name. */
  readonly name: string;
  /** Its columns, in order. */
  readonly columns: readonly ReflectedColumn[];
  /** Its primary key (no columns when it has none). */
  readonly primaryKey: ReflectedPrimaryKey;
  /** Its foreign keys. */
  readonly foreignKeys: readonly ReflectedForeignKey[];
  /** Its indexes, other than the primary key's and the unique constraints'. */
  readonly indexes: readonly ReflectedIndex[];
  /** Its UNIQUE constraints. */
  readonly uniqueConstraints: readonly ReflectedUniqueConstraint[];
  /** Its CHECK constraints. */
  readonly checks: readonly ReflectedCheckConstraint[];
  /** Its comment, null when it has none. */
  readonly comment: string | null;
}

/**
 * A reflected table: the `table` models would have produced (composite keys as PrimaryKeyConstraint and
 * ForeignKeyConstraint, CHECKs, UniqueConstraints, indexes with their expressions, `serverDefault`s,
 * comments, Enum/Uuid/LargeBinary/ArrayOf types, the schema read), and the catalog's own record of it
 * (`info`: type texts, defaults and names as the database spells them).
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 * const db = new Database('sqlite://');
 * const reflected = (await db.reflect()).tables.get('book');
 * console.log(reflected?.table.checks.map((c) => c.sql), reflected?.compositeUniqueConstraints);
 * ```
 */
export interface ReflectedTable {
  /** The schema object, as a model's table would be. */
  readonly table: Table;
  /** Everything the catalog said, as it said it (including what Table cannot hold). */
  readonly info: ReflectedTableInfo;
  /** Foreign keys over several columns, as read (on the Table they are ForeignKeyConstraints). */
  readonly compositeForeignKeys: readonly ReflectedForeignKey[];
  /** Unique constraints over several columns, as read (on the Table they are UniqueConstraints). */
  readonly compositeUniqueConstraints: readonly ReflectedUniqueConstraint[];
}

/**
 * A reflected database: its tables as a MetaData, and each one's ReflectedTable by name.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 * const db = new Database('sqlite://');
 * const { metadata, tables } = await db.reflect();
 * console.log([...metadata.tables.keys()], tables.size);
 * ```
 */
export interface ReflectedMetaData {
  /** The reflected tables as one MetaData, foreign keys resolved inside it. */
  readonly metadata: MetaData;
  /** Each reflected table by name. */
  readonly tables: ReadonlyMap<string, ReflectedTable>;
}

/**
 * What to reflect.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 * const db = new Database('sqlite://');
 * const { metadata } = await db.reflect({ tables: ['user', 'post'] });
 * ```
 */
export interface ReflectOptions extends InspectOptions {
  /** Only these tables (an error names any that does not exist); every base table when absent. */
  readonly tables?: readonly string[];
}

/**
 * Reads the database's tables into a MetaData of Table objects, as models produce them, so they can be
 * compared with model tables or created elsewhere (SQLAlchemy's `MetaData.reflect()`). Foreign keys to
 * tables outside `tables` stay as 'table.column' targets and resolve only when those tables are added.
 *
 * @example
 * ```ts
 * import { Database, reflectMetaData } from 'relata';
 * const db = new Database('sqlite://');
 * const { metadata, tables } = await reflectMetaData(db.engine);
 * for (const t of metadata.tables.values()) console.log(t.name, tables.get(t.name)?.info.checks);
 * ```
 */
export async function reflectMetaData(engine: Engine, options: ReflectOptions = {}): Promise<ReflectedMetaData> {
  checkedOptions(options, reflectOptionTable, 'reflectMetaData()');
  const inspector = new Inspector(engine, options.schema === undefined ? {} : { schema: options.schema });
  const names = options.tables ? [...options.tables] : await inspector.getTableNames();
  const metadata = new MetaData();
  const tables = new Map<string, ReflectedTable>();
  const place = { schema: options.schema, defaultSchema: await inspector.getDefaultSchemaName() };
  for (const name of names) {
    const info = await inspector.reflectTable(name);
    const reflected: ReflectedTable = {
      table: toTable(info, place),
      info,
      compositeForeignKeys: info.foreignKeys.filter((fk) => fk.columns.length > 1),
      compositeUniqueConstraints: info.uniqueConstraints.filter((u) => u.columns.length > 1),
    };
    metadata.add(reflected.table);
    tables.set(name, reflected);
  }
  return { metadata, tables };
}

export { IntrospectionError, UnknownSqlType } from './reflected.js';
export type {
  ReflectedCheckConstraint,
  ReflectedColumn,
  ReflectedForeignKey,
  ReflectedIndex,
  ReflectedPrimaryKey,
  ReflectedUniqueConstraint,
} from './reflected.js';

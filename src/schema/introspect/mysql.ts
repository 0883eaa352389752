/** MySQL's and MariaDB's catalog (information_schema), in the current database unless told another. */
import type { CatalogSource } from './reflected.js';
import { Boolean, Json } from '../../sql/types.js';
import {
  catalogRows,
  charUuid,
  enumTypeFor,
  referentialAction,
  textOrNull,
  type CatalogRow,
  type DialectIntrospector,
  type ReflectedCheckConstraint,
  type ReflectedColumn,
  type ReflectedForeignKey,
  type ReflectedIndex,
  type ReflectedPrimaryKey,
  type ReflectedUniqueConstraint,
} from './reflected.js';
import { sqlTypeFor } from './types-map.js';

/** `?` is the table, the next `?` the database (null: the current one). */
const WHERE_TABLE = 'TABLE_NAME = ? AND TABLE_SCHEMA = COALESCE(?, DATABASE())';

/** `enum('a','b''c')` → ['a', "b'c"]. */
function enumLabels(columnType: string): string[] | null {
  const m = /^enum\((.*)\)$/is.exec(columnType);
  if (!m) return null;
  return [...m[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'"));
}

/** information_schema column names are upper case on MySQL 8, as declared on MariaDB: read either. */
const col = (r: CatalogRow, name: string): unknown => r[name] ?? r[name.toLowerCase()];

export class MysqlIntrospector implements DialectIntrospector {
  constructor(
    private readonly engine: CatalogSource,
    private readonly schema: string | null = null,
  ) {}

  private rows(sql: string, table: string, extra: readonly unknown[] = []) {
    return catalogRows(this.engine, sql, [table, this.schema, ...extra]);
  }

  async defaultSchema(): Promise<string> {
    const rows = await catalogRows(this.engine, 'SELECT DATABASE() AS s');
    return String(rows[0]?.s);
  }

  async tableNames(): Promise<string[]> {
    const rows = await catalogRows(
      this.engine,
      `SELECT TABLE_NAME FROM information_schema.TABLES
       WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      [this.schema],
    );
    return rows.map((r) => String(col(r, 'TABLE_NAME')));
  }

  private mariadb: Promise<boolean> | undefined;

  /** Asked once per introspector: the server does not change under it. */
  private isMariaDb(): Promise<boolean> {
    this.mariadb ??= catalogRows(this.engine, 'SELECT VERSION() AS v').then((rows) =>
      /mariadb/i.test(String(rows[0]?.v)),
    );
    return this.mariadb;
  }

  async columns(table: string): Promise<ReflectedColumn[]> {
    const rows = await this.rows(
      `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT
       FROM information_schema.COLUMNS WHERE ${WHERE_TABLE} ORDER BY ORDINAL_POSITION`,
      table,
    );
    const jsonColumns = new Set((await this.allChecks(table)).filter(isJsonCheck).map((c) => c.name));
    const mariadb = await this.isMariaDb();
    return rows.map((r) => {
      const name = String(col(r, 'COLUMN_NAME'));
      const typeText = String(textOrNull(col(r, 'COLUMN_TYPE')));
      const extra = String(textOrNull(col(r, 'EXTRA')) ?? '');
      const labels = enumLabels(typeText);
      const type = jsonColumns.has(name)
        ? Json
        : labels
          ? enumTypeFor(labels, typeText)
          : sqlTypeFor(typeText, (n, args) => (n === 'TINYINT' && args[0] === 1 ? Boolean : charUuid(n, args)));
      return {
        name,
        type,
        typeText,
        nullable: col(r, 'IS_NULLABLE') === 'YES',
        default: this.defaultSql(textOrNull(col(r, 'COLUMN_DEFAULT')), extra, mariadb),
        autoincrement: /auto_increment/i.test(extra),
        comment: textOrNull(col(r, 'COLUMN_COMMENT')) || null,
        ...(labels ? { enumValues: labels } : {}),
      };
    });
  }

  /**
   * MariaDB (10.2.7+) gives the default as SQL (`'draft'`, `NULL` for none); MySQL gives a literal's
   * value unquoted and marks expressions DEFAULT_GENERATED: quote the literals so both read as SQL.
   */
  private defaultSql(value: string | null, extra: string, mariadb: boolean): string | null {
    if (value === null) return null;
    if (mariadb) return value === 'NULL' ? null : value;
    if (/^CURRENT_TIMESTAMP/i.test(value) || /^-?[0-9.]+$/.test(value)) return value;
    // An expression default (`DEFAULT (uuid())`): MySQL gives it without the parentheses its DDL needs.
    if (/DEFAULT_GENERATED/i.test(extra)) return `(${value})`;
    return `'${value.replace(/'/g, "''")}'`;
  }

  async primaryKey(table: string): Promise<ReflectedPrimaryKey> {
    const rows = await this.rows(
      `SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE ${WHERE_TABLE} AND INDEX_NAME = 'PRIMARY'
       ORDER BY SEQ_IN_INDEX`,
      table,
    );
    // MySQL names every primary key PRIMARY, whatever the DDL said: no name worth reporting.
    return { name: null, columns: rows.map((r) => String(col(r, 'COLUMN_NAME'))) };
  }

  async foreignKeys(table: string): Promise<ReflectedForeignKey[]> {
    const rows = await this.rows(
      `SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
              NULLIF(k.REFERENCED_TABLE_SCHEMA, k.TABLE_SCHEMA) AS REFERENCED_SCHEMA,
              r.UPDATE_RULE, r.DELETE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.TABLE_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
       WHERE k.${WHERE_TABLE.replace('TABLE_SCHEMA', 'k.TABLE_SCHEMA')} AND k.REFERENCED_TABLE_NAME IS NOT NULL
       ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      table,
    );
    const byName = new Map<string, CatalogRow[]>();
    for (const r of rows) {
      const name = String(col(r, 'CONSTRAINT_NAME'));
      byName.set(name, [...(byName.get(name) ?? []), r]);
    }
    return [...byName].map(([name, group]) => {
      const first = group[0]!;
      const where = `foreign key '${name}' of '${table}'`;
      return {
        name,
        columns: group.map((r) => String(col(r, 'COLUMN_NAME'))),
        referredTable: String(col(first, 'REFERENCED_TABLE_NAME')),
        ...(textOrNull(col(first, 'REFERENCED_SCHEMA')) !== null && {
          referredSchema: String(textOrNull(col(first, 'REFERENCED_SCHEMA'))),
        }),
        referredColumns: group.map((r) => String(col(r, 'REFERENCED_COLUMN_NAME'))),
        // InnoDB's RESTRICT is NO ACTION (both check at once), the default when none is declared.
        onDelete: restrictIsDefault(referentialAction(col(first, 'DELETE_RULE'), where)),
        onUpdate: restrictIsDefault(referentialAction(col(first, 'UPDATE_RULE'), where)),
      };
    });
  }

  private async statistics(table: string) {
    const rows = await this.rows(
      // SELECT *: MySQL 8.0.13+ has EXPRESSION (a functional part's SQL), MariaDB has not.
      `SELECT * FROM information_schema.STATISTICS
       WHERE ${WHERE_TABLE} AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      table,
    );
    const byName = new Map<string, { unique: boolean; columns: (string | null)[]; expressions: (string | null)[] }>();
    for (const r of rows) {
      const name = String(col(r, 'INDEX_NAME'));
      const entry = byName.get(name) ?? { unique: Number(col(r, 'NON_UNIQUE')) === 0, columns: [], expressions: [] };
      entry.columns.push(textOrNull(col(r, 'COLUMN_NAME')));
      entry.expressions.push(textOrNull(col(r, 'EXPRESSION')));
      byName.set(name, entry);
    }
    return byName;
  }

  /**
   * Non-unique indexes. A UNIQUE index is a unique constraint on MySQL (uniqueConstraints lists it), and
   * the index InnoDB made itself for a foreign key (named as the constraint, on its columns) is left out.
   */
  async indexes(table: string): Promise<ReflectedIndex[]> {
    const fks = new Map((await this.foreignKeys(table)).map((fk) => [fk.name, fk.columns.join(',')]));
    const out: ReflectedIndex[] = [];
    for (const [name, ix] of await this.statistics(table)) {
      // A unique index over an expression is no constraint: it stays an index.
      const expression = ix.columns.includes(null);
      if ((ix.unique && !expression) || fks.get(name) === ix.columns.join(',')) continue;
      out.push({
        name,
        columns: ix.columns,
        unique: ix.unique,
        where: null,
        ...(ix.columns.includes(null) && { expressions: ix.expressions }),
      });
    }
    return out;
  }

  async uniqueConstraints(table: string): Promise<ReflectedUniqueConstraint[]> {
    const out: ReflectedUniqueConstraint[] = [];
    for (const [name, ix] of await this.statistics(table)) {
      if (ix.unique && !ix.columns.includes(null)) out.push({ name, columns: ix.columns.map(String) });
    }
    return out;
  }

  /** CHECK constraints, without MariaDB's json_valid() ones: those are the JSON type (see columns()). */
  async checkConstraints(table: string): Promise<ReflectedCheckConstraint[]> {
    return (await this.allChecks(table)).filter((c) => !isJsonCheck(c));
  }

  private async allChecks(table: string): Promise<ReflectedCheckConstraint[]> {
    const rows = await this.rows(
      `SELECT cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc
       JOIN information_schema.TABLE_CONSTRAINTS tc
         ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
       WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.${WHERE_TABLE.replace('TABLE_SCHEMA', 'tc.TABLE_SCHEMA')}
       ORDER BY cc.CONSTRAINT_NAME`,
      table,
    );
    return rows.map((r) => ({
      name: textOrNull(col(r, 'CONSTRAINT_NAME')),
      sql: String(textOrNull(col(r, 'CHECK_CLAUSE'))),
    }));
  }

  async tableComment(table: string): Promise<string | null> {
    const rows = await this.rows(`SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE ${WHERE_TABLE}`, table);
    return textOrNull(rows[0] ? col(rows[0], 'TABLE_COMMENT') : null) || null;
  }
}

/** MariaDB keeps JSON as LONGTEXT with a CHECK (json_valid(`col`)) named after the column. */
function isJsonCheck(c: ReflectedCheckConstraint): boolean {
  return c.name !== null && c.sql.toLowerCase() === `json_valid(\`${c.name.toLowerCase()}\`)`;
}

function restrictIsDefault<A>(action: A | 'RESTRICT'): A | null {
  return action === 'RESTRICT' ? null : action;
}

/**
 * SQL for MySQL and MariaDB (and what TiDB accepts; see docs/dialects.md). What the server supports
 * differs between them, so two capabilities are set by the driver when it first connects.
 */
import { SqlCompiler, type ColumnAlteration, type CompileContext, type TableRef } from '../../sql/compiler.js';
import type { Insert } from '../../sql/dml.js';
import { renderMysqlLock, type LockingClause } from '../../sql/locking.js';
import { renderOnDuplicateKey, type ClauseRenderer, type ExcludedColumn } from '../../sql/upsert.js';
import type { Concat } from '../../sql/concat.js';
import { STANDARD_SYNTAX, type TextSyntax } from '../../sql/placeholders.js';
import type { Column, Index, Table } from '../../sql/schema.js';
import type { ForeignKeyConstraint } from '../../sql/constraints.js';
import type { EnumType, NumericType, SqlType, StringType } from '../../sql/types.js';
import { ddlString, noArrayTypeError, noColumnTypeError } from '../../sql/storable.js';
import { storedType } from '../../sql/type-decorator.js';
import { ArgumentError, CompileError } from '../../sql/errors.js';
import type { SetOperator } from '../../sql/compound.js';
import type { SubqueryAlias } from '../../sql/selectable.js';
import { characterCount, decimalParts, decimalWidth, jsonText, plainDecimal } from '../../sql/value-checks.js';

/** What Numeric() without a precision is here (DECIMAL(65, 30)) and String() without a length (VARCHAR(255)). */
const WIDEST_DECIMAL = { whole: 35, fraction: 30 };
const DEFAULT_VARCHAR = 255;

/** MySQL's "no limit": OFFSET is only valid after a LIMIT. */
const NO_LIMIT = '18446744073709551615';

/** What the server said it is at connect time. */
export interface MysqlServerInfo {
  readonly flavor: 'mariadb' | 'mysql';
  /** [major, minor, patch] */
  readonly version: readonly [number, number, number];
}

export class MysqlCompiler extends SqlCompiler {
  readonly dialectName = 'mysql';
  /** Prepared statements count parameters in an unsigned 16-bit field (ER_PS_MANY_PARAM above it). */
  readonly parameterLimit = 65535;
  // Batches stay a little below the limit, leaving room for a statement's other parameters.
  readonly maxParameters = 65000;
  /** Backslash escapes in '…' and "…" (sql_mode without NO_BACKSLASH_ESCAPES), # comments, `-- ` comments. */
  override readonly textSyntax: TextSyntax = { ...STANDARD_SYNTAX, backslashEscapes: true, mysqlComments: true };
  /** MariaDB ≥ 10.5 has INSERT … RETURNING; MySQL and TiDB do not (generated keys then come from insertId). */
  supportsReturning = false;
  /** MariaDB has CREATE INDEX IF NOT EXISTS; MySQL does not, so there indexes go inside CREATE TABLE IF NOT EXISTS. */
  supportsCreateIndexIfNotExists = false;
  /** MySQL 8.0.13+ indexes expressions; MariaDB does not (it indexes generated columns). */
  supportsExpressionIndexes = true;

  /** The server, for what only some MySQL/MariaDB versions have (set by configureFor). */
  server: MysqlServerInfo = { flavor: 'mysql', version: [8, 0, 40] };

  /** Called by the driver once it knows which server it talks to. */
  configureFor(server: MysqlServerInfo): void {
    this.server = server;
    const [major, minor] = server.version;
    const mariadb = server.flavor === 'mariadb';
    this.supportsReturning = mariadb && (major > 10 || (major === 10 && minor >= 5));
    this.supportsCreateIndexIfNotExists = mariadb;
    this.supportsExpressionIndexes = !mariadb && (major > 8 || (major === 8 && (minor > 0 || server.version[2] >= 13)));
    this.collation = binaryCollationFor(server);
    this.flavor = server.flavor;
  }

  /** MariaDB has DELETE … RETURNING (10.0.5) but no UPDATE … RETURNING; MySQL has neither. */
  override get supportsUpdateReturning(): boolean {
    return false;
  }
  override get supportsDeleteReturning(): boolean {
    return this.flavor === 'mariadb';
  }

  protected override noReturning(kind: string): string {
    const [major, minor] = this.server.version;
    const server = `${this.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${major}.${minor}`;
    if (this.flavor === 'mariadb' && kind === 'INSERT') return `${server} has no INSERT … RETURNING (MariaDB 10.5 has)`;
    return `${server} has no ${kind} … RETURNING${this.flavor === 'mariadb' ? ' (MariaDB has it for INSERT and DELETE only)' : ''}`;
  }

  protected override onConflictClause(s: Insert, r: ClauseRenderer): string {
    if (s.onConflict!.action === 'nothing' && s.returning.length)
      throw new CompileError(
        "onConflictDoNothing().returning(): MariaDB's ON DUPLICATE KEY UPDATE … RETURNING also returns the rows " +
          'that were kept, where PostgreSQL and SQLite return only the inserted ones; for get-or-create use session.upsert()',
      );
    return renderOnDuplicateKey(s.onConflict!, s.table, s.columns, r);
  }

  protected override excludedColumn(e: ExcludedColumn): string {
    return `VALUES(${this.quote(e.column.name)})`;
  }

  protected override lockingClause(lock: LockingClause): string {
    const [major, minor] = this.server.version;
    const mariadb = this.flavor === 'mariadb';
    const skipLocked = mariadb ? major > 10 || (major === 10 && minor >= 6) : major >= 8;
    return renderMysqlLock(lock, { mariadb, skipLocked }, (n) => this.quote(n));
  }

  /** Which server this is (set by configureFor): MariaDB drops a CHECK with DROP CONSTRAINT, MySQL with DROP CHECK. */
  flavor: MysqlServerInfo['flavor'] = 'mysql';

  /**
   * The tables' collation: binary (case- and accent-sensitive, as on SQLite and PostgreSQL) and NO PAD
   * where the server has one, so 'alpha ' ≠ 'alpha' in equality and UNIQUE too. Set by configureFor.
   */
  collation = 'utf8mb4_bin';

  quote(identifier: string): string {
    return `\`${identifier.replace(/`/g, '``')}\``;
  }

  /** INTERSECT/EXCEPT: MariaDB 10.3+ (their ALL forms 10.5+), MySQL 8.0.31+. */
  protected override setOperator(op: SetOperator): string {
    const missing = missingSetOperator(this.server, op);
    if (missing) throw new CompileError(missing);
    return op;
  }

  /** LATERAL: MySQL 8.0.14+; MariaDB has none (10.11 included). */
  protected override lateralKeyword(subquery: SubqueryAlias): string {
    const { flavor, version } = this.server;
    if (flavor === 'mariadb')
      throw new CompileError(
        `MariaDB has no LATERAL subqueries (lateral '${subquery.name}'); MySQL 8.0.14+ and PostgreSQL have them. ` +
          'Use a correlated scalar subquery or a window function instead',
      );
    if (!atLeast(version, [8, 0, 14]))
      throw new CompileError(`LATERAL needs MySQL 8.0.14 or later; this server is ${version.join('.')}`);
    return 'LATERAL ';
  }

  placeholder(): string {
    return '?';
  }

  override bindValue(value: unknown, type: SqlType<unknown> | null): unknown {
    // JSON first: a JSON true is JSON text, not the SQL 1 a boolean becomes.
    if (type?.typeName === 'JSON') return jsonText(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    // DATETIME has no zone: write the UTC wall-clock time (sessions run with time_zone '+00:00').
    if (value instanceof Date) return toUtcDatetime(value);
    if (type?.typeName === 'Numeric') return mysqlDecimal(value, type as NumericType);
    if (type?.typeName === 'Float' && Object.is(value, -0)) return 0;
    if (type?.typeName === 'String' && typeof value === 'string') return boundedVarchar(value, type as StringType);
    // mysql2 sends a Buffer as bytes but would expand another Uint8Array as a list: view it as a Buffer.
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return value;
  }

  columnType(c: Column): string {
    const t = storedType(c.type);
    const sqlText = (t as { sqlText?: unknown }).sqlText;
    // Restating a column whose type Relata has no name for (tinyint(4), set(…)): as the catalog spells it.
    if (this.restating && t.typeName === 'Unknown' && typeof sqlText === 'string') return sqlText;
    switch (t.typeName) {
      case 'Integer':
        return 'INT';
      case 'BigInteger':
        return 'BIGINT';
      case 'Float':
        return 'DOUBLE';
      case 'Numeric': {
        const n = t as unknown as { precision?: number; scale?: number };
        // Bare DECIMAL means DECIMAL(10, 0) here, which would round silently: take the widest instead.
        return n.precision ? `DECIMAL(${n.precision}, ${n.scale ?? 0})` : 'DECIMAL(65, 30)';
      }
      case 'String': {
        // VARCHAR needs a length; 255 utf8mb4 characters still fit an InnoDB index key (3072 bytes).
        const len = (t as unknown as { length?: number }).length;
        return `VARCHAR(${len ?? 255})`;
      }
      case 'Text':
        // TEXT holds only 64 KB; LONGTEXT is what SQLite and PostgreSQL TEXT hold (unbounded in practice).
        return 'LONGTEXT';
      case 'Boolean':
        return 'BOOLEAN';
      case 'DateTime':
        // Microseconds, UTC by convention; TIMESTAMP would stop at 2038.
        return 'DATETIME(6)';
      case 'Date':
        return 'DATE';
      case 'JSON':
        return 'JSON';
      case 'Enum':
        // Backslash escapes in MySQL string literals (unless NO_BACKSLASH_ESCAPES): double them too.
        return `ENUM(${(t as EnumType).values.map((v) => ddlString(v.replace(/\\/g, '\\\\'))).join(', ')})`;
      case 'Uuid':
        // Text, not BINARY(16): the value reads the same in SQL, logs and raw queries as in the model.
        return 'CHAR(36)';
      case 'LargeBinary':
        // BLOB holds only 64 KB; LONGBLOB holds what BYTEA and SQLite's BLOB hold.
        return 'LONGBLOB';
      case 'Array':
        throw noArrayTypeError(c, this.dialectName);
      default:
        // No guess (a BLOB reads values back as bytes): say which column and type.
        throw noColumnTypeError(c, this.dialectName);
    }
  }

  protected override columnDDL(c: Column): string {
    const sql = c.autoincrement
      ? `${this.quote(c.name)} ${this.columnType(c)} NOT NULL AUTO_INCREMENT`
      : super.columnDDL(c);
    return c.comment === undefined ? sql : `${sql} COMMENT ${this.stringLiteral(c.comment)}`;
  }

  protected override tableOptions(t: Table): string {
    const comment = t.comment === undefined ? '' : ` COMMENT=${this.stringLiteral(t.comment)}`;
    return ` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${this.collation}${comment}`;
  }

  /** Backslashes are escapes in MySQL string literals (without NO_BACKSLASH_ESCAPES). */
  protected override stringLiteral(value: string): string {
    return super.stringLiteral(value.replace(/\\/g, '\\\\'));
  }

  protected override partialIndexWhere(ix: Index): string {
    throw new ArgumentError(
      `Index '${ix.name}' on table '${ix.table.name}': MySQL and MariaDB have no partial indexes (where: '${ix.where}'); ` +
        'index the columns whole, or declare the index only for PostgreSQL and SQLite',
      { model: ix.table.name, column: ix.columns?.[0]?.name ?? ix.name },
    );
  }

  protected override indexElements(ix: Index): string {
    // MySQL 8.0.13+ indexes expressions (written in their own parentheses); MariaDB needs a generated column.
    if (!this.supportsExpressionIndexes && !ix.columns) {
      throw new ArgumentError(
        `Index '${ix.name}' on table '${ix.table.name}': this server (MariaDB, or MySQL before 8.0.13) cannot index an expression; add a generated column and index it`,
        { model: ix.table.name, column: ix.name },
      );
    }
    return super.indexElements(ix);
  }

  override createTable(table: Table, ifNotExists = false, addedAfter: readonly ForeignKeyConstraint[] = []): string[] {
    const [create, ...indexes] = super.createTable(table, ifNotExists, addedAfter);
    if (!ifNotExists || this.supportsCreateIndexIfNotExists || indexes.length === 0) return [create!, ...indexes];
    // MySQL has no CREATE INDEX IF NOT EXISTS: declare the indexes in the CREATE TABLE IF NOT EXISTS itself.
    const inline = table.indexes.map(
      (ix) => `${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(ix.name)} (${this.indexElements(ix)})`,
    );
    const end = create!.lastIndexOf('\n)');
    return [`${create!.slice(0, end)},\n  ${inline.join(',\n  ')}${create!.slice(end)}`];
  }

  // ---- ALTER (migration operations) ----

  /** True while alterColumn restates a column read from the catalog (see columnType). */
  private restating = false;

  /**
   * One ALTER TABLE for the column, its UNIQUE, foreign keys and indexes: MySQL commits each DDL
   * statement, and one statement either does it all or nothing (no column left without its key).
   */
  override addColumn(column: Column): string[] {
    const t = column.table;
    const parts = [`ADD COLUMN ${this.columnDDL(column)}`];
    for (const u of t.uniqueConstraints) parts.push(`ADD ${this.uniqueClause(u.name, u.columnNames)}`);
    for (const fk of t.foreignKeyConstraints) parts.push(`ADD ${this.foreignKeyClause(fk)}`);
    for (const ix of t.indexes)
      parts.push(`ADD ${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(ix.name)} (${this.indexElements(ix)})`);
    return [`ALTER TABLE ${this.tableName(t)} ${parts.join(', ')}`];
  }

  override renameTable(table: TableRef, to: string): string[] {
    // An unqualified new name would move the table into the connection's default database.
    return [`ALTER TABLE ${this.tableName(table)} RENAME TO ${this.tableName({ name: to, schema: table.schema })}`];
  }

  /**
   * MODIFY (or CHANGE, when renamed) restating the whole column: MySQL has no statement for one
   * property but the default. `using` runs first as an UPDATE, its result stored in the old type.
   */
  override alterColumn(a: ColumnAlteration): string[] {
    const c = a.column;
    const table = this.tableName(c.table);
    const out: string[] = [];
    if (a.using !== undefined) out.push(`UPDATE ${table} SET ${this.quote(a.name)} = (${a.using})`);
    const renamed = c.name !== a.name;
    if (a.type || a.nullable || a.comment) {
      const head = renamed ? `CHANGE COLUMN ${this.quote(a.name)}` : 'MODIFY COLUMN';
      this.restating = true;
      try {
        out.push(`ALTER TABLE ${table} ${head} ${this.columnDDL(c)}`);
      } finally {
        this.restating = false;
      }
      return out;
    }
    if (a.serverDefault) {
      const change = c.serverDefault === undefined ? 'DROP DEFAULT' : `SET DEFAULT ${c.serverDefault}`;
      out.push(`ALTER TABLE ${table} ALTER COLUMN ${this.quote(a.name)} ${change}`);
    }
    if (renamed) out.push(...this.renameColumn(c.table, a.name, c.name));
    return out;
  }

  override dropIndex(name: string, table: TableRef): string {
    return `DROP INDEX ${this.quote(name)} ON ${this.tableName(table)}`;
  }

  override dropConstraint(
    table: TableRef,
    name: string,
    kind: 'foreignKey' | 'unique' | 'check' | 'primaryKey',
  ): string {
    const t = `ALTER TABLE ${this.tableName(table)}`;
    switch (kind) {
      case 'foreignKey':
        return `${t} DROP FOREIGN KEY ${this.quote(name)}`;
      case 'unique':
        return `${t} DROP INDEX ${this.quote(name)}`;
      case 'primaryKey':
        return `${t} DROP PRIMARY KEY`;
      case 'check':
        return `${t} ${this.flavor === 'mariadb' ? 'DROP CONSTRAINT' : 'DROP CHECK'} ${this.quote(name)}`;
    }
  }

  override setTableComment(table: TableRef, comment: string | null): string[] {
    return [`ALTER TABLE ${this.tableName(table)} COMMENT = ${this.stringLiteral(comment ?? '')}`];
  }

  /** MySQL's `||` is OR (unless PIPES_AS_CONCAT): its concat() is NULL when a part is, as `||` elsewhere. */
  protected override concat(e: Concat<unknown>, ctx: CompileContext): string {
    return `concat(${e.parts.map((p) => this.expr(p, ctx)).join(', ')})`;
  }

  protected override limitOffset(limit: number | null, offset: number | null): string {
    if (limit === null && offset) return ` LIMIT ${NO_LIMIT} OFFSET ${offset}`;
    return super.limitOffset(limit, offset);
  }

  protected override insertDefaultValues(rows: number): string {
    // MySQL has no DEFAULT VALUES; an empty column list and empty rows mean the same, and batch.
    return '() VALUES ' + Array.from({ length: rows }, () => '()').join(', ');
  }
}

/**
 * utf8mb4_bin is PAD SPACE (trailing spaces ignored when comparing). MariaDB 10.2+ has
 * utf8mb4_nopad_bin, MySQL 8.0.17+ utf8mb4_0900_bin; older servers have only the PAD SPACE one.
 */
export function binaryCollationFor(server: MysqlServerInfo): string {
  const [major, minor, patch] = server.version;
  if (server.flavor === 'mariadb')
    return major > 10 || (major === 10 && minor >= 2) ? 'utf8mb4_nopad_bin' : 'utf8mb4_bin';
  const mysql8017 = major > 8 || (major === 8 && (minor > 0 || patch >= 17));
  return mysql8017 ? 'utf8mb4_0900_bin' : 'utf8mb4_bin';
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC. */
export function toUtcDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * A decimal as plain text: MariaDB reads exponent forms through a double ('3e-323' → 0), and
 * DECIMAL(65, 30) (Numeric() here) rounds a value with more digits without an error.
 */
function mysqlDecimal(value: unknown, type: NumericType): string {
  const parts = decimalParts(value);
  if (type.precision === undefined) {
    const { whole, fraction } = decimalWidth(parts);
    if (whole > WIDEST_DECIMAL.whole || fraction > WIDEST_DECIMAL.fraction) {
      throw new ArgumentError(
        `${String(value)} does not fit MySQL's widest DECIMAL(65, 30) (Numeric() here): at most ${WIDEST_DECIMAL.whole} digits before the point and ${WIDEST_DECIMAL.fraction} after`,
      );
    }
  }
  return plainDecimal(parts);
}

/** String() without a length is VARCHAR(255) here (a VARCHAR needs one): refuse what would not fit. */
function boundedVarchar(value: string, type: StringType): string {
  if (type.length === undefined && value.length > DEFAULT_VARCHAR && characterCount(value) > DEFAULT_VARCHAR) {
    throw new ArgumentError(
      `a string of ${characterCount(value)} characters is longer than String() holds on MySQL (VARCHAR(${DEFAULT_VARCHAR})); give String a length or use Text`,
    );
  }
  return value;
}

function atLeast(version: readonly [number, number, number], min: readonly [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== min[i]) return version[i]! > min[i]!;
  return true;
}

/** Why this server cannot run the set operator, or null when it can. */
function missingSetOperator(server: MysqlServerInfo, op: SetOperator): string | null {
  if (op === 'UNION' || op === 'UNION ALL') return null;
  const all = op.endsWith('ALL');
  const v = server.version.join('.');
  if (server.flavor === 'mariadb') {
    const min: [number, number, number] = all ? [10, 5, 0] : [10, 3, 0];
    return atLeast(server.version, min)
      ? null
      : `${op} needs MariaDB ${min.slice(0, 2).join('.')} or later; this server is ${v}`;
  }
  return atLeast(server.version, [8, 0, 31]) ? null : `${op} needs MySQL 8.0.31 or later; this server is ${v}`;
}

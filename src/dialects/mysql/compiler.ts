/**
 * SQL for MySQL and MariaDB (and what TiDB accepts; see docs/dialects.md). What the server supports
 * differs between them, so two capabilities are set by the driver when it first connects.
 */
import { SqlCompiler } from '../../sql/compiler.js';
import { STANDARD_SYNTAX, type TextSyntax } from '../../sql/placeholders.js';
import type { Column, Table } from '../../sql/schema.js';
import type { SqlType } from '../../sql/types.js';
import { noColumnTypeError } from '../../sql/storable.js';

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

  /** Called by the driver once it knows which server it talks to. */
  configureFor(server: MysqlServerInfo): void {
    const [major, minor] = server.version;
    const mariadb = server.flavor === 'mariadb';
    this.supportsReturning = mariadb && (major > 10 || (major === 10 && minor >= 5));
    this.supportsCreateIndexIfNotExists = mariadb;
  }

  quote(identifier: string): string {
    return `\`${identifier.replace(/`/g, '``')}\``;
  }

  placeholder(): string {
    return '?';
  }

  override bindValue(value: unknown, type: SqlType<unknown> | null): unknown {
    if (typeof value === 'boolean') return value ? 1 : 0;
    // DATETIME has no zone: write the UTC wall-clock time (sessions run with time_zone '+00:00').
    if (value instanceof Date) return toUtcDatetime(value);
    if (type?.typeName === 'JSON') return JSON.stringify(value);
    // A decimal given as a JS number goes over as its shortest exact text, never as a binary DOUBLE.
    if (type?.typeName === 'Numeric' && typeof value === 'number') return String(value);
    return value;
  }

  columnType(c: Column): string {
    const t = c.type;
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
      default:
        // No guess (a BLOB reads values back as bytes): say which column and type.
        throw noColumnTypeError(c, this.dialectName);
    }
  }

  protected override columnDDL(c: Column): string {
    if (c.autoincrement) return `${this.quote(c.name)} ${this.columnType(c)} NOT NULL AUTO_INCREMENT`;
    return super.columnDDL(c);
  }

  protected override tableOptions(): string {
    // utf8mb4_bin: equality, UNIQUE and ORDER BY are case- and accent-sensitive, as on SQLite and PostgreSQL.
    return ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
  }

  override createTable(table: Table, ifNotExists = false): string[] {
    const [create, ...indexes] = super.createTable(table, ifNotExists);
    if (!ifNotExists || this.supportsCreateIndexIfNotExists || indexes.length === 0) return [create!, ...indexes];
    // MySQL has no CREATE INDEX IF NOT EXISTS: declare the indexes in the CREATE TABLE IF NOT EXISTS itself.
    const inline = table.indexes.map(
      (ix) =>
        `${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(ix.name)} (${ix.columns.map((c) => this.quote(c.name)).join(', ')})`,
    );
    const end = create!.lastIndexOf('\n)');
    return [`${create!.slice(0, end)},\n  ${inline.join(',\n  ')}${create!.slice(end)}`];
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

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC. */
export function toUtcDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

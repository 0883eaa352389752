import { SqlCompiler } from '../../sql/compiler.js';
import { STANDARD_SYNTAX, type TextSyntax } from '../../sql/placeholders.js';
import type { Column } from '../../sql/schema.js';
import type { SqlType } from '../../sql/types.js';
import { noColumnTypeError } from '../../sql/storable.js';
import { DataError } from '../../sql/errors.js';

export class SqliteCompiler extends SqlCompiler {
  readonly dialectName = 'sqlite';
  /** SQLITE_MAX_VARIABLE_NUMBER of better-sqlite3's bundled SQLite (and of every SQLite ≥ 3.32 built with defaults). */
  readonly parameterLimit = 32766;
  // Batches stay well below the limit, leaving room for a statement's other parameters.
  readonly maxParameters = 30000;
  readonly supportsReturning = true;
  override readonly textSyntax: TextSyntax = { ...STANDARD_SYNTAX, bracketIdentifiers: true, namedParameters: true };

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  placeholder(): string {
    return '?';
  }

  override bindValue(value: unknown, type: SqlType<unknown> | null): unknown {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (type?.typeName === 'Numeric' && typeof value === 'string') return exactDecimal(value);
    if (value instanceof Date) return sqliteDateTime(value);
    if (type?.typeName === 'JSON') return JSON.stringify(value);
    return value;
  }

  columnType(c: Column): string {
    const t = c.type;
    switch (t.typeName) {
      case 'Integer':
        return 'INTEGER';
      case 'BigInteger':
        // INTEGER, not BIGINT: only the exact name INTEGER makes a primary key an alias of the rowid.
        return 'INTEGER';
      case 'Float':
        return 'REAL';
      case 'Numeric': {
        const n = t as unknown as { precision?: number; scale?: number };
        return n.precision ? `NUMERIC(${n.precision}, ${n.scale ?? 0})` : 'NUMERIC';
      }
      case 'String': {
        const len = (t as unknown as { length?: number }).length;
        return len ? `VARCHAR(${len})` : 'VARCHAR';
      }
      case 'Text':
        return 'TEXT';
      case 'Boolean':
        return 'BOOLEAN';
      case 'DateTime':
        return 'DATETIME';
      case 'Date':
        return 'DATE';
      case 'JSON':
        return 'JSON';
      default:
        // No guess (a BLOB reads values back as bytes): say which column and type.
        throw noColumnTypeError(c, this.dialectName);
    }
  }

  protected override limitOffset(limit: number | null, offset: number | null): string {
    if (limit === null && offset) return ` LIMIT -1 OFFSET ${offset}`;
    return super.limitOffset(limit, offset);
  }
}

/**
 * SQLite stores a NUMERIC value as a REAL, keeping 15 significant digits. Refuse a decimal it would
 * round, rather than write a different number than the one given.
 */
function exactDecimal(value: string): string {
  const digits = value.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length > 15) {
    throw new DataError(
      `SQLite cannot store the decimal ${value} exactly (NUMERIC keeps 15 significant digits); use PostgreSQL or MySQL for wider decimals`,
    );
  }
  return value;
}

/**
 * SQLite's own text form for a UTC instant, as CURRENT_TIMESTAMP and other tools write it
 * ('2022-01-08 00:00:00', milliseconds only when there are some), so text comparisons against
 * existing data order correctly. Read back as UTC by the dialect.
 */
export function sqliteDateTime(d: Date): string {
  const iso = d.toISOString(); // 2022-01-08T00:00:00.000Z
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '000' ? '' : `.${ms}`}`;
}

import { SqlCompiler } from '../../sql/compiler.js';
import { sqliteHasNoRowLocks } from '../../sql/locking.js';
import { STANDARD_SYNTAX, type TextSyntax } from '../../sql/placeholders.js';
import type { Column } from '../../sql/schema.js';
import type { EnumType, SqlType } from '../../sql/types.js';
import { ddlString, noArrayTypeError, noColumnTypeError } from '../../sql/storable.js';
import { storedType } from '../../sql/type-decorator.js';
import { CompileError, DataError } from '../../sql/errors.js';
import type { SetOperator } from '../../sql/compound.js';
import type { SubqueryAlias } from '../../sql/selectable.js';
import { decimalParts, jsonText, plainDecimal } from '../../sql/value-checks.js';

export class SqliteCompiler extends SqlCompiler {
  readonly dialectName = 'sqlite';
  /** SQLITE_MAX_VARIABLE_NUMBER of better-sqlite3's bundled SQLite (and of every SQLite ≥ 3.32 built with defaults). */
  readonly parameterLimit = 32766;
  // Batches stay well below the limit, leaving room for a statement's other parameters.
  readonly maxParameters = 30000;
  readonly supportsReturning = true;
  override readonly alterAddsForeignKeys = false;
  override readonly textSyntax: TextSyntax = { ...STANDARD_SYNTAX, bracketIdentifiers: true, namedParameters: true };

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  protected override lockingClause(): string {
    throw sqliteHasNoRowLocks();
  }

  /** SQLite has UNION [ALL], INTERSECT and EXCEPT, but no INTERSECT ALL or EXCEPT ALL. */
  protected override setOperator(op: SetOperator): string {
    if (op === 'INTERSECT ALL' || op === 'EXCEPT ALL')
      throw new CompileError(`SQLite has no ${op}; use ${op.split(' ')[0]!.toLowerCase()}() (duplicates removed)`);
    return op;
  }

  /** SQLite cannot parenthesise a compound's member: a subquery stands in for it. */
  protected override groupedCompoundMember(sql: string): string {
    return `SELECT * FROM (${sql})`;
  }

  protected override lateralKeyword(subquery: SubqueryAlias): string {
    throw new CompileError(
      `SQLite has no LATERAL subqueries (lateral '${subquery.name}'); use a correlated scalar subquery, or a window function`,
    );
  }

  placeholder(): string {
    return '?';
  }

  override bindValue(value: unknown, type: SqlType<unknown> | null): unknown {
    // JSON first: a JSON true or a string that looks like a date is JSON text, not a SQL boolean or instant.
    if (type?.typeName === 'JSON') return sqliteJson(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (type?.typeName === 'Numeric') return exactDecimal(value);
    if (value instanceof Date) return sqliteDateTime(value);
    if (type?.typeName === 'Float' && Object.is(value, -0)) return 0;
    // better-sqlite3 binds a Buffer as a BLOB; a plain Uint8Array goes over as one through a view.
    if (value instanceof Uint8Array && globalThis.Buffer && !globalThis.Buffer.isBuffer(value))
      return globalThis.Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return value;
  }

  protected override columnDDL(c: Column): string {
    const t = storedType(c.type);
    if (t.typeName !== 'Enum') return super.columnDDL(c);
    // No ENUM in SQLite: a CHECK keeps other values out of rows written by SQL outside Relata too.
    const members = (t as EnumType).values.map(ddlString).join(', ');
    return `${super.columnDDL(c)} CHECK (${this.quote(c.name)} IN (${members}))`;
  }

  columnType(c: Column): string {
    const t = storedType(c.type);
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
      case 'Enum':
        return `VARCHAR(${(t as EnumType).length})`;
      case 'Uuid':
        return 'CHAR(36)';
      case 'LargeBinary':
        return 'BLOB';
      case 'Array':
        throw noArrayTypeError(c, this.dialectName);
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
 * SQLite stores a NUMERIC value as a REAL, keeping 15 significant digits, within a double's range.
 * Refuse a decimal it would round, rather than write a different number than the one given. The rest
 * is bound as the double nearest to it, which prints back as the same decimal (15 digits always do):
 * SQLite's own text-to-REAL conversion is not exact for long texts ('8e-215' written out in full).
 */
function exactDecimal(value: unknown): number {
  const parts = decimalParts(value);
  const magnitude = parts.digits.length + parts.exponent;
  if (parts.digits.length > 15 || magnitude > 308 || (parts.digits !== '' && magnitude < -306)) {
    throw new DataError(
      `SQLite cannot store the decimal ${String(value)} exactly (NUMERIC keeps 15 significant digits, as a double); use PostgreSQL or MySQL for wider decimals`,
    );
  }
  return Number(plainDecimal(parts));
}

/**
 * A JSON column's declared type gives it NUMERIC affinity, so SQLite would turn the text of a
 * top-level number into a REAL with its own inexact parser: bind such a number as the double itself.
 */
function sqliteJson(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) return Object.is(value, -0) ? 0 : value;
  return jsonText(value);
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

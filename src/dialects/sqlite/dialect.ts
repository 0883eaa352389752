import type { Dialect, Driver, PoolOptions, ResultProcessor } from '../dialect.js';
import type { SqlType } from '../../sql/types.js';
import { SqliteCompiler } from './compiler.js';
import { SqliteDriver } from './driver.js';
import { decimalParts, plainDecimal } from '../../sql/value-checks.js';

const toBoolean: ResultProcessor = (v) => (v === null ? null : v !== 0 && v !== 0n);
// Relata writes ISO strings with 'Z'; text without a zone ('2009-01-01 00:00:00', from SQLite's
// CURRENT_TIMESTAMP or other tools) is UTC too, never the process's local time.
const HAS_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/i;
const toDate: ResultProcessor = (v) => {
  if (v === null) return null;
  if (typeof v === 'string' && v.includes(':') && !HAS_ZONE.test(v)) return new Date(`${v.replace(' ', 'T')}Z`);
  return new Date(v as string);
};
/** A REAL read from a NUMERIC column as plain decimal text: 1e21 → '1000000000000000000000', never '1e+21'. */
const toDecimalString: ResultProcessor = (v) =>
  v === null || typeof v === 'string' ? v : plainDecimal(decimalParts(v));
/** With the column's scale ('12.5' → '12.50'); an integer read exactly (a bigint past 2^53) gets its zeros too. */
const toScaledDecimal =
  (scale: number): ResultProcessor =>
  (v) => {
    if (typeof v === 'number') return formatDecimal(v, scale);
    if (typeof v === 'bigint' && scale > 0) return `${v}.${'0'.repeat(scale)}`;
    return toDecimalString(v);
  };
const toBigInt: ResultProcessor = (v) => (v === null || typeof v === 'bigint' ? v : BigInt(v as number));
const parseJson: ResultProcessor = (v) => (v === null ? null : JSON.parse(v as string));

/** SQLite through better-sqlite3: the embedded default. `filename` ':memory:' is a private in-memory database. */
export class SqliteDialect implements Dialect {
  /** Always `'sqlite'`. */
  readonly name = 'sqlite';
  /** @internal SQLite's SQL compiler. */
  readonly compiler = new SqliteCompiler();
  constructor(
    /** The database file, or ':memory:'. */
    readonly filename: string,
  ) {}

  resultProcessor(type: SqlType<unknown>): ResultProcessor | null {
    switch (type.typeName) {
      case 'Boolean':
        return toBoolean;
      case 'DateTime':
        return toDate;
      case 'Numeric': {
        // SQLite keeps NUMERIC as REAL when it can: give back the declared scale ('12.50', not '12.5').
        const scale = (type as { scale?: number }).scale;
        return scale === undefined ? toDecimalString : toScaledDecimal(scale);
      }
      case 'BigInteger':
        return toBigInt;
      case 'JSON':
        return parseJson;
      default:
        return null;
    }
  }

  createDriver(pool: PoolOptions): Driver {
    return new SqliteDriver(this.filename, pool);
  }
}

/**
 * A REAL as a decimal string with `scale` digits: its shortest exact repr, padded (12.5 → '12.50').
 * toFixed alone would print the binary float's noise (123456789012.345 → '…345001220703125').
 */
export function formatDecimal(v: number, scale: number): string {
  const text = String(v);
  if (/e/i.test(text)) return v.toFixed(scale);
  const [whole, frac = ''] = text.split('.');
  if (frac.length > scale) return v.toFixed(scale);
  return scale === 0 ? whole! : `${whole}.${frac.padEnd(scale, '0')}`;
}

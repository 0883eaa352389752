import type { ArrayType, SqlType } from '../../sql/types.js';
import type { Dialect, Driver, PoolOptions, ResultProcessor } from '../dialect.js';
import { PostgresCompiler } from './compiler.js';
import { PostgresDriver } from './driver.js';
import { ArgumentError } from '../../sql/errors.js';
import { bigintMode, parseServerUrl, redactUrl } from '../server-url.js';

export interface PostgresDialectOptions {
  /**
   * How BigInteger columns come back: `'bigint'` (default, exact) or `'string'` (exact, and JSON-friendly).
   * Also settable in the URL: `postgresql://…/db?bigint=string`.
   */
  readonly bigint?: 'bigint' | 'string';
  /**
   * How many distinct statements each connection keeps prepared (named) on the server, so repeated
   * queries skip parsing and planning; default 100, 0 turns it off (PgBouncer in transaction mode
   * before 1.21). Also settable in the URL: `?prepared_statement_cache_size=0`.
   */
  readonly preparedStatementCacheSize?: number;
}

const toDate: ResultProcessor = (v) => (v === null || v instanceof Date ? v : new Date(v as string));
const toBigInt: ResultProcessor = (v) => (v === null || typeof v === 'bigint' ? v : BigInt(v as string | number));
const toBigIntString: ResultProcessor = (v) => (v === null || typeof v === 'string' ? v : String(v));

/**
 * PostgreSQL through node-postgres (`pg`, an optional peer dependency).
 *
 * @example
 * const db = new Database('postgresql://app:secret@127.0.0.1:5432/app', { pool: { max: 20, acquireTimeoutMs: 5000 } });
 */
export class PostgresDialect implements Dialect {
  readonly name = 'postgres';
  readonly compiler = new PostgresCompiler();
  private readonly bigint: 'bigint' | 'string';
  private readonly connectionString: string;
  private readonly displayUrl: string;
  private readonly preparedStatementCacheSize: number | undefined;

  constructor(url: string, options: PostgresDialectOptions = {}) {
    const parsed = parseServerUrl(url, 'postgresql');
    const fromUrl = parsed.searchParams.get('bigint');
    parsed.searchParams.delete('bigint');
    this.bigint = bigintMode(options.bigint ?? fromUrl ?? 'bigint', url);
    const cacheFromUrl = parsed.searchParams.get('prepared_statement_cache_size');
    parsed.searchParams.delete('prepared_statement_cache_size');
    this.preparedStatementCacheSize =
      options.preparedStatementCacheSize ?? (cacheFromUrl === null ? undefined : Number(cacheFromUrl));
    const size = this.preparedStatementCacheSize;
    if (size !== undefined && !(Number.isInteger(size) && size >= 0)) {
      throw new ArgumentError(
        `prepared_statement_cache_size '${cacheFromUrl ?? size}' in '${redactUrl(parsed)}': expected a whole number ≥ 0`,
      );
    }
    this.connectionString = parsed.toString();
    this.displayUrl = redactUrl(parsed);
  }

  resultProcessor(type: SqlType<unknown>): ResultProcessor | null {
    // pg already returns booleans, numbers, JSON values, numeric as exact strings, and (see driver.ts)
    // dates as 'YYYY-MM-DD'; only what needs a different JS type gets a processor.
    switch (type.typeName) {
      case 'DateTime':
        return toDate;
      case 'BigInteger':
        return this.bigint === 'string' ? toBigIntString : toBigInt;
      case 'Array': {
        const item = this.resultProcessor((type as ArrayType<unknown>).item);
        return item && ((v) => (v as unknown[]).map((x) => (x === null ? x : item(x))));
      }
      default:
        return null;
    }
  }

  createDriver(pool: PoolOptions): Driver {
    return new PostgresDriver(
      {
        connectionString: this.connectionString,
        displayUrl: this.displayUrl,
        preparedStatementCacheSize: this.preparedStatementCacheSize,
      },
      pool,
    );
  }
}

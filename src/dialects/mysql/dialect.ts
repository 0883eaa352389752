import { ArgumentError } from '../../sql/errors.js';
import type { SqlType } from '../../sql/types.js';
import type { Dialect, Driver, PoolOptions, ResultProcessor } from '../dialect.js';
import { bigintMode, parseServerUrl, redactUrl } from '../server-url.js';
import { MysqlCompiler } from './compiler.js';
import { MysqlDriver, type MysqlDriverConfig } from './driver.js';

export interface MysqlDialectOptions {
  /**
   * How BigInteger columns come back: `'bigint'` (default, exact) or `'string'` (exact, and JSON-friendly).
   * Also settable in the URL: `mysql://…/db?bigint=string`.
   */
  readonly bigint?: 'bigint' | 'string';
}

/** URL query parameters this dialect understands. Others are refused: driver options are input too. */
const URL_OPTIONS = ['bigint', 'ssl'];

const toBoolean: ResultProcessor = (v) => (v === null ? null : v !== 0 && v !== '0');
/** DATETIME text ('2024-05-06 07:08:09.123000') is UTC by convention: read it as such. */
const toDate: ResultProcessor = (v) => {
  if (v === null || v instanceof Date) return v;
  const m = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(v as string);
  return m ? new Date(`${m[1]}T${m[2]}${m[3] ?? ''}Z`) : new Date(v as string);
};
/**
 * mysql2's text protocol returns a BIGINT past 2^53 as a number when the number prints as the same
 * digits ('928667422748369900' → 928667422748369920, which prints as …900): BigInt of its text, not
 * of the double, is the value the server sent.
 */
const toBigInt: ResultProcessor = (v) => (v === null || typeof v === 'bigint' ? v : BigInt(String(v)));
const toBigIntString: ResultProcessor = (v) => (v === null || typeof v === 'string' ? v : String(v));
const parseJson: ResultProcessor = (v) => (typeof v === 'string' ? JSON.parse(v) : v);
/** Numeric() without precision is DECIMAL(65, 30) here: drop the padding zeros ('12.500…0' → '12.5'). */
const trimDecimal: ResultProcessor = (v) => (typeof v === 'string' && v.includes('.') ? v.replace(/\.?0+$/, '') : v);

/**
 * MySQL and MariaDB through mysql2 (an optional peer dependency). `mysql://` and `mariadb://` URLs.
 *
 * @example
 * const db = new Database('mysql://app:secret@127.0.0.1:3306/app', { pool: { max: 20, acquireTimeoutMs: 5000 } });
 */
export class MysqlDialect implements Dialect {
  readonly name = 'mysql';
  readonly compiler = new MysqlCompiler();
  private readonly bigint: 'bigint' | 'string';
  private readonly connection: Omit<MysqlDriverConfig, 'onServerInfo'>;

  constructor(url: string, options: MysqlDialectOptions = {}) {
    const parsed = parseServerUrl(url, 'mysql');
    const unknown = [...parsed.searchParams.keys()].filter((k) => !URL_OPTIONS.includes(k));
    if (unknown.length) {
      throw new ArgumentError(
        `MySQL URL '${redactUrl(parsed)}': unknown option(s) ${unknown.join(', ')} (supported: ${URL_OPTIONS.join(', ')})`,
      );
    }
    this.bigint = bigintMode(options.bigint ?? parsed.searchParams.get('bigint') ?? 'bigint', url);
    const ssl = parsed.searchParams.get('ssl');
    this.connection = {
      host: decodeURIComponent(parsed.hostname),
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
      // ssl=true: TLS with the server certificate verified against the system's CAs.
      ssl: ssl === 'true' ? {} : undefined,
      displayUrl: redactUrl(parsed),
    };
  }

  resultProcessor(type: SqlType<unknown>): ResultProcessor | null {
    switch (type.typeName) {
      case 'Boolean':
        return toBoolean;
      case 'DateTime':
        return toDate;
      case 'BigInteger':
        return this.bigint === 'string' ? toBigIntString : toBigInt;
      case 'Numeric':
        return (type as { precision?: number }).precision === undefined ? trimDecimal : null;
      case 'JSON':
        return parseJson;
      default:
        return null;
    }
  }

  createDriver(pool: PoolOptions): Driver {
    return new MysqlDriver({ ...this.connection, onServerInfo: (info) => this.compiler.configureFor(info) }, pool);
  }
}

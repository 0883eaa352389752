import { ArgumentError } from '../sql/errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { SqliteDialect } from '../dialects/sqlite/dialect.js';
import { PostgresDialect } from '../dialects/postgres/dialect.js';
import { MysqlDialect } from '../dialects/mysql/dialect.js';

/** Builds a dialect from the part of a URL after the scheme. Registered per scheme. */
export type DialectFactory = (url: URL | string) => Dialect;

const factories = new Map<string, DialectFactory>();

/**
 * Makes URL schemes open databases with the given dialect (`sqlite`, `postgresql`/`postgres` and
 * `mysql`/`mariadb` are registered already).
 *
 * @example
 * ```ts
 * import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
 * import { Database, registerDialect, SqliteWasmDialect } from 'relata';
 *
 * const sqlite3 = await sqlite3InitModule();
 * registerDialect(['sqlite-wasm'], () => new SqliteWasmDialect(sqlite3));
 * const db = new Database('sqlite-wasm://');
 * ```
 */
export function registerDialect(schemes: readonly string[], factory: DialectFactory): void {
  for (const s of schemes) factories.set(s, factory);
}

registerDialect(['sqlite'], (url) => new SqliteDialect(sqliteFilename(String(url))));
// The dialect modules load their drivers (pg, mysql2) only when a connection is first needed.
registerDialect(['postgresql', 'postgres'], (url) => new PostgresDialect(String(url)));
registerDialect(['mysql', 'mariadb'], (url) => new MysqlDialect(String(url)));

/**
 * SQLAlchemy's SQLite URL convention: `sqlite://` and `sqlite:///:memory:` are in memory,
 * `sqlite:///app.db` is relative to the working directory, `sqlite:////abs/app.db` is absolute.
 */
export function sqliteFilename(url: string): string {
  const rest = url.replace(/^sqlite:\/\//, '');
  if (rest === '' || rest === '/' || rest === '/:memory:') return ':memory:';
  if (!rest.startsWith('/')) throw new ArgumentError(`SQLite URL '${url}' must look like sqlite:///path/to/file.db`);
  return rest.slice(1);
}

export function dialectForUrl(url: string): Dialect {
  const scheme = /^([a-z0-9+]+):/i.exec(url)?.[1]?.toLowerCase().split('+')[0];
  const factory = scheme ? factories.get(scheme) : undefined;
  if (!factory) {
    throw new ArgumentError(
      `no dialect for URL '${redact(url)}': expected one of ${[...factories.keys()].map((s) => `${s}://`).join(', ')}`,
    );
  }
  return factory(url);
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

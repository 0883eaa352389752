/**
 * The Chinook sample database on a test database, plus a raw driver connection to the same data
 * for the "hand-written SQL" side of comparisons.
 *
 * SQLite: the vendored file is copied to a temporary file (Relata switches it to WAL, which writes
 * to the file; the fixture is never opened in place). PostgreSQL / MariaDB: the vendored script is
 * run, as one multi-statement query, into the fresh database describeEachDialect made for this file.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tableNameFor } from '../../src/index.js';
import type { DialectName } from './databases.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/chinook/', import.meta.url));

/** Hand-written SQL through the dialect's own driver, bypassing Relata entirely. */
export interface RawChinook {
  readonly dialect: DialectName;
  /**
   * Runs a query written with PascalCase identifiers in double quotes (`SELECT "Name" FROM "Artist"`)
   * and `?` placeholders; identifiers are renamed and requoted for the dialect (PostgreSQL: `"name"`
   * from `"artist"`, MariaDB: backticks), placeholders become `$1…` on PostgreSQL. Rows are arrays in
   * the order of the select list, since column names differ between the scripts.
   */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** SQL rendering a DATETIME column as 'YYYY-MM-DD HH:MM:SS' text (the column given as `"Table"."Column"`). */
  dateText(column: string): string;
  /** SQL rendering a decimal expression as text with two decimals ('12.50'). */
  moneyText(expr: string): string;
  close(): Promise<void>;
}

export interface ChinookSetup {
  /** URL to open the loaded Chinook database with Relata. */
  readonly url: string;
  readonly raw: RawChinook;
  /** Closes the raw connection and removes the temporary copy (SQLite). */
  dispose(): Promise<void>;
}

/** Loads Chinook for `dialect`; `serverUrl` is the fresh per-file database on PostgreSQL/MariaDB. */
export async function loadChinook(dialect: DialectName, serverUrl: string): Promise<ChinookSetup> {
  if (dialect === 'sqlite') return loadSqlite();
  if (dialect === 'postgres') return loadPostgres(serverUrl);
  return loadMysql(serverUrl);
}

async function loadSqlite(): Promise<ChinookSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'relata-chinook-'));
  const file = join(dir, 'chinook.sqlite');
  copyFileSync(join(FIXTURES, 'Chinook_Sqlite.sqlite'), file);
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const conn = new BetterSqlite3(file, { readonly: true });
  const raw: RawChinook = {
    dialect: 'sqlite',
    async rows(sql: string, params: readonly unknown[] = []) {
      return conn
        .prepare(sql)
        .raw(true)
        .all(...params) as unknown[][];
    },
    dateText: (column) => column,
    moneyText: (expr) => `printf('%.2f', ${expr})`,
    async close() {
      conn.close();
    },
  };
  return {
    url: `sqlite:///${file}`,
    raw,
    async dispose() {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The script without its DROP/CREATE DATABASE and `\c`/`USE`: everything from "Create Tables" on. */
function scriptBody(file: string): string {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const start = text.search(/^CREATE TABLE/m);
  if (start < 0) throw new Error(`${file}: no CREATE TABLE found`);
  return text.slice(start);
}

/** `"ArtistId"` → the dialect's quoted name for the PascalCase identifier. */
function renameIdentifiers(sql: string, rename: (name: string) => string, quote: (name: string) => string): string {
  return sql.replace(/"(\w+)"/g, (_, name: string) => quote(rename(name)));
}

async function loadPostgres(url: string): Promise<ChinookSetup> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(scriptBody('Chinook_PostgreSql.sql'));
  const raw: RawChinook = {
    dialect: 'postgres',
    async rows(sql: string, params: readonly unknown[] = []) {
      let i = 0;
      const text = renameIdentifiers(sql, tableNameFor, (n) => `"${n}"`).replace(/\?/g, () => `$${++i}`);
      return (await client.query({ text, values: params as unknown[], rowMode: 'array' })).rows as unknown[][];
    },
    dateText: (column) => `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS')`,
    moneyText: (expr) => `to_char(${expr}, 'FM999999990.00')`,
    async close() {
      await client.end();
    },
  };
  return { url, raw, dispose: () => raw.close() };
}

async function loadMysql(url: string): Promise<ChinookSetup> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true, charset: 'utf8mb4' });
  const database = new URL(url).pathname.slice(1);
  await conn.query(`ALTER DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await conn.query(scriptBody('Chinook_MySql.sql'));
  const raw: RawChinook = {
    dialect: 'mysql',
    async rows(sql: string, params: readonly unknown[] = []) {
      const [rows] = await conn.query(
        {
          sql: renameIdentifiers(
            sql,
            (n) => n,
            (n) => `\`${n}\``,
          ),
          rowsAsArray: true,
        },
        params,
      );
      return rows as unknown[][];
    },
    dateText: (column) => `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i:%s')`,
    moneyText: (expr) => `CAST(${expr} AS DECIMAL(12,2))`,
    async close() {
      await conn.end();
    },
  };
  return { url, raw, dispose: () => raw.close() };
}

// ---- exact money arithmetic for comparisons ----

/** '12.34' → 1234n cents; exact, no float on the way. */
export function cents(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new Error(`not a money value with at most two decimals: '${value}'`);
  const c = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -c : c;
}

/** 1234n → '12.34'. */
export function fromCents(c: bigint): string {
  const sign = c < 0n ? '-' : '';
  const a = c < 0n ? -c : c;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** Exact sum of decimal strings, as a two-decimal string. */
export function sumMoney(values: readonly string[]): string {
  return fromCents(values.reduce((acc, v) => acc + cents(v), 0n));
}

/** A Relata DateTime as the 'YYYY-MM-DD HH:MM:SS' the Chinook scripts wrote (they store UTC wall time). */
export function dateText(d: Date | null): string | null {
  return d === null ? null : d.toISOString().slice(0, 19).replace('T', ' ');
}

// ---- the schemas as the fixtures define them, to check the models' names against ----

/** Table → column names in order, and the primary key columns, as the vendored script creates them. */
export function scriptTables(file: 'Chinook_PostgreSql.sql' | 'Chinook_MySql.sql'): Map<string, TableShape> {
  const out = new Map<string, TableShape>();
  const ident = (s: string) => s.replace(/[`"]/g, '');
  for (const m of readFileSync(join(FIXTURES, file), 'utf8').matchAll(/^CREATE TABLE (\S+)\s*\(([\s\S]*?)\n\);/gm)) {
    const lines = m[2]!
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const columns = lines.filter((l) => !l.startsWith('CONSTRAINT')).map((l) => ident(l.split(/\s+/)[0]!));
    const pk = lines.find((l) => /PRIMARY KEY/.test(l))!;
    const primaryKey = /\(([^)]*)\)/
      .exec(pk)![1]!
      .split(',')
      .map((c) => ident(c.trim()));
    out.set(ident(m[1]!), { columns, primaryKey });
  }
  return out;
}

/** The same, read from the vendored SQLite file's catalogue. */
export function sqliteFixtureTables(): Map<string, TableShape> {
  const require = createRequire(import.meta.url);
  const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
  const conn = new BetterSqlite3(join(FIXTURES, 'Chinook_Sqlite.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, TableShape>();
    const tables = conn
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .pluck()
      .all() as string[];
    for (const name of tables) {
      const info = conn.prepare(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`).all(name) as {
        name: string;
        pk: number;
      }[];
      const primaryKey = info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      out.set(name, { columns: info.map((c) => c.name), primaryKey });
    }
    return out;
  } finally {
    conn.close();
  }
}

export interface TableShape {
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
}

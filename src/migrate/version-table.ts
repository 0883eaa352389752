/**
 * The version table, `relata_migrations (id, applied_at)`: one row per applied migration. Written in
 * plain SQL per dialect rather than through a Table, so it never appears in the models' MetaData
 * (and so never in a schema diff).
 */
import type { Connection } from '../engine/engine.js';

/** The version table's name. */
export const VERSION_TABLE = 'relata_migrations';

/** An applied migration as the version table records it. */
export interface AppliedRow {
  readonly id: string;
  /** When it was applied, as the database wrote it (UTC). */
  readonly appliedAt: string;
}

function q(conn: Connection): string {
  return conn.engine.dialect.compiler.quote(VERSION_TABLE);
}

function p(conn: Connection, n: number): string {
  return conn.engine.dialect.compiler.placeholder(n);
}

const CREATE: Record<'sqlite' | 'postgres' | 'mysql', (table: string) => string> = {
  sqlite: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`,
  postgres: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`,
  mysql: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id VARCHAR(255) NOT NULL PRIMARY KEY, applied_at DATETIME(6) NOT NULL)`,
};

/** The CREATE TABLE IF NOT EXISTS of the version table on this connection's dialect. */
export function createVersionTableSql(conn: Connection): string {
  return CREATE[conn.engine.dialect.name](q(conn));
}

/** Creates the version table when it is missing. */
export async function ensureVersionTable(conn: Connection): Promise<void> {
  await conn.execute({ sql: createVersionTableSql(conn), params: [], returnsRows: false });
}

async function versionTableExists(conn: Connection): Promise<boolean> {
  const dialect = conn.engine.dialect.name;
  const sql =
    dialect === 'sqlite'
      ? `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`
      : dialect === 'postgres'
        ? `SELECT 1 WHERE to_regclass($1) IS NOT NULL`
        : `SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`;
  const param = dialect === 'postgres' ? q(conn) : VERSION_TABLE;
  return (await conn.execute({ sql, params: [param], returnsRows: true })).rows.length > 0;
}

/** The applied migrations (none when the table does not exist yet: nothing is created by reading). */
export async function readApplied(conn: Connection): Promise<AppliedRow[]> {
  if (!(await versionTableExists(conn))) return [];
  const result = await conn.execute({
    sql: `SELECT id, applied_at FROM ${q(conn)} ORDER BY applied_at, id`,
    params: [],
    returnsRows: true,
  });
  return result.rows.map(([id, at]) => ({
    id: String(id),
    appliedAt: at instanceof Date ? at.toISOString() : String(at),
  }));
}

/** The INSERT recording `id` as applied. */
export function insertVersionSql(conn: Connection, id: string): { sql: string; params: string[] } {
  return { sql: `INSERT INTO ${q(conn)} (id, applied_at) VALUES (${p(conn, 1)}, CURRENT_TIMESTAMP)`, params: [id] };
}

/** The DELETE recording `id` as reverted. */
export function deleteVersionSql(conn: Connection, id: string): { sql: string; params: string[] } {
  return { sql: `DELETE FROM ${q(conn)} WHERE id = ${p(conn, 1)}`, params: [id] };
}

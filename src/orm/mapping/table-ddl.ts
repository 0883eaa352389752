/**
 * What `db.createAll()` and `db.dropAll()` run: CREATE TABLE for the models' tables not yet there (with
 * the warnings for existing ones that differ) and DROP TABLE for all of them. Apart from `Database`,
 * which decides which metadata and where warnings go; this runs the DDL on a connection.
 */
import type { Connection, Engine } from '../../engine/engine.js';
import { existingTables, skippedTableWarnings } from '../../schema/compare/drift.js';
import { DropTable } from '../../sql/dml.js';
import { ArgumentError } from '../../sql/errors.js';
import type { MetaData as SqlMetaData, Table as SqlTable } from '../../sql/schema.js';
import { createAllStatements, dropAddedAfterStatements, unmarkedCycleWarning } from '../../sql/ddl-order.js';

/** createAll(): `metadata` is configured (foreign keys resolved); a skipped table that differs is warned about. */
export async function createTables(
  engine: Engine,
  metadata: SqlMetaData,
  warn: (message: string) => void,
): Promise<void> {
  const order = metadata.sortedTablesAndConstraints();
  const tables = order.tables;
  // Read before connecting: an in-memory SQLite database has one connection.
  const existing = await existingTables(engine, tables);
  const conn = await engine.connect();
  try {
    // All DDL before any runs (and after connecting: MySQL's compiler adapts to the server), so a
    // table that cannot be compiled (a type with no column type) leaves no table created. The keys
    // of a cycle (or marked useAlter) follow the tables, for the tables created now.
    const ddl = createAllStatements(engine.dialect.compiler, order, presentTables(tables, existing));
    await checkSqliteSchemas(engine, conn, tables);
    for (const sql of ddl) await conn.execute({ sql, params: [] });
  } finally {
    conn.release();
  }
  const cycle = engine.dialect.compiler.alterAddsForeignKeys ? unmarkedCycleWarning(order) : null;
  if (cycle) warn(cycle);
  for (const message of await skippedTableWarnings(engine, metadata, existing)) warn(message);
}

function presentTables(tables: readonly SqlTable[], existing: Map<string | undefined, string[]>): Set<SqlTable> {
  return new Set(tables.filter((t) => existing.get(t.schema)?.includes(t.name)));
}

/** dropAll(): DROP TABLE for every table, children before parents. */
export async function dropTables(engine: Engine, metadata: SqlMetaData): Promise<void> {
  const order = metadata.sortedTablesAndConstraints();
  const tables = [...order.tables].reverse();
  // The keys added after the tables go first (where they exist), so no table is referred to when dropped.
  const existing = order.addedAfter.length ? await existingTables(engine, tables) : new Map<string, string[]>();
  const conn = await engine.connect();
  const compiler = engine.dialect.compiler;
  // SQLite keeps a cycle's keys inline, and DROP TABLE deletes the rows first: defer the checks to a commit
  // at which both tables are gone.
  const deferChecks = order.addedAfter.length > 0 && !compiler.alterAddsForeignKeys;
  try {
    for (const sql of dropAddedAfterStatements(compiler, order, presentTables(tables, existing))) {
      await conn.execute({ sql, params: [] });
    }
    if (deferChecks) {
      await conn.begin();
      await conn.execute({ sql: 'PRAGMA defer_foreign_keys = ON', params: [] });
    }
    for (const t of tables) await conn.execute(engine.compile(new DropTable(t, true)));
    if (deferChecks) await conn.commit();
    // After every table: a PostgreSQL enum type may be shared by several tables.
    for (const sql of compiler.dropTypes(tables)) await conn.execute({ sql, params: [] });
  } catch (err) {
    if (deferChecks && conn.inTransaction) await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}

/** On SQLite a schema is an attached database: say so before `CREATE TABLE "app"."t"` fails with "unknown database". */
async function checkSqliteSchemas(engine: Engine, conn: Connection, tables: readonly SqlTable[]): Promise<void> {
  if (engine.dialect.compiler.dialectName !== 'sqlite') return;
  const wanted = tables.filter((t) => t.schema !== undefined);
  if (wanted.length === 0) return;
  const { rows } = await conn.execute({ sql: 'PRAGMA database_list', params: [] });
  const attached = new Set(rows.map((r) => String(r[1])));
  const missing = wanted.find((t) => !attached.has(t.schema!));
  if (missing) {
    throw new ArgumentError(
      `Table '${missing.fullName}': SQLite has no schemas, and '${missing.schema}' is not an attached database ` +
        `(attached: ${[...attached].join(', ')}); ATTACH DATABASE 'file.db' AS ${missing.schema} on every connection, or drop the schema option`,
    );
  }
}

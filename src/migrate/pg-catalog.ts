/**
 * What migrations read from PostgreSQL's catalog. Native enum types: created before the first column that uses one
 * (once, and refused when a type of that name exists with other labels), dropped with the last
 * column that used it (a dropped table or column, a column changed to another type).
 */
import type { TableRef } from '../sql/compiler.js';
import type { Table } from '../sql/schema.js';
import { MigrationOperationError } from './op-tables.js';
import type { OperationContext } from './op-context.js';

/** The CREATE TYPE statements `table`'s columns need, without the types that exist with the same labels. */
export async function enumTypesToCreate(ops: OperationContext, table: Table, where: string): Promise<string[]> {
  const types = ops.sql.createTypes(table);
  if (types.length === 0) return [];
  const rows = await ops.read(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typname = ANY($1::text[]) AND t.typnamespace = current_schema()::regnamespace
      GROUP BY t.typname`,
    [types.map((t) => t.name)],
  );
  const existing = new Map(rows.map((r) => [String(r.name), r.labels as string[]]));
  const out: string[] = [];
  for (const t of types) {
    const labels = existing.get(t.name);
    if (labels === undefined) out.push(t.sql);
    else if (labels.join('\u0000') !== t.values.join('\u0000'))
      throw new MigrationOperationError(
        `${where}: enum type "${t.name}" exists with the labels (${labels.join(', ')}), not (${t.values.join(', ')}); ` +
          `change it with execute('ALTER TYPE … ADD VALUE …') or give the Enum another name`,
        table.fullName,
      );
  }
  return out;
}

/**
 * DROP TYPE for each enum type the table's columns (or its one `column`) use and no other column
 * does: run after the DDL that drops or changes them.
 */
export async function enumTypesFreedBy(ops: OperationContext, ref: TableRef, column: string | null): Promise<string[]> {
  const rows = await ops.read(
    `SELECT tn.nspname AS schema, t.typname AS name, count(*) AS here,
            (SELECT count(*) FROM pg_attribute a2 JOIN pg_class c2 ON c2.oid = a2.attrelid
              WHERE (a2.atttypid = t.oid OR a2.atttypid = t.typarray) AND a2.attnum > 0 AND NOT a2.attisdropped
                AND c2.relkind IN ('r', 'p', 'v', 'm', 'f')) AS everywhere
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON (t.oid = a.atttypid OR t.typarray = a.atttypid) AND t.typtype = 'e'
       JOIN pg_namespace tn ON tn.oid = t.typnamespace
      WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema()) AND a.attnum > 0 AND NOT a.attisdropped
        AND ($3::text IS NULL OR a.attname = $3)
      GROUP BY tn.nspname, t.typname, t.oid, t.typarray`,
    [ref.name, ref.schema ?? null, column],
  );
  return rows
    .filter((r) => Number(r.here) === Number(r.everywhere))
    .map((r) => `DROP TYPE ${ops.sql.tableName({ name: String(r.name), schema: String(r.schema) })}`);
}

/** Whether `name` is a unique index of the table, not a constraint (a UNIQUE made with createIndex). */
export async function isPgUniqueIndex(ops: OperationContext, ref: TableRef, name: string): Promise<boolean> {
  const rows = await ops.read(
    `SELECT NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u') AS bare
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
      WHERE ic.relname = $1 AND tc.relname = $2 AND n.nspname = COALESCE($3, current_schema()) AND i.indisunique`,
    [name, ref.name, ref.schema ?? null],
  );
  return rows.length === 1 && rows[0]!.bare === true;
}

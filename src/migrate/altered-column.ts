/** The column as alterColumn leaves it, for dialects that restate or render it (MySQL's MODIFY, PostgreSQL's types). */
import type { ReflectedColumn } from '../schema/introspect/reflected.js';
import type { TableRef } from '../sql/compiler.js';
import { Column } from '../sql/schema.js';
import { ANY_TYPE, MigrationOperationError } from './op-tables.js';
import type { AlterColumnChanges, ExistingColumn } from './operations.js';

/**
 * Each property from the change, else from what the migration says the column is (`existing`), else
 * from the catalog (`live`). `restate`: every property is needed (MySQL), so one known nowhere (a dry
 * run ahead of the database) is an error naming the column.
 */
export function alteredColumn(
  ref: TableRef & { readonly fullName: string },
  column: string,
  changes: AlterColumnChanges,
  existing: ExistingColumn,
  live: ReflectedColumn | null,
  restate: boolean,
  where: string,
): Column {
  // The column as it will be: the change, else what the migration says it is, else the catalog.
  const known = <K extends keyof ExistingColumn>(key: K, fromLive: (c: ReflectedColumn) => ExistingColumn[K]) => {
    if (existing[key] !== undefined) return existing[key];
    if (live) return fromLive(live);
    if (!restate) return undefined;
    throw new MigrationOperationError(
      `${where}: MySQL restates the whole column, and its ${key} is not known: the table is not in the database yet ` +
        `(a dry run ahead of it), so pass existing: { type, nullable, serverDefault, comment, autoincrement }`,
      ref.fullName,
      column,
    );
  };
  const type = changes.type ?? known('type', (c) => c.type);
  const nullable = changes.nullable ?? known('nullable', (c) => c.nullable) ?? true;
  const serverDefault =
    changes.serverDefault !== undefined ? changes.serverDefault : known('serverDefault', (c) => c.default);
  const comment = changes.comment !== undefined ? changes.comment : known('comment', (c) => c.comment);
  const autoincrement = known('autoincrement', (c) => c.autoincrement) ?? false;
  if (type === undefined && restate)
    throw new MigrationOperationError(
      `${where}: the column's type is not known; pass existing: { type }`,
      ref.fullName,
      column,
    );
  const col = new Column(changes.newName ?? column, type ?? ANY_TYPE, [], {
    nullable,
    ...(autoincrement && { primaryKey: true, autoincrement: true }),
    ...(serverDefault !== null && serverDefault !== undefined && { serverDefault }),
    ...(comment !== null && comment !== undefined && { comment }),
  });
  return col;
}

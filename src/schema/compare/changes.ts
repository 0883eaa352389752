/**
 * What differs between the models' schema and a live database's, one change per record: what the
 * migration generator writes operations from, what `db.checkSchema()` lists and what `relata push`
 * applies. Modelled on Alembic's autogenerate diff (`compare_metadata`), with Relata's schema objects.
 *
 * Naming: `table` is a table's full name (`schema.name`, or `name` without a schema). Objects named
 * `model…` come from the models' MetaData, objects named `live…` from the reflected one.
 */
import type { CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint } from '../../sql/constraints.js';
import type { Column, Index, Table } from '../../sql/schema.js';

/** Which properties of a column differ. */
export type ColumnPropertyChange = 'type' | 'nullable' | 'serverDefault' | 'comment';

/** A UNIQUE constraint as the differ sees it: a name and its columns (a column's `unique: true` is one). */
export interface UniqueConstraintInfo {
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * One difference between models and database. `destructive` is true when applying it loses data
 * (a dropped table or column, a type change that may not convert): `relata push` refuses those
 * without `--force`, and the generator marks them in the file.
 */
export type SchemaChange = { readonly destructive: boolean; readonly table: string } & (
  | { readonly kind: 'add-table'; readonly modelTable: Table }
  | { readonly kind: 'drop-table'; readonly liveTable: Table }
  | { readonly kind: 'add-column'; readonly modelColumn: Column }
  | { readonly kind: 'drop-column'; readonly liveColumn: Column }
  | {
      readonly kind: 'alter-column';
      readonly column: string;
      readonly changes: readonly ColumnPropertyChange[];
      readonly modelColumn: Column;
      readonly liveColumn: Column;
    }
  | { readonly kind: 'add-index'; readonly modelIndex: Index }
  | { readonly kind: 'drop-index'; readonly liveIndex: Index }
  | { readonly kind: 'add-unique'; readonly modelUnique: UniqueConstraintInfo }
  | { readonly kind: 'drop-unique'; readonly liveUnique: UniqueConstraintInfo }
  | { readonly kind: 'add-foreign-key'; readonly modelForeignKey: ForeignKeyConstraint }
  | { readonly kind: 'drop-foreign-key'; readonly liveForeignKey: ForeignKeyConstraint }
  | { readonly kind: 'add-check'; readonly modelCheck: CheckConstraint }
  | { readonly kind: 'drop-check'; readonly liveCheck: CheckConstraint }
  | {
      readonly kind: 'alter-primary-key';
      /** Column names of each key; the constraint objects when the table declares one. */
      readonly modelColumns: readonly string[];
      readonly liveColumns: readonly string[];
      readonly modelConstraint: PrimaryKeyConstraint | undefined;
    }
  | {
      readonly kind: 'alter-table-comment';
      readonly modelComment: string | undefined;
      readonly liveComment: string | undefined;
    }
);

/** The `kind` of a SchemaChange. */
export type SchemaChangeKind = SchemaChange['kind'];

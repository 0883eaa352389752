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

/**
 * Which properties of a column differ.
 *
 * @example
 * ```ts
 * import type { ColumnPropertyChange } from 'relata';
 *
 * const changed: ColumnPropertyChange[] = ['type', 'nullable'];
 * ```
 */
export type ColumnPropertyChange = 'type' | 'nullable' | 'serverDefault' | 'comment';

/**
 * A UNIQUE constraint as the differ sees it: a name and its columns (a column's `unique: true` is one).
 *
 * @example
 * ```ts
 * import type { UniqueConstraintInfo } from 'relata';
 *
 * const unique: UniqueConstraintInfo = { name: 'uq_user_username', columns: ['username'] };
 * ```
 */
export interface UniqueConstraintInfo {
  /** The constraint's name (`uq_<table>_<columns>` unless declared). */
  readonly name: string;
  /** Its columns, by database name, in order. */
  readonly columns: readonly string[];
}

/**
 * One difference between models and database. `destructive` is true when applying it loses data
 * (a dropped table or column, a type change that may not convert): `relata push` refuses those
 * without `--force`, and the generator marks them in the file.
 *
 * @example
 * ```ts
 * import { compareSchemas, type SchemaChange } from 'relata';
 *
 * const changes: SchemaChange[] = compareSchemas(db.registry.metadata, (await db.reflect()).metadata, {
 *   dialect: db.engine.dialect,
 * });
 * for (const c of changes) if (c.kind === 'add-column') console.log(c.table, c.modelColumn.name);
 * ```
 */
export type SchemaChange = {
  /** Whether applying it may lose data (dropped table or column, type change, NULLs under a new NOT NULL). */
  readonly destructive: boolean;
  /** The table's full name (`schema.name`, or `name`). */
  readonly table: string;
} & (
  | {
      /** A table the models have and the database has not. */
      readonly kind: 'add-table';
      /** The models' table. */
      readonly modelTable: Table;
      /**
       * Its foreign keys that are not created with it (`useAlter`, or tables in a cycle): each
       * follows, once every new table exists, as an add-foreign-key change.
       */
      readonly foreignKeysAddedAfter?: readonly ForeignKeyConstraint[];
    }
  | {
      /** A table the database has and the models have not. */
      readonly kind: 'drop-table';
      /** The database's table, as reflected. */
      readonly liveTable: Table;
    }
  | {
      /** A column the model has and the database has not. */
      readonly kind: 'add-column';
      /** The model's column. */
      readonly modelColumn: Column;
    }
  | {
      /** A column the database has and the model has not. */
      readonly kind: 'drop-column';
      /** The database's column. */
      readonly liveColumn: Column;
    }
  | {
      /** A column on both sides that differs. */
      readonly kind: 'alter-column';
      /** The column's name. */
      readonly column: string;
      /** What differs, in the order type, nullable, serverDefault, comment. */
      readonly changes: readonly ColumnPropertyChange[];
      /** The model's column. */
      readonly modelColumn: Column;
      /** The database's column. */
      readonly liveColumn: Column;
    }
  | {
      /** An index the model has and the database has not (or has with other parts). */
      readonly kind: 'add-index';
      /** The model's index. */
      readonly modelIndex: Index;
    }
  | {
      /** An index the database has and the model has not (or has with other parts). */
      readonly kind: 'drop-index';
      /** The database's index. */
      readonly liveIndex: Index;
    }
  | {
      /** A UNIQUE constraint the model has and the database has not. */
      readonly kind: 'add-unique';
      /** The model's constraint. */
      readonly modelUnique: UniqueConstraintInfo;
    }
  | {
      /** A UNIQUE constraint the database has and the model has not. */
      readonly kind: 'drop-unique';
      /** The database's constraint. */
      readonly liveUnique: UniqueConstraintInfo;
    }
  | {
      /** A foreign key the model has and the database has not (compared by columns, target and actions). */
      readonly kind: 'add-foreign-key';
      /** The model's key. */
      readonly modelForeignKey: ForeignKeyConstraint;
    }
  | {
      /** A foreign key the database has and the model has not. */
      readonly kind: 'drop-foreign-key';
      /** The database's key. */
      readonly liveForeignKey: ForeignKeyConstraint;
    }
  | {
      /** A named CHECK constraint the model has and the database has not. */
      readonly kind: 'add-check';
      /** The model's CHECK. */
      readonly modelCheck: CheckConstraint;
    }
  | {
      /** A named CHECK constraint the database has and the model has not. */
      readonly kind: 'drop-check';
      /** The database's CHECK. */
      readonly liveCheck: CheckConstraint;
    }
  | {
      /** The primary key's columns differ. */
      readonly kind: 'alter-primary-key';
      /** The model's key columns, in key order. */
      readonly modelColumns: readonly string[];
      /** The database's key columns, in key order. */
      readonly liveColumns: readonly string[];
      /** The model's PrimaryKeyConstraint, when the table declares one (for its name). */
      readonly modelConstraint: PrimaryKeyConstraint | undefined;
    }
  | {
      /** The table's comment differs (never on SQLite, which keeps none). */
      readonly kind: 'alter-table-comment';
      /** The model's comment. */
      readonly modelComment: string | undefined;
      /** The database's comment. */
      readonly liveComment: string | undefined;
    }
);

/**
 * The `kind` of a SchemaChange.
 *
 * @example
 * ```ts
 * import type { SchemaChangeKind } from 'relata';
 *
 * const refused: SchemaChangeKind[] = ['drop-table', 'drop-column'];
 * ```
 */
export type SchemaChangeKind = SchemaChange['kind'];

/** INSERT, UPDATE, DELETE nodes. */
import type { ColumnElement } from './expressions.js';
import type { Column, Table } from './schema.js';
import type { ForeignKeyConstraint } from './constraints.js';
import type { OnConflict } from './upsert.js';

export class Insert {
  readonly kind = 'insert';
  constructor(
    readonly table: Table,
    readonly columns: readonly Column[],
    /** One array of values per row, in `columns` order; values are raw JS values, bound by type. */
    readonly rows: readonly (readonly unknown[])[],
    readonly returning: readonly Column[] = [],
    /** ON CONFLICT / ON DUPLICATE KEY UPDATE (see upsert.ts), or null. */
    readonly onConflict: OnConflict | null = null,
  ) {}
}

export class Update {
  readonly kind = 'update';
  constructor(
    readonly table: Table,
    readonly values: ReadonlyMap<Column, unknown | ColumnElement>,
    readonly where: ColumnElement<boolean> | null,
    readonly returning: readonly Column[] = [],
  ) {}
}

export class Delete {
  readonly kind = 'delete';
  constructor(
    readonly table: Table,
    readonly where: ColumnElement<boolean> | null,
    readonly returning: readonly Column[] = [],
  ) {}
}

/** DDL statements: compiled by the dialect like any other node. */
export class CreateTable {
  readonly kind = 'create-table';
  constructor(
    readonly table: Table,
    readonly ifNotExists = false,
    /** Foreign keys left out, to be added after the tables with ALTER TABLE (see sortTablesAndConstraints). */
    readonly addedAfter: readonly ForeignKeyConstraint[] = [],
  ) {}
}
export class DropTable {
  readonly kind = 'drop-table';
  constructor(
    readonly table: Table,
    readonly ifExists = false,
  ) {}
}
export class CreateIndexes {
  readonly kind = 'create-indexes';
  constructor(readonly table: Table) {}
}

export type Statement =
  | import('./selectable.js').Select
  | import('./compound.js').CompoundSelect
  | Insert
  | Update
  | Delete
  | CreateTable
  | DropTable;

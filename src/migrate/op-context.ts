/**
 * What every migration operation runs on: the connection (inside the runner's transaction), the
 * dialect's compiler, the dry-run switch and the statement callback; and the catalog checks the
 * operations make before their DDL.
 */
import type { Connection } from '../engine/engine.js';
import { Inspector } from '../schema/introspect/index.js';
import { IntrospectionError, type ReflectedColumn } from '../schema/introspect/reflected.js';
import type { SqlCompiler, TableRef } from '../sql/compiler.js';
import type { Table } from '../sql/schema.js';
import { MigrationOperationError } from './op-tables.js';
import type { Operations } from './operations.js';
import { enumTypesFreedBy, enumTypesToCreate } from './pg-catalog.js';

type Ref = TableRef & { readonly fullName: string };

export class OperationContext {
  readonly isDryRun: boolean;
  /** Called with each statement's SQL. */
  readonly report: (sql: string) => void;

  constructor(
    readonly connection: Connection,
    readonly sql: SqlCompiler,
    readonly dialect: Operations['dialect'],
    options: { readonly dryRun?: boolean; readonly onStatement?: (sql: string) => void },
  ) {
    this.isDryRun = options.dryRun ?? false;
    this.report = options.onStatement ?? (() => {});
  }

  /** Runs (or in a dry run, reports) each statement in order. */
  async run(statements: readonly string[]): Promise<void> {
    for (const sql of statements) {
      this.report(sql);
      if (!this.isDryRun) await this.connection.execute({ sql, params: [], returnsRows: false });
    }
  }

  /** A catalog read, run in dry runs too. */
  async read(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const result = await this.connection.execute(
      { sql, params: [...params], returnsRows: true },
      { columnNames: true },
    );
    const names = result.columns ?? [];
    return result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  }

  /** An Inspector reading the catalog on this connection (in its transaction). */
  inspector(ref: TableRef): Inspector {
    const engine = this.connection.engine;
    return new Inspector(engine, ref.schema !== undefined ? { schema: ref.schema } : {}, this.connection);
  }

  /**
   * The table's live columns; a MigrationOperationError naming the table when it does not exist. In a
   * dry run the database may be behind the migrations being printed: null then, not an error.
   */
  async columns(ref: Ref, where: string): Promise<ReflectedColumn[] | null> {
    try {
      return await this.inspector(ref).getColumns(ref.name);
    } catch (err) {
      if (!(err instanceof IntrospectionError)) throw err;
      if (this.isDryRun) return null;
      throw new MigrationOperationError(`${where}: ${err.message}`, ref.fullName, undefined, { cause: err });
    }
  }

  /** The live column `name` of `ref`; an error naming both when either is missing (null in a dry run). */
  async column(ref: Ref, name: string, where: string): Promise<ReflectedColumn | null> {
    const cols = await this.columns(ref, where);
    if (cols === null) return null;
    const col = cols.find((c) => c.name === name);
    // A dry run does not run the earlier steps (a column added or renamed just before): not an error there.
    if (!col && this.isDryRun) return null;
    if (!col)
      throw new MigrationOperationError(
        `${where}: table '${ref.fullName}' has no column '${name}' (columns: ${cols.map((c) => c.name).join(', ')})`,
        ref.fullName,
        name,
      );
    return col;
  }

  /** Checks every name in `names` is a column of `ref`. */
  async requireColumns(ref: Ref, names: readonly string[], where: string): Promise<void> {
    const cols = await this.columns(ref, where);
    if (cols === null || this.isDryRun) return;
    for (const name of names) {
      if (!cols.some((c) => c.name === name))
        throw new MigrationOperationError(
          `${where}: table '${ref.fullName}' has no column '${name}' (columns: ${cols.map((c) => c.name).join(', ')})`,
          ref.fullName,
          name,
        );
    }
  }

  /** PostgreSQL's CREATE TYPE statements `table` needs (none elsewhere). */
  typesFor(table: Table, where: string): Promise<string[]> {
    return this.dialect === 'postgresql' ? enumTypesToCreate(this, table, where) : Promise.resolve([]);
  }

  /** PostgreSQL's DROP TYPE statements for enums only `table` (or its `column`) uses (none elsewhere). */
  typesFreedBy(ref: Ref, column: string | null): Promise<string[]> {
    return this.dialect === 'postgresql' ? enumTypesFreedBy(this, ref, column) : Promise.resolve([]);
  }
}

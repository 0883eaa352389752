/**
 * How the runner gets a migration's Operations. Until createOperations (src/migrate/, branch
 * i13-ops) lands, only `execute` is implemented here; the other operations say so.
 */
import type { Connection } from '../engine/engine.js';
import { TextClause } from '../sql/expressions.js';
import { MigrationError } from './errors.js';
import type { MigrationRows, Operations } from './operations.js';

/** What the runner gives the factory. */
export interface OperationsContext {
  readonly connection: Connection;
  /** Record statements instead of running them (`relata migrate sql`). */
  readonly dryRun: boolean;
  /** Called with each statement's SQL, run or (in a dry run) recorded. */
  readonly onStatement: (sql: string) => void;
}

/** Builds the Operations for one migration. */
export type OperationsFactory = (context: OperationsContext) => Operations;

/** The dialect name migrations branch on (`op.dialect`). */
export function operationsDialect(connection: Connection): Operations['dialect'] {
  const name = connection.engine.dialect.name;
  return name === 'postgres' ? 'postgresql' : name;
}

/** Operations with `execute` only (the rest land with createOperations). */
export const defaultOperations: OperationsFactory = ({ connection, dryRun, onStatement }) => {
  const execute = async (sql: string | TextClause): Promise<MigrationRows> => {
    const text = sql instanceof TextClause ? sql.text : sql;
    const params = sql instanceof TextClause ? sql.params : [];
    if (params.length) throw new MigrationError('op.execute(text(sql, params)) with parameters is not implemented yet');
    onStatement(text);
    if (dryRun) return { rows: [], rowsAffected: 0 };
    const result = await connection.execute({ sql: text, params: [] }, { columnNames: true });
    const columns = result.columns ?? [];
    const rows = result.rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
    return { rows, rowsAffected: result.rowsAffected };
  };
  const notYet = (name: string) => () => Promise.reject(new MigrationError(`op.${name}() is not implemented yet`));
  return {
    dialect: operationsDialect(connection),
    execute,
    createTable: notYet('createTable'),
    dropTable: notYet('dropTable'),
    renameTable: notYet('renameTable'),
    addColumn: notYet('addColumn'),
    dropColumn: notYet('dropColumn'),
    renameColumn: notYet('renameColumn'),
    alterColumn: notYet('alterColumn'),
    createIndex: notYet('createIndex'),
    dropIndex: notYet('dropIndex'),
    createUniqueConstraint: notYet('createUniqueConstraint'),
    createForeignKey: notYet('createForeignKey'),
    createCheckConstraint: notYet('createCheckConstraint'),
    createPrimaryKey: notYet('createPrimaryKey'),
    dropConstraint: notYet('dropConstraint'),
    setTableComment: notYet('setTableComment'),
  };
};

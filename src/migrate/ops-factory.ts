/**
 * How the runner gets a migration's Operations: createOperations on the run's connection. A seam
 * so tests (and a future custom operations set) can wrap it.
 */
import type { Connection } from '../engine/engine.js';
import { createOperations } from './migration-operations.js';
import type { Operations } from './operations.js';

/** What the runner gives the factory. */
export interface OperationsContext {
  readonly connection: Connection;
  /** Record statements instead of running them (`relata migrate sql`). */
  readonly dryRun: boolean;
  /** Called with each statement's SQL before it runs (or, in a dry run, instead). */
  readonly onStatement: (sql: string) => void;
}

/** Builds the Operations for one migration. */
export type OperationsFactory = (context: OperationsContext) => Operations;

/** createOperations on the run's connection. */
export const defaultOperations: OperationsFactory = ({ connection, dryRun, onStatement }) =>
  createOperations(connection, connection.engine.dialect, { dryRun, onStatement });

/**
 * A migration file: `export default defineMigration({ id, revises, message, up, down })`. Files form
 * a chain by `revises` (Alembic's `down_revision`): the first revises null, each later one the id
 * before it. Two files revising the same id are two heads, which `relata migrate` refuses to guess
 * an order for.
 */
import type { Operations } from './operations.js';

/** What a migration's `up` and `down` receive. */
export type MigrationStep = (op: Operations) => Promise<void>;

/** One migration. */
export interface Migration {
  /** Unique, sortable id (`20261203_0844_add_user_email`); the file name without `.ts`. */
  readonly id: string;
  /** The id of the migration this one follows, or null for the first. */
  readonly revises: string | null;
  /** What it does, for `relata migrate status`. */
  readonly message: string;
  /**
   * false runs it outside a transaction (PostgreSQL's `CREATE INDEX CONCURRENTLY`, enum values added
   * and used in one go); default true where the database has transactional DDL.
   */
  readonly transactional?: boolean;
  readonly up: MigrationStep;
  readonly down: MigrationStep;
}

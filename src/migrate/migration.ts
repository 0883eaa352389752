/**
 * A migration file: `export default defineMigration({ id, revises, message, up, down })`. Files form
 * a chain by `revises` (Alembic's `down_revision`): the first revises null, each later one the id
 * before it. Two files revising the same id are two heads, which `relata migrate` refuses to guess
 * an order for.
 */
import { ArgumentError } from '../sql/errors.js';
import { checkOptions, isBoolean, isFunction, mustBe, type OptionTable } from '../sql/options.js';
import type { Operations } from './operations.js';

/**
 * A migration's `up` or `down`: it receives the operations.
 *
 * @example
 * ```ts
 * import type { MigrationStep } from 'relata';
 *
 * const up: MigrationStep = async (op) => {
 *   await op.execute('UPDATE "user" SET username = lower(username)');
 * };
 * ```
 */
export type MigrationStep = (op: Operations) => Promise<void>;

/**
 * One migration (what `defineMigration` checks).
 *
 * @example
 * ```ts
 * import { Column, String, type Migration } from 'relata';
 *
 * const addEmail: Migration = {
 *   id: '20261203_090000_add_email',
 *   revises: null,
 *   message: 'add user.email',
 *   async up(op) {
 *     await op.addColumn('user', Column('email', String(120)));
 *   },
 *   async down(op) {
 *     await op.dropColumn('user', 'email');
 *   },
 * };
 * ```
 */
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
  /** Applies the change. */
  readonly up: MigrationStep;
  /** Undoes what `up` did. */
  readonly down: MigrationStep;
}

const migrationFields: OptionTable<Migration> = {
  known: {
    id: mustBe('a non-empty string of letters, digits, _ . -', (v) => typeof v === 'string' && /^[\w.-]+$/.test(v)),
    revises: mustBe('an id or null', (v) => v === null || (typeof v === 'string' && v !== '')),
    message: mustBe('a string', (v) => typeof v === 'string'),
    transactional: isBoolean,
    up: isFunction,
    down: isFunction,
  },
  refused: {
    down_revision: "use 'revises'",
    downRevision: "use 'revises'",
    revision: "use 'id'",
  },
};

/**
 * Checks a migration file's object and returns it: what a migration file's default export is made
 * with. An unknown or missing field is an ArgumentError naming the migration.
 *
 * @example
 * ```ts
 * import { defineMigration } from 'relata';
 *
 * export default defineMigration({
 *   id: '20261203_0900_add_user_email',
 *   revises: null,
 *   message: 'add user.email',
 *   async up(op) {
 *     await op.execute('ALTER TABLE "user" ADD COLUMN email VARCHAR(120)');
 *   },
 *   async down(op) {
 *     await op.execute('ALTER TABLE "user" DROP COLUMN email');
 *   },
 * });
 * ```
 */
export function defineMigration(migration: Migration): Migration {
  if (typeof migration !== 'object' || migration === null) {
    throw new ArgumentError(
      `defineMigration() needs an object { id, revises, message, up, down }, got ${typeof migration}`,
    );
  }
  const id = (migration as { id?: unknown }).id;
  const where = typeof id === 'string' && id !== '' ? `migration '${id}'` : 'migration';
  checkOptions(migration, migrationFields, where, ArgumentError);
  for (const key of ['id', 'revises', 'message', 'up', 'down'] as const) {
    if (migration[key] === undefined) throw new ArgumentError(`${where}: '${key}' is missing`);
  }
  if (migration.revises === migration.id) throw new ArgumentError(`${where} revises itself`);
  return migration;
}

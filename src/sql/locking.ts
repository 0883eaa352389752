/**
 * Row locks on a SELECT: `FOR UPDATE` / `FOR SHARE` with `NOWAIT`, `SKIP LOCKED` and `OF`. The options
 * are checked here once (each is refused where the database has no such thing, by the compiler);
 * PostgreSQL and MySQL/MariaDB spell them differently, and SQLite has no row locks at all.
 */
import { ArgumentError, CompileError } from './errors.js';
import { anyValue, checkOptions, isBoolean, type OptionTable } from './options.js';
import { Table } from './schema.js';
import type { TableAlias } from './selectable.js';

/**
 * What `forUpdate()` takes.
 *
 * @example
 * ```ts
 * import type { ForUpdateOptions } from 'relata';
 *
 * const claim: ForUpdateOptions = { skipLocked: true, of: Post };
 * const next = await session.query(Post).orderBy(Post.id).limit(1).forUpdate(claim).first();
 * ```
 */
export interface ForUpdateOptions {
  /** Fail at once (instead of waiting) when a row is locked by another transaction. */
  readonly nowait?: boolean;
  /** Leave out the rows another transaction has locked (job queues). */
  readonly skipLocked?: boolean;
  /** Lock only these tables' rows (PostgreSQL, MySQL 8): the queried model's table, or an alias. */
  readonly of?: LockTarget | readonly LockTarget[];
  /** A shared lock (`FOR SHARE`, MySQL/MariaDB `LOCK IN SHARE MODE`): others may read-lock, none may write. */
  readonly read?: boolean;
}

/**
 * A table whose rows `of` locks: a Table, an alias, or a model class (its `__table__`).
 *
 * @example
 * ```ts
 * import type { LockTarget } from 'relata';
 *
 * const of: LockTarget[] = [Post, User.__table__];
 * ```
 */
export type LockTarget = Table | TableAlias | ModelWithTable;

/** A model class, by its table. */
export interface ModelWithTable {
  /** The model's table. */
  readonly __table__: Table;
}

/** A checked `forUpdate()`: what the compiler renders. */
export interface LockingClause {
  readonly read: boolean;
  readonly nowait: boolean;
  readonly skipLocked: boolean;
  readonly of: readonly (Table | TableAlias)[];
}

const forUpdateOptions = {
  known: { nowait: isBoolean, skipLocked: isBoolean, of: anyValue, read: isBoolean },
  refused: {
    key_share: 'FOR KEY SHARE is not implemented; use read: true (FOR SHARE)',
    keyShare: 'FOR KEY SHARE is not implemented; use read: true (FOR SHARE)',
    skip_locked: 'spelled skipLocked here',
    noKeyUpdate: 'FOR NO KEY UPDATE is not implemented; use forUpdate() (FOR UPDATE)',
  },
} satisfies OptionTable<ForUpdateOptions>;

/** Checks `options` (`where` names the caller in errors) and returns the clause to render. */
export function lockingClause(options: ForUpdateOptions = {}, where = 'forUpdate()'): LockingClause {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where} takes an options object`);
  checkOptions(options, forUpdateOptions, where, ArgumentError);
  if (options.nowait && options.skipLocked)
    throw new ArgumentError(`${where}: nowait and skipLocked exclude each other (fail on a locked row, or skip it)`);
  const of = options.of === undefined ? [] : Array.isArray(options.of) ? options.of : [options.of];
  return {
    read: options.read ?? false,
    nowait: options.nowait ?? false,
    skipLocked: options.skipLocked ?? false,
    of: (of as readonly LockTarget[]).map((t) => lockTable(t, where)),
  };
}

function lockTable(t: LockTarget, where: string): Table | TableAlias {
  if (t instanceof Table || (t as TableAlias).kind === 'table-alias') return t as Table | TableAlias;
  const table = typeof t === 'function' || typeof t === 'object' ? (t as { __table__?: unknown }).__table__ : undefined;
  if (table instanceof Table) return table;
  throw new ArgumentError(`${where}: of takes models, tables or aliases, got ${typeof t}`);
}

/** A cache key part for a lock: statements that lock differently are different statements. */
export function lockingKey(lock: LockingClause, tableId: (t: Table) => number): string {
  let key = `U${lock.read ? 'r' : ''}${lock.nowait ? 'n' : ''}${lock.skipLocked ? 's' : ''}`;
  for (const t of lock.of) key += `:${t instanceof Table ? tableId(t) : `a${t.name}`}`;
  return key;
}

/** `FOR UPDATE | FOR SHARE [OF …] [NOWAIT | SKIP LOCKED]`: PostgreSQL. */
export function renderPostgresLock(lock: LockingClause, quote: (name: string) => string): string {
  let sql = lock.read ? ' FOR SHARE' : ' FOR UPDATE';
  if (lock.of.length) sql += ' OF ' + lock.of.map((t) => quote(t.name)).join(', ');
  return sql + waitPolicy(lock);
}

/**
 * MySQL 8: `FOR UPDATE | FOR SHARE [OF …] [NOWAIT | SKIP LOCKED]`. MariaDB: `FOR UPDATE` or
 * `LOCK IN SHARE MODE`, NOWAIT (10.3) and SKIP LOCKED (10.6), and no OF.
 */
export function renderMysqlLock(
  lock: LockingClause,
  server: { readonly mariadb: boolean; readonly skipLocked: boolean },
  quote: (name: string) => string,
): string {
  if (lock.skipLocked && !server.skipLocked)
    throw new CompileError('forUpdate({ skipLocked }): SKIP LOCKED needs MySQL 8.0 or MariaDB 10.6');
  if (lock.of.length && server.mariadb)
    throw new CompileError('forUpdate({ of }): MariaDB has no FOR UPDATE OF; it locks the rows of every table read');
  let sql = lock.read ? (server.mariadb ? ' LOCK IN SHARE MODE' : ' FOR SHARE') : ' FOR UPDATE';
  if (lock.of.length) sql += ' OF ' + lock.of.map((t) => quote(t.name)).join(', ');
  return sql + waitPolicy(lock);
}

function waitPolicy(lock: LockingClause): string {
  return lock.nowait ? ' NOWAIT' : lock.skipLocked ? ' SKIP LOCKED' : '';
}

/** SQLite locks the database file, not rows: say what to do instead. */
export function sqliteHasNoRowLocks(): CompileError {
  return new CompileError(
    'forUpdate(): SQLite has no row locks (SELECT … FOR UPDATE is a syntax error there). A write ' +
      'transaction locks the whole database, one writer at a time, so a read followed by a write in one ' +
      'transaction (db.transaction() or session.begin()) is already serialized once it writes; to claim ' +
      'rows (a job queue), claim them with one UPDATE … WHERE id IN (SELECT …) RETURNING instead',
  );
}

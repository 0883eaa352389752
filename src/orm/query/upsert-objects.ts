/**
 * `session.upsert(Tag, rows, { target })`: get-or-create (or insert-or-update) of objects by a unique
 * key, safe under concurrency, with the identity map in step. One statement where the database
 * returns rows from an upsert (PostgreSQL, SQLite, MariaDB ≥ 10.5):
 *
 *   INSERT … ON CONFLICT (name) DO UPDATE SET name = tag.name RETURNING …     (PostgreSQL, SQLite)
 *   INSERT … ON DUPLICATE KEY UPDATE name = tag.name RETURNING …              (MariaDB)
 *
 * and on MySQL that INSERT followed by a SELECT … FOR UPDATE of the keys. The no-op update (rather
 * than DO NOTHING) is deliberate, as in SQLAlchemy's recipe: it returns the rows that already
 * existed too, and it locks them, so none can be deleted before the transaction that uses them ends.
 * A concurrent transaction inserting the same key makes this one wait for it, then take its row.
 */
import { ArgumentError } from '../../sql/errors.js';
import { ColumnRef, and_, or_ } from '../../sql/expressions.js';
import { lockingClause } from '../../sql/locking.js';
import type { Column } from '../../sql/schema.js';
import { Select } from '../../sql/selectable.js';
import { InvalidRequestError } from '../errors.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import { objectsReading } from './returning.js';
import { InsertStatement, type ValuesOf } from './statements.js';
import { setColumns, targetColumns, type ConflictTarget, type UpsertSet } from './upsert.js';

/**
 * Options of `session.upsert()`.
 *
 * @example
 * ```ts
 * import type { UpsertOptions } from 'relata';
 *
 * const keep: UpsertOptions<Tag, typeof Tag> = { target: Tag.name };
 * const tags = await session.upsert(Tag, [{ name: 'orm' }], keep);
 * ```
 */
export interface UpsertOptions<T, M> {
  /** The unique key rows are matched on (primary key, UNIQUE constraint or unique index). */
  readonly target: ConflictTarget<M>;
  /** Columns to set on a row that exists already; without it the existing row is kept as it is. */
  readonly set?: UpsertSet<T>;
}

/** The objects for `rows`, one per row in order (rows with the same key share one). */
export async function upsertObjects(
  session: Session,
  mapper: Mapper,
  rows: readonly ValuesOf<unknown>[],
  options: UpsertOptions<unknown, unknown>,
): Promise<unknown[]> {
  const where = `session.upsert(${mapper.name})`;
  if (mapper.inheritance.parent)
    throw new ArgumentError(
      `${where}: ${mapper.name} inherits ${mapper.inheritance.parent.name}, and its rows span or share tables; ` +
        `upsert is not supported on a subclass`,
    );
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where} takes { target, set? }`);
  for (const k of Object.keys(options))
    if (k !== 'target' && k !== 'set')
      throw new ArgumentError(`${where}: unknown option '${k}' (options: target, set)`);
  if (options.target === undefined)
    throw new ArgumentError(`${where}: target is required (the unique key to match on)`);
  const target = targetColumns(mapper, options.target, where);
  const keys = target.map((c) => mapper.columnsByColumn.get(c)!.key);
  const distinct = distinctRows(mapper, rows, keys, where, options.set !== undefined);
  if (distinct.size === 0) return [];
  // Keep: set the first key column to itself, which changes nothing but returns and locks the row.
  const set =
    options.set === undefined
      ? new Map<Column, unknown>([[target[0]!, new ColumnRef(target[0]!, mapper.table)]])
      : setColumns(mapper, options.set, where);
  const conflict = { action: 'update' as const, target, set, where: null, duplicateKey: false };
  // Rows in key order: two transactions upserting the same keys lock them in the same order, so
  // neither waits for a row the other will only reach later (a deadlock).
  const ordered = [...distinct.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  const insert = new InsertStatement<unknown>(mapper, ordered, conflict);
  const reading = objectsReading(session, mapper, 'upsert');
  let objects: unknown[];
  if (session.dialect.compiler.supportsReturning) {
    objects = [];
    for (const node of insert.toNodes(reading.columns)) {
      const result = await session.executeWrite(node);
      for (const o of reading.read(session, result.rows)) objects.push(o);
    }
  } else {
    for (const node of insert.toNodes()) await session.executeWrite(node);
    // A locking read sees the latest committed rows, which REPEATABLE READ's snapshot may not.
    const match = or_(
      ...[...distinct.values()].map((r) =>
        and_(
          ...target.map((c, i) => new ColumnRef(c, mapper.table).eq((r as Record<string, unknown>)[keys[i]!] as never)),
        ),
      ),
    );
    const select = new Select({
      columns: reading.columns.map((c) => new ColumnRef(c, mapper.table)),
      from: [mapper.table],
      where: match,
      locking: lockingClause({}),
    });
    objects = reading.read(session, (await session.executeWrite(select)).rows);
  }
  return inInputOrder(mapper, rows, keys, objects, where);
}

function keyOf(row: Record<string, unknown>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => (typeof row[k] === 'bigint' ? `${String(row[k])}n` : row[k])));
}

/** Rows by key, each key once; with `set`, two rows of one key that differ are refused (which would win?). */
function distinctRows(
  mapper: Mapper,
  rows: readonly ValuesOf<unknown>[],
  keys: readonly string[],
  where: string,
  updating: boolean,
): Map<string, ValuesOf<unknown>> {
  if (!Array.isArray(rows)) throw new ArgumentError(`${where} takes a row or an array of rows`);
  const out = new Map<string, ValuesOf<unknown>>();
  for (const row of rows as readonly Record<string, unknown>[]) {
    if (typeof row !== 'object' || row === null)
      throw new ArgumentError(`${where}: each row is an object of column values`);
    for (const k of keys)
      if (row[k] === undefined || row[k] === null)
        throw new ArgumentError(`${where}: a row has no ${mapper.name}.${k}, the key it is matched on`, {
          model: mapper.name,
          column: k,
        });
    const key = keyOf(row, keys);
    const seen = out.get(key) as Record<string, unknown> | undefined;
    if (seen && updating && JSON.stringify(seen) !== JSON.stringify(row))
      throw new ArgumentError(`${where}: two rows have the key ${key} with different values; pass one row per key`);
    if (!seen) out.set(key, row);
  }
  return out;
}

/** The object of each input row, matched on the key values the database returned. */
function inInputOrder(
  mapper: Mapper,
  rows: readonly ValuesOf<unknown>[],
  keys: readonly string[],
  objects: readonly unknown[],
  where: string,
): unknown[] {
  const byKey = new Map(objects.map((o) => [keyOf(o as Record<string, unknown>, keys), o]));
  return (rows as readonly Record<string, unknown>[]).map((row) => {
    const found = byKey.get(keyOf(row, keys));
    if (found === undefined)
      throw new InvalidRequestError(
        `${where}: no ${mapper.name} came back with ${keys.map((k) => `${k} = ${String(row[k])}`).join(', ')}: ` +
          'the database stored the key differently (a case-insensitive collation, a trigger); pass keys as the database stores them',
      );
    return found;
  });
}

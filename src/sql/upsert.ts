/**
 * INSERT … ON CONFLICT (PostgreSQL, SQLite) and INSERT … ON DUPLICATE KEY UPDATE (MySQL, MariaDB):
 * the nodes an Insert carries, the `excluded(column)` value reference, and how each family of
 * databases renders them. The compiler calls `renderOnConflict` / `renderOnDuplicateKey`; nothing
 * here knows a particular dialect beyond those two spellings.
 */
import { CompileError } from './errors.js';
import { ColumnElement } from './expressions.js';
import type { Column, Table } from './schema.js';
import type { SqlType } from './types.js';

/**
 * The value a conflicting row would have had: `EXCLUDED.col` on PostgreSQL and SQLite,
 * `VALUES(col)` on MySQL and MariaDB (SQLAlchemy's `stmt.excluded.col` / `stmt.inserted.col`).
 */
export class ExcludedColumn<T = unknown> extends ColumnElement<T> {
  /** @internal Tells the node types apart. */
  readonly kind = 'excluded';
  constructor(
    /** @internal The table's column. */
    readonly column: Column,
    private readonly displayName: string,
  ) {
    super();
  }
  override get sqlType(): SqlType<unknown> {
    return this.column.type;
  }
  override describe(): string {
    return `excluded(${this.displayName})`;
  }
}

/** What to do with a row whose key is already taken. */
export interface OnConflict {
  /** `nothing`: keep the existing row; `update`: set `set` on it. */
  readonly action: 'nothing' | 'update';
  /** The unique columns the conflict is on (PostgreSQL/SQLite's conflict target); null: any. */
  readonly target: readonly Column[] | null;
  /** Column → value (bound) or expression, for `update`. */
  readonly set: ReadonlyMap<Column, unknown>;
  /** `DO UPDATE … WHERE` (PostgreSQL and SQLite only). */
  readonly where: ColumnElement<boolean> | null;
  /** Whether it was written as MySQL's `onDuplicateKeyUpdate()` (only MySQL/MariaDB take that spelling). */
  readonly duplicateKey: boolean;
}

/** How the compiler renders the parts of the clause. */
export interface ClauseRenderer {
  readonly dialectName: string;
  quote(name: string): string;
  /** An expression, or a value bound for `column`. */
  value(v: unknown, column: Column): string;
  expr(e: ColumnElement): string;
}

/** The column sets of the table that are unique: its primary key, UNIQUE constraints and unique indexes. */
export function uniqueKeys(table: Table): Column[][] {
  const keys: Column[][] = [];
  if (table.primaryKey.length) keys.push([...table.primaryKey]);
  for (const u of table.uniqueConstraints) keys.push(u.columns);
  for (const ix of table.indexes) if (ix.unique && ix.where === undefined && ix.columns) keys.push(ix.columns);
  return keys;
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** A conflict target must be one of the table's unique keys, else no database could use it. */
export function checkTarget(table: Table, target: readonly Column[], where: string): void {
  if (uniqueKeys(table).some((k) => sameColumns(k, target))) return;
  const names = target.map((c) => c.name).join(', ');
  throw new CompileError(
    `${where}: (${names}) is not the primary key, a UNIQUE constraint or a unique index of table ${table.name}; ` +
      `a conflict target must be one of those`,
  );
}

/** `ON CONFLICT (target) DO NOTHING | DO UPDATE SET … [WHERE …]`: PostgreSQL and SQLite. */
export function renderOnConflict(c: OnConflict, r: ClauseRenderer): string {
  if (c.duplicateKey)
    throw new CompileError(
      `onDuplicateKeyUpdate() is MySQL/MariaDB's spelling; on ${r.dialectName} use onConflictDoUpdate({ target, set })`,
    );
  const target = c.target ? ` (${c.target.map((col) => r.quote(col.name)).join(', ')})` : '';
  if (c.action === 'nothing') return ` ON CONFLICT${target} DO NOTHING`;
  if (!c.target) throw new CompileError(`onConflictDoUpdate() on ${r.dialectName} needs a target (the unique columns)`);
  let sql = ` ON CONFLICT${target} DO UPDATE SET ${setList(c, r)}`;
  if (c.where) sql += ` WHERE ${r.expr(c.where)}`;
  return sql;
}

/**
 * `ON DUPLICATE KEY UPDATE …`: MySQL and MariaDB. It fires on a conflict with any unique key, so a
 * target is taken only when no other unique key of the table could conflict (else the statement
 * would swallow conflicts the caller did not name). DO NOTHING is an update of a key column to
 * itself: unlike INSERT IGNORE it turns no other error (a NULL in a NOT NULL column, a bad foreign
 * key, a truncated value) into a warning.
 */
export function renderOnDuplicateKey(
  c: OnConflict,
  table: Table,
  inserted: readonly Column[],
  r: ClauseRenderer,
): string {
  if (c.where)
    throw new CompileError(
      `${r.dialectName} has no ON DUPLICATE KEY UPDATE … WHERE; drop where, or use an UPDATE after a SELECT … FOR UPDATE`,
    );
  if (c.target) {
    const others = uniqueKeys(table).filter(
      (k) => !sameColumns(k, c.target!) && k.every((col) => inserted.includes(col)),
    );
    if (others.length) {
      const list = others.map((k) => `(${k.map((col) => col.name).join(', ')})`).join(', ');
      throw new CompileError(
        `${r.dialectName}'s ON DUPLICATE KEY UPDATE fires on a conflict with any unique key, and table ${table.name} ` +
          `also has ${list} among the inserted columns: it cannot be limited to (${c.target.map((col) => col.name).join(', ')}). ` +
          `Leave those columns out of the rows, or call it without a target to mean any key`,
      );
    }
  }
  if (c.action === 'nothing') {
    const keep = (c.target ?? table.primaryKey)[0] ?? inserted[0]!;
    return ` ON DUPLICATE KEY UPDATE ${r.quote(keep.name)} = ${r.quote(keep.name)}`;
  }
  return ` ON DUPLICATE KEY UPDATE ${setList(c, r)}`;
}

function setList(c: OnConflict, r: ClauseRenderer): string {
  if (c.set.size === 0) throw new CompileError('an upsert that updates needs at least one column in set');
  return [...c.set].map(([col, v]) => `${r.quote(col.name)} = ${r.value(v, col)}`).join(', ');
}

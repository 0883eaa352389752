/**
 * Bulk statements on a model's table, in SQLAlchemy 2 style: `db.insert(User).values([...])`,
 * `db.update(User).where(...).values({...})`, `db.delete(User).where(...)`, run with
 * `session.execute(...)`. They go straight to the database: no identity map, no cascades, no
 * backref sync (as in SQLAlchemy, bulk DML bypasses the unit of work).
 */
import { Delete, Insert, Update } from '../../sql/dml.js';
import { ArgumentError } from '../../sql/errors.js';
import { and_, requireElement, type ColumnElement } from '../../sql/expressions.js';
import type { Column } from '../../sql/schema.js';
import type { Mapper } from '../mapping/mapper.js';

/**
 * Column values by attribute name, as a model's instances take them.
 *
 * @example
 * ```ts
 * import { insert, type ValuesOf } from 'relata';
 *
 * const rows: ValuesOf<User>[] = [{ username: 'alice' }, { username: 'bob', email: null }];
 * await session.execute(insert(User).values(rows));
 * ```
 */
export type ValuesOf<T> = { [K in keyof T]?: T[K] };

function toColumns<T>(mapper: Mapper, values: ValuesOf<T>, where: string): Map<Column, unknown> {
  if (typeof values !== 'object' || values === null)
    throw new ArgumentError(`${where} takes an object of column values`);
  const out = new Map<Column, unknown>();
  for (const [key, value] of Object.entries(values)) {
    const mc = mapper.columnsByKey.get(key);
    if (!mc) throw new ArgumentError(`${where}: ${mapper.name} has no column attribute '${key}'`);
    const target = { model: mapper.name, column: key };
    if (value === undefined)
      throw new ArgumentError(`${where}: ${mapper.name}.${key} is undefined; use null for NULL`, target);
    if (value !== null) {
      const problem = mc.column.type.checkValue(value);
      if (problem) throw new ArgumentError(`${where}: ${mapper.name}.${key}: ${problem}`, target);
    }
    out.set(mc.column, value);
  }
  return out;
}

/**
 * A bulk INSERT of a model's rows, from {@link insert}: no objects, no identity map, no cascades.
 *
 * @example
 * ```ts
 * import { insert } from 'relata';
 *
 * const stmt = insert(Tag).values([{ name: 'orm' }, { name: 'sql' }]);
 * await session.execute(stmt);
 * ```
 */
export class InsertStatement<T> {
  /** @internal Tells the bulk statements apart. */
  readonly kind = 'bulk-insert';
  constructor(
    /** @internal The mapper of the model inserted into. */
    readonly mapper: Mapper,
    private readonly rows: readonly ValuesOf<T>[] = [],
  ) {}

  /** Rows to insert; each row may set a different set of columns. */
  values(rows: ValuesOf<T> | readonly ValuesOf<T>[]): InsertStatement<T> {
    return new InsertStatement<T>(this.mapper, [...this.rows, ...(Array.isArray(rows) ? rows : [rows as ValuesOf<T>])]);
  }

  /** @internal One INSERT per distinct column set, in row order. */
  toNodes(): Insert[] {
    const where = `insert(${this.mapper.name}).values()`;
    const groups = new Map<string, { cols: Column[]; rows: unknown[][] }>();
    for (const row of this.rows) {
      const cols = toColumns(this.mapper, row, where);
      // Column defaults apply to bulk inserts as they do at flush.
      for (const mc of this.mapper.columns) {
        if (!cols.has(mc.column) && mc.column.default !== undefined) cols.set(mc.column, mc.column.defaultValue());
      }
      const ordered = new Map(
        [...cols].sort(
          ([a], [b]) => this.mapper.columnsByColumn.get(a)!.index - this.mapper.columnsByColumn.get(b)!.index,
        ),
      );
      const sig = [...ordered.keys()].map((c) => c.name).join(',');
      let g = groups.get(sig);
      if (!g) groups.set(sig, (g = { cols: [...ordered.keys()], rows: [] }));
      g.rows.push([...ordered.values()]);
    }
    return [...groups.values()].map((g) => new Insert(this.mapper.table, g.cols, g.rows));
  }
}

/** An UPDATE or DELETE with no WHERE must say so: `undefined` criteria must never mean every row. */
function criteria(
  mapper: Mapper,
  conditions: readonly ColumnElement<boolean>[],
  all: boolean,
  what: string,
): ColumnElement<boolean> | null {
  if (conditions.length) return and_(...conditions);
  if (!all) throw new ArgumentError(`${what}(${mapper.name}) has no where(); call .allRows() to ${what} every row`);
  return null;
}

/**
 * A bulk UPDATE of a model's table, from {@link update}. Objects of the model already in the session
 * get the new values when `session.execute()` runs it.
 *
 * @example
 * ```ts
 * import { update } from 'relata';
 *
 * const { rowsAffected } = await session.execute(update(Post).where(Post.userId.eq(1)).values({ views: 0 }));
 * ```
 */
export class UpdateStatement<T> {
  /** @internal Tells the bulk statements apart. */
  readonly kind = 'bulk-update';
  constructor(
    /** @internal The mapper of the model updated. */
    readonly mapper: Mapper,
    private readonly conditions: readonly ColumnElement<boolean>[] = [],
    /** @internal The values set, by attribute name. */
    readonly changes: ValuesOf<T> = {},
    private readonly all = false,
  ) {}

  /** Adds WHERE conditions (AND-ed). */
  where(...conditions: ColumnElement<boolean>[]): UpdateStatement<T> {
    conditions.forEach((c) => requireElement(c, `update(${this.mapper.name}).where()`));
    return new UpdateStatement<T>(this.mapper, [...this.conditions, ...conditions], this.changes, this.all);
  }

  /** The values to set, by attribute name; later calls add to (or override) earlier ones. */
  values(changes: ValuesOf<T>): UpdateStatement<T> {
    return new UpdateStatement<T>(this.mapper, this.conditions, { ...this.changes, ...changes }, this.all);
  }

  /** Update every row (required when there is no where()). */
  allRows(): UpdateStatement<T> {
    return new UpdateStatement<T>(this.mapper, this.conditions, this.changes, true);
  }

  /** @internal */
  whereClause(): ColumnElement<boolean> | null {
    return criteria(this.mapper, this.conditions, this.all, 'update');
  }

  /** @internal */
  toNode(): Update {
    const values = toColumns(this.mapper, this.changes, `update(${this.mapper.name}).values()`);
    if (values.size === 0) throw new ArgumentError(`update(${this.mapper.name}) has no values()`);
    return new Update(this.mapper.table, values, this.whereClause());
  }
}

/**
 * A bulk DELETE from a model's table, from {@link delete_}. Objects of the model already in the
 * session that it deletes leave the identity map when `session.execute()` runs it.
 *
 * @example
 * ```ts
 * import { delete_ } from 'relata';
 *
 * await session.execute(delete_(Post).where(Post.views.eq(0)));
 * await session.execute(delete_(Tag).allRows()); // no where(): say so
 * ```
 */
export class DeleteStatement {
  /** @internal Tells the bulk statements apart. */
  readonly kind = 'bulk-delete';
  constructor(
    /** @internal The mapper of the model deleted from. */
    readonly mapper: Mapper,
    private readonly conditions: readonly ColumnElement<boolean>[] = [],
    private readonly all = false,
  ) {}

  /** Adds WHERE conditions (AND-ed). */
  where(...conditions: ColumnElement<boolean>[]): DeleteStatement {
    conditions.forEach((c) => requireElement(c, `delete(${this.mapper.name}).where()`));
    return new DeleteStatement(this.mapper, [...this.conditions, ...conditions], this.all);
  }

  /** Delete every row (required when there is no where()). */
  allRows(): DeleteStatement {
    return new DeleteStatement(this.mapper, this.conditions, true);
  }

  /** @internal */
  whereClause(): ColumnElement<boolean> | null {
    return criteria(this.mapper, this.conditions, this.all, 'delete');
  }

  /** @internal */
  toNode(): Delete {
    return new Delete(this.mapper.table, this.whereClause());
  }
}

export type BulkStatement = InsertStatement<unknown> | UpdateStatement<unknown> | DeleteStatement;

function mapperOf(model: unknown, fn: string): Mapper {
  const mapper = typeof model === 'function' ? (model as { __mapper__?: Mapper }).__mapper__ : undefined;
  if (!mapper) throw new ArgumentError(`${fn}() takes a model class declared with db.Model(...)`);
  if (mapper.inheritance.parent) {
    // Its rows span several tables, or share one with other classes: one statement on one table would be wrong.
    throw new ArgumentError(
      `${fn}(${mapper.name}): ${mapper.name} inherits ${mapper.inheritance.parent.name}; ORM bulk statements on a subclass are not supported. ` +
        `Use the session (add, change, delete objects), or a bulk statement on ${mapper.inheritance.root.name} filtered on its discriminator`,
    );
  }
  return mapper;
}

/**
 * `insert(User).values([{ username: 'a' }, …])`: a bulk INSERT, run with session.execute(). Column
 * defaults apply; rows setting different columns become one INSERT per set of columns.
 *
 * @example
 * ```ts
 * import { insert } from 'relata';
 *
 * await session.execute(insert(User).values([{ username: 'a' }, { username: 'b' }]));
 * ```
 */
export function insert<T>(model: abstract new (...args: never[]) => T): InsertStatement<T> {
  return new InsertStatement<T>(mapperOf(model, 'insert'));
}

/**
 * `update(User).where(User.id.eq(1)).values({ username: 'b' })`: a bulk UPDATE, run with
 * session.execute(). Without where(), `.allRows()` must say that every row is meant.
 *
 * @example
 * ```ts
 * import { update } from 'relata';
 *
 * await session.execute(update(User).where(User.id.eq(1)).values({ username: 'b' }));
 * ```
 */
export function update<T>(model: abstract new (...args: never[]) => T): UpdateStatement<T> {
  return new UpdateStatement<T>(mapperOf(model, 'update'));
}

/**
 * `delete_(User).where(User.username.eq('spam'))`: a bulk DELETE, run with session.execute() (named
 * `delete_` as `delete` is a reserved word; `db.delete` is the same function). Without where(),
 * `.allRows()` must say that every row is meant.
 *
 * @example
 * ```ts
 * import { delete_ } from 'relata';
 *
 * await session.execute(delete_(User).where(User.username.eq('spam')));
 * ```
 */
export function delete_(model: abstract new (...args: never[]) => object): DeleteStatement {
  return new DeleteStatement(mapperOf(model, 'delete'));
}

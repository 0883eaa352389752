/** FROM clauses and SELECT: immutable, every builder method returns a new node. */
import { ArgumentError } from './errors.js';
import {
  ColumnElement,
  ColumnRef,
  ExistsExpression,
  Label,
  OrderByElement,
  ScalarSubquery,
  requireElement,
  and_,
} from './expressions.js';
import { Column, Table } from './schema.js';
import { Any } from './types.js';
import { Cte, type CteOptions } from './cte.js';
import { combine, type CompoundMember, type CompoundSelect } from './compound.js';
import type { RowOf } from './row-types.js';
import { joinOnto, type JoinableFrom } from './select-join.js';
import { lockingClause, type ForUpdateOptions, type LockingClause } from './locking.js';

/** `aliased` table: the same table under another name, to join it twice. */
export class TableAlias {
  readonly kind = 'table-alias';
  readonly c: Record<string, ColumnRef>;
  constructor(
    readonly table: Table,
    readonly name: string,
  ) {
    this.c = {};
    for (const col of table.columns) this.c[col.key] = new ColumnRef(col, this);
  }
}

/** A SELECT used as a FROM clause: `(SELECT …) AS name`. Its columns are the select's labels. */
export class SubqueryAlias {
  readonly kind = 'subquery';
  readonly c: Record<string, ColumnRef>;
  /** Maps each column of the inner select (by identity) to the column this subquery exposes. */
  readonly exported = new Map<ColumnElement, ColumnRef>();
  constructor(
    readonly select: Select<readonly ColumnElement[]>,
    readonly name: string,
    /** `LATERAL (SELECT …)`: it may refer to the FROM elements before it (see Select.lateral). */
    readonly lateral = false,
  ) {
    this.c = {};
    const used = new Set<string>();
    const columns = select.columns.map((el, i) => {
      let name = outputName(el, i);
      for (let n = 2; used.has(name); n++) name = `${outputName(el, i)}_${n}`;
      used.add(name);
      return new Column(name, el.sqlType ?? Any);
    });
    // A shadow table gives the exported columns a name and type without special cases in the compiler.
    new Table(name, columns);
    select.columns.forEach((el, i) => {
      const ref = new ColumnRef(columns[i]!, this);
      this.c[columns[i]!.name] = ref;
      this.exported.set(el, ref);
    });
  }
}

/** The name a selected element has in the result: its label, or its column name. */
export function outputName(el: ColumnElement, index: number): string {
  if (el instanceof Label) return el.name;
  if (el instanceof ColumnRef) return el.column.name;
  return `col_${index + 1}`;
}

export class Join {
  readonly kind = 'join';
  constructor(
    readonly left: FromClause,
    readonly right: FromClause,
    readonly on: ColumnElement<boolean>,
    readonly outer: boolean,
  ) {}
}

export type FromClause = Table | TableAlias | SubqueryAlias | Cte | Join;

export interface SelectState {
  readonly columns: readonly ColumnElement[];
  readonly from: readonly FromClause[];
  readonly where: ColumnElement<boolean> | null;
  readonly groupBy: readonly ColumnElement[];
  readonly having: ColumnElement<boolean> | null;
  readonly orderBy: readonly OrderByElement[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  /** Row locking (`FOR UPDATE …`, see locking.ts), or null. */
  readonly locking: LockingClause | null;
}

const EMPTY: SelectState = {
  columns: [],
  from: [],
  where: null,
  groupBy: [],
  having: null,
  orderBy: [],
  limit: null,
  offset: null,
  distinct: false,
  locking: null,
};

export type Orderable = ColumnElement | OrderByElement;

/**
 * A Core SELECT of columns (not objects), from {@link select}; run it with `session.execute(stmt)`,
 * whose rows are typed from the columns: objects keyed by label or attribute key, or tuples with
 * `.tuples()`. Immutable: each method returns a new Select. Its parts are in `state`.
 *
 * @example
 * ```ts
 * import { func, select } from 'relata';
 *
 * const perAuthor = select(User.username, func.count(Post.id).label('posts'))
 *   .join(Post.__table__)
 *   .where(Post.views.gt(0))
 *   .groupBy(User.username)
 *   .having(func.count(Post.id).ge(1))
 *   .orderBy(User.username)
 *   .limit(10);
 * const rows = await session.execute(perAuthor); // { username: string; posts: number }[]
 * const pairs = await session.execute(perAuthor).tuples(); // [string, number][]
 * ```
 */
export class Select<out C extends readonly ColumnElement[] = readonly ColumnElement[]> {
  /** @internal Tells statements apart. */
  readonly kind = 'select';
  /** The statement's parts: columns, FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, DISTINCT. */
  readonly state: SelectState;

  constructor(state?: Partial<SelectState>) {
    this.state = { ...EMPTY, ...state };
  }

  /** The selected columns and expressions. */
  get columns(): C {
    return this.state.columns as C;
  }

  /** The FROM clause: tables, aliases, subqueries and joins. */
  get from(): readonly FromClause[] {
    return this.state.from;
  }

  /**
   * A copy with some parts replaced.
   *
   * @deprecated Use the methods: `groupBy()`, `having()`, `distinct()`, `where()`, `orderBy()`, `limit()`.
   */
  with(changes: Partial<SelectState>): Select<C> {
    return this.replace(changes);
  }

  /** @internal A copy with some parts replaced (what every builder method returns). */
  replace(changes: Partial<SelectState>): Select<C> {
    return new Select<C>({ ...this.state, ...changes });
  }

  /** Adds FROM elements (tables are otherwise inferred from the selected columns). */
  selectFrom(...from: FromClause[]): Select<C> {
    // An alias or subquery inferred from the selected columns is in FROM already: not listed twice.
    return this.replace({ from: [...this.state.from, ...from.filter((f) => !this.state.from.includes(f))] });
  }

  /** Adds WHERE conditions, AND-ed with any already there: `where(Post.views.gt(10))`. */
  where(...conditions: ColumnElement<boolean>[]): Select<C> {
    conditions.forEach((c) => requireElement(c, 'select().where()'));
    const all = this.state.where ? [this.state.where, ...conditions] : conditions;
    return this.replace({ where: all.length === 0 ? null : and_(...all) });
  }

  /** Same as where(), the Flask-SQLAlchemy spelling. */
  filter(...conditions: ColumnElement<boolean>[]): Select<C> {
    return this.where(...conditions);
  }

  /** Adds GROUP BY expressions after any already there. */
  groupBy(...columns: ColumnElement[]): Select<C> {
    columns.forEach((c) => requireElement(c, 'select().groupBy()'));
    return this.replace({ groupBy: [...this.state.groupBy, ...columns] });
  }

  /** Adds HAVING conditions (on the groups), AND-ed with any already there. */
  having(...conditions: ColumnElement<boolean>[]): Select<C> {
    conditions.forEach((c) => requireElement(c, 'select().having()'));
    const all = this.state.having ? [this.state.having, ...conditions] : conditions;
    return this.replace({ having: all.length === 0 ? null : and_(...all) });
  }

  /** Adds ORDER BY terms after any already there; a bare column sorts ascending. */
  orderBy(...clauses: Orderable[]): Select<C> {
    const more = clauses.map((c) =>
      c instanceof OrderByElement ? c : new OrderByElement(requireElement(c, 'select().orderBy()'), 'ASC'),
    );
    return this.replace({ orderBy: [...this.state.orderBy, ...more] });
  }

  /** @deprecated Use orderBy(), which adds terms the same way. */
  orderByAlso(...clauses: Orderable[]): Select<C> {
    return this.orderBy(...clauses);
  }

  /** Sets LIMIT (null: none). */
  limit(n: number | null): Select<C> {
    if (n !== null) checkCount(n, 'select().limit()');
    return this.replace({ limit: n });
  }

  /** @deprecated Use limit(). */
  withLimit(n: number | null): Select<C> {
    return this.limit(n);
  }

  /** Sets OFFSET (null: none). */
  offset(n: number | null): Select<C> {
    if (n !== null) checkCount(n, 'select().offset()');
    return this.replace({ offset: n });
  }

  /** @deprecated Use offset(). */
  withOffset(n: number | null): Select<C> {
    return this.offset(n);
  }

  /** SELECT DISTINCT. */
  distinct(): Select<C> {
    return this.replace({ distinct: true });
  }

  /**
   * Inner join of `right` (a table, alias, subquery or model class) onto the FROM clause. Without
   * `on`, ON comes from the one foreign key between `right` and a table already in FROM.
   */
  join(right: JoinableFrom, on?: ColumnElement<boolean>): Select<C> {
    return this.replace({ from: joinOnto(this.state.from, right, on, false) });
  }

  /** LEFT OUTER JOIN, as join(). */
  outerJoin(right: JoinableFrom, on?: ColumnElement<boolean>): Select<C> {
    return this.replace({ from: joinOnto(this.state.from, right, on, true) });
  }

  /**
   * Locks the rows read until the transaction ends: `FOR UPDATE`, or `FOR SHARE` with `read: true`,
   * with `nowait`, `skipLocked` and `of`. SQLite, which has no row locks, refuses it when run.
   */
  forUpdate(options: ForUpdateOptions = {}): Select<C> {
    return this.replace({ locking: lockingClause(options, 'select().forUpdate()') });
  }

  /** This SELECT as a FROM element, `(SELECT …) AS name`, whose columns are in `c` by label. */
  subquery(name = 'anon_1'): SubqueryAlias {
    return new SubqueryAlias(this, name);
  }

  /** This SELECT as a common table expression, `WITH name AS (SELECT …)` (see {@link Cte}). */
  cte<S extends Select>(this: S, name: string, options: CteOptions = {}): Cte<RowOf<S['columns']>> {
    return new Cte<RowOf<S['columns']>>(this, name, options);
  }

  /**
   * This SELECT as a LATERAL subquery, which may refer to the FROM elements before it: join it with
   * `join(lateral, true_())`. PostgreSQL and MySQL 8.0.14+; SQLite and MariaDB refuse it.
   */
  lateral(name = 'anon_1'): SubqueryAlias {
    return new SubqueryAlias(this, name, true);
  }

  /** `SELECT … UNION SELECT …` (duplicates removed); see {@link CompoundSelect}. */
  union<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('UNION', this, others);
  }
  /** `SELECT … UNION ALL SELECT …` (duplicates kept). */
  unionAll<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('UNION ALL', this, others);
  }
  /** `SELECT … INTERSECT SELECT …`: rows in both. */
  intersect<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('INTERSECT', this, others);
  }
  /** `INTERSECT ALL` (not on SQLite). */
  intersectAll<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('INTERSECT ALL', this, others);
  }
  /** `SELECT … EXCEPT SELECT …`: rows of this one not in the others. */
  except_<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('EXCEPT', this, others);
  }
  /** `EXCEPT ALL` (not on SQLite). */
  exceptAll<S extends Select>(this: S, ...others: CompoundMember[]): CompoundSelect<S['columns']> {
    return combine('EXCEPT ALL', this, others);
  }

  /** `EXISTS (SELECT …)`, a condition. */
  exists(): ExistsExpression {
    return new ExistsExpression(this);
  }

  /** This SELECT (of one column, one row) as a value in another statement. */
  scalarSubquery<T = C extends readonly [ColumnElement<infer V>] ? V : unknown>(): ScalarSubquery<T> {
    return new ScalarSubquery<T>(this);
  }
}

/** `n` for a LIMIT or OFFSET; anything but a non-negative integer is refused, naming `where`. */
export function checkCount(n: number, where: string): number {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`${where} needs a non-negative integer, got ${String(n)}`);
  return n;
}

/** The leftmost table-like element of a FROM clause. */
export function leftmost(from: FromClause): Table | TableAlias | SubqueryAlias | Cte {
  return from.kind === 'join' ? leftmost(from.left) : from;
}

/** Every table or alias that appears in a FROM clause, joins included. */
export function fromElements(from: FromClause): (Table | TableAlias | SubqueryAlias | Cte)[] {
  return from.kind === 'join' ? [...fromElements(from.left), ...fromElements(from.right)] : [from];
}

/**
 * The table or alias of a join that holds `column` (a column read "from" a joined-inheritance
 * subclass's join is read from the member table it belongs to); null when no member holds it.
 */
export function memberOf(join: Join, column: Column): Table | TableAlias | SubqueryAlias | Cte | null {
  for (const side of [join.left, join.right]) {
    if (side instanceof Join) {
      const found = memberOf(side, column);
      if (found) return found;
    } else if (
      side.kind === 'table' ? side === column.table : side.kind === 'table-alias' && side.table === column.table
    ) {
      return side;
    }
  }
  return null;
}

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
    readonly select: Select,
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
  /** `FOR UPDATE` row locking. */
  readonly forUpdate: boolean;
}

export type Orderable = ColumnElement | OrderByElement;

/**
 * A Core SELECT of columns (not objects), from {@link selectColumns}; run it with
 * `session.execute(select)`, which returns plain rows keyed by label. Immutable: each method returns
 * a new Select.
 *
 * @example
 * ```ts
 * import { func, selectColumns } from 'relata';
 *
 * const perAuthor = selectColumns(Post.userId, func.count(Post.id).label('posts'))
 *   .filter(Post.views.gt(0))
 *   .with({ groupBy: [Post.userId] })
 *   .orderByAlso(Post.userId)
 *   .withLimit(10);
 * const rows = await session.execute(perAuthor); // [{ userId: 1, posts: 3 }, …]
 * ```
 */
export class Select implements SelectState {
  /** @internal Tells statements apart. */
  readonly kind = 'select';
  /** The selected columns and expressions. */
  readonly columns: readonly ColumnElement[] = [];
  /** The FROM clause: tables, aliases, subqueries and joins. */
  readonly from: readonly FromClause[] = [];
  /** The WHERE condition, or null. */
  readonly where: ColumnElement<boolean> | null = null;
  /** GROUP BY expressions. */
  readonly groupBy: readonly ColumnElement[] = [];
  /** The HAVING condition, or null. */
  readonly having: ColumnElement<boolean> | null = null;
  /** ORDER BY terms. */
  readonly orderBy: readonly OrderByElement[] = [];
  /** LIMIT, or null. */
  readonly limit: number | null = null;
  /** OFFSET, or null. */
  readonly offset: number | null = null;
  /** SELECT DISTINCT. */
  readonly distinct: boolean = false;
  /** `FOR UPDATE` row locking. */
  readonly forUpdate: boolean = false;

  constructor(state?: Partial<SelectState>) {
    Object.assign(this, state);
  }

  /** A copy with some parts replaced: `with({ groupBy: [Post.userId], distinct: true })`. */
  with(changes: Partial<SelectState>): Select {
    return new Select({ ...this, ...changes });
  }

  /** Adds FROM elements (tables are otherwise inferred from the selected columns). */
  selectFrom(...from: FromClause[]): Select {
    return this.with({ from: [...this.from, ...from] });
  }

  /** Adds WHERE conditions, AND-ed with any already there. */
  filter(...conditions: ColumnElement<boolean>[]): Select {
    conditions.forEach((c) => requireElement(c, 'where()'));
    const all = this.where ? [this.where, ...conditions] : conditions;
    return this.with({ where: all.length === 0 ? null : and_(...all) });
  }

  /** Adds ORDER BY terms after any already there; a bare column sorts ascending. */
  orderByAlso(...clauses: Orderable[]): Select {
    const more = clauses.map((c) =>
      c instanceof OrderByElement ? c : new OrderByElement(requireElement(c, 'orderBy()'), 'ASC'),
    );
    return this.with({ orderBy: [...this.orderBy, ...more] });
  }

  /** Sets LIMIT (null: none). */
  withLimit(n: number | null): Select {
    if (n !== null) checkCount(n, 'limit()');
    return this.with({ limit: n });
  }

  /** Sets OFFSET (null: none). */
  withOffset(n: number | null): Select {
    if (n !== null) checkCount(n, 'offset()');
    return this.with({ offset: n });
  }

  /** Joins `right` onto the last FROM element (or onto `onto` when given). */
  join(right: FromClause, on: ColumnElement<boolean>, outer = false): Select {
    // A table inferred into FROM from the selected columns is replaced by its join, not listed twice.
    const from = this.from.filter((f) => f !== right);
    if (from.length === 0) throw new ArgumentError('join() needs a FROM clause to join onto');
    const left = from.pop()!;
    from.push(new Join(left, right, on, outer));
    return this.with({ from });
  }

  /** This SELECT as a FROM element, `(SELECT …) AS name`, whose columns are in `c` by label. */
  subquery(name = 'anon_1'): SubqueryAlias {
    return new SubqueryAlias(this, name);
  }

  /** This SELECT as a common table expression, `WITH name AS (SELECT …)` (see {@link Cte}). */
  cte(name: string, options: CteOptions = {}): Cte {
    return new Cte(this, name, options);
  }

  /**
   * This SELECT as a LATERAL subquery, which may refer to the FROM elements before it: join it with
   * `join(lateral, true_())`. PostgreSQL and MySQL 8.0.14+; SQLite and MariaDB refuse it.
   */
  lateral(name = 'anon_1'): SubqueryAlias {
    return new SubqueryAlias(this, name, true);
  }

  /** `SELECT … UNION SELECT …` (duplicates removed); see {@link CompoundSelect}. */
  union(...others: CompoundMember[]): CompoundSelect {
    return combine('UNION', this, others);
  }
  /** `SELECT … UNION ALL SELECT …` (duplicates kept). */
  unionAll(...others: CompoundMember[]): CompoundSelect {
    return combine('UNION ALL', this, others);
  }
  /** `SELECT … INTERSECT SELECT …`: rows in both. */
  intersect(...others: CompoundMember[]): CompoundSelect {
    return combine('INTERSECT', this, others);
  }
  /** `INTERSECT ALL` (not on SQLite). */
  intersectAll(...others: CompoundMember[]): CompoundSelect {
    return combine('INTERSECT ALL', this, others);
  }
  /** `SELECT … EXCEPT SELECT …`: rows of this one not in the others. */
  except_(...others: CompoundMember[]): CompoundSelect {
    return combine('EXCEPT', this, others);
  }
  /** `EXCEPT ALL` (not on SQLite). */
  exceptAll(...others: CompoundMember[]): CompoundSelect {
    return combine('EXCEPT ALL', this, others);
  }

  /** `EXISTS (SELECT …)`, a condition. */
  exists(): ExistsExpression {
    return new ExistsExpression(this);
  }

  /** This SELECT (of one column, one row) as a value in another statement. */
  scalarSubquery<T = unknown>(): ScalarSubquery<T> {
    return new ScalarSubquery<T>(this);
  }
}

function checkCount(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`${where} needs a non-negative integer, got ${String(n)}`);
}

/** The leftmost table-like element of a FROM clause. */
export function leftmost(from: FromClause): Table | TableAlias | SubqueryAlias | Cte {
  return from.kind === 'join' ? leftmost(from.left) : from;
}

/** Every table or alias that appears in a FROM clause, joins included. */
export function fromElements(from: FromClause): (Table | TableAlias | SubqueryAlias | Cte)[] {
  return from.kind === 'join' ? [...fromElements(from.left), ...fromElements(from.right)] : [from];
}

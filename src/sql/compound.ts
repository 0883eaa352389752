/**
 * Set operations on SELECTs: `a.union(b)`, `unionAll`, `intersect`, `intersectAll`, `except_`,
 * `exceptAll` (SQLAlchemy's CompoundSelect). Immutable like Select; ORDER BY / LIMIT / OFFSET apply
 * to the whole compound. What each database lacks is refused when compiling, naming the database.
 */
import { ArgumentError, CompileError } from './errors.js';
import { ColumnElement, ColumnRef, Label, OrderByElement, requireElement, resultKey } from './expressions.js';
import { Select, checkCount, outputName, type Orderable } from './selectable.js';
import { Cte, type CteOptions } from './cte.js';
import type { RowOf } from './row-types.js';

/**
 * The set operators, as SQL writes them (a compound's `operator`).
 *
 * @example
 * ```ts
 * import { select, type SetOperator } from 'relata';
 *
 * const op: SetOperator = select(User.id).intersect(select(Post.userId)).operator; // 'INTERSECT'
 * ```
 */
export type SetOperator = 'UNION' | 'UNION ALL' | 'INTERSECT' | 'INTERSECT ALL' | 'EXCEPT' | 'EXCEPT ALL';

/**
 * What a compound combines: SELECTs, or other compounds (`a.union(b).intersect(c)`).
 *
 * @example
 * ```ts
 * import { select, type CompoundMember } from 'relata';
 *
 * const members: CompoundMember[] = [select(User.id), select(Post.userId).union(select(Post.id))];
 * const all = select(User.id).unionAll(...members);
 * ```
 */
export type CompoundMember = Select | CompoundSelect;

/**
 * `SELECT … UNION SELECT …` (and the other set operations), from `select.union(other)`. Run it with
 * `session.execute(compound)` (rows keyed by the first SELECT's labels), or make it the body of a CTE.
 *
 * @example
 * ```ts
 * import { select } from 'relata';
 *
 * const names = select(User.username.label('name'))
 *   .union(select(Tag.name.label('name')))
 *   .orderBy('name')
 *   .limit(10);
 * const rows = await session.execute(names); // [{ name: 'alice' }, { name: 'orm' }, …]
 * ```
 */
export class CompoundSelect<C extends readonly ColumnElement[] = readonly ColumnElement[]> {
  /** @internal Tells statements apart. */
  readonly kind = 'compound';

  constructor(
    /** The set operator between every two members. */
    readonly operator: SetOperator,
    /** The SELECTs (or compounds) combined, in order; at least two. */
    readonly members: readonly CompoundMember[],
    /** ORDER BY of the whole compound: output columns only. */
    readonly orderByTerms: readonly OrderByElement[] = [],
    /** LIMIT of the whole compound, or null. */
    readonly limitCount: number | null = null,
    /** OFFSET of the whole compound, or null. */
    readonly offsetCount: number | null = null,
  ) {
    members.forEach((m, i) => {
      if (!(m instanceof Select) && !(m instanceof CompoundSelect))
        throw new ArgumentError(`${operator.toLowerCase()}(): member ${i + 1} is not a select`);
    });
    const width = firstSelect(members[0]!).columns.length;
    members.forEach((m, i) => {
      const n = firstSelect(m).columns.length;
      if (n !== width)
        throw new ArgumentError(
          `${operator.toLowerCase()}(): every SELECT needs the same number of columns; the first has ${width}, member ${i + 1} has ${n}`,
        );
    });
  }

  /** The result columns: the first SELECT's (their labels name the rows' keys). */
  get columns(): C {
    return firstSelect(this).columns as readonly ColumnElement[] as C;
  }

  /** `… UNION other…` (duplicates removed). */
  union(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('UNION', this, others);
  }
  /** `… UNION ALL other…` (duplicates kept). */
  unionAll(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('UNION ALL', this, others);
  }
  /** `… INTERSECT other…`: rows in both. */
  intersect(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('INTERSECT', this, others);
  }
  /** `… INTERSECT ALL other…` (not on SQLite). */
  intersectAll(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('INTERSECT ALL', this, others);
  }
  /** `… EXCEPT other…`: rows of this one not in the others. */
  except_(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('EXCEPT', this, others);
  }
  /** `… EXCEPT ALL other…` (not on SQLite). */
  exceptAll(...others: CompoundMember[]): CompoundSelect<C> {
    return combine('EXCEPT ALL', this, others);
  }

  /**
   * ORDER BY of the whole compound, added after any already there: output columns, given by label
   * (`'name'`), by a column of the first SELECT, or as `.desc()` of one.
   */
  orderBy(...terms: (Orderable | (keyof RowOf<C> & string))[]): CompoundSelect<C> {
    const more = terms.map((t) => {
      if (typeof t === 'string') return new OrderByElement(new Label(new OutputName(t), t), 'ASC');
      return t instanceof OrderByElement ? t : new OrderByElement(requireElement(t, 'orderBy()'), 'ASC');
    });
    return this.copy({ orderByTerms: [...this.orderByTerms, ...more] });
  }

  /** LIMIT of the whole compound (null: none). */
  limit(n: number | null): CompoundSelect<C> {
    return this.copy({ limitCount: n === null ? null : checkCount(n, 'limit()') });
  }

  /** OFFSET of the whole compound (null: none). */
  offset(n: number | null): CompoundSelect<C> {
    return this.copy({ offsetCount: n === null ? null : checkCount(n, 'offset()') });
  }

  /** This compound as a common table expression: `WITH name AS (… UNION …)`. */
  cte(name: string, options: CteOptions = {}): Cte<RowOf<C>> {
    return new Cte<RowOf<C>>(this, name, options);
  }

  /** Whether it has ORDER BY, LIMIT or OFFSET of its own (then it is parenthesised as a member). */
  get isBounded(): boolean {
    return this.orderByTerms.length > 0 || this.limitCount !== null || this.offsetCount !== null;
  }

  private copy(changes: {
    orderByTerms?: readonly OrderByElement[];
    limitCount?: number | null;
    offsetCount?: number | null;
  }): CompoundSelect<C> {
    return new CompoundSelect<C>(
      this.operator,
      this.members,
      changes.orderByTerms ?? this.orderByTerms,
      changes.limitCount === undefined ? this.limitCount : changes.limitCount,
      changes.offsetCount === undefined ? this.offsetCount : changes.offsetCount,
    );
  }
}

/** An output column named by a string in a compound's ORDER BY. */
class OutputName extends ColumnElement {
  readonly kind = 'output-name';
  constructor(readonly name: string) {
    super();
  }
}

/** `first OP others…`: one flat compound when `first` already has the same operator and no bounds. */
export function combine<C extends readonly ColumnElement[]>(
  operator: SetOperator,
  first: CompoundMember,
  others: readonly CompoundMember[],
): CompoundSelect<C> {
  if (others.length === 0) throw new ArgumentError(`${operator.toLowerCase()}() needs at least one other select`);
  const flat = first instanceof CompoundSelect && first.operator === operator && !first.isBounded;
  return new CompoundSelect<C>(operator, flat ? [...first.members, ...others] : [first, ...others]);
}

function firstSelect(m: CompoundMember): Select {
  return m instanceof Select ? m : firstSelect(m.members[0]!);
}

/** What rendering a compound needs from the dialect's compiler (its protected methods, bound). */
export interface CompoundParts {
  readonly member: (m: Select) => string;
  readonly compound: (m: CompoundSelect) => string;
  readonly quote: (name: string) => string;
  readonly limitOffset: (limit: number | null, offset: number | null) => string;
  /** The operator as this database writes it, or a CompileError when it has none. */
  readonly operator: (op: SetOperator) => string;
  /** A member that must be grouped (a compound, or one with its own ORDER BY/LIMIT): `(…)` by default. */
  readonly grouped: (sql: string) => string;
}

/** The compound's SQL: its members joined by the operator, then its own ORDER BY, LIMIT, OFFSET. */
export function renderCompound(s: CompoundSelect, parts: CompoundParts): string {
  const op = parts.operator(s.operator);
  const members = s.members.map((m) => {
    if (m instanceof CompoundSelect) return parts.grouped(parts.compound(m));
    const { orderBy, limit, offset } = m.state;
    const bounded = orderBy.length > 0 || limit !== null || offset !== null;
    return bounded ? parts.grouped(parts.member(m)) : parts.member(m);
  });
  let sql = members.join(` ${op} `);
  if (s.orderByTerms.length) sql += ' ORDER BY ' + s.orderByTerms.map((o) => orderTerm(s, o, parts)).join(', ');
  return sql + parts.limitOffset(s.limitCount, s.offsetCount);
}

/** A compound's ORDER BY names an output column: by label, or a column of its first SELECT. */
function orderTerm(s: CompoundSelect, o: OrderByElement, parts: CompoundParts): string {
  const names = s.columns.map((c, i) => outputName(c, i));
  const e = o.element;
  let name: string | undefined;
  if (e instanceof Label) {
    // A string term is a row key (an attribute's name) or the SQL output name.
    const byKey = s.columns.findIndex((c, i) => resultKey(c, i) === e.name);
    name = byKey >= 0 ? names[byKey] : e.name;
  } else {
    const i = s.columns.findIndex((c) => c === e || (c instanceof Label && c.element === e));
    if (i >= 0) name = names[i];
    else if (e instanceof ColumnRef && names.includes(e.column.name)) name = e.column.name;
  }
  if (name === undefined || !names.includes(name)) {
    throw new CompileError(
      `ORDER BY of a ${s.operator}: '${name ?? e.describe()}' is not one of its output columns (${names.join(', ')}); ` +
        'order by a label or a column of the first select',
    );
  }
  const sql = parts.quote(name);
  return o.direction === 'DESC' ? `${sql} DESC` : sql;
}

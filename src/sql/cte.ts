/**
 * Common table expressions (SQLAlchemy's `select(...).cte()`): `WITH name AS (SELECT …)`, recursive
 * ones (`WITH RECURSIVE`) built the way SQLAlchemy builds them, `anchor.cte('tree', { recursive: true })`
 * then `tree.unionAll(recursiveMember)`. A CTE is a FROM element with typed columns in `c`; wherever
 * it is used (FROM, a join, a subquery, an ORM query's join) its definition goes into the WITH clause
 * of the statement that is compiled, so it is written once.
 */
import { ArgumentError, CompileError } from './errors.js';
import { ColumnRef, resultKey } from './expressions.js';
import { Column, Table } from './schema.js';
import { Any } from './types.js';
import type { Select } from './selectable.js';
import { CompoundSelect, combine } from './compound.js';

/**
 * Type-only: the row of a CTE, keyed by column name (what `Cte<Row>` is typed by).
 *
 * @example
 * ```ts
 * import { select, type Cte, type CteRow } from 'relata';
 *
 * const row: CteRow = { id: 1 };
 * const ids: Cte<{ id: number }> = select(User.id).cte('ids');
 * ```
 */
export type CteRow = Record<string, unknown>;

/**
 * The columns of a CTE, typed from its row: `tree.c.EmployeeId`.
 *
 * @example
 * ```ts
 * import { select, type CteColumns } from 'relata';
 *
 * const named = select(User.id, User.username).cte('named');
 * const columns: CteColumns<{ id: number; username: string }> = named.c;
 * ```
 */
export type CteColumns<Row extends CteRow> = { readonly [K in keyof Row]: CteColumn<Row[K], K & string> };

/**
 * A column of a CTE: its key (the name it has in rows) is typed, so a select of it names the row's
 * key as a model attribute does.
 *
 * @example
 * ```ts
 * import { select, type CteColumn } from 'relata';
 *
 * const named = select(User.id, User.username.label('name')).cte('named');
 * const name: CteColumn<string, 'name'> = named.c.name;
 * const rows = await session.execute(select(name)); // { name: string }[]
 * ```
 */
export class CteColumn<T = unknown, K extends string = string> extends ColumnRef<T> {
  constructor(
    column: Column,
    from: Cte,
    /** The column's name in the CTE and in rows. */
    readonly key: K,
  ) {
    super(column, from, `${from.name}.${key}`);
  }
}

/**
 * Options of `select.cte(name, options)`.
 *
 * @example
 * ```ts
 * import { select, type CteOptions } from 'relata';
 *
 * const options: CteOptions = { recursive: true };
 * const tree = select(User.id).where(User.id.eq(1)).cte('tree', options);
 * ```
 */
export interface CteOptions {
  /** `WITH RECURSIVE`: the CTE's body may refer to the CTE (add that member with `unionAll`). */
  readonly recursive?: boolean;
}

/**
 * `WITH name AS (…)`: a named SELECT (or compound) used as a FROM element. From `select.cte(name)`;
 * a recursive one from `anchor.cte(name, { recursive: true }).unionAll(member)`, where `member` joins
 * the CTE itself.
 *
 * @example
 * ```ts
 * import { func, select } from 'relata';
 *
 * const busy = select(Post.userId, func.count(Post.id).label('posts')).groupBy(Post.userId).cte('busy');
 * const rows = await session.execute(select(User.username, busy.c.posts).join(busy, User.id.eq(busy.c.userId)));
 * // { username: string; posts: number }[]
 *
 * let tree = select(User.id).where(User.id.eq(1)).cte('tree', { recursive: true });
 * tree = tree.unionAll(select(User.id).join(tree, User.id.eq(tree.c.id)));
 * ```
 */
export class Cte<Row extends CteRow = CteRow> {
  /** @internal Tells FROM elements apart. */
  readonly kind = 'cte';
  /** The CTE's columns by output name (labels, or column names). */
  readonly c: CteColumns<Row>;
  /** Whether it is written `WITH RECURSIVE`. */
  readonly recursive: boolean;

  constructor(
    /** The SELECT (or compound) it names. */
    readonly body: Select | CompoundSelect,
    /** Its name in the statement. */
    readonly name: string,
    options: CteOptions = {},
    /** @internal The CTE this one completes (a recursive CTE's anchor, which its members refer to). */
    readonly restates: Cte | null = null,
  ) {
    if (typeof name !== 'string' || name === '') throw new ArgumentError('cte() needs a name');
    this.recursive = options.recursive ?? false;
    const c: Record<string, CteColumn> = {};
    // Named by result key (a model attribute's name, not its SQL name): the WITH clause lists these
    // names, so `tree.c.EmployeeId` is the same on a database whose column is employee_id.
    const columns = body.columns.map((el, i) => {
      const col = new Column(resultKey(el, i), el.sqlType ?? Any);
      if (col.name in c) {
        throw new ArgumentError(
          `cte('${name}'): two columns are named '${col.name}'; label one of them (.label('other'))`,
        );
      }
      c[col.name] = new CteColumn(col, this, col.name);
      return col;
    });
    // A shadow table gives the columns a table for messages, as SubqueryAlias does.
    new Table(name, columns);
    this.c = c as CteColumns<Row>;
  }

  /** The output names of its columns, in order. */
  get columnNames(): string[] {
    return Object.keys(this.c);
  }

  /** A recursive CTE's members: `anchor.cte('tree', { recursive: true }).unionAll(member)`. */
  unionAll(...members: Select[]): Cte<Row> {
    return this.completed(combine('UNION ALL', this.body, members));
  }

  /** As unionAll(), removing duplicate rows (which also stops a cycle on PostgreSQL and SQLite). */
  union(...members: Select[]): Cte<Row> {
    return this.completed(combine('UNION', this.body, members));
  }

  private completed(body: CompoundSelect): Cte<Row> {
    return new Cte<Row>(body, this.name, { recursive: this.recursive }, this);
  }

  /** Whether `other` is this CTE or one it completes (an earlier stage of the same recursive CTE). */
  restatesOrIs(other: Cte): boolean {
    return this === other || (this.restates !== null && this.restates.restatesOrIs(other));
  }
}

/**
 * The CTEs a statement uses, by name, collected while it is compiled. A recursive CTE's member refers
 * to its anchor, which the completed CTE restates: the completed one is kept.
 */
export class CteCollector {
  readonly byName = new Map<string, Cte>();

  add(cte: Cte): void {
    const seen = this.byName.get(cte.name);
    if (!seen || cte.restatesOrIs(seen)) this.byName.set(cte.name, cte);
    else if (!seen.restatesOrIs(cte)) {
      throw new CompileError(
        `two different CTEs are named '${cte.name}' in one statement; give one of them another name`,
      );
    }
  }
}

/** How the compiler renders a statement with its WITH clause (see SqlCompiler.withClause). */
export interface WithParts {
  /** Compiles the statement's body (after the WITH), collecting the CTEs it uses into `into`. */
  readonly body: (into: CteCollector) => string;
  /** Compiles a CTE's body, collecting the CTEs it uses into `into`. */
  readonly define: (cte: Cte, into: CteCollector) => string;
  /** Compiles a CTE's body into a scratch context: only the CTEs it uses are wanted. */
  readonly probe: (cte: Cte, into: CteCollector) => void;
  readonly quote: (name: string) => string;
  /** Forgets what the first compile of the body bound (it is compiled again after the WITH). */
  readonly rewind: () => void;
}

/**
 * `WITH [RECURSIVE] a AS (…), b AS (…) body`: the body is compiled once to learn the CTEs it uses;
 * when there are some, their bodies come first (each after the CTEs it uses) and the body is compiled
 * again, so the parameters stay in text order.
 */
export function renderWith(parts: WithParts): string {
  const used = new CteCollector();
  const sql = parts.body(used);
  if (used.byName.size === 0) return sql;
  const ordered = dependencyOrder(used, parts);
  parts.rewind();
  // Compiled again with every CTE known: a use is now just its name.
  const defs = ordered.map(
    (cte) =>
      `${parts.quote(cte.name)} (${cte.columnNames.map(parts.quote).join(', ')}) AS (${parts.define(cte, used)})`,
  );
  const recursive = ordered.some((c) => c.recursive) ? 'RECURSIVE ' : '';
  return `WITH ${recursive}${defs.join(', ')} ${parts.body(used)}`;
}

/** The CTEs used, each after the ones its body uses (a recursive CTE's use of itself aside). */
function dependencyOrder(used: CteCollector, parts: WithParts): Cte[] {
  const out: Cte[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new CompileError(
        `CTE '${name}' refers to itself through another CTE; only a recursive CTE's own members may`,
      );
    }
    state.set(name, 'visiting');
    const cte = used.byName.get(name)!;
    const inner = new CteCollector();
    parts.probe(cte, inner);
    for (const dep of inner.byName.values()) {
      used.add(dep);
      if (dep.name !== name) visit(dep.name);
      else if (!cte.recursive) {
        throw new CompileError(`CTE '${name}' refers to itself; pass { recursive: true } to cte()`);
      }
    }
    state.set(name, 'done');
    out.push(used.byName.get(name)!);
  };
  for (const name of [...used.byName.keys()]) visit(name);
  return out;
}

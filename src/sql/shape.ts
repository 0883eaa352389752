/**
 * Statement shapes, for caching compiled SQL the way SQLAlchemy's compiled cache does: a statement's
 * shape is everything about it except its bound values, written as a string. Two statements with
 * the same shape compile to the same SQL text, so the text is compiled once and each later statement
 * only supplies its values (see SqlCompiler.compileShape).
 *
 * Every user-supplied string (labels, function names, text(), alias names) is length-prefixed, so no
 * two different shapes can write the same key.
 */
import { lockingKey } from './locking.js';
import {
  BetweenExpression,
  BinaryExpression,
  BindParameter,
  BooleanClauseList,
  ColumnRef,
  ExistsExpression,
  FunctionCall,
  InExpression,
  Label,
  OrderByElement,
  Over,
  ScalarSubquery,
  TextClause,
  TupleInExpression,
  UnaryExpression,
  ColumnElement,
} from './expressions.js';
import { Concat } from './concat.js';
import { frameToken } from './window.js';
import { LazyElement } from './lazy-element.js';
import type { Delete, Update } from './dml.js';
import { Join, Select, SubqueryAlias, TableAlias, memberOf, type FromClause } from './selectable.js';
import { Cte } from './cte.js';
import { CompoundSelect } from './compound.js';
import type { Column, Table } from './schema.js';

/**
 * Where one bound value sits in a statement: a BindParameter node, or the n-th parameter of a
 * `text()` clause. The compiler records the same pairs, which is how it maps its parameters back to
 * the positions of a shape.
 */
export interface BindSources {
  readonly nodes: (BindParameter | TextClause)[];
  /** -1 for a BindParameter, else the index into the text clause's parameters. */
  readonly indexes: number[];
}

let nextId = 0;
const ids = new WeakMap<Column | Table, number>();

/** A small number for a column or table, stable for its lifetime: shapes name schema objects by it. */
export function schemaId(obj: Column | Table): number {
  let id = ids.get(obj);
  if (id === undefined) ids.set(obj, (id = ++nextId));
  return id;
}

/** Builds one statement's shape key while collecting its bound values in walk order. */
export class ShapeKey implements BindSources {
  key = '';
  readonly nodes: (BindParameter | TextClause)[] = [];
  readonly indexes: number[] = [];
  /** False once the walk met something it cannot describe: such a statement is compiled every time. */
  cacheable = true;
  /** CTEs whose bodies were walked (where first met): each body's values are collected once. Made on first use. */
  private ctes: Set<Cte> | null = null;

  /** Appends a fixed token (never user text: use `text()` for that). */
  raw(token: string | number): this {
    this.key += token;
    return this;
  }

  /** Appends user-supplied text, length-prefixed. */
  text(s: string): this {
    this.key += `${s.length}:${s}`;
    return this;
  }

  element(e: ColumnElement): void {
    if (e instanceof ColumnRef) {
      // A subquery's columns are made anew with each subquery: they go by name.
      if (e.from instanceof SubqueryAlias || e.from instanceof Cte) this.text(e.column.name);
      else this.key += `c${schemaId(e.column)}`;
      // A column read from a join (a joined-inheritance subclass) is read from its member table.
      this.fromName(e.from instanceof Join ? (memberOf(e.from, e.column) ?? e.from) : e.from);
    } else if (e instanceof BindParameter) {
      this.key += '?';
      this.nodes.push(e);
      this.indexes.push(-1);
    } else if (e instanceof BinaryExpression) {
      this.key += 'b';
      this.text(e.operator);
      this.element(e.left);
      this.element(e.right);
    } else if (e instanceof BooleanClauseList) {
      this.key += `L${e.operator}${e.clauses.length}(`;
      for (const c of e.clauses) this.element(c);
      this.key += ')';
    } else if (e instanceof UnaryExpression) {
      this.key += e.position === 'prefix' ? 'u<' : 'u>';
      this.text(e.operator);
      this.element(e.operand);
    } else if (e instanceof InExpression) {
      this.key += e.negated ? 'I!' : 'I';
      this.element(e.element);
      if (e.values instanceof Select) this.select(e.values);
      else {
        this.key += `${e.values.length}(`;
        for (const v of e.values) this.element(v);
        this.key += ')';
      }
    } else if (e instanceof TupleInExpression) {
      this.key += `T${e.elements.length},${e.rows.length}(`;
      for (const x of e.elements) this.element(x);
      for (const row of e.rows) for (const x of row) this.element(x);
      this.key += ')';
    } else if (e instanceof BetweenExpression) {
      this.key += 'B';
      this.element(e.element);
      this.element(e.low);
      this.element(e.high);
    } else if (e instanceof FunctionCall) {
      this.key += e.distinct ? 'F!' : 'F';
      this.text(e.name);
      this.key += `${e.args.length}(`;
      for (const a of e.args) this.element(a);
      this.key += ')';
    } else if (e instanceof Label) {
      this.key += 'l';
      this.text(e.name);
      this.element(e.element);
    } else if (e instanceof Over) {
      const w = e.window;
      this.key += `W${w.partitionBy.length},${w.orderBy.length}${frameToken(w)}(`;
      this.element(e.fn);
      for (const p of w.partitionBy) this.element(p);
      for (const o of w.orderBy) this.orderBy(o);
      this.key += ')';
    } else if (e instanceof ExistsExpression) {
      this.key += 'E';
      this.select(e.select);
    } else if (e instanceof ScalarSubquery) {
      this.key += 'Q';
      this.select(e.select);
    } else if (e instanceof LazyElement) {
      this.element(e.element);
    } else if (e instanceof Concat) {
      this.key += `c${e.parts.length}(`;
      for (const part of e.parts) this.element(part);
      this.key += ')';
    } else if (e instanceof TextClause) {
      this.key += 'x';
      this.text(e.text);
      this.key += e.params.length;
      for (let i = 0; i < e.params.length; i++) {
        this.nodes.push(e);
        this.indexes.push(i);
      }
    } else if (e.kind === 'star') {
      this.key += '*';
    } else {
      this.cacheable = false;
    }
  }

  orderBy(o: OrderByElement): void {
    this.key += o.direction === 'DESC' ? 'v' : '^';
    this.element(o.element);
  }

  /** A FROM element as it appears in FROM: tables, aliases, subqueries (walked) and joins. */
  from(f: FromClause): void {
    if (f instanceof Join) {
      this.key += f.outer ? 'J<(' : 'J(';
      this.from(f.left);
      this.from(f.right);
      this.element(f.on);
      this.key += ')';
    } else if (f instanceof SubqueryAlias) {
      this.key += f.lateral ? 'SL' : 'S';
      this.text(f.name);
      this.select(f.select);
    } else {
      this.fromName(f);
    }
  }

  /** A FROM element as a column refers to it: by name (a subquery is walked where it stands in FROM). */
  private fromName(f: FromClause): void {
    if (f instanceof TableAlias) {
      this.key += `@${schemaId(f.table)}`;
      this.text(f.name);
    } else if (f instanceof SubqueryAlias) {
      this.key += '@s';
      this.text(f.name);
    } else if (f instanceof Cte) {
      this.cte(f);
    } else if (f instanceof Join) {
      this.cacheable = false;
    } else {
      this.key += `t${schemaId(f)}`;
    }
  }

  /**
   * A CTE by name; its body where first met. The body of a CTE it completes (a recursive CTE's
   * anchor, met again inside the members) is part of its own body, so it is not walked twice.
   */
  private cte(c: Cte): void {
    this.key += c.recursive ? '@R' : '@C';
    this.text(c.name);
    const walked = (this.ctes ??= new Set());
    if (walked.has(c)) return;
    for (let r: Cte | null = c; r; r = r.restates) walked.add(r);
    this.key += '(';
    if (c.body instanceof Select) this.select(c.body);
    else this.compound(c.body);
    this.key += ')';
  }

  /** A UNION/INTERSECT/EXCEPT: operator, members, and its own ORDER BY and bounds. */
  compound(s: CompoundSelect): void {
    this.key += `{K`;
    this.text(s.operator);
    this.key += `${s.members.length}`;
    for (const m of s.members) {
      if (m instanceof Select) this.select(m);
      else this.compound(m);
    }
    this.key += `o${s.orderByTerms.length}`;
    for (const o of s.orderByTerms) {
      this.key += o.direction === 'DESC' ? 'v' : '^';
      // A label is rendered as its output name alone (a string term has no expression to walk).
      if (o.element instanceof Label) this.text(o.element.name);
      else this.element(o.element);
    }
    if (s.limitCount !== null) this.key += `n${s.limitCount}`;
    if (s.offsetCount !== null) this.key += `s${s.offsetCount}`;
    this.key += '}';
  }

  /** A SELECT, compound, UPDATE or DELETE (INSERTs have their own text cache in the compiler). */
  statement(stmt: Select | CompoundSelect | Update | Delete): void {
    if (stmt.kind === 'select') this.select(stmt);
    else if (stmt.kind === 'compound') this.compound(stmt);
    else if (stmt.kind === 'update') this.update(stmt);
    else this.delete(stmt);
  }

  update(u: Update): void {
    this.key += `{U${schemaId(u.table)},${u.values.size}`;
    for (const [col, value] of u.values) {
      this.key += `c${schemaId(col)}`;
      // A raw value is compiled as a parameter with no node to map back to: such an UPDATE is not cached.
      if (value instanceof ColumnElement) this.element(value);
      else this.cacheable = false;
    }
    this.where(u.where);
    this.returning(u.returning);
    this.key += '}';
  }

  delete(d: Delete): void {
    this.key += `{X${schemaId(d.table)}`;
    this.where(d.where);
    this.returning(d.returning);
    this.key += '}';
  }

  private returning(cols: readonly Column[]): void {
    if (cols.length === 0) return;
    this.key += 'r';
    for (const c of cols) this.key += `${schemaId(c)},`;
  }

  private where(w: ColumnElement<boolean> | null): void {
    if (!w) return;
    this.key += 'w';
    this.element(w);
  }

  select(stmt: Select): void {
    const s = stmt.state;
    this.key += s.distinct ? '{D' : '{';
    this.key += `${s.columns.length}`;
    for (const c of s.columns) this.element(c);
    this.key += `f${s.from.length}`;
    for (const f of s.from) this.from(f);
    this.where(s.where);
    if (s.groupBy.length) {
      this.key += `g${s.groupBy.length}`;
      for (const g of s.groupBy) this.element(g);
    }
    if (s.having) {
      this.key += 'h';
      this.element(s.having);
    }
    if (s.orderBy.length) {
      this.key += `o${s.orderBy.length}`;
      for (const o of s.orderBy) this.orderBy(o);
    }
    if (s.limit !== null) this.key += `n${s.limit}`;
    if (s.offset !== null) this.key += `s${s.offset}`;
    if (s.locking) this.key += lockingKey(s.locking, schemaId);
    this.key += '}';
  }
}

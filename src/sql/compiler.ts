/**
 * Turns statement nodes into SQL text and bound parameters. The base class renders standard SQL;
 * a dialect overrides quoting, placeholders, type names and the few constructs that differ.
 */
import { ArgumentError, CompileError, DataError } from './errors.js';
import { scanText, STANDARD_SYNTAX, type TextSyntax } from './placeholders.js';
import { describe } from './text-params.js';
import { tooManyParameters } from './limits.js';
import {
  BetweenExpression,
  BinaryExpression,
  BindParameter,
  BooleanClauseList,
  ColumnElement,
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
} from './expressions.js';
import { windowSql } from './window.js';
import { Concat } from './concat.js';
import { LazyElement } from './lazy-element.js';
import { CreateTable, Delete, DropTable, Insert, Update, type Statement } from './dml.js';
import type { Column, Index, Table } from './schema.js';
import type { ForeignKeyConstraint } from './constraints.js';
import { Join, Select, SubqueryAlias, TableAlias, memberOf, type FromClause } from './selectable.js';
import { Cte, renderWith, type CteCollector } from './cte.js';
import { CompoundSelect, renderCompound, type SetOperator } from './compound.js';
import { BoundedMap } from './bounded.js';
import { schemaId, type BindSources } from './shape.js';
import type { SqlType } from './types.js';
import { toStored } from './type-decorator.js';
import { ExcludedColumn, renderOnConflict, type ClauseRenderer } from './upsert.js';
import { renderPostgresLock, type LockingClause } from './locking.js';

export interface CompiledStatement {
  readonly sql: string;
  readonly params: unknown[];
  /** Whether it returns rows; when absent the engine guesses from the SQL text. */
  readonly returnsRows?: boolean;
  /** Per result column, whether it is a BigInteger to read exactly (see ExecuteOptions). */
  readonly exactIntegers?: readonly boolean[];
}

/** Per-compilation state: the parameters collected so far. Exported for dialects' overrides. */
export class CompileContext {
  readonly params: unknown[] = [];
  /** Where each parameter came from, when compiling for the cache (see compileShape). */
  readonly sources: BindSources | null;
  /** Where the CTEs met while compiling a SELECT go (see cte.ts); null outside a SELECT statement. */
  ctes: CteCollector | null = null;
  constructor(trackSources = false) {
    this.sources = trackSources ? { nodes: [], indexes: [] } : null;
  }
}

/**
 * SQL compiled once for a statement shape (see shape.ts): the text, and for each parameter either
 * the position of its value in the shape's bound values or, for a value that is part of the shape
 * itself (a relationship's fixed criteria), that value.
 */
export class ShapedSql {
  constructor(
    readonly sql: string,
    private readonly slots: Int32Array,
    private readonly constants: readonly unknown[],
    private readonly compiler: SqlCompiler,
  ) {}

  /**
   * This SQL's parameters from plain values, one per position of the shape (callers that know their
   * values' positions, such as selectin loads, need no nodes); `types[j % types.length]` binds value j.
   */
  paramsFor(values: readonly unknown[], types: readonly (SqlType<unknown> | null)[]): unknown[] {
    return this.bind(
      (slot) => values[slot],
      (slot) => types[slot % types.length]!,
    );
  }

  /** This SQL's parameters, taken from another statement of the same shape. */
  params(binds: BindSources): unknown[] {
    return this.bind(
      (slot) => {
        const node = binds.nodes[slot]!;
        return node instanceof BindParameter ? node.value : node.params[binds.indexes[slot]!];
      },
      (slot) => {
        const node = binds.nodes[slot]!;
        return node instanceof BindParameter ? node.type : null;
      },
      (slot) => {
        const node = binds.nodes[slot]!;
        return node instanceof BindParameter ? node.where : undefined;
      },
    );
  }

  /** Each parameter: a constant of the shape, or the value at its slot bound by its type. */
  private bind(
    valueAt: (slot: number) => unknown,
    typeAt: (slot: number) => SqlType<unknown> | null,
    whereAt?: (slot: number) => string | undefined,
  ): unknown[] {
    const out = new Array<unknown>(this.slots.length);
    for (let i = 0; i < out.length; i++) {
      const slot = this.slots[i]!;
      if (slot < 0) {
        out[i] = this.constants[i];
        continue;
      }
      const value = valueAt(slot);
      try {
        out[i] = value === null ? null : this.compiler.bindTyped(value, typeAt(slot));
      } catch (err) {
        throw naming(err, whereAt?.(slot));
      }
    }
    return out;
  }
}

/** A dialect's refusal of a value, with where it was bound (`user.name`, `User.name.eq()`) in front of its message. */
function naming(err: unknown, where: string | undefined): unknown {
  if (where && (err instanceof ArgumentError || err instanceof DataError)) err.message = `${where}: ${err.message}`;
  return err;
}

function namingColumn(err: unknown, column: Column): unknown {
  return naming(err, `${column.table.name}.${column.name}`);
}

export abstract class SqlCompiler {
  /** Dialect name, for messages. */
  abstract readonly dialectName: string;
  /** The most bound parameters the database accepts in one statement; more is refused before sending. */
  abstract readonly parameterLimit: number;
  /** How many parameters Relata's own batches (multi-row INSERTs, selectin IN lists) put in one statement: below parameterLimit. */
  abstract readonly maxParameters: number;
  abstract readonly supportsReturning: boolean;
  /** UPDATE … RETURNING and DELETE … RETURNING: where INSERT has it, unless the dialect says otherwise (MariaDB). */
  get supportsUpdateReturning(): boolean {
    return this.supportsReturning;
  }
  get supportsDeleteReturning(): boolean {
    return this.supportsReturning;
  }
  /** What is text (quotes, comments) in a `text()` fragment, so a `?` there is no placeholder. */
  readonly textSyntax: TextSyntax = STANDARD_SYNTAX;

  abstract quote(identifier: string): string;
  /** The placeholder for the n-th parameter (1-based). */
  abstract placeholder(n: number): string;
  /** SQL type name for a column in CREATE TABLE. */
  abstract columnType(column: Column): string;

  /** Converts a JS value to what the driver expects for this SQL type. */
  bindValue(value: unknown, _type: SqlType<unknown> | null): unknown {
    return value;
  }

  /** bindValue after a TypeDecorator's toDriver: what every bound value goes through. */
  bindTyped(value: unknown, type: SqlType<unknown> | null): unknown {
    const [stored, storedAs] = toStored(value, type);
    return stored === null || stored === undefined ? null : this.bindValue(stored, storedAs);
  }

  /** bindValue for a value written to `column`: a value the dialect refuses names the column. */
  protected bindColumnValue(value: unknown, column: Column): unknown {
    try {
      return this.bindTyped(value, column.type);
    } catch (err) {
      throw namingColumn(err, column);
    }
  }

  /** INSERT texts by table, columns, row count and RETURNING (see compileInsert): one per table and batch size in a typical application. */
  private readonly insertTexts = new BoundedMap<string, string>(200);

  compile(stmt: Statement): CompiledStatement {
    if (stmt.kind === 'insert' && stmt.columns.length > 0 && !stmt.onConflict) return this.compileInsert(stmt);
    const ctx = new CompileContext();
    const sql = this.statement(stmt, ctx);
    return { sql, params: ctx.params };
  }

  /**
   * An INSERT's text depends only on its table, columns, row count and RETURNING, and a flush of
   * 10,000 rows compiles 30,000 placeholders (about 2.4 ms): keep the text, bind only the values.
   */
  private compileInsert(s: Insert): CompiledStatement {
    const cols = s.columns;
    const width = cols.length;
    let key = `${schemaId(s.table)}:${s.rows.length}:`;
    for (const c of cols) key += `${schemaId(c)},`;
    key += '|';
    for (const c of s.returning) key += `${schemaId(c)},`;
    let sql = this.insertTexts.get(key);
    if (sql === undefined) {
      sql = this.statement(s, new CompileContext());
      this.insertTexts.set(key, sql);
    }
    const params = new Array<unknown>(s.rows.length * width);
    let k = 0;
    for (const row of s.rows) {
      for (let i = 0; i < width; i++) {
        const v = row[i];
        params[k++] = v === null ? null : this.bindColumnValue(v, cols[i]!);
      }
    }
    return { sql, params };
  }

  /**
   * Compiles `stmt` for reuse by every statement of its shape: `shape` is its walk (ShapeKey), whose
   * bound values each parameter is mapped back to. Null when that mapping is ambiguous (one bound
   * node used at two places of the statement), so the statement must be compiled every time.
   */
  compileShape(stmt: Select | CompoundSelect | Update | Delete, shape: BindSources): ShapedSql | null {
    const ctx = new CompileContext(true);
    const sql = this.statement(stmt, ctx);
    // A parameter that came from no node (a raw value) cannot be taken from another statement.
    if (ctx.sources!.nodes.includes(null!)) return null;
    const position = new Map<BindParameter | TextClause, number>();
    for (let j = 0; j < shape.nodes.length; j++) {
      const node = shape.nodes[j]!;
      if (shape.indexes[j]! > 0) continue; // a text clause's later parameters follow its first
      if (position.has(node)) return null;
      position.set(node, j);
    }
    const { nodes, indexes } = ctx.sources!;
    const slots = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const first = position.get(nodes[i]!);
      slots[i] = first === undefined ? -1 : first + Math.max(0, indexes[i]!);
    }
    return new ShapedSql(sql, slots, ctx.params, this);
  }

  /** A `text(sql, params)` as a statement of its own (a migration's `execute`): `?` become the dialect's placeholders. */
  compileText(clause: TextClause): CompiledStatement {
    const ctx = new CompileContext();
    return { sql: this.textClause(clause, ctx), params: ctx.params };
  }

  /**
   * Whether ALTER TABLE can add a foreign key to an existing table, so a cycle's keys are added after
   * the tables; SQLite cannot, and keeps them in CREATE TABLE (it checks them when rows are written).
   */
  readonly alterAddsForeignKeys: boolean = true;

  /**
   * DDL for one table: CREATE TABLE, its CREATE INDEX statements, then any comment statements.
   * `addedAfter` names foreign keys left out, which `addForeignKey` adds once every table exists.
   */
  createTable(table: Table, ifNotExists = false, addedAfter: readonly ForeignKeyConstraint[] = []): string[] {
    return this.tableDDL(table, ifNotExists, [], addedAfter);
  }

  /**
   * CREATE TABLE, its indexes and comments, without the types it needs (PostgreSQL's enums, see
   * createTypes). `extraClauses` go into the table's parentheses (a rebuild's composite UNIQUEs).
   */
  tableDDL(
    table: Table,
    ifNotExists = false,
    extraClauses: readonly string[] = [],
    addedAfter: readonly ForeignKeyConstraint[] = [],
  ): string[] {
    let create = this.statement(new CreateTable(table, ifNotExists, addedAfter), new CompileContext());
    if (extraClauses.length) {
      const end = create.lastIndexOf('\n)');
      create = `${create.slice(0, end)},\n  ${extraClauses.join(',\n  ')}${create.slice(end)}`;
    }
    return [create, ...this.createIndexes(table, ifNotExists), ...this.commentStatements(table)];
  }

  /** The types a table's columns need created before it, by name (PostgreSQL's enums); none by default. */
  createTypes(_table: Table): { readonly name: string; readonly sql: string; readonly values: readonly string[] }[] {
    return [];
  }

  /** Statements setting the table's and columns' comments; none by default (SQLite has no comments, MySQL writes them inline). */
  protected commentStatements(_table: Table): string[] {
    return [];
  }

  /** A table's name in SQL: `"app"."acct"` when it has a schema (MySQL: a database; SQLite: an attached database). */
  tableName(t: TableRef): string {
    return t.schema === undefined ? this.quote(t.name) : `${this.quote(t.schema)}.${this.quote(t.name)}`;
  }

  /** A string literal in DDL (comments), where no parameter can be bound. */
  protected stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  protected statement(stmt: Statement, ctx: CompileContext): string {
    switch (stmt.kind) {
      case 'select':
        return this.withClause(ctx, () => this.select(stmt, ctx));
      case 'compound':
        return this.withClause(ctx, () => this.compoundSelect(stmt, ctx));
      case 'insert':
        return this.insert(stmt, ctx);
      case 'update':
        return this.update(stmt, ctx);
      case 'delete':
        return this.delete(stmt, ctx);
      case 'create-table':
        return this.createTableSql(stmt);
      case 'drop-table':
        return this.dropTable(stmt);
    }
  }

  protected param(
    ctx: CompileContext,
    value: unknown,
    type: SqlType<unknown> | null,
    source: BindParameter | TextClause | null = null,
    index = -1,
  ): string {
    try {
      ctx.params.push(value === null ? null : this.bindTyped(value, type));
    } catch (err) {
      throw naming(err, source instanceof BindParameter ? source.where : undefined);
    }
    if (ctx.sources) {
      ctx.sources.nodes.push(source!);
      ctx.sources.indexes.push(index);
    }
    return this.placeholder(ctx.params.length);
  }

  /** A placeholder for a value written to `column` (INSERT and UPDATE). */
  protected columnParam(ctx: CompileContext, value: unknown, column: Column): string {
    try {
      return this.param(ctx, value, column.type);
    } catch (err) {
      throw namingColumn(err, column);
    }
  }

  // ---- SELECT ----

  protected select(stmt: Select, ctx: CompileContext): string {
    const s = stmt.state;
    if (s.columns.length === 0) throw new CompileError('SELECT has no columns');
    let sql = s.distinct ? 'SELECT DISTINCT ' : 'SELECT ';
    sql += s.columns.map((c) => this.selectColumn(c, ctx)).join(', ');
    if (s.from.length > 0) sql += ' FROM ' + s.from.map((f) => this.from(f, ctx)).join(', ');
    if (s.where) sql += ' WHERE ' + this.expr(s.where, ctx);
    if (s.groupBy.length) sql += ' GROUP BY ' + s.groupBy.map((g) => this.expr(g, ctx)).join(', ');
    if (s.having) sql += ' HAVING ' + this.expr(s.having, ctx);
    if (s.orderBy.length) sql += ' ORDER BY ' + s.orderBy.map((o) => this.orderBy(o, ctx)).join(', ');
    sql += this.limitOffset(s.limit, s.offset);
    if (s.locking) sql += this.lockingClause(s.locking);
    return sql;
  }

  protected selectColumn(c: ColumnElement, ctx: CompileContext): string {
    if (c instanceof Label) return `${this.expr(c.element, ctx)} AS ${this.quote(c.name)}`;
    return this.expr(c, ctx);
  }

  protected orderBy(o: OrderByElement, ctx: CompileContext): string {
    const e = o.element instanceof Label ? this.quote(o.element.name) : this.expr(o.element, ctx);
    return o.direction === 'DESC' ? `${e} DESC` : e;
  }

  protected limitOffset(limit: number | null, offset: number | null): string {
    let sql = '';
    // Validated non-negative integers, so rendering them inline is safe and keeps statements cacheable per page size.
    if (limit !== null) sql += ` LIMIT ${limit}`;
    if (offset !== null && offset > 0) sql += ` OFFSET ${offset}`;
    return sql;
  }

  protected from(f: FromClause, ctx: CompileContext): string {
    if (f instanceof Join) {
      // A join on the right (a joined-inheritance subclass's tables, eagerly loaded) is parenthesized.
      const right = f.right instanceof Join ? `(${this.from(f.right, ctx)})` : this.from(f.right, ctx);
      return `${this.from(f.left, ctx)} ${f.outer ? 'LEFT OUTER JOIN' : 'JOIN'} ${right} ON ${this.expr(f.on, ctx)}`;
    }
    if (f instanceof TableAlias) return `${this.tableName(f.table)} AS ${this.quote(f.name)}`;
    if (f instanceof SubqueryAlias) {
      const lateral = f.lateral ? this.lateralKeyword(f) : '';
      return `${lateral}(${this.select(f.select, ctx)}) AS ${this.quote(f.name)}`;
    }
    if (f instanceof Cte) {
      // Only a SELECT (or compound) gets a WITH clause; an UPDATE or DELETE here has none to define it.
      if (!ctx.ctes)
        throw new CompileError(
          `CTE '${f.name}' is used in a statement that is not a SELECT; only a select can have a WITH clause`,
        );
      ctx.ctes.add(f);
      return this.quote(f.name);
    }
    return this.tableName(f);
  }

  // ---- WITH, set operations, LATERAL (cte.ts, compound.ts) ----

  /** A statement with the WITH clause of the CTEs it uses, wherever in it they are (see cte.ts). */
  protected withClause(ctx: CompileContext, body: () => string): string {
    const mark = ctx.params.length;
    const collecting = (into: CteCollector, render: () => string): string => {
      const outer = ctx.ctes;
      ctx.ctes = into;
      try {
        return render();
      } finally {
        ctx.ctes = outer;
      }
    };
    const cteBody = (cte: Cte, c: CompileContext) =>
      cte.body instanceof Select ? this.select(cte.body, c) : this.compoundSelect(cte.body, c);
    return renderWith({
      body: (into) => collecting(into, body),
      define: (cte, into) => collecting(into, () => cteBody(cte, ctx)),
      probe: (cte, into) => {
        const scratch = new CompileContext();
        scratch.ctes = into;
        cteBody(cte, scratch);
      },
      quote: (name) => this.quote(name),
      rewind: () => {
        ctx.params.length = mark;
        if (ctx.sources) {
          ctx.sources.nodes.length = mark;
          ctx.sources.indexes.length = mark;
        }
      },
    });
  }

  protected compoundSelect(s: CompoundSelect, ctx: CompileContext): string {
    return renderCompound(s, {
      member: (m) => this.select(m, ctx),
      compound: (m) => this.compoundSelect(m, ctx),
      quote: (name) => this.quote(name),
      limitOffset: (limit, offset) => this.limitOffset(limit, offset),
      operator: (op) => this.setOperator(op),
      grouped: (sql) => this.groupedCompoundMember(sql),
    });
  }

  /** A set operator as this database writes it; a dialect without one refuses it. */
  protected setOperator(op: SetOperator): string {
    return op;
  }

  /** A compound's member that has its own ORDER BY/LIMIT, or is itself a compound. */
  protected groupedCompoundMember(sql: string): string {
    return `(${sql})`;
  }

  /** `LATERAL ` before a subquery; dialects without LATERAL refuse it, naming the subquery. */
  protected lateralKeyword(_subquery: SubqueryAlias): string {
    return 'LATERAL ';
  }

  // ---- expressions ----

  protected expr(e: ColumnElement, ctx: CompileContext): string {
    if (e instanceof ColumnRef) return this.columnRef(e);
    if (e instanceof BindParameter) return this.param(ctx, e.value, e.type, e);
    if (e instanceof BinaryExpression) return this.binary(e, ctx);
    if (e instanceof BooleanClauseList) {
      return '(' + e.clauses.map((c) => this.expr(c, ctx)).join(` ${e.operator} `) + ')';
    }
    if (e instanceof UnaryExpression) {
      const inner = this.expr(e.operand, ctx);
      return e.position === 'prefix' ? `${e.operator} (${inner})` : `${inner} ${e.operator}`;
    }
    if (e instanceof InExpression) return this.inExpr(e, ctx);
    if (e instanceof TupleInExpression) return this.tupleIn(e, ctx);
    if (e instanceof BetweenExpression) {
      return `${this.expr(e.element, ctx)} BETWEEN ${this.expr(e.low, ctx)} AND ${this.expr(e.high, ctx)}`;
    }
    if (e instanceof FunctionCall) {
      const args = e.args.map((a) => (a.kind === 'star' ? '*' : this.expr(a, ctx))).join(', ');
      return `${e.name.toLowerCase()}(${e.distinct ? 'DISTINCT ' : ''}${args})`;
    }
    if (e instanceof Label) return this.quote(e.name);
    if (e instanceof Over) return this.over(e, ctx);
    if (e instanceof ExistsExpression) return `EXISTS (${this.select(e.select, ctx)})`;
    if (e instanceof ScalarSubquery) return `(${this.select(e.select, ctx)})`;
    if (e instanceof Concat) return this.concat(e, ctx);
    if (e instanceof LazyElement) return this.expr(e.element, ctx);
    if (e instanceof ExcludedColumn) return this.excludedColumn(e);
    if (e instanceof TextClause) return this.textClause(e, ctx);
    if (e.kind === 'star') return '*';
    throw new CompileError(`cannot compile expression of kind '${e.kind}'`);
  }

  /** `fn(...) OVER (...)`: the same on the three databases (see window.ts). */
  protected over(e: Over, ctx: CompileContext): string {
    const w = e.window;
    const inner = windowSql(
      w,
      w.partitionBy.map((p) => this.expr(p, ctx)),
      w.orderBy.map((o) => this.orderBy(o, ctx)),
    );
    return `${this.expr(e.fn, ctx)} OVER (${inner})`;
  }

  /** `(a || b)`: SQLite and PostgreSQL; MySQL overrides (its `||` is OR). */
  protected concat(e: Concat<unknown>, ctx: CompileContext): string {
    return `(${e.parts.map((p) => this.expr(p, ctx)).join(' || ')})`;
  }

  protected columnRef(e: ColumnRef): string {
    const from = e.from.kind === 'join' ? memberOf(e.from, e.column) : e.from;
    if (!from) throw new CompileError(`column ${e.describe()} refers to a join without its table`);
    return `${this.quote(from.name)}.${this.quote(e.column.name)}`;
  }

  protected binary(e: BinaryExpression, ctx: CompileContext): string {
    if (e.operator === 'ILIKE') return this.ilike(e, ctx);
    return `${this.expr(e.left, ctx)} ${e.operator} ${this.expr(e.right, ctx)}`;
  }

  /** Portable case-insensitive LIKE; PostgreSQL overrides with ILIKE. */
  protected ilike(e: BinaryExpression, ctx: CompileContext): string {
    return `lower(${this.expr(e.left, ctx)}) LIKE lower(${this.expr(e.right, ctx)})`;
  }

  protected inExpr(e: InExpression, ctx: CompileContext): string {
    const op = e.negated ? 'NOT IN' : 'IN';
    if (e.values instanceof Select) return `${this.expr(e.element, ctx)} ${op} (${this.select(e.values, ctx)})`;
    // IN () is invalid SQL; an empty list matches nothing (NOT IN matches everything).
    if (e.values.length === 0) return e.negated ? '1 = 1' : '1 <> 1';
    // Splitting the list would change what NOT IN, or an IN inside OR or under LIMIT, means: refuse it.
    if (e.values.length > this.parameterLimit) {
      throw tooManyParameters(
        this,
        e.values.length,
        `${e.element.describe()}.${e.negated ? 'notIn' : 'in'}() of ${e.values.length.toLocaleString('en-US')} values`,
      );
    }
    return `${this.expr(e.element, ctx)} ${op} (${e.values.map((v) => this.expr(v, ctx)).join(', ')})`;
  }

  protected tupleIn(e: TupleInExpression, ctx: CompileContext): string {
    if (e.rows.length === 0) return '1 <> 1';
    const count = e.rows.length * e.elements.length;
    if (count > this.parameterLimit)
      throw tooManyParameters(
        this,
        count,
        `(${e.elements.map((x) => x.describe()).join(', ')}) IN of ${e.rows.length.toLocaleString('en-US')} rows`,
      );
    const left = '(' + e.elements.map((x) => this.expr(x, ctx)).join(', ') + ')';
    const rows = e.rows.map((r) => '(' + r.map((x) => this.expr(x, ctx)).join(', ') + ')');
    return `${left} IN (${this.tupleInRows(rows)})`;
  }

  protected tupleInRows(rows: string[]): string {
    return rows.join(', ');
  }

  /** Each `?` outside quotes and comments (see placeholders.ts) becomes the next parameter. */
  protected textClause(e: TextClause, ctx: CompileContext): string {
    const { placeholders: at, foreign } = scanText(e.text, this.textSyntax);
    if (foreign !== null) {
      throw new ArgumentError(
        `text(${describe(e.text)}): ${foreign} is a placeholder the driver would bind by its own number or name, ` +
          `not to this fragment's values; write ? and pass the value in text()'s params`,
      );
    }
    if (at.length !== e.params.length) {
      throw new ArgumentError(
        `text(${describe(e.text)}): found ${at.length} placeholder${at.length === 1 ? '' : 's'} (?) outside quotes and comments, ` +
          `but ${e.params.length} value${e.params.length === 1 ? ' was' : 's were'} given; pass one value per ?`,
      );
    }
    let sql = '';
    let from = 0;
    at.forEach((offset, index) => {
      sql += e.text.slice(from, offset) + this.param(ctx, e.params[index], null, e, index);
      from = offset + 1;
    });
    return sql + e.text.slice(from);
  }

  // ---- DML ----

  protected insert(s: Insert, ctx: CompileContext): string {
    const cols = s.columns.map((c) => this.quote(c.name)).join(', ');
    let sql = `INSERT INTO ${this.tableName(s.table)} `;
    if (s.columns.length === 0) {
      sql += this.insertDefaultValues(s.rows.length);
    } else {
      const rows = s.rows.map(
        (row) => '(' + row.map((v, i) => this.columnParam(ctx, v, s.columns[i]!)).join(', ') + ')',
      );
      sql += `(${cols}) VALUES ${rows.join(', ')}`;
    }
    if (s.onConflict) sql += this.onConflictClause(s, this.clauseRenderer(ctx));
    return sql + this.returningClause('INSERT', s.returning);
  }

  /** `RETURNING a, b` for `kind`, refused where the database has none. */
  protected returningClause(kind: 'INSERT' | 'UPDATE' | 'DELETE', cols: readonly Column[]): string {
    if (cols.length === 0) return '';
    const has =
      kind === 'INSERT'
        ? this.supportsReturning
        : kind === 'UPDATE'
          ? this.supportsUpdateReturning
          : this.supportsDeleteReturning;
    if (!has)
      throw new CompileError(`${this.noReturning(kind)}; run a SELECT of the rows in the same transaction instead`);
    return ' RETURNING ' + cols.map((c) => this.quote(c.name)).join(', ');
  }

  /** Why `kind … RETURNING` cannot run here (the dialect names its server). */
  protected noReturning(kind: string): string {
    return `${this.dialectName} has no ${kind} … RETURNING`;
  }

  /** ON CONFLICT …: PostgreSQL and SQLite; MySQL overrides with ON DUPLICATE KEY UPDATE. */
  protected onConflictClause(s: Insert, r: ClauseRenderer): string {
    return renderOnConflict(s.onConflict!, r);
  }

  /** `EXCLUDED.col`; MySQL overrides with `VALUES(col)`. */
  protected excludedColumn(e: ExcludedColumn): string {
    return `EXCLUDED.${this.quote(e.column.name)}`;
  }

  /** FOR UPDATE and its options (PostgreSQL's spelling); MySQL and SQLite override. */
  protected lockingClause(lock: LockingClause): string {
    return renderPostgresLock(lock, (n) => this.quote(n));
  }

  /** What the upsert renderers need of this compiler, for one statement. */
  protected clauseRenderer(ctx: CompileContext): ClauseRenderer {
    return {
      dialectName: this.dialectName,
      quote: (n) => this.quote(n),
      value: (v, col) => (v instanceof ColumnElement ? this.expr(v, ctx) : this.columnParam(ctx, v, col)),
      expr: (e) => this.expr(e, ctx),
    };
  }

  protected insertDefaultValues(rows: number): string {
    if (rows !== 1) throw new CompileError('INSERT of several rows with no column values');
    return 'DEFAULT VALUES';
  }

  protected update(s: Update, ctx: CompileContext): string {
    const sets: string[] = [];
    for (const [col, v] of s.values) {
      const value = v instanceof ColumnElement ? this.expr(v, ctx) : this.columnParam(ctx, v, col);
      sets.push(`${this.quote(col.name)} = ${value}`);
    }
    let sql = `UPDATE ${this.tableName(s.table)} SET ${sets.join(', ')}`;
    if (s.where) sql += ' WHERE ' + this.expr(s.where, ctx);
    return sql + this.returningClause('UPDATE', s.returning);
  }

  protected delete(s: Delete, ctx: CompileContext): string {
    let sql = `DELETE FROM ${this.tableName(s.table)}`;
    if (s.where) sql += ' WHERE ' + this.expr(s.where, ctx);
    return sql + this.returningClause('DELETE', s.returning);
  }

  // ---- DDL ----

  protected createTableSql(s: CreateTable): string {
    const t = s.table;
    const parts = t.columns.map((c) => this.columnDDL(c));
    const inlinePk = t.primaryKey.length === 1 && this.inlinePrimaryKey(t.primaryKey[0]!);
    if (t.primaryKey.length && !inlinePk) parts.push(this.primaryKeyClause(t));
    for (const u of t.uniqueConstraints) {
      parts.push(`CONSTRAINT ${this.quote(u.name)} UNIQUE (${u.columnNames.map((n) => this.quote(n)).join(', ')})`);
    }
    for (const k of t.checks)
      parts.push(`CONSTRAINT ${this.quote(k.name)} CHECK (${k.sqlFor((id) => this.quote(id))})`);
    for (const fk of t.foreignKeyConstraints) if (!s.addedAfter.includes(fk)) parts.push(this.foreignKeyClause(fk));
    const head = s.ifNotExists ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE TABLE';
    return `${head} ${this.tableName(t)} (\n  ${parts.join(',\n  ')}\n)${this.tableOptions(t)}`;
  }

  /** `CONSTRAINT name FOREIGN KEY (a, b) REFERENCES t (x, y) ON DELETE …`. */
  protected foreignKeyClause(fk: ForeignKeyConstraint): string {
    const cols = (list: readonly Column[]) => list.map((c) => this.quote(c.name)).join(', ');
    const target = fk.referredColumns;
    let clause = `CONSTRAINT ${this.quote(fk.name)} FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${this.tableName(target[0]!.table)} (${cols(target)})`;
    if (fk.options.onDelete) clause += ` ON DELETE ${fk.options.onDelete}`;
    if (fk.options.onUpdate) clause += ` ON UPDATE ${fk.options.onUpdate}`;
    return clause;
  }

  /** Whether the single primary key column carries PRIMARY KEY inline (needed for autoincrement syntax). */
  protected inlinePrimaryKey(_column: Column): boolean {
    return false;
  }

  /** The table-level PRIMARY KEY clause; PostgreSQL names it so errors report `pk_<table>` as SQLite's do. */
  protected primaryKeyClause(t: Table): string {
    const named = t.primaryKeyConstraint?.options.name;
    const head = named ? `CONSTRAINT ${this.quote(named)} ` : '';
    return `${head}PRIMARY KEY (${t.primaryKey.map((c) => this.quote(c.name)).join(', ')})`;
  }

  protected columnDDL(c: Column): string {
    let sql = `${this.quote(c.name)} ${this.columnType(c)}`;
    if (!c.nullable) sql += ' NOT NULL';
    if (c.serverDefault !== undefined) sql += ` DEFAULT ${c.serverDefault}`;
    return sql;
  }

  protected tableOptions(_table: Table): string {
    return '';
  }

  /** CREATE INDEX statements; with `ifNotExists` they may be re-run (MySQL, which lacks IF NOT EXISTS here, overrides). */
  protected createIndexes(t: Table, ifNotExists = false): string[] {
    return t.indexes.map((ix) => {
      let sql = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists ? 'IF NOT EXISTS ' : ''}${this.quote(ix.name)} ON ${this.tableName(t)} (${this.indexElements(ix)})`;
      if (ix.where !== undefined) sql += ` WHERE ${this.partialIndexWhere(ix)}`;
      return sql;
    });
  }

  /** The parenthesised list of an index: quoted columns, and expressions in their own parentheses. */
  protected indexElements(ix: Index): string {
    return ix.elements.map((e) => (e instanceof TextClause ? `(${e.text})` : this.quote(e.name))).join(', ');
  }

  /** A partial index's condition; dialects without partial indexes refuse it. */
  protected partialIndexWhere(ix: Index): string {
    return ix.where!;
  }

  /** DDL dropping the types `tables` created beside them (PostgreSQL's enums), run after the tables are dropped. */
  dropTypes(_tables: readonly Table[]): string[] {
    return [];
  }

  protected dropTable(s: DropTable): string {
    return `DROP TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${this.tableName(s.table)}`;
  }

  // ---- ALTER (migration operations) ----

  /** ADD COLUMN for a column bound to its table, with its constraints, indexes and comment. */
  addColumn(column: Column): string[] {
    const t = column.table;
    const out = [`ALTER TABLE ${this.tableName(t)} ADD COLUMN ${this.columnDDL(column)}`];
    if (column.unique) out.push(this.addUnique(t, `uq_${t.name}_${column.name}`, [column.name]));
    for (const fk of t.foreignKeyConstraints) out.push(this.addForeignKey(fk));
    out.push(...this.createIndexes(t), ...this.commentStatements(t));
    return out;
  }

  dropColumn(table: TableRef, column: string): string[] {
    return [`ALTER TABLE ${this.tableName(table)} DROP COLUMN ${this.quote(column)}`];
  }

  renameColumn(table: TableRef, from: string, to: string): string[] {
    return [`ALTER TABLE ${this.tableName(table)} RENAME COLUMN ${this.quote(from)} TO ${this.quote(to)}`];
  }

  /** Renames a table within its schema. */
  renameTable(table: TableRef, to: string): string[] {
    return [`ALTER TABLE ${this.tableName(table)} RENAME TO ${this.quote(to)}`];
  }

  /** The statements changing one column in place; dialects that cannot (SQLite) rebuild the table instead. */
  alterColumn(_alteration: ColumnAlteration): string[] {
    throw new CompileError(`${this.dialectName} cannot alter a column in place`);
  }

  /** CREATE INDEX for an index bound to its table. */
  createIndex(ix: Index): string {
    let sql = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(ix.name)} ON ${this.tableName(ix.table)} (${this.indexElements(ix)})`;
    if (ix.where !== undefined) sql += ` WHERE ${this.partialIndexWhere(ix)}`;
    return sql;
  }

  /** DROP INDEX; the index lives in its table's schema. */
  dropIndex(name: string, table: TableRef): string {
    return `DROP INDEX ${this.tableName({ name, schema: table.schema })}`;
  }

  addUnique(table: TableRef, name: string, columns: readonly string[]): string {
    return `ALTER TABLE ${this.tableName(table)} ADD ${this.uniqueClause(name, columns)}`;
  }

  /** A table-level UNIQUE clause, named unless `name` is null. */
  uniqueClause(name: string | null, columns: readonly string[]): string {
    const head = name === null ? '' : `CONSTRAINT ${this.quote(name)} `;
    return `${head}UNIQUE (${columns.map((c) => this.quote(c)).join(', ')})`;
  }

  addForeignKey(fk: ForeignKeyConstraint): string {
    return `ALTER TABLE ${this.tableName(fk.table)} ADD ${this.foreignKeyClause(fk)}`;
  }

  addCheck(table: TableRef, name: string, sql: string): string {
    return `ALTER TABLE ${this.tableName(table)} ADD CONSTRAINT ${this.quote(name)} CHECK (${sql})`;
  }

  /** ADD PRIMARY KEY for a table whose `primaryKey` is set (named by its PrimaryKeyConstraint). */
  addPrimaryKey(table: Table): string {
    return `ALTER TABLE ${this.tableName(table)} ADD ${this.primaryKeyClause(table)}`;
  }

  dropConstraint(table: TableRef, name: string, _kind: 'foreignKey' | 'unique' | 'check' | 'primaryKey'): string {
    return `ALTER TABLE ${this.tableName(table)} DROP CONSTRAINT ${this.quote(name)}`;
  }

  /** Sets or drops (null) a table's comment; none where the database keeps no comments. */
  setTableComment(_table: TableRef, _comment: string | null): string[] {
    return [];
  }
}

/** A table by name, as ALTER statements name it (no columns needed). */
export interface TableRef {
  readonly name: string;
  readonly schema?: string | undefined;
}

/**
 * One column's change (see SqlCompiler.alterColumn): `column` is the column as it will be, bound to a
 * one-column Table of the altered table's name; the flags say which properties change.
 */
export interface ColumnAlteration {
  /** The column's current name. */
  readonly name: string;
  /** The column as it will be (its new name, type, nullability, default and comment). */
  readonly column: Column;
  readonly type: boolean;
  readonly nullable: boolean;
  readonly serverDefault: boolean;
  readonly comment: boolean;
  /** SQL converting the old values (PostgreSQL's USING). */
  readonly using?: string | undefined;
}

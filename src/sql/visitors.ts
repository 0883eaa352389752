/** Rewriting expressions: re-pointing column references from one FROM element to another (aliasing). */
import {
  BetweenExpression,
  BinaryExpression,
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
  UnaryExpression,
} from './expressions.js';
import { Concat } from './concat.js';
import { LazyElement } from './lazy-element.js';
import { fromElements, type FromClause, type Select } from './selectable.js';

/** Returns `expr` with every column of `from` replaced by the same column of `to`. */
export function adaptColumns<E extends ColumnElement>(expr: E, replace: (ref: ColumnRef) => ColumnElement | null): E {
  const visit = (e: ColumnElement): ColumnElement => {
    if (e instanceof ColumnRef) return replace(e) ?? e;
    if (e instanceof BinaryExpression) return new BinaryExpression(visit(e.left), e.operator, visit(e.right));
    if (e instanceof BooleanClauseList) return new BooleanClauseList(e.operator, e.clauses.map(visit));
    if (e instanceof UnaryExpression) return new UnaryExpression(e.operator, visit(e.operand), e.position);
    if (e instanceof InExpression) {
      return new InExpression(visit(e.element), Array.isArray(e.values) ? e.values.map(visit) : e.values, e.negated);
    }
    if (e instanceof BetweenExpression) return new BetweenExpression(visit(e.element), visit(e.low), visit(e.high));
    if (e instanceof FunctionCall) return new FunctionCall(e.name, e.args.map(visit), e.distinct, e.type);
    if (e instanceof Label) return new Label(visit(e.element), e.name);
    if (e instanceof Over) {
      const w = e.window;
      const orderBy = w.orderBy.map((o) => new OrderByElement(visit(o.element), o.direction));
      return new Over(visit(e.fn) as FunctionCall, { ...w, partitionBy: w.partitionBy.map(visit), orderBy });
    }
    if (e instanceof Concat) return new Concat(e.parts.map(visit));
    if (e instanceof LazyElement) return visit(e.element);
    // A correlated subquery (a column property's count) refers to the outer table inside it.
    if (e instanceof ScalarSubquery) return new ScalarSubquery(adaptSelect(e.select, replace));
    if (e instanceof ExistsExpression) return new ExistsExpression(adaptSelect(e.select, replace));
    return e;
  };
  return visit(expr) as E;
}

/**
 * A subquery's expressions with the outer references replaced: columns of its own FROM elements
 * are its own rows, never the outer query's, so they stay (a self-referential count keeps its table).
 */
function adaptSelect(s: Select, replace: (ref: ColumnRef) => ColumnElement | null): Select {
  const own = s.from.flatMap(fromElements);
  const outer = (ref: ColumnRef) => (own.includes(ref.from as never) ? null : replace(ref));
  const visit = <E extends ColumnElement>(e: E): E => adaptColumns(e, outer);
  const st = s.state;
  return s.replace({
    columns: st.columns.map(visit),
    where: st.where && visit(st.where),
    groupBy: st.groupBy.map(visit),
    having: st.having && visit(st.having),
    orderBy: st.orderBy.map((o) => new OrderByElement(visit(o.element), o.direction)),
  });
}

/** Re-points columns of the table (or alias) `from` to `to`. */
export function replaceFrom<E extends ColumnElement>(expr: E, from: FromClause, to: FromClause): E {
  if (from === to) return expr;
  return adaptColumns(expr, (ref) => {
    const sameTable =
      ref.from === from || (from.kind === 'table' && ref.column.table === from && ref.from.kind === 'table');
    return sameTable ? new ColumnRef(ref.column, to, ref.displayName) : null;
  });
}

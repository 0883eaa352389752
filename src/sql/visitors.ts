/** Rewriting expressions: re-pointing column references from one FROM element to another (aliasing). */
import {
  BetweenExpression,
  BinaryExpression,
  BooleanClauseList,
  ColumnElement,
  ColumnRef,
  FunctionCall,
  InExpression,
  Label,
  UnaryExpression,
} from './expressions.js';
import type { FromClause } from './selectable.js';

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
    return e;
  };
  return visit(expr) as E;
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

/**
 * How many bound parameters a statement may carry. Each database stops at its own number (SQLite's
 * SQLITE_MAX_VARIABLE_NUMBER, 65,535 in PostgreSQL's and MySQL's wire protocols), and past it fails in
 * its own way: "too many SQL variables", ER_PS_MANY_PARAM, or on PostgreSQL a count that wraps at
 * 65,536 and a protocol violation. Relata splits what it can split without changing the meaning
 * (multi-row INSERTs) and refuses the rest before sending it.
 */
import { ArgumentError } from './errors.js';
import { Insert } from './dml.js';
import type { SqlCompiler } from './compiler.js';

/**
 * Rows of `width` values per INSERT so a statement binds at most `maxParameters`: the one rule the
 * unit of work, association rows and bulk inserts all batch by. A row with no values is
 * `DEFAULT VALUES`, one row per statement.
 *
 * @example
 * rowsPerStatement(2, 65000) // 32500
 */
export function rowsPerStatement(width: number, maxParameters: number): number {
  return width === 0 ? 1 : Math.max(1, Math.floor(maxParameters / width));
}

/**
 * `stmt` as INSERTs each under the dialect's parameter limit, rows in order; `[stmt]` when it
 * already fits.
 */
export function splitInsert(stmt: Insert, compiler: SqlCompiler): Insert[] {
  const width = stmt.columns.length;
  if (stmt.rows.length * width <= compiler.parameterLimit) return [stmt];
  const per = rowsPerStatement(width, compiler.maxParameters);
  const out: Insert[] = [];
  for (let i = 0; i < stmt.rows.length; i += per) {
    out.push(new Insert(stmt.table, stmt.columns, stmt.rows.slice(i, i + per), stmt.returning, stmt.onConflict));
  }
  return out;
}

/** The error for a statement that binds `count` parameters, more than the dialect's limit. */
export function tooManyParameters(compiler: SqlCompiler, count: number, what = 'this statement'): ArgumentError {
  return new ArgumentError(
    `${what} binds ${count.toLocaleString('en-US')} parameters, more than ${dialectTitle(compiler)} accepts in one ` +
      `statement (${compiler.parameterLimit.toLocaleString('en-US')}); nothing was sent. Split the work: run the ` +
      `query once per chunk of values, put the values in a (temporary) table and join it, or let selectinload() ` +
      `batch the loading; multi-row INSERTs (db.insert(Model).values([...]), flushes) split themselves`,
  );
}

/** Checks a compiled statement's parameter count against the dialect's limit, before it is sent. */
export function checkParameterCount(compiler: SqlCompiler, params: readonly unknown[]): void {
  if (params.length > compiler.parameterLimit) throw tooManyParameters(compiler, params.length);
}

function dialectTitle(compiler: SqlCompiler): string {
  return (
    { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' }[compiler.dialectName] ?? compiler.dialectName
  );
}

/**
 * The column types every dialect has DDL for. A type outside this list (a custom SqlType subclass,
 * `Any`) has no column type to create, and guessing one (BLOB/BYTEA) reads values back as bytes:
 * so it is refused when the column is declared and when DDL is compiled.
 */
import { CompileError } from './errors.js';
import type { Column } from './schema.js';
import type { SqlType } from './types.js';

export const STORABLE_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Integer',
  'BigInteger',
  'Float',
  'Numeric',
  'String',
  'Text',
  'Boolean',
  'DateTime',
  'Date',
  'JSON',
  'Enum',
  'Uuid',
  'LargeBinary',
  'Array',
]);

/** Null when columns of `type` can be created, else why not. */
export function unstorableTypeProblem(type: SqlType<unknown>): string | null {
  if (STORABLE_TYPE_NAMES.has(type.typeName)) return null;
  return (
    `type ${type.typeName} has no column type in Relata's dialects ` +
    `(use one of ${[...STORABLE_TYPE_NAMES].join(', ')}, or a TypeDecorator over one)`
  );
}

/** The error SQLite's and MySQL's type compilers throw for an array column, naming it. */
export function noArrayTypeError(column: Column, dialectName: string): CompileError {
  const where = column.table ? `${column.table.name}.${column.name}` : column.name;
  return new CompileError(
    `column ${where}: ArrayOf() is PostgreSQL only; ${dialectName} has no array column ` +
      `(use JSONOf<T[]>() for a list every dialect stores)`,
  );
}

/** SQL string literal for DDL (an Enum's members), quotes doubled. MySQL also needs backslashes doubled. */
export function ddlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The error a dialect's type compiler throws for a type it has no DDL for, naming the column. */
export function noColumnTypeError(column: Column, dialectName: string): CompileError {
  const where = column.table ? `${column.table.name}.${column.name}` : column.name;
  return new CompileError(
    `column ${where}: ${dialectName} has no column type for ${column.type.typeName} ` +
      `(use one of ${[...STORABLE_TYPE_NAMES].join(', ')})`,
  );
}

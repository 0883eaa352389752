/**
 * Schema objects as the TypeScript source a migration file declares them with, importing only from
 * 'relata': `Column('email', String(120), { nullable: false })`, `ForeignKeyConstraint([...], [...])`.
 * Types are written as `relata pull` writes them (its typeSource), without the `db.` prefix.
 */
import type { CheckConstraint, ForeignKeyConstraint, UniqueConstraint } from '../../sql/constraints.js';
import { TextClause } from '../../sql/expressions.js';
import type { Column, Index, Table } from '../../sql/schema.js';
import type { SqlType } from '../../sql/types.js';
import { objectSource, typeSource } from '../pull/columns.js';
import { quote } from '../pull/plan.js';

/** The names a file imports from 'relata', collected while its source is written. */
export class Imports {
  private readonly names = new Set<string>(['defineMigration']);
  /** Records the names a `db.`-prefixed source uses and returns it without the prefix. */
  strip(source: string): string {
    for (const m of source.matchAll(/\bdb\.(\w+)/g)) this.names.add(m[1]!);
    return source.replace(/\bdb\./g, '');
  }
  add(name: string): string {
    this.names.add(name);
    return name;
  }
  /** The sorted names (types before values is not a concern: all are values). */
  list(): string[] {
    return [...this.names].sort((a, b) => a.localeCompare(b));
  }
}

export { quote };

/** `['a', 'b']`. */
export const strings = (items: readonly string[]): string => `[${items.map(quote).join(', ')}]`;

/** A type's source (`String(120)`), and a comment when the type stands in for one Relata lacks. */
export function typeCode(
  type: SqlType<unknown>,
  column: Column,
  imports: Imports,
): { code: string; note: string | null } {
  const t = typeSource(type, column.table, column);
  return { code: imports.strip(t.source), note: t.comment };
}

/** `Column('email', String(120), { nullable: false, ... })`: the column as a table's column, without keys or indexes. */
export function columnCode(column: Column, imports: Imports, inKey: boolean): { code: string; note: string | null } {
  const type = typeCode(column.type, column, imports);
  const options: [string, string][] = [];
  const single = column.table.primaryKey.length === 1;
  if (inKey) options.push(['primaryKey', 'true']);
  const integer = column.type.typeName === 'Integer' || column.type.typeName === 'BigInteger';
  if (inKey && single && integer && !column.autoincrement) options.push(['autoincrement', 'false']);
  if (!column.primaryKey && !column.nullable) options.push(['nullable', 'false']);
  if (column.serverDefault !== undefined) options.push(['serverDefault', quote(column.serverDefault)]);
  if (column.comment !== undefined) options.push(['comment', quote(column.comment)]);
  const args = [quote(column.name), type.code, ...(options.length ? [objectSource(options)] : [])];
  return { code: `${imports.add('Column')}(${args.join(', ')})`, note: type.note };
}

/** The table a foreign key refers to and its columns, by full name. */
export function referred(fk: ForeignKeyConstraint): { table: string; columns: string[] } {
  const cols = fk.elements.map((e) => e.column);
  return { table: cols[0]!.table.fullName, columns: cols.map((c) => c.name) };
}

/** `{ onDelete: 'CASCADE' }` for a foreign key's actions, or ''. */
export function fkActions(fk: ForeignKeyConstraint): string {
  const o = fk.options;
  return objectSource([
    ...(o.onDelete ? ([['onDelete', quote(o.onDelete)]] as [string, string][]) : []),
    ...(o.onUpdate ? ([['onUpdate', quote(o.onUpdate)]] as [string, string][]) : []),
  ]);
}

/** An index's elements: column names, and `text('...')` for expressions. */
export function indexElements(ix: Index, imports: Imports): string {
  const parts = ix.elements.map((e) =>
    e instanceof TextClause ? `${imports.add('text')}(${quote(e.text)})` : quote((e as Column).name),
  );
  return `[${parts.join(', ')}]`;
}

/** `{ unique: true, where: '...' }` of an index, or ''. */
export function indexOptions(ix: Index): string {
  return objectSource([
    ...(ix.unique ? ([['unique', 'true']] as [string, string][]) : []),
    ...(ix.where !== undefined ? ([['where', quote(ix.where)]] as [string, string][]) : []),
  ]);
}

const withName = (name: string) => `{ name: ${quote(name)} }`;

/**
 * `op.createTable(...)` arguments for a whole table: its columns, then its key (when composite or
 * named), foreign keys, UNIQUEs, CHECKs and indexes as table constraints, all named as the table names them.
 */
export function createTableArgs(
  table: Table,
  imports: Imports,
  addedAfter: readonly ForeignKeyConstraint[] = [],
): { args: string[]; notes: string[] } {
  const pk = table.primaryKey;
  const pkNamed = table.primaryKeyConstraint?.options.name !== undefined;
  const keyOnColumn = pk.length === 1 && !pkNamed;
  const notes: string[] = [];
  const args: string[] = [];
  for (const c of table.columns) {
    const col = columnCode(c, imports, keyOnColumn && pk[0] === c);
    if (col.note) notes.push(`${c.name}: ${col.note}`);
    args.push(col.code);
  }
  if (pk.length && !keyOnColumn) {
    const name = table.primaryKeyConstraint?.name ?? `pk_${table.name}`;
    args.push(`${imports.add('PrimaryKeyConstraint')}(${strings(pk.map((c) => c.name))}, ${withName(name)})`);
  }
  for (const fk of table.foreignKeyConstraints) {
    if (!addedAfter.includes(fk)) args.push(foreignKeyConstraintCode(fk, imports));
  }
  for (const u of table.uniqueConstraints) args.push(uniqueCode(u, imports));
  for (const ck of table.checks) args.push(checkCode(ck, imports));
  for (const ix of table.indexes) {
    const options = indexOptions(ix);
    args.push(
      `${imports.add('Index')}(${quote(ix.name)}, ${indexElements(ix, imports)}${options ? `, ${options}` : ''})`,
    );
  }
  if (table.comment !== undefined) args.push(`{ comment: ${quote(table.comment)} }`);
  return { args, notes };
}

function foreignKeyConstraintCode(fk: ForeignKeyConstraint, imports: Imports): string {
  const target = referred(fk);
  const targets = target.columns.map((c) => `${target.table}.${c}`);
  const actions = fkActions(fk);
  const options = actions ? `${actions.slice(0, -2)}, name: ${quote(fk.name)} }` : withName(fk.name);
  return `${imports.add('ForeignKeyConstraint')}(${strings(fk.columnNames)}, ${strings(targets)}, ${options})`;
}

function uniqueCode(u: UniqueConstraint, imports: Imports): string {
  return `${imports.add('UniqueConstraint')}(${strings(u.columnNames)}, ${withName(u.name)})`;
}

function checkCode(ck: CheckConstraint, imports: Imports): string {
  return `${imports.add('CheckConstraint')}(${quote(ck.sql)}, ${withName(ck.name)})`;
}

/**
 * Columns, types and table arguments of a pulled module as TypeScript source, written as a person
 * declares them (`db.Column('ArtistId', db.Integer, db.ForeignKey('Artist.ArtistId'), { nullable: false })`).
 */
import type { ForeignKeyConstraint } from '../../sql/constraints.js';
import { TextClause } from '../../sql/expressions.js';
import type { Column, Table } from '../../sql/schema.js';
import type { SqlType } from '../../sql/types.js';
import { UnknownSqlType } from '../../schema/introspect/index.js';
import { quote, type PlannedTable } from './plan.js';

/** A type as source, and a comment line when it stands in for a type Relata does not have. */
export interface TypeSource {
  readonly source: string;
  readonly comment: string | null;
}

const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;

/** `{ a: 1, b: 'x' }` from ordered entries; empty when there are none. */
export function objectSource(entries: readonly (readonly [string, string])[]): string {
  return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }` : '';
}

/**
 * The source of a reflected type. A type introspection could not map (an UnknownSqlType) gets the
 * closest Relata type that reads its values: Integer for the small integer types, BigInteger for
 * unsigned INT/BIGINT, LargeBinary for (VAR)BINARY, String(n) for fixed-length character types, Text
 * for anything else (money, time, inet, xml…, as the driver gives them), and a comment saying so,
 * since `createAll()` would create that type instead of the database's.
 */
export function typeSource(type: SqlType<unknown>, table: Table, column: Column): TypeSource {
  const t = type as SqlType<unknown> & {
    length?: number;
    precision?: number;
    scale?: number;
    values?: readonly string[];
    name?: string;
    item?: SqlType<unknown>;
  };
  switch (type.typeName) {
    case 'Integer':
    case 'BigInteger':
    case 'Float':
    case 'Text':
    case 'Boolean':
    case 'DateTime':
    case 'Date':
    case 'JSON':
    case 'Uuid':
    case 'LargeBinary':
      return { source: `db.${type.typeName}`, comment: null };
    case 'String':
      return { source: `db.String(${t.length ?? ''})`, comment: null };
    case 'Numeric': {
      const args = t.precision === undefined ? [] : t.scale ? [t.precision, t.scale] : [t.precision];
      return { source: `db.Numeric(${args.join(', ')})`, comment: null };
    }
    case 'Enum': {
      // A PostgreSQL enum type's name is kept even when it is Relata's default (<table>_<column>): the
      // column may be renamed later, the type keeps its name.
      const name = t.name !== undefined ? `, { name: ${quote(t.name)} }` : '';
      return { source: `db.Enum(${list(t.values ?? [])}${name})`, comment: null };
    }
    case 'Array': {
      const item = typeSource(t.item!, table, column);
      return { source: `db.ArrayOf(${item.source})`, comment: item.comment };
    }
    default:
      return unknownTypeSource(type instanceof UnknownSqlType ? type.sqlText : type.typeName);
  }
}

function unknownTypeSource(sqlText: string): TypeSource {
  const text = sqlText.trim().toLowerCase();
  const fixed = /^(?:n?char|character|nchar|bpchar|national char(?:acter)?)\s*\((\d+)\)$/.exec(text);
  let source = 'db.Text';
  // Unsigned INT and BIGINT go past Integer's range; the smaller integer types, signed or not, fit in it.
  if (/^(int|integer|bigint)\b.*\bunsigned\b/.test(text)) source = 'db.BigInteger';
  else if (/^(tiny|small|medium)int\b|^int[12]\b|^smallserial\b|^year\b/.test(text)) source = 'db.Integer';
  else if (/^(var)?binary\b/.test(text)) source = 'db.LargeBinary';
  else if (fixed) source = `db.String(${fixed[1]})`;
  const name = source.replace(/^db\.|\(.*$/g, '');
  return {
    source,
    comment: `'${sqlText.replace(/\s+/g, ' ')}' is not one of Relata's types: declared as ${name}, which reads its values; createAll() would create ${name} instead`,
  };
}

/** `db.ForeignKey('Artist.ArtistId', { name })` for a one-column foreign key. */
function foreignKeySource(fk: ForeignKeyConstraint): string {
  const target = fk.elements[0]!.column;
  const options = objectSource(fkOptions(fk, 'ondelete', 'onupdate'));
  return `db.ForeignKey(${quote(`${target.table.fullName}.${target.name}`)}${options ? `, ${options}` : ''})`;
}

/** A foreign key's name (unless it is Relata's default) and actions, with the option names given. */
function fkOptions(fk: ForeignKeyConstraint, onDelete: string, onUpdate: string): [string, string][] {
  const o = fk.options;
  const target = fk.elements[0]!.column.table;
  const defaultName = `fk_${fk.table.name}_${fk.columnNames.join('_')}_${target.name}`;
  return [
    ...(o.name !== undefined && o.name !== defaultName ? ([['name', quote(o.name)]] as [string, string][]) : []),
    ...(o.onDelete ? ([[onDelete, quote(o.onDelete)]] as [string, string][]) : []),
    ...(o.onUpdate ? ([[onUpdate, quote(o.onUpdate)]] as [string, string][]) : []),
  ];
}

/** A column of a type Relata keys no rows by: bytes, arrays. */
function isUnkeyable(column: Column): boolean {
  return column.type.typeName === 'LargeBinary' || column.type.typeName === 'Array';
}

/** Whether a foreign key's target was reflected (a `tables` subset can leave it out). */
export function isResolvable(fk: ForeignKeyConstraint, table: Table): boolean {
  return table.metadata?.tables.has(fk.elements[0]!.targetTableName) ?? false;
}

/** The index `index: true` on the column creates: it is written as that option. */
function isColumnIndex(table: Table, column: Column, ix: Table['indexes'][number]): boolean {
  const cols = ix.columns;
  return (
    !ix.unique &&
    ix.where === undefined &&
    cols?.length === 1 &&
    cols[0] === column &&
    ix.name === `ix_${table.name}_${column.name}`
  );
}

/** One-column foreign keys written on their column (the first per column; any other goes to tableArgs). */
export function columnForeignKeys(table: Table): Map<Column, ForeignKeyConstraint> {
  const out = new Map<Column, ForeignKeyConstraint>();
  for (const fk of table.foreignKeyConstraints) {
    const col = fk.columns[0]!;
    if (fk.columns.length === 1 && isResolvable(fk, table) && !out.has(col)) out.set(col, fk);
  }
  return out;
}

/**
 * A column declaration: comment lines, then `db.Column(...)`. `named` writes the database name first
 * (always in a `db.Table`; in a model when it differs from the attribute).
 */
export function columnSource(
  p: PlannedTable,
  column: Column,
  named: boolean,
  fk: ForeignKeyConstraint | undefined,
): { comments: string[]; source: string } {
  const table = p.table;
  const info = p.reflected.info.columns.find((c) => c.name === column.name);
  const type = typeSource(column.type, table, column);
  const pkLength = table.primaryKey.length;
  const integer = column.type.typeName === 'Integer' || column.type.typeName === 'BigInteger';
  const defaultAuto = column.primaryKey && pkLength === 1 && integer;
  const auto = info?.autoincrement ?? defaultAuto;
  const options: [string, string][] = [];
  const comments: string[] = [];
  // Bytes and arrays are no `primaryKey: true` (Relata refuses them as a model's key): the table's key
  // is then written as a PrimaryKeyConstraint (see tableArgSources).
  if (column.primaryKey && !isUnkeyable(column)) options.push(['primaryKey', 'true']);
  if (column.primaryKey && defaultAuto && !auto) options.push(['autoincrement', 'false']);
  if (column.primaryKey && !defaultAuto && auto) options.push(['autoincrement', 'true']);
  if (!column.primaryKey && !column.nullable) options.push(['nullable', 'false']);
  // Relata refuses unique or indexed bytes (MySQL cannot index a LONGBLOB): say so instead.
  const bytes = column.type.typeName === 'LargeBinary';
  const indexed = table.indexes.some((ix) => isColumnIndex(table, column, ix));
  if (bytes && (column.unique || indexed))
    comments.push(
      `'${column.name}' is ${column.unique ? 'unique' : 'indexed'} in the database; Relata declares no unique or indexed bytes`,
    );
  if (column.unique && !bytes) options.push(['unique', 'true']);
  if (indexed && !bytes) options.push(['index', 'true']);
  if (column.serverDefault !== undefined) options.push(['serverDefault', quote(column.serverDefault)]);
  if (column.comment !== undefined) options.push(['comment', quote(column.comment)]);
  const args = [
    ...(named ? [quote(column.name)] : []),
    type.source,
    ...(fk ? [foreignKeySource(fk)] : []),
    ...(options.length ? [objectSource(options)] : []),
  ];
  return { comments: [...(type.comment ? [type.comment] : []), ...comments], source: `db.Column(${args.join(', ')})` };
}

/**
 * The table arguments: a primary key constraint when the key has a name of its own or an order other
 * than the columns', foreign keys over several columns (and extra ones on a column), UNIQUE
 * constraints other than a column's own, CHECKs, indexes (expression parts as `db.text()`). Comments
 * for what cannot be declared: keys to tables not read, indexes whose expressions were not read.
 */
export function tableArgSources(
  p: PlannedTable,
  onColumns: ReadonlyMap<Column, ForeignKeyConstraint>,
): {
  comments: string[];
  sources: string[];
} {
  const { table, reflected } = p;
  const comments: string[] = [];
  const sources: string[] = [];
  const pk = table.primaryKey;
  const pkName = table.primaryKeyConstraint?.options.name;
  const inColumnOrder = table.columns.filter((c) => c.primaryKey).every((c, i) => pk[i] === c);
  if (pk.length && (pkName !== undefined || !inColumnOrder || pk.some(isUnkeyable))) {
    const options = pkName !== undefined ? `, { name: ${quote(pkName)} }` : '';
    sources.push(`db.PrimaryKeyConstraint(${list(pk.map((c) => c.name))}${options})`);
  }
  for (const fk of table.foreignKeyConstraints) {
    if (!isResolvable(fk, table)) {
      const target = fk.elements[0]!.targetTableName;
      comments.push(`foreign key (${fk.columnNames.join(', ')}) to '${target}' left out: that table was not read`);
      continue;
    }
    if (onColumns.get(fk.columns[0]!) === fk) continue;
    const targets = fk.elements.map((e) => `${e.column.table.fullName}.${e.column.name}`);
    const options = objectSource(fkOptions(fk, 'onDelete', 'onUpdate'));
    sources.push(`db.ForeignKeyConstraint(${list(fk.columnNames)}, ${list(targets)}${options ? `, ${options}` : ''})`);
  }
  table.checks.forEach((check, i) => {
    const name = check.options.name;
    const options = name !== undefined && name !== `ck_${table.name}_${i + 1}` ? `, { name: ${quote(name)} }` : '';
    sources.push(`db.CheckConstraint(${quote(check.sql)}${options})`);
  });
  for (const u of table.uniqueConstraints) {
    const [only] = u.columns;
    // A column's `unique: true` is written on the column.
    if (u.columnNames.length === 1 && only!.unique && u.options.name === undefined) continue;
    const name = u.options.name;
    const options =
      name !== undefined && name !== `uq_${table.name}_${u.columnNames.join('_')}` ? `, { name: ${quote(name)} }` : '';
    sources.push(`db.UniqueConstraint(${list(u.columnNames)}${options})`);
  }
  for (const ix of table.indexes) {
    const cols = ix.columns;
    if (cols && cols.length === 1 && isColumnIndex(table, cols[0]!, ix)) continue;
    const options = objectSource([
      ...(ix.unique ? ([['unique', 'true']] as [string, string][]) : []),
      ...(ix.where !== undefined ? ([['where', quote(ix.where)]] as [string, string][]) : []),
    ]);
    const elements = ix.elements.map((e) => (e instanceof TextClause ? `db.text(${quote(e.text)})` : quote(e.name)));
    sources.push(`db.Index(${quote(ix.name)}, [${elements.join(', ')}]${options ? `, ${options}` : ''})`);
  }
  // Older servers do not say what an expression part is: such an index cannot be declared.
  const declared = new Set(table.indexes.map((ix) => ix.name));
  for (const ix of reflected.info.indexes) {
    if (!declared.has(ix.name))
      comments.push(`index '${ix.name}' is on an expression the database does not show: declare it with db.Index()`);
  }
  return { comments, sources };
}

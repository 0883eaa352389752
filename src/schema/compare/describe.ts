/** One readable line per SchemaChange, for `db.checkSchema()`, `createAll()`'s warning and the CLI. */
import { TextClause } from '../../sql/expressions.js';
import type { Column, Index } from '../../sql/schema.js';
import { storedType } from '../../sql/type-decorator.js';
import type { ArrayType, EnumType, NumericType, SqlType, StringType } from '../../sql/types.js';
import { UnknownSqlType } from '../introspect/reflected.js';
import type { ColumnPropertyChange, SchemaChange } from './changes.js';

/** A type as a model declares it: `String(80)`, `Numeric(10, 2)`, `Enum('a', 'b')`, or the database's own text. */
export function typeLabel(type: SqlType<unknown>): string {
  const t = storedType(type);
  if (t instanceof UnknownSqlType) return t.sqlText;
  switch (t.typeName) {
    case 'String':
      return (t as StringType).length === undefined ? 'String' : `String(${(t as StringType).length})`;
    case 'Numeric': {
      const n = t as NumericType;
      return n.precision === undefined ? 'Numeric' : `Numeric(${n.precision}, ${n.scale ?? 0})`;
    }
    case 'Enum':
      return `Enum(${(t as EnumType).values.map((v) => `'${v}'`).join(', ')})`;
    case 'Array':
      return `ArrayOf(${typeLabel((t as ArrayType<unknown>).item)})`;
    default:
      return t.typeName;
  }
}

const list = (names: readonly string[]) => `(${names.join(', ')})`;

function columnLabel(c: Column): string {
  const parts = [typeLabel(c.type)];
  if (!c.nullable) parts.push('NOT NULL');
  if (c.serverDefault !== undefined) parts.push(`DEFAULT ${c.serverDefault}`);
  return parts.join(' ');
}

function indexLabel(ix: Index): string {
  const parts = ix.elements.map((e) => (e instanceof TextClause ? e.text : e.name));
  return `${ix.unique ? 'unique index' : 'index'} ${ix.name} ${list(parts)}${ix.where === undefined ? '' : ` WHERE ${ix.where}`}`;
}

function propertyChange(p: ColumnPropertyChange, model: Column, live: Column): string {
  switch (p) {
    case 'type':
      return `type ${typeLabel(live.type)} -> ${typeLabel(model.type)}`;
    case 'nullable':
      return model.nullable ? 'NOT NULL -> nullable' : 'nullable -> NOT NULL';
    case 'serverDefault':
      return `server default ${live.serverDefault ?? 'none'} -> ${model.serverDefault ?? 'none'}`;
    case 'comment':
      return `comment ${JSON.stringify(live.comment ?? null)} -> ${JSON.stringify(model.comment ?? null)}`;
  }
}

/**
 * The change as one line: what is added, dropped or altered, on which table, with the model's and
 * the database's side where both exist (`table 'post': alter column title: type String(80) -> String(200)`).
 * Destructive changes end with `(destructive)`.
 *
 * @example
 * ```ts
 * import { compareSchemas, describeSchemaChange } from 'relata';
 *
 * const changes = compareSchemas(db.registry.metadata, (await db.reflect()).metadata, { dialect: db.engine.dialect });
 * for (const change of changes) console.log(describeSchemaChange(change));
 * ```
 */
export function describeSchemaChange(change: SchemaChange): string {
  const head = `table '${change.table}': `;
  const tail = change.destructive ? ' (destructive)' : '';
  return `${change.kind === 'add-table' || change.kind === 'drop-table' ? '' : head}${body(change)}${tail}`;
}

function body(change: SchemaChange): string {
  switch (change.kind) {
    case 'add-table':
      return `add table '${change.table}' ${list(change.modelTable.columns.map((c) => c.name))}`;
    case 'drop-table':
      return `drop table '${change.table}', which the models do not have`;
    case 'add-column':
      return `add column ${change.modelColumn.name} ${columnLabel(change.modelColumn)}`;
    case 'drop-column':
      return `drop column ${change.liveColumn.name}, which the model does not have`;
    case 'alter-column':
      return `alter column ${change.column}: ${change.changes.map((p) => propertyChange(p, change.modelColumn, change.liveColumn)).join(', ')}`;
    case 'add-index':
      return `add ${indexLabel(change.modelIndex)}`;
    case 'drop-index':
      return `drop ${indexLabel(change.liveIndex)}`;
    case 'add-unique':
      return `add unique constraint ${change.modelUnique.name} ${list(change.modelUnique.columns)}`;
    case 'drop-unique':
      return `drop unique constraint ${change.liveUnique.name} ${list(change.liveUnique.columns)}`;
    case 'add-foreign-key':
    case 'drop-foreign-key': {
      const k = change.kind === 'add-foreign-key' ? change.modelForeignKey : change.liveForeignKey;
      const targets = k.elements.map((e) =>
        typeof e.target === 'string' ? e.target : `${e.column.table.fullName}.${e.column.name}`,
      );
      const actions = [
        k.options.onDelete && ` ON DELETE ${k.options.onDelete}`,
        k.options.onUpdate && ` ON UPDATE ${k.options.onUpdate}`,
      ].join('');
      let name: string;
      try {
        name = k.name;
      } catch {
        name = '(unnamed)'; // a reflected key to a table that was not reflected, without a name of its own
      }
      return `${change.kind === 'add-foreign-key' ? 'add' : 'drop'} foreign key ${name} ${list(k.columnNames)} -> ${targets.join(', ')}${actions}`;
    }
    case 'add-check':
      return `add check constraint ${change.modelCheck.name} (${change.modelCheck.sql})`;
    case 'drop-check':
      return `drop check constraint ${change.liveCheck.name} (${change.liveCheck.sql})`;
    case 'alter-primary-key':
      return `primary key ${list(change.liveColumns)} -> ${list(change.modelColumns)}`;
    case 'alter-table-comment':
      return `table comment ${JSON.stringify(change.liveComment ?? null)} -> ${JSON.stringify(change.modelComment ?? null)}`;
  }
}

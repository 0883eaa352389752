/**
 * `relata pull`: a models module written from a live database. The reflected tables become models
 * (one class per table with a primary key) and `db.Table`s (association tables, tables without a key),
 * with relationships inferred from the foreign keys (see pull/plan.ts), columns and table arguments
 * as a person writes them (pull/columns.ts). The text is plain TypeScript that compiles under
 * `strict`; run a formatter over it if the project has one.
 */
import { ArgumentError } from '../sql/errors.js';
import { checkOptions, isString, type OptionTable } from '../sql/options.js';
import type { Column } from '../sql/schema.js';
import type { ReflectedMetaData } from '../schema/introspect/index.js';
import { columnForeignKeys, columnSource, objectSource, tableArgSources } from './pull/columns.js';
import { needsTableName, planModule, quote, type PlannedTable } from './pull/plan.js';

/**
 * Options of {@link renderModelsModule}.
 *
 * @example
 * ```ts
 * import { Database, reflectMetaData, renderModelsModule, type RenderModelsOptions } from 'relata';
 * const db = new Database('sqlite://');
 * const options: RenderModelsOptions = { importFrom: 'relata', urlExpression: "process.env.APP_DB ?? 'sqlite://app.db'" };
 * const source = renderModelsModule(await reflectMetaData(db.engine), options);
 * ```
 */
export interface RenderModelsOptions {
  /** The module specifier the models import Relata from; default `'relata'`. */
  readonly importFrom?: string;
  /** The TypeScript expression of the Database's URL; default `process.env.DATABASE_URL`. */
  readonly urlExpression?: string;
  /** Text of the module's opening comment (what it was pulled from); a default one says how it was made. */
  readonly header?: string;
}

const renderOptionTable = {
  known: {
    importFrom: isString,
    urlExpression: isString,
    header: isString,
  },
  refused: {},
} as const satisfies OptionTable<RenderModelsOptions>;

/**
 * A TypeScript module declaring `db` and one model per reflected table, every one exported:
 * `export class Album extends db.Model('Album', { ... }) {}`, with attributes in camelCase (the
 * database name kept as `db.Column('ArtistId', ...)`), keys, defaults, comments, CHECKs and indexes
 * as the database has them, and relationships from the foreign keys: many-to-one and its collection
 * with `backPopulates` both ways, one-to-one for a unique key, `foreignKeys` where two tables are
 * linked more than once, `remoteSide` for a self-reference, and `secondary` many-to-many through a
 * table holding only two foreign keys. A type Relata does not have is declared as the closest one
 * that reads its values (Integer, String(n) or Text), with a comment naming the database's type.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { Database, reflectMetaData, renderModelsModule } from 'relata';
 * const db = new Database('sqlite://');
 * writeFileSync('models.ts', renderModelsModule(await reflectMetaData(db.engine)));
 * ```
 */
export function renderModelsModule(reflected: ReflectedMetaData, options: RenderModelsOptions = {}): string {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('renderModelsModule(): options must be an object');
  checkOptions(options, renderOptionTable, 'renderModelsModule()', ArgumentError);
  if (!reflected || !(reflected.tables instanceof Map))
    throw new ArgumentError('renderModelsModule(): expected what reflectMetaData() returns');
  const plan = planModule(reflected);
  const header =
    options.header ??
    'Models of the database, written by `relata pull` from its tables. Relationships are inferred from the foreign keys; edit freely.';
  const out: string[] = [
    '/**',
    ...header
      .replace(/\*\//g, '*\\/')
      .split('\n')
      .map((l) => ` * ${l}`.trimEnd()),
    ' */',
    `import { Database } from ${quote(options.importFrom ?? 'relata')};`,
    '',
    `export const db = new Database(${options.urlExpression ?? 'process.env.DATABASE_URL'});`,
  ];
  // Plain tables first: a model's `secondary` refers to the variable when its class is defined.
  for (const p of plan.tables) if (p.kind !== 'model') out.push('', ...tableBlock(p));
  for (const p of plan.tables) if (p.kind === 'model') out.push('', ...modelBlock(p));
  return `${out.join('\n')}\n`;
}

/** A comment line; catalog text in it (names, type text) may hold line breaks. */
const comment = (indent: string, text: string) => `${indent}// ${text.replace(/\s+/g, ' ')}`;

function tableBlock(p: PlannedTable): string[] {
  const onColumns = columnForeignKeys(p.table);
  const args = tableArgSources(p, onColumns);
  const why =
    p.kind === 'association'
      ? `Association table of ${p.table.foreignKeyConstraints.map((fk) => `'${fk.elements[0]!.column.table.name}'`).join(' and ')}.`
      : p.table.primaryKey.length
        ? "A table, not a model: its key cannot tell a model's rows apart."
        : 'No primary key: a table, not a model (a model needs a key to tell its rows apart).';
  const lines = [comment('', why), `export const ${p.name} = db.Table(`, `  ${quote(p.table.name)},`];
  lines.push(...p.notes.map((n) => comment('  ', n)));
  for (const c of p.table.columns) {
    const col = columnSource(p, c, true, onColumns.get(c));
    lines.push(...col.comments.map((t) => comment('  ', t)), `  ${col.source},`);
  }
  lines.push(...args.comments.map((t) => comment('  ', t)), ...args.sources.map((s) => `  ${s},`));
  const tableOptions = objectSource(tableOptionEntries(p));
  if (tableOptions) lines.push(`  ${tableOptions},`);
  lines.push(');');
  return lines;
}

function tableOptionEntries(p: PlannedTable): [string, string][] {
  // Relata gives a secondary table without a key one over its foreign keys; the database has none.
  const keyless = p.kind === 'association' && p.table.primaryKey.length === 0;
  return [
    ...(keyless ? ([['associationPrimaryKey', 'false']] as [string, string][]) : []),
    ...(p.table.schema !== undefined ? ([['schema', quote(p.table.schema)]] as [string, string][]) : []),
    ...(p.table.comment !== undefined ? ([['comment', quote(p.table.comment)]] as [string, string][]) : []),
  ];
}

function modelBlock(p: PlannedTable): string[] {
  const onColumns = columnForeignKeys(p.table);
  const lines = [`export class ${p.name} extends db.Model(`, `  ${quote(p.name)},`, '  {'];
  for (const c of p.table.columns) lines.push(...columnLines(p, c, onColumns));
  lines.push(...p.notes.map((n) => comment('    ', n)));
  for (const r of p.relationships) {
    const options = objectSource(r.options);
    lines.push(
      `    ${r.name}: db.relationship<${r.target.name}>(${quote(r.target.name)}${options ? `, ${options}` : ''}),`,
    );
  }
  lines.push('  },');
  const args = tableArgSources(p, onColumns);
  const entries = [
    ...(needsTableName(p) ? ([['tableName', quote(p.table.name)]] as [string, string][]) : []),
    ...tableOptionEntries(p),
  ];
  if (entries.length || args.sources.length || args.comments.length) {
    lines.push('  {');
    for (const [k, v] of entries) lines.push(`    ${k}: ${v},`);
    if (args.sources.length || args.comments.length) {
      lines.push('    tableArgs: [');
      lines.push(...args.comments.map((t) => comment('      ', t)), ...args.sources.map((s) => `      ${s},`));
      lines.push('    ],');
    }
    lines.push('  },');
  }
  lines.push(') {}');
  return lines;
}

function columnLines(p: PlannedTable, c: Column, onColumns: ReturnType<typeof columnForeignKeys>): string[] {
  const attr = p.attributes.get(c.name)!;
  const col = columnSource(p, c, attr !== c.name, onColumns.get(c));
  return [...col.comments.map((t) => comment('    ', t)), `    ${attr}: ${col.source},`];
}

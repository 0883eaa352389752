/**
 * Drift between the models and the database they run on: `db.checkSchema()`, and the warning
 * `createAll()` gives for the tables it left alone because they exist with another shape.
 */
import type { Engine } from '../../engine/engine.js';
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, mustBe, type OptionTable } from '../../sql/options.js';
import { MetaData, type Table } from '../../sql/schema.js';
import { inspect, reflectMetaData } from '../introspect/index.js';
import type { SchemaChange } from './changes.js';
import { compareSchemas } from './compare.js';
import { describeSchemaChange } from './describe.js';

/**
 * Options of `db.checkSchema()`.
 *
 * @example
 * ```ts
 * import type { CheckSchemaOptions } from 'relata';
 *
 * const options: CheckSchemaOptions = { include: (table) => table !== 'audit_log' };
 * const drift = await db.checkSchema(options);
 * ```
 */
export interface CheckSchemaOptions {
  /** Which tables (by full name) to compare; every table of the models and of the database when absent. */
  readonly include?: (tableName: string) => boolean;
}

const checkSchemaOptionTable = {
  known: { include: mustBe('a function of the table name', (v) => typeof v === 'function') },
  refused: {},
} as const satisfies OptionTable<CheckSchemaOptions>;

/**
 * One difference `db.checkSchema()` found: the SchemaChange, and its one-line description
 * (`describeSchemaChange(change)`).
 *
 * @example
 * ```ts
 * import type { SchemaDrift } from 'relata';
 *
 * const drift: readonly SchemaDrift[] = await db.checkSchema();
 * for (const d of drift) console.log(d.description, d.destructive ? '(loses data)' : '');
 * ```
 */
export type SchemaDrift = SchemaChange & {
  /** The change in one line, as describeSchemaChange() writes it. */
  readonly description: string;
};

/** The schemas the models' tables live in (undefined: the connection's default one), each once. */
function schemasOf(model: MetaData): (string | undefined)[] {
  return [...new Set([undefined, ...[...model.tables.values()].map((t) => t.schema)])];
}

/**
 * The database's tables in every schema the models use (the default one and each `schema:`), in one
 * MetaData keyed by full name, as the models' is; `only` limits each schema's read to those tables.
 */
export async function reflectForModels(
  engine: Engine,
  model: MetaData,
  only?: ReadonlyMap<string | undefined, readonly string[]>,
): Promise<MetaData> {
  const live = new MetaData();
  for (const schema of schemasOf(model)) {
    const tables = only?.get(schema);
    if (only && !tables?.length) continue;
    const reflected = await reflectMetaData(engine, {
      ...(schema !== undefined && { schema }),
      ...(tables && { tables }),
    });
    for (const t of reflected.metadata.tables.values()) live.add(t);
  }
  return live;
}

/** Compares the models with the database: what `db.checkSchema()` returns. */
export async function checkSchema(
  engine: Engine,
  model: MetaData,
  options: CheckSchemaOptions = {},
): Promise<SchemaDrift[]> {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('checkSchema(options): options must be an object');
  checkOptions(options, checkSchemaOptionTable, 'checkSchema()', ArgumentError);
  const live = await reflectForModels(engine, model);
  const changes = compareSchemas(model, live, {
    dialect: engine.dialect,
    ...(options.include && { include: options.include }),
  });
  return changes.map((c) => ({ ...c, description: describeSchemaChange(c) }));
}

/** The model tables that already exist in the database, by schema: what createAll()'s IF NOT EXISTS will skip. */
export async function existingTables(
  engine: Engine,
  tables: readonly Table[],
): Promise<Map<string | undefined, string[]>> {
  const out = new Map<string | undefined, string[]>();
  for (const schema of new Set(tables.map((t) => t.schema))) {
    let names: Set<string>;
    try {
      names = new Set(await inspect(engine, schema === undefined ? {} : { schema }).getTableNames());
    } catch {
      // A schema that is not there (an SQLite database not attached): its tables are not there either, and
      // createAll() says why it cannot create them.
      continue;
    }
    const found = tables.filter((t) => t.schema === schema && names.has(t.name)).map((t) => t.name);
    if (found.length) out.set(schema, found);
  }
  return out;
}

/**
 * One warning per table createAll() skipped that differs from its model: the table, what differs,
 * and what to do about it. `existing` is what existingTables() found before the DDL ran.
 */
export async function skippedTableWarnings(
  engine: Engine,
  model: MetaData,
  existing: ReadonlyMap<string | undefined, readonly string[]>,
): Promise<string[]> {
  if (existing.size === 0) return [];
  const names = new Set(
    [...existing].flatMap(([schema, tables]) => tables.map((t) => (schema ? `${schema}.${t}` : t))),
  );
  let changes: SchemaChange[];
  try {
    const live = await reflectForModels(engine, model, existing);
    changes = compareSchemas(model, live, { dialect: engine.dialect, include: (name) => names.has(name) });
  } catch (err) {
    return [
      `createAll(): could not compare the existing tables with the models (${err instanceof Error ? err.message : String(err)}); db.checkSchema() lists what differs`,
    ];
  }
  const byTable = new Map<string, SchemaChange[]>();
  for (const c of changes) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  return [...byTable].map(
    ([table, list]) =>
      `createAll(): table '${table}' already exists with another shape and was left as it is: ` +
      `${list.map((c) => describeSchemaChange(c).replace(`table '${table}': `, '')).join('; ')}. ` +
      'createAll() only creates missing tables: change existing ones with a migration (relata migrate generate), ' +
      'or list the differences with db.checkSchema()',
  );
}

/**
 * The schema differ: the models' MetaData against a reflected one (`reflectMetaData(engine).metadata`),
 * as Alembic's `compare_metadata`. What it reports, and how each kind is judged, is in columns.ts
 * (types, nullability, defaults, comments) and constraints.ts (keys, UNIQUEs, indexes, CHECKs).
 */
import type { Dialect } from '../../dialects/dialect.js';
import { SqlCompiler } from '../../sql/compiler.js';
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, mustBe, type OptionTable } from '../../sql/options.js';
import type { Column, MetaData, Table } from '../../sql/schema.js';
import { sortTablesAndConstraints } from '../../sql/ddl-order.js';
import type { SchemaChange } from './changes.js';
import { columnChangeIsDestructive, columnChanges, type CompareDialect } from './columns.js';
import { compareConstraints } from './constraints.js';

/** The version table migrations keep their state in: never part of the models, never drift. */
export const VERSION_TABLE = 'relata_migrations';

/**
 * Options of `compareSchemas`.
 *
 * @example
 * ```ts
 * import { compareSchemas, type CompareOptions } from 'relata';
 *
 * const options: CompareOptions = { dialect: db.engine.dialect, include: (table) => !table.startsWith('tmp_') };
 * const changes = compareSchemas(db.registry.metadata, (await db.reflect()).metadata, options);
 * ```
 */
export interface CompareOptions {
  /** The database's dialect (or its compiler): types are compared as it renders them. */
  readonly dialect: Dialect | SqlCompiler;
  /** Which tables (by full name, `schema.name` or `name`) to compare; all when absent. */
  readonly include?: (tableName: string) => boolean;
}

const compareOptionTable = {
  known: {
    dialect: mustBe('a Dialect or its compiler', (v) => v instanceof SqlCompiler || isDialect(v)),
    include: mustBe('a function of the table name', (v) => typeof v === 'function'),
  },
  refused: {
    compareType: 'types are always compared (a type the differ cannot judge is not reported)',
    compare_type: 'types are always compared (a type the differ cannot judge is not reported)',
    includeObject: 'use include: (tableName) => boolean',
    include_object: 'use include: (tableName) => boolean',
  },
} as const satisfies OptionTable<CompareOptions>;

function isDialect(v: unknown): v is Dialect {
  return typeof v === 'object' && v !== null && (v as { compiler?: unknown }).compiler instanceof SqlCompiler;
}

/** The tables of `metadata` to compare, by full name. */
function comparedTables(metadata: MetaData, include: (name: string) => boolean): Map<string, Table> {
  const out = new Map<string, Table>();
  for (const [name, table] of metadata.tables) {
    if (table.name !== VERSION_TABLE && include(name)) out.set(name, table);
  }
  return out;
}

/** The table a foreign key refers to, by full name, without resolving it (the table may not be there). */
function referredTable(k: { readonly elements: readonly { readonly targetTableName: string }[] }): string | null {
  try {
    return k.elements[0]!.targetTableName;
  } catch {
    return null;
  }
}

/**
 * The new tables, each after those it refers to; a foreign key that must come after the tables
 * (`useAlter`, or tables in a cycle) is left out of its CREATE TABLE and follows as an
 * add-foreign-key, where ALTER TABLE can add one (not SQLite, which keeps it inline).
 */
function addedTables(models: Map<string, Table>, lives: Map<string, Table>, compiler: SqlCompiler): SchemaChange[] {
  const order = sortTablesAndConstraints([...models.values()]);
  const later = compiler.alterAddsForeignKeys ? order.addedAfter : [];
  const added = order.tables.filter((t) => models.get(t.fullName) === t && !lives.has(t.fullName));
  const out: SchemaChange[] = [];
  for (const t of added) {
    const own = later.filter((k) => k.table === t);
    out.push({
      kind: 'add-table',
      table: t.fullName,
      destructive: false,
      modelTable: t,
      ...(own.length > 0 && { foreignKeysAddedAfter: own }),
    });
  }
  for (const k of later) {
    if (added.includes(k.table))
      out.push({ kind: 'add-foreign-key', table: k.table.fullName, destructive: false, modelForeignKey: k });
  }
  return out;
}

/** `tables` with every referred table before its referrers (self-references and unknown targets ignored), stable. */
function dependencyOrder(tables: ReadonlyMap<string, Table>): Table[] {
  const out: Table[] = [];
  const state = new Map<Table, 'visiting' | 'done'>();
  const visit = (t: Table): void => {
    if (state.has(t)) return;
    state.set(t, 'visiting');
    for (const k of t.foreignKeyConstraints) {
      const target = tables.get(referredTable(k) ?? '');
      if (target && target !== t) visit(target);
    }
    state.set(t, 'done');
    out.push(t);
  };
  for (const t of tables.values()) visit(t);
  return out;
}

/**
 * What differs between the models' schema (`model`) and a live database's (`live`, as
 * `reflectMetaData()` reads it), one SchemaChange per difference, in an order a migration can apply:
 * new tables (referred tables first), then each table both have (in the models' dependency order:
 * its constraint drops, column adds and alterations, column drops, primary key, constraint adds,
 * comment), then dropped tables (referrers first). An empty list means no drift. The version table
 * `relata_migrations` is never compared. Compare the models once their mappers are configured
 * (`db.registry.configure()`, which gives association tables their primary key), or use
 * `db.checkSchema()`, which does it and reflects every schema the models use.
 *
 * @example
 * ```ts
 * import { compareSchemas, describeSchemaChange, reflectMetaData } from 'relata';
 *
 * const live = await reflectMetaData(db.engine);
 * for (const change of compareSchemas(db.registry.metadata, live.metadata, { dialect: db.engine.dialect })) {
 *   console.log(describeSchemaChange(change));
 * }
 * ```
 */
export function compareSchemas(model: MetaData, live: MetaData, options: CompareOptions): SchemaChange[] {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('compareSchemas(model, live, options): options must be an object with a dialect');
  checkOptions(options, compareOptionTable, 'compareSchemas()', ArgumentError);
  if (options.dialect === undefined)
    throw new ArgumentError('compareSchemas(): the dialect option is required (db.engine.dialect)');
  const compiler = options.dialect instanceof SqlCompiler ? options.dialect : options.dialect.compiler;
  const dialect = dialectOf(compiler);
  const include = options.include ?? (() => true);
  const models = comparedTables(model, include);
  const lives = comparedTables(live, include);

  const out: SchemaChange[] = [];
  out.push(...addedTables(models, lives, compiler));
  for (const t of dependencyOrder(models)) {
    const l = lives.get(t.fullName);
    if (l) out.push(...compareTable(t, l, compiler, dialect));
  }
  for (const t of dependencyOrder(lives).reverse()) {
    if (!models.has(t.fullName)) out.push({ kind: 'drop-table', table: t.fullName, destructive: true, liveTable: t });
  }
  return out;
}

function dialectOf(compiler: SqlCompiler): CompareDialect {
  const name = compiler.dialectName;
  if (name === 'sqlite' || name === 'postgres' || name === 'mysql') return name;
  throw new ArgumentError(`compareSchemas(): the '${name}' dialect is not supported (sqlite, postgres, mysql)`);
}

/** The changes of one table present on both sides. */
function compareTable(model: Table, live: Table, compiler: SqlCompiler, dialect: CompareDialect): SchemaChange[] {
  const table = model.fullName;
  const constraints = compareConstraints(model, live, table, dialect);
  const out: SchemaChange[] = [...constraints.drops];
  for (const c of model.columns) {
    if (!live.columnsByName.has(c.name)) out.push({ kind: 'add-column', table, destructive: false, modelColumn: c });
  }
  for (const c of model.columns) {
    const l = live.columnsByName.get(c.name);
    if (!l) continue;
    const changes = columnChanges(c, l, compiler, dialect);
    if (changes.length === 0) continue;
    out.push({
      kind: 'alter-column',
      table,
      column: c.name,
      changes,
      modelColumn: c,
      liveColumn: l,
      destructive: columnChangeIsDestructive(changes, c),
    });
  }
  for (const c of live.columns) {
    if (!model.columnsByName.has(c.name)) out.push({ kind: 'drop-column', table, destructive: true, liveColumn: c });
  }
  const names = (cols: readonly Column[]) => cols.map((c) => c.name);
  if (names(model.primaryKey).join(',') !== names(live.primaryKey).join(',')) {
    out.push({
      kind: 'alter-primary-key',
      table,
      destructive: false,
      modelColumns: names(model.primaryKey),
      liveColumns: names(live.primaryKey),
      modelConstraint: model.primaryKeyConstraint,
    });
  }
  out.push(...constraints.adds);
  // SQLite keeps no comments.
  if (dialect !== 'sqlite' && (model.comment ?? null) !== (live.comment ?? null)) {
    out.push({
      kind: 'alter-table-comment',
      table,
      destructive: false,
      modelComment: model.comment,
      liveComment: live.comment,
    });
  }
  return out;
}

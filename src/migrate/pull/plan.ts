/**
 * What a pulled models module declares, decided before any text is written: which tables become
 * models, which plain `db.Table`s (association tables, tables without a primary key), every name, and
 * the relationships inferred from foreign keys, as SQLAlchemy's automap infers them: a many-to-one on
 * the referring model with its collection on the referred one (one-to-one when the key's columns are
 * unique), self-references with `remoteSide`, `foreignKeys` wherever two tables are linked more than
 * once, and many-to-many through a table that holds nothing but two foreign keys.
 */
import type { ForeignKeyConstraint } from '../../sql/constraints.js';
import type { Column, Table } from '../../sql/schema.js';
import { tableNameFor } from '../../orm/mapping/model.js';
import type { ReflectedMetaData, ReflectedTable } from '../../schema/introspect/index.js';
import {
  NameScope,
  RESERVED_ATTRIBUTE_NAMES,
  RESERVED_MODULE_NAMES,
  camelCase,
  pascalCase,
  plural,
  selfReferenceNames,
  singular,
  stripKeySuffix,
} from './names.js';

/** A relationship option as TypeScript source (`'albums'`, `false`, `['a', 'b']`, `playlistTrack`). */
export type OptionSource = readonly [key: string, source: string];

/** One relationship of a pulled model. */
export interface PlannedRelationship {
  readonly name: string;
  readonly target: PlannedTable;
  readonly options: OptionSource[];
  /** Many-to-ones first, then collections and one-to-ones, then many-to-manys (the examples' order). */
  readonly rank: number;
}

/** One table of the module: a model, or a plain `db.Table`. */
export interface PlannedTable {
  readonly table: Table;
  readonly reflected: ReflectedTable;
  /** `model`; `association` (a many-to-many's secondary table); `table` (no primary key: no model). */
  readonly kind: 'model' | 'association' | 'table';
  /** The class name of a model, the variable name of a `db.Table`. */
  name: string;
  /** Attribute name of each column, by the column's database name (models only). */
  readonly attributes: Map<string, string>;
  readonly scope: NameScope;
  readonly relationships: PlannedRelationship[];
  /** Why a table with foreign keys got no relationships, for a comment. */
  readonly notes: string[];
}

/** The module's plan: tables in the reflected order. */
export interface ModulePlan {
  readonly tables: readonly PlannedTable[];
  readonly byTable: ReadonlyMap<Table, PlannedTable>;
}

/** A string literal for `s`: single-quoted, or double-quoted when that needs fewer escapes (prettier's rule). */
function quote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(new RegExp(q, 'g'), `\\${q}`)
    // eslint-disable-next-line no-control-regex -- control characters are what must be escaped
    .replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => {
      const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
      return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
  return `${q}${body}${q}`;
}
const names = (list: readonly string[]) => (list.length === 1 ? quote(list[0]!) : `[${list.map(quote).join(', ')}]`);

/** The foreign keys' target table, or null when it was not reflected (a `tables` subset). */
function targetOf(fk: ForeignKeyConstraint, metadata: ReflectedMetaData['metadata']): Table | null {
  const first = fk.elements[0]!;
  return metadata.tables.has(first.targetTableName) ? first.column.table : null;
}

/** A table that holds only two foreign keys' columns, to two different tables: SQLAlchemy's secondary. */
function isAssociation(table: Table, metadata: ReflectedMetaData['metadata']): boolean {
  const fks = table.foreignKeyConstraints;
  if (fks.length !== 2) return false;
  const targets = fks.map((fk) => targetOf(fk, metadata));
  if (targets.some((t) => t === null || t.primaryKey.length === 0) || targets[0] === targets[1]) return false;
  const fkColumns = new Set(fks.flatMap((fk) => fk.columns));
  if (fkColumns.size !== table.columns.length || !table.columns.every((c) => fkColumns.has(c))) return false;
  // Its key, if any, is the pair (as a model's key it would be a model: an association carries no id).
  return table.primaryKey.length === 0 || table.primaryKey.length === table.columns.length;
}

/** Whether the columns are unique in their table: its primary key, a unique column, index or constraint. */
function isUniqueSet(reflected: ReflectedTable, columns: readonly Column[]): boolean {
  const set = new Set(columns.map((c) => c.name));
  const same = (list: readonly (string | null)[]) =>
    list.length === set.size && list.every((c) => c !== null && set.has(c));
  const table = reflected.table;
  if (same(table.primaryKey.map((c) => c.name))) return true;
  if (columns.length === 1 && columns[0]!.unique) return true;
  return (
    reflected.info.uniqueConstraints.some((u) => same(u.columns)) ||
    reflected.info.indexes.some((ix) => ix.unique && ix.where === null && same(ix.columns))
  );
}

/** Types a model's key cannot have (the identity map would key rows by the object, not its contents). */
const UNKEYABLE: ReadonlySet<string> = new Set(['LargeBinary', 'Array']);

/** Plans the module for a reflected database. */
export function planModule(reflected: ReflectedMetaData): ModulePlan {
  const { metadata } = reflected;
  const moduleScope = new NameScope(RESERVED_MODULE_NAMES);
  const planned: PlannedTable[] = [];
  const byTable = new Map<Table, PlannedTable>();
  for (const r of reflected.tables.values()) {
    const table = r.table;
    const unkeyable = table.primaryKey.filter((c) => UNKEYABLE.has(c.type.typeName));
    const kind = isAssociation(table, metadata)
      ? 'association'
      : table.primaryKey.length && !unkeyable.length
        ? 'model'
        : 'table';
    const p: PlannedTable = {
      table,
      reflected: r,
      kind,
      name: '',
      attributes: new Map(),
      scope: new NameScope(RESERVED_ATTRIBUTE_NAMES),
      relationships: [],
      notes: unkeyable.map(
        (c) => `its primary key column '${c.name}' holds ${c.type.typeName} values, which cannot key a model's rows`,
      ),
    };
    planned.push(p);
    byTable.set(table, p);
  }
  // Class names before variable names: a model keeps its natural name when a table variable would want it.
  for (const p of planned.filter((x) => x.kind === 'model')) {
    const pascal = pascalCase(p.table.name);
    p.name = moduleScope.claim(singular(pascal), pascal, `${singular(pascal)}Model`);
  }
  for (const p of planned.filter((x) => x.kind !== 'model')) {
    const camel = camelCase(p.table.name);
    p.name = moduleScope.claim(camel, `${camel}Table`);
  }
  for (const p of planned.filter((x) => x.kind === 'model')) {
    for (const c of p.table.columns)
      p.attributes.set(c.name, p.scope.claim(camelCase(c.name), `${camelCase(c.name)}Column`));
  }
  for (const p of planned) {
    if (p.kind === 'model') planForeignKeys(p, byTable, metadata);
    else if (p.kind === 'association') planAssociation(p, byTable, metadata);
  }
  for (const p of planned) p.relationships.sort((a, b) => a.rank - b.rank);
  return { tables: planned, byTable };
}

/** How many foreign keys link the two tables, either way: more than one, and relationships must say which. */
function linkCount(a: Table, b: Table): number {
  const count = (from: Table, to: Table) =>
    from.foreignKeyConstraints.filter((fk) => fk.elements[0]!.column.table === to).length;
  return a === b ? count(a, a) : count(a, b) + count(b, a);
}

function attrsOf(p: PlannedTable, columns: readonly Column[]): string[] {
  return columns.map((c) => p.attributes.get(c.name)!);
}

/** `orderBy` of a collection of `target`: its primary key, so lists come back in a stable order. */
function orderByOf(target: PlannedTable): OptionSource {
  return ['orderBy', names(attrsOf(target, target.table.primaryKey))];
}

/** The many-to-one and its reverse for each foreign key of a model. */
function planForeignKeys(
  child: PlannedTable,
  byTable: ReadonlyMap<Table, PlannedTable>,
  metadata: ReflectedMetaData['metadata'],
): void {
  for (const fk of child.table.foreignKeyConstraints) {
    const target = targetOf(fk, metadata);
    const parent = target ? byTable.get(target) : undefined;
    if (!target || !parent) continue; // rendered with a comment where the key is written
    if (parent.kind !== 'model') {
      child.notes.push(`no relationship to '${target.name}': it is a db.Table, not a model`);
      continue;
    }
    const self = parent === child;
    const columns = fk.columns;
    const fkAttrs = attrsOf(child, columns);
    const several = linkCount(child.table, target) > 1;
    const oneToOne = !self && isUniqueSet(child.reflected, columns);
    const [manyName, reverseName] = relationshipNames(child, parent, fkAttrs, self, several, oneToOne);
    // A name a column already has gets the target's name for the many-to-one (`artist` column → `artistRef`).
    const many = child.scope.claim(manyName, `${manyName}Ref`);
    const reverse = parent.scope.claim(reverseName, `${reverseName}Of${child.name}`);
    const fkOption: OptionSource[] = several ? [['foreignKeys', names(fkAttrs)]] : [];
    const remote: OptionSource[] = self ? [['remoteSide', names(attrsOf(parent, fk.referredColumns))]] : [];
    child.relationships.push({
      name: many,
      target: parent,
      rank: 0,
      options: [...remote, ...fkOption, ['backPopulates', quote(reverse)], ['uselist', 'false']],
    });
    parent.relationships.push({
      name: reverse,
      target: child,
      rank: 1,
      options: [
        ...fkOption,
        ['backPopulates', quote(many)],
        ...(oneToOne ? ([['uselist', 'false']] as OptionSource[]) : [orderByOf(child)]),
      ],
    });
  }
}

/**
 * The names of a foreign key's many-to-one and of its reverse: the key column without its `Id`
 * (`artistId` → `artist`, or the target's name), and the referring model's plural (`albums`); when two
 * tables are linked more than once, the reverse is qualified by the role (`homeTeamId` → `homeMatches`).
 */
function relationshipNames(
  child: PlannedTable,
  parent: PlannedTable,
  fkAttrs: readonly string[],
  self: boolean,
  several: boolean,
  oneToOne: boolean,
): readonly [string, string] {
  const parentCamel = camelCase(parent.name);
  if (self)
    return fkAttrs.length === 1 ? selfReferenceNames(fkAttrs[0]!, child.name) : [parentCamel, `${parentCamel}Of`];
  const stripped = fkAttrs.length === 1 ? stripKeySuffix(fkAttrs[0]!) : null;
  const many = stripped ?? (several && fkAttrs.length === 1 ? `${fkAttrs[0]!}${parent.name}` : parentCamel);
  const childName = oneToOne ? child.name : plural(child.name);
  if (!several) return [many, camelCase(childName)];
  // `homeTeam` on Team → `home`: the role without the target's own name.
  const role = many.toLowerCase().endsWith(parent.name.toLowerCase()) ? many.slice(0, -parent.name.length) : many;
  return [many, role === '' || role === parentCamel ? camelCase(childName) : `${role}${childName}`];
}

/** A many-to-many on both sides of an association table. */
function planAssociation(
  assoc: PlannedTable,
  byTable: ReadonlyMap<Table, PlannedTable>,
  metadata: ReflectedMetaData['metadata'],
): void {
  const [a, b] = assoc.table.foreignKeyConstraints.map((fk) => byTable.get(targetOf(fk, metadata)!)!) as [
    PlannedTable,
    PlannedTable,
  ];
  if (a.kind !== 'model' || b.kind !== 'model') return;
  const via = pascalCase(assoc.table.name);
  const onA = a.scope.claim(camelCase(plural(b.name)), `${camelCase(plural(b.name))}Via${via}`);
  const onB = b.scope.claim(camelCase(plural(a.name)), `${camelCase(plural(a.name))}Via${via}`);
  const secondary: OptionSource = ['secondary', assoc.name];
  a.relationships.push({
    name: onA,
    target: b,
    rank: 2,
    options: [secondary, ['backPopulates', quote(onB)], orderByOf(b)],
  });
  b.relationships.push({
    name: onB,
    target: a,
    rank: 2,
    options: [secondary, ['backPopulates', quote(onA)], orderByOf(a)],
  });
}

/** Whether a model's table needs `tableName` (its name is not what Relata derives from the class name). */
export function needsTableName(p: PlannedTable): boolean {
  return tableNameFor(p.name) !== p.table.name;
}

export { quote };

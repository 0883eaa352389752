/**
 * Declaring a model with `inherits` / `polymorphicOn` / `polymorphicIdentity` (what createModel
 * calls): checks the declaration, names the table the subclass's columns go into, and records each
 * class's identity on the hierarchy's root.
 */
import type { Column, Table } from '../../sql/schema.js';
import { MappingError } from '../errors.js';
import { checkJoinedKey } from './inheritance.js';
import type { Mapper } from './mapper.js';
import type { ModelOptions } from './model.js';
import { modelTable } from './model.js';
import type { Registry } from './registry.js';

/** The generated base class of each mapper: which mapper a `new` is for (see constructedHere). */
const mapperOfBase = new WeakMap<object, Mapper>();

/** The mapper `inherits` names, or an error naming the model. */
export function inheritFrom(registry: Registry, name: string, inherits: unknown): Mapper {
  let parent: Mapper;
  try {
    parent = registry.mapperOf(inherits);
  } catch {
    throw new MappingError(
      `Model ${name}: inherits must be a model class of this database (class X extends db.Model(...)), got ${describe(inherits)}`,
    );
  }
  if (!parent.inheritance.root.inheritance.on) {
    const root = parent.inheritance.root;
    throw new MappingError(
      `Model ${name} inherits ${parent.name}, but ${root.name} has no polymorphicOn: give ${root.name} ` +
        `{ polymorphicOn: '<discriminator column>', polymorphicIdentity: '<value>' } so each row says which class it is`,
    );
  }
  return parent;
}

function describe(v: unknown): string {
  return typeof v === 'function' ? `class ${v.name || 'anonymous'}` : String(v);
}

/**
 * The subclass's table. With a primary key of its own, a new table (joined-table inheritance)
 * whose key must refer to the base's; without one, the base's table, which takes its columns
 * (single-table inheritance: nullable, since the other classes' rows have none).
 */
export function subclassTable(
  registry: Registry,
  name: string,
  parent: Mapper,
  columns: readonly Column[],
  options: ModelOptions,
): Table {
  if (columns.some((c) => c.primaryKey)) {
    const table = modelTable(registry, name, columns, options);
    try {
      checkJoinedKey(name, parent, table);
    } catch (err) {
      registry.metadata.tables.delete(table.name);
      throw err;
    }
    return table;
  }
  for (const option of ['tableName', 'tableArgs', 'comment', 'schema', 'versionId'] as const) {
    if (options[option] !== undefined) {
      throw new MappingError(
        `Model ${name}: a single-table subclass has no table of its own; drop ${option} or give it a primary key ` +
          `(a foreign key to ${parent.table.name}) for a table of its own`,
      );
    }
  }
  for (const c of columns) {
    if (parent.columnsByKey.has(c.key))
      throw new MappingError(`Model ${name}: ${c.key} is already a column of ${parent.name}; rename it`);
    if (!c.nullable) {
      throw new MappingError(
        `Model ${name}: single-table column ${name}.${c.key} must be nullable: the rows of the other classes in ` +
          `table ${parent.table.name} have no value for it (or give ${name} a table of its own)`,
      );
    }
  }
  for (const c of columns) parent.table.appendColumn(c);
  return parent.table;
}

/**
 * Refuses what cannot be declared, before the table or mapper exists (so a refused declaration
 * leaves nothing behind): polymorphicOn naming no column or set on a subclass, a subclass without
 * an identity, an identity another class has.
 */
export function checkPolymorphicOptions(
  name: string,
  parent: Mapper | null,
  columnKeys: readonly string[],
  options: ModelOptions,
): void {
  const id = options.polymorphicIdentity;
  if (parent) {
    const root = parent.inheritance.root;
    if (options.polymorphicOn !== undefined) {
      throw new MappingError(
        `Model ${name}: polymorphicOn belongs on the base of the hierarchy (${root.name}), not on a subclass`,
      );
    }
    if (id === undefined) {
      throw new MappingError(
        `Model ${name} inherits ${parent.name}: give it a polymorphicIdentity, the value of ${root.name}.${root.inheritance.on!.key} its rows carry`,
      );
    }
    const taken = root.inheritance.byIdentity.get(id);
    if (taken) throw new MappingError(`Model ${name}: polymorphicIdentity '${id}' is already ${taken.name}'s`);
  } else if (options.polymorphicOn !== undefined) {
    if (!columnKeys.includes(options.polymorphicOn)) {
      throw new MappingError(
        `Model ${name}: polymorphicOn '${options.polymorphicOn}' names no column of ${name} (columns: ${columnKeys.join(', ')})`,
      );
    }
  } else if (id !== undefined) {
    throw new MappingError(`Model ${name}: polymorphicIdentity needs polymorphicOn, the column that holds it`);
  }
}

/** Records the discriminator (on a root) and the identity (on any class of a hierarchy); checked before. */
export function setUpPolymorphism(mapper: Mapper, options: ModelOptions): void {
  mapperOfBase.set(mapper.base, mapper);
  const inh = mapper.inheritance;
  if (inh.parent) {
    inh.on = mapper.columnsByKey.get(inh.root.inheritance.on!.key)!;
    const pv = inh.parent.versionColumn;
    if (pv) mapper.versionColumn = mapper.columnsByKey.get(pv.key)!;
  } else if (options.polymorphicOn !== undefined) {
    inh.on = mapper.columnsByKey.get(options.polymorphicOn)!;
  }
  const id = options.polymorphicIdentity;
  if (id === undefined) return;
  inh.identity = id;
  inh.root.inheritance.byIdentity.set(id, mapper);
}

/** Whether `new target(...)` is constructing an instance of `mapper`'s own class (not of a subclass model). */
export function constructedHere(target: unknown, mapper: Mapper): boolean {
  for (let c = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const m = mapperOfBase.get(c as object);
    if (m) return m === mapper;
  }
  return true;
}

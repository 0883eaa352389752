/**
 * A Mapper ties a model class to its table: which attribute is which column, the primary key,
 * relationships, and how a result row becomes an instance.
 */
import type { Dialect, ResultProcessor } from '../../dialects/dialect.js';
import { ArgumentError } from '../../sql/errors.js';
import { processorFor } from '../../dialects/processors.js';
import type { Column, Table } from '../../sql/schema.js';
import type { FromClause } from '../../sql/selectable.js';
import { ColumnAttribute, RelationshipAttribute } from './attributes.js';
import { MappingError } from '../errors.js';
import type { RelationshipProperty } from './relationships.js';
import { InstanceState, STATE } from '../session/state.js';
import type { Registry } from './registry.js';
import type { AttributeDecl } from './declarative.js';
import type { MapperHooks } from './events.js';
import { Inheritance, inheritedColumns, ownColumns } from './inheritance.js';

export interface MappedColumn {
  readonly key: string;
  readonly column: Column;
  readonly index: number;
}

export class Mapper {
  /** The class instances are made from: the user's subclass once seen, the generated base until then. */
  cls: abstract new (...args: never[]) => object;
  readonly columns: MappedColumn[];
  readonly columnsByKey = new Map<string, MappedColumn>();
  readonly columnsByColumn = new Map<Column, MappedColumn>();
  readonly primaryKey: MappedColumn[];
  /** Columns with a client-side default, filled in for each INSERT that leaves them unset. */
  readonly columnsWithDefaults: MappedColumn[];
  /** Columns the database defaults (`serverDefault`): read back after an INSERT that leaves them unset. */
  readonly columnsWithServerDefaults: MappedColumn[];
  /** Columns with an `onUpdate` value, written by every UPDATE of a row that does not set them. */
  readonly columnsWithOnUpdate: MappedColumn[];
  readonly relationships = new Map<string, RelationshipProperty>();
  /** Class-side attributes by key: column expressions, relationship attributes, and what other declarations install. */
  readonly attributes = new Map<string, ColumnAttribute | RelationshipAttribute | object>();
  /** Declarations that are neither columns nor relationships (association proxies, hybrids, …), by key. */
  readonly declaredAttributes = new Map<string, AttributeDecl<unknown, unknown, unknown>>();
  private readonly processorCache = new Map<string, (ResultProcessor | null)[]>();
  /** Row → values readers, per processor list (one per dialect, see processors()). */
  private readonly readers = new Map<(ResultProcessor | null)[], RowReader>();
  /** The optimistic-locking version column, if the model has one. */
  versionColumn: MappedColumn | null = null;
  /** Event listeners and validators (`db.on(Model, …)`, `db.validates(Model, …)`); null while it has none. */
  hooks: MapperHooks | null = null;
  /** Mapped inheritance (see inheritance.ts): the base this model inherits from, its identity, its subclasses. */
  readonly inheritance: Inheritance;

  constructor(
    readonly registry: Registry,
    readonly name: string,
    readonly table: Table,
    readonly base: abstract new (...args: never[]) => object,
    /** The mapper of the model this one inherits from, and the columns this one adds (see inheritance.ts). */
    inherits?: { readonly parent: Mapper; readonly own: readonly Column[] },
  ) {
    this.cls = base;
    this.inheritance = new Inheritance(this, inherits?.parent ?? null);
    this.columns = inherits ? inheritedColumns(inherits.parent, table, inherits.own) : ownColumns(table);
    for (const mc of this.columns) {
      this.columnsByKey.set(mc.key, mc);
      this.columnsByColumn.set(mc.column, mc);
      // Read from the column's own table: a joined subclass's columns live in several.
      this.attributes.set(mc.key, new ColumnAttribute(mc.column, mc.column.table, this, mc.key));
    }
    // A joined subclass's primary key columns stand for the base's (the same attribute).
    if (inherits)
      for (const [col, mc] of inherits.parent.columnsByColumn)
        this.columnsByColumn.set(col, this.columnsByKey.get(mc.key)!);
    this.primaryKey = this.columns.filter((c) => c.column.primaryKey);
    this.columnsWithDefaults = this.columns.filter((c) => c.column.default !== undefined);
    this.columnsWithServerDefaults = this.columns.filter(
      (c) => c.column.serverDefault !== undefined && c.column.default === undefined,
    );
    this.columnsWithOnUpdate = this.columns.filter((c) => c.column.onUpdate !== undefined);
    if (this.primaryKey.length === 0) {
      throw new MappingError(`Model ${name} has no primary key: give one column { primaryKey: true }`);
    }
  }

  setVersionColumn(key: string): void {
    const mc = this.columnsByKey.get(key);
    if (!mc || mc.column.type.typeName !== 'Integer' || mc.column.primaryKey) {
      throw new MappingError(
        `Model ${this.name}: versionId '${key}' must name an Integer column that is not the primary key`,
      );
    }
    this.versionColumn = mc;
  }

  columnAttribute(key: string): ColumnAttribute {
    const attr = this.attributes.get(key);
    if (attr instanceof ColumnAttribute) return attr;
    throw new ArgumentError(
      `${this.name} has no column attribute '${key}' (columns: ${this.columns.map((c) => c.key).join(', ')})`,
    );
  }

  relationship(key: string): RelationshipProperty {
    const rel = this.relationships.get(key);
    if (!rel) {
      const names = [...this.relationships.keys()];
      throw new ArgumentError(
        `${this.name} has no relationship '${key}'${names.length ? ` (relationships: ${names.join(', ')})` : ''}`,
      );
    }
    return rel;
  }

  /** Column references of this mapper's table on a given FROM element (the table itself or an alias). */
  columnOn(from: FromClause, key: string): ColumnAttribute {
    const mc = this.columnsByKey.get(key);
    if (!mc) throw new ArgumentError(`${this.name} has no column attribute '${key}'`);
    return new ColumnAttribute(mc.column, from, this, key);
  }

  /** Result processors for this mapper's columns under a dialect, in column order. */
  processors(dialect: Dialect): (ResultProcessor | null)[] {
    let p = this.processorCache.get(dialect.name);
    if (!p) {
      p = this.columns.map((c) => processorFor(dialect, c.column.type));
      this.processorCache.set(dialect.name, p);
    }
    return p;
  }

  /** Identity key from a row starting at `offset`; undefined when the primary key is NULL (no row). */
  keyFromRow(row: readonly unknown[], offset: number): unknown {
    if (this.primaryKey.length === 1) {
      const v = row[offset + this.primaryKey[0]!.index];
      return v === null ? undefined : normalizeKey(v);
    }
    const parts: unknown[] = [];
    for (const pk of this.primaryKey) {
      const v = row[offset + pk.index];
      if (v === null) return undefined;
      parts.push(v);
    }
    return compositeKey(parts);
  }

  /** Identity key from attribute values; undefined while any primary key value is missing. */
  keyFromValues(values: Record<string, unknown>): unknown {
    if (this.primaryKey.length === 1) {
      const v = values[this.primaryKey[0]!.key];
      return v === null || v === undefined ? undefined : normalizeKey(v);
    }
    const parts: unknown[] = [];
    for (const pk of this.primaryKey) {
      const v = values[pk.key];
      if (v === null || v === undefined) return undefined;
      parts.push(v);
    }
    return compositeKey(parts);
  }

  /** Identity key from what a user passes to `get()`: a value, an array, or an object of key values. */
  keyFromIdentity(id: unknown): unknown {
    const where = `${this.name}.get()`;
    if (id === undefined || id === null)
      throw new ArgumentError(`${where} needs a primary key value, got ${String(id)}`);
    if (this.primaryKey.length === 1) {
      if (typeof id === 'object') throw new ArgumentError(`${where} needs a primary key value, got an object`);
      return normalizeKey(id);
    }
    const values = Array.isArray(id)
      ? Object.fromEntries(this.primaryKey.map((pk, i) => [pk.key, (id as unknown[])[i]]))
      : (id as Record<string, unknown>);
    const key = this.keyFromValues(values);
    if (key === undefined) {
      throw new ArgumentError(
        `${where} needs every primary key column: ${this.primaryKey.map((p) => p.key).join(', ')}`,
      );
    }
    return key;
  }

  /** The compiled reader of this model's columns for one processor list (cached: one per dialect). */
  rowReader(processors: (ResultProcessor | null)[]): RowReader {
    let read = this.readers.get(processors);
    if (!read) {
      read = compileRowReader(
        this.columns.map((c) => c.key),
        processors,
      );
      this.readers.set(processors, read);
    }
    return read;
  }

  /** Builds a new persistent-to-be instance from a row, without running the class constructor. */
  instantiate(read: RowReader, row: readonly unknown[], offset: number): InstanceState {
    const obj = Object.create(this.cls.prototype as object) as object;
    const state = new InstanceState(this, obj, read(row, offset));
    (obj as { [STATE]: InstanceState })[STATE] = state;
    return state;
  }

  describeInstance(state: InstanceState): string {
    const pk = this.primaryKey.map((p) => `${p.key}=${String(state.v[p.key])}`).join(', ');
    return `<${this.name} ${pk}>`;
  }

  /** True when `obj` is an instance of this mapper's model (or a subclass). */
  owns(obj: unknown): boolean {
    return typeof obj === 'object' && obj !== null && obj instanceof (this.base as unknown as new () => object);
  }
}

/** Reads one entity's column values out of a result row, starting at `offset`. */
export type RowReader = (row: readonly unknown[], offset: number) => Record<string, unknown>;

/**
 * Hydration is the hot path of every load. A reader compiled per model builds the values object as
 * one object literal (one hidden class, no keyed stores); where code generation is not allowed (a
 * Content-Security-Policy without 'unsafe-eval'), a loop does the same more slowly.
 */
function compileRowReader(keys: readonly string[], processors: readonly (ResultProcessor | null)[]): RowReader {
  const loop: RowReader = (row, offset) => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const raw = row[offset + i];
      const p = processors[i];
      values[keys[i]!] = p && raw !== null ? p(raw) : raw;
    }
    return values;
  };
  if (keys.includes('__proto__')) return loop;
  const fields = keys.map((k, i) =>
    processors[i]
      ? `${JSON.stringify(k)}: (v = row[o + ${i}]) === null ? null : p[${i}](v)`
      : `${JSON.stringify(k)}: row[o + ${i}]`,
  );
  try {
    const make = new Function(
      'p',
      `"use strict"; return function readRow(row, o) { let v; return { ${fields.join(', ')} }; };`,
    );
    return make(processors) as RowReader;
  } catch {
    return loop;
  }
}

/** Integer keys from different drivers (number vs bigint) must find the same identity-map entry. */
function normalizeKey(v: unknown): unknown {
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) {
    return Number(v);
  }
  return v;
}

function compositeKey(parts: unknown[]): string {
  return parts.map((p) => (typeof p === 'string' ? `s${p}` : `n${String(normalizeKey(p))}`)).join('\u0000');
}

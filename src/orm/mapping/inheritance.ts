/**
 * Mapped inheritance, as SQLAlchemy's: a model declared with `{ inherits: Base }` is a subclass
 * of the base's mapper. With a primary key of its own (a foreign key to the base's) it has its own
 * table, joined to the base's by that key (joined-table inheritance); without one its columns go
 * into the base's table (single-table inheritance). One column of the root's table, `polymorphicOn`,
 * says which class each row is.
 */
import { ColumnRef, and_, type ColumnElement } from '../../sql/expressions.js';
import { Join, type FromClause } from '../../sql/selectable.js';
import type { Column, Table } from '../../sql/schema.js';
import { ArgumentError } from '../../sql/errors.js';
import { InvalidRequestError, MappingError } from '../errors.js';
import type { InstanceState } from '../session/state.js';
import type { MappedColumn, Mapper } from './mapper.js';

/** One mapper's place in its hierarchy. */
export class Inheritance {
  /** The topmost mapper of the hierarchy (this one's own mapper when it inherits from none). */
  readonly root: Mapper;
  /** Direct subclasses, in declaration order. */
  readonly subclasses: Mapper[] = [];
  /** The root's discriminator column (shared by the whole hierarchy); null without polymorphicOn. */
  on: MappedColumn | null = null;
  /** The discriminator value of this class's rows. */
  identity: string | null = null;
  /** On the root: every class of the hierarchy by identity. */
  readonly byIdentity = new Map<string, Mapper>();
  /** The distinct tables this mapper's rows live in, the root's first. */
  readonly tables: readonly Table[];
  /** What a query on this mapper selects FROM: its table, or its tables joined on the primary key. */
  readonly selectable: FromClause;

  constructor(
    readonly mapper: Mapper,
    readonly parent: Mapper | null,
  ) {
    this.root = parent ? parent.inheritance.root : mapper;
    const above = parent ? parent.inheritance.tables : [];
    this.tables = above.includes(mapper.table) ? above : [...above, mapper.table];
    this.selectable =
      parent && parent.table !== mapper.table
        ? new Join(parent.inheritance.selectable, mapper.table, keyJoin(parent.table, mapper.table), false)
        : parent
          ? parent.inheritance.selectable
          : mapper.table;
    if (parent) parent.inheritance.subclasses.push(mapper);
  }

  /** Whether this model has a table of its own joined to its base's (joined-table inheritance). */
  get joined(): boolean {
    return this.parent !== null && this.parent.table !== this.mapper.table;
  }

  /** True when this mapper is `other` or inherits from it. */
  isA(other: Mapper): boolean {
    for (let m: Mapper | null = this.mapper; m; m = m.inheritance.parent) if (m === other) return true;
    return false;
  }

  private readonly byTable = new Map<Table, MappedColumn[]>();

  /**
   * This mapper's columns in one of its tables, each under its attribute (a joined subclass's key
   * column in the base's table is the same attribute as its own): what an INSERT into it writes.
   */
  columnsOf(table: Table): MappedColumn[] {
    if (!this.parent) return this.mapper.columns;
    let cols = this.byTable.get(table);
    if (!cols) {
      cols = table.columns.flatMap((column) => {
        const mc = this.mapper.columnsByColumn.get(column);
        return mc ? [{ key: mc.key, column, index: mc.index }] : [];
      });
      this.byTable.set(table, cols);
    }
    return cols;
  }

  /** The mappers from the root down to this one. */
  lineage(): Mapper[] {
    return this.parent ? [...this.parent.inheritance.lineage(), this.mapper] : [this.mapper];
  }

  /** A joined subclass's table's join to its base's: `base.pk = sub.pk`. */
  keyJoin(): ColumnElement<boolean> {
    return keyJoin(this.parent!.table, this.mapper.table);
  }

  /** This mapper and every mapper below it, depth first. */
  family(): Mapper[] {
    return [this.mapper, ...this.subclasses.flatMap((s) => s.inheritance.family())];
  }

  /** Whether any class of this hierarchy inherits (a plain model answers false, on the hot path). */
  get polymorphic(): boolean {
    return this.root.inheritance.subclasses.length > 0;
  }

  /**
   * The WHERE a query on this mapper needs: a single-table subclass shares its table with classes
   * it does not include, so its rows are those whose discriminator is one of its family's.
   */
  criterion(from: FromClause = this.selectable): ColumnElement<boolean> | null {
    if (!this.parent || this.joined || !this.on) return null;
    const ids = this.family().map((m) => m.inheritance.identity!);
    return new ColumnRef<string>(this.on.column, from).in(ids);
  }

  /** Sets a new object's discriminator to its class's identity; a different value given is refused. */
  setDiscriminator(st: InstanceState): void {
    const on = this.on!;
    const given = st.v[on.key];
    if (given === undefined || given === null) st.v[on.key] = this.identity;
    else if (given !== this.identity) {
      throw new ArgumentError(
        `new ${this.mapper.name}(): ${this.mapper.name}.${on.key} is its polymorphic identity '${String(this.identity)}', got '${String(given)}' (create the class that value names)`,
      );
    }
  }

  /** The class a row with discriminator `value` is, or an error naming the model, the column and the value. */
  mapperFor(value: unknown): Mapper {
    const root = this.root.inheritance;
    const m = root.byIdentity.get(String(value));
    if (m) return m;
    throw new InvalidRequestError(
      `${this.root.name}: no class has polymorphic identity ${value === null ? 'NULL' : `'${String(value)}'`} ` +
        `(column ${this.root.table.name}.${root.on!.column.name}); known: ${[...root.byIdentity.keys()].join(', ')}`,
    );
  }
}

/** A plain model's mapped columns: its table's. */
export function ownColumns(table: Table): MappedColumn[] {
  return table.columns.map((column, index) => ({ key: column.key, column, index }));
}

/**
 * A subclass's mapped columns: the base's, then its own. A joined subclass's primary key columns
 * are the same attributes as the base's (`Employee.id` is `Person.id`): they take the base's
 * places, holding the subclass table's column (what its relationships and foreign keys refer to).
 */
export function inheritedColumns(parent: Mapper, table: Table, own: readonly Column[]): MappedColumn[] {
  const out: MappedColumn[] = parent.columns.map((mc) => ({ ...mc }));
  for (const column of own) {
    const same = out.find((mc) => mc.key === column.key);
    if (same && column.primaryKey && same.column.primaryKey) {
      out[same.index] = { key: same.key, column, index: same.index };
    } else if (same) {
      throw new MappingError(
        `Model ${table.name}: ${column.key} is already a column of the model it inherits from (${parent.name}); rename it`,
      );
    } else {
      out.push({ key: column.key, column, index: out.length });
    }
  }
  return out;
}

/** `base.pk = sub.pk` over the subclass table's foreign keys to the base's table. */
function keyJoin(base: Table, sub: Table): ColumnElement<boolean> {
  const fks = sub.primaryKey.flatMap((c) => c.foreignKeys.filter((fk) => fk.column.table === base));
  return and_(...fks.map((fk) => new ColumnRef(fk.column, base).eq(new ColumnRef(fk.parent, sub))));
}

/**
 * Refuses a joined subclass table whose primary key does not refer to its base's, before its
 * Inheritance (whose join needs that key) is made.
 */
export function checkJoinedKey(name: string, parent: Mapper, table: Table): void {
  const baseKey = parent.table.primaryKey;
  for (const c of table.primaryKey) {
    let refers = false;
    try {
      refers = c.foreignKeys.some((fk) => fk.column.table === parent.table && baseKey.includes(fk.column));
    } catch {
      refers = false;
    }
    if (!refers || table.primaryKey.length !== baseKey.length) {
      throw new MappingError(
        `Model ${name}: its primary key ${table.name}.${c.name} has no foreign key to ` +
          `${baseKey.map((k) => `${parent.table.name}.${k.name}`).join(', ')} (the key of ${parent.name}, which it inherits): ` +
          `declare it db.Column(db.Integer, db.ForeignKey('${parent.table.name}.${baseKey[0]?.name ?? 'id'}'), { primaryKey: true })`,
      );
    }
  }
}

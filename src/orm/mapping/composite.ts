/**
 * `db.composite(Point, { x: 'x1', y: 'y1' })`: a value object over several columns (SQLAlchemy's
 * composite()). Reading builds it from the columns, assigning writes them, the class attribute
 * compares column by column.
 */
import { ArgumentError } from '../../sql/errors.js';
import { and_, or_, type ColumnElement } from '../../sql/expressions.js';
import { MappingError, NotLoadedError } from '../errors.js';
import { STATE, type InstanceState } from '../session/state.js';
import type { ColumnAttribute } from './attributes.js';
import { AttributeDecl } from './declarative.js';
import type { Mapper } from './mapper.js';

/**
 * A class whose objects give their column values back in order (SQLAlchemy's `__composite_values__`),
 * for the positional form `composite(Range, 'low', 'high')`.
 *
 * @example
 * ```ts
 * import type { CompositeValues } from 'relata';
 *
 * class Range implements CompositeValues {
 *   constructor(readonly low: number, readonly high: number) {}
 *   compositeValues(): [number, number] {
 *     return [this.low, this.high];
 *   }
 * }
 * class Slot extends db.Model('Slot', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   low: db.Column(db.Integer),
 *   high: db.Column(db.Integer),
 *   range: db.composite(Range, 'low', 'high'),
 * }) {}
 * ```
 */
export interface CompositeValues {
  /** The values of the composite's columns, in the order `db.composite(Class, ...columns)` names them. */
  compositeValues(): readonly unknown[];
}

/** A composite's class: built with its column values, in order. */
export type CompositeClass<C> = new (...values: never[]) => C;

/**
 * A composite on the model class (`Segment.start`): compares in SQL, column by column.
 *
 * @example
 * ```ts
 * import type { CompositeAttribute } from 'relata';
 *
 * class Pair {
 *   constructor(readonly a: number, readonly b: number) {}
 * }
 * class Cell extends db.Model('Cell', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   a: db.Column(db.Integer),
 *   b: db.Column(db.Integer),
 *   pair: db.composite(Pair, { a: 'a', b: 'b' }),
 * }) {}
 * const pair: CompositeAttribute<Pair> = Cell.pair;
 * const cells = await Cell.query.filter(pair.eq(new Pair(1, 2))).all(); // a = ? AND b = ?
 * ```
 */
export class CompositeAttribute<C> {
  /** @internal Tells attributes apart. */
  readonly kind = 'composite-attribute';
  constructor(
    /** @internal The model's mapper. */
    readonly mapper: Mapper,
    /** The attribute's name on the model. */
    readonly key: string,
    private readonly decl: CompositeDecl<C>,
  ) {}

  /** The column attributes, in the composite's order. */
  get columns(): ColumnAttribute[] {
    return this.decl.columns.map((c) => this.mapper.columnAttribute(c));
  }

  /** Every column equal to the object's value (`IS NULL` where it is null); `eq(null)`: every column NULL. */
  eq(value: C | null): ColumnElement<boolean> {
    const values = value === null ? this.decl.columns.map(() => null) : this.decl.valuesOf(value, `${this}.eq()`);
    return and_(...this.columns.map((c, i) => c.eq(values[i] as never)));
  }

  /** Some column differs from the object's value; `ne(null)`: some column is not NULL. */
  ne(value: C | null): ColumnElement<boolean> {
    const values = value === null ? this.decl.columns.map(() => null) : this.decl.valuesOf(value, `${this}.ne()`);
    return or_(...this.columns.map((c, i) => c.ne(values[i] as never)));
  }

  /** `Model.key`, as messages name it. */
  toString(): string {
    return `${this.mapper.name}.${this.key}`;
  }
}

/** The declaration of a composite. */
export class CompositeDecl<C> extends AttributeDecl<C | null, CompositeAttribute<C>, C | null> {
  constructor(
    private readonly cls: CompositeClass<C>,
    /** The columns' attribute names, in the constructor's order. */
    readonly columns: readonly string[],
    /** The class's fields for each column (the mapping form), or null: `compositeValues()` gives them. */
    private readonly fields: readonly string[] | null,
  ) {
    super();
  }

  /** The column values of `value`, refusing an object of another class. */
  valuesOf(value: unknown, where: string): readonly unknown[] {
    if (!(value instanceof (this.cls as unknown as abstract new () => object)))
      throw new ArgumentError(`${where} takes a ${this.cls.name} or null, got ${describe(value)}`);
    const values = this.fields
      ? this.fields.map((f) => (value as Record<string, unknown>)[f])
      : (value as unknown as CompositeValues).compositeValues();
    if (!Array.isArray(values) || values.length !== this.columns.length)
      throw new ArgumentError(`${where}: ${this.cls.name}.compositeValues() must return ${this.columns.length} values`);
    return values.map((v) => (v === undefined ? null : v));
  }

  install(mapper: Mapper, key: string): void {
    const name = `${mapper.name}.${key}`;
    for (const c of this.columns) {
      if (!mapper.columnsByKey.has(c))
        throw new MappingError(
          `${name}: composite column '${c}' is not a column of ${mapper.name} (columns: ${[...mapper.columnsByKey.keys()].join(', ')})`,
        );
    }
    if (!this.fields && typeof (this.cls.prototype as Partial<CompositeValues>).compositeValues !== 'function')
      throw new MappingError(
        `${name}: ${this.cls.name} needs a compositeValues() method, or name its fields: composite(${this.cls.name}, { field: 'column', … })`,
      );
    mapper.attributes.set(key, new CompositeAttribute<C>(mapper, key, this));
    const columns = this.columns;
    const valuesOf = (value: unknown) => this.valuesOf(value, name);
    const build = (values: unknown[]) => new (this.cls as unknown as new (...v: unknown[]) => C)(...values);
    const cache = new WeakMap<InstanceState, { values: unknown[]; value: C }>();
    Object.defineProperty(mapper.base.prototype, key, {
      enumerable: false,
      configurable: true,
      get(this: Record<string, unknown> & { [STATE]: InstanceState }) {
        const st = this[STATE];
        const unloaded = st.unloaded && columns.find((c) => st.unloaded!.has(c));
        if (unloaded)
          throw new NotLoadedError(
            `${name} needs ${mapper.name}.${unloaded}, which is not loaded: await it first, or load it with the query: .options(undefer(${mapper.name}.${unloaded}))`,
          );
        const values = columns.map((c) => this[c]);
        if (values.every((v) => v === null)) return null;
        const hit = cache.get(st);
        // The same object while the columns keep their values (SQLAlchemy keeps one too).
        if (hit && hit.values.every((v, i) => v === values[i])) return hit.value;
        const value = build(values);
        cache.set(st, { values, value });
        return value;
      },
      set(this: Record<string, unknown>, value: C | null) {
        const values = value === null ? columns.map(() => null) : valuesOf(value);
        columns.forEach((c, i) => {
          this[c] = values[i];
        });
      },
    });
  }

  override acceptsInit(): boolean {
    return true;
  }
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v;
  return `an object of class ${v.constructor?.name ?? 'Object'}`;
}

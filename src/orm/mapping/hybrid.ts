/**
 * `db.hybrid({ get, expression, set? })`: one attribute read two ways (SQLAlchemy's
 * hybrid_property): on an instance, a getter over its values; on the class, a SQL expression.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { ColumnElement } from '../../sql/expressions.js';
import { LazyElement } from '../../sql/lazy-element.js';
import { AttributeDecl, type ReadOnlyAttribute } from './declarative.js';
import type { Mapper } from './mapper.js';

/**
 * What `db.hybrid()` takes: the instance getter (`this` is the object), the SQL expression for the
 * class, and optionally a setter. Write out `this`'s type and both return types: inferring them
 * would need the model's type while it is declared.
 *
 * @example
 * ```ts
 * import { concat, type ColumnElement, type HybridDefinition } from 'relata';
 *
 * class Guest extends db.Model('Guest', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   first: db.Column(db.String(40), { nullable: false }),
 *   last: db.Column(db.String(40), { nullable: false }),
 *   badge: db.hybrid({
 *     get(this: Guest): string {
 *       return `${this.last}, ${this.first}`;
 *     },
 *     expression: (): ColumnElement<string> => concat(Guest.last, ', ', Guest.first),
 *   } satisfies HybridDefinition<string>),
 * }) {}
 * const sorted = await Guest.query.orderBy(Guest.badge).all();
 * ```
 */
export interface HybridDefinition<V> {
  /** The instance value, from the object's loaded attributes (`this`): no SQL. */
  get(this: never): V;
  /** The class value: the same thing as a SQL expression, for filter and orderBy. */
  expression(): ColumnElement<V>;
  /** Optional: assigning the attribute (and giving it to the constructor) calls it. */
  set?(this: never, value: V): void;
}

/**
 * A hybrid on the model class (`Person.display`): its SQL expression.
 *
 * @example
 * ```ts
 * import { concat, type ColumnElement, type HybridAttribute } from 'relata';
 *
 * class Visitor extends db.Model('Visitor', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   first: db.Column(db.String(40), { nullable: false }),
 *   last: db.Column(db.String(40), { nullable: false }),
 *   display: db.hybrid({
 *     get(this: Visitor): string {
 *       return `${this.first} ${this.last}`;
 *     },
 *     expression: (): ColumnElement<string> => concat(Visitor.first, ' ', Visitor.last),
 *   }),
 * }) {}
 * const display: HybridAttribute<string> = Visitor.display;
 * const graces = await Visitor.query.filter(display.like('Grace %')).all();
 * ```
 */
export class HybridAttribute<V = unknown> extends LazyElement<V> {
  constructor(
    build: () => ColumnElement<V>,
    /** @internal The model's mapper. */
    readonly mapper: Mapper,
    /** The attribute's name on the model. */
    readonly key: string,
  ) {
    super(build, `${mapper.name}.${key}`);
  }
}

/** The declaration of a hybrid: read-only unless given a setter. */
export class HybridDecl<V, Init = never> extends AttributeDecl<V, HybridAttribute<V>, Init> {
  constructor(private readonly def: HybridDefinition<V>) {
    super();
    if (
      typeof def !== 'object' ||
      def === null ||
      typeof def.get !== 'function' ||
      typeof def.expression !== 'function'
    )
      throw new ArgumentError('hybrid() takes { get() {...}, expression: () => ..., set?(value) {...} }');
    if (def.set !== undefined && typeof def.set !== 'function')
      throw new ArgumentError('hybrid(): set must be a function');
  }

  install(mapper: Mapper, key: string): void {
    const def = this.def;
    const name = `${mapper.name}.${key}`;
    mapper.attributes.set(key, new HybridAttribute<V>(() => def.expression(), mapper, key));
    const get = def.get as (this: unknown) => V;
    const set = def.set as ((this: unknown, value: V) => void) | undefined;
    Object.defineProperty(mapper.base.prototype, key, {
      enumerable: false,
      configurable: true,
      get(this: unknown) {
        return get.call(this);
      },
      set(this: unknown, value: V) {
        if (!set) throw new ArgumentError(`${name} is a hybrid without a setter: read-only (give hybrid() a set())`);
        set.call(this, value);
      },
    });
  }

  override acceptsInit(): boolean {
    return this.def.set !== undefined;
  }
}

/** A hybrid without a setter: its instance attribute is read-only. */
export class ReadOnlyHybridDecl<V> extends HybridDecl<V> implements ReadOnlyAttribute {
  /** Type-only: the instance attribute is read-only. */
  declare readonly __readOnly: true;
}

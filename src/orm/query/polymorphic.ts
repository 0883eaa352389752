/**
 * `withPolymorphic(Person, [Employee, Manager])`: a query entity that loads the listed subclasses'
 * columns in the same statement, LEFT OUTER JOINing their tables (SQLAlchemy's with_polymorphic),
 * typed as the union of the classes narrowed by the discriminator.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { AnyModelClass } from '../mapping/declarative.js';
import type { PolymorphicUnion } from '../mapping/inheritance-types.js';
import type { Mapper } from '../mapping/mapper.js';

const POLYMORPHIC: unique symbol = Symbol('relata.withPolymorphic');

/**
 * What `withPolymorphic()` returns: pass it to `session.query(...)` like a model class. Type-only
 * constructor: it is never called.
 *
 * @example
 * ```ts
 * import { withPolymorphic, type PolymorphicEntity } from 'relata';
 *
 * class Pet extends db.Model(
 *   'Pet',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'pet' },
 * ) {}
 * const pets: PolymorphicEntity<Pet> = withPolymorphic(Pet, '*');
 * const all = await db.session.query(pets).all();
 * ```
 */
export interface PolymorphicEntity<T> {
  /** Type-only: the instance type the query returns. */
  new (...args: never[]): T;
  /** @internal The base and the subclasses to join. */
  readonly [POLYMORPHIC]: { readonly base: AnyModelClass; readonly classes: readonly AnyModelClass[] | '*' };
}

type InstanceOf<C> = C extends abstract new (...args: never[]) => infer I ? I : never;

/**
 * A query entity over `base` that loads the listed subclasses (or every subclass, `'*'`) in the
 * same SELECT with LEFT OUTER JOINs; without it a base query loads a joined subclass's columns with
 * one more SELECT per subclass present. The listed form is typed as a union narrowed by the
 * discriminator; `'*'` as the base (the subclasses declared later are unknown to the type).
 *
 * @example
 * ```ts
 * import { withPolymorphic } from 'relata';
 *
 * class Pet extends db.Model(
 *   'Pet',
 *   { id: db.Column(db.Integer, { primaryKey: true }), kind: db.Column(db.String(10), { nullable: false }) },
 *   { polymorphicOn: 'kind', polymorphicIdentity: 'pet' },
 * ) {}
 * class Dog extends db.Model(
 *   'Dog',
 *   { id: db.Column(db.Integer, db.ForeignKey('pet.id'), { primaryKey: true }), barks: db.Column(db.Boolean) },
 *   { inherits: Pet, polymorphicIdentity: 'dog' },
 * ) {}
 * for (const p of await db.session.query(withPolymorphic(Pet, [Dog])).all()) {
 *   if (p.kind === 'dog') console.log(p.barks); // narrowed to Dog
 * }
 * ```
 */
export function withPolymorphic<
  B extends AnyModelClass,
  const S extends readonly (abstract new (...args: never[]) => InstanceOf<B>)[],
>(base: B, classes: S): PolymorphicEntity<PolymorphicUnion<B, S>>;
export function withPolymorphic<B extends AnyModelClass>(base: B, classes: '*'): PolymorphicEntity<InstanceOf<B>>;
export function withPolymorphic(
  base: AnyModelClass,
  classes: readonly AnyModelClass[] | '*',
): PolymorphicEntity<unknown> {
  const baseMapper = mapperOfClass(base, 'withPolymorphic(base, ...)');
  if (classes !== '*') {
    if (!Array.isArray(classes))
      throw new ArgumentError(
        `withPolymorphic(${baseMapper.name}, classes): classes must be a list of subclasses or '*'`,
      );
    for (const c of classes) {
      const m = mapperOfClass(c, `withPolymorphic(${baseMapper.name}, [...])`);
      if (!m.inheritance.isA(baseMapper))
        throw new ArgumentError(
          `withPolymorphic(${baseMapper.name}, [...]): ${m.name} does not inherit from ${baseMapper.name}`,
        );
    }
  }
  return { [POLYMORPHIC]: { base, classes } } as unknown as PolymorphicEntity<unknown>;
}

function mapperOfClass(cls: unknown, where: string): Mapper {
  const m = typeof cls === 'function' ? (cls as { __mapper__?: Mapper }).__mapper__ : undefined;
  if (!m)
    throw new ArgumentError(`${where}: ${typeof cls === 'function' ? cls.name : String(cls)} is not a model class`);
  return m;
}

/** @internal The base class and the subclass mappers of a withPolymorphic() entity; null for anything else. */
export function polymorphicSpec(
  entity: unknown,
  mapperOf: (cls: unknown) => Mapper,
): { base: unknown; subclasses: Mapper[] } | null {
  if (typeof entity !== 'object' || entity === null || !(POLYMORPHIC in entity)) return null;
  const spec = (entity as PolymorphicEntity<unknown>)[POLYMORPHIC];
  const base = mapperOf(spec.base);
  const subclasses = spec.classes === '*' ? base.inheritance.family().slice(1) : spec.classes.map(mapperOf);
  return { base: spec.base, subclasses };
}

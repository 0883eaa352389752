/**
 * Configuring a relationship (RelationshipProperty.configure): reading its declared options
 * against the models once they all exist, and linking its reverse side (backPopulates, and what a
 * backref defines). How the two tables join is join-condition.ts's job; this module orders the
 * steps, so options that change configuration (postUpdate, inheritance targets) land here.
 */
import { ColumnRef, OrderByElement, type ColumnElement } from '../../sql/expressions.js';
import { MappingError } from '../errors.js';
import { parseCascade } from './cascade.js';
import type { RelationshipDecl } from './declarative.js';
import { resolvePairs, resolveSecondary } from './join-condition.js';
import { mirrorSecondaryCriteria } from './secondary-join.js';
import type { Mapper } from './mapper.js';
import type { RelationshipProperty } from './relationships.js';

/**
 * Configures `prop` from its options, once the models exist: target, loading, direction and key
 * pairs (join-condition.ts, or mirrored from the relationship a backref mirrors), list or scalar,
 * cascades, order, and the backPopulates reverse side. The backref is left to the caller.
 */
export function resolve(prop: RelationshipProperty): void {
  const o = prop.options;
  prop.target = resolveTarget(prop);
  prop.lazy = o.lazy === true || o.lazy === undefined ? 'select' : o.lazy === false ? 'joined' : o.lazy;
  prop.viewonly = o.viewonly ?? false;
  prop.passiveDeletes = o.passiveDeletes ?? false;
  prop.postUpdate = o.postUpdate ?? false;
  if (o.secondaryJoin && o.secondary === undefined) {
    throw new MappingError(
      `relationship ${prop.name}: secondaryJoin needs secondary (the association table it joins to ${prop.target.name}); ` +
        `without one, the whole condition is primaryJoin`,
    );
  }
  if (prop.postUpdate && o.secondary !== undefined) {
    throw new MappingError(
      `relationship ${prop.name}: postUpdate applies to a foreign key of the parent or target table; a many-to-many's association rows are always written after both rows`,
    );
  }
  if (prop.mirrorOf) mirror(prop, prop.mirrorOf);
  else if (o.secondary !== undefined) resolveSecondary(prop, o.secondary);
  else resolvePairs(prop);
  prop.uselist = o.uselist ?? prop.direction !== 'MANYTOONE';
  if (o.uselist === undefined && prop.direction === 'MANYTOONE' && !prop.mirrorOf) {
    // The declared type is a list unless uselist: false says otherwise; refuse a type that would lie.
    throw new MappingError(
      `relationship ${prop.name} is many-to-one (its foreign key is on ${prop.parent.table.name}), so it holds one ` +
        `${prop.target.name}: pass uselist: false so its type is ${prop.target.name} | null`,
    );
  }
  if (prop.lazy === 'writeOnly' && !prop.uselist)
    throw new MappingError(
      `relationship ${prop.name}: lazy: 'writeOnly' is for collections, and this one holds one ${prop.target.name}; ` +
        `drop lazy: 'writeOnly' (or uselist: false)`,
    );
  prop.cascade = parseCascade(o.cascade, prop.name);
  prop.orderBy = resolveOrderBy(prop);
  linkBackPopulates(prop);
}

/** The target mapper, from a model name or a thunk returning the class. */
function resolveTarget(prop: RelationshipProperty): Mapper {
  const t = prop.decl.target;
  const registry = prop.parent.registry;
  if (typeof t === 'string') return registry.byName(t, `relationship ${prop.name}`);
  let cls: unknown;
  try {
    cls = t();
  } catch (err) {
    throw new MappingError(`relationship ${prop.name}: its target thunk threw: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return registry.mapperOf(cls);
}

/** A backref's side: the other side's keys and direction, reversed; each is the other's reverse. */
function mirror(prop: RelationshipProperty, other: RelationshipProperty): void {
  other.configure();
  if (other.extraCriteria) {
    // The reverse would load rows the condition excludes (post.shelf of an unpublished post): refuse,
    // rather than silently drop the condition.
    throw new MappingError(
      `relationship ${other.name}: its primaryJoin has a condition beyond the foreign key, which backref '${prop.key}' ` +
        `cannot mirror; declare ${other.target.name}.${prop.key} yourself ` +
        `(with its own primaryJoin, and backPopulates on both sides), or drop the backref`,
    );
  }
  prop.secondary = other.secondary;
  prop.pairs = other.pairs.map((p) => ({ local: p.remote, remote: p.local }));
  prop.secondaryLocal = other.secondaryRemote.map((p) => ({ local: p.remote, remote: p.local }));
  prop.secondaryRemote = other.secondaryLocal.map((p) => ({ local: p.remote, remote: p.local }));
  if (other.secondaryCriteria) mirrorSecondaryCriteria(prop, other);
  prop.direction =
    other.direction === 'MANYTOMANY' ? 'MANYTOMANY' : other.direction === 'MANYTOONE' ? 'ONETOMANY' : 'MANYTOONE';
  prop.reverse = other;
  other.reverse = prop;
}

/** `orderBy` as ORDER BY elements on the target: a thunk of expressions, or attribute names ('-views'). */
function resolveOrderBy(prop: RelationshipProperty): OrderByElement[] {
  const ob = prop.options.orderBy;
  if (ob === undefined) return [];
  if (typeof ob === 'function') {
    const v = ob();
    const list = Array.isArray(v) ? (v as readonly unknown[]) : [v];
    return list.map((x) => (x instanceof OrderByElement ? x : new OrderByElement(x as ColumnElement, 'ASC')));
  }
  const names = typeof ob === 'string' ? ob.split(',').map((s) => s.trim()) : ob;
  return names.map((n) => {
    const desc = n.startsWith('-') || / desc$/i.test(n);
    const key = n.replace(/^-/, '').replace(/ (asc|desc)$/i, '');
    const mc = prop.target.columnsByKey.get(key);
    if (!mc)
      throw new MappingError(
        `relationship ${prop.name}: orderBy names '${key}', which is not a column of ${prop.target.name}`,
      );
    return new OrderByElement(new ColumnRef(mc.column, prop.target.table), desc ? 'DESC' : 'ASC');
  });
}

/** `backPopulates`: the named relationship of the target is this one's reverse side. */
function linkBackPopulates(prop: RelationshipProperty): void {
  const o = prop.options;
  if (o.backPopulates) {
    const other = prop.target.relationships.get(o.backPopulates) ?? polymorphicReverse(prop, o.backPopulates);
    if (!other) {
      throw new MappingError(
        `relationship ${prop.name}: backPopulates '${o.backPopulates}' is not a relationship of ${prop.target.name}`,
      );
    }
    prop.reverse = other;
    other.reverse ??= prop;
  }
}

/** A declaration that stands for one relationship per target (polymorphic.ts's PolymorphicDecl). */
interface ReverseProvider {
  reverseFor(parent: Mapper, via: string): RelationshipProperty;
}

/** `backPopulates: 'commentable'` naming a polymorphic relationship: its member for this model. */
function polymorphicReverse(prop: RelationshipProperty, key: string): RelationshipProperty | undefined {
  const decl: unknown = prop.target.declaredAttributes.get(key);
  if (typeof decl !== 'object' || decl === null || !('reverseFor' in decl)) return undefined;
  return (decl as ReverseProvider).reverseFor(prop.parent, prop.name);
}

/** The relationship a `backref` option asks for on the target: its name and declaration. */
export interface BackrefSpec {
  readonly name: string;
  readonly decl: RelationshipDecl;
}

/**
 * What `prop`'s `backref` option defines on the target, or null without one; throws when the name
 * is taken. The caller creates the relationship, so this module never constructs one (no cycle).
 */
export function backrefFor(prop: RelationshipProperty): BackrefSpec | null {
  const o = prop.options;
  if (!o.backref) return null;
  const spec = typeof o.backref === 'string' ? { name: o.backref } : o.backref;
  if (prop.target.relationships.has(spec.name) || prop.target.columnsByKey.has(spec.name)) {
    throw new MappingError(
      `relationship ${prop.name}: backref '${spec.name}' clashes with an attribute of ${prop.target.name}`,
    );
  }
  const decl = {
    kind: 'relationship-decl',
    target: prop.parent.name,
    options: { lazy: spec.lazy, uselist: spec.uselist, cascade: spec.cascade, orderBy: spec.orderBy },
  } as unknown as RelationshipDecl;
  return { name: spec.name, decl };
}

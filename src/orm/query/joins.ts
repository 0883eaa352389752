/**
 * Joins of a Query: what `join()` / `outerjoin()` add to its FROM clause for a model, an alias or a
 * relationship, and the ON clause inferred from the single foreign key between two tables (with the
 * errors for none or several). Kept apart from the builder because the ON inference is the hard part.
 */
import { ArgumentError } from '../../sql/errors.js';
import { ColumnRef, and_, requireElement, type ColumnElement } from '../../sql/expressions.js';
import type { ForeignKey } from '../../sql/schema.js';
import { SubqueryAlias, type FromClause } from '../../sql/selectable.js';
import { Cte } from '../../sql/cte.js';
import { RelationshipAttribute } from '../mapping/attributes.js';
import type { Mapper } from '../mapping/mapper.js';
import { AmbiguousForeignKeysError, NoForeignKeysError } from '../errors.js';
import { isAliased, type AliasedModel } from './alias.js';
import type { JoinedEntity, QueryJoin, QueryState } from './state.js';

/**
 * A join target: a model class, an alias, or a relationship (`User.posts`).
 *
 * @example
 * ```ts
 * import type { JoinTarget } from 'relata';
 *
 * const targets: JoinTarget[] = [Post, User.posts, db.aliased(User)];
 * const posts = await Post.query.join(targets[1]!).all();
 * ```
 */
export type JoinTarget =
  | (abstract new (...args: never[]) => object)
  | AliasedModel
  | RelationshipAttribute
  | Cte
  | SubqueryAlias;

/** The part of a query's state a join changes. */
export type JoinedState = Pick<QueryState, 'joins' | 'entities'>;

/** The joins and entities of `state` (a query of `mapper`) once `target` is joined. */
export function addJoin(
  mapper: Mapper,
  state: QueryState,
  target: JoinTarget,
  on: ColumnElement<boolean> | RelationshipAttribute | undefined,
  outer: boolean,
): JoinedState {
  mapper.registry.configure();
  if (on instanceof RelationshipAttribute) return joinAlong(state, target, on, outer);
  if (on !== undefined) requireElement(on, 'join() ON clause');
  if (target instanceof Cte || target instanceof SubqueryAlias) return joinFrom(mapper, state, target, on, outer);
  if (target instanceof RelationshipAttribute) return joinRelationship(state, target, on, outer);
  let joined: Mapper;
  let right: FromClause;
  if (isAliased(target)) {
    joined = target.__mapper__;
    right = target.__alias__;
  } else if (typeof target === 'function') {
    joined = mapper.registry.mapperOf(target);
    right = joined.inheritance.selectable;
  } else {
    throw new ArgumentError(
      `join() takes a model, aliased(Model) or a relationship like User.posts, got ${typeof target}`,
    );
  }
  const cond = on ?? inferOn(mapper, state.entities, joined, right);
  return {
    joins: [...state.joins, { right, on: cond, outer }],
    entities: [...state.entities, { mapper: joined, from: right }],
  };
}

/**
 * `join(tree, Employee.EmployeeId.eq(tree.c.EmployeeId))`: a CTE or subquery joined by the ON given
 * (it has no foreign keys to infer one from). It selects no entity: its columns filter and order.
 */
function joinFrom(
  mapper: Mapper,
  state: QueryState,
  target: Cte | SubqueryAlias,
  on: ColumnElement<boolean> | undefined,
  outer: boolean,
): JoinedState {
  const what = target instanceof Cte ? 'CTE' : 'subquery';
  if (on === undefined) {
    throw new ArgumentError(
      `${mapper.name} query join(${what} '${target.name}'): pass the ON clause, e.g. join(${target.name}, ${mapper.name}.id.eq(${target.name}.c.id))`,
    );
  }
  return { joins: [...state.joins, { right: target, on, outer }], entities: state.entities };
}

/**
 * `join(Followed, User.following)`: along a relationship, to an alias of its target (SQLAlchemy's
 * `join(target, User.following)`), which a self-referential relationship needs: its target's table
 * is in the query already.
 */
function joinAlong(state: QueryState, target: JoinTarget, attr: RelationshipAttribute, outer: boolean): JoinedState {
  const prop = attr.property;
  const right = isAliased(target) ? target.__alias__ : prop.target.table;
  const joined = isAliased(target)
    ? target.__mapper__
    : typeof target === 'function' && !(target instanceof RelationshipAttribute)
      ? prop.parent.registry.mapperOf(target)
      : null;
  if (joined !== prop.target) {
    throw new ArgumentError(
      `join(target, ${attr}): the target must be ${prop.target.name} or db.aliased(${prop.target.name}), the relationship's target`,
    );
  }
  return joinRelationship(state, attr, undefined, outer, right);
}

function joinRelationship(
  state: QueryState,
  attr: RelationshipAttribute,
  on: ColumnElement<boolean> | undefined,
  outer: boolean,
  given?: FromClause,
): JoinedState {
  const prop = attr.property;
  const as = attr.targetAs;
  if (given && as) throw new ArgumentError(`join(target, ${attr}): give the alias once, as ofType() or as the target`);
  // ofType(): an alias of the target, or a subclass (its tables joined; the ON refers to the base's
  // table inside them, and a single-table subclass's rows are told apart by the discriminator).
  const right = given ?? as?.from ?? prop.target.table;
  const onFrom = given ?? as?.alias ?? prop.target.table;
  const joinedMapper = as?.mapper ?? prop.target;
  const subclassOnly = as && !as.alias ? joinedMapper.inheritance.criterion(prop.target.table) : null;
  const withSubclass = (cond: ColumnElement<boolean>) => (subclassOnly ? and_(cond, subclassOnly) : cond);
  const parent = [...state.entities].reverse().find((e) => e.mapper === prop.parent);
  if (!parent) throw new ArgumentError(`join(${attr}): the query does not select or join ${prop.parent.name}`);
  if (state.entities.some((e) => e.from === right)) {
    throw new ArgumentError(
      `join(${attr}): table '${prop.target.table.name}' is in the query already (a self-referential relationship); ` +
        `join an alias of ${prop.target.name} along it: join(db.aliased(${prop.target.name}, 'other'), ${attr})`,
    );
  }
  const joins: QueryJoin[] = [...state.joins];
  if (prop.secondary) {
    joins.push({ right: prop.secondary, on: prop.secondaryCondition(parent.from, prop.secondary), outer });
    joins.push({ right, on: withSubclass(on ?? prop.targetCondition(prop.secondary, onFrom)), outer });
  } else {
    const cond = prop.joinCondition(parent.from, onFrom);
    joins.push({ right, on: withSubclass(on ? and_(cond, on) : cond), outer });
  }
  return {
    joins,
    entities: [...state.entities, { mapper: joinedMapper, from: as && !as.alias ? joinedMapper.table : onFrom }],
  };
}

/**
 * ON from the single foreign key between the new table and one already in the query (`root` is the
 * queried model, `entities` what the query selects and has joined so far).
 */
function inferOn(
  root: Mapper,
  entities: readonly JoinedEntity[],
  mapper: Mapper,
  right: FromClause,
): ColumnElement<boolean> {
  const candidates: { entity: JoinedEntity; fks: ForeignKey[] }[] = [];
  for (const e of entities) {
    const fks =
      e.mapper.table === mapper.table
        ? e.mapper.table.foreignKeysTo(mapper.table)
        : [...e.mapper.table.foreignKeysTo(mapper.table), ...mapper.table.foreignKeysTo(e.mapper.table)];
    if (fks.length) candidates.push({ entity: e, fks });
  }
  const name = `${root.name} join(${mapper.name})`;
  if (candidates.length === 0) {
    throw new NoForeignKeysError(
      `${name}: no foreign key links table '${mapper.table.name}' to ${entities.map((e) => `'${e.mapper.table.name}'`).join(', ')}; pass the ON clause: join(${mapper.name}, <condition>)`,
    );
  }
  const chosen = candidates.length === 1 ? candidates[0]! : candidates.find((c) => c.entity === entities[0]);
  if (!chosen || chosen.fks.length > 1) {
    const list = candidates.flatMap((c) => c.fks.map((fk) => `${fk.parent.table.name}.${fk.parent.name}`));
    throw new AmbiguousForeignKeysError(
      `${name}: more than one foreign key links the tables (${list.join(', ')}); pass the ON clause, or join along a relationship such as join(${root.name}.<relationship>)`,
    );
  }
  return onForeignKey(chosen.fks[0]!, chosen.entity, mapper, right);
}

/** `fk` as the ON clause between `entity` (already in the query) and `right`, the FROM item of `mapper`. */
function onForeignKey(fk: ForeignKey, entity: JoinedEntity, mapper: Mapper, right: FromClause): ColumnElement<boolean> {
  const leftFrom = entity.from;
  if (
    fk.parent.table === entity.mapper.table &&
    fk.column.table === mapper.table &&
    entity.mapper.table !== mapper.table
  ) {
    return new ColumnRef(fk.parent, leftFrom).eq(new ColumnRef(fk.column, right));
  }
  if (entity.mapper.table === mapper.table) {
    // Self-referential join onto an alias: the alias is the referenced (parent) row.
    return new ColumnRef(fk.parent, leftFrom).eq(new ColumnRef(fk.column, right));
  }
  return new ColumnRef(fk.column, leftFrom).eq(new ColumnRef(fk.parent, right));
}

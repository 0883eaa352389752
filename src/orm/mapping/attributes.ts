/** Class-level attributes: `User.username` (a column expression) and `User.posts` (a relationship). */
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import type { Column } from '../../sql/schema.js';
import type { FromClause, TableAlias } from '../../sql/selectable.js';
import type { Mapper } from './mapper.js';
import type { RelationshipProperty } from './relationships.js';
import type { AliasedModel } from '../query/alias.js';

/**
 * A mapped column on the model class (`User.username`): usable anywhere a SQL expression is (`User.username.eq('x')`), typed with the column's values.
 *
 * @example
 * ```ts
 * import type { ColumnAttribute } from 'relata';
 *
 * const username: ColumnAttribute<string> = User.username;
 * const alice = await User.query.filter(username.eq('alice')).first();
 * console.log(username.key); // 'username'
 * ```
 */
export class ColumnAttribute<T = unknown, K extends string = string> extends ColumnRef<T> {
  constructor(
    column: Column,
    from: FromClause,
    /** @internal The model's mapper. */
    readonly mapper: Mapper,
    /** The attribute's name on the model. */
    readonly key: K,
  ) {
    super(column, from, `${mapper.name}.${key}`);
  }
}

/** @internal What ofType() takes the target as: an alias of its table, or a subclass's rows. */
export interface RelationshipTargetAs {
  readonly mapper: Mapper;
  readonly from: FromClause;
  readonly alias: TableAlias | null;
}

function targetAsOf(prop: RelationshipProperty, target: object): RelationshipTargetAs | null {
  if ('__alias__' in target && '__mapper__' in target) {
    const mapper = target.__mapper__ as Mapper;
    if (mapper !== prop.target) return null;
    const alias = target.__alias__ as TableAlias;
    return { mapper, from: alias, alias };
  }
  if (typeof target !== 'function') return null;
  let mapper: Mapper;
  try {
    mapper = prop.parent.registry.mapperOf(target);
  } catch {
    return null;
  }
  // The target itself, or one of its subclasses.
  return mapper.inheritance.isA(prop.target) ? { mapper, from: mapper.inheritance.selectable, alias: null } : null;
}

function describeTarget(target: object): string {
  if (typeof target === 'function') return `class ${target.name || 'anonymous'}`;
  if ('__mapper__' in target) return `db.aliased(${(target.__mapper__ as Mapper).name})`;
  return typeof target;
}

/**
 * A relationship on the class: pass it to `joinedload(User.posts)`, `join(User.posts)`,
 * or filter with `User.posts.any(...)` / `Post.author.has(...)`.

 * @example
 * ```ts
 * import type { RelationshipAttribute } from 'relata';
 *
 * const posts: RelationshipAttribute<'posts', Post[]> = User.posts;
 * const writers = await User.query.filter(posts.any(Post.views.gt(100))).options(db.selectinload(posts)).all();
 * const byAlice = await Post.query.filter(Post.author.has(User.username.eq('alice'))).all();
 * console.log(String(posts)); // 'User.posts'
 * ```
 */
export class RelationshipAttribute<K extends string = string, S = unknown> {
  /** @internal Tells attributes apart. */
  readonly kind = 'relationship-attribute';
  /** Type-only: the relationship's value once loaded (`Post[]`, `User | null`). */
  declare readonly __shape: S;
  constructor(
    /** @internal What the relationship is: target, direction, keys, cascades. */
    readonly property: RelationshipProperty,
    /** The attribute's name on the model. */
    readonly key: K,
    /** @internal Set by ofType(): the alias or subclass the relationship's target is taken as. */
    readonly targetAs: RelationshipTargetAs | null = null,
  ) {}

  /**
   * The relationship towards an alias of its target (`db.aliased(User)`), or towards a subclass of
   * it (mapped inheritance): SQLAlchemy's `of_type()`. `join(Post.author.ofType(Writer))` joins the
   * alias along the relationship, `containsEager(Post.author.ofType(Writer))` fills the relationship
   * from the alias's columns; `join(Company.staff.ofType(Engineer))` joins the subclass's tables.
   */
  ofType(target: AliasedModel | (abstract new (...args: never[]) => object)): RelationshipAttribute<K, S> {
    const prop = this.property;
    prop.parent.registry.configure();
    const as = targetAsOf(prop, target);
    if (as === null) {
      throw new ArgumentError(
        `${this}.ofType(): expected db.aliased(${prop.target.name}) or a subclass of ${prop.target.name}, got ${describeTarget(target)}`,
      );
    }
    return new RelationshipAttribute<K, S>(prop, this.key, as);
  }

  /** EXISTS (a related row matching `criteria`): for collections. */
  any(criteria?: ColumnElement<boolean>): ColumnElement<boolean> {
    return this.property.exists(criteria, 'any');
  }

  /** EXISTS (the related object matches `criteria`): for many-to-one / one-to-one. */
  has(criteria?: ColumnElement<boolean>): ColumnElement<boolean> {
    return this.property.exists(criteria, 'has');
  }

  /** `Model.key`, as messages name it. */
  toString(): string {
    const as = this.targetAs;
    const of = as ? `.ofType(${as.alias ? `db.aliased(${as.mapper.name}, '${as.alias.name}')` : as.mapper.name})` : '';
    return `${this.property.parent.name}.${this.key}${of}`;
  }
}

/**
 * A polymorphic relationship on the class (`Comment.commentable`, from `db.polymorphicRelationship`):
 * pass it to `selectinload` / `joinedload`, which load each target's table (one SELECT per target
 * table, or one LEFT OUTER JOIN each). It stands for one relationship per target, so it has no
 * single ON clause: join or filter through a target's key column (`Comment.postId.eq(post.id)`).
 *
 * @example
 * ```ts
 * import type { PolymorphicAttribute } from 'relata';
 *
 * class Remark extends db.Model('Remark', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   postId: db.Column(db.Integer, db.ForeignKey('post.id', { ondelete: 'CASCADE' })),
 *   userId: db.Column(db.Integer, db.ForeignKey('user.id', { ondelete: 'CASCADE' })),
 *   about: db.polymorphicRelationship<{ post: Post; user: User }>({ post: 'Post', user: 'User' }),
 * }) {}
 * const attr: PolymorphicAttribute<'about', Post | User | null> = Remark.about;
 * const remarks = await Remark.query.options(db.selectinload(attr)).all();
 * console.log(String(attr), remarks[0]?.about); // 'Remark.about', a Post or a User, loaded
 * ```
 */
export class PolymorphicAttribute<K extends string = string, S = unknown> extends RelationshipAttribute<K, S> {
  readonly #name: string;
  constructor(
    /** @internal The relationship to each target, in declaration order: what loader options expand to. */
    readonly members: readonly RelationshipAttribute[],
    key: K,
  ) {
    super(members[0]!.property, key);
    const name = `${members[0]!.property.parent.name}.${key}`;
    this.#name = name;
    // Joining or filtering through one member's ON clause would silently leave out the others' rows.
    Object.defineProperty(this, 'property', {
      get(): never {
        throw new ArgumentError(
          `${name} is polymorphic (one relationship per target table), so it has no single join: ` +
            `join or filter through one target's key column (e.g. ${name.split('.')[0]}.<target>Id.eq(...))`,
        );
      },
    });
  }

  override toString(): string {
    return this.#name;
  }

  override any(): ColumnElement<boolean> {
    return this.property.exists(undefined, 'any');
  }

  override has(): ColumnElement<boolean> {
    return this.property.exists(undefined, 'has');
  }
}

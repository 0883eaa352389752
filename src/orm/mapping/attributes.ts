/** Class-level attributes: `User.username` (a column expression) and `User.posts` (a relationship). */
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import type { Column } from '../../sql/schema.js';
import type { FromClause } from '../../sql/selectable.js';
import type { Mapper } from './mapper.js';
import type { RelationshipProperty } from './relationships.js';

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
  ) {}

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
    return `${this.property.parent.name}.${this.key}`;
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

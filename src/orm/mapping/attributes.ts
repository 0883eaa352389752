/** Class-level attributes: `User.username` (a column expression) and `User.posts` (a relationship). */
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
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

/** Class-level attributes: `User.username` (a column expression) and `User.posts` (a relationship). */
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
import type { Column } from '../../sql/schema.js';
import type { FromClause } from '../../sql/selectable.js';
import type { Mapper } from './mapper.js';
import type { RelationshipProperty } from './relationships.js';

/** A mapped column: usable anywhere a SQL expression is (`User.username.eq('x')`). */
export class ColumnAttribute<T = unknown> extends ColumnRef<T> {
  constructor(
    column: Column,
    from: FromClause,
    readonly mapper: Mapper,
    readonly key: string,
  ) {
    super(column, from, `${mapper.name}.${key}`);
  }
}

/**
 * A relationship on the class: pass it to `joinedload(User.posts)`, `join(User.posts)`,
 * or filter with `User.posts.any(...)` / `Post.author.has(...)`.
 */
export class RelationshipAttribute<K extends string = string, S = unknown> {
  readonly kind = 'relationship-attribute';
  declare readonly __shape: S;
  constructor(
    readonly property: RelationshipProperty,
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

  toString(): string {
    return `${this.property.parent.name}.${this.key}`;
  }
}

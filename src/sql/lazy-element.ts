/**
 * An expression given by a function and built on first use. A model's computed attributes
 * (`User.fullName`) refer to the model's own columns, which do not exist yet while the model is
 * declared; the attribute stands in for its expression and compiles as it.
 */
import { ArgumentError } from './errors.js';
import { ColumnElement } from './expressions.js';
import type { SqlType } from './types.js';

export class LazyElement<T = unknown> extends ColumnElement<T> {
  readonly kind = 'lazy';
  private built: ColumnElement<T> | null = null;
  constructor(
    private readonly build: () => ColumnElement<T>,
    /** How messages name it (`User.fullName`). */
    private readonly name: string,
  ) {
    super();
  }
  /** The expression, built once. */
  get element(): ColumnElement<T> {
    if (this.built === null) {
      const e = this.build();
      if (!(e instanceof ColumnElement))
        throw new ArgumentError(`${this.name}: the expression function must return a SQL expression, got ${typeof e}`);
      this.built = e;
    }
    return this.built;
  }
  override get sqlType(): SqlType<unknown> | null {
    return this.element.sqlType;
  }
  override describe(): string {
    return this.name;
  }
}

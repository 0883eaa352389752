/**
 * `db.columnProperty(() => expression)`: an attribute the database computes (SQLAlchemy's
 * column_property), selected with the row, read-only, and usable as an expression in queries.
 */
import { ArgumentError } from '../../sql/errors.js';
import { FunctionCall, Label, ScalarSubquery, type ColumnElement } from '../../sql/expressions.js';
import { LazyElement } from '../../sql/lazy-element.js';
import { Integer, type SqlType } from '../../sql/types.js';
import { NotLoadedError } from '../errors.js';
import { STATE, type InstanceState } from '../session/state.js';
import { AttributeDecl, type ReadOnlyAttribute } from './declarative.js';
import type { Mapper } from './mapper.js';

/**
 * A column property on the model class (`Author.fullName`): a SQL expression, for filter and orderBy.
 *
 * @example
 * ```ts
 * import { concat, type ColumnElement, type ColumnProperty } from 'relata';
 *
 * class Member extends db.Model('Member', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   first: db.Column(db.String(40), { nullable: false }),
 *   last: db.Column(db.String(40), { nullable: false }),
 *   full: db.columnProperty((): ColumnElement<string> => concat(Member.first, ' ', Member.last)),
 * }) {}
 * const full: ColumnProperty<string> = Member.full;
 * const adas = await Member.query.filter(full.like('Ada %')).all();
 * ```
 */
export class ColumnProperty<V = unknown> extends LazyElement<V> {
  constructor(
    build: () => ColumnElement<V>,
    /** @internal The model's mapper. */
    readonly mapper: Mapper,
    /** The attribute's name on the model. */
    readonly key: string,
  ) {
    super(build, `${mapper.name}.${key}`);
  }

  /** @internal The SQL type its values are read with: the expression's, a subquery's column's, count()'s Integer. */
  get resultType(): SqlType<unknown> | null {
    return resultTypeOf(this.element);
  }
}

function resultTypeOf(e: ColumnElement): SqlType<unknown> | null {
  if (e instanceof Label) return resultTypeOf(e.element);
  if (e instanceof ScalarSubquery) {
    const first = e.select.columns[0];
    return first ? resultTypeOf(first) : null;
  }
  if (e instanceof FunctionCall && e.name.toLowerCase() === 'count') return Integer;
  return e.sqlType;
}

/** The declaration: `db.columnProperty(() => expression)`. */
export class ColumnPropertyDecl<V> extends AttributeDecl<V, ColumnProperty<V>> implements ReadOnlyAttribute {
  /** Type-only: the instance attribute is read-only. */
  declare readonly __readOnly: true;
  constructor(private readonly build: () => ColumnElement<V>) {
    super();
    if (typeof build !== 'function')
      throw new ArgumentError(
        'columnProperty() takes a function returning the SQL expression, such as () => concat(User.first, User.last)',
      );
  }

  install(mapper: Mapper, key: string): void {
    const attr = new ColumnProperty<V>(this.build, mapper, key);
    mapper.attributes.set(key, attr);
    const list = properties.get(mapper);
    if (list) list.push(attr);
    else properties.set(mapper, [attr as ColumnProperty]);
    const name = `${mapper.name}.${key}`;
    Object.defineProperty(mapper.base.prototype, key, {
      enumerable: true,
      configurable: true,
      get(this: { [STATE]: InstanceState }) {
        const v = this[STATE].v[key];
        if (v !== undefined) return v;
        throw new NotLoadedError(
          `${name} is computed by the database: it is read when the row is flushed or loaded (${this[STATE]} is ${this[STATE].status})`,
        );
      },
      set() {
        throw new ArgumentError(`${name} is a column property: read-only (the database computes it)`);
      },
    });
  }
}

const properties = new WeakMap<Mapper, ColumnProperty[]>();

/** @internal The column properties of a model, in declaration order (empty for most models). */
export function columnPropertiesOf(mapper: Mapper): readonly ColumnProperty[] {
  return properties.get(mapper) ?? NONE;
}

const NONE: readonly ColumnProperty[] = [];

/**
 * What a Query holds: the immutable state every builder method copies and every compiler reads. It is
 * its own module so the builder (query.ts), the SQL it compiles to (compile-query.ts), the cache key of
 * that SQL (load-cache.ts) and the joins (joins.ts) share one definition without importing each other.
 * A new query option (a lock, a CTE, a column selection...) is a field here, read by compile-query.ts;
 * when it changes the SQL or the plan it must also be written into the cache key in load-cache.ts.
 */
import type { ColumnElement, OrderByElement } from '../../sql/expressions.js';
import type { FromClause } from '../../sql/selectable.js';
import type { LockingClause } from '../../sql/locking.js';
import type { LoaderOption } from '../loading/options.js';
import type { Mapper } from '../mapping/mapper.js';
import type { FromStatement } from './from-statement.js';

/** A model the query selects or has joined, with the FROM item (table or alias) it is reached by. */
export interface JoinedEntity {
  readonly mapper: Mapper;
  readonly from: FromClause;
}

/** One JOIN of the query's FROM clause, in the order it was added. */
export interface QueryJoin {
  readonly right: FromClause;
  readonly on: ColumnElement<boolean>;
  readonly outer: boolean;
}

export interface QueryState {
  readonly where: readonly ColumnElement<boolean>[];
  readonly orderBy: readonly OrderByElement[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  readonly joins: readonly QueryJoin[];
  readonly entities: readonly JoinedEntity[];
  readonly options: readonly LoaderOption[];
  /** populateExisting(): rows overwrite the objects already in the identity map (no change to the SQL). */
  readonly populateExisting: boolean;
  /** fromStatement(): the objects come from this statement, not from SQL the query builds (see from-statement.ts). */
  readonly fromStatement: FromStatement | null;
  /**
   * What each row holds when it is a tuple rather than one object (`session.query(User,
   * func.count(Post.id))`, `session.query(User.id, User.username)`): `null` stands for the model's
   * object, anything else is a column. Null for a query of objects.
   */
  readonly selected: readonly (ColumnElement | null)[] | null;
  /** GROUP BY expressions. */
  readonly groupBy: readonly ColumnElement[];
  /** HAVING conditions (AND-ed). */
  readonly having: readonly ColumnElement<boolean>[];
  /** forUpdate(): the rows are locked until the session's transaction ends; null: no lock. */
  readonly locking: LockingClause | null;
  /** Subclasses whose tables are LEFT OUTER JOINed, so their columns come in the same rows (withPolymorphic). */
  readonly polymorphic: readonly Mapper[];
}

/** The state of `mapper`'s query before any method is called: every row of its table. */
export function initialState(mapper: Mapper): QueryState {
  return {
    where: [],
    orderBy: [],
    limit: null,
    offset: null,
    distinct: false,
    joins: [],
    entities: [{ mapper, from: mapper.inheritance.selectable }],
    options: [],
    populateExisting: false,
    fromStatement: null,
    selected: null,
    groupBy: [],
    having: [],
    locking: null,
    polymorphic: [],
  };
}

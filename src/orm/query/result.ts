import type { Query } from './query.js';
import type { QueryStreamOptions } from './stream.js';

/**
 * The result of `session.scalars(stmt)`: await it for the list, or call all()/first()/one().
 *
 * @example
 * ```ts
 * const users = await session.scalars(db.select(User).where(User.email.isNotNull()));
 * const alice = await session.scalars(db.select(User).filterBy({ username: 'alice' })).one();
 * ```
 */
export class ScalarResult<T> implements PromiseLike<T[]> {
  constructor(private readonly query: Query<T>) {}
  /** Every object. */
  all(): Promise<T[]> {
    return this.query.all();
  }
  /** The first object, or null. */
  first(): Promise<T | null> {
    return this.query.first();
  }
  /** Exactly one object, else NoResultFoundError / MultipleResultsFoundError. */
  one(): Promise<T> {
    return this.query.one();
  }
  /** The objects one at a time, read in batches: see Query.stream(). */
  stream(options?: QueryStreamOptions): AsyncIterableIterator<T> {
    return this.query.stream(options);
  }
  then<A = T[], B = never>(
    onfulfilled?: ((v: T[]) => A | PromiseLike<A>) | null,
    onrejected?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }
}

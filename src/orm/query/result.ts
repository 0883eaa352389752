import type { Query } from './query.js';

/** The result of `session.scalars(stmt)`: await it for the list, or call all()/first()/one(). */
export class ScalarResult<T> implements PromiseLike<T[]> {
  constructor(private readonly query: Query<T>) {}
  all(): Promise<T[]> {
    return this.query.all();
  }
  first(): Promise<T | null> {
    return this.query.first();
  }
  one(): Promise<T> {
    return this.query.one();
  }
  then<A = T[], B = never>(
    onfulfilled?: ((v: T[]) => A | PromiseLike<A>) | null,
    onrejected?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }
}

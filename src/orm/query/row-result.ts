/**
 * The result of `session.execute(select(...))`: the statement runs at once (in the session's call
 * order), and its rows come back as objects keyed by name (await it), as tuples (`tuples()`) or as the
 * first column's values (`scalars()`), each typed from the selected columns.
 */
import { ArgumentError } from '../../sql/errors.js';
import { MultipleResultsFoundError, NoResultFoundError } from '../errors.js';

/** Rows as the driver gave them, already converted through their columns' types. */
export interface ConvertedRows {
  /** Each row's values, in select order. */
  readonly values: readonly unknown[][];
  /** Each column's name in object rows (its label, attribute key or `col_<n>`). */
  readonly names: readonly string[];
  /** How errors name each column (`User.id`). */
  readonly described: readonly string[];
}

/**
 * Rows of a column select, typed: `R` an object row, `T` the tuple row. Await it for objects.
 *
 * @example
 * ```ts
 * import { func, select } from 'relata';
 *
 * const stmt = select(User.id, func.count(Post.id).label('posts')).outerJoin(Post.__table__).groupBy(User.id);
 * const rows = await session.execute(stmt); // { id: number; posts: number }[]
 * const tuples = await session.execute(stmt).tuples(); // [number, number][]
 * const ids = await session.execute(stmt).scalars(); // number[]
 * ```
 */
export class RowResult<R, T extends readonly unknown[]> implements PromiseLike<R[]> {
  constructor(private readonly rows: Promise<ConvertedRows>) {}

  /** Every row as an object keyed by label or attribute key. */
  all(): Promise<R[]> {
    return this.rows.then(toObjects) as Promise<R[]>;
  }

  /** Every row as a tuple, in select order. */
  tuples(): Promise<T[]> {
    return this.rows.then((r) => r.values) as Promise<never>;
  }

  /** The first column of every row. */
  scalars(): Promise<T[0][]> {
    return this.rows.then((r) => r.values.map((v) => v[0])) as Promise<T[0][]>;
  }

  /** The first row, or null. */
  async first(): Promise<R | null> {
    return (await this.all())[0] ?? null;
  }

  /** Exactly one row, else NoResultFoundError / MultipleResultsFoundError. */
  async one(): Promise<R> {
    const rows = await this.all();
    if (rows.length === 0) throw new NoResultFoundError('select(): no row found for one()');
    if (rows.length > 1) throw new MultipleResultsFoundError(`select(): ${rows.length} rows found for one()`);
    return rows[0]!;
  }

  then<A = R[], B = never>(
    onfulfilled?: ((rows: R[]) => A | PromiseLike<A>) | null,
    onrejected?: ((err: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }

  /** As a Promise's catch(). */
  catch<B = never>(onrejected?: ((err: unknown) => B | PromiseLike<B>) | null): Promise<R[] | B> {
    return this.all().catch(onrejected);
  }
}

/** Object rows; two columns of one name would overwrite each other, so that is refused. */
function toObjects(rows: ConvertedRows): Record<string, unknown>[] {
  const { names, values } = rows;
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined)
      throw new ArgumentError(
        `select(): ${rows.described[first]} and ${rows.described[i]} are both '${n}' in an object row; ` +
          `label one (.label('other')) or read the rows with .tuples()`,
      );
    seen.set(n, i);
  });
  return values.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]!] = row[i];
    return out;
  });
}

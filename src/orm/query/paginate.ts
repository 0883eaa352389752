/**
 * `query.paginate()`: Flask-SQLAlchemy's page of results, its argument checks and the page arithmetic.
 * It runs the query through two callbacks, so it needs no Query class (and imports none).
 */
import { ArgumentError } from '../../sql/errors.js';

/**
 * One page of a query's results, from `query.paginate({ page, perPage })` (Flask-SQLAlchemy's shape).
 *
 * @example
 * ```ts
 * const page = await Post.query.orderBy(Post.id).paginate({ page: 2, perPage: 10 });
 * console.log(page.items.length, page.total, page.pages, page.hasNext ? page.nextNum : 'last page');
 * ```
 */
export interface Pagination<T> {
  /** The objects of this page (at most `perPage`). */
  readonly items: T[];
  /** How many objects the query returns over all pages. */
  readonly total: number;
  /** This page's number, from 1. */
  readonly page: number;
  /** The page size asked for. */
  readonly perPage: number;
  /** How many pages there are (0 when the query returns nothing). */
  readonly pages: number;
  /** Whether a page follows this one. */
  readonly hasNext: boolean;
  /** Whether a page precedes this one. */
  readonly hasPrev: boolean;
  /** The next page's number, or null on the last page. */
  readonly nextNum: number | null;
  /** The previous page's number, or null on the first page. */
  readonly prevNum: number | null;
}

/** How paginate() runs the query: one page of objects, then the total over all pages. */
export interface PageSource<T> {
  items(limit: number, offset: number): Promise<T[]>;
  total(): Promise<number>;
}

/** The page `page` of `perPage` objects, with the total and the page numbers around it. */
export async function paginate<T>(page: number, perPage: number, source: PageSource<T>): Promise<Pagination<T>> {
  if (!Number.isInteger(page) || page < 1)
    throw new ArgumentError(`paginate(): page must be an integer ≥ 1, got ${String(page)}`);
  if (!Number.isInteger(perPage) || perPage < 1)
    throw new ArgumentError(`paginate(): perPage must be an integer ≥ 1, got ${String(perPage)}`);
  const items = await source.items(perPage, (page - 1) * perPage);
  const total = await source.total();
  const pages = Math.ceil(total / perPage);
  return {
    items,
    total,
    page,
    perPage,
    pages,
    hasNext: page < pages,
    hasPrev: page > 1,
    nextNum: page < pages ? page + 1 : null,
    prevNum: page > 1 ? page - 1 : null,
  };
}

/**
 * SQLite streaming: better-sqlite3's stmt.iterate(), stepped one batch per next(). The statement is
 * prepared for the cursor alone (not taken from the connection's cache), so its raw and safeIntegers
 * modes are its own. While an iterator is open better-sqlite3 runs other reads on the connection (the
 * stream's eager and lazy loads) but refuses writes; close() returns the iterator, which resets it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { DataError } from '../../sql/errors.js';
import type { CursorSharing, RowCursor } from '../dialect.js';

type Stmt = BetterSqlite3.Statement<unknown[], unknown>;

export class SqliteCursor implements RowCursor {
  readonly allows: CursorSharing = 'reads';
  private done = false;

  constructor(
    private readonly rows: IterableIterator<unknown>,
    private readonly batchSize: number,
    /** Per result column, whether it is read as an exact bigint; null when every integer is a number. */
    private readonly exact: readonly boolean[] | null,
    private readonly mapError: (err: unknown) => Error,
  ) {}

  static open(
    stmt: Stmt,
    params: readonly unknown[],
    batchSize: number,
    exact: readonly boolean[] | null,
    mapError: (err: unknown) => Error,
  ): SqliteCursor {
    stmt.raw(true);
    if (exact) stmt.safeIntegers(true);
    return new SqliteCursor(stmt.iterate(...params), batchSize, exact, mapError);
  }

  async next(): Promise<unknown[][]> {
    const out: unknown[][] = [];
    if (this.done) return out;
    try {
      while (out.length < this.batchSize) {
        const step = this.rows.next();
        if (step.done) {
          this.done = true;
          break;
        }
        const row = step.value as unknown[];
        if (this.exact) numbersWhereInexactAllowed(row, this.exact);
        out.push(row);
      }
    } catch (err) {
      await this.close();
      throw this.mapError(err);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.rows.return?.();
  }
}

/** Bigints back to numbers in the columns that are not BigInteger (`exact`), refusing a lossy one. */
export function numbersWhereInexactAllowed(row: unknown[], exact: readonly boolean[]): void {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v !== 'bigint' || exact[i]) continue;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DataError(
        `integer ${v} in result column ${i + 1} does not fit a JS number exactly; declare the column BigInteger`,
      );
    }
    row[i] = Number(v);
  }
}

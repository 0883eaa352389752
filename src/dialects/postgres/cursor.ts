/**
 * A PostgreSQL server-side cursor: DECLARE … CURSOR FOR the SELECT, then FETCH FORWARD n per batch,
 * CLOSE at the end. Chosen over pg-cursor (a portal read with Execute's row limit) because it needs
 * no dependency, goes through the connection's ordinary query path (type parsers, error mapping,
 * broken-connection handling), lets other statements run on the same connection between batches, and
 * is what CockroachDB and YugabyteDB accept too. A cursor lives only inside a transaction, which also
 * makes it safe behind PgBouncer in transaction mode: the server connection stays with the client
 * until COMMIT. The engine begins that transaction when none is open (cursorNeedsTransaction).
 */
import type { CursorSharing, RowCursor } from '../dialect.js';

/** What the cursor needs of its connection: a statement run as execute() runs it, unnamed. */
export interface CursorHost {
  cursorStatement(sql: string, params: readonly unknown[]): Promise<unknown[][]>;
  readonly usable: boolean;
  readonly inTransaction: boolean;
}

export class PostgresCursor implements RowCursor {
  readonly allows: CursorSharing = 'everything';
  readonly fetchSql: string;
  readonly closeSql: string;
  private exhausted = false;
  private closed = false;
  /** A failed FETCH aborted the transaction: CLOSE would only fail again. */
  private failed = false;

  private constructor(
    private readonly host: CursorHost,
    name: string,
    private readonly batchSize: number,
  ) {
    const quoted = `"${name}"`;
    this.fetchSql = `FETCH FORWARD ${batchSize} FROM ${quoted}`;
    this.closeSql = `CLOSE ${quoted}`;
  }

  static async open(
    host: CursorHost,
    name: string,
    sql: string,
    params: readonly unknown[],
    batchSize: number,
  ): Promise<PostgresCursor> {
    // NO SCROLL: reading forward only lets PostgreSQL skip keeping rows it has sent.
    await host.cursorStatement(`DECLARE "${name}" NO SCROLL CURSOR FOR ${sql}`, params);
    return new PostgresCursor(host, name, batchSize);
  }

  async next(): Promise<unknown[][]> {
    if (this.exhausted || this.closed) return [];
    let rows: unknown[][];
    try {
      rows = await this.host.cursorStatement(this.fetchSql, []);
    } catch (err) {
      this.failed = true;
      throw err;
    }
    if (rows.length < this.batchSize) this.exhausted = true;
    return rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Gone with its transaction (ended, aborted or lost): nothing to close.
    if (this.failed || !this.host.usable || !this.host.inTransaction) return;
    await this.host.cursorStatement(this.closeSql, []);
  }
}

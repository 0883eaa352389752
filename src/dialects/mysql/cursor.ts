/**
 * Row streaming on MySQL/MariaDB: the prepared statement's rows are read as they arrive (mysql2's
 * row events, its query().stream() without the Readable), and the socket is paused once a batch is
 * buffered, so the server waits (TCP flow control) and memory holds one batch. MySQL has no way to
 * stop a result half way but to read it or kill the query, so close() reads the rest and discards
 * it: breaking out of a stream of a million rows early still reads them, in flat memory. The
 * connection can run nothing else until then.
 */
import type { CursorSharing, RowCursor } from '../dialect.js';

/** The callback-style mysql2 connection under a pool connection, as far as streaming uses it. */
export interface StreamingConnection {
  execute(sql: string, values: unknown[]): RowEvents;
  pause(): void;
  resume(): void;
}

interface RowEvents {
  on(event: 'result', listener: (row: unknown[]) => void): this;
  on(event: 'fields', listener: () => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export class MysqlCursor implements RowCursor {
  readonly allows: CursorSharing = 'nothing';
  private buffer: unknown[][] = [];
  private ended = false;
  private error: Error | null = null;
  private paused = false;
  /** Whoever waits for rows, the end, or an error. */
  private wake: (() => void) | null = null;
  /** Rows of a closed cursor are read and dropped. */
  private discarding = false;

  private constructor(
    private readonly core: StreamingConnection,
    private readonly batchSize: number,
    /** Maps a driver error (marking the connection broken when it is). */
    private readonly mapError: (err: Error) => Error,
  ) {}

  /** Sends the statement; resolves once the server answered with its columns (or failed). */
  static async open(
    core: StreamingConnection,
    sql: string,
    params: readonly unknown[],
    batchSize: number,
    mapError: (err: Error) => Error,
  ): Promise<MysqlCursor> {
    const cursor = new MysqlCursor(core, batchSize, mapError);
    let answered = false;
    await new Promise<void>((resolve, reject) => {
      const answer = (): void => {
        if (answered) return;
        answered = true;
        if (cursor.error) reject(cursor.error);
        else resolve();
      };
      core
        .execute(sql, params as unknown[])
        .on('fields', answer)
        .on('result', (row) => cursor.push(row))
        .on('end', () => cursor.finish(null, answer))
        .on('error', (err) => cursor.finish(err, answer));
    });
    return cursor;
  }

  private push(row: unknown[]): void {
    if (this.discarding) return;
    this.buffer.push(row);
    if (this.buffer.length >= this.batchSize && !this.paused) {
      this.paused = true;
      this.core.pause();
    }
    this.notify();
  }

  private finish(err: Error | null, answer: () => void): void {
    this.ended = true;
    if (err) this.error = this.mapError(err);
    answer();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.core.resume();
  }

  async next(): Promise<unknown[][]> {
    while (this.buffer.length < this.batchSize && !this.ended) await this.more();
    if (this.error && !this.discarding) {
      this.buffer = [];
      throw this.error;
    }
    const rows = this.buffer.length <= this.batchSize ? this.buffer : this.buffer.slice(0, this.batchSize);
    this.buffer = this.buffer.length <= this.batchSize ? [] : this.buffer.slice(this.batchSize);
    return rows;
  }

  async close(): Promise<void> {
    this.discarding = true;
    this.buffer = [];
    while (!this.ended) await this.more();
  }

  /** Lets rows flow until some arrive; resuming may deliver queued ones at once, before anyone waits. */
  private async more(): Promise<void> {
    const had = this.buffer.length;
    this.resume();
    if (this.buffer.length !== had || this.ended) return;
    await new Promise<void>((resolve) => (this.wake = resolve));
  }
}

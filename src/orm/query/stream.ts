/**
 * query.stream(): a query's objects read in batches from a cursor (SQLAlchemy's `yield_per`), each
 * batch turned into objects through the identity map with its eager loads done (one selectin IN query
 * per relationship per batch) before its objects are handed out. Rows of one parent with a joined
 * collection stay together: the query is ordered by the parent's key after its own ORDER BY, and a
 * parent whose rows reach the end of a batch waits for the next one.
 */
import { batchSizeOf, type RowStreamOptions } from '../../engine/cursor.js';
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, isBoolean, type OptionTable } from '../../sql/options.js';
import { LoadContext, rowKey, type LoadBatch } from '../loading/context.js';
import type { EntityPlan } from '../loading/planner.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import type { SessionCursor } from '../session/transaction-state.js';
import type { InstanceState } from '../session/state.js';
import { prepareLoad } from './load-cache.js';
import { byPrimaryKey } from './compile-query.js';
import { loadBatch, objectsFromRows } from './terminal.js';
import type { QueryState } from './state.js';

/**
 * Options of `query.stream()`.
 *
 * @example
 * ```ts
 * import type { QueryStreamOptions } from 'relata';
 *
 * const options: QueryStreamOptions = { batchSize: 500, expunge: true };
 * for await (const user of User.query.orderBy(User.id).stream(options)) console.log(user.username);
 * ```
 */
export interface QueryStreamOptions extends RowStreamOptions {
  /**
   * When true, once the loop moves past a batch, the objects that batch loaded (its eager loads
   * included) leave the session unless they have changes to flush: memory holds about one batch
   * however many rows stream. They become detached, as session.expunge() leaves them. Default false:
   * every object stays in the session's identity map, as all() keeps them.
   */
  readonly expunge?: boolean;
}

const isPositiveInteger = (v: unknown): string | null =>
  Number.isInteger(v) && (v as number) > 0 ? null : 'must be a positive integer';

const streamOptionTable = {
  known: { batchSize: isPositiveInteger, expunge: isBoolean },
  refused: {
    yield_per: "spelled 'batchSize' in Relata",
    yieldPer: "spelled 'batchSize' in Relata",
    stream_results: 'stream() always streams from the database (a cursor, row streaming or stepping)',
    max_row_buffer: "the buffer is the batch: set 'batchSize'",
  },
} as const satisfies OptionTable<QueryStreamOptions>;

/** Checks `options` before any SQL runs (a generator's body would only run at the first iteration). */
export function checkStreamOptions(mapper: Mapper, options: QueryStreamOptions): number {
  const where = `${mapper.name} query stream()`;
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`${where} takes an options object`);
  checkOptions(options, streamOptionTable, where, ArgumentError);
  return batchSizeOf(options, where);
}

/** The query's objects, batch by batch; the cursor and its connection are released when the loop ends, breaks or throws. */
export async function* streamObjects<T>(
  session: Session,
  mapper: Mapper,
  state: QueryState,
  batchSize: number,
  expunge: boolean,
): AsyncGenerator<T, void, undefined> {
  const opened = await session.run(() => openStream(session, mapper, state, batchSize));
  const reader = new BatchReader<T>(session, opened.plan, opened.planCount, state, opened.groupsParents, expunge);
  try {
    for (;;) {
      const objects = await session.run(() => reader.read(opened.cursor));
      if (objects === null) return;
      yield* objects;
      if (expunge) reader.expungeBatch();
    }
  } finally {
    // Not through run(): a session that failed mid-stream must still give its cursor back.
    await session.exclusive(() => opened.cursor.close());
  }
}

interface OpenedStream {
  readonly cursor: SessionCursor;
  readonly plan: EntityPlan;
  readonly planCount: number;
  /** True when a joined collection spreads a parent over several rows, which must stay in one batch. */
  readonly groupsParents: boolean;
}

async function openStream(
  session: Session,
  mapper: Mapper,
  state: QueryState,
  batchSize: number,
): Promise<OpenedStream> {
  if (session.autoflush && session.isDirty) await session.flushNow();
  let { plan, planCount, statement } = prepareLoad(session, mapper, state);
  const groupsParents = hasJoinedCollection(plan);
  if (groupsParents) {
    // Unique order, so one parent's rows are adjacent (SQLAlchemy refuses yield_per with joined collections instead).
    ({ plan, planCount, statement } = prepareLoad(session, mapper, {
      ...state,
      orderBy: [...state.orderBy, ...byPrimaryKey(mapper, state)],
    }));
  }
  const cursor = await session.openStream(statement, batchSize);
  return { cursor, plan, planCount, groupsParents };
}

function hasJoinedCollection(plan: EntityPlan): boolean {
  return plan.joined.some((j) => j.prop.uselist || hasJoinedCollection(j.plan));
}

/** Reads one batch of rows into objects at a time. */
class BatchReader<T> {
  /** Rows of the last parent of the previous batch, whose joined rows may go on in the next one. */
  private carry: unknown[][] = [];
  private done = false;
  private batch: LoadBatch | null = null;

  constructor(
    private readonly session: Session,
    private readonly plan: EntityPlan,
    private readonly planCount: number,
    private readonly state: QueryState,
    private readonly groupsParents: boolean,
    /** Whether each batch records what it created, for expungeBatch(). */
    private readonly expunges: boolean,
  ) {}

  /** The next batch's objects, eager loads done; null when the rows are all read. */
  async read(cursor: SessionCursor): Promise<T[] | null> {
    for (;;) {
      if (this.done) return this.carry.length ? this.objectsOf(this.takeCarry()) : null;
      const rows = await cursor.next();
      if (rows.length === 0) {
        this.done = true;
        continue;
      }
      const ready = this.groupsParents ? this.holdBackLastParent(rows) : rows;
      if (ready.length > 0) return this.objectsOf(ready);
    }
  }

  private takeCarry(): unknown[][] {
    const rows = this.carry;
    this.carry = [];
    return rows;
  }

  /** The rows before the last parent's; that parent's rows wait (with any carried before) for the next batch. */
  private holdBackLastParent(rows: unknown[][]): unknown[][] {
    const all = this.carry.length ? [...this.carry, ...rows] : rows;
    const last = rowKey(this.plan, all[all.length - 1]!);
    let i = all.length - 1;
    while (i > 0 && rowKey(this.plan, all[i - 1]!) === last) i--;
    this.carry = all.slice(i);
    return all.slice(0, i);
  }

  private objectsOf(rows: unknown[][]): Promise<T[]> {
    const { session, state } = this;
    const batch = loadBatch(this.plan.mapper, state);
    if (this.expunges) batch.created = [];
    this.batch = batch;
    const ctx = new LoadContext(session, batch, this.planCount);
    return objectsFromRows<T>(session, ctx, batch, this.plan, rows, state);
  }

  /** The last batch's objects leave the session, but those with changes a flush must write. */
  expungeBatch(): void {
    const created = this.batch?.created;
    if (!created) return;
    this.batch!.created = null;
    const session = this.session;
    for (const st of created) if (st.session === session && isClean(session, st)) session.expunge(st.obj);
  }
}

function isClean(session: Session, st: InstanceState): boolean {
  return (
    st.status === 'persistent' &&
    !session.changed.has(st) &&
    !session.toDelete.has(st) &&
    !session.pendingOwners.has(st) &&
    st.pendingMutations === null
  );
}

/**
 * The unit of work: turns the session's changes into SQL at flush, as a sequence — collect
 * (cascades.ts, load-replaced.ts, dependency.ts fill the plan), order (flush-order.ts), execute
 * (persistence.ts), then finish, or restore after a failure (flush-journal.ts). Parents are inserted
 * before children (table dependency order, then row order for self-references), INSERTs are batched
 * with RETURNING for generated keys, UPDATEs carry only changed columns, DELETEs run in reverse
 * (children first, also among the rows of one self-referential table).
 */
import { FlushError } from '../errors.js';
import type { Mapper } from '../mapping/mapper.js';
import { cascadeDeletes, cascadeSaves } from './cascades.js';
import { collectRelationshipChanges } from './dependency.js';
import { FlushJournal, restoreSnapshots, snapshot, type Snapshot } from './flush-journal.js';
import {
  byMapper,
  cycleRelationships,
  deletionLevels,
  dependsOnPending,
  flushMapperOrder,
  insertionLevel,
  mapperOrder,
} from './flush-order.js';
import { clearPostUpdateKeys, writePostUpdates } from './post-update.js';
import { FlushPlan, type FlushContext } from './flush-plan.js';
import { loadReplaced } from './load-replaced.js';
import { deleteRows, insertBatch, update, writeAssociations } from './persistence.js';
import { readColumnProperties } from './computed-readback.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';

/** One flush of a session: created by Session.flush, used once. */
export class UnitOfWork {
  private readonly plan = new FlushPlan();
  private readonly journal = new FlushJournal();
  private readonly ctx: FlushContext;
  /** Objects changed by other code while this flush ran: their values are compared with what was written. */
  private readonly touched = new Set<InstanceState>();

  constructor(private readonly session: Session) {
    this.ctx = { session, plan: this.plan, journal: this.journal };
  }

  /** True once relationship changes are collected: new objects' collection changes are tracked from then on. */
  get collected(): boolean {
    return this.plan.collected;
  }

  /** @internal An attribute of `st` changed while this flush runs. */
  noteTouched(st: InstanceState): void {
    this.touched.add(st);
  }

  /** Collect, then execute in one go; a failure before execution gives back what was taken, one during it restores. */
  async flush(): Promise<void> {
    this.session.registry.configure();
    cascadeSaves(this.ctx, this.journal.take(this.session));
    try {
      await cascadeDeletes(this.ctx);
      await loadReplaced(this.ctx);
      collectRelationshipChanges(this.ctx);
    } catch (err) {
      this.journal.giveBack(this.session, this.plan.inserts);
      this.plan.keys.release();
      throw err;
    }
    const snapshots = snapshot([this.plan.updates, this.plan.keys.children]);
    try {
      await this.execute();
    } catch (err) {
      this.restore(snapshots);
      throw err;
    }
    this.finish();
  }

  /** Per table in dependency order: UPDATEs, INSERTs, late UPDATEs; then association rows; then DELETEs in reverse order. */
  private async execute(): Promise<void> {
    const { plan, ctx } = this;
    const order = flushMapperOrder(this.session, plan.keys.children);
    if (order) await this.saveInOrder(order);
    else await this.saveByRows();
    await writePostUpdates(ctx);
    await writeAssociations(ctx);
    await clearPostUpdateKeys(ctx);
    // Column properties of the rows written are computed anew by the database: read them back.
    await readColumnProperties(this.session, [...plan.inserts, ...plan.updates]);
    const deletesBy = byMapper(plan.deletes, (s) => s.status === 'persistent');
    for (const mapper of [...(order ?? mapperOrder(this.session))].reverse()) {
      await this.deleteAll(mapper, deletesBy.get(mapper) ?? []);
    }
  }

  private pendingInserts(): InstanceState[] {
    return this.plan.inserts.filter((s) => s.status === 'pending' && !this.plan.deletes.has(s));
  }

  private async saveInOrder(order: readonly Mapper[]): Promise<void> {
    const { plan, ctx } = this;
    const updatesBy = byMapper(plan.updates, () => true);
    const insertsBy = byMapper(this.pendingInserts(), () => true);
    for (const mapper of order) {
      // UPDATEs before INSERTs, as SQLAlchemy does: a replaced one-to-one child must give up its
      // (unique) key before the new one takes it. Updates pointing at a row inserted now wait.
      const updates = updatesBy.get(mapper) ?? [];
      const late = updates.filter((s) => dependsOnPending(s));
      for (const st of updates) if (!late.includes(st)) await update(ctx, st);
      await this.insertAll(mapper, insertsBy.get(mapper) ?? []);
      for (const st of late) await update(ctx, st);
    }
  }

  /**
   * The rows' keys go round between mappers (a user whose favourite is another user's post): the
   * UPDATEs that wait for nothing, then the INSERTs level by level across mappers (each level one
   * batch per mapper, in table order), then the UPDATEs that waited.
   */
  private async saveByRows(): Promise<void> {
    const { plan, ctx } = this;
    const tableOrder = mapperOrder(this.session);
    const rank = new Map(tableOrder.map((m, i) => [m, i]));
    const updates = [...plan.updates].sort((a, b) => rank.get(a.mapper)! - rank.get(b.mapper)!);
    const late = updates.filter((s) => dependsOnPending(s));
    for (const st of updates) if (!late.includes(st)) await update(ctx, st);
    let remaining = this.pendingInserts();
    while (remaining.length) {
      const { ready, later } = insertionLevel(remaining);
      if (ready.length === 0) throw rowCycleError(later);
      const levelBy = byMapper(ready, () => true);
      for (const mapper of tableOrder) {
        const batch = levelBy.get(mapper);
        if (batch) await insertBatch(ctx, mapper, batch);
      }
      remaining = later;
    }
    for (const st of late) await update(ctx, st);
  }

  private async insertAll(mapper: Mapper, states: InstanceState[]): Promise<void> {
    // Self-referential rows: insert the referenced ones first, level by level.
    let remaining = states;
    while (remaining.length) {
      const { ready, later } = insertionLevel(remaining);
      if (ready.length === 0) throw rowCycleError(later);
      await insertBatch(this.ctx, mapper, ready);
      remaining = later;
    }
  }

  private async deleteAll(mapper: Mapper, states: InstanceState[]): Promise<void> {
    if (states.length === 0) return;
    for (const level of deletionLevels(mapper, states)) await deleteRows(this.ctx, mapper, level);
  }

  /** A failed flush leaves every object as it was before the flush (the transaction is rolled back by the session). */
  private restore(snaps: Map<InstanceState, Snapshot>): void {
    this.journal.undoWrites(this.session);
    for (const st of this.plan.inserts) {
      if (st.status === 'transient') continue; // an orphan expunged by this flush stays out
      st.status = 'pending';
      st.key = undefined;
    }
    this.journal.giveBack(this.session, this.plan.inserts);
    restoreSnapshots(snaps);
    this.plan.keys.release();
  }

  /** A written flush: objects forget their originals, changes made meanwhile wait for the next flush. */
  private finish(): void {
    const session = this.session;
    for (const set of [this.plan.inserts, this.plan.updates, this.plan.keys.children]) {
      for (const st of set) {
        if (this.touched.has(st)) this.journal.reconcile(st);
        else st.orig = null;
        // Relationship changes made while the flush ran (it took the earlier ones) wait for the next.
        if (st.status === 'persistent' && st.hasChanges) session.changed.add(st);
      }
    }
    this.plan.keys.release();
    for (const st of this.plan.deletes) session.toDelete.delete(st);
    // Written now: a collection loaded from here on reads them from the database.
    const owners = this.journal.pendingOwners;
    if (owners) session.dropPendingMutations(owners);
  }
}

/** Rows none of which can be inserted first: each needs another's key. Names the relationships and the fix. */
function rowCycleError(waiting: readonly InstanceState[]): FlushError {
  const models = [...new Set(waiting.map((st) => st.mapper.name))].join(', ');
  return new FlushError(
    `rows of ${models} depend on each other in a cycle through ${cycleRelationships(waiting).join(', ')}: ` +
      `each needs another's key before its INSERT. Set postUpdate: true on one of these relationships ` +
      `(SQLAlchemy's post_update): its key is then written by an UPDATE after the INSERTs`,
  );
}

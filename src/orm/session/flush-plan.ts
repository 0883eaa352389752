/**
 * What one flush is to write, shared by the parts of the unit of work: cascades and the dependency
 * rules fill it (objects to insert, update and delete, foreign keys to set, association rows),
 * flush-order.ts orders it, persistence.ts writes it. `FlushContext` is the one object those parts
 * are handed, so none of them needs the UnitOfWork class.
 */
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushJournal } from './flush-journal.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import { ForeignKeyAssignments } from './sync.js';

/** A row of a many-to-many's association table, linking `parent` to `child` through `prop`. */
export interface AssociationRow {
  readonly prop: RelationshipProperty;
  readonly parent: InstanceState;
  readonly child: InstanceState;
}

/** Every association row of `parent` through `prop` (the parent is deleted). */
export interface AssociationClear {
  readonly prop: RelationshipProperty;
  readonly parent: InstanceState;
}

/** The objects, keys and association rows one flush writes; filled before it executes. */
export class FlushPlan {
  /** Objects to insert, in cascade order; one that stops being pending meanwhile (an orphan) is skipped. */
  readonly inserts: InstanceState[] = [];
  readonly updates = new Set<InstanceState>();
  readonly deletes = new Set<InstanceState>();
  readonly keys = new ForeignKeyAssignments();
  readonly associationInserts: AssociationRow[] = [];
  readonly associationDeletes: AssociationRow[] = [];
  readonly associationClears: AssociationClear[] = [];
  /** True once relationship changes are collected: new objects' collection changes are tracked from then on. */
  collected = false;

  /** `child`'s foreign key of `prop` is to refer to `parent` (null: cleared); a persistent child is updated. */
  assign(child: InstanceState, prop: RelationshipProperty, parent: InstanceState | null): void {
    this.keys.set(child, prop, parent);
    if (child.status === 'persistent' && !this.deletes.has(child)) this.updates.add(child);
  }
}

/** What the parts of one flush share: its session, its plan and its journal. */
export interface FlushContext {
  readonly session: Session;
  readonly plan: FlushPlan;
  readonly journal: FlushJournal;
}

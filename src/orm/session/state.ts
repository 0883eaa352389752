/** Per-instance bookkeeping: column values, what changed, what is loaded, which session owns it. */
import type { Mapper } from '../mapping/mapper.js';
import type { LoadBatch } from '../loading/context.js';
import type { Session } from './session.js';
import type { LoadStrategy } from '../loading/options.js';
import type { RelationshipProperty } from '../mapping/relationships.js';

export const STATE: unique symbol = Symbol('relata.state');

/**
 * The value a one-to-one held before it was assigned without being loaded (in `scalarChanges`):
 * the flush loads it then, so that row lets go of the key (see session/load-replaced.ts).
 */
export const NOT_LOADED: unique symbol = Symbol('relata.notLoaded');

export type Status = 'transient' | 'pending' | 'persistent' | 'deleted' | 'detached';

/** Changes to one collection since it was loaded or last flushed. */
export interface CollectionChanges {
  readonly added: Set<object>;
  readonly removed: Set<object>;
  /**
   * The collection was assigned whole before it was loaded: `added` and `removed` are relative
   * to the members memory knew of, and the flush loads the database's rows to make them exact.
   */
  replacedUnloaded?: boolean;
}

/** @internal A foreign key a flush copies into a row: its `childKeys` from `parent`'s `parentKeys` (NULL without one). */
export interface FkAssignment {
  readonly childKeys: readonly string[];
  readonly parentKeys: readonly string[];
  /** Identifies the child columns: a later assignment to the same columns replaces an earlier one. */
  readonly sig: string;
  readonly parent: InstanceState | null;
  /** The relationship the key is copied for, to name it (a cycle's FlushError). */
  readonly prop: RelationshipProperty;
  /** Written by its own UPDATE after the INSERTs (postUpdate on the relationship or its reverse side). */
  readonly postUpdate: boolean;
}

export class InstanceState {
  /** Column values by attribute key. */
  v: Record<string, unknown>;
  /** Values before modification, for changed keys only (null when nothing changed). */
  orig: Record<string, unknown> | null = null;
  /** Values as of the transaction start for keys flushed in this transaction, for rollback. */
  txnOrig: Record<string, unknown> | null = null;
  /**
   * Column keys not loaded (deferred columns, columns a query's options left out); null when every
   * column is loaded. Shared between the objects of one load: replaced, never changed in place.
   */
  unloaded: ReadonlySet<string> | null = null;
  /** Loaded relationship values by key; a key that is absent is not loaded. */
  rel: Record<string, unknown> | null = null;
  /** Collection changes by relationship key, and scalar relationships set since the last flush. */
  collectionChanges: Map<string, CollectionChanges> | null = null;
  /** Scalar relationships set since the last flush, with the value each held before. */
  scalarChanges: Map<string, unknown> | null = null;
  /**
   * Backref changes to collections that are not loaded (SQLAlchemy's pending mutations): shown
   * when the collection loads, merged onto the rows read. The flush writes them from the other
   * side (each item's own many-to-one, or the many-to-many's collection), so they are not changes here.
   */
  pendingMutations: Map<string, CollectionChanges> | null = null;
  /**
   * Column attributes expired by session.expire()/expireAll(), or whose row a query found deleted
   * (absent from `v`): reading one throws ExpiredAttributeError until refresh(), get() or a query
   * returning the row loads them again.
   */
  expired: Set<string> | null = null;
  status: Status = 'transient';
  session: Session | null = null;
  /** Identity key in the session's identity map (the primary key, or a joined string for composite keys). */
  key: unknown = undefined;
  /** Per-object loader overrides from the query that loaded it (raiseload, noload, lazyload). */
  loadOptions: Map<RelationshipProperty, LoadStrategy> | null = null;
  /** The query result this object came from, for N+1 detection. */
  batch: LoadBatch | null = null;
  /**
   * @internal Scratch for de-duplicating objects within one synchronous loop (a load's rows, a
   * flush's cascade), without a Set: see nextMark.
   */
  mark = 0;
  /** @internal During a flush: the foreign key assignments to apply to this row (one per set of columns). */
  fk: FkAssignment[] | null = null;

  constructor(
    readonly mapper: Mapper,
    readonly obj: object,
    values: Record<string, unknown>,
  ) {
    this.v = values;
  }

  isLoaded(key: string): boolean {
    return this.rel !== null && key in this.rel;
  }

  get hasChanges(): boolean {
    return this.orig !== null || this.collectionChanges !== null || this.scalarChanges !== null;
  }

  /** The value the database holds for column `key`: its original while a change is unflushed. */
  stored(key: string): unknown {
    return this.orig && key in this.orig ? this.orig[key] : this.v[key];
  }

  /** Records that `key` changed from its value as loaded. */
  noteModified(key: string, previous: unknown): void {
    this.orig ??= {};
    if (!(key in this.orig)) this.orig[key] = previous;
  }

  collectionChangesFor(key: string): CollectionChanges {
    this.collectionChanges ??= new Map();
    let c = this.collectionChanges.get(key);
    if (!c) {
      c = { added: new Set(), removed: new Set() };
      this.collectionChanges.set(key, c);
    }
    return c;
  }

  /** The queued backref changes of the unloaded collection `key` (made on first use). */
  pendingMutationsFor(key: string): CollectionChanges {
    this.pendingMutations ??= new Map();
    let c = this.pendingMutations.get(key);
    if (!c) {
      c = { added: new Set(), removed: new Set() };
      this.pendingMutations.set(key, c);
    }
    return c;
  }

  toString(): string {
    return this.mapper.describeInstance(this);
  }
}

let marks = 0;

/** A number no InstanceState's mark holds yet: marking objects with it de-duplicates them without a Set. */
export function nextMark(): number {
  return ++marks;
}

export function stateOf(obj: object): InstanceState | undefined {
  return (obj as { [STATE]?: InstanceState })[STATE];
}

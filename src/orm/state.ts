/** Per-instance bookkeeping: column values, what changed, what is loaded, which session owns it. */
import type { Mapper } from './mapper.js';
import type { LoadBatch } from './loading.js';
import type { Session } from './session.js';
import type { LoadStrategy } from './options.js';
import type { RelationshipProperty } from './relationships.js';

export const STATE: unique symbol = Symbol('relata.state');

export type Status = 'transient' | 'pending' | 'persistent' | 'deleted' | 'detached';

/** Changes to one collection since it was loaded or last flushed. */
export interface CollectionChanges {
  readonly added: Set<object>;
  readonly removed: Set<object>;
}

export class InstanceState {
  /** Column values by attribute key. */
  v: Record<string, unknown>;
  /** Values before modification, for changed keys only (null when nothing changed). */
  orig: Record<string, unknown> | null = null;
  /** Values as of the transaction start for keys flushed in this transaction, for rollback. */
  txnOrig: Record<string, unknown> | null = null;
  /** Loaded relationship values by key; a key that is absent is not loaded. */
  rel: Record<string, unknown> | null = null;
  /** Collection changes by relationship key, and scalar relationships set since the last flush. */
  collectionChanges: Map<string, CollectionChanges> | null = null;
  /** Scalar relationships set since the last flush, with the value each held before. */
  scalarChanges: Map<string, unknown> | null = null;
  status: Status = 'transient';
  session: Session | null = null;
  /** Identity key in the session's identity map (the primary key, or a joined string for composite keys). */
  key: unknown = undefined;
  /** Per-object loader overrides from the query that loaded it (raiseload, noload, lazyload). */
  loadOptions: Map<RelationshipProperty, LoadStrategy> | null = null;
  /** The query result this object came from, for N+1 detection. */
  batch: LoadBatch | null = null;
  /** @internal Scratch for de-duplicating objects within one loop of a load (see nextLoadMark). */
  loadMark = 0;

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

  toString(): string {
    return this.mapper.describeInstance(this);
  }
}

let loadMarks = 0;

/** A number no InstanceState's loadMark holds yet: marking objects with it de-duplicates them without a Set. */
export function nextLoadMark(): number {
  return ++loadMarks;
}

export function stateOf(obj: object): InstanceState | undefined {
  return (obj as { [STATE]?: InstanceState })[STATE];
}

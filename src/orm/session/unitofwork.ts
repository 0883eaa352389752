/**
 * The unit of work: turns the session's changes into SQL at flush. Parents are inserted before
 * children (table dependency order, then row order for self-references), INSERTs are batched
 * with RETURNING for generated keys, UPDATEs carry only changed columns, DELETEs run in reverse
 * (children first, also among the rows of one self-referential table: see delete-order.ts).
 */
import { Delete, Insert, Update } from '../../sql/dml.js';
import { rowsPerStatement } from '../../sql/limits.js';
import {
  BindParameter,
  ColumnRef,
  TupleInExpression,
  and_,
  or_,
  bindValue,
  InExpression,
  type ColumnElement,
} from '../../sql/expressions.js';
import type { Column, Table } from '../../sql/schema.js';
import { FlushError, StaleDataError } from '../errors.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';
import { Select } from '../../sql/selectable.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from './session.js';
import { loadRelated } from '../loading/context.js';
import { groupKey } from '../loading/keys.js';
import { deletionLevels } from './delete-order.js';
import {
  NOT_LOADED,
  nextMark,
  stateOf,
  type CollectionChanges,
  type FkAssignment,
  type InstanceState,
  type Status,
} from './state.js';

/** Which attributes a relationship's foreign key copies, child side and parent side; the same for every row. */
interface FkColumns {
  readonly childKeys: readonly string[];
  readonly parentKeys: readonly string[];
  /** Identifies the child columns: a later assignment to the same columns replaces an earlier one. */
  readonly sig: string;
}

const fkColumnsCache = new WeakMap<RelationshipProperty, FkColumns>();

function fkColumns(prop: RelationshipProperty): FkColumns {
  let fk = fkColumnsCache.get(prop);
  if (!fk) {
    const manyToOne = prop.direction === 'MANYTOONE';
    const childMapper = manyToOne ? prop.parent : prop.target;
    const parentMapper = manyToOne ? prop.target : prop.parent;
    const childKeys = prop.pairs.map((p) => childMapper.columnsByColumn.get(manyToOne ? p.local : p.remote)!.key);
    const parentKeys = prop.pairs.map((p) => parentMapper.columnsByColumn.get(manyToOne ? p.remote : p.local)!.key);
    fk = { childKeys, parentKeys, sig: childKeys.join(',') };
    fkColumnsCache.set(prop, fk);
  }
  return fk;
}

interface AssociationRow {
  readonly prop: RelationshipProperty;
  readonly parent: InstanceState;
  readonly child: InstanceState;
}

interface Snapshot {
  readonly v: Record<string, unknown>;
  readonly orig: Record<string, unknown> | null;
  readonly status: Status;
  readonly key: unknown;
}

const NO_ASSIGNMENTS: readonly FkAssignment[] = [];

export class UnitOfWork {
  /** Objects to insert, in cascade order; one that stops being pending meanwhile (an orphan) is skipped. */
  private readonly inserts: InstanceState[] = [];
  private readonly updates = new Set<InstanceState>();
  private readonly deletes = new Set<InstanceState>();
  /** Children whose foreign keys this flush sets; their assignments are in `state.fk`. */
  private readonly assigned: InstanceState[] = [];
  /**
   * Values this flush wrote into objects being inserted (keys, foreign keys, defaults), as
   * (state, attribute, previous value) triples: a failed flush puts them back. Cheaper than copying
   * every inserted object's values up front.
   */
  private readonly journal: unknown[] = [];
  private readonly associationInserts: AssociationRow[] = [];
  private readonly associationDeletes: AssociationRow[] = [];
  private readonly associationClears: { prop: RelationshipProperty; parent: InstanceState }[] = [];
  private readonly inserted: InstanceState[] = [];
  private readonly deleted: InstanceState[] = [];
  /**
   * What this flush took from the session when it began: the pending and changed objects, and each
   * object's collection and scalar relationship changes. Changes made while it runs start afresh on
   * the session and the objects, for the next flush; a failed flush puts what it took back.
   */
  private takenPending: Set<InstanceState> | null = null;
  /** Objects whose queued backref changes this flush writes (see Session.pendingOwners). */
  private takenPendingOwners: Set<InstanceState> | null = null;
  private takenChanged: Set<InstanceState> | null = null;
  private readonly takenChanges: {
    st: InstanceState;
    collections: InstanceState['collectionChanges'];
    scalars: InstanceState['scalarChanges'];
  }[] = [];
  /** Objects changed by other code while this flush ran: their values are compared with what was written. */
  private readonly touched = new Set<InstanceState>();
  /** True once relationship changes are collected: new objects' collection changes are tracked from then on. */
  collected = false;
  /** What each INSERT wrote, chunk by chunk, and what each UPDATE wrote, for objects touched meanwhile. */
  private readonly insertChunks: { states: InstanceState[]; keys: string[]; rows: unknown[][] }[] = [];
  private readonly updateWrites: { st: InstanceState; values: Record<string, unknown> }[] = [];

  constructor(private readonly session: Session) {}

  /** @internal An attribute of `st` changed while this flush runs. */
  noteTouched(st: InstanceState): void {
    this.touched.add(st);
  }

  async flush(): Promise<void> {
    this.session.registry.configure();
    this.cascadeSaves();
    try {
      await this.cascadeDeletes();
      await this.loadReplaced();
      this.collectRelationshipChanges();
    } catch (err) {
      this.giveBack();
      this.releaseAssignments();
      throw err;
    }
    const snapshots = this.snapshot();
    try {
      await this.execute();
    } catch (err) {
      this.restore(snapshots);
      throw err;
    }
    this.finish();
  }

  // ---- planning ----

  /** save-update cascade: objects reachable from pending or changed ones join the session. */
  private cascadeSaves(): void {
    const session = this.session;
    // Breadth-first in add() order, so rows are inserted in the order the user added them.
    const queue: InstanceState[] = [];
    const seen = nextMark();
    this.takenPending = session.pending;
    this.takenChanged = session.changed;
    this.takenPendingOwners = session.pendingOwners;
    session.pending = new Set();
    session.changed = new Set();
    session.pendingOwners = new Set();
    for (const set of [this.takenPending, this.takenChanged]) {
      for (const st of set) {
        if (st.mark === seen) continue;
        st.mark = seen;
        queue.push(st);
      }
    }
    const cascading = new Map<Mapper, RelationshipProperty[]>();
    const visit = (item: object) => {
      const child = stateOf(item)!;
      if (child.mark === seen) return;
      child.mark = seen;
      // A new object reached by cascade goes straight into this flush; session.pending is only for
      // objects waiting for one (it is emptied when the flush succeeds, refilled when it fails).
      if (child.status === 'transient' && child.session === null) session.adoptPending(child);
      else if (child.status === 'transient' || child.status === 'detached') {
        session.add(item);
        session.pending.delete(child); // written by this flush, not the next
      }
      if (child.session === session && (child.status === 'pending' || child.hasChanges)) queue.push(child);
    };
    for (let i = 0; i < queue.length; i++) {
      const st = queue[i]!;
      if (st.status === 'pending') this.inserts.push(st);
      else if (st.status === 'persistent' && st.hasChanges) this.updates.add(st);
      const rel = st.rel;
      if (!rel) continue;
      let props = cascading.get(st.mapper);
      if (!props) {
        props = [...st.mapper.relationships.values()].filter((p) => !p.viewonly && p.cascade.has('save-update'));
        cascading.set(st.mapper, props);
      }
      for (const prop of props) {
        if (!(prop.key in rel)) continue;
        const value = rel[prop.key];
        if (!prop.uselist) {
          if (value) visit(value as object);
          continue;
        }
        // Indexed: for-of over an Array subclass (InstrumentedList) allocates a result object per item.
        const items = value as object[];
        for (let i = 0; i < items.length; i++) visit(items[i]!);
      }
    }
  }

  /** delete cascade, and what deleting a parent does to children that are not deleted with it. */
  private async cascadeDeletes(): Promise<void> {
    const queue = [...this.session.toDelete];
    while (queue.length) {
      const st = queue.pop()!;
      if (this.deletes.has(st)) continue;
      this.deletes.add(st);
      this.updates.delete(st);
      for (const prop of st.mapper.relationships.values()) {
        if (prop.viewonly) continue;
        if (prop.direction === 'MANYTOMANY') {
          if (!prop.passiveDeletes) this.associationClears.push({ prop, parent: st });
          continue;
        }
        const cascadeDelete = prop.cascade.has('delete');
        if (prop.direction === 'MANYTOONE' && !cascadeDelete) continue;
        if (prop.passiveDeletes && !st.isLoaded(prop.key)) continue;
        for (const item of await this.related(st, prop)) {
          const child = stateOf(item)!;
          if (cascadeDelete) {
            if (child.status === 'persistent') queue.push(child);
            else if (child.status === 'pending') this.session.expunge(item);
          } else if (!this.deletes.has(child) && !prop.passiveDeletes) {
            this.assign(child, prop, null);
          }
        }
      }
    }
  }

  private async related(st: InstanceState, prop: RelationshipProperty): Promise<object[]> {
    const value = st.isLoaded(prop.key) ? st.rel![prop.key] : await this.session.loadRelationshipNow(st, prop);
    return prop.uselist ? [...(value as object[])] : value ? [value as object] : [];
  }

  /**
   * One-to-ones assigned before they were loaded (`user.profile = new Profile()`): what each held
   * is loaded now, one SELECT each, so the old row's key is cleared (or the row deleted as an
   * orphan) and no second row is left pointing at the owner. The assigned value stays as it is.
   */
  private async loadReplaced(): Promise<void> {
    await this.loadReplacedCollections();
    for (const st of [...this.updates]) {
      const changes = st.scalarChanges;
      if (!changes) continue;
      for (const [key, previous] of changes) {
        if (previous !== NOT_LOADED) continue;
        const prop = st.mapper.relationships.get(key)!;
        const rel = st.rel!;
        const assigned = rel[key];
        delete rel[key];
        try {
          await loadRelated(this.session, [st], prop, new Map(), [prop], null);
        } catch (err) {
          rel[key] = assigned; // still NOT_LOADED in `changes`: the next flush tries again
          throw err;
        }
        const old = (rel[key] ?? null) as object | null;
        rel[key] = assigned;
        changes.set(key, old);
        if (old && old !== assigned && prop.reverse) prop.reverse.detachQuietly(stateOf(old)!, st.obj);
      }
    }
  }

  /**
   * Collections assigned whole before they were loaded (`user.posts = [a, b]`): what they held is
   * loaded now, one SELECT per relationship for all its owners, and their changes become exact.
   * The lists stay as assigned.
   */
  private async loadReplacedCollections(): Promise<void> {
    const byProp = new Map<RelationshipProperty, { st: InstanceState; ch: CollectionChanges; assigned: object[] }[]>();
    for (const st of this.updates) {
      for (const [key, ch] of st.collectionChanges ?? []) {
        const prop = st.mapper.relationships.get(key)!;
        if (!ch.replacedUnloaded || prop.viewonly) continue; // a viewonly collection writes nothing
        let owners = byProp.get(prop);
        if (!owners) byProp.set(prop, (owners = []));
        owners.push({ st, ch, assigned: st.rel![key] as object[] });
      }
    }
    for (const [prop, owners] of byProp) {
      for (const o of owners) delete o.st.rel![prop.key];
      try {
        await loadRelated(
          this.session,
          owners.map((o) => o.st),
          prop,
          new Map(),
          [prop],
          null,
        );
      } catch (err) {
        for (const o of owners) o.st.rel![prop.key] = o.assigned; // still marked: the next flush tries again
        throw err;
      }
      for (const o of owners) {
        const held = o.st.rel![prop.key] as object[];
        o.st.rel![prop.key] = o.assigned;
        replaceChanges(o.st, prop, o.ch, held, o.assigned);
      }
    }
  }

  /** Collection and scalar changes → foreign key assignments, association rows, orphans. */
  private collectRelationshipChanges(): void {
    const states = [...this.inserts, ...this.updates].filter((st) => st.status !== 'transient');
    const collections = new Map<Mapper, RelationshipProperty[]>();
    const collectionsOf = (mapper: Mapper) => {
      let props = collections.get(mapper);
      if (!props) {
        props = [...mapper.relationships.values()].filter((p) => p.uselist && !p.viewonly);
        collections.set(mapper, props);
      }
      return props;
    };
    // Only a removal asks whether the object was added elsewhere: skip the index when nothing was removed.
    const anyRemoved = states.some(
      (st) =>
        st.status === 'persistent' &&
        st.collectionChanges &&
        [...st.collectionChanges.values()].some((ch) => ch.removed.size > 0),
    );
    const addedTo = anyRemoved ? this.additionsByRelationship(states, collectionsOf) : null;
    this.collected = true;
    for (const st of states) {
      if (st.status === 'pending') this.collectNewCollections(st, collectionsOf(st.mapper));
      else this.collectCollectionChanges(st, addedTo);
      for (const [key, previous] of st.scalarChanges ?? []) {
        const prop = st.mapper.relationships.get(key)!;
        if (prop.viewonly) continue;
        const current = (st.rel?.[key] ?? null) as object | null;
        if (prop.direction === 'MANYTOONE') {
          this.assign(st, prop, current ? stateOf(current)! : null);
        } else if (prop.direction === 'ONETOMANY') {
          if (current) this.assign(stateOf(current)!, prop, st);
          if (previous && previous !== current) {
            this.removeChild(stateOf(previous as object)!, prop);
            if (current) this.releaseUniqueKey(stateOf(previous as object)!, prop);
          }
        } else if (prop.direction === 'MANYTOMANY') {
          if (current) this.associationInserts.push({ prop, parent: st, child: stateOf(current)! });
          if (previous && previous !== current)
            this.associationDeletes.push({ prop, parent: st, child: stateOf(previous as object)! });
        }
      }
      if (st.collectionChanges || st.scalarChanges) {
        this.takenChanges.push({ st, collections: st.collectionChanges, scalars: st.scalarChanges });
        st.collectionChanges = null;
        st.scalarChanges = null;
      }
    }
  }

  /** A new object's collections are written whole: every item is added (their changes were not tracked). */
  private collectNewCollections(st: InstanceState, props: readonly RelationshipProperty[]): void {
    const rel = st.rel;
    if (!rel) return;
    for (const prop of props) {
      const items = rel[prop.key] as object[] | undefined;
      if (!items) continue;
      if (prop.direction === 'MANYTOMANY') {
        for (let i = 0; i < items.length; i++)
          this.associationInserts.push({ prop, parent: st, child: stateOf(items[i]!)! });
      } else {
        for (let i = 0; i < items.length; i++) this.assign(stateOf(items[i]!)!, prop, st);
      }
    }
  }

  /** A persistent object's collections: what was added and removed since they were loaded. */
  private collectCollectionChanges(st: InstanceState, addedTo: Map<RelationshipProperty, Set<object>> | null): void {
    for (const [key, ch] of st.collectionChanges ?? []) {
      const prop = st.mapper.relationships.get(key)!;
      if (prop.viewonly) continue;
      if (prop.direction === 'MANYTOMANY') {
        for (const a of ch.added) this.associationInserts.push({ prop, parent: st, child: stateOf(a)! });
        for (const r of ch.removed) this.associationDeletes.push({ prop, parent: st, child: stateOf(r)! });
        continue;
      }
      for (const a of ch.added) this.assign(stateOf(a)!, prop, st);
      for (const r of ch.removed) {
        if (addedTo?.get(prop)?.has(r)) continue; // moved to another parent, not orphaned
        this.removeChild(stateOf(r)!, prop);
      }
    }
  }

  /** Per relationship, every object added to one of its collections in this flush. */
  private additionsByRelationship(
    states: readonly InstanceState[],
    collectionsOf: (mapper: Mapper) => readonly RelationshipProperty[],
  ): Map<RelationshipProperty, Set<object>> {
    const addedTo = new Map<RelationshipProperty, Set<object>>();
    const add = (prop: RelationshipProperty, items: Iterable<object>) => {
      let set = addedTo.get(prop);
      if (!set) addedTo.set(prop, (set = new Set()));
      for (const a of items) set.add(a);
    };
    for (const st of states) {
      if (st.status === 'pending') {
        for (const prop of collectionsOf(st.mapper)) {
          const items = st.rel?.[prop.key] as object[] | undefined;
          if (items) add(prop, items);
        }
      } else {
        for (const [key, ch] of st.collectionChanges ?? []) add(st.mapper.relationships.get(key)!, ch.added);
      }
    }
    return addedTo;
  }

  /** A child left its one-to-many parent: deleted if it is an orphan by cascade, else its foreign key is cleared. */
  private removeChild(child: InstanceState, prop: RelationshipProperty): void {
    if (prop.cascade.has('delete-orphan')) {
      if (child.status === 'persistent') {
        this.deletes.add(child);
        this.updates.delete(child);
      } else if (child.status === 'pending') {
        this.session.expunge(child.obj); // no longer pending: execute() skips it
      }
      return;
    }
    if (child.status === 'persistent') this.assign(child, prop, null);
  }

  /**
   * A one-to-one replaced and deleted as an orphan keeps its unique key until the DELETEs, which
   * run after its successor's INSERT: clear the key first (one UPDATE) when the column allows NULL.
   */
  private releaseUniqueKey(child: InstanceState, prop: RelationshipProperty): void {
    if (!this.deletes.has(child) || child.mapper.versionColumn) return;
    const cols = fkColumns(prop).childKeys.map((k) => child.mapper.columnsByKey.get(k)!.column);
    if (!cols.some((c) => c.unique) || !cols.every((c) => c.nullable)) return;
    this.assign(child, prop, null);
    this.updates.add(child);
  }

  /** The last assignment made, shared by the next child of the same parent (a parent's children come in a row). */
  private lastAssignment: FkAssignment | null = null;
  private lastAssignmentProp: RelationshipProperty | null = null;

  private assign(child: InstanceState, prop: RelationshipProperty, parent: InstanceState | null): void {
    let a = this.lastAssignment;
    if (!a || a.parent !== parent || this.lastAssignmentProp !== prop) {
      const fk = fkColumns(prop);
      a = { childKeys: fk.childKeys, parentKeys: fk.parentKeys, sig: fk.sig, parent };
      this.lastAssignment = a;
      this.lastAssignmentProp = prop;
    }
    const list = child.fk;
    if (!list) {
      child.fk = [a];
      this.assigned.push(child);
    } else {
      const i = list.findIndex((x) => x.sig === a.sig);
      // Setting a parent wins over clearing one: a child moved between parents ends up with the new one.
      if (i < 0) list.push(a);
      else if (parent !== null || !list[i]!.parent) list[i] = a;
    }
    if (child.status === 'persistent' && !this.deletes.has(child)) this.updates.add(child);
  }

  private applyAssignments(st: InstanceState): void {
    const list = st.fk;
    if (!list) return;
    for (const a of list) {
      for (let i = 0; i < a.childKeys.length; i++) {
        const ck = a.childKeys[i]!;
        let value: unknown = null;
        if (a.parent) {
          value = a.parent.v[a.parentKeys[i]!];
          if (value === undefined) {
            throw new FlushError(
              `cannot set ${st.mapper.name}.${ck}: ${a.parent.mapper.name} it refers to has no ${a.parentKeys[i]} yet (a dependency cycle between rows?)`,
            );
          }
        }
        const prev = st.v[ck];
        if (prev === value) continue;
        if (st.status === 'persistent') {
          st.noteModified(ck, prev);
          st.v[ck] = value;
        } else {
          this.write(st, ck, value);
        }
      }
    }
  }

  /**
   * Sets a value of an object being inserted, journaled so a failed flush can put the old one back
   * (undefined: there was none; a column's value is never undefined, the setters refuse it).
   */
  private write(st: InstanceState, key: string, value: unknown): void {
    const v = st.v;
    this.journal.push(st, key, v[key]);
    v[key] = value;
  }

  // ---- execution ----

  private mapperOrder(): Mapper[] {
    const tables = this.session.registry.metadata.sortedTables();
    const byTable = new Map<Table, Mapper>();
    for (const m of this.session.registry.mappers.values()) byTable.set(m.table, m);
    return tables.map((t) => byTable.get(t)).filter((m): m is Mapper => m !== undefined);
  }

  private async execute(): Promise<void> {
    const order = this.mapperOrder();
    const updatesBy = byMapper(this.updates, () => true);
    const insertsBy = byMapper(this.inserts, (s) => s.status === 'pending' && !this.deletes.has(s));
    for (const mapper of order) {
      // UPDATEs before INSERTs, as SQLAlchemy does: a replaced one-to-one child must give up its
      // (unique) key before the new one takes it. Updates pointing at a row inserted now wait.
      const updates = updatesBy.get(mapper) ?? [];
      const late = updates.filter((s) => this.dependsOnPending(s));
      for (const st of updates) if (!late.includes(st)) await this.update(st);
      await this.insertAll(mapper, insertsBy.get(mapper) ?? []);
      for (const st of late) await this.update(st);
    }
    await this.writeAssociations();
    const deletesBy = byMapper(this.deletes, (s) => s.status === 'persistent');
    for (const mapper of [...order].reverse()) {
      await this.deleteAll(mapper, deletesBy.get(mapper) ?? []);
    }
  }

  private dependsOnPending(st: InstanceState): boolean {
    for (const a of st.fk ?? NO_ASSIGNMENTS) if (a.parent && a.parent.status === 'pending') return true;
    return false;
  }

  private async insertAll(mapper: Mapper, states: InstanceState[]): Promise<void> {
    // Self-referential rows: insert the referenced ones first, level by level.
    let remaining = states;
    while (remaining.length) {
      const waiting = nextMark();
      for (const st of remaining) st.mark = waiting;
      const ready: InstanceState[] = [];
      const later: InstanceState[] = [];
      for (const st of remaining) (this.refersToMarked(st, waiting) ? later : ready).push(st);
      if (ready.length === 0)
        throw new FlushError(
          `rows of ${mapper.name} refer to each other in a cycle; set one reference after the first flush`,
        );
      await this.insertBatch(mapper, ready);
      remaining = later;
    }
  }

  /** True when one of the rows `st` refers to carries `mark` (is still waiting to be inserted). */
  private refersToMarked(st: InstanceState, mark: number): boolean {
    for (const a of st.fk ?? NO_ASSIGNMENTS) if (a.parent && a.parent.mark === mark) return true;
    return false;
  }

  private async insertBatch(mapper: Mapper, states: InstanceState[]): Promise<void> {
    const groups = new Map<number | string, InstanceState[]>();
    for (const st of states) {
      this.applyAssignments(st);
      for (const mc of mapper.columnsWithDefaults) {
        if (st.v[mc.key] === undefined) this.write(st, mc.key, mc.column.defaultValue());
      }
      if (mapper.versionColumn && st.v[mapper.versionColumn.key] === undefined)
        this.write(st, mapper.versionColumn.key, 1);
      const sig = presentColumns(mapper, st);
      const g = groups.get(sig);
      if (g) g.push(st);
      else groups.set(sig, [st]);
    }
    const compiler = this.session.dialect.compiler;
    for (const group of groups.values()) {
      const first = group[0]!;
      const cols = mapper.columns.filter((mc) => first.v[mc.key] !== undefined);
      const generated = mapper.primaryKey.filter((pk) => first.v[pk.key] === undefined);
      const perStatement = rowsPerStatement(cols.length, compiler.maxParameters);
      const readRow = rowValues(cols.map((c) => c.key));
      for (let i = 0; i < group.length; i += perStatement) {
        const chunk = group.slice(i, i + perStatement);
        const rows = chunk.map(readRow);
        const returning = generated.length && compiler.supportsReturning ? generated.map((g) => g.column) : [];
        const stmt = new Insert(
          mapper.table,
          cols.map((c) => c.column),
          rows,
          returning,
        );
        this.insertChunks.push({ states: chunk, keys: cols.map((c) => c.key), rows });
        const result = await this.session.executeWrite(stmt);
        if (generated.length) this.assignGeneratedKeys(mapper, chunk, generated[0]!.key, result);
        const serverDefaulted = mapper.columnsWithServerDefaults.filter((mc) => first.v[mc.key] === undefined);
        if (serverDefaulted.length) await this.readServerDefaults(mapper, chunk, serverDefaulted);
        for (const st of chunk) {
          this.session.registerInserted(st);
          this.inserted.push(st);
        }
      }
    }
  }

  /** Reads back the values the database defaulted for these new rows: one SELECT by key per chunk. */
  private async readServerDefaults(mapper: Mapper, chunk: InstanceState[], cols: MappedColumn[]): Promise<void> {
    const ref = (mc: MappedColumn) => new ColumnRef(mc.column, mapper.table);
    const byKey = (st: InstanceState) => and_(...mapper.primaryKey.map((pk) => ref(pk).eq(st.v[pk.key] as never)));
    const select = new Select({ columns: [...mapper.primaryKey, ...cols].map(ref), from: [mapper.table] }).filter(
      or_(...chunk.map(byKey)),
    );
    const { rows } = await this.session.executeRead(select);
    const all = mapper.processors(this.session.dialect);
    const processors = cols.map((mc) => all[mc.index] ?? null);
    const keyOfRow = (values: readonly unknown[]) => JSON.stringify(values.map((v) => String(v)));
    const found = new Map(rows.map((r) => [keyOfRow(r.slice(0, mapper.primaryKey.length)), r]));
    for (const st of chunk) {
      const row = found.get(keyOfRow(mapper.primaryKey.map((pk) => st.v[pk.key])));
      if (!row) throw new FlushError(`${st}: its row was not found after its INSERT, to read its server defaults`);
      cols.forEach((mc, i) => {
        const v = row[mapper.primaryKey.length + i];
        const p = processors[i];
        this.write(st, mc.key, p && v !== null ? p(v) : v);
      });
    }
  }

  private assignGeneratedKeys(
    mapper: Mapper,
    chunk: InstanceState[],
    key: string,
    result: { rows: unknown[][]; insertId?: number | bigint },
  ): void {
    let ids: unknown[];
    if (result.rows.length === chunk.length) {
      // Keys are generated in increasing order within one statement; RETURNING order is not guaranteed.
      ids = result.rows.map((r) => r[0]);
      if (!ascending(ids)) ids.sort((a, b) => (Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0));
    } else if (result.insertId !== undefined) {
      const first = Number(result.insertId);
      ids = chunk.map((_, i) => first + i);
    } else {
      throw new FlushError(`INSERT into ${mapper.table.name} returned no generated keys`);
    }
    const toNumber = mapper.columnsByKey.get(key)!.column.type.typeName === 'Integer';
    for (let i = 0; i < chunk.length; i++) {
      const id = ids[i];
      this.write(chunk[i]!, key, typeof id === 'bigint' && toNumber ? Number(id) : id);
    }
  }

  private async update(st: InstanceState): Promise<void> {
    this.applyAssignments(st);
    const orig = st.orig;
    if (!orig) return;
    const values = new Map<Column, unknown>();
    const written: Record<string, unknown> = {};
    for (const [k, before] of Object.entries(orig)) {
      const now = st.v[k];
      if (sameValue(now, before)) continue;
      written[k] = now;
      const column = st.mapper.columnsByKey.get(k)!.column;
      // A bound node, not the raw value, so the engine compiles this UPDATE once per column set.
      values.set(column, new BindParameter(now, column.type));
      st.txnOrig ??= {};
      if (!(k in st.txnOrig)) st.txnOrig[k] = before;
    }
    if (values.size === 0) return;
    for (const mc of st.mapper.columnsWithOnUpdate) {
      if (values.has(mc.column)) continue;
      const now = mc.column.onUpdateValue();
      st.noteModified(mc.key, st.v[mc.key]);
      st.txnOrig ??= {};
      if (!(mc.key in st.txnOrig)) st.txnOrig[mc.key] = st.v[mc.key];
      st.v[mc.key] = now;
      written[mc.key] = now;
      values.set(mc.column, new BindParameter(now, mc.column.type));
    }
    const conds = st.mapper.primaryKey.map((pk) =>
      new ColumnRef(pk.column, st.mapper.table).eq((pk.key in orig ? orig[pk.key] : st.v[pk.key]) as never),
    );
    const version = st.mapper.versionColumn;
    if (version) {
      // Optimistic locking: only the version we loaded may be updated, and the update bumps it.
      const loaded = (version.key in orig ? orig[version.key] : st.v[version.key]) as number;
      conds.push(new ColumnRef(version.column, st.mapper.table).eq(loaded));
      st.noteModified(version.key, loaded);
      st.txnOrig ??= {};
      if (!(version.key in st.txnOrig)) st.txnOrig[version.key] = loaded;
      st.v[version.key] = loaded + 1;
      written[version.key] = loaded + 1;
      values.set(version.column, new BindParameter(loaded + 1, version.column.type));
    }
    this.updateWrites.push({ st, values: written });
    const result = await this.session.executeWrite(new Update(st.mapper.table, values, and_(...conds)));
    if (result.rowsAffected === 0) {
      const why = version
        ? 'it was changed or deleted by someone else since it was loaded'
        : 'it was deleted or its key changed outside this session';
      throw new StaleDataError(`UPDATE of ${st} matched no row: ${why}`);
    }
    this.session.txnUpdated.add(st);
  }

  private async writeAssociations(): Promise<void> {
    for (const { prop, parent } of this.associationClears) {
      const sec = prop.secondary!;
      const where = and_(
        ...prop.secondaryLocal.map((p) =>
          new ColumnRef(p.remote, sec).eq(parent.v[keyOf(prop.parent, p.local)] as never),
        ),
      );
      await this.session.executeWrite(new Delete(sec, where));
    }
    for (const row of this.associationDeletes) {
      if (this.deletes.has(row.parent)) continue;
      const sec = row.prop.secondary!;
      const conds = [
        ...row.prop.secondaryLocal.map((p) =>
          new ColumnRef(p.remote, sec).eq(row.parent.v[keyOf(row.prop.parent, p.local)] as never),
        ),
        ...row.prop.secondaryRemote.map((p) =>
          new ColumnRef(p.local, sec).eq(row.child.v[keyOf(row.prop.target, p.remote)] as never),
        ),
      ];
      await this.session.executeWrite(new Delete(sec, and_(...conds)));
    }
    const byTable = new Map<Table, { cols: Column[]; rows: unknown[][]; seen: Set<unknown> }>();
    for (const row of this.associationInserts) {
      if (this.deletes.has(row.child) || this.deletes.has(row.parent)) continue;
      const sec = row.prop.secondary!;
      const cols = [...row.prop.secondaryLocal.map((p) => p.remote), ...row.prop.secondaryRemote.map((p) => p.local)];
      const values = [
        ...row.prop.secondaryLocal.map((p) => row.parent.v[keyOf(row.prop.parent, p.local)]),
        ...row.prop.secondaryRemote.map((p) => row.child.v[keyOf(row.prop.target, p.remote)]),
      ];
      let entry = byTable.get(sec);
      if (!entry) byTable.set(sec, (entry = { cols, rows: [], seen: new Set() }));
      // Both sides of a bidirectional many-to-many may record the same link; write it once.
      const ordered = entry.cols.map((c) => values[cols.indexOf(c)]);
      const link = groupKey(ordered);
      if (entry.seen.has(link)) continue;
      entry.seen.add(link);
      entry.rows.push(ordered);
    }
    const max = this.session.dialect.compiler.maxParameters;
    for (const [table, { cols, rows }] of byTable) {
      const per = rowsPerStatement(cols.length, max);
      for (let i = 0; i < rows.length; i += per) {
        await this.session.executeWrite(new Insert(table, cols, rows.slice(i, i + per)));
      }
    }
  }

  private async deleteAll(mapper: Mapper, states: InstanceState[]): Promise<void> {
    if (states.length === 0) return;
    for (const level of deletionLevels(mapper, states)) await this.deleteRows(mapper, level);
  }

  /** One multi-row DELETE per parameter-limit chunk (rows that do not refer to each other). */
  private async deleteRows(mapper: Mapper, states: InstanceState[]): Promise<void> {
    if (mapper.versionColumn) return this.deleteVersioned(mapper, states);
    const pkCols = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, mapper.table));
    const per = Math.max(1, Math.floor(this.session.dialect.compiler.maxParameters / pkCols.length));
    for (let i = 0; i < states.length; i += per) {
      const chunk = states.slice(i, i + per);
      const values = chunk.map((st) =>
        mapper.primaryKey.map((pk) => (st.orig && pk.key in st.orig ? st.orig[pk.key] : st.v[pk.key])),
      );
      let where: ColumnElement<boolean>;
      if (pkCols.length === 1) {
        where = new InExpression(
          pkCols[0]!,
          values.map((v) => bindValue(v[0], pkCols[0]!.sqlType, 'delete')),
          false,
        );
      } else {
        where = new TupleInExpression(
          pkCols,
          values.map((row) => row.map((v, j) => bindValue(v, pkCols[j]!.sqlType, 'delete'))),
        );
      }
      const result = await this.session.executeWrite(new Delete(mapper.table, where));
      if (result.rowsAffected !== chunk.length) {
        throw new FlushError(
          `DELETE from ${mapper.table.name} expected to delete ${chunk.length} row(s) but deleted ${result.rowsAffected}: deleted or changed outside this session?`,
        );
      }
      for (const st of chunk) {
        this.session.registerDeleted(st);
        this.deleted.push(st);
      }
    }
  }

  /** One DELETE per row, each checking the version it loaded. */
  private async deleteVersioned(mapper: Mapper, states: InstanceState[]): Promise<void> {
    const version = mapper.versionColumn!;
    for (const st of states) {
      const conds = [...mapper.primaryKey, version].map((mc) =>
        new ColumnRef(mc.column, mapper.table).eq(
          (st.orig && mc.key in st.orig ? st.orig[mc.key] : st.v[mc.key]) as never,
        ),
      );
      const result = await this.session.executeWrite(new Delete(mapper.table, and_(...conds)));
      if (result.rowsAffected !== 1) {
        throw new StaleDataError(
          `DELETE of ${st} matched no row: it was changed or deleted by someone else since it was loaded`,
        );
      }
      this.session.registerDeleted(st);
      this.deleted.push(st);
    }
  }

  // ---- bookkeeping ----

  /** Persistent objects this flush may change, copied whole; objects being inserted are journaled instead (see write). */
  private snapshot(): Map<InstanceState, Snapshot> {
    const snaps = new Map<InstanceState, Snapshot>();
    for (const set of [this.updates, this.assigned]) {
      for (const st of set) {
        if (st.status === 'pending' || snaps.has(st)) continue;
        snaps.set(st, { v: { ...st.v }, orig: st.orig && { ...st.orig }, status: st.status, key: st.key });
      }
    }
    return snaps;
  }

  /** A failed flush leaves every object as it was before the flush (the transaction is rolled back by the session). */
  private restore(snaps: Map<InstanceState, Snapshot>): void {
    for (const st of this.inserted) this.session.unregisterInserted(st);
    for (const st of this.deleted) this.session.unregisterDeleted(st);
    const j = this.journal;
    for (let i = j.length - 3; i >= 0; i -= 3) {
      const st = j[i] as InstanceState;
      const key = j[i + 1] as string;
      if (j[i + 2] === undefined) delete st.v[key];
      else st.v[key] = j[i + 2];
    }
    for (const st of this.inserts) {
      if (st.status === 'transient') continue; // an orphan expunged by this flush stays out
      st.status = 'pending';
      st.key = undefined;
    }
    this.giveBack();
    for (const [st, s] of snaps) {
      st.v = s.v;
      st.orig = s.orig;
      st.status = s.status;
      st.key = s.key;
    }
    this.releaseAssignments();
  }

  /**
   * After a failed flush, what it took goes back to the session: every object it was to insert waits
   * for the next one, changed objects are changed again, and relationship changes made meanwhile are
   * laid over the ones it took.
   */
  private giveBack(): void {
    const session = this.session;
    for (const st of this.inserts) if (st.status === 'pending') session.pending.add(st);
    for (const st of this.takenPending ?? []) if (st.status === 'pending') session.pending.add(st);
    for (const st of this.takenChanged ?? []) if (st.status === 'persistent') session.changed.add(st);
    for (const st of this.takenPendingOwners ?? []) session.pendingOwners.add(st);
    for (const { st, collections, scalars } of this.takenChanges) {
      st.collectionChanges = mergeCollectionChanges(collections, st.collectionChanges);
      if (scalars) {
        for (const [k, v] of st.scalarChanges ?? []) if (!scalars.has(k)) scalars.set(k, v);
        st.scalarChanges = scalars;
      }
      if (st.status === 'persistent') session.changed.add(st);
    }
  }

  private releaseAssignments(): void {
    for (const st of this.assigned) st.fk = null;
  }

  private finish(): void {
    const session = this.session;
    for (const set of [this.inserts, this.updates, this.assigned]) {
      for (const st of set) {
        if (this.touched.has(st)) this.reconcile(st);
        else st.orig = null;
        // Relationship changes made while the flush ran (it took the earlier ones) wait for the next.
        if (st.status === 'persistent' && st.hasChanges) session.changed.add(st);
      }
    }
    this.releaseAssignments();
    for (const st of this.deletes) session.toDelete.delete(st);
    // Written now: a collection loaded from here on reads them from the database.
    if (this.takenPendingOwners) session.dropPendingMutations(this.takenPendingOwners);
  }

  /**
   * An object written by this flush and changed by other code while it ran: what is in the database
   * now is what the flush wrote, so the changes still to write are the values that differ from that.
   */
  private reconcile(st: InstanceState): void {
    const orig = st.orig;
    st.orig = null;
    if (st.status !== 'persistent') return;
    const insert = this.insertChunks.find((c) => c.states.includes(st));
    if (insert) {
      const row = insert.rows[insert.states.indexOf(st)]!;
      for (const mc of st.mapper.columns) {
        const i = insert.keys.indexOf(mc.key);
        if (i < 0 && mc.column.primaryKey && mc.column.autoincrement) continue; // generated by this INSERT
        const inDatabase = i >= 0 ? row[i] : null;
        const now = st.v[mc.key] ?? null;
        if (!sameValue(now, inDatabase)) st.noteModified(mc.key, inDatabase);
      }
      return;
    }
    if (!orig) return;
    const written = this.updateWrites.find((u) => u.st === st)?.values;
    for (const [k, before] of Object.entries(orig)) {
      const inDatabase = written && k in written ? written[k] : before;
      if (!sameValue(st.v[k], inDatabase)) st.noteModified(k, inDatabase);
    }
  }
}

/** Collection changes `earlier` followed by `later`, as onAppend/onRemove would have recorded them in one. */
/**
 * An assigned collection's changes against what the database `held`: what it held and the list
 * does not is removed (its key cleared, its link row deleted, or it is deleted as an orphan), what
 * the list holds and it did not is added.
 */
function replaceChanges(
  owner: InstanceState,
  prop: RelationshipProperty,
  ch: CollectionChanges,
  held: readonly object[],
  assigned: readonly object[],
): void {
  ch.replacedUnloaded = false;
  const had = new Set(held);
  const kept = new Set(assigned);
  for (const item of assigned) if (had.has(item)) ch.added.delete(item);
  for (const item of held) {
    if (kept.has(item)) continue;
    ch.removed.add(item);
    // Its backref was just filled by the load (or was loaded before): it no longer holds the owner.
    const other = stateOf(item)!;
    if (prop.reverse && other.isLoaded(prop.reverse.key)) prop.reverse.detachQuietly(other, owner.obj);
  }
}

function mergeCollectionChanges(
  earlier: InstanceState['collectionChanges'],
  later: InstanceState['collectionChanges'],
): InstanceState['collectionChanges'] {
  if (!earlier) return later;
  if (!later) return earlier;
  for (const [key, ch] of later) {
    const into = earlier.get(key);
    if (!into) {
      earlier.set(key, ch);
      continue;
    }
    for (const a of ch.added) if (!into.removed.delete(a)) into.added.add(a);
    for (const r of ch.removed) if (!into.added.delete(r)) into.removed.add(r);
    if (ch.replacedUnloaded) into.replacedUnloaded = true;
  }
  return earlier;
}

/** The states of `set` that pass `keep`, grouped by mapper, in set order. */
function byMapper(set: Iterable<InstanceState>, keep: (st: InstanceState) => boolean): Map<Mapper, InstanceState[]> {
  const out = new Map<Mapper, InstanceState[]>();
  for (const st of set) {
    if (!keep(st)) continue;
    const list = out.get(st.mapper);
    if (list) list.push(st);
    else out.set(st.mapper, [st]);
  }
  return out;
}

const rowReaders = new Map<string, (st: InstanceState) => unknown[]>();

/**
 * The values of `keys` of a state, as an INSERT row. Compiled per key list, like the load side's row
 * readers: named property loads, where a loop over the keys would be megamorphic keyed loads.
 */
function rowValues(keys: readonly string[]): (st: InstanceState) => unknown[] {
  const id = keys.join('\u0000');
  let read = rowReaders.get(id);
  if (!read) {
    const loop = (st: InstanceState) => keys.map((k) => st.v[k]);
    try {
      read = keys.includes('__proto__')
        ? loop
        : (new Function(
            'st',
            `"use strict"; const v = st.v; return [${keys.map((k) => `v[${JSON.stringify(k)}]`).join(', ')}];`,
          ) as (st: InstanceState) => unknown[]);
    } catch {
      read = loop; // code generation not allowed (a Content-Security-Policy without 'unsafe-eval')
    }
    rowReaders.set(id, read);
  }
  return read;
}

function ascending(values: readonly unknown[]): boolean {
  for (let i = 1; i < values.length; i++) if (!(Number(values[i - 1]) < Number(values[i]))) return false;
  return true;
}

/** Which columns of a row to insert have a value: rows with the same answer share an INSERT. */
function presentColumns(mapper: Mapper, st: InstanceState): number | string {
  const cols = mapper.columns;
  if (cols.length > 30) return cols.map((mc) => (st.v[mc.key] === undefined ? '0' : '1')).join('');
  let bits = 0;
  for (let i = 0; i < cols.length; i++) if (st.v[cols[i]!.key] !== undefined) bits |= 1 << i;
  return bits;
}

function keyOf(mapper: Mapper, col: Column): string {
  return mapper.columnsByColumn.get(col)!.key;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

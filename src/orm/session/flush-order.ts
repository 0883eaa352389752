/**
 * The order of a flush's statements: tables in foreign key order (parents first for INSERTs and
 * UPDATEs, children first for DELETEs), and within one self-referential table the rows in turn.
 * It decides order only (persistence.ts emits the statements); a post-update pass, the second
 * UPDATE that breaks a cycle between rows, is to be ordered here too.
 *
 * DELETEs within one table: rows of a self-referential table that refer to each other are deleted
 * children first, level by level: InnoDB checks foreign keys row by row, so one multi-row DELETE
 * that reaches a parent before its child fails there (SQLAlchemy sorts the rows of a
 * self-referential mapper by dependency for the same reason). Rows that do not refer to each
 * other share a level, so one DELETE still removes them together.
 */
import { groupKey } from '../loading/keys.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Table } from '../../sql/schema.js';
import type { Session } from './session.js';
import { nextMark, type FkAssignment, type InstanceState } from './state.js';

const NO_ASSIGNMENTS: readonly FkAssignment[] = [];

/**
 * The session's mappers in table dependency order: referenced tables first. A mapper of an
 * inheritance hierarchy writes several tables (a joined subclass's) or shares one (a single-table
 * subclass's): it follows every mapper whose tables its tables refer to, so a row referring to a
 * base's table waits for every class whose rows live there.
 */
export function mapperOrder(session: Session): Mapper[] {
  const tables = session.registry.metadata.sortedTables();
  const mappers = [...session.registry.mappers.values()];
  if (!mappers.some((m) => m.inheritance.polymorphic)) {
    const byTable = new Map<Table, Mapper>();
    for (const m of mappers) byTable.set(m.table, m);
    return tables.map((t) => byTable.get(t)).filter((m): m is Mapper => m !== undefined);
  }
  const position = new Map(tables.map((t, i) => [t, i]));
  const rank = (m: Mapper) => position.get(m.table) ?? 0;
  const holders = new Map<Table, Mapper[]>();
  for (const m of mappers) for (const t of m.inheritance.tables) holders.set(t, [...(holders.get(t) ?? []), m]);
  const needs = new Map<Mapper, Set<Mapper>>();
  for (const m of mappers) {
    const own = new Set(m.inheritance.tables);
    const before = new Set<Mapper>();
    for (const t of own) {
      for (const fk of t.foreignKeys) {
        if (own.has(fk.column.table)) continue; // within its own row (a joined subclass's key) or self-referential
        for (const h of holders.get(fk.column.table) ?? []) if (h !== m) before.add(h);
      }
    }
    needs.set(m, before);
  }
  // In a cycle, the first by table order.
  return readyFirst(
    mappers.sort((a, b) => rank(a) - rank(b)),
    (m) => needs.get(m),
    'first',
  )!;
}

/**
 * Kahn's algorithm: each time the first mapper of `order` whose `needs` are all placed, so the
 * result keeps `order` wherever the needs do not say otherwise. When none is ready (a cycle),
 * `onCycle` decides: take the first left, or give up (null).
 */
function readyFirst(
  order: readonly Mapper[],
  needs: (m: Mapper) => ReadonlySet<Mapper> | undefined,
  onCycle: 'first' | 'null',
): Mapper[] | null {
  const out: Mapper[] = [];
  const placed = new Set<Mapper>();
  const ready = (m: Mapper) => !placed.has(m) && [...(needs(m) ?? [])].every((d) => placed.has(d));
  while (out.length < order.length) {
    let next = order.find(ready);
    if (!next) {
      if (onCycle === 'null') return null;
      next = order.find((m) => !placed.has(m))!;
    }
    out.push(next);
    placed.add(next);
  }
  return out;
}

/**
 * The mapper order for one flush: the table order, amended by the keys this flush copies from a
 * row it inserts (the parent's mapper first), which decide where tables form a cycle (the table
 * order cuts a cycle anywhere). Null when those keys themselves go round between mappers: the
 * rows are then inserted level by level across mappers (insertionLevel).
 */
export function flushMapperOrder(session: Session, children: readonly InstanceState[]): Mapper[] | null {
  const base = mapperOrder(session);
  const after = new Map<Mapper, Set<Mapper>>();
  for (const st of children) {
    for (const a of st.fk ?? NO_ASSIGNMENTS) {
      if (a.postUpdate || !a.parent || a.parent.status !== 'pending' || a.parent.mapper === st.mapper) continue;
      let set = after.get(st.mapper);
      if (!set) after.set(st.mapper, (set = new Set()));
      set.add(a.parent.mapper);
    }
  }
  if (after.size === 0) return base;
  // The table order wherever the keys do not say otherwise.
  return readyFirst(base, (m) => after.get(m), 'null');
}

/** The states of `set` that pass `keep`, grouped by mapper, in set order. */
export function byMapper(
  set: Iterable<InstanceState>,
  keep: (st: InstanceState) => boolean,
): Map<Mapper, InstanceState[]> {
  const out = new Map<Mapper, InstanceState[]>();
  for (const st of set) {
    if (!keep(st)) continue;
    const list = out.get(st.mapper);
    if (list) list.push(st);
    else out.set(st.mapper, [st]);
  }
  return out;
}

/** True when a foreign key of `st` is set from a row this flush has still to insert: its UPDATE waits. */
export function dependsOnPending(st: InstanceState): boolean {
  for (const a of st.fk ?? NO_ASSIGNMENTS) if (!a.postUpdate && a.parent && a.parent.status === 'pending') return true;
  return false;
}

/**
 * The next level of self-referential INSERTs: the rows of `remaining` that refer to none of the
 * others (`ready`, inserted now) and the rest (`later`). No ready row with some left: a cycle.
 */
export function insertionLevel(remaining: readonly InstanceState[]): {
  ready: InstanceState[];
  later: InstanceState[];
} {
  const waiting = nextMark();
  for (const st of remaining) st.mark = waiting;
  const ready: InstanceState[] = [];
  const later: InstanceState[] = [];
  for (const st of remaining) (refersToMarked(st, waiting) ? later : ready).push(st);
  return { ready, later };
}

/** True when one of the rows `st` refers to carries `mark` (is still waiting to be inserted). */
function refersToMarked(st: InstanceState, mark: number): boolean {
  for (const a of st.fk ?? NO_ASSIGNMENTS) if (!a.postUpdate && a.parent && a.parent.mark === mark) return true;
  return false;
}

/**
 * The relationships that make the rows of `waiting` (none of which can be inserted first) need
 * each other's keys: each assignment from one waiting row to another, named once.
 */
export function cycleRelationships(waiting: readonly InstanceState[]): string[] {
  const rows = new Set(waiting);
  const names = new Set<string>();
  for (const st of waiting) {
    for (const a of st.fk ?? NO_ASSIGNMENTS) {
      if (a.postUpdate || !a.parent || !rows.has(a.parent)) continue;
      const reverse = a.prop.reverse;
      names.add(reverse ? `${a.prop.name} / ${reverse.name}` : a.prop.name);
    }
  }
  return [...names];
}

/**
 * `states` (rows of `mapper` to delete) split into levels to delete in turn: no row of a level is
 * referred to by a row of the same or a later level. Each foreign key column is matched on its own,
 * so a composite self-reference may order more than it must, never less; rows that refer to each
 * other in a cycle end up in one last level, for the database to judge.
 *
 * @example
 * for (const level of deletionLevels(Employee.__mapper__, rows)) await deleteRows(level); // leaves first
 */
export function deletionLevels(mapper: Mapper, states: readonly InstanceState[]): InstanceState[][] {
  const fks = mapper.table.foreignKeysTo(mapper.table);
  if (fks.length === 0 || states.length < 2) return [[...states]];
  const parents = parentsWithin(mapper, states);
  if (parents.size === 0) return [[...states]];
  // Kahn's algorithm on "is referred to by": a row is ready once no remaining row refers to it.
  const children = new Map<InstanceState, number>();
  for (const list of parents.values()) for (const p of list) children.set(p, (children.get(p) ?? 0) + 1);
  const levels: InstanceState[][] = [];
  let remaining = [...states];
  while (remaining.length) {
    const ready = remaining.filter((st) => !children.get(st));
    if (ready.length === 0) {
      levels.push(remaining);
      break;
    }
    levels.push(ready);
    remaining = remaining.filter((st) => children.get(st));
    for (const st of ready) for (const p of parents.get(st) ?? []) children.set(p, children.get(p)! - 1);
  }
  return levels;
}

/** For each row, the other rows of `states` its self-referential foreign keys point at. */
function parentsWithin(mapper: Mapper, states: readonly InstanceState[]): Map<InstanceState, InstanceState[]> {
  const parents = new Map<InstanceState, InstanceState[]>();
  for (const fk of mapper.table.foreignKeysTo(mapper.table)) {
    const childKey = mapper.columnsByColumn.get(fk.parent)!.key;
    const referencedKey = mapper.columnsByColumn.get(fk.column)!.key;
    const byValue = new Map<unknown, InstanceState>();
    for (const st of states) {
      const v = st.stored(referencedKey);
      if (v !== null && v !== undefined) byValue.set(groupKey([v]), st);
    }
    for (const st of states) {
      const v = st.stored(childKey);
      if (v === null || v === undefined) continue;
      const parent = byValue.get(groupKey([v]));
      if (!parent || parent === st) continue;
      const list = parents.get(st);
      if (list) list.push(parent);
      else parents.set(st, [parent]);
    }
  }
  return parents;
}

/**
 * The order of a flush's DELETEs within one table. Rows of a self-referential table that refer to
 * each other are deleted children first, level by level: InnoDB checks foreign keys row by row, so
 * one multi-row DELETE that reaches a parent before its child fails there (SQLAlchemy sorts the rows
 * of a self-referential mapper by dependency for the same reason). Rows that do not refer to each
 * other share a level, so one DELETE still removes them together.
 */
import { groupKey } from '../loading/keys.js';
import type { Mapper } from '../mapping/mapper.js';
import type { InstanceState } from './state.js';

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
      const v = stored(st, referencedKey);
      if (v !== null && v !== undefined) byValue.set(groupKey([v]), st);
    }
    for (const st of states) {
      const v = stored(st, childKey);
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

/** The value the database holds: a row to delete may carry unflushed edits (the originals are in `orig`). */
function stored(st: InstanceState, key: string): unknown {
  return st.orig && key in st.orig ? st.orig[key] : st.v[key];
}

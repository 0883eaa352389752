/**
 * Copying keys across a relationship (SQLAlchemy's sync.py): which columns a relationship's
 * foreign key copies, the assignments the dependency rules record on each child, and applying
 * them just before the child's INSERT or UPDATE, when the parent's key is known.
 */
import { FlushError } from '../errors.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { FlushJournal } from './flush-journal.js';
import type { FkAssignment, InstanceState } from './state.js';

/** Which attributes a relationship's foreign key copies, child side and parent side; the same for every row. */
export interface FkColumns {
  readonly childKeys: readonly string[];
  readonly parentKeys: readonly string[];
  /** Identifies the child columns: a later assignment to the same columns replaces an earlier one. */
  readonly sig: string;
}

const fkColumnsCache = new WeakMap<RelationshipProperty, FkColumns>();

/** The key attributes `prop` copies, computed once per relationship. */
export function fkColumns(prop: RelationshipProperty): FkColumns {
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

/** The foreign key assignments one flush records, kept on each child (`state.fk`) until it ends. */
export class ForeignKeyAssignments {
  /** Children whose foreign keys this flush sets; their assignments are in `state.fk`. */
  readonly children: InstanceState[] = [];
  /** The last assignment made, shared by the next child of the same parent (a parent's children come in a row). */
  private lastAssignment: FkAssignment | null = null;
  private lastAssignmentProp: RelationshipProperty | null = null;

  /** Records that `child`'s foreign key of `prop` is to refer to `parent` (null: cleared). */
  set(child: InstanceState, prop: RelationshipProperty, parent: InstanceState | null): void {
    let a = this.lastAssignment;
    if (!a || a.parent !== parent || this.lastAssignmentProp !== prop) {
      const fk = fkColumns(prop);
      const postUpdate = prop.postUpdate || (prop.reverse?.postUpdate ?? false);
      a = { childKeys: fk.childKeys, parentKeys: fk.parentKeys, sig: fk.sig, parent, prop, postUpdate };
      this.lastAssignment = a;
      this.lastAssignmentProp = prop;
    }
    const list = child.fk;
    if (!list) {
      child.fk = [a];
      this.children.push(child);
    } else {
      const i = list.findIndex((x) => x.sig === a.sig);
      // Setting a parent wins over clearing one: a child moved between parents ends up with the new one.
      if (i < 0) list.push(a);
      else if (parent !== null || !list[i]!.parent) list[i] = a;
    }
  }

  /** The flush is over (written or failed): the children let go of their assignments. */
  release(): void {
    for (const st of this.children) st.fk = null;
  }
}

/**
 * Copies the parents' keys into `st`'s foreign key attributes, as its assignments say; a
 * postUpdate one waits for its own UPDATE after the INSERTs (post-update.ts).
 */
export function applyAssignments(st: InstanceState, journal: FlushJournal): void {
  const list = st.fk;
  if (!list) return;
  for (const a of list) {
    if (a.postUpdate) continue;
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
        journal.write(st, ck, value);
      }
    }
  }
}

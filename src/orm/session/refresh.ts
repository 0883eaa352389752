/**
 * The "read it again from the database" operations on objects already in a session: refresh() (one
 * SELECT of an object's row, its unflushed changes to what is read dropped), loading what expire()
 * marked when a lazy load needs it, and populateExisting (a query's rows written over the objects it
 * finds). expire() itself is in expire.ts: it forgets values, these read them.
 */
import { ArgumentError } from '../../sql/errors.js';
import { InvalidRequestError } from '../errors.js';
import type { MappedColumn } from '../mapping/mapper.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import { readColumnProperties } from './computed-readback.js';
import { readColumnsByKey } from '../loading/deferred-columns.js';

/** The column and relationship attributes of `st`'s model that `attrs` names, checked. */
export function splitAttributes(
  st: InstanceState,
  attrs: readonly string[],
  action: string,
): { columns: MappedColumn[]; relationships: string[] } {
  if (!Array.isArray(attrs)) throw new ArgumentError(`session.${action}(): attributes must be an array of names`);
  const columns: MappedColumn[] = [];
  const relationships: string[] = [];
  for (const key of attrs) {
    const mc = typeof key === 'string' ? st.mapper.columnsByKey.get(key) : undefined;
    if (mc) columns.push(mc);
    else if (typeof key === 'string' && st.mapper.relationships.has(key)) relationships.push(key);
    else {
      const known = [...st.mapper.columnsByKey.keys(), ...st.mapper.relationships.keys()];
      throw new ArgumentError(
        `session.${action}(): ${st.mapper.name} has no column or relationship '${String(key)}' (known: ${known.join(', ')})`,
      );
    }
  }
  return { columns, relationships };
}

/** Refuses an object that is not persistent in `session`, naming the action. */
export function requirePersistentIn(session: Session, st: InstanceState, action: string): void {
  if (st.status !== 'persistent' || st.session !== session)
    throw new InvalidRequestError(
      `cannot ${action} ${st}: it is ${st.session && st.session !== session ? 'in another session' : st.status}, not persistent in this session`,
    );
}

/**
 * Reloads `st` from its row (run as one of the session's operations): every column, or the named
 * attributes only. A full refresh unloads the relationships (the next `await` reads them afresh);
 * a named relationship is loaded again at once.
 */
export async function refreshState(session: Session, st: InstanceState, attrs?: readonly string[]): Promise<void> {
  requirePersistentIn(session, st, 'refresh');
  if (attrs === undefined) {
    await reloadColumns(session, st, st.mapper.columns);
    st.unloaded = null; // deferred columns included: refresh reads every column
    st.orig = null;
    st.rel = null;
    st.collectionChanges = null;
    st.pendingMutations = null;
    st.scalarChanges = null;
    session.changed.delete(st);
    await readColumnProperties(session, [st]);
    return;
  }
  const { columns, relationships } = splitAttributes(st, attrs, 'refresh');
  if (columns.length > 0) await reloadColumns(session, st, columns);
  for (const key of relationships) {
    forgetRelationship(st, key);
    await withoutAutoflush(session, () => session.loadRelationshipNow(st, st.mapper.relationships.get(key)!));
  }
  if (!st.hasChanges) session.changed.delete(st);
}

/**
 * Runs `op` with autoflush off (SQLAlchemy's no_autoflush): refresh() and merge() read rows for objects
 * they are changing, and flushing those half-changed objects in the middle would be wrong.
 */
export async function withoutAutoflush<R>(session: Session, op: () => Promise<R>): Promise<R> {
  const autoflush = session.autoflush;
  session.autoflush = false;
  try {
    return await op();
  } finally {
    session.autoflush = autoflush;
  }
}

/** Loads the attributes expire() left unloaded, when something needs them (a lazy load reads its keys). */
export async function loadExpired(session: Session, st: InstanceState): Promise<void> {
  const expired = st.expired;
  if (expired === null) return;
  await reloadColumns(
    session,
    st,
    st.mapper.columns.filter((mc) => expired.has(mc.key)),
  );
}

/**
 * Loads a version column expire() left unloaded before the flush writes or deletes the row: the
 * UPDATE's `WHERE version = ?` needs the version the database holds now (SQLAlchemy does the same).
 */
export async function loadExpiredVersion(session: Session, st: InstanceState): Promise<void> {
  const version = st.mapper.versionColumn;
  if (version && st.expired?.has(version.key)) await reloadColumns(session, st, [version]);
}

/** Drops a relationship's loaded value and its unflushed changes. */
export function forgetRelationship(st: InstanceState, key: string): void {
  if (st.rel) delete st.rel[key];
  st.collectionChanges?.delete(key);
  if (st.collectionChanges?.size === 0) st.collectionChanges = null;
  st.scalarChanges?.delete(key);
  if (st.scalarChanges?.size === 0) st.scalarChanges = null;
  st.pendingMutations?.delete(key);
  if (st.pendingMutations?.size === 0) st.pendingMutations = null;
}

/** One SELECT of `columns` from `st`'s row; their values replace what `st` holds, changes to them dropped. */
async function reloadColumns(session: Session, st: InstanceState, columns: readonly MappedColumn[]): Promise<void> {
  const values = await readColumnsByKey(session, st, columns);
  if (!values) throw new InvalidRequestError(`cannot refresh ${st}: its row no longer exists`);
  columns.forEach((mc, i) => {
    st.v[mc.key] = values[i];
    if (st.orig) delete st.orig[mc.key];
    st.expired?.delete(mc.key);
  });
  if (st.orig && Object.keys(st.orig).length === 0) st.orig = null;
  if (st.expired?.size === 0) st.expired = null;
}

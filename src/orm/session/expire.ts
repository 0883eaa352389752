/**
 * session.expire(obj, attrs?) and expireAll() (SQLAlchemy's expire / expire_all): an object forgets
 * loaded values, and its unflushed changes to them, so that they are read from the database again.
 * Relata reads columns synchronously, so an expired column is loaded by an awaitable (refresh(),
 * get(), any query returning the row, a lazy load of one of the object's relationships) and reading it
 * before then throws ExpiredAttributeError; an expired relationship is simply unloaded (`await` reads it).
 * The primary key is the object's identity and is never expired.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import { forgetRelationship, requirePersistentIn, splitAttributes } from './refresh.js';

/** Expires the named attributes of `st`, or all but its primary key. */
export function expireState(session: Session, st: InstanceState, attrs?: readonly string[]): void {
  requirePersistentIn(session, st, 'expire');
  if (attrs === undefined) {
    for (const mc of st.mapper.columns) if (!mc.column.primaryKey) expireColumn(st, mc.key);
    for (const key of st.mapper.relationships.keys()) forgetRelationship(st, key);
  } else {
    const { columns, relationships } = splitAttributes(st, attrs, 'expire');
    for (const mc of columns) {
      if (mc.column.primaryKey)
        throw new ArgumentError(
          `session.expire(): ${st.mapper.name}.${mc.key} is the primary key, the object's identity; it is never expired`,
        );
      expireColumn(st, mc.key);
    }
    for (const key of relationships) forgetRelationship(st, key);
  }
  if (!st.hasChanges) session.changed.delete(st);
}

function expireColumn(st: InstanceState, key: string): void {
  delete st.v[key];
  if (st.orig) {
    delete st.orig[key];
    if (Object.keys(st.orig).length === 0) st.orig = null;
  }
  (st.expired ??= new Set()).add(key);
}

/**
 * The values the next query's row brings for `st`'s expired attributes (SQLAlchemy loads expired
 * attributes from any row that returns the object); attributes the row does not hold stay expired.
 */
export function loadExpiredFromRow(st: InstanceState, values: Record<string, unknown>): void {
  const expired = st.expired!;
  for (const key of expired) {
    if (!(key in values)) continue;
    st.v[key] = values[key];
    expired.delete(key);
  }
  if (expired.size === 0) st.expired = null;
}

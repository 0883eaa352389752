/**
 * `await user.posts` on an unloaded relationship: the per-relationship strategy (`raise`, `noload`,
 * else one SELECT), autoflush first, and the N+1 report when siblings of one result load it one by one.
 * Apart from the Session because it is loading, not bookkeeping; the session only queues it (run()).
 */
import { NotLoadedError } from '../errors.js';
import { loadRelated } from '../loading/context.js';
import type { NPlusOneReporter } from '../loading/nplusone.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import { loadExpired } from './refresh.js';
import { loadsWithoutSql, parentKeyColumns } from '../loading/keys.js';

/** Whether loading `prop` reads a column of `st` that expire() unloaded (a many-to-one's foreign key). */
function readsExpiredKey(st: InstanceState, prop: RelationshipProperty): boolean {
  return parentKeyColumns(prop).some((c) => st.expired!.has(prop.parent.columnsByColumn.get(c)!.key));
}

/** Loads `prop` of `st` (for callers holding the session's lock) and returns what it holds now. */
export async function loadUnloaded(
  session: Session,
  reports: NPlusOneReporter,
  st: InstanceState,
  prop: RelationshipProperty,
  site: Error | null,
): Promise<unknown> {
  if (st.isLoaded(prop.key)) return st.rel![prop.key];
  const strategy = st.loadOptions?.get(prop) ?? prop.lazy;
  if (strategy === 'raise') {
    throw new NotLoadedError(
      `${prop.name} is set to raise on lazy load; load it with the query: .options(selectinload(${prop.name}))`,
    );
  }
  if (strategy === 'noload') {
    prop.setLoaded(st, prop.uselist ? [] : null);
    return st.rel![prop.key];
  }
  if (session.autoflush && session.isDirty && !session.activeFlush) await session.flushNow();
  if (st.expired !== null && readsExpiredKey(st, prop)) await loadExpired(session, st);
  const batch = st.batch;
  if (batch && batch.size > 1 && !loadsWithoutSql(session, st, prop)) reports.noteLazyLoad(batch, prop, site);
  await loadRelated(session, [st], prop, new Map(), [prop], null);
  return st.rel![prop.key];
}

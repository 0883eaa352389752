/**
 * `session.refresh(obj)`: one object's columns read again from its row, its unflushed changes and
 * loaded relationships dropped. Apart from the Session as the first of the "reload from the database"
 * operations (expire() and populateExisting will sit beside it).
 */
import { ColumnRef } from '../../sql/expressions.js';
import { Select } from '../../sql/selectable.js';
import { InvalidRequestError } from '../errors.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';
import { readColumnProperties } from './computed-readback.js';

/** Reloads `st` from its row; run as one of the session's operations (Session.run). */
export async function refreshState(session: Session, st: InstanceState): Promise<void> {
  if (st.status !== 'persistent' || st.session !== session)
    throw new InvalidRequestError(`cannot refresh ${st}: it is not persistent in this session`);
  const mapper = st.mapper;
  const where = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, mapper.table).eq(st.v[pk.key] as never));
  const select = new Select({
    columns: mapper.columns.map((mc) => new ColumnRef(mc.column, mapper.table)),
    from: [mapper.table],
  }).filter(...where);
  const row = (await session.executeRead(select)).rows[0];
  if (!row) throw new InvalidRequestError(`cannot refresh ${st}: its row no longer exists`);
  const processors = mapper.processors(session.dialect);
  mapper.columns.forEach((mc, i) => {
    const v = row[i];
    st.v[mc.key] = processors[i] && v !== null ? processors[i]!(v) : v;
  });
  st.unloaded = null; // deferred columns included: refresh reads every column
  st.orig = null;
  st.rel = null;
  st.collectionChanges = null;
  st.pendingMutations = null;
  st.scalarChanges = null;
  session.changed.delete(st);
  await readColumnProperties(session, [st]);
}

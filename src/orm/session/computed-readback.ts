/**
 * Column properties read back after a flush wrote their rows (SQLAlchemy expires them on flush and
 * reloads them on access; reads here are `await`-free, so the flush reads them at once): one SELECT
 * of the primary key and the properties per model, over the rows written.
 */
import { processorFor } from '../../dialects/processors.js';
import { ColumnRef, and_, or_, type ColumnElement } from '../../sql/expressions.js';
import { Select } from '../../sql/selectable.js';
import { columnPropertiesOf } from '../mapping/column-property.js';
import type { Mapper } from '../mapping/mapper.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';

/** Reads the column properties of `states` (those of models that have some) from their rows. */
export async function readColumnProperties(session: Session, states: Iterable<InstanceState>): Promise<void> {
  const byMapper = new Map<Mapper, InstanceState[]>();
  for (const st of states) {
    if (st.status !== 'persistent' || columnPropertiesOf(st.mapper).length === 0) continue;
    const list = byMapper.get(st.mapper);
    if (list) list.push(st);
    else byMapper.set(st.mapper, [st]);
  }
  for (const [mapper, list] of byMapper) {
    const perStatement = Math.max(1, Math.floor(session.dialect.compiler.maxParameters / mapper.primaryKey.length));
    for (let i = 0; i < list.length; i += perStatement)
      await readBatch(session, mapper, list.slice(i, i + perStatement));
  }
}

async function readBatch(session: Session, mapper: Mapper, states: InstanceState[]): Promise<void> {
  const props = columnPropertiesOf(mapper);
  const pk = mapper.primaryKey;
  const ref = (i: number) => new ColumnRef(pk[i]!.column, pk[i]!.column.table);
  const keyOf = (st: InstanceState): ColumnElement<boolean> =>
    and_(...pk.map((p, i) => ref(i).eq(st.v[p.key] as never)));
  const where = pk.length === 1 ? ref(0).in(states.map((st) => st.v[pk[0]!.key] as never)) : or_(...states.map(keyOf));
  const select = new Select({
    columns: [...pk.map((_, i) => ref(i)), ...props.map((p) => p.element)],
    from: [mapper.inheritance.selectable],
    where,
  });
  const rows = (await session.executeRead(select)).rows;
  const pkProcessors = mapper.processors(session.dialect);
  const processors = props.map((p) => (p.resultType ? processorFor(session.dialect, p.resultType) : null));
  const byKey = new Map<unknown, readonly unknown[]>();
  for (const row of rows) {
    const values: Record<string, unknown> = {};
    pk.forEach((p, i) => {
      const raw = row[i];
      const proc = pkProcessors[p.index];
      values[p.key] = proc && raw !== null ? proc(raw) : raw;
    });
    byKey.set(mapper.keyFromValues(values), row);
  }
  for (const st of states) {
    const row = byKey.get(mapper.keyFromValues(st.v));
    if (!row) continue;
    props.forEach((p, i) => {
      const raw = row[pk.length + i];
      const proc = processors[i];
      st.v[p.key] = proc && raw !== null ? proc(raw) : raw;
    });
  }
}

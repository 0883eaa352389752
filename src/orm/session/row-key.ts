/**
 * Where a flush's UPDATE or DELETE finds an object's row in one of its tables (a joined subclass's
 * row spans several): by the key as the database holds it, so a changed key is written after.
 */
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
import type { Table } from '../../sql/schema.js';
import type { MappedColumn, Mapper } from '../mapping/mapper.js';
import type { InstanceState } from './state.js';

/** The primary key columns of `mapper`'s rows in `table`, each under its attribute. */
export function primaryKeyIn(mapper: Mapper, table: Table): MappedColumn[] {
  return mapper.inheritance.columnsOf(table).filter((mc) => mc.column.primaryKey);
}

/** `pk = <stored value>` for each primary key column of `st`'s row in `table`. */
export function keyConditions(st: InstanceState, table: Table): ColumnElement<boolean>[] {
  return primaryKeyIn(st.mapper, table).map((mc) => new ColumnRef(mc.column, table).eq(st.stored(mc.key) as never));
}

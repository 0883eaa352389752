/**
 * Which columns a planned entity reads from its rows, and how: every column (the mapper's own row
 * reader, the usual case), or the columns its deferred declarations and the query's column options
 * leave, plus its column properties' expressions after them.
 */
import type { Dialect, ResultProcessor } from '../../dialects/dialect.js';
import { processorFor } from '../../dialects/processors.js';
import { ColumnRef, type ColumnElement } from '../../sql/expressions.js';
import type { FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import { columnPropertiesOf } from '../mapping/column-property.js';
import type { MappedColumn, Mapper, RowReader } from '../mapping/mapper.js';
import { plannedColumns, type ColumnSpec } from './column-options.js';

/** What the planner adds for one entity's columns. */
export interface ColumnPlan {
  /** The SELECT's expressions for the entity, in row order. */
  readonly select: ColumnElement[];
  readonly read: RowReader;
  /** The columns read, when not all of them (null: every column, in mapper order). */
  readonly columns: readonly MappedColumn[] | null;
  /** The column keys left unloaded on the objects read (null: none). */
  readonly unloaded: ReadonlySet<string> | null;
  /** Row positions of the primary key columns, relative to the entity's offset, when not the mapper's. */
  readonly keyAt: readonly number[] | null;
}

/** The columns of `mapper` to read from `from` under the column options `spec`. */
export function planColumns(
  mapper: Mapper,
  from: FromClause,
  spec: ColumnSpec | undefined,
  dialect: Dialect,
): ColumnPlan {
  const columns = plannedColumns(mapper, spec);
  const props = columnPropertiesOf(mapper);
  const read = columns ?? mapper.columns;
  const select: ColumnElement[] = read.map((mc) => new ColumnRef(mc.column, from));
  for (const p of props) select.push(replaceFrom(p.element, mapper.table, from));
  const processors = mapper.processors(dialect);
  if (columns === null && props.length === 0) {
    return { select, read: mapper.rowReader(processors), columns: null, unloaded: null, keyAt: null };
  }
  const keys = read.map((mc) => mc.key);
  const procs = read.map((mc) => processors[mc.index] ?? null);
  for (const p of props) {
    keys.push(p.key);
    const type = p.resultType;
    procs.push(type ? processorFor(dialect, type) : null);
  }
  const unloaded =
    columns === null ? null : new Set(mapper.columns.filter((mc) => !columns.includes(mc)).map((mc) => mc.key));
  const keyAt = columns === null ? null : mapper.primaryKey.map((pk) => columns.indexOf(pk));
  return { select, read: readerOf(keys, procs), columns, unloaded, keyAt };
}

/** A row reader for these keys (a loop: plans that read a subset are the rare case). */
function readerOf(keys: readonly string[], processors: readonly (ResultProcessor | null)[]): RowReader {
  return (row, offset) => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const raw = row[offset + i];
      const p = processors[i];
      values[keys[i]!] = p && raw !== null ? p(raw) : raw;
    }
    return values;
  };
}

/** The row position (from the entity's offset) of a column a plan reads. */
export function columnPosition(columns: readonly MappedColumn[] | null, mc: MappedColumn): number {
  return columns === null ? mc.index : columns.indexOf(mc);
}

/**
 * Polymorphic loading: the rows of a query on a model with subclasses become instances of the
 * class their discriminator names. The columns of a subclass that the query's FROM holds (a
 * single-table subclass's, or a joined one's with `withPolymorphic`) are read from the same row;
 * the others are loaded after the rows with one SELECT per subclass present, by primary key
 * (SQLAlchemy's selectin_polymorphic), so every attribute of a loaded object reads synchronously.
 */
import type { Dialect, ResultProcessor } from '../../dialects/dialect.js';
import { ColumnRef, and_, or_, type ColumnElement } from '../../sql/expressions.js';
import { Join, Select, type FromClause } from '../../sql/selectable.js';
import type { Column, Table } from '../../sql/schema.js';
import { InvalidRequestError } from '../errors.js';
import type { MappedColumn, Mapper, RowReader } from '../mapping/mapper.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';
import { selectinBatchSize } from './keys.js';
import { columnLoadInfo } from './deferred-columns.js';
import { columnPosition } from './column-plan.js';

/** How one class of the hierarchy is read from a row of the query. */
interface ClassReader {
  readonly read: RowReader;
  /** Its columns the row does not hold: loaded afterwards (see loadMissingColumns). */
  readonly missing: readonly MappedColumn[];
  /** Its columns left unloaded (deferred, or not in the base's column plan): loaded on `await`. */
  readonly unloaded: ReadonlySet<string> | null;
}

/** Reads the rows of a polymorphic plan: which class each is, and its values. */
export class PolymorphicReader {
  private readonly readers = new Map<Mapper, ClassReader>();

  constructor(
    private readonly mapper: Mapper,
    /** The discriminator's position in the row. */
    private readonly at: number,
    private readonly positionOf: (mc: MappedColumn) => number,
    private readonly dialect: Dialect,
    /** The base's columns its column plan leaves unloaded (null: none). */
    private readonly baseUnloaded: ReadonlySet<string> | null,
  ) {}

  /** A new instance of the row's class (the identity map decided it was not loaded yet). */
  instantiate(row: readonly unknown[]): InstanceState {
    const value = row[this.at];
    const cls = this.mapper.inheritance.mapperFor(value);
    if (!cls.inheritance.isA(this.mapper)) {
      throw new InvalidRequestError(
        `a row loaded as ${this.mapper.name} has polymorphic identity '${String(value)}', which is ${cls.name}, ` +
          `not ${this.mapper.name} or one of its subclasses`,
      );
    }
    return cls.instantiate(this.reader(cls).read, row, 0);
  }

  /** The columns of `cls` this plan's rows do not hold (empty for most classes). */
  missing(cls: Mapper): readonly MappedColumn[] {
    return this.reader(cls).missing;
  }

  /** The values of `cls`'s columns this plan's `row` holds. */
  read(cls: Mapper, row: readonly unknown[]): Record<string, unknown> {
    return this.reader(cls).read(row, 0);
  }

  /** The column keys an object of `cls` read by this plan leaves unloaded (null: none). */
  unloaded(cls: Mapper): ReadonlySet<string> | null {
    return this.reader(cls).unloaded;
  }

  private reader(cls: Mapper): ClassReader {
    let r = this.readers.get(cls);
    if (!r) this.readers.set(cls, (r = this.makeReader(cls)));
    return r;
  }

  private makeReader(cls: Mapper): ClassReader {
    const processors = cls.processors(this.dialect);
    const present: { key: string; at: number; p: ResultProcessor | null }[] = [];
    const missing: MappedColumn[] = [];
    const unloaded = new Set<string>();
    const deferred = columnLoadInfo(cls).deferred;
    for (const mc of cls.columns) {
      const inBase = this.mapper.columnsByKey.has(mc.key);
      if (inBase ? this.baseUnloaded?.has(mc.key) : deferred.has(mc.key)) {
        unloaded.add(mc.key);
        continue;
      }
      const at = this.positionOf(mc);
      if (at < 0) missing.push(mc);
      else present.push({ key: mc.key, at, p: processors[mc.index] ?? null });
    }
    const read: RowReader = (row) => {
      const values: Record<string, unknown> = {};
      for (const c of present) {
        const raw = row[c.at];
        values[c.key] = c.p && raw !== null ? c.p(raw) : raw;
      }
      return values;
    };
    return { read, missing, unloaded: unloaded.size ? unloaded : null };
  }
}

/** The tables a FROM element reads, each with the element to read its columns from. */
function tablesOf(from: FromClause, out = new Map<Table, FromClause>()): Map<Table, FromClause> {
  if (from instanceof Join) {
    tablesOf(from.left, out);
    tablesOf(from.right, out);
  } else if (from.kind === 'table') out.set(from, from);
  else if (from.kind === 'table-alias') out.set(from.table, from);
  return out;
}

/**
 * Adds to `columns` the subclass columns `from` (and the extra joined `tables`) holds, and
 * returns the reader of the plan's rows. `offset` is where `mapper`'s own columns start.
 */
export function planPolymorphic(
  columns: ColumnElement[],
  dialect: Dialect,
  mapper: Mapper,
  from: FromClause,
  offset: number,
  extra: readonly Table[],
  /** The base's columns as its column plan reads them (null: all, in mapper order), and those it leaves unloaded. */
  base: { readonly columns: readonly MappedColumn[] | null; readonly unloaded: ReadonlySet<string> | null },
): PolymorphicReader {
  const tables = tablesOf(from);
  for (const t of extra) if (!tables.has(t)) tables.set(t, t);
  const added = new Map<Column, number>();
  const positionOf = (mc: MappedColumn): number => {
    const own = mapper.columnsByKey.get(mc.key);
    if (own) return offset + columnPosition(base.columns, own);
    const known = added.get(mc.column);
    if (known !== undefined) return known;
    const source = tables.get(mc.column.table);
    if (!source) return -1;
    added.set(mc.column, columns.length);
    columns.push(new ColumnRef(mc.column, source));
    return columns.length - 1;
  };
  // Every subclass's columns are placed now (its deferred ones left out): the planner's column
  // list is complete once planned.
  for (const cls of mapper.inheritance.family()) {
    const deferred = columnLoadInfo(cls).deferred;
    for (const mc of cls.columns) if (mapper.columnsByKey.has(mc.key) || !deferred.has(mc.key)) positionOf(mc);
  }
  const at = positionOf(mapper.inheritance.on!);
  return new PolymorphicReader(mapper, at, positionOf, dialect, base.unloaded);
}

/**
 * Loads the columns the query's rows did not hold for objects of subclass `cls`: one SELECT of
 * those columns by primary key (IN batches sized to the driver's parameter limit).
 */
export async function loadMissingColumns(
  session: Session,
  cls: Mapper,
  missing: readonly MappedColumn[],
  states: readonly InstanceState[],
): Promise<void> {
  const pk = cls.primaryKey;
  const from = cls.inheritance.selectable;
  const ref = (mc: MappedColumn) => new ColumnRef(mc.column, from);
  const processors = cls.processors(session.dialect);
  const perBatch = selectinBatchSize(session, pk.length);
  for (let i = 0; i < states.length; i += perBatch) {
    const chunk = states.slice(i, i + perBatch);
    const byKey = new Map<string, InstanceState>();
    for (const st of chunk) byKey.set(keyText(pk.map((p) => st.v[p.key])), st);
    const where =
      pk.length === 1
        ? ref(pk[0]!).in(chunk.map((st) => st.v[pk[0]!.key] as never))
        : or_(...chunk.map((st) => and_(...pk.map((p) => ref(p).eq(st.v[p.key] as never)))));
    const select = new Select({ columns: [...pk, ...missing].map(ref), from: [from], where });
    const { rows } = await session.executeRead(select);
    for (const row of rows) {
      const key = keyText(row.slice(0, pk.length));
      const st = byKey.get(key);
      if (!st) continue;
      byKey.delete(key);
      missing.forEach((mc, j) => {
        if (st.v[mc.key] !== undefined) return;
        const raw = row[pk.length + j];
        const p = processors[mc.index];
        st.v[mc.key] = p && raw !== null && raw !== undefined ? p(raw) : raw;
      });
    }
    // Rows another session deleted after the query's first statement (outside a transaction, or
    // at READ COMMITTED, each statement reads what is committed then): their columns are expired,
    // so reading one throws and refresh() says the row is gone, instead of reading as null.
    for (const st of byKey.values()) {
      for (const mc of missing) if (st.v[mc.key] === undefined) (st.expired ??= new Set()).add(mc.key);
    }
  }
}

function keyText(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join('\u0000');
}

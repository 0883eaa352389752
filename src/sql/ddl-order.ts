/**
 * The order CREATE TABLE runs in, and the foreign keys that cannot be part of it: SQLAlchemy's
 * `sort_tables_and_constraints`. A foreign key marked `useAlter`, and every foreign key between
 * tables that form a cycle, is added after the tables exist (ALTER TABLE ADD CONSTRAINT) and
 * dropped before they go; every other table follows the tables it refers to.
 */
import type { ForeignKeyConstraint } from './constraints.js';
import type { Table } from './schema.js';
import type { SqlCompiler } from './compiler.js';

/**
 * The tables in DDL order, and the foreign keys added after them.
 *
 * @example
 * ```ts
 * import { MetaData } from 'relata';
 *
 * const { tables, addedAfter } = new MetaData().sortedTablesAndConstraints();
 * console.log(tables.length, addedAfter.length); // 0 0
 * ```
 */
export interface TableDDLOrder {
  /** Every table, each after the tables it refers to through a foreign key not in `addedAfter`. */
  readonly tables: readonly Table[];
  /** Foreign keys created with ALTER TABLE after every table, and dropped before any: `useAlter` ones and cycles'. */
  readonly addedAfter: readonly ForeignKeyConstraint[];
  /** The foreign keys of `addedAfter` that are there because of a cycle and are not marked `useAlter`. */
  readonly unmarkedCycles: readonly ForeignKeyConstraint[];
}

/** Sorts `tables` (in their declaration order when nothing else decides) for DDL. */
export function sortTablesAndConstraints(tables: readonly Table[]): TableDDLOrder {
  const members = new Set(tables);
  const edges = (t: Table, skip: ReadonlySet<ForeignKeyConstraint>): Table[] =>
    t.foreignKeyConstraints
      .filter((fk) => !skip.has(fk))
      .map((fk) => referredTable(fk))
      .filter((r): r is Table => r !== t && r !== null && members.has(r));
  const marked = new Set(tables.flatMap((t) => t.foreignKeyConstraints.filter((fk) => fk.useAlter)));
  const unmarked: ForeignKeyConstraint[] = [];
  for (const component of cycles(tables, (t) => edges(t, marked))) {
    for (const t of component) {
      for (const fk of t.foreignKeyConstraints) {
        const r = referredTable(fk);
        if (r !== t && r !== null && component.has(r) && !marked.has(fk)) unmarked.push(fk);
      }
    }
  }
  const skipped = new Set([...marked, ...unmarked]);
  const out: Table[] = [];
  const done = new Set<Table>();
  const visit = (t: Table): void => {
    if (done.has(t)) return;
    done.add(t);
    for (const r of edges(t, skipped)) visit(r);
    out.push(t);
  };
  for (const t of tables) visit(t);
  const addedAfter = tables.flatMap((t) => t.foreignKeyConstraints.filter((fk) => skipped.has(fk)));
  return { tables: out, addedAfter, unmarkedCycles: addedAfter.filter((fk) => !marked.has(fk)) };
}

/** The referred table, or null when it cannot be resolved (a table outside the metadata: no edge). */
function referredTable(fk: ForeignKeyConstraint): Table | null {
  try {
    return fk.elements[0]!.column.table;
  } catch {
    return null;
  }
}

/** The strongly connected components of more than one table (Tarjan's algorithm). */
function cycles(tables: readonly Table[], next: (t: Table) => Table[]): Set<Table>[] {
  const index = new Map<Table, number>();
  const low = new Map<Table, number>();
  const stack: Table[] = [];
  const onStack = new Set<Table>();
  const out: Set<Table>[] = [];
  const connect = (t: Table): void => {
    index.set(t, index.size);
    low.set(t, index.get(t)!);
    stack.push(t);
    onStack.add(t);
    for (const r of next(t)) {
      if (!index.has(r)) {
        connect(r);
        low.set(t, Math.min(low.get(t)!, low.get(r)!));
      } else if (onStack.has(r)) {
        low.set(t, Math.min(low.get(t)!, index.get(r)!));
      }
    }
    if (low.get(t) !== index.get(t)) return;
    const component = new Set<Table>();
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
      if (member === t) break;
    }
    if (component.size > 1) out.push(component);
  };
  for (const t of tables) if (!index.has(t)) connect(t);
  return out;
}

/**
 * CREATE TABLE IF NOT EXISTS for each table, in DDL order, then ALTER TABLE ADD CONSTRAINT for the
 * keys added after them (on a dialect that can; SQLite keeps them inline) of the tables not in
 * `existing`: a table that was already there is kept as it is.
 */
export function createAllStatements(
  compiler: SqlCompiler,
  order: TableDDLOrder,
  existing: ReadonlySet<Table>,
): string[] {
  const after = compiler.alterAddsForeignKeys ? order.addedAfter : [];
  const own = (t: Table) => after.filter((fk) => fk.table === t);
  return [
    ...order.tables.flatMap((t) => compiler.createTable(t, true, own(t))),
    ...after.filter((fk) => !existing.has(fk.table)).map((fk) => compiler.addForeignKey(fk)),
  ];
}

/** ALTER TABLE DROP CONSTRAINT for the keys added after the tables, of the tables in `existing`: before any DROP TABLE. */
export function dropAddedAfterStatements(
  compiler: SqlCompiler,
  order: TableDDLOrder,
  existing: ReadonlySet<Table>,
): string[] {
  if (!compiler.alterAddsForeignKeys) return [];
  return order.addedAfter
    .filter((fk) => existing.has(fk.table) && existing.has(referredTable(fk)!))
    .map((fk) => compiler.dropConstraint(fk.table, fk.name, 'foreignKey'));
}

/**
 * The warning for a cycle no key of which is marked `useAlter` (SQLAlchemy warns likewise), or null:
 * its keys are added after the tables all the same, and marking one says that is meant.
 */
export function unmarkedCycleWarning(order: TableDDLOrder): string | null {
  if (order.unmarkedCycles.length === 0) return null;
  const tables = [...new Set(order.unmarkedCycles.map((k) => k.table.name))];
  const keys = order.unmarkedCycles.map((k) => k.name);
  return (
    `tables ${tables.join(', ')} refer to each other in a cycle: their foreign keys ${keys.join(', ')} are created ` +
    `after the tables, with ALTER TABLE ADD CONSTRAINT. Mark the one that should be with useAlter: true ` +
    `(ForeignKey('table.column', { useAlter: true })) to break the cycle there and silence this warning`
  );
}

/**
 * `relata push`: the differ's changes applied directly with the migration operations, without a
 * migration file (development databases). In one transaction where the database has transactional
 * DDL (PostgreSQL, SQLite); statement by statement on MySQL.
 */
import type { Engine } from '../engine/engine.js';
import { Column as columnDecl, type TableColumn, type TableOptions } from '../orm/mapping/database.js';
import type { SchemaChange } from '../schema/compare/changes.js';
import {
  CheckConstraint,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  UniqueConstraint,
  type TableConstraint,
} from '../sql/constraints.js';
import { TextClause } from '../sql/expressions.js';
import { Index, type Column, type Table } from '../sql/schema.js';
import { createOperations } from './migration-operations.js';
import type { Operations } from './operations.js';

/** A column as `Column('name', type, options)`, without keys or indexes (those are table constraints). */
function decl(column: Column, inKey: boolean): TableColumn {
  return columnDecl(column.name, column.type, {
    ...(inKey && { primaryKey: true }),
    ...(inKey && !column.autoincrement && { autoincrement: false }),
    ...(!column.primaryKey && { nullable: column.nullable }),
    ...(column.serverDefault !== undefined && { serverDefault: column.serverDefault }),
    ...(column.comment !== undefined && { comment: column.comment }),
  });
}

/** createTable's arguments for a table: fresh constraint objects (the model's are bound to its Table). */
function tableArgs(
  table: Table,
  addedAfter: readonly ForeignKeyConstraint[] = [],
): (TableColumn | TableConstraint | TableOptions)[] {
  const pk = table.primaryKey;
  const named = table.primaryKeyConstraint?.options.name !== undefined;
  const onColumn = pk.length === 1 && !named;
  const args: (TableColumn | TableConstraint | TableOptions)[] = table.columns.map((c) =>
    decl(c, onColumn && pk[0] === c),
  );
  if (pk.length && !onColumn) {
    const name = table.primaryKeyConstraint?.name ?? `pk_${table.name}`;
    args.push(
      new PrimaryKeyConstraint(
        pk.map((c) => c.name),
        { name },
      ),
    );
  }
  for (const fk of table.foreignKeyConstraints) {
    if (addedAfter.includes(fk)) continue;
    const targets = fk.elements.map((e) => `${e.column.table.fullName}.${e.column.name}`);
    args.push(new ForeignKeyConstraint(fk.columnNames, targets, { ...fk.options, name: fk.name }));
  }
  for (const u of table.uniqueConstraints) args.push(new UniqueConstraint(u.columnNames, { name: u.name }));
  for (const ck of table.checks) args.push(new CheckConstraint(ck.sql, { name: ck.name }));
  for (const ix of table.indexes) args.push(freshIndex(ix));
  if (table.comment !== undefined) args.push({ comment: table.comment });
  return args;
}

function elementsOf(ix: Index): (string | TextClause)[] {
  return ix.elements.map((e) => (e instanceof TextClause ? e : (e as Column).name));
}

function freshIndex(ix: Index): Index {
  return new Index(ix.name, elementsOf(ix), {
    ...(ix.unique && { unique: true }),
    ...(ix.where !== undefined && { where: ix.where }),
  });
}

async function applyOne(op: Operations, c: SchemaChange): Promise<void> {
  const t = c.table;
  switch (c.kind) {
    case 'add-table':
      return op.createTable(t, ...tableArgs(c.modelTable, c.foreignKeysAddedAfter ?? []));
    case 'drop-table':
      return op.dropTable(t);
    case 'add-column':
      return op.addColumn(t, decl(c.modelColumn, false));
    case 'drop-column':
      return op.dropColumn(t, c.liveColumn.name);
    case 'alter-column': {
      const m = c.modelColumn;
      const l = c.liveColumn;
      return op.alterColumn(
        t,
        c.column,
        {
          ...(c.changes.includes('type') && { type: m.type }),
          ...(c.changes.includes('nullable') && { nullable: m.nullable }),
          ...(c.changes.includes('serverDefault') && { serverDefault: m.serverDefault ?? null }),
          ...(c.changes.includes('comment') && { comment: m.comment ?? null }),
        },
        { type: l.type, nullable: l.nullable, serverDefault: l.serverDefault ?? null, comment: l.comment ?? null },
      );
    }
    case 'add-index': {
      const ix = c.modelIndex;
      return op.createIndex(ix.name, t, elementsOf(ix), {
        ...(ix.unique && { unique: true }),
        ...(ix.where !== undefined && { where: ix.where }),
      });
    }
    case 'drop-index':
      return op.dropIndex(c.liveIndex.name, t);
    case 'add-unique':
      return op.createUniqueConstraint(c.modelUnique.name, t, c.modelUnique.columns);
    case 'drop-unique':
      return op.dropConstraint(c.liveUnique.name, t, 'unique');
    case 'add-foreign-key': {
      const fk = c.modelForeignKey;
      const cols = fk.elements.map((e) => e.column);
      return op.createForeignKey(
        fk.name,
        t,
        fk.columnNames,
        cols[0]!.table.fullName,
        cols.map((x) => x.name),
        {
          ...(fk.options.onDelete && { onDelete: fk.options.onDelete }),
          ...(fk.options.onUpdate && { onUpdate: fk.options.onUpdate }),
        },
      );
    }
    case 'drop-foreign-key':
      return op.dropConstraint(c.liveForeignKey.name, t, 'foreignKey');
    case 'add-check':
      return op.createCheckConstraint(c.modelCheck.name, t, c.modelCheck.sql);
    case 'drop-check':
      return op.dropConstraint(c.liveCheck.name, t, 'check');
    case 'alter-primary-key': {
      const name = c.modelConstraint?.name ?? `pk_${t.split('.').pop()}`;
      if (c.liveColumns.length) await op.dropConstraint(name, t, 'primaryKey');
      if (c.modelColumns.length) await op.createPrimaryKey(name, t, c.modelColumns);
      return;
    }
    case 'alter-table-comment':
      return op.setTableComment(t, c.modelComment ?? null);
  }
}

/** Applies `changes` in order on one connection; in one transaction on PostgreSQL and SQLite. */
export async function applyChanges(engine: Engine, changes: readonly SchemaChange[]): Promise<void> {
  const conn = await engine.connect();
  const transactional = engine.dialect.name !== 'mysql';
  try {
    if (transactional) await conn.begin();
    const op = createOperations(conn, engine.dialect);
    for (const c of changes) await applyOne(op, c);
    if (transactional) await conn.commit();
  } catch (err) {
    if (conn.inTransaction) await conn.rollback().catch(() => {});
    throw err;
  } finally {
    conn.release();
  }
}

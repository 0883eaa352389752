/**
 * A table's catalog info → the Table a model would declare for it: one-column keys on their columns;
 * a composite or named primary key as a PrimaryKeyConstraint (key order kept); composite foreign keys as
 * ForeignKeyConstraints; CHECKs, UNIQUEs and indexes (expression parts as `text()`) as their objects;
 * defaults as `serverDefault`; comments; and the schema it was read from.
 */
import {
  CheckConstraint,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  UniqueConstraint,
  type TableConstraint,
} from '../../sql/constraints.js';
import { TextClause } from '../../sql/expressions.js';
import { Column, ForeignKey, Index, Table } from '../../sql/schema.js';
import type { ReflectedForeignKey, ReflectedTableInfo } from './index.js';

/** Where the table was read: the schema asked for (undefined: the default one) and the default's name. */
export interface TablePlace {
  readonly schema: string | undefined;
  readonly defaultSchema: string;
}

/** `schema.table.` for a foreign key's target: the referred table's own schema when it is in another one. */
function targetPrefix(fk: ReflectedForeignKey, place: TablePlace): string {
  if (fk.referredSchema === undefined) return place.schema === undefined ? '' : `${place.schema}.`;
  // A table of the default schema is named without one, as a model names it.
  return fk.referredSchema === place.defaultSchema ? '' : `${fk.referredSchema}.`;
}

export function toTable(info: ReflectedTableInfo, place: TablePlace): Table {
  const single = <T extends { readonly columns: readonly unknown[] }>(list: readonly T[]) =>
    list.filter((x) => x.columns.length === 1);
  const pkColumns = info.primaryKey.columns;
  // The name Relata gives a primary key (`pk_<table>`) is no name to declare: a model would not.
  const pkName = info.primaryKey.name === `pk_${info.name}` ? null : info.primaryKey.name;
  const pkConstraint = pkColumns.length > 1 || (pkColumns.length === 1 && pkName !== null);
  const pk = new Set(pkConstraint ? [] : pkColumns);
  // A one-column UNIQUE named as `unique: true` names it (or unnamed) is that column option; others keep their name.
  const columnUnique = (u: { name: string | null; columns: readonly string[] }) =>
    u.columns.length === 1 && (u.name === null || u.name === `uq_${info.name}_${u.columns[0]!}`);
  const uniqueColumns = new Set(info.uniqueConstraints.filter(columnUnique).map((u) => u.columns[0]!));
  const fkByColumn = new Map<string, ForeignKey[]>();
  for (const fk of single(info.foreignKeys)) {
    const options = {
      ...(fk.name !== null ? { name: fk.name } : {}),
      ...(fk.onDelete ? { ondelete: fk.onDelete } : {}),
      ...(fk.onUpdate ? { onupdate: fk.onUpdate } : {}),
    };
    const target = new ForeignKey(`${targetPrefix(fk, place)}${fk.referredTable}.${fk.referredColumns[0]!}`, options);
    fkByColumn.set(fk.columns[0]!, [...(fkByColumn.get(fk.columns[0]!) ?? []), target]);
  }
  const columns = info.columns.map(
    (c) =>
      new Column(c.name, c.type, fkByColumn.get(c.name) ?? [], {
        primaryKey: pk.has(c.name),
        nullable: c.nullable,
        unique: uniqueColumns.has(c.name),
        autoincrement: c.autoincrement,
        // The database generates an autoincrement column's values: its default (if any) is that, not SQL to copy.
        ...(c.default !== null && !c.autoincrement && { serverDefault: c.default }),
        ...(c.comment !== null && { comment: c.comment }),
      }),
  );
  const constraints: TableConstraint[] = [];
  if (pkConstraint) {
    constraints.push(new PrimaryKeyConstraint(pkColumns, pkName !== null ? { name: pkName } : {}));
  }
  for (const fk of info.foreignKeys) {
    if (fk.columns.length === 1) continue;
    const prefix = targetPrefix(fk, place);
    constraints.push(
      new ForeignKeyConstraint(
        fk.columns,
        fk.referredColumns.map((c) => `${prefix}${fk.referredTable}.${c}`),
        {
          ...(fk.name !== null && { name: fk.name }),
          ...(fk.onDelete && { onDelete: fk.onDelete }),
          ...(fk.onUpdate && { onUpdate: fk.onUpdate }),
        },
      ),
    );
  }
  for (const u of info.uniqueConstraints) {
    if (!columnUnique(u)) constraints.push(new UniqueConstraint(u.columns, u.name !== null ? { name: u.name } : {}));
  }
  for (const check of info.checks) {
    constraints.push(new CheckConstraint(check.sql, check.name !== null ? { name: check.name } : {}));
  }
  for (const ix of info.indexes) {
    const elements = ix.columns.map((c, i) => c ?? ix.expressions?.[i] ?? null);
    // An expression part the catalog does not give (older servers) is not an index Relata can declare.
    if (elements.some((e) => e === null)) continue;
    constraints.push(
      new Index(
        ix.name,
        elements.map((e, i) => (ix.columns[i] === null ? new TextClause(e!, []) : e!)),
        { unique: ix.unique, ...(ix.where !== null && { where: ix.where }) },
      ),
    );
  }
  return new Table(info.name, columns, constraints, {
    ...(info.comment !== null && { comment: info.comment }),
    ...(place.schema !== undefined && { schema: place.schema }),
  });
}

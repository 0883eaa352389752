/** SQLite's catalog: `pragma_table_xinfo`, `pragma_foreign_key_list`, `pragma_index_list/index_info`, sqlite_master. */
import type { Engine } from '../../engine/engine.js';
import {
  catalogRows,
  referentialAction,
  textOrNull,
  type DialectIntrospector,
  type ReflectedCheckConstraint,
  type ReflectedColumn,
  type ReflectedForeignKey,
  type ReflectedIndex,
  type ReflectedPrimaryKey,
  type ReflectedUniqueConstraint,
} from './reflected.js';
import { columnList, partialIndexWhere, tableConstraints, type NamedConstraint } from './sqlite-ddl.js';
import { sqlTypeFor } from './types-map.js';

const sameColumns = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]!.toLowerCase());

export class SqliteIntrospector implements DialectIntrospector {
  constructor(
    private readonly engine: Engine,
    /** The attached database: 'main' unless told. */
    private readonly schema = 'main',
  ) {}

  private get master(): string {
    return `"${this.schema.replace(/"/g, '""')}".sqlite_master`;
  }

  async tableNames(): Promise<string[]> {
    const rows = await catalogRows(
      this.engine,
      `SELECT name FROM ${this.master} WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    );
    return rows.map((r) => String(r.name));
  }

  private async createSql(table: string): Promise<string> {
    const rows = await catalogRows(this.engine, `SELECT sql FROM ${this.master} WHERE type = 'table' AND name = ?`, [
      table,
    ]);
    return textOrNull(rows[0]?.sql) ?? '';
  }

  private async constraints(table: string, kind: NamedConstraint['kind']): Promise<NamedConstraint[]> {
    return tableConstraints(await this.createSql(table)).filter((c) => c.kind === kind);
  }

  async columns(table: string): Promise<ReflectedColumn[]> {
    const rows = await catalogRows(this.engine, 'SELECT * FROM pragma_table_xinfo(?, ?) ORDER BY cid', [
      table,
      this.schema,
    ]);
    const keyColumns = rows.filter((r) => Number(r.pk) > 0);
    return rows
      .filter((r) => Number(r.hidden) !== 1)
      .map((r) => {
        const typeText = String(r.type ?? '');
        // The single INTEGER PRIMARY KEY is the rowid: SQLite numbers it, and it is never NULL.
        const rowid = Number(r.pk) > 0 && keyColumns.length === 1 && typeText.toUpperCase() === 'INTEGER';
        return {
          name: String(r.name),
          type: sqlTypeFor(typeText),
          typeText,
          nullable: !rowid && Number(r.notnull) === 0,
          default: textOrNull(r.dflt_value),
          autoincrement: rowid,
          comment: null,
        };
      });
  }

  async primaryKey(table: string): Promise<ReflectedPrimaryKey> {
    const rows = await catalogRows(
      this.engine,
      'SELECT name, pk FROM pragma_table_xinfo(?, ?) WHERE pk > 0 ORDER BY pk',
      [table, this.schema],
    );
    const columns = rows.map((r) => String(r.name));
    const named = (await this.constraints(table, 'PRIMARY KEY')).find((c) => sameColumns(columnList(c.body), columns));
    return { name: named?.name ?? null, columns };
  }

  async foreignKeys(table: string): Promise<ReflectedForeignKey[]> {
    const rows = await catalogRows(this.engine, 'SELECT * FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq', [
      table,
      this.schema,
    ]);
    const byId = new Map<number, typeof rows>();
    for (const r of rows) byId.set(Number(r.id), [...(byId.get(Number(r.id)) ?? []), r]);
    const declared = await this.constraints(table, 'FOREIGN KEY');
    const out: ReflectedForeignKey[] = [];
    // pragma_foreign_key_list numbers them from the last declared; list them in declaration order.
    for (const group of [...byId.values()].reverse()) {
      const first = group[0]!;
      const referredTable = String(first.table);
      const columns = group.map((r) => String(r.from));
      let referredColumns: readonly (string | null)[] = group.map((r) => textOrNull(r.to));
      if (referredColumns.some((c) => c === null)) referredColumns = (await this.primaryKey(referredTable)).columns;
      const where = `foreign key of '${table}' (${columns.join(', ')})`;
      out.push({
        name: declared.find((c) => sameColumns(columnList(c.body), columns))?.name ?? null,
        columns,
        referredTable,
        referredColumns: referredColumns as string[],
        onDelete: referentialAction(first.on_delete, where),
        onUpdate: referentialAction(first.on_update, where),
      });
    }
    return out;
  }

  private async indexList(table: string) {
    return catalogRows(this.engine, 'SELECT * FROM pragma_index_list(?, ?) ORDER BY name', [table, this.schema]);
  }

  private async indexColumns(index: string): Promise<(string | null)[]> {
    const rows = await catalogRows(this.engine, 'SELECT * FROM pragma_index_info(?, ?) ORDER BY seqno', [
      index,
      this.schema,
    ]);
    return rows.map((r) => textOrNull(r.name));
  }

  async indexes(table: string): Promise<ReflectedIndex[]> {
    const out: ReflectedIndex[] = [];
    for (const ix of await this.indexList(table)) {
      if (ix.origin !== 'c') continue;
      const name = String(ix.name);
      const sql = await catalogRows(this.engine, `SELECT sql FROM ${this.master} WHERE type = 'index' AND name = ?`, [
        name,
      ]);
      out.push({
        name,
        columns: await this.indexColumns(name),
        unique: Number(ix.unique) === 1,
        where: Number(ix.partial) === 1 ? partialIndexWhere(textOrNull(sql[0]?.sql)) : null,
      });
    }
    return out;
  }

  async uniqueConstraints(table: string): Promise<ReflectedUniqueConstraint[]> {
    const declared = await this.constraints(table, 'UNIQUE');
    const out: ReflectedUniqueConstraint[] = [];
    for (const ix of await this.indexList(table)) {
      if (ix.origin !== 'u') continue;
      const columns = (await this.indexColumns(String(ix.name))).map(String);
      out.push({ name: declared.find((c) => sameColumns(columnList(c.body), columns))?.name ?? null, columns });
    }
    return out.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  }

  async checkConstraints(table: string): Promise<ReflectedCheckConstraint[]> {
    return (await this.constraints(table, 'CHECK')).map((c) => ({ name: c.name, sql: c.body }));
  }

  async tableComment(): Promise<string | null> {
    return null;
  }
}

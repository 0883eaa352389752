/** SQLite's catalog: `pragma_table_xinfo`, `pragma_foreign_key_list`, `pragma_index_list/index_info`, sqlite_master. */
import type { CatalogSource } from './reflected.js';
import {
  catalogRows,
  charUuid,
  enumTypeFor,
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
import {
  columnList,
  indexParts,
  partialIndexWhere,
  tableConstraints,
  unquoteIdentifier,
  type NamedConstraint,
} from './sqlite-ddl.js';
import { sqlTypeFor } from './types-map.js';

/**
 * The labels of the CHECK Relata writes for an Enum column on SQLite (`"status" IN ('draft', 'sent')`,
 * unnamed), when `check` is that one for `column`; null otherwise.
 */
function enumCheckLabels(check: NamedConstraint, column: string): string[] | null {
  if (check.name !== null) return null;
  const m = new RegExp(String.raw`^\s*(${IDENT_TEXT})\s+IN\s*\(([\s\S]*)\)\s*$`, 'is').exec(check.body);
  if (!m || unquoteIdentifier(m[1]!) !== column) return null;
  if (!/^\s*'(?:[^']|'')*'(?:\s*,\s*'(?:[^']|'')*')*\s*$/s.test(m[2]!)) return null;
  return [...m[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'"));
}

const IDENT_TEXT = String.raw`"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*`;

const sameColumns = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]!.toLowerCase());

export class SqliteIntrospector implements DialectIntrospector {
  constructor(
    private readonly engine: CatalogSource,
    /** The attached database: 'main' unless told. */
    private readonly schema = 'main',
  ) {}

  async defaultSchema(): Promise<string> {
    return 'main';
  }

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
    const checks = await this.constraints(table, 'CHECK');
    return rows
      .filter((r) => Number(r.hidden) !== 1)
      .map((r) => {
        const typeText = String(r.type ?? '');
        // The single INTEGER PRIMARY KEY is the rowid: SQLite numbers it, and it is never NULL.
        const rowid = Number(r.pk) > 0 && keyColumns.length === 1 && typeText.toUpperCase() === 'INTEGER';
        const name = String(r.name);
        // An Enum is VARCHAR with Relata's CHECK of its labels (see enumCheckLabels).
        const labels = /^VARCHAR\(\d+\)$/i.test(typeText)
          ? checks.map((c) => enumCheckLabels(c, name)).find((l) => l !== null)
          : undefined;
        return {
          name,
          type: labels ? enumTypeFor(labels, typeText) : sqlTypeFor(typeText, charUuid),
          typeText,
          nullable: !rowid && Number(r.notnull) === 0,
          default: textOrNull(r.dflt_value),
          autoincrement: rowid,
          comment: null,
          ...(labels ? { enumValues: labels } : {}),
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
      const columns = await this.indexColumns(name);
      const createSql = textOrNull(sql[0]?.sql);
      const parts = indexParts(createSql);
      out.push({
        name,
        columns,
        unique: Number(ix.unique) === 1,
        where: Number(ix.partial) === 1 ? partialIndexWhere(createSql) : null,
        // An expression part is known to the pragma only as NULL: its SQL is in the CREATE INDEX text.
        ...(columns.includes(null) && {
          expressions: columns.map((c, i) => (c === null && parts.length === columns.length ? parts[i]! : null)),
        }),
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

  /** CHECK constraints, without the one of each Enum column: that is the Enum type (see columns()). */
  async checkConstraints(table: string): Promise<ReflectedCheckConstraint[]> {
    const enums = new Set((await this.columns(table)).filter((c) => c.enumValues).map((c) => c.name));
    return (await this.constraints(table, 'CHECK'))
      .filter((c) => ![...enums].some((name) => enumCheckLabels(c, name) !== null))
      .map((c) => ({ name: c.name, sql: c.body }));
  }

  async tableComment(): Promise<string | null> {
    return null;
  }
}

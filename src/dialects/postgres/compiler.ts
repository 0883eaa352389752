/**
 * SQL for PostgreSQL. Sticks to what CockroachDB and YugabyteDB also accept (see docs/dialects.md):
 * identity columns rather than sequences by hand, JSONB, TIMESTAMP WITH TIME ZONE.
 */
import { SqlCompiler, type ColumnAlteration, type CompileContext, type TableRef } from '../../sql/compiler.js';
import { STANDARD_SYNTAX, type TextSyntax } from '../../sql/placeholders.js';
import type { BinaryExpression } from '../../sql/expressions.js';
import type { Column, Table } from '../../sql/schema.js';
import type { ForeignKeyConstraint } from '../../sql/constraints.js';
import type { ArrayType, EnumType, SqlType } from '../../sql/types.js';
import { ddlString, noColumnTypeError } from '../../sql/storable.js';
import { storedType } from '../../sql/type-decorator.js';
import { jsonText } from '../../sql/value-checks.js';
import { CompileError } from '../../sql/errors.js';

export class PostgresCompiler extends SqlCompiler {
  readonly dialectName = 'postgres';
  /** The wire protocol counts a statement's parameters in an unsigned 16-bit field. */
  readonly parameterLimit = 65535;
  // Batches stay a little below the limit, leaving room for a statement's other parameters.
  readonly maxParameters = 65000;
  readonly supportsReturning = true;
  override readonly textSyntax: TextSyntax = { ...STANDARD_SYNTAX, postgres: true };

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  placeholder(n: number): string {
    return `$${n}`;
  }

  override bindValue(value: unknown, type: SqlType<unknown> | null): unknown {
    // pg would send a Date in the process's local offset; UTC text is the same instant and reads the same in logs.
    // pg turns JS arrays into PostgreSQL array literals and passes strings through: always send JSON text.
    if (type?.typeName === 'JSON') return jsonText(value);
    if (value instanceof Date) return value.toISOString();
    // -0 is bound as 0 on every dialect (MariaDB and SQLite cannot keep it), so it reads the same everywhere.
    if (type?.typeName === 'Float' && Object.is(value, -0)) return 0;
    if (typeof value === 'bigint') return value.toString();
    // A decimal given as a JS number goes over as its shortest exact text, never through a binary float.
    if (type?.typeName === 'Numeric' && typeof value === 'number') return String(value);
    // pg writes a JS array as an array literal: its elements bound as the item type first (bigint, decimals).
    if (type?.typeName === 'Array' && Array.isArray(value)) {
      const item = (type as ArrayType<unknown>).item;
      return value.map((v: unknown) => this.bindValue(v, item));
    }
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return value;
  }

  columnType(c: Column): string {
    return this.typeSql(storedType(c.type), c);
  }

  /** CREATE TYPE for each Enum column before the table (in a DO block that tolerates it existing, for createAll). */
  override createTable(table: Table, ifNotExists = false, addedAfter: readonly ForeignKeyConstraint[] = []): string[] {
    const types = this.createTypes(table).map(({ sql }) =>
      ifNotExists ? `DO $$ BEGIN ${sql}; EXCEPTION WHEN duplicate_object THEN NULL; END $$` : sql,
    );
    return [...types, ...super.createTable(table, ifNotExists, addedAfter)];
  }

  /** CREATE TYPE … AS ENUM for each native enum the table's columns use. */
  override createTypes(table: Table): { name: string; sql: string; values: readonly string[] }[] {
    return this.enumTypes(table).map(([name, type]) => ({
      name,
      values: type.values,
      sql: `CREATE TYPE ${this.quote(name)} AS ENUM (${type.values.map(ddlString).join(', ')})`,
    }));
  }

  /** One ALTER TABLE for type, nullability and default (type first, so a new default is of the new type), then COMMENT ON and RENAME. */
  override alterColumn(a: ColumnAlteration): string[] {
    const c = a.column;
    const table = this.tableName(c.table);
    const col = this.quote(a.name);
    const parts: string[] = [];
    // The old default may not cast to the new type ('1'::character varying to integer): dropped
    // first, and a kept one set again as its literal, without the old type's cast.
    const keptDefault = a.type && !a.serverDefault && c.serverDefault !== undefined;
    if (a.type) {
      if (a.serverDefault || keptDefault) parts.push(`ALTER COLUMN ${col} DROP DEFAULT`);
      parts.push(`ALTER COLUMN ${col} TYPE ${this.columnType(c)}${a.using !== undefined ? ` USING ${a.using}` : ''}`);
    }
    if (a.nullable) parts.push(`ALTER COLUMN ${col} ${c.nullable ? 'DROP' : 'SET'} NOT NULL`);
    if (keptDefault) parts.push(`ALTER COLUMN ${col} SET DEFAULT ${withoutCast(c.serverDefault!)}`);
    else if (a.serverDefault && c.serverDefault !== undefined)
      parts.push(`ALTER COLUMN ${col} SET DEFAULT ${c.serverDefault}`);
    else if (a.serverDefault && !a.type) parts.push(`ALTER COLUMN ${col} DROP DEFAULT`);
    const out = parts.length ? [`ALTER TABLE ${table} ${parts.join(', ')}`] : [];
    if (a.comment) out.push(`COMMENT ON COLUMN ${table}.${col} IS ${this.commentValue(c.comment)}`);
    if (c.name !== a.name) out.push(...this.renameColumn(c.table, a.name, c.name));
    return out;
  }

  override setTableComment(table: TableRef, comment: string | null): string[] {
    return [`COMMENT ON TABLE ${this.tableName(table)} IS ${this.commentValue(comment ?? undefined)}`];
  }

  private commentValue(comment: string | undefined): string {
    return comment === undefined ? 'NULL' : this.stringLiteral(comment);
  }

  override dropTypes(tables: readonly Table[]): string[] {
    const names = new Set(tables.flatMap((t) => this.enumTypes(t).map(([name]) => name)));
    return [...names].map((name) => `DROP TYPE IF EXISTS ${this.quote(name)}`);
  }

  /**
   * The native enum types a table's columns use, by name, each once. Two columns of the metadata
   * naming one type with other members would leave one of them with the wrong type: refused.
   */
  private enumTypes(table: Table): [string, EnumType][] {
    const out = new Map<string, EnumType>();
    for (const [name, type, c] of enumColumns(table)) {
      for (const other of table.metadata?.tables.values() ?? [table]) {
        for (const [otherName, otherType, oc] of enumColumns(other)) {
          if (otherName === name && otherType.values.join('\u0000') !== type.values.join('\u0000'))
            throw new CompileError(
              `column ${table.name}.${c.name}: enum type "${name}" is also ${other.name}.${oc.name}'s, with other members`,
            );
        }
      }
      out.set(name, type);
    }
    return [...out];
  }

  private typeSql(t: SqlType<unknown>, c: Column): string {
    switch (t.typeName) {
      case 'Integer':
        return 'INTEGER';
      case 'BigInteger':
        return 'BIGINT';
      case 'Float':
        return 'DOUBLE PRECISION';
      case 'Numeric': {
        const n = t as unknown as { precision?: number; scale?: number };
        return n.precision ? `NUMERIC(${n.precision}, ${n.scale ?? 0})` : 'NUMERIC';
      }
      case 'String': {
        const len = (t as unknown as { length?: number }).length;
        return len ? `VARCHAR(${len})` : 'VARCHAR';
      }
      case 'Text':
        return 'TEXT';
      case 'Boolean':
        return 'BOOLEAN';
      case 'DateTime':
        // WITH TIME ZONE stores an instant; without it the driver would read values in the process's zone.
        return 'TIMESTAMP WITH TIME ZONE';
      case 'Date':
        return 'DATE';
      case 'JSON':
        return 'JSONB';
      case 'Enum':
        return this.quote(enumTypeName(t as EnumType, c));
      case 'Uuid':
        return 'UUID';
      case 'LargeBinary':
        return 'BYTEA';
      case 'Array':
        return `${this.typeSql((t as ArrayType<unknown>).item, c)}[]`;
      default:
        // No guess (a BLOB reads values back as bytes): say which column and type.
        throw noColumnTypeError(c, this.dialectName);
    }
  }

  protected override columnDDL(c: Column): string {
    // SQL-standard identity (PostgreSQL 10+, CockroachDB 21.2+, YugabyteDB). BY DEFAULT, so explicit ids still insert.
    if (c.autoincrement) return `${this.quote(c.name)} ${this.columnType(c)} GENERATED BY DEFAULT AS IDENTITY NOT NULL`;
    return super.columnDDL(c);
  }

  protected override primaryKeyClause(t: Table): string {
    const pk = `PRIMARY KEY (${t.primaryKey.map((c) => this.quote(c.name)).join(', ')})`;
    return `CONSTRAINT ${this.quote(t.primaryKeyConstraint?.name ?? `pk_${t.name}`)} ${pk}`;
  }

  protected override commentStatements(t: Table): string[] {
    const out: string[] = [];
    if (t.comment !== undefined) out.push(`COMMENT ON TABLE ${this.tableName(t)} IS ${this.stringLiteral(t.comment)}`);
    for (const c of t.columns) {
      if (c.comment === undefined) continue;
      out.push(`COMMENT ON COLUMN ${this.tableName(t)}.${this.quote(c.name)} IS ${this.stringLiteral(c.comment)}`);
    }
    return out;
  }

  protected override ilike(e: BinaryExpression, ctx: CompileContext): string {
    return `${this.expr(e.left, ctx)} ILIKE ${this.expr(e.right, ctx)}`;
  }
}

/** `'1'::character varying` → `'1'`: a quoted literal without the cast the catalog adds to it. */
function withoutCast(sql: string): string {
  const m = /^('(?:[^']|'')*')::[a-z][a-z0-9_ ."]*(\([0-9, ]*\))?(\[\])?$/i.exec(sql.trim());
  return m ? m[1]! : sql;
}

/** A native enum type's name: the one given, else `<table>_<column>`. */
function enumTypeName(type: EnumType, c: Column): string {
  return type.name ?? `${c.table.name}_${c.name}`;
}

/** Each native enum a table's columns use (an Enum, or an array of one), with its name and column. */
function enumColumns(table: Table): [string, EnumType, Column][] {
  const out: [string, EnumType, Column][] = [];
  for (const c of table.columns) {
    const t = storedType(c.type);
    const e = t.typeName === 'Array' ? storedType((t as ArrayType<unknown>).item) : t;
    if (e.typeName === 'Enum') out.push([enumTypeName(e as EnumType, c), e as EnumType, c]);
  }
  return out;
}

/** PostgreSQL's catalog (pg_catalog), in the current schema unless told another. */
import type { CatalogSource } from './reflected.js';
import type { ReferentialAction } from '../../sql/schema.js';
import {
  catalogRows,
  enumTypeFor,
  IntrospectionError,
  textOrNull,
  type DialectIntrospector,
  type ReflectedCheckConstraint,
  type ReflectedColumn,
  type ReflectedForeignKey,
  type ReflectedIndex,
  type ReflectedPrimaryKey,
  type ReflectedUniqueConstraint,
} from './reflected.js';
import { sqlTypeFor } from './types-map.js';

/** pg_constraint's one-letter actions; 'a' (NO ACTION, the default) is null. */
const ACTIONS: Record<string, ReferentialAction | null> = {
  a: null,
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** `$1` is the table name, `$2` the schema (null: the current one). */
const TABLE = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema()))`;

/** The columns of a key (`conkey`/`indkey` positions) in key order, as a text array. */
const keyColumns = (positions: string, relid: string) =>
  `ARRAY(SELECT a.attname::text FROM unnest(${positions}) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = ${relid} AND a.attnum = k.attnum ORDER BY k.ord)`;

/** `"My Type"` → `My Type`; a bare name as is. */
const unquote = (name: string): string => (/^".*"$/s.test(name) ? name.slice(1, -1).replace(/""/g, '"') : name);

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export class PostgresIntrospector implements DialectIntrospector {
  constructor(
    private readonly engine: CatalogSource,
    private readonly schema: string | null = null,
  ) {}

  private rows(sql: string, table: string) {
    return catalogRows(this.engine, sql, [table, this.schema]);
  }

  async defaultSchema(): Promise<string> {
    const rows = await catalogRows(this.engine, 'SELECT current_schema() AS s');
    return String(rows[0]?.s);
  }

  async tableNames(): Promise<string[]> {
    const rows = await catalogRows(
      this.engine,
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = COALESCE($1, current_schema())
       ORDER BY c.relname`,
      [this.schema],
    );
    return rows.map((r) => String(r.relname));
  }

  async columns(table: string): Promise<ReflectedColumn[]> {
    const rows = await this.rows(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity,
              pg_get_expr(d.adbin, d.adrelid) AS dflt, col_description(a.attrelid, a.attnum) AS comment,
              ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder) AS labels
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = ${TABLE} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      table,
    );
    return rows.map((r) => {
      const typeText = String(r.type);
      const dflt = textOrNull(r.dflt);
      const labels = list(r.labels);
      // serial columns have a nextval() default; identity columns have attidentity 'a' or 'd'.
      const serial = dflt !== null && /^nextval\(/.test(dflt);
      return {
        name: String(r.attname),
        // A native enum is an Enum named as its type (format_type quotes a name that needs it).
        type: labels.length ? enumTypeFor(labels, typeText, unquote(typeText)) : sqlTypeFor(typeText),
        typeText,
        nullable: r.attnotnull !== true,
        default: serial ? null : dflt,
        autoincrement: serial || (r.attidentity !== '' && r.attidentity !== null),
        comment: textOrNull(r.comment),
        ...(labels.length ? { enumValues: labels } : {}),
      };
    });
  }

  async primaryKey(table: string): Promise<ReflectedPrimaryKey> {
    const rows = await this.rows(
      `SELECT conname, ${keyColumns('conkey', 'conrelid')} AS cols FROM pg_constraint
       WHERE conrelid = ${TABLE} AND contype = 'p'`,
      table,
    );
    const r = rows[0];
    return { name: r ? String(r.conname) : null, columns: r ? list(r.cols) : [] };
  }

  async foreignKeys(table: string): Promise<ReflectedForeignKey[]> {
    const rows = await this.rows(
      `SELECT conname, (SELECT relname FROM pg_class WHERE oid = confrelid) AS relname,
              (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = confrelid AND c.relnamespace <> (SELECT relnamespace FROM pg_class WHERE oid = conrelid)) AS refschema,
              confdeltype, confupdtype, ${keyColumns('conkey', 'conrelid')} AS cols,
              ${keyColumns('confkey', 'confrelid')} AS refcols
       FROM pg_constraint WHERE conrelid = ${TABLE} AND contype = 'f' ORDER BY conname`,
      table,
    );
    return rows.map((r) => {
      const action = (code: unknown): ReferentialAction | null => {
        const key = String(code);
        if (!(key in ACTIONS)) {
          throw new IntrospectionError(`foreign key '${String(r.conname)}' of '${table}': unknown action '${key}'`);
        }
        return ACTIONS[key]!;
      };
      return {
        name: String(r.conname),
        columns: list(r.cols),
        referredTable: String(r.relname),
        ...(r.refschema !== null && r.refschema !== undefined && { referredSchema: String(r.refschema) }),
        referredColumns: list(r.refcols),
        onDelete: action(r.confdeltype),
        onUpdate: action(r.confupdtype),
      };
    });
  }

  async indexes(table: string): Promise<ReflectedIndex[]> {
    const rows = await this.rows(
      `SELECT ic.relname, i.indisunique, pg_get_expr(i.indpred, i.indrelid) AS pred,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    ORDER BY k.ord) AS cols,
              ARRAY(SELECT pg_get_indexdef(i.indexrelid, k.ord::int, true)
                    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS defs
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       WHERE i.indrelid = ${TABLE} AND NOT i.indisprimary
         AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('u', 'x'))
       ORDER BY ic.relname`,
      table,
    );
    return rows.map((r) => {
      // An expression part has attnum 0, which joins no attribute: null; pg_get_indexdef gives its SQL.
      const columns = (Array.isArray(r.cols) ? r.cols : []).map((c: unknown) => textOrNull(c));
      const defs = list(r.defs);
      return {
        name: String(r.relname),
        columns,
        unique: r.indisunique === true,
        where: textOrNull(r.pred),
        ...(columns.includes(null) && { expressions: columns.map((c, i) => (c === null ? (defs[i] ?? null) : null)) }),
      };
    });
  }

  async uniqueConstraints(table: string): Promise<ReflectedUniqueConstraint[]> {
    const rows = await this.rows(
      `SELECT conname, ${keyColumns('conkey', 'conrelid')} AS cols FROM pg_constraint
       WHERE conrelid = ${TABLE} AND contype = 'u' ORDER BY conname`,
      table,
    );
    return rows.map((r) => ({ name: String(r.conname), columns: list(r.cols) }));
  }

  async checkConstraints(table: string): Promise<ReflectedCheckConstraint[]> {
    const rows = await this.rows(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = ${TABLE} AND contype = 'c' ORDER BY conname`,
      table,
    );
    return rows.map((r) => ({ name: String(r.conname), sql: String(r.def).replace(/^CHECK \(([\s\S]*)\)$/, '$1') }));
  }

  async tableComment(table: string): Promise<string | null> {
    const rows = await this.rows(`SELECT obj_description(${TABLE}, 'pg_class') AS comment`, table);
    return textOrNull(rows[0]?.comment);
  }
}

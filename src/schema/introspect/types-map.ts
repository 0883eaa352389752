/** Database type text → Relata's SqlType, shared by the dialects; anything not known stays an UnknownSqlType. */
import {
  ArrayOf,
  BigInteger,
  Boolean,
  DateOnly,
  DateTime,
  Float,
  Integer,
  Json,
  LargeBinary,
  Numeric,
  String,
  Text,
  Uuid,
  type SqlType,
} from '../../sql/types.js';
import { UnknownSqlType } from './reflected.js';

/** `NAME(args)` split into an upper-case name and its numeric arguments; null when it does not parse. */
function parseTypeText(text: string): { name: string; args: number[] } | null {
  const m = /^([^()]*)(?:\(([^()]*)\))?([^()]*)$/.exec(text.trim());
  if (!m) return null;
  const name = `${m[1]} ${m[3]}`.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!/^[A-Z][A-Z0-9_ ]*$/.test(name)) return null;
  const args = m[2] === undefined ? [] : m[2].split(',').map((a) => Number(a.trim()));
  if (args.some((a) => !Number.isInteger(a))) return null;
  return { name, args };
}

const SIMPLE: Record<string, SqlType<unknown>> = {
  INTEGER: Integer,
  INT: Integer,
  INT4: Integer,
  BIGINT: BigInteger,
  INT8: BigInteger,
  TEXT: Text,
  LONGTEXT: Text,
  CLOB: Text,
  BOOLEAN: Boolean,
  BOOL: Boolean,
  REAL: Float,
  DOUBLE: Float,
  'DOUBLE PRECISION': Float,
  FLOAT: Float,
  FLOAT8: Float,
  DATETIME: DateTime,
  TIMESTAMP: DateTime,
  'TIMESTAMP WITH TIME ZONE': DateTime,
  'TIMESTAMP WITHOUT TIME ZONE': DateTime,
  TIMESTAMPTZ: DateTime,
  DATE: DateOnly,
  JSON: Json,
  JSONB: Json,
  UUID: Uuid,
  BYTEA: LargeBinary,
  BLOB: LargeBinary,
  TINYBLOB: LargeBinary,
  MEDIUMBLOB: LargeBinary,
  LONGBLOB: LargeBinary,
};

const STRINGS = new Set(['VARCHAR', 'CHARACTER VARYING', 'NVARCHAR', 'NATIONAL VARCHAR', 'VARYING CHARACTER']);
const DECIMALS = new Set(['NUMERIC', 'DECIMAL']);

/**
 * Relata's type for a database type text (`VARCHAR(80)`, `numeric(10,2)`, `int(11)`, `timestamp(6) with
 * time zone`); `extra` maps dialect-only spellings first (MySQL's `tinyint(1)` → Boolean). A PostgreSQL
 * array (`integer[]`, `character varying(20)[]`) is an ArrayOf its element type when that type maps
 * and ArrayOf accepts it; otherwise the whole text stays an UnknownSqlType.
 */
export function sqlTypeFor(
  text: string,
  extra: (name: string, args: number[]) => SqlType<unknown> | null = () => null,
): SqlType<unknown> {
  const array = /^(.*\S)\s*\[\]$/s.exec(text.trim());
  if (array) {
    const item = sqlTypeFor(array[1]!, extra);
    if (item instanceof UnknownSqlType) return new UnknownSqlType(text);
    try {
      return ArrayOf(item);
    } catch {
      // An element type ArrayOf refuses (JSON, DateTime, an enum): not an array Relata can hold.
      return new UnknownSqlType(text);
    }
  }
  const parsed = parseTypeText(text);
  if (!parsed) return new UnknownSqlType(text);
  const { name, args } = parsed;
  const special = extra(name, args);
  if (special) return special;
  if (STRINGS.has(name)) return args.length <= 1 ? String(args[0]) : new UnknownSqlType(text);
  if (DECIMALS.has(name)) return args.length ? Numeric(args[0], args[1] ?? 0) : Numeric();
  const simple = SIMPLE[name];
  // Integer display widths (`int(11)`) and fractional-second precisions (`datetime(6)`) do not change the type.
  if (simple && (args.length === 0 || /INT|DATE|TIME/.test(name))) return simple;
  return new UnknownSqlType(text);
}

/**
 * SQL text as databases give it back, normalised so that what a model wrote and what the catalog says
 * compare equal when they mean the same: PostgreSQL's casts (`'draft'::character varying`), the
 * parentheses and quoting each database adds, spelling of keywords. Like Alembic's default and
 * computed-column comparison, this errs on the side of equal: spelling differences are no drift.
 */

/** Applies `fn` to the parts of `sql` outside string literals ('…', with '' as an escaped quote). */
function outsideLiterals(sql: string, fn: (part: string) => string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const q = sql.indexOf("'", i);
    if (q < 0) {
      out += fn(sql.slice(i));
      break;
    }
    out += fn(sql.slice(i, q));
    let j = q + 1;
    while (j < sql.length) {
      if (sql[j] === "'") {
        if (sql[j + 1] === "'") {
          j += 2;
          continue;
        }
        break;
      }
      j++;
    }
    out += sql.slice(q, j + 1);
    i = j + 1;
  }
  return out;
}

/** PostgreSQL's `::type` casts (`::text`, `::character varying(20)[]`, `::"My Enum"`, `::timestamp with time zone`). */
const CAST =
  /::\s*(?:"(?:[^"]|"")+"|[a-z_][\w$]*(?:\.[a-z_][\w$]*)?)(?:\s+(?:varying|precision|with|without|time|zone))*(?:\s*\([\d\s,]*\))?(?:\s+(?:with|without)\s+time\s+zone)?(?:\s*\[\])*/gi;

/** `sql` without PostgreSQL casts. */
export function stripCasts(sql: string): string {
  return outsideLiterals(sql, (part) => part.replace(CAST, ''));
}

/** `sql` without parentheses that enclose all of it. */
function stripOuterParens(sql: string): string {
  let s = sql.trim();
  while (s.startsWith('(') && s.endsWith(')') && enclosesAll(s)) s = s.slice(1, -1).trim();
  return s;
}

/** Whether the parenthesis opening `s` closes at its end. */
function enclosesAll(s: string): boolean {
  let depth = 0;
  let literal = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'") literal = !literal;
    if (literal) continue;
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/**
 * An SQL expression (CHECK, partial index WHERE, index expression) reduced for comparison: casts,
 * parentheses, identifier quotes and white space removed, lower case outside string literals
 * (Alembic's `_normalize_computed_default`, keeping literals' case).
 */
export function normaliseExpression(sql: string): string {
  return outsideLiterals(stripCasts(sql), (part) => part.replace(/[\s()"`[\]]/g, '').toLowerCase());
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The clock functions every database spells its own way (`now()`, `current_timestamp()`, `CURRENT_TIMESTAMP(6)`). */
const NOW = /^(?:now\(\)|current_timestamp(?:\(\d*\))?|localtimestamp(?:\(\d*\))?|getdate\(\))$/;

/**
 * A server default as a comparable key, or null for none: literals by value (`'0'`, `0` and `0.00` are
 * one number, `'draft'` and `'draft'::character varying` one string, true/false the numbers 1/0 as
 * MySQL keeps them), the current time by any spelling, anything else as a normalised expression.
 */
export function normaliseDefault(sql: string | undefined): string | null {
  if (sql === undefined) return null;
  const s = stripOuterParens(stripCasts(sql));
  if (s === '' || /^null$/i.test(s)) return null;
  const literal = /^'((?:[^']|'')*)'$/s.exec(s);
  if (literal) {
    const value = literal[1]!.replace(/''/g, "'");
    return NUMBER.test(value.trim()) ? `n:${Number(value)}` : `s:${value}`;
  }
  if (NUMBER.test(s)) return `n:${Number(s)}`;
  if (/^true$/i.test(s)) return 'n:1';
  if (/^false$/i.test(s)) return 'n:0';
  const compact = s.toLowerCase().replace(/\s+/g, '');
  if (NOW.test(compact)) return 'f:current_timestamp';
  return `e:${normaliseExpression(s)}`;
}

/** A column type's SQL text, for comparing two renderings: upper case, no optional white space. */
export function normaliseTypeText(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .replace(/\s*\[\]/g, '[]')
    .toUpperCase();
}

/** SQLite's type affinity of a declared type (https://sqlite.org/datatype3.html, 3.1). */
export function sqliteAffinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(t)) return 'REAL';
  return 'NUMERIC';
}

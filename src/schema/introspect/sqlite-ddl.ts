/**
 * What SQLite's pragmas do not say, read from the CREATE TABLE text in sqlite_master: constraint names
 * and CHECK conditions. A scan for `CONSTRAINT <name> <kind>` and `CHECK (…)`, not a full SQL parser.
 */

export interface NamedConstraint {
  readonly name: string | null;
  readonly kind: 'PRIMARY KEY' | 'UNIQUE' | 'FOREIGN KEY' | 'CHECK';
  /** Column names inside the parentheses (PRIMARY KEY, UNIQUE, FOREIGN KEY); the condition for CHECK. */
  readonly body: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\`(?:[^\`]|\`\`)+\`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*)`;

/** An identifier as written (quoted or bare) → its name. */
export function unquoteIdentifier(text: string): string {
  const t = text.trim();
  if (t.startsWith('"')) return t.slice(1, -1).replace(/""/g, '"');
  if (t.startsWith('`')) return t.slice(1, -1).replace(/``/g, '`');
  if (t.startsWith('[')) return t.slice(1, -1);
  return t;
}

/** The text inside the parentheses opening at `open`, minding nesting and quoted strings. */
function balanced(sql: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return sql.slice(open + 1, i);
  }
  return sql.slice(open + 1);
}

/** Table-level constraints (and column-level CHECKs) of a CREATE TABLE statement, in order. */
export function tableConstraints(sql: string): NamedConstraint[] {
  const out: NamedConstraint[] = [];
  const re = new RegExp(
    String.raw`(?:\bCONSTRAINT\s+(${IDENT})\s+)?\b(PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK)\s*\(`,
    'gi',
  );
  // Only what follows the table's own opening parenthesis: the (quoted) table name may contain any of it.
  const head = new RegExp(
    String.raw`^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:${IDENT}\s*\.\s*)?${IDENT}\s*\(`,
    'i',
  ).exec(sql);
  re.lastIndex = head ? head[0].length - 1 : sql.indexOf('(');
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const kind = m[2]!.toUpperCase().replace(/\s+/g, ' ') as NamedConstraint['kind'];
    const open = m.index + m[0].length - 1;
    out.push({ name: m[1] ? unquoteIdentifier(m[1]) : null, kind, body: balanced(sql, open).trim() });
  }
  return out;
}

/** The column names of a constraint body (`"a", "b"`). */
export function columnList(body: string): string[] {
  return (body.match(new RegExp(IDENT, 'g')) ?? []).map(unquoteIdentifier);
}

/** The WHERE of a CREATE INDEX statement, null when it has none. */
export function partialIndexWhere(sql: string | null): string | null {
  if (!sql) return null;
  const close = sql.lastIndexOf(')');
  const m = /\bWHERE\b([\s\S]*)$/i.exec(sql.slice(close + 1));
  return m ? m[1]!.trim() : null;
}

/**
 * The parts of a CREATE INDEX statement's list, as written (`lower(name)`, `"a"`), split at its top-level
 * commas; an expression part loses one pair of enclosing parentheses. Empty when the text does not parse.
 */
export function indexParts(sql: string | null): string[] {
  if (!sql) return [];
  const on = new RegExp(String.raw`\bON\s+(?:${IDENT}\s*\.\s*)?${IDENT}\s*\(`, 'i').exec(sql);
  if (!on) return [];
  const list = balanced(sql, on.index + on[0].length - 1);
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => {
    const t = p.trim().replace(/\s+(ASC|DESC)$/i, '');
    return t.startsWith('(') && balanced(t, 0).length === t.length - 2 ? balanced(t, 0).trim() : t;
  });
}

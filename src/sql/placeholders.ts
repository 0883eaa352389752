/**
 * Where the `?` placeholders of a `text()` fragment are. A `?` inside a string literal, a quoted
 * identifier, a comment or a PostgreSQL dollar-quoted string is text, not a placeholder: counting it
 * would bind values to the wrong places, or fail with a count that matches nothing the user wrote.
 */

/** The quoting and comment rules of a dialect that decide what is text in a SQL string. */
export interface TextSyntax {
  /** `\` escapes the next character inside '…' and "…" (MySQL/MariaDB by default). */
  readonly backslashEscapes: boolean;
  /** `E'…'` strings with backslash escapes, `$$…$$` and `$tag$…$tag$` strings, nested block comments (PostgreSQL). */
  readonly postgres: boolean;
  /** `[…]` quotes an identifier (SQLite, for SQL Server compatibility). */
  readonly bracketIdentifiers: boolean;
  /** `#` starts a line comment, and `--` only does when followed by a space (MySQL/MariaDB). */
  readonly mysqlComments: boolean;
  /** `:name`, `@name` and `$name` are parameters the driver binds by name (SQLite). */
  readonly namedParameters: boolean;
}

/** ANSI rules: '…' strings with '' inside, "…" identifiers, -- and /* *\/ comments. */
export const STANDARD_SYNTAX: TextSyntax = {
  backslashEscapes: false,
  postgres: false,
  bracketIdentifiers: false,
  mysqlComments: false,
  namedParameters: false,
};

/** What a scan of a `text()` fragment found outside its quotes and comments. */
export interface TextScan {
  /** The offset of each `?` placeholder, in order. */
  readonly placeholders: number[];
  /**
   * The first placeholder written in the database's own syntax (`$1`, `?2`, `:name`), if any: the
   * driver would bind it by its number or name among all of the statement's parameters, not to
   * the value given with this fragment.
   */
  readonly foreign: string | null;
}

/**
 * The `?` placeholders of `sql`, and any placeholder in another syntax, outside quotes and comments.
 *
 * @example
 * scanText("name = ? AND note <> '?' -- why?", STANDARD_SYNTAX) // { placeholders: [7], foreign: null }
 */
export function scanText(sql: string, syntax: TextSyntax): TextScan {
  const placeholders: number[] = [];
  let foreign: string | null = null;
  let i = 0;
  while (i < sql.length) {
    const other = foreignPlaceholderAt(sql, i, syntax);
    if (other !== null) {
      foreign ??= other;
      i += other.length;
    } else if (sql[i] === '?') {
      placeholders.push(i);
      i++;
    } else {
      i = skipText(sql, i, syntax) ?? i + 1;
    }
  }
  return { placeholders, foreign };
}

/** The offsets of the `?` placeholders in `sql`, in order (see scanText). */
export function placeholderPositions(sql: string, syntax: TextSyntax): number[] {
  return scanText(sql, syntax).placeholders;
}

/** A numbered (`?2`, PostgreSQL's `$2`) or named (SQLite's `:name`) placeholder starting at `i`. */
function foreignPlaceholderAt(sql: string, i: number, syntax: TextSyntax): string | null {
  const ch = sql[i]!;
  if (ch !== '?' && ch !== '$' && ch !== ':' && ch !== '@') return null;
  if (isIdentifierChar(sql[i - 1]) && ch !== '?') return null;
  const rest = sql.slice(i, i + 64);
  const numbered = /^[?$]\d+/.exec(rest)?.[0];
  if (numbered && (ch === '?' || syntax.postgres)) return numbered;
  if (syntax.namedParameters && ch !== '?') return /^[:@$][A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0] ?? null;
  return null;
}

/** When a quoted run or a comment starts at `i`, the offset just after it; otherwise null. */
function skipText(sql: string, i: number, syntax: TextSyntax): number | null {
  const ch = sql[i]!;
  const next = sql[i + 1];
  if (ch === "'") return closeQuote(sql, i + 1, "'", syntax.backslashEscapes);
  if (ch === '"') return closeQuote(sql, i + 1, '"', syntax.backslashEscapes);
  if (ch === '`') return closeQuote(sql, i + 1, '`', false);
  if (ch === '[' && syntax.bracketIdentifiers) return endOf(sql, ']', i + 1);
  if (ch === '-' && next === '-' && (!syntax.mysqlComments || endsWord(sql[i + 2]))) return endOf(sql, '\n', i + 2);
  if (ch === '#' && syntax.mysqlComments) return endOf(sql, '\n', i + 1);
  if (ch === '/' && next === '*') return syntax.postgres ? nestedCommentEnd(sql, i + 2) : endOf(sql, '*/', i + 2);
  if (syntax.postgres) {
    if ((ch === 'E' || ch === 'e') && next === "'" && !isIdentifierChar(sql[i - 1])) {
      return closeQuote(sql, i + 2, "'", true);
    }
    if (ch === '$' && !isIdentifierChar(sql[i - 1])) return dollarQuoteEnd(sql, i);
  }
  return null;
}

/** Just after the quote that closes a run opened before `from`; a doubled quote stands for itself. */
function closeQuote(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length; // unterminated: the database will say so; nothing after it is a placeholder
}

function endOf(sql: string, terminator: string, from: number): number {
  const at = sql.indexOf(terminator, from);
  return at < 0 ? sql.length : at + terminator.length;
}

/** PostgreSQL's block comments nest: `/* a /* b *\/ still comment *\/`. */
function nestedCommentEnd(sql: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < sql.length && depth > 0) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
    } else {
      i++;
    }
  }
  return i;
}

/** `$$…$$` or `$tag$…$tag$` starting at `i`; null when the `$` opens no such string (`$1`, a lone `$`). */
function dollarQuoteEnd(sql: string, i: number): number | null {
  const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 128));
  if (!m) return null;
  return endOf(sql, m[0], i + m[0].length);
}

/** MySQL's `--` is a comment only before whitespace or the end (`1--1` is one minus minus one). */
function endsWord(ch: string | undefined): boolean {
  return ch === undefined || /\s/.test(ch);
}

function isIdentifierChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(ch);
}

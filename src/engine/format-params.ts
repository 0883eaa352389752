/**
 * How `echo` shows a statement's parameters: as SQL literals, so a logged line reads like the
 * statement that ran and a string with a quote in it cannot be mistaken for two values.
 */

/** Strings longer than this are cut in the log (the statement still binds the whole value). */
const MAX_LOGGED_STRING = 60;
/** Bytes shown of a binary value before it is cut. */
const MAX_LOGGED_BYTES = 16;

// Control characters would break the one-line log; they are shown escaped, PostgreSQL's E'' style.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;

/** `['Bob''s first', 3, NULL]`: the parameters of one statement as the echo line shows them. */
export function formatParams(params: readonly unknown[]): string {
  return `[${params.map(formatParam).join(', ')}]`;
}

function formatParam(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return formatString(value);
  if (value instanceof Uint8Array) return formatBytes(value);
  if (value instanceof Date) return formatString(value.toISOString());
  return String(value);
}

function formatString(value: string): string {
  const chars = [...value];
  const cut = chars.length > MAX_LOGGED_STRING;
  const shown = cut ? chars.slice(0, MAX_LOGGED_STRING - 3).join('') : value;
  const more = cut ? '...' : '';
  if (!CONTROL.test(shown)) return `'${shown.replaceAll("'", "''")}${more}'`;
  const escaped = shown.replaceAll('\\', '\\\\').replaceAll("'", "''").replace(CONTROLS, controlEscape);
  return `E'${escaped}${more}'`;
}

function controlEscape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

function formatBytes(value: Uint8Array): string {
  const shown = Array.from(value.subarray(0, MAX_LOGGED_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
  return `X'${shown}${value.length > MAX_LOGGED_BYTES ? `...' (${value.length} bytes)` : "'"}`;
}

/**
 * Turns what the example passes to console.log into plain data the page can show: a model object or
 * a list of them becomes a table of rows (its columns, as loaded), other values a short text.
 */
import { stateOf } from '../../../src/orm/session/state.js';
import type { Printed } from './protocol.js';

type Row = Record<string, unknown>;

/**
 * How much of one printed value the page shows: a 10,000-row result or a long string would
 * freeze the page and bury the rest of the output, so each is cut with a visible `… N more`.
 */
export const MAX_TABLE_ROWS = 200;
export const MAX_TEXT_LENGTH = 5000;
export const MAX_INLINE_ITEMS = 20;

/** `text` cut to `max` characters, ending with how many were left out. */
export function truncateText(text: string, max = MAX_TEXT_LENGTH): string {
  return text.length > max ? `${text.slice(0, max)}… ${text.length - max} more characters` : text;
}

/** A model object's model name and column values, or null for anything else. */
function modelRow(value: unknown): { model: string; row: Row } | null {
  if (typeof value !== 'object' || value === null) return null;
  const st = stateOf(value);
  if (!st) return null;
  const row: Row = {};
  // A column never set on a new object is NULL in the database.
  for (const c of st.mapper.columns) row[c.key] = st.v[c.key] ?? null;
  return { model: st.mapper.name, row };
}

function isPlainObject(value: unknown): value is Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value inside a table cell or a list: strings quoted, like the console does. */
export function inline(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return depth === 0 ? value : `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return value.toISOString();
  const model = modelRow(value);
  if (model) {
    const fields = Object.entries(model.row).map(([k, v]) => `${k}=${inline(v, depth + 1)}`);
    return `${model.model}(${fields.join(', ')})`;
  }
  if (depth > 3) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_INLINE_ITEMS).map((v) => inline(v, depth + 1));
    if (value.length > MAX_INLINE_ITEMS) shown.push(`… ${value.length - MAX_INLINE_ITEMS} more`);
    return `[${shown.join(', ')}]`;
  }
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const all = Object.entries(value);
  const entries = all.slice(0, MAX_INLINE_ITEMS).map(([k, v]) => `${k}: ${inline(v, depth + 1)}`);
  if (all.length > MAX_INLINE_ITEMS) entries.push(`… ${all.length - MAX_INLINE_ITEMS} more`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

/** A cell keeps strings bare: the column already says what it is. */
function cell(value: unknown): string {
  return truncateText(typeof value === 'string' ? value : inline(value, 1), 500);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function table(value: unknown): Printed | null {
  const single = modelRow(value);
  if (single) {
    const columns = Object.keys(single.row);
    return {
      kind: 'table',
      title: `${single.model} · 1 row`,
      columns,
      rows: [columns.map((c) => cell(single.row[c]))],
      moreRows: 0,
    };
  }
  if (Array.isArray(value) && value.length > 0) {
    const rows = value.map(modelRow);
    const first = rows[0];
    if (first && rows.every((r) => r?.model === first.model)) {
      const columns = Object.keys(first.row);
      return {
        kind: 'table',
        title: `${first.model} · ${plural(rows.length, 'row')}`,
        columns,
        rows: rows.slice(0, MAX_TABLE_ROWS).map((r) => columns.map((c) => cell(r!.row[c]))),
        moreRows: Math.max(0, rows.length - MAX_TABLE_ROWS),
      };
    }
    if (value.every(isPlainObject)) {
      const columns = [...new Set(value.flatMap((o) => Object.keys(o)))];
      return {
        kind: 'table',
        title: plural(value.length, 'row'),
        columns,
        rows: value.slice(0, MAX_TABLE_ROWS).map((o) => columns.map((c) => cell(o[c]))),
        moreRows: Math.max(0, value.length - MAX_TABLE_ROWS),
      };
    }
  }
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    return {
      kind: 'table',
      title: '',
      columns: ['key', 'value'],
      rows: Object.entries(value)
        .slice(0, MAX_TABLE_ROWS)
        .map(([k, v]) => [k, cell(v)]),
      moreRows: Math.max(0, Object.keys(value).length - MAX_TABLE_ROWS),
    };
  }
  return null;
}

/** console.log's arguments, each as a table when it is rows, else as text. */
export function printValues(values: readonly unknown[]): Printed[] {
  return values.map((value): Printed => {
    if (value === null) return { kind: 'null', text: 'null' };
    if (value === undefined) return { kind: 'null', text: 'undefined' };
    return table(value) ?? { kind: 'text', text: truncateText(inline(value)) };
  });
}

/** A bound parameter as the SQL panel shows it. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}…` : value}'`;
  return inline(value, 1);
}

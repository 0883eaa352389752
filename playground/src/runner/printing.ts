/**
 * Turns what the example passes to console.log into plain data the page can show: a model object or
 * a list of them becomes a table of rows (its columns, as loaded), other values a short text.
 */
import { stateOf } from '../../../src/orm/session/state.js';
import type { Printed } from './protocol.js';

type Row = Record<string, unknown>;

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
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, depth + 1)).join(', ')}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const entries = Object.entries(value).map(([k, v]) => `${k}: ${inline(v, depth + 1)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

/** A cell keeps strings bare: the column already says what it is. */
function cell(value: unknown): string {
  return typeof value === 'string' ? value : inline(value, 1);
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
        rows: rows.map((r) => columns.map((c) => cell(r!.row[c]))),
      };
    }
    if (value.every(isPlainObject)) {
      const columns = [...new Set(value.flatMap((o) => Object.keys(o)))];
      return {
        kind: 'table',
        title: plural(value.length, 'row'),
        columns,
        rows: value.map((o) => columns.map((c) => cell(o[c]))),
      };
    }
  }
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    return {
      kind: 'table',
      title: '',
      columns: ['key', 'value'],
      rows: Object.entries(value).map(([k, v]) => [k, cell(v)]),
    };
  }
  return null;
}

/** console.log's arguments, each as a table when it is rows, else as text. */
export function printValues(values: readonly unknown[]): Printed[] {
  return values.map((value): Printed => {
    if (value === null) return { kind: 'null', text: 'null' };
    if (value === undefined) return { kind: 'null', text: 'undefined' };
    return table(value) ?? { kind: 'text', text: inline(value) };
  });
}

/** A bound parameter as the SQL panel shows it. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}…` : value}'`;
  return inline(value, 1);
}

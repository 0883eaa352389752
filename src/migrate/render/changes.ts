/**
 * One SchemaChange as the operations of a migration's `up` and of its `down` (which undoes it):
 * a dropped column is re-added in `down` with its live type, nullability and default.
 */
import type { SchemaChange } from '../../schema/compare/changes.js';
import type { CheckConstraint } from '../../sql/constraints.js';
import type { Column } from '../../sql/schema.js';
import { objectSource } from '../pull/columns.js';
import {
  columnCode,
  createTableArgs,
  fkActions,
  indexElements,
  indexOptions,
  quote,
  referred,
  strings,
  typeCode,
  type Imports,
} from './source.js';

/** A change's code: comment lines above it, its `up` lines, and the `down` lines that undo them. */
export interface ChangeCode {
  readonly comments: string[];
  readonly up: string[];
  readonly down: string[];
}

/** `await op.name(args);`, one argument a line when it would be long (lines split on \n by the file writer). */
function call(name: string, args: readonly string[]): string {
  const line = `await op.${name}(${args.join(', ')});`;
  return line.length <= 100 ? line : `await op.${name}(\n${args.map((a) => `  ${a},`).join('\n')}\n);`;
}
const opt = (code: string) => (code ? [code] : []);

/** What a column is, for alterColumn's `existing` and the properties it changes. */
function columnProps(column: Column, props: readonly string[], imports: Imports): [string, string][] {
  const out: [string, string][] = [];
  for (const p of props) {
    if (p === 'type') out.push(['type', typeCode(column.type, column, imports).code]);
    if (p === 'nullable') out.push(['nullable', String(column.nullable)]);
    if (p === 'serverDefault')
      out.push(['serverDefault', column.serverDefault === undefined ? 'null' : quote(column.serverDefault)]);
    if (p === 'comment') out.push(['comment', column.comment === undefined ? 'null' : quote(column.comment)]);
    // MySQL's MODIFY restates AUTO_INCREMENT: without it a dry run ahead of the database cannot print the column.
    if (p === 'autoincrement') out.push(['autoincrement', String(column.autoincrement)]);
  }
  return out;
}

/** What `existing` states: the whole column, so no dialect needs the catalog to restate it. */
const ALL_PROPS = ['type', 'nullable', 'serverDefault', 'comment', 'autoincrement'];

/** The code of one change. */
export function changeCode(change: SchemaChange, imports: Imports): ChangeCode {
  const t = quote(change.table);
  const comments: string[] = [];
  switch (change.kind) {
    case 'add-table': {
      const { args, notes } = createTableArgs(change.modelTable, imports, change.foreignKeysAddedAfter ?? []);
      return { comments: notes, up: [call('createTable', [t, ...args])], down: [call('dropTable', [t])] };
    }
    case 'drop-table': {
      const { args, notes } = createTableArgs(change.liveTable, imports);
      comments.push(`DESTRUCTIVE: drops table ${change.table} and its rows (down re-creates it empty)`, ...notes);
      return { comments, up: [call('dropTable', [t])], down: [call('createTable', [t, ...args])] };
    }
    case 'add-column': {
      const col = columnCode(change.modelColumn, imports, false);
      if (col.note) comments.push(col.note);
      if (!change.modelColumn.nullable && change.modelColumn.serverDefault === undefined) {
        comments.push(
          `NOT NULL without a server default: fails on a table with rows; add serverDefault, or add it nullable, fill it, then alter it`,
        );
      }
      return {
        comments,
        up: [call('addColumn', [t, col.code])],
        down: [call('dropColumn', [t, quote(change.modelColumn.name)])],
      };
    }
    case 'drop-column': {
      const col = columnCode(change.liveColumn, imports, false);
      comments.push(
        `DESTRUCTIVE: drops column ${change.table}.${change.liveColumn.name} and its values (down re-adds it empty)`,
      );
      return {
        comments,
        up: [call('dropColumn', [t, quote(change.liveColumn.name)])],
        down: [call('addColumn', [t, col.code])],
      };
    }
    case 'alter-column': {
      const c = quote(change.column);
      const to = objectSource(columnProps(change.modelColumn, change.changes, imports));
      const from = objectSource(columnProps(change.liveColumn, change.changes, imports));
      const modelNow = objectSource(columnProps(change.modelColumn, ALL_PROPS, imports));
      const liveNow = objectSource(columnProps(change.liveColumn, ALL_PROPS, imports));
      if (change.changes.includes('type')) {
        comments.push(
          `type change: if existing values need converting, add using: '<SQL over the old column>' (PostgreSQL USING, SQLite's rebuild)`,
        );
      }
      if (change.destructive) comments.push(`DESTRUCTIVE: may fail or lose data on existing rows`);
      return {
        comments,
        up: [call('alterColumn', [t, c, to, liveNow])],
        down: [call('alterColumn', [t, c, from, modelNow])],
      };
    }
    case 'add-index':
    case 'drop-index': {
      const ix = change.kind === 'add-index' ? change.modelIndex : change.liveIndex;
      const create = call('createIndex', [quote(ix.name), t, indexElements(ix, imports), ...opt(indexOptions(ix))]);
      const drop = call('dropIndex', [quote(ix.name), t]);
      return change.kind === 'add-index'
        ? { comments, up: [create], down: [drop] }
        : { comments, up: [drop], down: [create] };
    }
    case 'add-unique':
    case 'drop-unique': {
      const u = change.kind === 'add-unique' ? change.modelUnique : change.liveUnique;
      const create = call('createUniqueConstraint', [quote(u.name), t, strings(u.columns)]);
      const drop = call('dropConstraint', [quote(u.name), t, `'unique'`]);
      return change.kind === 'add-unique'
        ? { comments, up: [create], down: [drop] }
        : { comments, up: [drop], down: [create] };
    }
    case 'add-foreign-key':
    case 'drop-foreign-key': {
      const fk = change.kind === 'add-foreign-key' ? change.modelForeignKey : change.liveForeignKey;
      const target = referred(fk);
      const create = call('createForeignKey', [
        quote(fk.name),
        t,
        strings(fk.columnNames),
        quote(target.table),
        strings(target.columns),
        ...opt(fkActions(fk)),
      ]);
      const drop = call('dropConstraint', [quote(fk.name), t, `'foreignKey'`]);
      return change.kind === 'add-foreign-key'
        ? { comments, up: [create], down: [drop] }
        : { comments, up: [drop], down: [create] };
    }
    case 'add-check':
    case 'drop-check': {
      const ck = change.kind === 'add-check' ? change.modelCheck : change.liveCheck;
      const create = call('createCheckConstraint', [quote(ck.name), t, checkCode(ck)]);
      const drop = call('dropConstraint', [quote(ck.name), t, `'check'`]);
      return change.kind === 'add-check'
        ? { comments, up: [create], down: [drop] }
        : { comments, up: [drop], down: [create] };
    }
    case 'alter-primary-key': {
      const name = quote(change.modelConstraint?.name ?? `pk_${change.table.split('.').pop()}`);
      const drop = call('dropConstraint', [name, t, `'primaryKey'`]);
      const up = [
        ...(change.liveColumns.length ? [drop] : []),
        ...(change.modelColumns.length ? [call('createPrimaryKey', [name, t, strings(change.modelColumns)])] : []),
      ];
      const down = [
        ...(change.modelColumns.length ? [drop] : []),
        ...(change.liveColumns.length ? [call('createPrimaryKey', [name, t, strings(change.liveColumns)])] : []),
      ];
      comments.push(
        `primary key (${change.liveColumns.join(', ') || 'none'}) becomes (${change.modelColumns.join(', ') || 'none'})`,
      );
      return { comments, up, down };
    }
    case 'alter-table-comment': {
      const text = (s: string | undefined) => (s === undefined ? 'null' : quote(s));
      return {
        comments,
        up: [call('setTableComment', [t, text(change.modelComment)])],
        down: [call('setTableComment', [t, text(change.liveComment)])],
      };
    }
  }
}

/**
 * A CHECK's condition as code: its text, or for one that names columns through the dialect's
 * quoting (`CheckConstraint.overColumns`) a function of `q`, so the file is right on every dialect.
 */
function checkCode(ck: CheckConstraint): string {
  const mark = '\u0000';
  const parts = ck.sqlFor((id) => `${mark}${id}${mark}`).split(mark);
  if (parts.length === 1) return quote(ck.sql);
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const body = parts.map((p, i) => (i % 2 === 1 ? `\${q(${quote(p)})}` : escape(p))).join('');
  return `(q) => \`${body}\``;
}

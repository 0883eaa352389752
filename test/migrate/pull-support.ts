/**
 * For the `relata pull` tests: where rendered modules are written, their type check with the
 * repository's compiler options, and a Table as comparable data.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Table } from '../../src/index.js';
import { typeOf } from '../support/schema-shape.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');

/** A fresh directory for rendered modules, inside the repository so `../../../src/index.js` resolves. */
export function pulledModulesDir(): string {
  const dir = join(HERE, `.pulled-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

let program: ts.Program | undefined;
/** Type-checks `file` with the repository's compiler options; the diagnostics as text (empty when none). */
export function typeCheck(file: string): string {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  // The previous program is reused: src/ is checked once for the three dialects.
  program = ts.createProgram([file], { ...parsed.options, noEmit: true }, undefined, program);
  // Only what the module needs is checked (src/ itself is checked by the repository's own tsc run).
  const sourceFile = program.getSourceFile(file);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(sourceFile),
    ...program.getSemanticDiagnostics(sourceFile),
  ];
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/** Names, types, nullability, keys, defaults, comments, foreign keys (with names and actions), CHECKs, indexes. */
export function shapeOf(table: Table) {
  const byName = <T extends { name: string }>(list: T[]) => list.sort((a, b) => a.name.localeCompare(b.name));
  return {
    name: table.name,
    schema: table.schema ?? null,
    comment: table.comment ?? null,
    columns: table.columns.map((c) => ({
      name: c.name,
      type: typeOf(c.type),
      nullable: c.nullable,
      primaryKey: c.primaryKey,
      unique: c.unique,
      autoincrement: c.autoincrement,
      serverDefault: c.serverDefault ?? null,
      comment: c.comment ?? null,
    })),
    primaryKey: table.primaryKey.map((c) => c.name),
    primaryKeyName: table.primaryKeyConstraint?.options.name ?? null,
    foreignKeys: byName(
      table.foreignKeyConstraints.map((k) => ({
        name: k.name,
        columns: k.columnNames,
        targets: k.elements.map((e) => `${e.column.table.name}.${e.column.name}`),
        onDelete: k.options.onDelete ?? null,
        onUpdate: k.options.onUpdate ?? null,
      })),
    ),
    checks: table.checks.map((c) => ({ name: c.name, sql: c.sql })),
    uniqueConstraints: byName(table.uniqueConstraints.map((u) => ({ name: u.name, columns: u.columnNames }))),
    indexes: byName(
      table.indexes.map((ix) => ({
        name: ix.name,
        elements: ix.elements.map((e) => ('text' in e ? `(${e.text})` : e.name)),
        unique: ix.unique,
        where: ix.where ?? null,
      })),
    ),
  };
}

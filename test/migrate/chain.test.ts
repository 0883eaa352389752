/**
 * Migration files and their chain: loaded from a directory (TypeScript modules), ordered by
 * `revises` whatever the file names say, and refused with the files named when they do not form
 * one chain. No database needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, MigrationChainError, defineMigration, type Migration } from '../../src/index.js';
import { loadMigrationFiles, orderChain, type LoadedMigration } from '../../src/migrate/chain.js';

const noop = async () => {};
const m = (id: string, revises: string | null): LoadedMigration => ({
  migration: defineMigration({ id, revises, message: id, up: noop, down: noop }),
  file: `${id}.ts`,
});
const ids = (list: LoadedMigration[]) => list.map((x) => x.migration.id);

describe('migration chain', () => {
  it('orders by revises, not by name', () => {
    expect(ids(orderChain([m('b', 'c'), m('c', null), m('a', 'b')]))).toEqual(['c', 'b', 'a']);
    expect(orderChain([])).toEqual([]);
  });

  it('refuses a duplicate id, naming both files', () => {
    const dup = { ...m('a', null), file: 'other.ts' };
    expect(() => orderChain([m('a', null), dup])).toThrow(
      "two migrations have the id 'a': a.ts and other.ts; give one of them a new id",
    );
  });

  it('refuses a missing parent (a gap in the chain)', () => {
    expect(() => orderChain([m('a', null), m('c', 'b')])).toThrow(
      /migration c.ts revises 'b', which no migration has: a file is missing from the chain \(a gap\)/,
    );
  });

  it('refuses two heads: two revising one parent, or two first migrations', () => {
    expect(() => orderChain([m('a', null), m('b', 'a'), m('c', 'a')])).toThrow(
      /two heads: b.ts and c.ts both revise 'a'; make one revise the other/,
    );
    const err = (() => {
      try {
        orderChain([m('a', null), m('b', null)]);
      } catch (e) {
        return e as MigrationChainError;
      }
    })();
    expect(err?.files).toEqual(['a.ts', 'b.ts']);
    expect(err?.message).toMatch(/both start a chain \(revises: null\)/);
  });

  it('refuses a cycle the first migration never reaches', () => {
    expect(() => orderChain([m('a', null), m('b', 'c'), m('c', 'b')])).toThrow(
      /migrations b.ts, c.ts are not reached from the first migration/,
    );
  });

  it('defineMigration refuses unknown and missing fields, naming the migration', () => {
    const bad = {
      id: 'x',
      revises: null,
      message: '',
      up: noop,
      down: noop,
      down_revision: null,
    } as unknown as Migration;
    expect(() => defineMigration(bad)).toThrow(
      new ArgumentError("migration 'x': option 'down_revision' is not supported by Relata: use 'revises'"),
    );
    expect(() => defineMigration({ id: 'x', revises: null, message: '', up: noop } as unknown as Migration)).toThrow(
      "migration 'x': 'down' is missing",
    );
    expect(() => defineMigration({ id: 'a b', revises: null, message: '', up: noop, down: noop })).toThrow(
      /option id must be/,
    );
  });
});

describe('loading migration files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports each module of the directory; a file without a default export is named', async () => {
    dir = mkdtempSync(join(tmpdir(), 'relata-chain-'));
    const src = join(process.cwd(), 'src/index.ts');
    const file = (id: string, revises: string | null) =>
      `import { defineMigration } from ${JSON.stringify(src)};\n` +
      `export default defineMigration({ id: '${id}', revises: ${JSON.stringify(revises)}, message: 'm ${id}', async up() {}, async down() {} });\n`;
    writeFileSync(join(dir, '002_b.ts'), file('002_b', '001_a'));
    writeFileSync(join(dir, '001_a.ts'), file('001_a', null));
    writeFileSync(join(dir, 'types.d.ts'), 'export {};\n');
    writeFileSync(join(dir, 'README.md'), 'not a migration\n');
    const loaded = orderChain(await loadMigrationFiles(dir));
    expect(ids(loaded)).toEqual(['001_a', '002_b']);
    expect(loaded[0]!.file).toBe(join(dir, '001_a.ts'));
    writeFileSync(join(dir, '003_c.ts'), 'export const x = 1;\n');
    await expect(loadMigrationFiles(dir)).rejects.toThrow(/003_c.ts has no default export/);
    expect(await loadMigrationFiles(join(dir, 'missing'))).toEqual([]);
  });
});

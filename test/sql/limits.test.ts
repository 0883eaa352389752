/** The parameter-limit rules shared by every path (no server needed). */
import { describe, expect, it } from 'vitest';
import { PostgresCompiler } from '../../src/dialects/postgres/compiler.js';
import { SqliteCompiler } from '../../src/dialects/sqlite/compiler.js';
import { ArgumentError } from '../../src/index.js';
import { Insert } from '../../src/sql/dml.js';
import { ColumnRef, TupleInExpression, bindValue } from '../../src/sql/expressions.js';
import { rowsPerStatement, splitInsert } from '../../src/sql/limits.js';
import { Column, MetaData, Table } from '../../src/sql/schema.js';
import { Select } from '../../src/sql/selectable.js';
import { Integer } from '../../src/sql/types.js';

const link = new MetaData().add(
  new Table('link', [
    new Column('a', Integer, [], { primaryKey: true }),
    new Column('b', Integer, [], { primaryKey: true }),
  ]),
);
const [a, b] = link.columns as [Column, Column];

describe('parameter limits', () => {
  it('rowsPerStatement: as many rows as fit, at least one, one for DEFAULT VALUES', () => {
    expect(rowsPerStatement(2, 65_000)).toBe(32_500);
    expect(rowsPerStatement(3, 30_000)).toBe(10_000);
    expect(rowsPerStatement(70_000, 65_000)).toBe(1);
    expect(rowsPerStatement(0, 65_000)).toBe(1);
  });

  it('splitInsert keeps an INSERT that fits, and cuts one that does not into batches in row order', () => {
    const compiler = new SqliteCompiler(); // limit 32,766, batches of 30,000 parameters
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [i, i]);
    const fits = new Insert(link, [a, b], rows(16_383));
    expect(splitInsert(fits, compiler)).toEqual([fits]);
    const parts = splitInsert(new Insert(link, [a, b], rows(40_000), [a]), compiler);
    expect(parts.map((p) => p.rows.length)).toEqual([15_000, 15_000, 10_000]);
    expect(parts.map((p) => p.rows[0]![0])).toEqual([0, 15_000, 30_000]);
    expect(parts.every((p) => p.returning[0] === a && p.columns.length === 2)).toBe(true);
  });

  it('a tuple IN over the limit names its columns, the limit and the count', () => {
    const compiler = new PostgresCompiler();
    const refs = [new ColumnRef(a, link), new ColumnRef(b, link)];
    const rows = Array.from({ length: 32_768 }, (_, i) => [bindValue(i, Integer, 'x'), bindValue(i, Integer, 'x')]);
    const select = new Select({ columns: refs, from: [link] }).filter(new TupleInExpression(refs, rows));
    expect(() => compiler.compile(select)).toThrow(ArgumentError);
    expect(() => compiler.compile(select)).toThrow(
      /\(link\.a, link\.b\) IN of 32,768 rows binds 65,536 parameters, more than PostgreSQL accepts in one statement \(65,535\)/,
    );
  });
});

/**
 * concat(): one node, compiled as `||` (SQLite, PostgreSQL) or concat() (MySQL, whose `||` is OR);
 * NULL when a part is NULL on every database. Also: re-pointing a correlated subquery at an alias
 * rewrites its outer references and keeps its own table's.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { Integer, String as Str, concat, func } from '../../src/index.js';
import { Engine } from '../../src/engine/engine.js';
import { ColumnRef } from '../../src/sql/expressions.js';
import { Column, Table } from '../../src/sql/schema.js';
import { Select, TableAlias } from '../../src/sql/selectable.js';
import { replaceFrom } from '../../src/sql/visitors.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const person = new Table('concat_person', [
  new Column('id', Integer, [], { primaryKey: true }),
  new Column('first', Str(20)),
  new Column('last', Str(20)),
]);
const col = (name: string) => new ColumnRef<string | null>(person.columns.find((c) => c.name === name)!, person);

describeEachDialect('concat()', (t) => {
  const it = itOn(t);
  let engine: Engine;
  beforeAll(async () => {
    if (t.skipReason) return;
    engine = new Engine(t.url);
    for (const sql of engine.dialect.compiler.createTable(person)) await engine.execute({ sql, params: [] });
    await engine.execute({
      sql: "INSERT INTO concat_person (id, first, last) VALUES (1, 'Ada', 'Lovelace'), (2, 'Grace', NULL)",
      params: [],
    });
  });
  afterAll(async () => {
    if (!engine) return;
    await engine.execute({ sql: 'DROP TABLE concat_person', params: [] });
    await engine.dispose();
  });

  it('joins strings, is NULL when a part is NULL, and filters', async () => {
    const full = concat(col('first'), ' ', col('last'));
    const select = new Select({ columns: [col('id'), full.label('full')], from: [person], orderBy: [col('id').asc()] });
    const rows = (await engine.execute(select)).rows;
    expect(rows).toEqual([
      [1, 'Ada Lovelace'],
      [2, null],
    ]);
    const sql = engine.dialect.compiler.compile(select).sql;
    expect(sql).toContain(t.dialect === 'mysql' ? 'concat(' : ' || ');
    const where = new Select({ columns: [col('id')], from: [person], where: full.eq('Ada Lovelace') });
    expect((await engine.execute(where)).rows).toEqual([[1]]);
  });

  it('refuses fewer than two parts and non-string values', () => {
    expect(() => concat(col('first'))).toThrow(/at least two parts/);
    expect(() => concat(col('first'), 3 as never)).toThrow(/part 2 must be a string/);
  });

  it('re-points a correlated subquery: outer references move to the alias, its own table stays', () => {
    const count = new Select({ columns: [func.count()], from: [person], where: col('last').eq(col('first')) });
    const outer = new TableAlias(person, 'p_1');
    const other = new Table('concat_other', [new Column('id', Integer, [], { primaryKey: true })]);
    const correlated = new Select({
      columns: [func.count()],
      from: [other],
      where: new ColumnRef(other.columns[0]!, other).eq(col('id')),
    }).scalarSubquery();
    const moved = replaceFrom(correlated, person, outer);
    const sql = engine?.dialect.compiler.compile(new Select({ columns: [moved], from: [outer] })).sql ?? '';
    if (engine) expect(sql.replace(/[`"]/g, '')).toContain('concat_other.id = p_1.id');
    const self = replaceFrom(count.scalarSubquery(), person, outer);
    const selfSql = engine?.dialect.compiler.compile(new Select({ columns: [self], from: [outer] })).sql ?? '';
    if (engine) expect(selfSql.replace(/[`"]/g, '')).toContain('concat_person.last = concat_person.first');
  });
});

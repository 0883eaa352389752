/** The parts of introspection that read text: type names → SqlTypes, and SQLite's CREATE TABLE constraint names. */
import { describe, expect, test } from 'vitest';
import { UnknownSqlType } from '../../src/index.js';
import { columnList, partialIndexWhere, tableConstraints } from '../../src/schema/introspect/sqlite-ddl.js';
import { charUuid } from '../../src/schema/introspect/reflected.js';
import { sqlTypeFor } from '../../src/schema/introspect/types-map.js';

type Described = { typeName: string; length?: number; precision?: number; scale?: number; item?: Described };
const describeType = (t: Described): string =>
  [t.typeName, t.item && `of ${describeType(t.item)}`, t.length ?? t.precision, t.scale]
    .filter((x) => x !== undefined)
    .join(' ');
const described = (text: string) => describeType(sqlTypeFor(text) as Described);

describe('sqlTypeFor', () => {
  test.each([
    ['INTEGER', 'Integer'],
    ['int(11)', 'Integer'],
    ['int4', 'Integer'],
    ['BIGINT', 'BigInteger'],
    ['bigint(20)', 'BigInteger'],
    ['VARCHAR(80)', 'String 80'],
    ['character varying(200)', 'String 200'],
    ['NVARCHAR(160)', 'String 160'],
    ['character varying', 'String'],
    ['TEXT', 'Text'],
    ['longtext', 'Text'],
    ['BOOLEAN', 'Boolean'],
    ['NUMERIC(10,2)', 'Numeric 10 2'],
    ['decimal(10, 2)', 'Numeric 10 2'],
    ['NUMERIC', 'Numeric'],
    ['REAL', 'Float'],
    ['double precision', 'Float'],
    ['DOUBLE', 'Float'],
    ['timestamp with time zone', 'DateTime'],
    ['timestamp(3) without time zone', 'DateTime'],
    ['datetime(6)', 'DateTime'],
    ['DATE', 'Date'],
    ['jsonb', 'JSON'],
    ['uuid', 'Uuid'],
    ['bytea', 'LargeBinary'],
    ['BLOB', 'LargeBinary'],
    ['longblob', 'LargeBinary'],
    ['integer[]', 'Array of Integer'],
    ['character varying(20)[]', 'Array of String 20'],
    ['uuid[]', 'Array of Uuid'],
  ])('%s → %s', (text, expected) => {
    expect(described(text)).toBe(expected);
  });

  test.each([
    'smallint',
    'int unsigned',
    'money',
    'CHAR(3)',
    'CHAR(36)',
    "enum('a','b')",
    'VARCHAR(1,2)',
    'TEXT(10)',
    '',
    'jsonb[]',
    'smallint[]',
    'integer[][]',
  ])('%s stays unknown, with its text', (text) => {
    const t = sqlTypeFor(text);
    expect(t).toBeInstanceOf(UnknownSqlType);
    expect((t as UnknownSqlType).sqlText).toBe(text);
  });

  test("tinyint(1) is Boolean only where the dialect says so (MySQL's BOOLEAN)", () => {
    expect(sqlTypeFor('tinyint(1)')).toBeInstanceOf(UnknownSqlType);
    const mysql = sqlTypeFor('tinyint(1)', (name, args) =>
      name === 'TINYINT' && args[0] === 1 ? sqlTypeFor('BOOLEAN') : null,
    );
    expect(mysql.typeName).toBe('Boolean');
  });

  test('CHAR(36) is a Uuid only where the dialect says so (what Relata writes for Uuid on MySQL and SQLite)', () => {
    expect(sqlTypeFor('char(36)', charUuid).typeName).toBe('Uuid');
    expect(sqlTypeFor('char(35)', charUuid)).toBeInstanceOf(UnknownSqlType);
  });
});

describe("SQLite's CREATE TABLE text", () => {
  const sql = `CREATE TABLE "a (CHECK (x)" (
    id INTEGER NOT NULL, "b""c" INT CHECK (id > 0),
    CONSTRAINT "pk_a" PRIMARY KEY (id),
    CONSTRAINT uq_a UNIQUE ("b""c", id),
    CONSTRAINT [fk a] FOREIGN KEY (id) REFERENCES other (id),
    CONSTRAINT ck CHECK (length("b""c") > (1 + 2))
  )`;

  test('names each constraint and reads its columns or condition', () => {
    expect(tableConstraints(sql)).toEqual([
      { name: null, kind: 'CHECK', body: 'id > 0' },
      { name: 'pk_a', kind: 'PRIMARY KEY', body: 'id' },
      { name: 'uq_a', kind: 'UNIQUE', body: '"b""c", id' },
      { name: 'fk a', kind: 'FOREIGN KEY', body: 'id' },
      { name: 'ck', kind: 'CHECK', body: 'length("b""c") > (1 + 2)' },
    ]);
    expect(columnList('"b""c", id')).toEqual(['b"c', 'id']);
  });

  test("reads a partial index's WHERE", () => {
    expect(partialIndexWhere('CREATE INDEX ix ON t (a, b) WHERE a > 1')).toBe('a > 1');
    expect(partialIndexWhere('CREATE INDEX ix ON t (a)')).toBeNull();
  });
});

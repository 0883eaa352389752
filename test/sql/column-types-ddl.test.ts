/** DDL and bound parameters of Enum, Uuid, LargeBinary, ArrayOf and TypeDecorator columns on each compiler (no server). */
import { describe, expect, it } from 'vitest';
import { MysqlCompiler } from '../../src/dialects/mysql/compiler.js';
import { PostgresCompiler } from '../../src/dialects/postgres/compiler.js';
import { SqliteCompiler } from '../../src/dialects/sqlite/compiler.js';
import { Insert } from '../../src/sql/dml.js';
import { Column, MetaData, Table } from '../../src/sql/schema.js';
import { TypeDecorator } from '../../src/sql/type-decorator.js';
import { ArrayOf, BigInteger, Enum, Integer, LargeBinary, String, Uuid } from '../../src/sql/types.js';

const Upper = new TypeDecorator(String(10), { toDriver: (s: string) => s.toUpperCase(), fromDriver: (s: string) => s });
const meta = new MetaData();
const doc = meta.add(
  new Table('doc', [
    new Column('id', Uuid, [], { primaryKey: true }),
    new Column('status', Enum(['draft', "it's", 'back\\slash']), [], { nullable: false }),
    new Column('kind', Enum(['a', 'b'], { name: 'kind_t' })),
    new Column('data', LargeBinary),
    new Column('code', Upper),
  ]),
);
const tagged = meta.add(
  new Table('tagged', [
    new Column('id', Integer, [], { primaryKey: true }),
    new Column('tags', ArrayOf(String(20))),
    new Column('bigs', ArrayOf(BigInteger)),
  ]),
);

describe('column types DDL', () => {
  it('PostgreSQL: native enum types before the table, dropped after; uuid, bytea, arrays', () => {
    const c = new PostgresCompiler();
    expect(c.createTable(doc)).toEqual([
      `CREATE TYPE "doc_status" AS ENUM ('draft', 'it''s', 'back\\slash')`,
      `CREATE TYPE "kind_t" AS ENUM ('a', 'b')`,
      'CREATE TABLE "doc" (\n' +
        '  "id" UUID NOT NULL,\n' +
        '  "status" "doc_status" NOT NULL,\n' +
        '  "kind" "kind_t",\n' +
        '  "data" BYTEA,\n' +
        '  "code" VARCHAR(10),\n' +
        '  CONSTRAINT "pk_doc" PRIMARY KEY ("id")\n' +
        ')',
    ]);
    expect(c.createTable(doc, true)[1]).toBe(
      `DO $$ BEGIN CREATE TYPE "kind_t" AS ENUM ('a', 'b'); EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    expect(c.dropTypes([doc, tagged])).toEqual(['DROP TYPE IF EXISTS "doc_status"', 'DROP TYPE IF EXISTS "kind_t"']);
    expect(c.createTable(tagged)[0]).toContain('"tags" VARCHAR(20)[],\n  "bigs" BIGINT[]');
    const { params } = c.compile(new Insert(tagged, tagged.columns, [[1, ['a'], [2n ** 62n]]]));
    expect(params).toEqual([1, ['a'], ['4611686018427387904']]);
  });

  it('PostgreSQL: one enum type name with two sets of members is refused naming both columns', () => {
    const m = new MetaData();
    m.add(
      new Table('a', [
        new Column('id', Integer, [], { primaryKey: true }),
        new Column('k', Enum(['x'], { name: 'k_t' })),
      ]),
    );
    const b = m.add(
      new Table('b', [
        new Column('id', Integer, [], { primaryKey: true }),
        new Column('k', Enum(['x', 'y'], { name: 'k_t' })),
      ]),
    );
    expect(() => new PostgresCompiler().createTable(b)).toThrow(
      /column b\.k: enum type "k_t" is also a\.k's, with other members/,
    );
  });

  it('MySQL: inline ENUM (backslashes doubled), CHAR(36), LONGBLOB; arrays refused naming the column', () => {
    const c = new MysqlCompiler();
    const [ddl] = c.createTable(doc);
    expect(ddl).toContain("`status` ENUM('draft', 'it''s', 'back\\\\slash') NOT NULL");
    expect(ddl).toContain('`id` CHAR(36) NOT NULL');
    expect(ddl).toContain('`data` LONGBLOB');
    expect(c.dropTypes([doc])).toEqual([]);
    expect(() => c.createTable(tagged)).toThrow(
      /column tagged\.tags: ArrayOf\(\) is PostgreSQL only; mysql has no array column/,
    );
  });

  it('SQLite: VARCHAR + CHECK for an Enum, CHAR(36), BLOB; arrays refused naming the column', () => {
    const c = new SqliteCompiler();
    const [ddl] = c.createTable(doc);
    expect(ddl).toContain(`"status" VARCHAR(10) NOT NULL CHECK ("status" IN ('draft', 'it''s', 'back\\slash'))`);
    expect(ddl).toContain('"id" CHAR(36) NOT NULL');
    expect(ddl).toContain('"data" BLOB');
    expect(() => c.createTable(tagged)).toThrow(
      /column tagged\.tags: ArrayOf\(\) is PostgreSQL only; sqlite has no array column/,
    );
  });

  it('a TypeDecorator binds through toDriver, and a plain Uint8Array goes over as a Buffer', () => {
    const c = new SqliteCompiler();
    const { params } = c.compile(
      new Insert(doc, [doc.column('code'), doc.column('data')], [['ab', new Uint8Array([1])]]),
    );
    expect(params).toContain('AB');
    expect(params.find((p) => p instanceof Uint8Array)).toSatisfy((b: Uint8Array) => Buffer.isBuffer(b));
  });
});

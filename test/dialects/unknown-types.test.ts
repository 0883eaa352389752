/**
 * A column type a dialect has no DDL for used to become BLOB/BYTEA/LONGBLOB (a PostgreSQL UUID then
 * read back as a Buffer). createAll() now refuses it, naming the column and type, and creates nothing.
 */
import { afterEach, expect } from 'vitest';
import { CompileError, Database, Integer, SqlType, Table } from '../../src/index.js';
import { Column } from '../../src/sql/schema.js';
import { describeEachDialect, itOn } from '../support/databases.js';

class UuidType extends SqlType<string> {
  readonly typeName = 'UUID';
}

describeEachDialect('Unknown column types', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close();
  });

  it('createAll refuses a table with a type the dialect has no DDL for, and creates no table', async () => {
    const db = new Database(t.url);
    dbs.push(db);
    // A valid table first: it is not created either, since all DDL is compiled before any runs.
    db.registry.metadata.add(new Table('fine', [new Column('id', Integer, [], { primaryKey: true })]));
    db.registry.metadata.add(
      new Table('thing', [new Column('id', Integer, [], { primaryKey: true }), new Column('ref', new UuidType())]),
    );
    const statements: string[] = [];
    db.onStatement((e) => statements.push(e.sql));
    await expect(db.createAll()).rejects.toThrow(CompileError);
    await expect(db.createAll()).rejects.toThrow(
      `column thing.ref: ${t.dialect} has no column type for UUID (use one of Integer,`,
    );
    expect(statements.filter((s) => /CREATE/i.test(s))).toEqual([]);
  });
});

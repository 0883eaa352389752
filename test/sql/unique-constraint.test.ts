/** UniqueConstraint: a UNIQUE over several columns, in the DDL, enforced by every database, refused when malformed. */
import { afterEach, expect } from 'vitest';
import { ArgumentError, Database, IntegrityError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('UniqueConstraint', (t) => {
  const it = itOn(t);
  let db: Database | undefined;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = undefined;
  });

  it('is written by CREATE TABLE with its name (uq_<table>_<columns> by default) and refuses a duplicate pair', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Seat extends db.Model(
      'Seat',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        row: db.Column(db.Integer, { nullable: false }),
        number: db.Column(db.Integer, { nullable: false }),
        code: db.Column(db.String(8), { unique: true }),
      },
      { tableArgs: [db.UniqueConstraint(['row', 'number'])] },
    ) {}
    const table = db.registry.metadata.tables.get('seat')!;
    expect(table.uniqueConstraints.map((u) => [u.name, u.columnNames])).toEqual([
      ['uq_seat_code', ['code']],
      ['uq_seat_row_number', ['row', 'number']],
    ]);
    const ddl = db.engine.dialect.compiler.createTable(table)[0]!.replace(/`/g, '"');
    expect(ddl).toContain('CONSTRAINT "uq_seat_row_number" UNIQUE ("row", "number")');
    await db.createAll();
    db.session.addAll([new Seat({ row: 1, number: 1 }), new Seat({ row: 1, number: 2 })]);
    await db.session.commit();
    db.session.add(new Seat({ row: 1, number: 2 }));
    const err = await db.session.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    await db.session.rollback();
    // Reflected back as the same constraint.
    const reflected = (await db.reflect({ tables: ['seat'] })).metadata.tables.get('seat')!;
    expect(reflected.uniqueConstraints.map((u) => [u.name, u.columnNames])).toEqual([
      ['uq_seat_code', ['code']],
      ['uq_seat_row_number', ['row', 'number']],
    ]);
  });

  it('names the table and column at fault, and refuses unknown options', () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    expect(() =>
      db!.Table('bad', db!.Column('id', db!.Integer, { primaryKey: true }), db!.UniqueConstraint(['id', 'nope'])),
    ).toThrow(/Table 'bad': UniqueConstraint 'id, nope' names column 'nope', which the table does not have/);
    expect(() => db!.UniqueConstraint([])).toThrow(ArgumentError);
    expect(() => db!.UniqueConstraint(['a'], { nmae: 'x' } as never)).toThrow(
      /UniqueConstraint: unknown option 'nmae'/,
    );
  });
});

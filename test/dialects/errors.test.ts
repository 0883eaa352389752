/** Driver errors become Relata's classes on every database, naming the table and the constraint. */
import { afterEach, expect } from 'vitest';
import {
  DataError,
  Database,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  type DatabaseError,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Driver errors', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open() {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Author extends db.Model('Author', {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(20), { unique: true, nullable: false }),
    }) {}
    class Book extends db.Model('Book', {
      id: db.Column(db.Integer, { primaryKey: true }),
      author_id: db.Column(db.Integer, db.ForeignKey('author.id'), { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.add(new Author({ name: 'ann' }));
    await db.session.commit();
    return { Author, Book };
  }

  async function failure(fn: () => Promise<unknown>): Promise<DatabaseError> {
    const err = await fn().then(
      () => null,
      (e: unknown) => e,
    );
    if (!err) throw new Error('expected a failure');
    return err as DatabaseError;
  }

  it('unique and primary key violations: IntegrityError with table and constraint', async () => {
    const { Author } = await open();
    const s = db!.newSession();
    s.add(new Author({ name: 'ann' }));
    const err = await failure(() => s.commit());
    expect(err).toBeInstanceOf(IntegrityError);
    expect([err.table, err.constraint]).toEqual(['author', 'uq_author_name']);
    await s.rollback();
    const ann = await s.query(Author).one();
    s.add(new Author({ id: ann.id, name: 'other' }));
    const pk = await failure(() => s.commit());
    expect(pk).toBeInstanceOf(IntegrityError);
    expect([pk.table, pk.constraint]).toEqual(['author', 'pk_author']);
    await s.rollback();
  });

  it('foreign key violations on insert and on deleting the parent name the foreign key', async () => {
    const { Author, Book } = await open();
    const s = db!.newSession();
    s.add(new Book({ author_id: 999 }));
    const err = await failure(() => s.commit());
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.table).toBe('book');
    expect(err.constraint).toBe(t.dialect === 'sqlite' ? 'FOREIGN KEY' : 'fk_book_author_id_author');
    await s.rollback();
    const ann = await s.query(Author).one();
    s.add(new Book({ author_id: ann.id }));
    await s.commit();
    const del = await failure(() => db!.engine.execute({ sql: deleteAuthors(t.dialect), params: [] }));
    expect(del).toBeInstanceOf(IntegrityError);
    if (t.dialect !== 'sqlite') expect(del.constraint).toBe('fk_book_author_id_author');
  });

  it('NOT NULL violations name <table>.<column>', async () => {
    await open();
    const q = t.dialect === 'mysql' ? '`' : '"';
    const err = await failure(() =>
      db!.engine.execute({ sql: `INSERT INTO ${q}author${q} (${q}name${q}) VALUES (NULL)`, params: [] }),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect([err.table, err.constraint]).toEqual(['author', 'author.name']);
  });

  it('a missing table is an OperationalError naming it; bad SQL a ProgrammingError', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Ghost extends db.Model('Ghost', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    const err = await failure(() => db!.newSession().query(Ghost).all());
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.table).toBe('ghost');
    expect(err.message).toMatch(/createAll/);
    const bad = await failure(() => db!.engine.execute({ sql: 'SELEC 1', params: [] }));
    expect(bad).toBeInstanceOf(ProgrammingError);
  });

  it('a value too long for its column is a DataError (servers enforce VARCHAR lengths)', async () => {
    if (t.dialect === 'sqlite') return; // SQLite does not enforce VARCHAR(n)
    const { Author } = await open();
    // Relata refuses it before any SQL (issue 11); raw SQL still meets the server's own check.
    expect(() => new Author({ name: 'x'.repeat(21) })).toThrow(/Author\.name: a string of 21 characters/);
    const q = t.dialect === 'mysql' ? '`' : '"';
    const placeholder = t.dialect === 'mysql' ? '?' : '$1';
    const err = await failure(() =>
      db!.engine.execute({
        sql: `INSERT INTO ${q}author${q} (${q}name${q}) VALUES (${placeholder})`,
        params: ['x'.repeat(21)],
      }),
    );
    expect(err).toBeInstanceOf(DataError);
    expect(err.sql).toMatch(/^INSERT INTO .author. /);
  });

  it('CHECK constraint violations name the constraint', async () => {
    if (t.dialect === 'sqlite') return; // SQLite cannot add a constraint to an existing table
    await open();
    const q = t.dialect === 'mysql' ? '`' : '"';
    await db!.engine.execute({
      sql: `ALTER TABLE ${q}author${q} ADD CONSTRAINT ${q}ck_author_name${q} CHECK (${q}name${q} <> 'bad')`,
      params: [],
    });
    const err = await failure(() =>
      db!.engine.execute({ sql: `INSERT INTO ${q}author${q} (${q}name${q}) VALUES ('bad')`, params: [] }),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect([err.table, err.constraint]).toEqual(['author', 'ck_author_name']);
  });

  it('messages do not carry parameter values; the failing SQL and parameters are on the error', async () => {
    const { Author } = await open();
    const s = db!.newSession();
    s.add(new Author({ name: 'ann' }));
    const err = await failure(() => s.commit());
    expect(err.sql).toMatch(/INSERT INTO/);
    expect(err.params).toContain('ann');
    await s.rollback();
  });
});

function deleteAuthors(dialect: string): string {
  return dialect === 'mysql' ? 'DELETE FROM `author`' : 'DELETE FROM "author"';
}

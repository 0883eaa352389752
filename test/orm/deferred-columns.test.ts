/**
 * Deferred columns (SQLAlchemy's deferred() / mapped_column(deferred=True)) and the column loader
 * options defer, undefer, undeferGroup and loadOnly, also along a relationship path: what each
 * SELECT reads, what `await obj.column` loads (one SELECT of the column, or of its group), what a
 * synchronous read of an unloaded column says, and that a flush never writes a column it did not load.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  MappingError,
  NotLoadedError,
  defer,
  joinedload,
  lazyload,
  loadOnly,
  selectinload,
  undefer,
  undeferGroup,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function library(db: Database) {
  class Author extends db.Model('Author', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    bio: db.Column(db.Text, { deferred: true }),
    books: db.relationship<Book>('Book', { backPopulates: 'author', orderBy: 'id' }),
  }) {}
  class Book extends db.Model('Book', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(100), { nullable: false }),
    summary: db.Column(db.Text, { deferred: true }),
    cover: db.Column(db.Text, { deferredGroup: 'media' }),
    thumbnail: db.Column(db.Text, { deferredGroup: 'media' }),
    secret: db.Column(db.Text, { deferred: true, deferredRaiseload: true }),
    pages: db.Column(db.Integer),
    authorId: db.Column(db.Integer, db.ForeignKey('author.id'), { nullable: false }),
    author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
  }) {}
  return { Author, Book };
}

describeEachDialect('Deferred columns', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const open = async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    const m = library(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    const s = db.newSession();
    const ada = new m.Author({ name: 'Ada', bio: 'Countess' });
    s.add(ada);
    for (const n of [1, 2]) {
      s.add(
        new m.Book({
          title: `Notes ${n}`,
          summary: `About ${n}`,
          cover: `cover ${n}`,
          thumbnail: `thumb ${n}`,
          secret: `s${n}`,
          pages: 100 * n,
          author: ada,
        }),
      );
    }
    await s.commit();
    const statements: string[] = [];
    db.onStatement((e) => statements.push(e.sql.replace(/[`"]/g, '')));
    return { db, ...m, statements };
  };

  it('leaves deferred columns out of the SELECT; await loads one column with one SELECT', async () => {
    const { db, Book, statements } = await open();
    const s = db.newSession();
    const book = (await s.query(Book).orderBy(Book.id).first())!;
    expect(statements[0]).not.toMatch(/summary|cover|thumbnail|secret/);
    expect(statements[0]).toMatch(/book\.title/);
    expect(() => String(book.summary)).toThrow(NotLoadedError);
    expect(() => String(book.summary)).toThrow(
      /Book\.summary is not loaded.*await book\.summary.*undefer\(Book\.summary\)/,
    );
    let summary: string | null = null;
    expect(await db.countQueries(async () => (summary = await book.summary))).toBe(1);
    expect(summary).toBe('About 1');
    expect(statements.at(-1)).toMatch(/^SELECT book\.summary FROM book WHERE book\.id = /);
    expect(book.summary).toBe('About 1'); // loaded now: a plain value
    expect(await db.countQueries(async () => expect(await book.summary).toBe('About 1'))).toBe(0);
  });

  it('loads a deferred group together, and refuses a raiseload column without SQL', async () => {
    const { db, Book, statements } = await open();
    const book = (await db.newSession().query(Book).orderBy(Book.id).first())!;
    expect(await db.countQueries(async () => expect(await book.cover).toBe('cover 1'))).toBe(1);
    expect(statements.at(-1)).toMatch(/^SELECT book\.cover, book\.thumbnail FROM book WHERE/);
    expect(book.thumbnail).toBe('thumb 1'); // the group came with it
    expect(() => String(book.summary)).toThrow(NotLoadedError); // not in the group
    let refused: unknown;
    const n = await db.countQueries(async () => {
      refused = await Promise.resolve(book.secret).catch((e: unknown) => e);
    });
    expect(n).toBe(0);
    expect(refused).toBeInstanceOf(NotLoadedError);
    expect(String(refused)).toMatch(/Book\.secret is set to raise on load.*undefer\(Book\.secret\)/);
  });

  it('undefer, undeferGroup and defer change one query; the result type follows', async () => {
    const { db, Book, statements } = await open();
    const s = db.newSession();
    const books = await s.query(Book).options(undefer(Book.summary), undeferGroup('media')).orderBy(Book.id).all();
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/book\.summary/);
    expect(statements[0]).toMatch(/book\.cover, book\.thumbnail/);
    const summaries: (string | null)[] = books.map((b) => b.summary); // typed plain by undefer
    expect(summaries).toEqual(['About 1', 'About 2']);
    expect(books.map((b) => b.thumbnail)).toEqual(['thumb 1', 'thumb 2']);

    const other = db.newSession();
    const light = await other.query(Book).options(defer(Book.pages)).orderBy(Book.id).all();
    expect(statements.at(-1)).not.toMatch(/pages/);
    expect(() => String(light[1]!.pages)).toThrow(/Book\.pages is not loaded.*undefer\(Book\.pages\)/);
    expect(await db.countQueries(async () => expect(await light[1]!.pages).toBe(200))).toBe(1);
  });

  it('loadOnly reads the listed columns with the primary key and relationship keys', async () => {
    const { db, Book, Author, statements } = await open();
    const s = db.newSession();
    const books = await s.query(Book).options(loadOnly(Book.title)).orderBy(Book.id).all();
    expect(statements[0]).toMatch(/^SELECT book\.id, book\.title, book\.authorId FROM book/i);
    expect(books.map((b) => b.title)).toEqual(['Notes 1', 'Notes 2']);
    expect(() => String(books[0]!.pages)).toThrow(NotLoadedError);
    expect(await db.countQueries(async () => expect((await books[0]!.author)?.name).toBe('Ada'))).toBe(1);
    expect(await db.countQueries(async () => expect(await books[0]!.pages).toBe(100))).toBe(1);
    // The author's deferred bio is unloaded too, and loads on await.
    const ada = (await s.query(Author).first())!;
    expect(await db.countQueries(async () => expect(await ada.bio).toBe('Countess'))).toBe(1);
  });

  it('column options along a relationship: selectinload(...).undefer(...), joinedload(...).loadOnly(...)', async () => {
    const { db, Author, Book, statements } = await open();
    let n = await db.countQueries(async () => {
      const authors = await db
        .newSession()
        .query(Author)
        .options(selectinload(Author.books).undefer(Book.summary))
        .all();
      const summaries: (string | null)[] = authors[0]!.books.map((b) => b.summary);
      expect(summaries).toEqual(['About 1', 'About 2']);
      expect(() => String(authors[0]!.bio)).toThrow(NotLoadedError); // the root keeps its own defaults
    });
    expect(n).toBe(2);
    expect(statements.at(-1)).toMatch(/book\.summary/);
    n = await db.countQueries(async () => {
      const books = await db.newSession().query(Book).options(joinedload(Book.author).undefer(Author.bio)).all();
      const bio: string | null | undefined = books[0]!.author?.bio;
      expect(bio).toBe('Countess');
    });
    expect(n).toBe(1);
    n = await db.countQueries(async () => {
      const authors = await db
        .newSession()
        .query(Author)
        .options(selectinload(Author.books).loadOnly(Book.title))
        .all();
      expect(authors[0]!.books.map((b) => b.title)).toEqual(['Notes 1', 'Notes 2']);
      expect(() => String(authors[0]!.books[0]!.pages)).toThrow(NotLoadedError);
    });
    expect(n).toBe(2);
    expect(statements.at(-1)).toMatch(/^SELECT book\.id, book\.title, book\.authorId FROM book WHERE/i);
  });

  it('an object already in the session gets the columns a later query undefers, without more SQL', async () => {
    const { db, Book } = await open();
    const s = db.newSession();
    const [first] = await s.query(Book).orderBy(Book.id).all();
    expect(() => String(first!.summary)).toThrow(NotLoadedError);
    const n = await db.countQueries(() => s.query(Book).options(undefer(Book.summary)).all());
    expect(n).toBe(1);
    expect(first!.summary).toBe('About 1');
  });

  it('a flush writes only what was set: an unloaded column is never written, an assigned one is', async () => {
    const { db, Book, statements } = await open();
    const s = db.newSession();
    const book = (await s.query(Book).orderBy(Book.id).first())!;
    book.title = 'Renamed';
    await s.commit();
    const update = statements.find((q) => q.startsWith('UPDATE'))!;
    expect(update).toMatch(/SET title = /);
    expect(update).not.toMatch(/summary|cover|secret/);
    book.summary = 'Rewritten'; // assigning needs no load
    expect(book.summary).toBe('Rewritten');
    expect(await db.countQueries(() => s.commit())).toBe(1);
    const fresh = (await db
      .newSession()
      .query(Book)
      .options(undefer(Book.summary), undeferGroup('media'))
      .get(book.id))!;
    expect([fresh.title, fresh.summary, fresh.cover]).toEqual(['Renamed', 'Rewritten', 'cover 1']);
  });

  it('refresh() loads every column; toJSON leaves unloaded columns out; a detached object cannot load', async () => {
    const { db, Book } = await open();
    const s = db.newSession();
    const book = (await s.query(Book).orderBy(Book.id).first())!;
    expect(Object.keys(book.toJSON())).not.toContain('summary');
    expect(book.toJSON()).toMatchObject({ title: 'Notes 1', pages: 100 });
    await s.refresh(book);
    expect(book.summary).toBe('About 1');
    const other = (await s.query(Book).filter(Book.id.ne(book.id)).first())!;
    s.expunge(other);
    await expect(Promise.resolve(other.summary)).rejects.toThrow(
      /Book\.summary cannot be loaded: .* is not in a session/,
    );
  });

  it('refuses what cannot be deferred and options that do not fit, naming them', async () => {
    const { db, Author, Book } = await open();
    const s = db.newSession();
    expect(() => defer(Book.id)).toThrow(ArgumentError);
    expect(() => s.query(Book).options(defer(Book.id))).toThrow(/Book\.id is the primary key: it always loads/);
    expect(() => s.query(Book).options(defer(Book.authorId))).toThrow(
      /Book\.authorId is a key of relationship Book\.author: it always loads/,
    );
    expect(() => s.query(Book).options(undefer(Author.bio))).toThrow(
      /undefer\(Author\.bio\) does not fit a query of Book/,
    );
    expect(() => s.query(Author).options(lazyload(Author.books).undefer(Book.summary))).toThrow(
      /column options follow joinedload, selectinload or containsEager/,
    );
    expect(() => loadOnly()).toThrow(/loadOnly\(\) needs at least one column/);
    expect(() => undefer(Author.books as never)).toThrow(/takes column attributes such as/);
    expect(() => undeferGroup('nope').steps).not.toThrow();
    expect(() => s.query(Book).options(undeferGroup('nope'))).toThrow(
      /Book has no deferred group 'nope' \(groups: media\)/,
    );
    expect(() =>
      (selectinload(Author.books).undefer(Book.summary) as never as { joinedload(a: unknown): unknown }).joinedload(
        Book.author,
      ),
    ).toThrow(/a column option ends a loader path/);
    const bad = new Database();
    expect(() => bad.Model('Bad', { id: db.Column(db.Integer, { primaryKey: true, deferred: true }) })).toThrow(
      MappingError,
    );
    expect(() =>
      bad.Model('Bad2', {
        id: db.Column(db.Integer, { primaryKey: true }),
        x: db.Column(db.Text, { deferredRaiseload: true }),
      }),
    ).toThrow(/Bad2\.x: deferredRaiseload needs deferred: true or a deferredGroup/);
  });
});

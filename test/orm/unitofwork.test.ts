/**
 * Flushing new objects: their collections are not tracked item by item but written whole, so what
 * reaches the database is what the collections hold at flush time, however they got there.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  const links = db.Table(
    'shelf_books',
    db.Column('shelf_id', db.Integer, db.ForeignKey('shelf.id'), { primaryKey: true }),
    db.Column('book_id', db.Integer, db.ForeignKey('book.id'), { primaryKey: true }),
  );
  class Author extends db.Model('Author', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(40), { nullable: false }),
    books: db.relationship<Book>('Book', { backPopulates: 'author', cascade: 'all, delete-orphan', orderBy: 'id' }),
  }) {}
  class Book extends db.Model('Book', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(40), { nullable: false }),
    authorId: db.Column(db.Integer, db.ForeignKey('author.id'), { name: 'author_id' }),
    author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
    shelves: db.relationship<Shelf>('Shelf', { secondary: links, backPopulates: 'books' }),
  }) {}
  class Shelf extends db.Model('Shelf', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(40), { nullable: false }),
    books: db.relationship<Book>('Book', { secondary: links, backPopulates: 'shelves' }),
  }) {}
  return { Author, Book, Shelf };
}

describeEachDialect('Flushing new objects', (t) => {
  const it = itOn(t);
  let db: Database;
  let M: ReturnType<typeof models>;
  beforeEach(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    M = models(db);
    await db.dropAll();
    await db.createAll();
  });
  afterEach(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  const rows = async (sql: string) => (await db.engine.execute({ sql, params: [] })).rows;

  it('null assigned to an unloaded many-to-one whose target the session never loaded clears the key', async () => {
    const { Author, Book } = M;
    const s = db.newSession();
    s.add(new Book({ title: 'kept', author: new Author({ name: 'ann' }) }));
    s.add(new Book({ title: 'cleared', author: new Author({ name: 'bob' }) }));
    await s.commit();
    const other = db.newSession();
    const book = await other.query(Book).filterBy({ title: 'cleared' }).one(); // its author not loaded
    book.author = null;
    expect(other.isDirty).toBe(true);
    const writes = (await db.recordQueries(() => other.commit())).map((e) => e.sql).filter((x) => /^UPDATE/.test(x));
    expect(writes).toHaveLength(1);
    const check = db.newSession();
    expect((await check.query(Book).filterBy({ title: 'cleared' }).one()).authorId).toBeNull();
    expect((await check.query(Book).filterBy({ title: 'kept' }).one()).authorId).not.toBeNull();
    expect(await check.query(Author).count()).toBe(2); // the author row stays (no delete-orphan from this side)
  });

  it('a saved child added to a new parent and taken out again is left as it was, not orphaned', async () => {
    const { Author, Book } = M;
    const ann = new Author({ name: 'ann', books: [new Book({ title: 'kept' })] });
    db.session.add(ann);
    await db.session.commit();
    const s = db.newSession();
    const kept = (await s.query(Book).one())!;
    const bob = new Author({ name: 'bob' });
    s.add(bob);
    const list = await bob.books; // a new object's collection: loaded, empty
    list.push(kept);
    list.pop();
    await s.commit();
    // Neither deleted as an orphan nor moved: nothing about it changed in the database.
    expect(await rows('SELECT b.title, a.name FROM book b JOIN author a ON a.id = b.author_id')).toEqual([
      ['kept', 'ann'],
    ]);
  });

  it('a saved child moved to a new parent points at it after the flush', async () => {
    const { Author, Book } = M;
    db.session.add(new Author({ name: 'ann', books: [new Book({ title: 'moved' }), new Book({ title: 'stays' })] }));
    await db.session.commit();
    const s = db.newSession();
    const ann = (await s.query(Author).one())!;
    const moved = (await ann.books).find((b) => b.title === 'moved')!;
    const cyd = new Author({ name: 'cyd', books: [moved, new Book({ title: 'new' })] });
    s.add(cyd);
    await s.commit();
    const byTitle = Object.fromEntries(
      (await rows('SELECT b.title, a.name FROM book b JOIN author a ON a.id = b.author_id')).map((r) => [r[0], r[1]]),
    );
    expect(byTitle).toEqual({ moved: 'cyd', stays: 'ann', new: 'cyd' });
  });

  it('new objects on both sides of a many-to-many: one link row per pair, for thousands of pairs', async () => {
    const { Book, Shelf } = M;
    const shelves = [new Shelf({ name: 'a' }), new Shelf({ name: 'b' })];
    const books = Array.from(
      { length: 3000 },
      (_, i) => new Book({ title: `b${i}`, shelves: i % 3 ? shelves : [shelves[0]!] }),
    );
    db.session.addAll(books);
    await db.session.commit();
    const [[links]] = (await rows('SELECT COUNT(*) FROM shelf_books')) as [[number | string]];
    expect(Number(links)).toBe(3000 + 2000);
    expect((await shelves[1]!.books).length).toBe(2000); // the other side, filled in memory by backref
  });
});

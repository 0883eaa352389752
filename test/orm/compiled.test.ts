/**
 * The compiled-load cache: a query, lazy load or selectin load run again with other values reuses
 * its SQL and plan, and still returns exactly its own rows; queries of another shape never share.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { Database, or_, text, type Query } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Author extends db.Model('Author', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(40), { nullable: false }),
    books: db.relationship<Book>('Book', { backPopulates: 'author', orderBy: 'id' }),
  }) {}
  class Book extends db.Model('Book', {
    id: db.Column(db.Integer, { primaryKey: true }),
    authorId: db.Column(db.Integer, db.ForeignKey('author.id'), { nullable: false }),
    title: db.Column(db.String(80), { nullable: false }),
    author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
  }) {}
  return { Author, Book };
}

const NAMES = ['ann', 'bob', 'cyd', 'dee', 'eve', 'fay'];

describeEachDialect('Compiled-load cache', (t) => {
  const it = itOn(t);
  let db: Database;
  let M: ReturnType<typeof models>;

  beforeEach(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    M = models(db);
    await db.dropAll();
    await db.createAll();
    for (const [i, name] of NAMES.entries()) {
      const a = new M.Author({
        name,
        books: Array.from({ length: i + 1 }, (_, j) => new M.Book({ title: `${name} ${j}` })),
      });
      db.session.add(a);
    }
    await db.session.commit();
  });
  afterEach(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  it('get() by other keys: one SQL text, each call its own parameters and row, compiled once', async () => {
    const { Author } = M;
    const before = db.newSession().compiled.size;
    const events = await db.engine.recordQueries(async () => {
      for (const id of [3, 1, 6, 2]) {
        const s = db.newSession();
        expect((await s.get(Author, id))!.name).toBe(NAMES[id - 1]);
        await s.close();
      }
    });
    expect(new Set(events.map((e) => e.sql)).size).toBe(1);
    expect(events.map((e) => e.params)).toEqual([[3], [1], [6], [2]]);
    expect(db.newSession().compiled.size).toBe(before + 1);
  });

  it('lazy loads and selectin loads of other parents return each parent its own children', async () => {
    const { Author, Book } = M;
    const s = db.newSession();
    const authors = await s.query(Author).orderBy(Author.id).all();
    for (const a of authors) {
      const books = await a.books;
      expect(books.map((b) => b.title)).toEqual(Array.from({ length: a.id }, (_, j) => `${a.name} ${j}`));
    }
    for (const ids of [
      [1, 2],
      [3, 4],
      [5, 6],
      [2, 5, 6],
    ]) {
      const s2 = db.newSession();
      const loaded = await s2
        .query(Author)
        .filter(Author.id.in(ids))
        .orderBy(Author.id)
        .options(db.selectinload(Author.books))
        .all();
      expect(loaded.map((a) => [a.name, a.books.length])).toEqual(ids.map((id) => [NAMES[id - 1], id]));
      const books = await s2
        .query(Book)
        .filter(Book.id.in(loaded.flatMap((a) => a.books.map((b) => b.id))))
        .all();
      expect(books.every((b) => loaded.includes(b.author as never))).toBe(true);
      await s2.close();
    }
  });

  it('queries that differ in shape only never share SQL, and each returns its own rows', async () => {
    const { Author } = M;
    const s = db.newSession();
    const names = async (q: Query<InstanceType<typeof Author>>) =>
      (await q.orderBy(Author.id).all()).map((a) => a.name);
    const q = () => s.query(Author);
    // Run twice over, so the second round answers from the cache.
    for (let round = 0; round < 2; round++) {
      expect(await names(q().filter(Author.id.eq(2)))).toEqual(['bob']);
      expect(await names(q().filter(Author.id.ne(2)))).toEqual(['ann', 'cyd', 'dee', 'eve', 'fay']);
      expect(await names(q().filter(Author.id.lt(3)))).toEqual(['ann', 'bob']);
      expect(await names(q().filter(Author.id.in([1, 3])))).toEqual(['ann', 'cyd']);
      expect(await names(q().filter(Author.id.in([1, 3, 5])))).toEqual(['ann', 'cyd', 'eve']);
      expect(await names(q().filter(Author.name.like('%e%')))).toEqual(['dee', 'eve']);
      expect(await names(q().filter(text('name = ?', ['fay'])))).toEqual(['fay']);
      expect(
        await names(
          q()
            .filter(text('name <> ?', ['fay']))
            .limit(2),
        ),
      ).toEqual(['ann', 'bob']);
      expect(
        await names(
          q()
            .limit(2)
            .offset(round + 1),
        ),
      ).toEqual(NAMES.slice(round + 1, round + 3));
      expect((await q().orderBy(Author.id.desc()).limit(1).all()).map((a) => a.name)).toEqual(['fay']);
      expect((await q().orderBy(Author.id.asc()).limit(1).all()).map((a) => a.name)).toEqual(['ann']);
    }
  });

  it('one bound value used twice and two different values of the same shape both read right', async () => {
    const { Author } = M;
    const run = async (cond: ReturnType<typeof or_>) => {
      const s = db.newSession();
      const out = (await s.query(Author).filter(cond).orderBy(Author.id).all()).map((a) => a.name);
      await s.close();
      return out;
    };
    const same = Author.name.eq('ann');
    // Either order: the cache must not map the second statement's values by the first one's nodes.
    expect(await run(or_(same, same))).toEqual(['ann']);
    expect(await run(or_(Author.name.eq('bob'), Author.name.eq('eve')))).toEqual(['bob', 'eve']);
    expect(await run(or_(same, same))).toEqual(['ann']);
    expect(await run(or_(Author.name.eq('cyd'), Author.name.eq('dee')))).toEqual(['cyd', 'dee']);
  });

  it('joined eager loads of a page, filtered by other values, page the parents right', async () => {
    const { Author } = M;
    for (const [min, expected] of [
      [1, ['bob', 'cyd']],
      [3, ['dee', 'eve']],
    ] as const) {
      const s = db.newSession();
      const page = await s
        .query(Author)
        .options(db.joinedload(Author.books))
        .filter(Author.id.gt(min))
        .orderBy(Author.id)
        .limit(2)
        .all();
      expect(page.map((a) => [a.name, a.books.length])).toEqual(expected.map((n) => [n, NAMES.indexOf(n) + 1]));
      await s.close();
    }
  });
});

/**
 * Typed column selects (issue 15): select(...) with where/join/groupBy/having/orderBy/limit/offset/
 * distinct, rows as objects (by label or attribute key) and tuples, values converted through the
 * columns' types, and window functions; on every database, with the SQL and statement counts.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { ArgumentError, Database, func, select, selectColumns, type StatementEvent } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Author extends db.Model(
    'Author',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      handle: db.Column(db.String(40), { nullable: false }),
      country: db.Column(db.String(20), { nullable: false }),
      books: db.relationship<Book>('Book', { backPopulates: 'author' }),
    },
    { tableName: 'cq_author' },
  ) {}
  class Book extends db.Model(
    'Book',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      authorId: db.Column(db.Integer, db.ForeignKey('cq_author.id'), { name: 'author_id', nullable: false }),
      title: db.Column(db.String(60), { nullable: false }),
      price: db.Column(db.Numeric(8, 2), { nullable: false }),
      pages: db.Column(db.Integer, { nullable: false }),
      inPrint: db.Column(db.Boolean, { name: 'in_print', nullable: false }),
      publishedAt: db.Column(db.DateTime, { name: 'published_at', nullable: false }),
      words: db.Column(db.BigInteger, { nullable: false }),
      author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
    },
    { tableName: 'cq_book' },
  ) {}
  return { Author, Book };
}

const day = (d: number) => new Date(Date.UTC(2024, 0, d, 12, 0, 0));
const BIG = 2n ** 60n;

describeEachDialect('typed column selects', (t) => {
  const it = itOn(t);
  let db: Database;
  let m: ReturnType<typeof models>;
  const statements: string[] = [];

  beforeAll(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    m = models(db);
    await db.dropAll();
    await db.createAll();
    const { Author, Book } = m;
    const s = db.newSession();
    const ann = new Author({ id: 1, handle: 'ann', country: 'NO' });
    const bob = new Author({ id: 2, handle: 'bob', country: 'NO' });
    const cid = new Author({ id: 3, handle: 'cid', country: 'SE' });
    const eve = new Author({ id: 4, handle: 'eve', country: 'SE' }); // no books
    const book = (
      id: number,
      author: InstanceType<typeof Author>,
      price: string,
      pages: number,
      inPrint: boolean,
      d: number,
    ) => new Book({ id, author, title: `b${id}`, price, pages, inPrint, publishedAt: day(d), words: BIG + BigInt(id) });
    s.addAll([
      ann,
      bob,
      cid,
      eve,
      book(1, ann, '10.00', 100, true, 1),
      book(2, ann, '12.50', 300, false, 2),
      book(3, ann, '7.25', 200, true, 3),
      book(4, bob, '30.00', 300, true, 4),
      book(5, cid, '5.00', 50, false, 5),
      book(6, cid, '5.00', 80, true, 6),
    ]);
    await s.commit();
    db.onStatement((e: StatementEvent) => statements.push(e.sql));
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  const perAuthor = () => {
    const { Author, Book } = m;
    return select(Author.id, Author.handle, func.count(Book.id).label('n'))
      .outerJoin(Book)
      .groupBy(Author.id, Author.handle)
      .orderBy(Author.id);
  };

  it('rows as objects keyed by attribute key and label, as tuples and as scalars: one statement each', async () => {
    const s = db.newSession();
    let rows: { id: number; handle: string; n: number }[] = [];
    let tuples: [number, string, number][] = [];
    let ids: number[] = [];
    const count = await db.countQueries(async () => {
      rows = await s.execute(perAuthor());
      tuples = await s.execute(perAuthor()).tuples();
      ids = await s.execute(perAuthor()).scalars();
    });
    expect(count).toBe(3);
    expect(rows).toEqual([
      { id: 1, handle: 'ann', n: 3 },
      { id: 2, handle: 'bob', n: 1 },
      { id: 3, handle: 'cid', n: 2 },
      { id: 4, handle: 'eve', n: 0 },
    ]);
    expect(tuples).toEqual([
      [1, 'ann', 3],
      [2, 'bob', 1],
      [3, 'cid', 2],
      [4, 'eve', 0],
    ]);
    expect(ids).toEqual([1, 2, 3, 4]);
    const q = t.dialect === 'mysql' ? '`' : '"';
    expect(statements.at(-1)).toBe(
      `SELECT ${q}cq_author${q}.${q}id${q}, ${q}cq_author${q}.${q}handle${q}, count(${q}cq_book${q}.${q}id${q}) AS ${q}n${q} ` +
        `FROM ${q}cq_author${q} LEFT OUTER JOIN ${q}cq_book${q} ON ${q}cq_book${q}.${q}author_id${q} = ${q}cq_author${q}.${q}id${q} ` +
        `GROUP BY ${q}cq_author${q}.${q}id${q}, ${q}cq_author${q}.${q}handle${q} ORDER BY ${q}cq_author${q}.${q}id${q}`,
    );
  });

  it('values convert through the column types: Date, boolean, exact Numeric, bigint, counts as numbers', async () => {
    const { Book } = m;
    const rows = await db
      .newSession()
      .execute(
        select(
          Book.publishedAt,
          Book.inPrint,
          Book.price,
          Book.words,
          func.max(Book.publishedAt).over().label('latest'),
        )
          .where(Book.id.le(2))
          .orderBy(Book.id),
      );
    expect(rows).toEqual([
      { publishedAt: day(1), inPrint: true, price: '10.00', words: BIG + 1n, latest: day(2) },
      { publishedAt: day(2), inPrint: false, price: '12.50', words: BIG + 2n, latest: day(2) },
    ]);
    expect(rows[0]!.publishedAt).toBeInstanceOf(Date);
    const [sums] = await db
      .newSession()
      .execute(
        select(func.sum(Book.price).label('total'), func.count().label('books'), func.sum(Book.words).label('w')),
      );
    expect(sums).toEqual({ total: '69.75', books: 6, w: BIG * 6n + 21n });
  });

  it('where, having, limit, offset and distinct', async () => {
    const { Author, Book } = m;
    const s = db.newSession();
    const big = await s.execute(
      select(Author.handle, func.sum(Book.pages).label('pages'))
        .join(Book)
        .where(Book.inPrint.eq(true))
        .groupBy(Author.handle)
        .having(func.sum(Book.pages).gt(100))
        .orderBy(func.sum(Book.pages).desc(), Author.handle),
    );
    expect(big).toEqual([
      { handle: 'ann', pages: 300 },
      { handle: 'bob', pages: 300 },
    ]);
    expect(statements.at(-1)).toMatch(/ WHERE .* GROUP BY .* HAVING sum\(.*\) > .* ORDER BY sum\(.*\) DESC, /);
    const page = await s.execute(select(Book.id).orderBy(Book.id.desc()).limit(2).offset(1)).scalars();
    expect(page).toEqual([5, 4]);
    const countries = await s.execute(select(Author.country).distinct().orderBy(Author.country)).scalars();
    expect(countries).toEqual(['NO', 'SE']);
    expect(statements.at(-1)).toMatch(/^SELECT DISTINCT /);
  });

  it('with() and the first names (selectColumns, filter, orderByAlso, withLimit) still work', async () => {
    const { Book } = m;
    const rows = await db.newSession().execute(
      selectColumns(Book.authorId, func.count(Book.id).label('books'))
        .filter(Book.pages.gt(60))
        .with({ groupBy: [Book.authorId] })
        .orderByAlso(Book.authorId)
        .withLimit(2),
    );
    expect(rows).toEqual([
      { authorId: 1, books: 3 },
      { authorId: 2, books: 1 },
    ]);
  });

  it('refuses what it cannot do, naming the part at fault', async () => {
    const { Author, Book } = m;
    const s = db.newSession();
    expect(() => select(Author.id).join(Author)).toThrow(/needs a FROM clause to join onto/);
    const other = db.Table('cq_unrelated', db.Column('id', db.Integer, { primaryKey: true }));
    expect(() => select(Author.id).join(other)).toThrow(
      /no foreign key links 'cq_unrelated' to the FROM clause; pass the ON clause/,
    );
    expect(() => select(Author.id).limit(-1)).toThrow(ArgumentError);
    expect(() => select(Author.id).where(undefined as never)).toThrow(/select\(\)\.where\(\) needs SQL expressions/);
    await expect(s.execute(select(Author.id, Book.id).join(Book))).rejects.toThrow(
      "select(): Author.id and Book.id are both 'id' in an object row; label one (.label('other')) or read the rows with .tuples()",
    );
    expect(await s.execute(select(Author.id, Book.id).join(Book).orderBy(Book.id).limit(1)).tuples()).toEqual([[1, 1]]);
  });

  it('window functions: rowNumber, rank, denseRank over a partition, a running sum over a ROWS frame, lag', async () => {
    const { Author, Book } = m;
    const byPages = { partitionBy: Author.country, orderBy: [Book.pages.desc()] };
    const rows = await db.newSession().execute(
      select(
        Book.id,
        func
          .rowNumber()
          .over({ partitionBy: Author.country, orderBy: [Book.pages.desc(), Book.id] })
          .label('rn'),
        func.rank().over(byPages).label('rank'),
        func.denseRank().over(byPages).label('dense'),
        func
          .sum(Book.pages)
          .over({ orderBy: Book.id, rows: [null, 0] })
          .label('running'),
        func.lag(Book.title).over({ orderBy: Book.id }).label('previous'),
        func.count().over({ partitionBy: Author.country }).label('inCountry'),
      )
        .join(Author)
        .orderBy(Book.id),
    );
    expect(rows).toEqual([
      { id: 1, rn: 4, rank: 4, dense: 3, running: 100, previous: null, inCountry: 4 },
      { id: 2, rn: 1, rank: 1, dense: 1, running: 400, previous: 'b1', inCountry: 4 },
      { id: 3, rn: 3, rank: 3, dense: 2, running: 600, previous: 'b2', inCountry: 4 },
      { id: 4, rn: 2, rank: 1, dense: 1, running: 900, previous: 'b3', inCountry: 4 },
      { id: 5, rn: 2, rank: 2, dense: 2, running: 950, previous: 'b4', inCountry: 2 },
      { id: 6, rn: 1, rank: 1, dense: 1, running: 1030, previous: 'b5', inCountry: 2 },
    ]);
    const q = t.dialect === 'mysql' ? '`' : '"';
    expect(statements.at(-1)).toContain(
      `sum(${q}cq_book${q}.${q}pages${q}) OVER (ORDER BY ${q}cq_book${q}.${q}id${q} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${q}running${q}`,
    );
    expect(statements.at(-1)).toContain(
      `rank() OVER (PARTITION BY ${q}cq_author${q}.${q}country${q} ORDER BY ${q}cq_book${q}.${q}pages${q} DESC) AS ${q}rank${q}`,
    );
  });

  it('a window rank filtered in an outer select (top book per country)', async () => {
    const { Author, Book } = m;
    const ranked = select(
      Author.country,
      Book.title,
      func
        .rowNumber()
        .over({ partitionBy: Author.country, orderBy: [Book.price.desc(), Book.id] })
        .label('place'),
    )
      .join(Author)
      .subquery('ranked');
    const top = await db
      .newSession()
      .execute(select(ranked.c.country!, ranked.c.title!).where(ranked.c.place!.eq(1)).orderBy(ranked.c.country!))
      .tuples();
    expect(top).toEqual([
      ['NO', 'b4'],
      ['SE', 'b5'],
    ]);
  });

  it('window options Relata does not implement are refused', () => {
    const { Book } = m;
    expect(() => func.rank().over({ partition_by: Book.id } as never)).toThrow(/spelled 'partitionBy'/);
    expect(() => func.rank().over({ rows: [0, 1], range: [0, 1] })).toThrow(/rows or range, not both/);
    expect(() => func.rank().over({ rows: [2, -1] })).toThrow(/starts after it ends/);
    expect(() => func.rank().over({ rows: [1.5, null] as never })).toThrow(/rows/);
  });

  it('concurrent sessions: each sees its own uncommitted rows in its selects, counted from a second connection', async () => {
    const { Book } = m;
    const tasks = 20;
    const seen = await Promise.all(
      Array.from({ length: tasks }, async (_, i) => {
        const s = db.newSession();
        await s.begin();
        const id = 1000 + i;
        s.add(
          new Book({
            id,
            authorId: 4,
            title: `c${i}`,
            price: '1.00',
            pages: i,
            inPrint: true,
            publishedAt: day(9),
            words: 1n,
          }),
        );
        const [mine] = await s.execute(
          select(func.count(Book.id).label('n'), func.max(Book.id).label('top')).where(Book.authorId.eq(4)),
        );
        await s.commit();
        return mine;
      }),
    );
    // Each task's select ran after its own flush: it counts its own book, never less.
    for (const [i, row] of seen.entries()) {
      expect(row!.n).toBeGreaterThanOrEqual(1);
      expect(row!.top).toBeGreaterThanOrEqual(1000 + i);
    }
    // In-memory SQLite has one connection: the count runs on it after every task committed.
    const other = t.dialect === 'sqlite' ? db : new Database(t.url, { nPlusOne: 'off' });
    const om = other === db ? m : models(other);
    try {
      const [row] = await other
        .newSession()
        .execute(
          select(om.Author.handle, func.count(om.Book.id).label('n'))
            .join(om.Book)
            .where(om.Author.id.eq(4))
            .groupBy(om.Author.handle),
        );
      expect(row).toEqual({ handle: 'eve', n: tasks });
    } finally {
      if (other !== db) await other.close();
      const s = db.newSession();
      await s.execute(db.delete(Book).where(Book.authorId.eq(4)));
      await s.commit();
    }
  });
});

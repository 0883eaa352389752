/**
 * Issue 14, column loading and computed attributes: deferred columns are awaitable until a query's
 * options load them; column properties and hybrids are typed from their expressions and read-only
 * unless a hybrid has a setter; composites are their value class or null.
 */
import {
  Database,
  concat,
  defer,
  loadOnly,
  selectinload,
  undefer,
  type ColumnElement,
  type Deferred,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Span {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  compositeValues(): [number, number] {
    return [this.from, this.to];
  }
}

class Author extends db.Model('Author', {
  id: db.Column(db.Integer, { primaryKey: true }),
  firstName: db.Column(db.String(40), { nullable: false }),
  lastName: db.Column(db.String(40), { nullable: false }),
  bio: db.Column(db.Text, { deferred: true }),
  books: db.relationship<Book>('Book', { backPopulates: 'author' }),
  // The return types are written out: inferring them would need Author's type while it is declared.
  fullName: db.columnProperty((): ColumnElement<string> => concat(Author.firstName, ' ', Author.lastName)),
  display: db.hybrid({
    get(this: Author): string {
      return `${this.lastName}, ${this.firstName}`;
    },
    expression: (): ColumnElement<string> => concat(Author.lastName, ', ', Author.firstName),
  }),
  initials: db.hybrid({
    get(this: Author): string {
      return `${this.firstName[0]}${this.lastName[0]}`;
    },
    expression: (): ColumnElement<string> => concat(Author.firstName, Author.lastName),
    set(this: Author, value: string): void {
      this.firstName = value[0] ?? '';
    },
  }),
}) {}

class Book extends db.Model('Book', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(100), { nullable: false }),
  summary: db.Column(db.Text, { deferred: true }),
  pages: db.Column(db.Integer, { nullable: false }),
  x: db.Column(db.Integer),
  y: db.Column(db.Integer),
  at: db.composite(Point, { x: 'x', y: 'y' }),
  // SQLAlchemy's positional form: the class gives its values back in column order.
  range: db.composite(Span, 'x', 'y'),
  authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
  author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
}) {}

async function deferred(): Promise<void> {
  const book = (await Book.query.first())!;
  expectType<Equal<typeof book.summary, Deferred<string | null>>>();
  // @ts-expect-error: a deferred column may not be loaded: await it
  book.summary.length;
  const summary: string | null = await book.summary;
  void summary;
  book.summary = 'assignable without loading';
  // @ts-expect-error: still the column's type
  book.summary = 3;

  const undeferred = (await Book.query.options(undefer(Book.summary)).first())!;
  expectType<Equal<typeof undeferred.summary, string | null>>();
  expectType<Equal<typeof undeferred.title, string>>();

  const deferredPages = (await Book.query.options(defer(Book.pages)).first())!;
  expectType<Equal<typeof deferredPages.pages, Deferred<number>>>();
  // @ts-expect-error: deferred by the query
  deferredPages.pages.toFixed();

  const only = (await Book.query.options(loadOnly(Book.title)).first())!;
  expectType<Equal<typeof only.title, string>>();
  expectType<Equal<typeof only.id, number>>(); // the primary key always loads
  expectType<Equal<typeof only.pages, Deferred<number>>>();
  // @ts-expect-error: not listed, so deferred
  only.pages.toFixed();

  const authors = await Author.query.options(selectinload(Author.books).undefer(Book.summary)).all();
  expectType<Equal<(typeof authors)[number]['books'][number]['summary'], string | null>>();
  expectType<Equal<(typeof authors)[number]['bio'], Deferred<string | null>>>();

  // @ts-expect-error: loader column options take columns, not relationships
  undefer(Author.books);
}

async function computed(): Promise<void> {
  const author = (await Author.query.filter(Author.fullName.eq('Ada Lovelace')).orderBy(Author.display).first())!;
  expectType<Equal<typeof author.fullName, string>>();
  expectType<Equal<typeof author.display, string>>();
  // @ts-expect-error: a column property is read-only
  author.fullName = 'x';
  // @ts-expect-error: a hybrid without a setter is read-only
  author.display = 'x';
  author.initials = 'GH'; // a hybrid with a setter
  // @ts-expect-error: the setter's type
  author.initials = 3;
  const byInitials: ColumnElement<boolean> = Author.initials.eq('AL');
  void byInitials;
  // @ts-expect-error: compared with its type
  Author.fullName.eq(3);
  // @ts-expect-error: not given to the constructor
  new Author({ fullName: 'x' });
  new Author({ initials: 'AB' });
}

async function composites(): Promise<void> {
  const book = (await Book.query.filter(Book.at.eq(new Point(1, 2))).first())!;
  expectType<Equal<typeof book.at, Point | null>>();
  book.at = new Point(3, 4);
  book.at = null;
  // @ts-expect-error: a Point or null
  book.at = { x: 1 };
  // @ts-expect-error: compared with a Point
  Book.at.eq({ x: 1 });
  new Book({ title: 't', pages: 1, at: new Point(0, 0) });
  expectType<Equal<typeof book.range, Span | null>>();
  // @ts-expect-error: the positional form needs compositeValues() on the class
  db.composite(Point, 'x', 'y');
}

void deferred;
void computed;
void composites;

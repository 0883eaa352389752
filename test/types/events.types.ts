/**
 * Validators and events, at the type level: a validator's value type comes from the attribute
 * (a column's value, a collection's member, a many-to-one's target or null) and it must return that
 * type; listeners get the model's instance type; unknown attributes and event names, and async
 * listeners, do not compile.
 */
import { Database, type FlushEvent, type Session, type ValidationOp } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Author extends db.Model('Author', {
  id: db.Column(db.Integer, { primaryKey: true }),
  email: db.Column(db.String(120), { nullable: false }),
  nickname: db.Column(db.String(40)),
  books: db.relationship<Book>('Book', { backPopulates: 'author' }),
}) {
  label(): string {
    return this.email;
  }
}

class Book extends db.Model('Book', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(80), { nullable: false }),
  authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
  author: db.relationship<Author>('Author', { backPopulates: 'books', uselist: false }),
}) {}

// ---- validators ----
db.validates(Author, 'email', (email, author, op) => {
  expectType<Equal<typeof email, string>>();
  expectType<Equal<typeof author, Author>>(); // the subclass, with its methods
  expectType<Equal<typeof op, ValidationOp>>();
  return email.toLowerCase() + author.label().slice(0, 0);
});
db.validates(Author, 'nickname', (nickname) => {
  expectType<Equal<typeof nickname, string | null>>();
  return nickname?.trim() ?? null;
});
db.validates(
  Author,
  'books',
  (book) => {
    expectType<Equal<typeof book, Book>>(); // a member of the collection, not the list
    return book;
  },
  { includeRemoves: true },
);
db.validates(Book, 'author', (author) => {
  expectType<Equal<typeof author, Author | null>>();
  return author;
});

// @ts-expect-error: Author has no attribute 'emial'
db.validates(Author, 'emial', (v: string) => v);
// @ts-expect-error: a validator of a string column returns a string
db.validates(Author, 'email', (email) => email.length);
// @ts-expect-error: a non-null column's validator cannot return null
db.validates(Author, 'email', () => null);
// @ts-expect-error: validators are synchronous: a Promise is not the value
db.validates(Author, 'email', async (email) => email);
// @ts-expect-error: a collection's validator returns a member, not a list
db.validates(Author, 'books', (book) => [book]);
// @ts-expect-error: an unknown option
db.validates(Author, 'books', (book) => book, { includeRemove: true });

// ---- mapper events ----
const offInsert: () => void = db.on(Author, 'beforeInsert', (author, { session }) => {
  expectType<Equal<typeof author, Author>>();
  expectType<Equal<typeof session, Session>>();
  author.email = author.email.trim();
});
offInsert();
db.on(Book, 'loaded', (book) => void book.title.toUpperCase());
db.on(Book, 'afterDelete', (book) => book.id); // a listener may return a value (ignored)
// @ts-expect-error: an unknown mapper event
db.on(Author, 'beforeSave', () => undefined);
// @ts-expect-error: listeners are synchronous
db.on(Author, 'beforeUpdate', async (author) => void (author.email = 'x'));
// @ts-expect-error: the listener gets a Book, which has no email
db.on(Book, 'beforeInsert', (book) => book.email);

// ---- session events ----
db.on('beforeFlush', (event) => {
  expectType<Equal<typeof event, FlushEvent>>();
  for (const obj of event.new) if (obj instanceof Author) obj.email = obj.email.toLowerCase();
});
const session = db.newSession();
const offCommit: () => void = session.on('afterCommit', ({ session: s }) => void s.size);
offCommit();
// @ts-expect-error: an unknown session event
db.on('beforeCommit', () => undefined);
// @ts-expect-error: a transaction event has no flush lists
session.on('afterRollback', (event) => event.new);
// @ts-expect-error: listeners are synchronous
session.on('afterCommit', async () => undefined);

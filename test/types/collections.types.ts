/**
 * Type-level behaviour of collection classes: `collection: 'set'` types the attribute `Set<Target>`,
 * `collection: keyedBy('attr')` a `Map<Target['attr'], Target>` and `keyedBy(fn)` a `Map` keyed by
 * the function's result; loader options, serialize() and validators see the same shapes. Two models
 * refer to each other through keyed collections, which must not be a type cycle.
 */
import {
  Database,
  keyedBy,
  selectinload,
  serialize,
  type Related,
  type Serialized,
  type ValidatedValue,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Author extends db.Model('Author', {
  id: db.Column(db.Integer, { primaryKey: true }),
  tags: db.relationship<Tag>('Tag', { secondary: 'author_tags', collection: 'set', backPopulates: 'authors' }),
  notes: db.relationship<Note, 'lang'>('Note', { collection: keyedBy('lang'), backPopulates: 'author' }),
  byNumber: db.relationship<Note, number>('Note', { collection: keyedBy((note) => note.id), viewonly: true }),
  list: db.relationship<Note>('Note', { viewonly: true }),
}) {}

class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(40), { nullable: false }),
  authors: db.relationship<Author>('Author', { secondary: 'author_tags', collection: 'set', backPopulates: 'tags' }),
}) {}

class Note extends db.Model('Note', {
  id: db.Column(db.Integer, { primaryKey: true }),
  authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
  lang: db.Column(db.String(8), { nullable: false }),
  author: db.relationship<Author>('Author', { backPopulates: 'notes', uselist: false }),
  // A keyed many-to-many.
  siblings: db.relationship<Tag, 'name'>('Tag', { secondary: 'note_tags', collection: keyedBy('name') }),
}) {}

export async function collections(author: Author, tag: Tag, note: Note): Promise<void> {
  expectType<Equal<Author['tags'], Related<Set<Tag>>>>();
  expectType<Equal<Author['notes'], Related<Map<string, Note>>>>();
  expectType<Equal<Author['byNumber'], Related<Map<number, Note>>>>();
  expectType<Equal<Author['list'], Related<Note[]>>>();
  expectType<Equal<Tag['authors'], Related<Set<Author>>>>();

  const tags = await author.tags;
  expectType<Equal<typeof tags, Set<Tag>>>();
  tags.add(tag);
  tags.delete(tag);
  for (const t of tags) console.log(t.name);
  // @ts-expect-error a Set has no push
  tags.push(tag);
  // @ts-expect-error it holds Tag objects
  tags.add(note);
  // @ts-expect-error an unloaded collection must be awaited first
  author.tags.add(tag);

  const notes = await author.notes;
  const en: Note | undefined = notes.get('en');
  notes.set('en', note);
  notes.delete('fr');
  // @ts-expect-error the key is Note.lang, a string
  notes.get(1);
  // @ts-expect-error the key is Note.lang, a string
  notes.set(1, note);
  // @ts-expect-error it holds Note objects
  notes.set('en', tag);
  const byNumber = await author.byNumber;
  // @ts-expect-error the key function returns a number
  byNumber.get('1');

  // Assignment takes the collection class; the constructor too.
  author.tags = new Set([tag]);
  author.notes = new Map([['en', note]]);
  const fresh = new Author({ tags: new Set([tag]), notes: new Map([['en', note]]) });
  // @ts-expect-error a Set collection is assigned a Set
  author.tags = [tag];

  // Loader options: the loaded shapes.
  const loaded = await Author.query.options(selectinload(Author.tags), selectinload(Author.notes)).first();
  expectType<Equal<NonNullable<typeof loaded>['tags'], Set<Tag>>>();
  expectType<Equal<NonNullable<typeof loaded>['notes'], Map<string, Note>>>();
  const nested = await Author.query.options(selectinload(Author.tags).selectinload(Tag.authors)).first();
  const inner: Set<Author> | undefined = nested ? [...nested.tags][0]?.authors : undefined;

  // serialize(): a Set is an array, a Map an object by key (as a string).
  const json = serialize(loaded!);
  expectType<Equal<(typeof json)['tags'][number]['name'], string>>();
  const enJson: { lang: string } | undefined = json.notes['en'];
  const tagsJson: Serialized<Set<Tag>> = serialize(tags);
  expectType<Equal<(typeof tagsJson)[number]['name'], string>>();

  // A validator of a Set or keyed collection gets one member.
  expectType<Equal<ValidatedValue<typeof Author, 'tags'>, Tag>>();
  expectType<Equal<ValidatedValue<typeof Author, 'notes'>, Note>>();
  db.validates(Author, 'notes', (n) => n);

  // @ts-expect-error a keyed collection by attribute name gives the key's type argument: <Note, 'lang'>
  db.relationship<Note>('Note', { collection: keyedBy('lang') });
  // @ts-expect-error the type argument and keyedBy() name the same attribute
  db.relationship<Note, 'lang'>('Note', { collection: keyedBy('id') });
  console.log(en, fresh, inner, enJson, note.siblings);
}

/**
 * Collection classes (`collection: 'set'`, `collection: keyedBy(...)`): the attribute is a Set or a
 * Map over the relationship's members, loaded by every strategy, and its changes (add/delete/clear,
 * set/delete, assignment) flush, sync backrefs and cascade as an array collection's do. Each test
 * asserts the rows (read back from a second Database) and the statements run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  DuplicateKeyError,
  InstrumentedMap,
  InstrumentedSet,
  MappingError,
  NotLoadedError,
  joinedload,
  keyedBy,
  noload,
  raiseload,
  selectinload,
  serialize,
  type RelationshipAttribute,
} from '../../src/index.js';
import { insert } from '../../src/orm/query/statements.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  const memberTags = db.Table(
    'cl_member_tags',
    db.Column('member_id', db.Integer, db.ForeignKey('cl_member.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('cl_tag.id', { ondelete: 'CASCADE' }), { primaryKey: true }),
  );
  class Member extends db.Model(
    'Member',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      tags: db.relationship<Tag>('Tag', { secondary: memberTags, collection: 'set', backPopulates: 'members' }),
      notes: db.relationship<Note, 'lang'>('Note', {
        collection: keyedBy('lang'),
        backPopulates: 'member',
        cascade: 'all, delete-orphan',
      }),
      items: db.relationship<Item>('Item', { collection: 'set', cascade: 'all, delete-orphan', orderBy: 'id' }),
      pages: db.relationship<Page, string>('Page', { collection: keyedBy((page) => page.slug.toUpperCase()) }),
    },
    { tableName: 'cl_member' },
  ) {}
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      members: db.relationship<Member>('Member', { secondary: memberTags, collection: 'set', backPopulates: 'tags' }),
    },
    { tableName: 'cl_tag' },
  ) {}
  class Note extends db.Model(
    'Note',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      memberId: db.Column(db.Integer, db.ForeignKey('cl_member.id')),
      lang: db.Column(db.String(8), { nullable: false }),
      text: db.Column(db.String(80), { nullable: false }),
      member: db.relationship<Member>('Member', { backPopulates: 'notes', uselist: false }),
    },
    { tableName: 'cl_note' },
  ) {}
  class Item extends db.Model(
    'Item',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      memberId: db.Column(db.Integer, db.ForeignKey('cl_member.id')),
      label: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'cl_item' },
  ) {}
  class Page extends db.Model(
    'Page',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      memberId: db.Column(db.Integer, db.ForeignKey('cl_member.id')),
      slug: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'cl_page' },
  ) {}
  return { Member, Tag, Note, Item, Page, memberTags };
}

type Models = ReturnType<typeof models>;

/** Statements sent while `fn` runs, without transaction control. */
async function statementsOf(db: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const off = db.onStatement((e) => {
    if (!/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i.test(e.sql)) seen.push(e.sql);
  });
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}

const names = (xs: Iterable<{ name: string }>) => [...xs].map((x) => x.name).sort();

describeEachDialect('collection classes', (t) => {
  const it = itOn(t);
  const open: Database[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'relata-collections-'));
  let files = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const nextUrl = () => (t.dialect === 'sqlite' ? `sqlite:///${join(dir, `t${++files}.db`)}` : t.url);
  afterEach(async () => {
    for (const db of open.splice(0)) {
      await db.dropAll();
      await db.close();
    }
  });

  /** Two members (ada with tags a, b and notes en, fr; bob with tag b), and a second Database to check rows. */
  async function setup(): Promise<{ db: Database; m: Models; check: Database; cm: Models; ids: number[] }> {
    const url = nextUrl();
    const db = new Database(url);
    open.push(db);
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    const s = db.newSession();
    const a = new m.Tag({ name: 'a' });
    const b = new m.Tag({ name: 'b' });
    const ada = new m.Member({
      name: 'ada',
      tags: new Set([a, b]),
      notes: new Map([['en', new m.Note({ lang: 'en', text: 'hello' })]]),
      items: new Set([new m.Item({ label: 'one' })]),
    });
    const bob = new m.Member({ name: 'bob', tags: new Set([b]) });
    // A new object's collections are there at once (empty, or as constructed).
    (ada.notes as Map<string, InstanceType<Models['Note']>>).set('fr', new m.Note({ lang: 'fr', text: 'bonjour' }));
    (ada.items as Set<InstanceType<Models['Item']>>).add(new m.Item({ label: 'two' }));
    s.addAll([ada, bob]);
    await s.commit();
    const check = new Database(url);
    open.push(check);
    return { db, m, check, cm: models(check), ids: [ada.id, bob.id] };
  }

  async function tagRows(check: Database, cm: Models, memberId: number): Promise<string[]> {
    const member = await check
      .newSession()
      .query(cm.Member)
      .options(selectinload(cm.Member.tags))
      .filterBy({ id: memberId })
      .one();
    return names(member.tags);
  }

  it('a new object has an empty Set and Map; the first flush writes their members', async () => {
    const { check, cm, ids } = await setup();
    expect(await tagRows(check, cm, ids[0]!)).toEqual(['a', 'b']);
    const notes = await check.newSession().query(cm.Note).orderBy(cm.Note.lang).all();
    expect(notes.map((n) => [n.lang, n.text, n.memberId])).toEqual([
      ['en', 'hello', ids[0]],
      ['fr', 'bonjour', ids[0]],
    ]);
  });

  it('every loading strategy fills a Set / Map: lazy, selectin, joined, noload; raise refuses', async () => {
    const { db, m, ids } = await setup();
    let s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    let tags: Set<InstanceType<Models['Tag']>> = new Set();
    const lazy = await statementsOf(db, async () => {
      tags = await ada.tags;
    });
    expect(lazy).toHaveLength(1);
    expect(tags).toBeInstanceOf(InstrumentedSet);
    expect(tags).toBeInstanceOf(Set);
    expect(names(tags)).toEqual(['a', 'b']);
    expect(ada.tags).toBe(tags); // the same view each read
    const notes = await ada.notes;
    expect(notes).toBeInstanceOf(InstrumentedMap);
    expect([...notes.keys()].sort()).toEqual(['en', 'fr']);
    expect(notes.get('fr')?.text).toBe('bonjour');

    s = db.newSession();
    let members: { tags: Set<InstanceType<Models['Tag']>>; notes: Map<string, InstanceType<Models['Note']>> }[] = [];
    const selectin = await statementsOf(db, async () => {
      members = await s
        .query(m.Member)
        .options(selectinload(m.Member.tags), selectinload(m.Member.notes))
        .orderBy(m.Member.id)
        .all();
    });
    expect(selectin).toHaveLength(3);
    expect(members.map((u) => names(u.tags))).toEqual([['a', 'b'], ['b']]);
    expect(members.map((u) => [...u.notes.keys()].sort())).toEqual([['en', 'fr'], []]);

    s = db.newSession();
    const joined = await statementsOf(db, async () => {
      members = await s
        .query(m.Member)
        .options(joinedload(m.Member.tags), joinedload(m.Member.notes))
        .orderBy(m.Member.id)
        .all();
    });
    expect(joined).toHaveLength(1);
    expect(members.map((u) => u.tags.size)).toEqual([2, 1]);
    expect(members[0]!.notes.get('en')!.text).toBe('hello');

    s = db.newSession();
    const none = await s.query(m.Member).options(noload(m.Member.tags)).filterBy({ id: ids[0] }).one();
    expect(none.tags).toBeInstanceOf(InstrumentedSet);
    expect(none.tags.size).toBe(0);

    s = db.newSession();
    const raising = await s.query(m.Member).options(raiseload(m.Member.notes)).filterBy({ id: ids[0] }).one();
    await expect(Promise.resolve().then(() => raising.notes)).rejects.toThrow(/Member\.notes/);
  });

  it('Set add/delete/clear flush association rows, once each; the other side follows in memory', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const bob = (await s.get(m.Member, ids[1]!))!;
    const tags = await bob.tags;
    const [b] = [...tags];
    const a = await s.query(m.Tag).filterBy({ name: 'a' }).one();
    const aMembers = await a.members;
    const c = new m.Tag({ name: 'c' });
    tags.add(a).add(a).add(c); // a second add of a is nothing
    expect(tags.size).toBe(3);
    expect(aMembers.has(bob)).toBe(true); // backref
    const sql = await statementsOf(db, () => s.commit());
    expect(sql.filter((q) => /^INSERT INTO [`"]cl_tag[`"]/.test(q))).toHaveLength(1);
    const assoc = sql.filter((q) => /^INSERT INTO [`"]cl_member_tags[`"]/.test(q));
    expect(assoc.length).toBeGreaterThanOrEqual(1);
    expect(await tagRows(check, cm, ids[1]!)).toEqual(['a', 'b', 'c']);

    expect(tags.delete(b!)).toBe(true);
    expect(tags.delete(b!)).toBe(false);
    const sql2 = await statementsOf(db, () => s.commit());
    expect(sql2).toHaveLength(1);
    expect(sql2[0]).toMatch(/^DELETE FROM [`"]cl_member_tags[`"]/);
    expect(await tagRows(check, cm, ids[1]!)).toEqual(['a', 'c']);

    (await bob.tags).clear();
    expect(aMembers.has(bob)).toBe(false);
    await s.commit();
    expect(await tagRows(check, cm, ids[1]!)).toEqual([]);
  });

  it('assigning a new Set writes only the difference; an array is refused for nothing, a Map for a Set', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    const [a, b] = await s.query(m.Tag).orderBy(m.Tag.name).all();
    await ada.tags;
    ada.tags = new Set([b!, new m.Tag({ name: 'd' })]);
    expect(ada.tags).toBeInstanceOf(InstrumentedSet);
    const sql = await statementsOf(db, () => s.commit());
    expect(sql.filter((q) => /^DELETE FROM [`"]cl_member_tags[`"]/.test(q))).toHaveLength(1);
    expect(sql.filter((q) => /^INSERT INTO [`"]cl_member_tags[`"]/.test(q))).toHaveLength(1);
    expect(await tagRows(check, cm, ids[0]!)).toEqual(['b', 'd']);
    expect(names(await a!.members)).toEqual([]);
    expect(() => Reflect.set(ada, 'tags', new Map())).toThrow(/Member\.tags is a Set collection: assign a Set/);
  });

  it('delete-orphan: an object deleted from a Set is a DELETE of its row', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    const items = await ada.items;
    const one = [...items].find((i) => i.label === 'one')!;
    items.delete(one);
    const sql = await statementsOf(db, () => s.commit());
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^DELETE FROM [`"]cl_item[`"]/);
    expect((await check.newSession().query(cm.Item).all()).map((i) => i.label)).toEqual(['two']);
  });

  it('a keyed Map: set adds, set under a taken key replaces (the old one an orphan), delete removes', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    const notes = await ada.notes;
    const oldEn = notes.get('en')!;
    const de = new m.Note({ lang: 'de', text: 'hallo' });
    notes.set('de', de);
    expect(de.member).toBe(ada); // backref
    const sql = await statementsOf(db, () => s.commit());
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^INSERT INTO [`"]cl_note[`"]/);

    notes.set('en', new m.Note({ lang: 'en', text: 'hi' }));
    expect(notes.size).toBe(3);
    expect(notes.get('en')!.text).toBe('hi');
    expect(oldEn.member).toBeNull();
    const sql2 = await statementsOf(db, () => s.commit());
    expect(sql2.map((q) => q.slice(0, 6)).sort()).toEqual(['DELETE', 'INSERT']);
    expect(notes.delete('fr')).toBe(true);
    expect(notes.delete('fr')).toBe(false);
    await s.commit();
    const rows = await check.newSession().query(cm.Note).orderBy(cm.Note.lang).all();
    expect(rows.map((n) => [n.lang, n.text])).toEqual([
      ['de', 'hallo'],
      ['en', 'hi'],
    ]);
    expect(() => notes.set('it', new m.Note({ lang: 'es', text: 'hola' }))).toThrow(ArgumentError);
    expect(() => notes.set('it', new m.Note({ lang: 'es', text: 'hola' }))).toThrow(
      /Member\.notes is keyed by Note\.lang: set\('it', member\) got a Note whose key is 'es'/,
    );
    expect(notes.has('it')).toBe(false);
    // A key changed in place is the member's key from then on (the Map reads keys from its members).
    const de2 = notes.get('de')!;
    de2.lang = 'nl';
    expect([notes.get('nl'), notes.get('de')]).toEqual([de2, undefined]);
    // The delete cascade takes the Map's members with their owner.
    await s.commit();
    s.delete(ada);
    await s.commit();
    expect(await check.newSession().query(cm.Note).filterBy({ memberId: ids[0] }).count()).toBe(0);
  });

  it('a backref adds to the Map under the member key; assigning a Map checks each key', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const [ada, bob] = [(await s.get(m.Member, ids[0]!))!, (await s.get(m.Member, ids[1]!))!];
    const notes = await ada.notes;
    const fr = notes.get('fr')!;
    fr.member = bob; // moves: off ada's Map, onto bob's (bob's not loaded: queued)
    expect(notes.has('fr')).toBe(false);
    await s.commit();
    expect([...(await bob.notes).keys()]).toEqual(['fr']);
    expect(() => Reflect.set(bob, 'notes', new Map([['xx', fr]]))).toThrow(/holds under 'xx' a Note whose key is 'fr'/);
    bob.notes = new Map([['pt', new m.Note({ lang: 'pt', text: 'olá' })]]); // fr is an orphan now
    await s.commit();
    const rows = await check.newSession().query(cm.Note).filterBy({ memberId: ids[1] }).all();
    expect(rows.map((n) => n.lang)).toEqual(['pt']);
    expect(await check.newSession().query(cm.Note).filterBy({ lang: 'fr' }).count()).toBe(0);
  });

  it('two rows under one key are a DuplicateKeyError naming the relationship, not a dropped row', async () => {
    const { db, m, ids } = await setup();
    await db.session.execute(insert(m.Note).values([{ memberId: ids[0]!, lang: 'en', text: 'again' }]));
    await db.session.commit();
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    await expect(Promise.resolve().then(() => ada.notes)).rejects.toThrow(DuplicateKeyError);
    await expect(
      s.query(m.Member).options(selectinload(m.Member.notes)).filterBy({ id: ids[0] }).one(),
    ).rejects.toThrow(/Member\.notes is keyed by Note\.lang and holds two Note objects under 'en'/);
    // A key changed in place to one already taken: iterating the Map, or looking up a key it lost, says so.
    const s2 = db.newSession();
    const bob = (await s2.get(m.Member, ids[1]!))!;
    const x = new m.Note({ lang: 'x', text: '1' });
    const bobNotes = await bob.notes;
    bobNotes.set('x', x);
    bobNotes.set('y', new m.Note({ lang: 'y', text: '2' }));
    x.lang = 'y';
    expect(() => bobNotes.get('x')).toThrow(DuplicateKeyError);
    expect(() => bobNotes.size).toThrow(/Member\.notes is keyed by Note\.lang and holds two Note objects under 'y'/);
  });

  it('a key function keys the Map (keyfunc_mapping)', async () => {
    const { db, m, ids } = await setup();
    const s = db.newSession();
    const bob = (await s.get(m.Member, ids[1]!))!;
    const pages = await bob.pages;
    pages.set('HOME', new m.Page({ slug: 'home' }));
    expect(() => pages.set('home', new m.Page({ slug: 'home' }))).toThrow(/keyed by a key function/);
    await s.commit();
    const again = await db
      .newSession()
      .query(m.Member)
      .options(selectinload(m.Member.pages))
      .filterBy({ id: ids[1] })
      .one();
    expect([...again.pages.keys()]).toEqual(['HOME']);
  });

  it('validators see Set adds and deletes as append and remove', async () => {
    const { db, m, ids } = await setup();
    const seen: string[] = [];
    db.validates(
      m.Member,
      'tags',
      (tag, _member, op) => {
        seen.push(`${op} ${tag.name}`);
        if (tag.name === 'bad') throw new Error('no bad tags');
        return tag;
      },
      { includeRemoves: true },
    );
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    const tags = await ada.tags;
    tags.add(new m.Tag({ name: 'z' }));
    expect(() => tags.add(new m.Tag({ name: 'bad' }))).toThrow(/no bad tags/);
    tags.delete([...tags].find((x) => x.name === 'a')!);
    expect(seen).toEqual(['append z', 'append bad', 'remove a']);
    expect(names(tags)).toEqual(['b', 'z']);
  });

  it('a validator that returns a member already there (a unique object) adds nothing', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s = db.newSession();
    const ada = (await s.get(m.Member, ids[0]!))!;
    const tags = await ada.tags;
    db.validates(m.Member, 'tags', (tag) => [...tags].find((t) => t.name === tag.name) ?? tag);
    tags.add(new m.Tag({ name: 'a' })); // validated into ada's own tag a
    expect(tags.size).toBe(2);
    const sql = await statementsOf(db, () => s.commit());
    expect(sql).toEqual([]);
    expect(await tagRows(check, cm, ids[0]!)).toEqual(['a', 'b']);
  });

  it('serialize and JSON: a Set is an array, a Map an object by key', async () => {
    const { db, m, ids } = await setup();
    const s = db.newSession();
    const ada = await s
      .query(m.Member)
      .options(selectinload(m.Member.tags), selectinload(m.Member.notes))
      .filterBy({ id: ids[0] })
      .one();
    const json = serialize(ada);
    expect(json.tags.map((x) => x.name).sort()).toEqual(['a', 'b']);
    expect(json.notes['en']?.text).toBe('hello');
    expect(Object.keys(json.notes).sort()).toEqual(['en', 'fr']);
    const parsed = JSON.parse(JSON.stringify(ada)) as { notes: Record<string, { lang: string }>; tags: unknown[] };
    expect(parsed.notes['fr']!.lang).toBe('fr');
    expect(parsed.tags).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(ada.notes))).toEqual(JSON.parse(JSON.stringify(json.notes)));
    const tagsJson = serialize(ada.tags);
    expect(tagsJson.map((x) => x.name).sort()).toEqual(['a', 'b']);
    expect(tagsJson[0]).not.toHaveProperty('members'); // the reverse side is not followed
  });

  it('merge() and expire(): a merged Set replaces the held one; an expired one loads again as a Set', async () => {
    const { db, m, check, cm, ids } = await setup();
    const s0 = db.newSession();
    const detached = (await s0.get(m.Member, ids[1]!))!;
    const detachedTags = await detached.tags;
    await s0.close();
    const s = db.newSession();
    const a = await s.query(m.Tag).filterBy({ name: 'a' }).one();
    detachedTags.add(new m.Tag({ name: 'm' }));
    const merged = await s.merge(detached);
    expect(merged.tags).toBeInstanceOf(InstrumentedSet);
    expect(names(merged.tags as Set<InstanceType<Models['Tag']>>)).toEqual(['b', 'm']);
    await s.commit();
    expect(await tagRows(check, cm, ids[1]!)).toEqual(['b', 'm']);
    s.expire(merged);
    expect(() => (merged.tags as Set<unknown>).size).toThrow(NotLoadedError);
    expect(names(await merged.tags)).toEqual(['b', 'm']);
    expect(names(await a.members)).toEqual(['ada']);
  });

  it('many sessions add to their own member Set at once; a second connection counts every row', async () => {
    const { db, m, check, cm } = await setup();
    const n = 12;
    const s0 = db.newSession();
    const made = Array.from({ length: n }, (_, i) => new m.Member({ name: `c${i}` }));
    s0.addAll(made);
    await s0.commit();
    const ids = made.map((x) => x.id);
    await Promise.all(
      ids.map(async (id, i) => {
        const s = db.newSession();
        const member = (await s.get(m.Member, id))!;
        const tags = await member.tags;
        for (let k = 0; k < 3; k++) tags.add(new m.Tag({ name: `t${i}-${k}` }));
        tags.add([...tags][0]!); // already there: nothing
        const notes = await member.notes;
        notes.set('en', new m.Note({ lang: 'en', text: `n${i}` }));
        await s.commit();
      }),
    );
    const cs = check.newSession();
    const rows = await cs
      .query(cm.Member)
      .options(selectinload(cm.Member.tags), selectinload(cm.Member.notes))
      .filter(cm.Member.id.in(ids))
      .orderBy(cm.Member.id)
      .all();
    expect(rows.map((r) => r.tags.size)).toEqual(Array(n).fill(3));
    expect(rows.map((r) => r.notes.get('en')?.text)).toEqual(ids.map((_, i) => `n${i}`));
    expect(await cs.query(cm.Tag).count()).toBe(2 + 3 * n);
  });

  it('a backref can be a Set; a viewonly Set refuses changes; console.log names the collection class', async () => {
    const db = new Database(nextUrl());
    open.push(db);
    class Shelf extends db.Model('Shelf', {
      id: db.Column(db.Integer, { primaryKey: true }),
      books: db.relationship<Book>('Book', {
        backref: { name: 'shelves', collection: 'set' },
        secondary: 'shelf_books',
      }),
      seen: db.relationship<Book>('Book', { secondary: 'shelf_books', collection: 'set', viewonly: true }),
    }) {}
    class Book extends db.Model('Book', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    db.Table(
      'shelf_books',
      db.Column('shelf_id', db.Integer, db.ForeignKey('shelf.id'), { primaryKey: true }),
      db.Column('book_id', db.Integer, db.ForeignKey('book.id'), { primaryKey: true }),
    );
    await db.dropAll();
    await db.createAll();
    const book = new Book();
    const shelf = new Shelf({ books: [book] });
    const shelves = Reflect.get(book, 'shelves') as Set<Shelf>;
    expect(shelves).toBeInstanceOf(InstrumentedSet);
    expect(shelves.has(shelf)).toBe(true);
    expect(() => (shelf.seen as Set<Book>).add(book)).toThrow(
      /Shelf\.seen cannot be changed \(add\): it is declared viewonly/,
    );
    expect(inspect(shelf)).toMatch(/books: \[1 Book\], seen: Set \[\]/);
    expect(inspect(book)).toMatch(/shelves: Set \[1 Shelf\]/);
    expect(inspect(shelves)).toMatch(/^Book\.shelves Set \(1\) \[/);
    db.session.add(shelf);
    await db.session.commit();
    const back = Reflect.get(Book, 'shelves') as RelationshipAttribute;
    const [loaded] = await db.newSession().query(Book).options(selectinload(back)).all();
    expect((Reflect.get(loaded!, 'shelves') as Set<Shelf>).size).toBe(1);
  });

  it("an inherited Set or Map collection is the subclass's too; a polymorphic query fills it", async () => {
    const db = new Database(nextUrl());
    open.push(db);
    class Person extends db.Model(
      'Person',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        type: db.Column(db.String(20), { nullable: false }),
        pets: db.relationship<Pet>('Pet', { collection: 'set', orderBy: 'id' }),
        names: db.relationship<Pet, 'name'>('Pet', { collection: keyedBy('name'), viewonly: true }),
      },
      { polymorphicOn: 'type', polymorphicIdentity: 'person', tableName: 'cl_person' },
    ) {}
    class Owner extends db.Model(
      'Owner',
      {
        id: db.Column(db.Integer, db.ForeignKey('cl_person.id'), { primaryKey: true }),
        since: db.Column(db.Integer),
      },
      { inherits: Person, polymorphicIdentity: 'owner', tableName: 'cl_owner' },
    ) {}
    class Pet extends db.Model(
      'Pet',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        personId: db.Column(db.Integer, db.ForeignKey('cl_person.id')),
        name: db.Column(db.String(20), { nullable: false }),
      },
      { tableName: 'cl_pet' },
    ) {}
    await db.dropAll();
    await db.createAll();
    const owner = new Owner({ since: 2020 });
    (owner.pets as Set<Pet>).add(new Pet({ name: 'rex' })).add(new Pet({ name: 'tom' }));
    db.session.add(owner);
    await db.session.commit();
    const s = db.newSession();
    const [found] = await s.query(Person).options(selectinload(Person.pets), selectinload(Person.names)).all();
    expect(found).toBeInstanceOf(Owner);
    expect(found!.pets).toBeInstanceOf(InstrumentedSet);
    expect([...found!.pets].map((p) => p.name)).toEqual(['rex', 'tom']);
    expect(found!.names.get('tom')?.name).toBe('tom');
  });

  it('configuration errors name the relationship', () => {
    const fresh = () => {
      const db = new Database('sqlite:///:memory:');
      open.push(db);
      return db;
    };
    const thing = (db: Database, extra = {}) =>
      db.Model('Thing', {
        id: db.Column(db.Integer, { primaryKey: true }),
        boxId: db.Column(db.Integer, db.ForeignKey('box.id')),
        word: db.Column(db.String(10)),
        ...extra,
      });
    let db = fresh();
    db.Model('Box', {
      id: db.Column(db.Integer, { primaryKey: true }),
      things: db.relationship<unknown>('Thing', { lazy: 'writeOnly', collection: 'set' } as never),
    });
    thing(db);
    expect(() => db.configuredMetadata()).toThrow(
      /relationship Box\.things: lazy: 'writeOnly' is never loaded into memory, so it has no collection: 'set'/,
    );

    db = fresh();
    expect(() =>
      db.Model('Box', {
        id: db.Column(db.Integer, { primaryKey: true }),
        things: db.relationship<unknown>('Thing', { collection: 'bag' } as never),
      }),
    ).toThrow(/Box\.things.*collection.*must be 'list', 'set' or keyedBy\('attribute'\), got 'bag'/);
    expect(() =>
      db.Model('Box2', {
        id: db.Column(db.Integer, { primaryKey: true }),
        things: db.relationship<unknown>('Thing', { collection_class: 'set' } as never),
      }),
    ).toThrow(/collection_class.*spell it collection: 'set'/);

    db = fresh();
    db.Model('Box', {
      id: db.Column(db.Integer, { primaryKey: true }),
      things: db.relationship<unknown, 'nope'>('Thing', { collection: keyedBy('nope') }),
    });
    thing(db);
    expect(() => db.configuredMetadata()).toThrow(
      /relationship Box\.things: keyedBy\('nope'\) names no column of Thing/,
    );

    db = fresh();
    db.Model('Box', {
      id: db.Column(db.Integer, { primaryKey: true }),
      things: db.relationship<unknown>('Thing', { collection: 'set' }),
    });
    thing(db, { box: db.relationship<unknown>('Box', { uselist: false, collection: 'set' } as never) });
    expect(() => db.configuredMetadata()).toThrow(/relationship Thing\.box: collection: 'set' is for collections/);

    db = fresh();
    class Box extends db.Model('Box', {
      id: db.Column(db.Integer, { primaryKey: true }),
      things: db.relationship<{ word: string | null }>('Thing', { collection: 'set' }),
      words: db.associationProxy<{ word: string | null }, 'word'>('things', 'word'),
    }) {}
    thing(db);
    expect(() => new Box().words).toThrow(
      /association proxy Box\.words: Box\.things is a Set collection; proxies go through array collections only/,
    );
    expect(MappingError).toBeDefined();
  });
});

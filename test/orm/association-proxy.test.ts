/**
 * Association proxies (SQLAlchemy's associationproxy): `user.keywords` through the association objects
 * `user.userKeywords` (each one's `keyword`), and `user.tagNames` through a many-to-many (each tag's
 * `name` column). Reads without SQL once loaded, awaitable until then; writes create and remove
 * association objects, flushed by the cascade; `any()` / `contains()` filter with EXISTS.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import {
  ArgumentError,
  AssociationList,
  Database,
  MappingError,
  NotLoadedError,
  selectinload,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  const userTags = db.Table(
    'ap_user_tags',
    db.Column('user_id', db.Integer, db.ForeignKey('ap_user.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('ap_tag.id'), { primaryKey: true }),
  );
  class Keyword extends db.Model(
    'Keyword',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      word: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'ap_keyword' },
  ) {}
  class User extends db.Model(
    'User',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
      userKeywords: db.relationship<UserKeyword>('UserKeyword', {
        backPopulates: 'user',
        cascade: 'all, delete-orphan',
        orderBy: 'keywordId',
      }),
      keywords: db.associationProxy<UserKeyword, 'keyword'>('userKeywords', 'keyword', {
        creator: (keyword: Keyword): UserKeyword => new UserKeyword({ keyword, note: 'via proxy' }),
      }),
      tags: db.relationship(() => Tag, { secondary: userTags, orderBy: 'name' }),
      tagNames: db.associationProxy<Tag, 'name'>('tags', 'name'),
    },
    { tableName: 'ap_user' },
  ) {}
  class UserKeyword extends db.Model(
    'UserKeyword',
    {
      userId: db.Column(db.Integer, db.ForeignKey('ap_user.id'), { primaryKey: true }),
      keywordId: db.Column(db.Integer, db.ForeignKey('ap_keyword.id'), { primaryKey: true }),
      note: db.Column(db.String(40)),
      user: db.relationship<User>('User', { backPopulates: 'userKeywords', uselist: false }),
      keyword: db.relationship<Keyword>('Keyword', { uselist: false }),
    },
    { tableName: 'ap_user_keyword' },
  ) {}
  class Tag extends db.Model(
    'Tag',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'ap_tag' },
  ) {}
  return { User, UserKeyword, Keyword, Tag };
}

describeEachDialect('association proxies', (t) => {
  const it = itOn(t);
  let db: Database;
  let m: ReturnType<typeof models>;

  beforeAll(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    m = models(db);
  });
  beforeEach(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.createAll();
    const { User, UserKeyword, Keyword, Tag } = m;
    const s = db.newSession();
    const [orm, sql, ts] = ['orm', 'sql', 'ts'].map((word, i) => new Keyword({ id: i + 1, word }));
    const tags = [new Tag({ name: 'red' }), new Tag({ name: 'blue' })];
    const ann = new User({ name: 'ann', tags });
    const bob = new User({ name: 'bob' });
    s.addAll([ann, bob]);
    s.add(ts!);
    s.addAll([
      new UserKeyword({ user: ann, keyword: orm, note: 'first' }),
      new UserKeyword({ user: ann, keyword: sql, note: 'second' }),
      new UserKeyword({ user: bob, keyword: sql }),
    ]);
    await s.commit();
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  const ann = (s = db.newSession()) => s.query(m.User).filter(m.User.name.eq('ann')).first();
  const rows = async () =>
    (await db.newSession().query(m.UserKeyword).orderBy(m.UserKeyword.userId, m.UserKeyword.keywordId).all()).map(
      (uk) => [uk.userId, uk.keywordId, uk.note],
    );

  it('is readable without SQL once the collection and the keywords are loaded', async () => {
    const { User, UserKeyword } = m;
    const s = db.newSession();
    let users: Awaited<ReturnType<typeof load>> = [];
    const load = () =>
      s.query(User).orderBy(User.name).options(selectinload(User.userKeywords).joinedload(UserKeyword.keyword)).all();
    expect(
      await db.countQueries(async () => {
        users = await load();
      }),
    ).toBe(2);
    let words: string[][] = [];
    expect(
      await db.countQueries(async () => {
        // Typed as awaitable (the option named userKeywords, not keywords); loaded, so await is free.
        words = await Promise.all(users.map(async (u) => (await u.keywords).map((k) => k.word)));
      }),
    ).toBe(0);
    expect(words).toEqual([['orm', 'sql'], ['sql']]);
  });

  it('selectinload(User.keywords): one more statement, and the proxy is typed as loaded', async () => {
    const { User } = m;
    const s = db.newSession();
    let users: Awaited<ReturnType<typeof load>> = [];
    const load = () => s.query(User).orderBy(User.name).options(selectinload(User.keywords)).all();
    expect(
      await db.countQueries(async () => {
        users = await load();
      }),
    ).toBe(2);
    const first = users[0]!;
    expect(first.keywords).toBeInstanceOf(AssociationList);
    expect(first.keywords.map((k) => k.word)).toEqual(['orm', 'sql']);
    expect(users[1]!.keywords.map((k) => k.word)).toEqual(['sql']);
  });

  it('await loads the collection and the keywords in two statements; synchronous use before throws', async () => {
    const s = db.newSession();
    const user = (await ann(s))!;
    expect(() => (user.keywords as unknown as unknown[]).length).toThrow(NotLoadedError);
    expect(() => (user.keywords as unknown as unknown[]).length).toThrow(
      /User\.keywords is not loaded.*selectinload\(User\.keywords\)/,
    );
    let words: string[] = [];
    expect(
      await db.countQueries(async () => {
        words = (await user.keywords).map((k) => k.word);
      }),
    ).toBe(2);
    expect(words).toEqual(['orm', 'sql']);
    expect(await db.countQueries(async () => void (await user.keywords))).toBe(0);
    // A column proxy through a many-to-many: one statement.
    expect(await db.countQueries(async () => expect([...(await user.tagNames)]).toEqual(['blue', 'red']))).toBe(1);
  });

  it('push creates the association object with the creator; the cascade inserts it', async () => {
    const { Keyword } = m;
    const s = db.newSession();
    const user = (await ann(s))!;
    const ts = (await s.query(Keyword).filter(Keyword.word.eq('ts')).first())!;
    const keywords = await user.keywords;
    keywords.push(ts);
    expect(keywords.map((k) => k.word)).toEqual(['orm', 'sql', 'ts']);
    expect((await user.userKeywords).map((uk) => uk.note)).toEqual(['first', 'second', 'via proxy']);
    await s.commit();
    expect(await rows()).toEqual([
      [1, 1, 'first'],
      [1, 2, 'second'],
      [1, 3, 'via proxy'],
      [2, 2, null],
    ]);
  });

  it('remove and splice delete the association objects (delete-orphan)', async () => {
    const s = db.newSession();
    const user = (await ann(s))!;
    const keywords = (await user.keywords) as AssociationList<InstanceType<typeof m.Keyword>>;
    expect(keywords.remove(keywords[0]!)).toBe(true);
    expect(keywords.map((k) => k.word)).toEqual(['sql']);
    await s.commit();
    expect(await rows()).toEqual([
      [1, 2, 'second'],
      [2, 2, null],
    ]);
    const again = await (await ann())!.keywords;
    expect(again.pop()?.word).toBe('sql');
    expect(again.length).toBe(0);
  });

  it('assigning keeps the association objects of kept values and creates the new ones', async () => {
    const { Keyword } = m;
    const s = db.newSession();
    const user = (await ann(s))!;
    const [, sql, ts] = await s.query(Keyword).orderBy(Keyword.id).all();
    await user.keywords;
    user.keywords = [sql!, ts!];
    await s.commit();
    // sql's row kept its note; orm's is gone; ts's is new.
    expect(await rows()).toEqual([
      [1, 2, 'second'],
      [1, 3, 'via proxy'],
      [2, 2, null],
    ]);
  });

  it('a column proxy through a many-to-many: push makes the target with the attribute set', async () => {
    const { User, Tag } = m;
    const s = db.newSession();
    const user = (await ann(s))!;
    const names = await user.tagNames;
    names.push('green');
    await s.commit();
    const reread = await db
      .newSession()
      .query(User)
      .filter(User.name.eq('ann'))
      .options(selectinload(User.tagNames))
      .first();
    expect([...reread!.tagNames]).toEqual(['blue', 'green', 'red']);
    expect((await db.newSession().query(Tag).orderBy(Tag.name).all()).map((x) => x.name)).toEqual([
      'blue',
      'green',
      'red',
    ]);
  });

  it('a new object takes the proxy in its constructor', async () => {
    const { User, Keyword } = m;
    const s = db.newSession();
    const ts = (await s.query(Keyword).filter(Keyword.word.eq('ts')).first())!;
    const cid = new User({ name: 'cid', keywords: [ts], tagNames: ['new'] });
    expect(cid.keywords).toEqual([ts]);
    s.add(cid);
    await s.commit();
    const back = await db
      .newSession()
      .query(User)
      .filter(User.name.eq('cid'))
      .options(selectinload(User.keywords), selectinload(User.tagNames))
      .first();
    expect(back!.keywords.map((k) => k.word)).toEqual(['ts']);
    expect([...back!.tagNames]).toEqual(['new']);
  });

  it('any() and contains() filter with EXISTS through the collection', async () => {
    const { User, Keyword } = m;
    const names = async (q: Promise<{ name: string }[]>) => (await q).map((u) => u.name);
    const s = db.newSession();
    expect(
      await names(
        s
          .query(User)
          .filter(User.keywords.any(Keyword.word.eq('sql')))
          .orderBy(User.name)
          .all(),
      ),
    ).toEqual(['ann', 'bob']);
    expect(
      await names(
        s
          .query(User)
          .filter(User.keywords.any(Keyword.word.eq('orm')))
          .all(),
      ),
    ).toEqual(['ann']);
    expect(await names(s.query(User).filter(User.keywords.any()).orderBy(User.name).all())).toEqual(['ann', 'bob']);
    expect(await names(s.query(User).filter(User.tagNames.contains('red')).all())).toEqual(['ann']);
    expect(
      await names(
        s
          .query(User)
          .filter(User.tagNames.any(m.Tag.name.like('b%')))
          .all(),
      ),
    ).toEqual(['ann']);
    expect(() => User.keywords.contains(new Keyword({ word: 'x' }))).toThrow(/use User\.keywords\.any\(criteria\)/);
  });

  it('refuses a creator that makes the wrong object, and a proxy that names no relationship', async () => {
    const other = new Database();
    class Thing extends other.Model('Thing', {
      id: other.Column(other.Integer, { primaryKey: true }),
      parts: other.relationship<Part>('Part'),
      partNames: other.associationProxy<Part, 'name'>('parts', 'name', {
        creator: (): Part => new Thing() as unknown as Part,
      }),
      wrongAttr: other.associationProxy<Part, 'name'>('parts', 'nope' as 'name'),
    }) {}
    class Part extends other.Model('Part', {
      id: other.Column(other.Integer, { primaryKey: true }),
      thingId: other.Column(other.Integer, other.ForeignKey('thing.id')),
      name: other.Column(other.String(20)),
    }) {}
    expect(Part.modelName).toBe('Part');
    const thing = new Thing();
    expect(() => (thing.partNames as string[]).push('a')).toThrow(ArgumentError);
    expect(() => (thing.partNames as string[]).push('a')).toThrow(/creator must return a new Part/);
    expect(() => thing.wrongAttr).toThrow(MappingError);
    expect(() => thing.wrongAttr).toThrow(/Part \(the target of Thing\.parts\) has no column or relationship 'nope'/);
    const third = new Database();
    expect(() =>
      third.Model('Lonely', {
        id: third.Column(third.Integer, { primaryKey: true }),
        items: third.associationProxy<{ name: string }, 'name'>('missing', 'name'),
      }),
    ).toThrow(/Lonely has no relationship 'missing'/);
  });
});

import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  MultipleResultsFoundError,
  NoResultFoundError,
  OperationalError,
  and_,
  func,
  not_,
  or_,
  selectColumns,
  selectinload,
  type Database,
} from '../../src/index.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Queries', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });
  const open = async () => {
    const b = await openBlog(t.url);
    db = b.db;
    return b;
  };
  const names = (users: { username: string }[]) => users.map((u) => u.username);

  it('filters with every operator', async () => {
    const { User } = await open();
    const q = () => User.query.orderBy(User.id);
    expect(names(await q().filter(User.username.eq('bob')).all())).toEqual(['bob']);
    expect(names(await q().filter(User.username.ne('bob')).all())).toEqual(['alice', 'carol', 'dave']);
    expect(names(await q().filter(User.id.lt(2)).all())).toEqual(['alice']);
    expect(names(await q().filter(User.id.le(2)).all())).toEqual(['alice', 'bob']);
    expect(names(await q().filter(User.id.gt(3)).all())).toEqual(['dave']);
    expect(names(await q().filter(User.id.ge(3)).all())).toEqual(['carol', 'dave']);
    expect(names(await q().filter(User.username.like('%o%')).all())).toEqual(['bob', 'carol']);
    expect(names(await q().filter(User.username.ilike('A%')).all())).toEqual(['alice']);
    expect(
      names(
        await q()
          .filter(User.username.in(['dave', 'alice']))
          .all(),
      ),
    ).toEqual(['alice', 'dave']);
    expect(
      names(
        await q()
          .filter(User.username.notIn(['dave', 'alice']))
          .all(),
      ),
    ).toEqual(['bob', 'carol']);
    expect(names(await q().filter(User.username.in([])).all())).toEqual([]);
    expect(names(await q().filter(User.id.between(2, 3)).all())).toEqual(['bob', 'carol']);
    expect(
      names(
        await q()
          .filter(or_(User.id.eq(1), and_(User.id.gt(2), not_(User.isActive.eq(true)))))
          .all(),
      ),
    ).toEqual(['alice', 'carol']);
  });

  it('matches NULL with isNull/isNotNull and eq(null)', async () => {
    const { Post, Profile } = await open();
    expect(await Post.query.filter(Post.content.isNull()).count()).toBe(4);
    expect(await Post.query.filter(Post.content.isNotNull()).count()).toBe(0);
    expect(await Profile.query.filter(Profile.bio.eq(null)).count()).toBe(0);
  });

  it('filterBy, orderBy, limit, offset, first, one, oneOrNone, count, distinct, get', async () => {
    const { User, Post } = await open();
    expect((await User.query.filterBy({ username: 'carol', isActive: false }).one()).username).toBe('carol');
    expect(names(await User.query.orderBy(User.username.desc()).limit(2).all())).toEqual(['dave', 'carol']);
    expect(names(await User.query.orderBy(User.id).offset(2).all())).toEqual(['carol', 'dave']);
    expect(names(await User.query.orderBy(User.id).limit(1).offset(1).all())).toEqual(['bob']);
    expect((await User.query.orderBy(User.id).first())!.username).toBe('alice');
    expect(await User.query.filterBy({ username: 'nobody' }).first()).toBeNull();
    await expect(User.query.filterBy({ username: 'nobody' }).one()).rejects.toBeInstanceOf(NoResultFoundError);
    await expect(User.query.one()).rejects.toBeInstanceOf(MultipleResultsFoundError);
    expect(await User.query.filterBy({ username: 'nobody' }).oneOrNone()).toBeNull();
    expect(await User.query.count()).toBe(4);
    expect(await User.query.filter(User.isActive.eq(true)).count()).toBe(3);
    expect(await User.query.join(Post).count()).toBe(4);
    expect(await User.query.join(Post).distinct().count()).toBe(3);
    const bob = (await User.query.get(2))!;
    expect(bob.username).toBe('bob');
  });

  it('get() with loader options loads them, in memory or not; get() on a filtered query refuses', async () => {
    const { User, Post } = await open();
    const s = db!.newSession();
    // Not in memory: one SELECT by key, then the option's selectin.
    let bob = null as Awaited<ReturnType<typeof getBob>>;
    const getBob = () => s.query(User).options(selectinload(User.posts).selectinload(Post.tags)).get(2);
    expect(await db!.countQueries(async () => void (bob = await getBob()))).toBe(3);
    expect(bob!.posts.map((p) => [p.title, p.tags.map((tag) => tag.name)])).toEqual([["Bob's first", ['howto']]]);
    // In memory without its posts: the same object, now with them.
    const alice = (await s.query(User).get(1))!;
    const again = await s.query(User).options(selectinload(User.posts)).get(1);
    expect(again).toBe(alice);
    expect(again!.posts.map((p) => p.title)).toEqual(['Hello world', 'Joins, explained']);
    // Without options: the identity map answers, no SQL.
    expect(await db!.countQueries(() => s.query(User).get(1))).toBe(0);
    await expect(s.query(User).filterBy({ isActive: false }).get(1)).rejects.toThrow(
      /User query: get\(\) looks up a primary key and would ignore the query's filters/,
    );
    await expect(s.query(User).orderBy(User.id).limit(1).get(1)).rejects.toThrow(/orderBy, limit\/offset/);
    await s.close();
  });

  it('paginates: items of the page, total, pages', async () => {
    const { User } = await open();
    const page = await User.query.orderBy(User.id).paginate({ page: 2, perPage: 3 });
    expect(names(page.items)).toEqual(['dave']);
    expect([page.total, page.pages, page.page, page.hasNext, page.hasPrev, page.prevNum]).toEqual([
      4,
      2,
      2,
      false,
      true,
      1,
    ]);
    await expect(User.query.paginate({ page: 0 })).rejects.toBeInstanceOf(ArgumentError);
  });

  it('runs select(Model) through session.scalars and column selects through session.execute', async () => {
    const { User, Post } = await open();
    const users = await db!.session.scalars(db!.select(User).where(User.isActive.eq(true)).orderBy(User.id)).all();
    expect(names(users)).toEqual(['alice', 'bob', 'dave']);
    const awaited = await db!.session.scalars(db!.select(User).filterBy({ username: 'bob' }));
    expect(names(awaited)).toEqual(['bob']);
    const counts = await db!.session.execute(
      selectColumns(User.username, func.count(Post.id).label('posts'))
        .join(Post.__table__, User.id.eq(Post.user_id))
        .with({ groupBy: [User.username] })
        .orderByAlso(User.username),
    );
    expect(counts.map((r) => [r.username, Number(r.posts)])).toEqual([
      ['alice', 2],
      ['bob', 1],
      ['carol', 1],
    ]);
  });

  it('refuses bad input with errors that name the model and column, never wrong SQL', async () => {
    const { User } = await open();
    expect(() => User.username.eq(undefined as never)).toThrow(/User\.username\.eq\(\) got undefined/);
    expect(() => User.id.eq({ id: 1 } as never)).toThrow(/User\.id\.eq\(\): expected a number, got an object/);
    expect(() => User.username.in([['a']] as never)).toThrow(ArgumentError);
    expect(() => User.query.filterBy({ nope: 1 } as never)).toThrow(/User has no column attribute 'nope'/);
    expect(() => User.query.filterBy({ username: undefined })).toThrow(/'username' is undefined/);
    expect(() => User.query.filter('id = 1' as never)).toThrow(/needs SQL expressions/);
    expect(() => new User({ username: 5 as never })).toThrow(/User\.username: expected a string, got number 5/);
    expect(() => new User({ nickname: 'x' } as never)).toThrow(/User has no attribute 'nickname'/);
    expect(() => User.query.limit(-1)).toThrow(ArgumentError);
    await expect(db!.session.get(User, { id: 1 })).rejects.toThrow(/User\.get\(\) needs a primary key value/);
  });

  it('a query on a model whose table was not created is an OperationalError naming the table', async () => {
    const { User } = await open();
    await db!.dropAll();
    const err = await User.query.all().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).table).toBe('user');
  });
});

import { afterEach, expect } from 'vitest';
import { ArgumentError, type Database } from '../../src/index.js';
import { delete_, insert, update } from '../../src/orm/query/statements.js';
import { openBlog } from '../support/blog.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Bulk statements', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('insert/update/delete run as single statements and keep loaded objects in step', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    const s = db.newSession();
    const inserted = await s.execute(insert(b.User).values([{ username: 'x1' }, { username: 'x2', isActive: false }]));
    expect(inserted.rowsAffected).toBe(2);
    const carol = (await s.query(b.User).filterBy({ username: 'carol' }).one())!;
    const dave = (await s.query(b.User).filterBy({ username: 'dave' }).one())!;
    const updated = await s.execute(update(b.User).where(b.User.isActive.eq(false)).values({ isActive: true }));
    expect(updated.rowsAffected).toBe(2);
    expect(carol.isActive).toBe(true); // the loaded object follows
    const deleted = await s.execute(delete_(b.User).where(b.User.username.in(['dave', 'x1', 'x2'])));
    expect(deleted.rowsAffected).toBe(3);
    expect(await s.get(b.User, dave.id)).toBeNull(); // gone from the identity map too
    await s.commit();
    expect((await db.newSession().query(b.User).orderBy(b.User.id).all()).map((u) => [u.username, u.isActive])).toEqual(
      [
        ['alice', true],
        ['bob', true],
        ['carol', true],
      ],
    );
  });

  it('an UPDATE or DELETE without where() must say allRows(); values are checked', async () => {
    const b = await openBlog(t.url);
    db = b.db;
    expect(() => update(b.Tag).values({ name: 'x' }).toNode()).toThrow(
      /update\(Tag\) has no where\(\); call \.allRows\(\)/,
    );
    await expect(db.session.execute(delete_(b.Tag))).rejects.toThrow(ArgumentError);
    expect(() =>
      update(b.Tag)
        .where(b.Tag.id.eq(1))
        .values({ name: 5 as never })
        .toNode(),
    ).toThrow(/Tag\.name: expected a string/);
    expect(() =>
      insert(b.Tag)
        .values({ nope: 1 } as never)
        .toNodes(),
    ).toThrow(/Tag has no column attribute 'nope'/);
    await db.session.execute(delete_(b.Tag).allRows()).catch(() => undefined); // post_tags rows reference tags
  });
});

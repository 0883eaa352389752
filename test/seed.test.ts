/**
 * Issue 3's acceptance: every seed example returns the rows the seed describes, with the
 * statement counts SQLAlchemy would emit, on every dialect.
 */
import { afterEach, expect } from 'vitest';
import { Database } from '../src/index.js';
import { joiningQueries } from '../examples/seed/joins.js';
import { lazyVersusEager } from '../examples/seed/loading.js';
import { manyToMany } from '../examples/seed/many-to-many.js';
import { oneToMany } from '../examples/seed/one-to-many.js';
import { oneToOne } from '../examples/seed/one-to-one.js';
import { describeEachDialect, itOn } from './support/databases.js';

describeEachDialect('Seed tutorial twins', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  const open = () => (db = new Database(t.url, { nPlusOne: 'off' }));
  const quiet = () => undefined;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it('One-to-Many: user.posts and post.author (the backref)', async () => {
    const result = await oneToMany(open(), quiet);
    expect(result).toEqual({ postTitles: ['Hello', 'Relationships'], author: 'alice', sameObject: true });
  });

  it('Many-to-Many: post.tags and tag.posts; removing a tag deletes the association row', async () => {
    const result = await manyToMany(open(), quiet);
    expect(result).toEqual({
      tagNames: ['orm', 'typescript'],
      postsTaggedOrm: [1, 2],
      tagsAfterRemove: ['typescript'],
    });
  });

  it('One-to-One: user.profile is one object; replacing it clears the old key', async () => {
    const result = await oneToOne(open(), quiet);
    expect(result).toEqual({ bio: 'Writes about ORMs', ownerIsUser: true, oldUserId: null, newBio: 'Rewritten bio' });
  });

  it('Eager vs Lazy: lazy is 1 + N statements, joinedload 1, selectinload 2, same rows', async () => {
    const lines: string[] = [];
    const result = await lazyVersusEager(open(), (l) => lines.push(l));
    expect([result.lazy, result.eager, result.selectin]).toEqual([1 + 4, 1, 2]);
    expect(result.titles).toEqual({
      alice: ['Hello world', 'Joins, explained'],
      bob: ["Bob's first"],
      carol: ['Old news'],
      dave: [],
    });
    const printed = lines.filter((l) => l.includes(':') && !l.includes('statement'));
    expect(printed.slice(0, 4).sort()).toEqual(printed.slice(4, 8).sort()); // lazy and eager print the same
  });

  it('Joining Queries: posts by active users; users who have posted', async () => {
    const result = await joiningQueries(open(), quiet);
    expect(result).toEqual({
      activePosts: ["Bob's first", 'Hello world', 'Joins, explained'],
      usersWithPosts: ['alice', 'bob', 'carol'],
      usersWithNews: ['carol'],
      postsByActiveAuthors: 3,
    });
  });
});

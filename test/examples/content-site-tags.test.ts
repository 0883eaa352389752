/**
 * The content site's big tag (examples/content-site/tags.ts) on every dialect: 100,000 posts inserted
 * in bulk, then paged, counted and added to through the write-only collection. Every statement is
 * recorded: none reads the tag's posts whole, and adding a post is its INSERT and one link row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { seedTaggedPosts, tagModels, tagPage } from '../../examples/content-site/tags.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const POSTS = 100_000;

describeEachDialect('content site: a tag with 100,000 posts, never loaded whole', (t) => {
  const it = itOn(t);
  const dir = mkdtempSync(join(tmpdir(), 'relata-content-tags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pages, counts and adds without reading the collection', async () => {
    const url = t.dialect === 'sqlite' ? `sqlite:///${join(dir, 'site.db')}` : t.url;
    const db = new Database(url);
    const m = tagModels(db);
    try {
      await db.dropAll();
      await db.createAll();
      const tagId = await seedTaggedPosts(db, m, 'archive', POSTS);

      const sql: string[] = [];
      const off = db.onStatement((e) => {
        if (!/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)/i.test(e.sql)) sql.push(e.sql);
      });
      const page = await tagPage(db, m, tagId);
      off();
      expect(page.total).toBe(POSTS);
      expect(page.newest).toEqual(Array.from({ length: 20 }, (_, i) => `Post ${POSTS - i}`));
      // get(tag), the page (LIMIT 20), the COUNT, then the new post's INSERT and its one link row.
      expect(sql).toHaveLength(5);
      expect(sql[1]).toMatch(/LIMIT/i);
      expect(sql[2]).toMatch(/^SELECT count\(\*\)/i);
      expect(sql[3]).toMatch(/^INSERT INTO [`"]site_post[`"]/);
      expect(sql[4]).toMatch(/^INSERT INTO [`"]site_post_tags[`"]/);

      // Tagging a post that exists is one INSERT, whatever the collection's size.
      const s = db.newSession();
      const other = new m.Tag({ name: 'other' });
      s.add(other);
      await s.commit();
      const post = (await s.get(m.SitePost, 1))!;
      const tag = (await s.get(m.Tag, tagId))!;
      const untag = (await s.get(m.SitePost, 2))!;
      const seen: string[] = [];
      const off2 = db.onStatement((e) => seen.push(e.sql));
      const n = await db.countQueries(async () => {
        tag.posts.add(new m.SitePost({ title: 'one more', published: new Date() })); // the post's INSERT
        other.posts.add(post); // its link row joins the new post's in one INSERT
        tag.posts.remove(untag); // DELETE of one link row
        await s.commit();
      });
      off2();
      expect(n, seen.join('\n')).toBe(3);
      expect(seen.filter((q) => /^SELECT/i.test(q))).toEqual([]);

      const check = new Database(url);
      const cm = tagModels(check);
      try {
        const fresh = (await check.newSession().get(cm.Tag, tagId))!;
        expect(await fresh.posts.count()).toBe(POSTS + 1); // +2 added, -1 removed
        expect(await check.newSession().query(cm.SitePost).count()).toBe(POSTS + 2);
      } finally {
        await check.close();
      }
    } finally {
      await db.dropAll();
      await db.close();
    }
  }, 180_000);
});

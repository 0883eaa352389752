/**
 * The example application (examples/blog-api) over real HTTP, on every dialect: the server listens on
 * a random port and the tests fetch from it, asserting the status, the body and the number of SQL
 * statements each request ran (from the engine's statement events). What reached the database is
 * judged from a second Database, on connections of its own.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Database, type Session, type StatementEvent } from '../../src/index.js';
import { buildApp } from '../../examples/blog-api/app.js';
import { blogModels, seedBlog, type BlogModels } from '../../examples/blog-api/models.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** A Database that keeps every request scope's session, to check that each one ended. */
class TrackedDatabase extends Database {
  open = 0;
  readonly sessions: Session[] = [];
  override async scope<R>(fn: (session: Session) => Promise<R> | R): Promise<R> {
    this.open++;
    try {
      return await super.scope((session) => {
        this.sessions.push(session);
        return fn(session);
      });
    } finally {
      this.open--;
    }
  }
}

interface Answer {
  status: number;
  body: unknown;
  /** The SQL statements the request ran (BEGIN/COMMIT/ROLLBACK not counted). */
  statements: StatementEvent[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const run = () => Math.random().toString(36).slice(2, 8);

describeEachDialect('examples/blog-api over HTTP', (t) => {
  const it = itOn(t);
  let dir: string | null = null;
  let db: TrackedDatabase;
  let app: FastifyInstance;
  let base = '';
  /** A second Database, on its own connections: what is committed. */
  let check: Database;
  let checked: BlogModels;

  beforeAll(async () => {
    if (t.skipReason) return;
    let url = t.url;
    if (t.dialect === 'sqlite') {
      // A file, so that sessions have connections of their own, as a server's would.
      dir = mkdtempSync(join(tmpdir(), 'relata-blog-api-'));
      url = `sqlite:///${join(dir, 'blog.db')}`;
    }
    // 'raise': a lazy load repeated across sibling objects (N+1) fails the request.
    db = new TrackedDatabase(url, { nPlusOne: 'raise' });
    const models = blogModels(db);
    await db.createAll();
    await seedBlog(db, models);
    app = buildApp(db, { models });
    // A handler that fails after writing, as a bug would: its request session must still be closed.
    app.post<{ Body: { username: string } }>('/test/fail-after-flush', async (request) => {
      db.session.add(new models.User({ username: request.body.username }));
      await db.session.flush();
      throw new Error('a detail the client must not see');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    check = new Database(url, { nPlusOne: 'off' });
    checked = blogModels(check);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await check?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One request, alone: its statements are the only ones the engine sees meanwhile. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    let status = 0;
    let json: unknown;
    const statements = await db.recordQueries(async () => {
      const res = await send(method, path, body);
      status = res.status;
      json = res.body;
    });
    return { status, body: json, statements };
  }

  async function send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Waits for every request scope to end (Fastify ends it on the response's 'close'). */
  async function scopesEnded(): Promise<void> {
    for (let waited = 0; db.open > 0; waited += 5) {
      if (waited > 10_000) throw new Error(`${db.open} request scopes still open after 10 s`);
      await sleep(5);
    }
  }

  /** Every request's session ended empty and out of its transaction, whatever the request ended with. */
  async function expectSessionsEnded(): Promise<void> {
    await scopesEnded();
    const left = db.sessions.filter((s) => s.inTransaction || s.size > 0);
    expect(left.length, 'request sessions left with a transaction or objects').toBe(0);
    expect(db.session.size).toBe(0); // the process-wide session was never used by a request
  }

  const alice = { id: 1, username: 'alice', isActive: true };
  const bob = { id: 2, username: 'bob', isActive: true };
  const carol = { id: 3, username: 'carol', isActive: false };
  const dave = { id: 4, username: 'dave', isActive: true };

  describe('reads', () => {
    it('GET /users pages with a total and a next link, in 2 statements a page', async () => {
      const first = await call('GET', '/users?limit=2');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        items: [alice, bob],
        total: 4,
        limit: 2,
        offset: 0,
        next: '/users?limit=2&offset=2',
      });
      expect(first.statements).toHaveLength(2); // the page, the count
      const second = await call('GET', (first.body as { next: string }).next);
      expect(second.body).toEqual({ items: [carol, dave], total: 4, limit: 2, offset: 2, next: null });
      expect(second.statements).toHaveLength(2);
      await expectSessionsEnded();
    });

    it('GET /users/:id: the profile joined, the posts and their tags by selectin: 3 statements however many posts', async () => {
      const res = await call('GET', '/users/1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...alice,
        profile: { bio: 'Alice writes' },
        posts: [
          { id: 1, title: 'Hello world', tags: ['news'] },
          { id: 2, title: 'Joins, explained', tags: ['howto', 'news'] },
        ],
      });
      expect(res.statements).toHaveLength(3);

      // A user with 15 posts of 3 tags each costs the same 3 statements.
      const prolific = await writeUserWithPosts(`prolific-${run()}`, 15, 3);
      const big = await call('GET', `/users/${prolific}`);
      expect(big.status).toBe(200);
      const body = big.body as { posts: { tags: string[] }[]; profile: unknown };
      expect(body.profile).toBeNull();
      expect(body.posts).toHaveLength(15);
      expect(body.posts.every((p) => p.tags.length === 3)).toBe(true);
      expect(big.statements).toHaveLength(3);
      await expectSessionsEnded();
    });

    it('GET /posts: each with its author (joined) and tags (selectin), 3 statements for any page size', async () => {
      const res = await call('GET', '/posts?limit=3');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        items: [
          { id: 1, title: 'Hello world', author: alice, tags: ['news'] },
          { id: 2, title: 'Joins, explained', author: alice, tags: ['howto', 'news'] },
          { id: 3, title: "Bob's first", author: bob, tags: ['howto'] },
        ],
        limit: 3,
        offset: 0,
        next: '/posts?limit=3&offset=3',
      });
      expect(res.statements).toHaveLength(3); // the page with authors, the tags, the count
      const all = await call('GET', '/posts?limit=100');
      expect((all.body as { items: unknown[] }).items.length).toBe((all.body as { total: number }).total);
      expect(all.statements).toHaveLength(3);
      await expectSessionsEnded();
    });

    it('GET /posts/:id: author, tags, and comments with their authors, in 3 statements', async () => {
      const res = await call('GET', '/posts/1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: 1,
        title: 'Hello world',
        content: null,
        author: alice,
        tags: ['news'],
        comments: [
          { id: 1, body: 'Welcome!', author: bob },
          { id: 2, body: 'Thanks, Bob', author: alice },
        ],
      });
      expect(res.statements).toHaveLength(3); // the post with its author, the tags, the comments with theirs
      await expectSessionsEnded();
    });
  });

  describe('errors', () => {
    it('404 names the model for a missing row, and a missing route is a JSON 404 too', async () => {
      const cases: [method: 'GET' | 'POST', path: string, body: unknown, model: string | null][] = [
        ['GET', '/users/9999', undefined, 'User'],
        ['GET', '/posts/9999', undefined, 'Post'],
        ['POST', '/users/9999/posts', { title: 'Nobody' }, 'User'],
        ['POST', '/posts/9999/comments', { userId: 1, body: 'Hello?' }, 'Post'],
        ['GET', '/nowhere', undefined, null],
      ];
      for (const [method, path, body, model] of cases) {
        const res = await call(method, path, body);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.body).toMatchObject({ error: 'not_found', model, column: model ? 'id' : null });
      }
      await expectSessionsEnded();
    });

    it('a value Relata refuses is a 400 naming the model and column, and nothing is written', async () => {
      const postsBefore = await check.newSession().query(checked.Post).count();
      const cases: [path: string, body: unknown, model: string, column: string, message: RegExp][] = [
        ['/users', { username: 'x'.repeat(81) }, 'User', 'username', /longer than String\(80\)/],
        ['/users', { username: 'nul\u0000byte' }, 'User', 'username', /NUL/i],
        ['/users/1/posts', { title: 't'.repeat(201) }, 'Post', 'title', /longer than String\(200\)/],
        ['/users/1/posts', { title: 'Tags', tags: ['ok', 'y'.repeat(51)] }, 'Tag', 'name', /longer than String\(50\)/],
        ['/users/1/posts', { title: 'Tags', tags: ['  '] }, 'Tag', 'name', /cannot be empty/],
        ['/posts/1/comments', { userId: 9999, body: 'Hi' }, 'Comment', 'user_id', /no User with id 9999/],
      ];
      for (const [path, body, model, column, message] of cases) {
        const res = await call('POST', path, body);
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 400,
          body: { error: 'invalid', model, column, message: expect.stringMatching(message) },
        });
      }
      // An id beyond Integer's range is refused by Relata before any SQL.
      const huge = await call('GET', '/users/9999999999');
      expect(huge.status).toBe(400);
      expect(huge.body).toMatchObject({ error: 'invalid', model: 'User', column: 'id' });
      expect(huge.statements).toHaveLength(0);
      expect(await check.newSession().query(checked.Post).count()).toBe(postsBefore);
      await expectSessionsEnded();
    });

    it('a body the schema refuses is a 400 naming the column too; unknown fields and query parameters are refused', async () => {
      const invalid = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
        const res = await call(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.statements).toHaveLength(0); // refused before any SQL
        return res.body;
      };
      expect(await invalid('POST', '/users', { username: 12 })).toMatchObject({ model: 'User', column: 'username' });
      expect(await invalid('POST', '/users', {})).toEqual({
        error: 'invalid',
        model: 'User',
        column: 'username',
        message: "User.username: body field 'username' is required",
      });
      expect(await invalid('POST', '/users', { username: 'zed', bio: 7 })).toMatchObject({
        model: 'Profile',
        column: 'bio',
      });
      expect(await invalid('POST', '/users/1/posts', { title: 'x', tags: 'news' })).toMatchObject({
        model: 'Tag',
        column: 'name',
      });
      expect(await invalid('POST', '/users/1/posts', { title: 'x', tags: ['ok', 3] })).toEqual({
        error: 'invalid',
        model: 'Tag',
        column: 'name',
        message: "Tag.name: body field 'tags[1]' must be string",
      });
      expect(await invalid('POST', '/posts/1/comments', { userId: '2', body: 'x' })).toMatchObject({
        model: 'Comment',
        column: 'user_id',
      });
      expect(await invalid('POST', '/posts/1/comments', { userId: 2 ** 40, body: 'x' })).toMatchObject({
        model: 'Comment',
        column: 'user_id',
      });
      expect(await invalid('POST', '/users', { username: 'zed', admin: true })).toMatchObject({
        error: 'invalid',
        message: "body field 'admin' is not a field of this request",
      });
      expect(await invalid('GET', '/users/abc')).toMatchObject({ model: 'User', column: 'id' });
      expect(await invalid('GET', '/users?limit=0')).toMatchObject({ model: null, column: null });
      expect(await invalid('GET', '/posts?limit=ten')).toMatchObject({ message: expect.stringMatching(/limit/) });
      expect(await invalid('GET', '/posts?page=2')).toMatchObject({ message: expect.stringMatching(/'page'/) });
      const res = await fetch(`${base}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid', model: null, column: null });
      expect(await check.newSession().query(checked.User).filterBy({ username: 'zed' }).count()).toBe(0);
      await expectSessionsEnded();
    });

    it('a handler that throws after flushing is a 500 that hides the error; its scope rolls the work back', async () => {
      const username = `ghost-${run()}`;
      const res = await call('POST', '/test/fail-after-flush', { username });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'internal', model: null, column: null, message: 'internal error' });
      expect(res.statements.map((s) => s.sql)).toEqual([expect.stringMatching(/^INSERT/)]);
      await expectSessionsEnded();
      expect(await check.newSession().query(checked.User).filterBy({ username }).count()).toBe(0);
    });
  });

  describe('writes', () => {
    it('POST /users creates the user and profile (201); the same username again is a 409 naming User.username', async () => {
      const username = `erin-${run()}`;
      const created = await call('POST', '/users', { username, bio: 'Erin writes too' });
      expect(created.status).toBe(201);
      const id = (created.body as { id: number }).id;
      expect(created.body).toEqual({ id, username, isActive: true, profile: { bio: 'Erin writes too' }, posts: [] });
      expect(created.statements).toHaveLength(2); // INSERT user, INSERT profile
      expect((await call('GET', `/users/${id}`)).body).toEqual(created.body);

      const again = await call('POST', '/users', { username });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        error: 'conflict',
        model: 'User',
        column: 'username',
        message: 'User.username must be unique: this value is taken',
      });
      expect(again.statements.map((s) => s.error?.constructor.name)).toEqual(['IntegrityError']);
      expect(await check.newSession().query(checked.User).filterBy({ username }).count()).toBe(1);
      await expectSessionsEnded();
    });

    it('POST /users/:id/posts reuses existing tags by name and creates the new ones, in one transaction', async () => {
      const r = run();
      const res = await call('POST', '/users/2/posts', {
        title: 'Tagging',
        content: 'Tags are reused',
        tags: ['News', `new-a-${r}`, ` new-b-${r} `, `new-a-${r}`],
      });
      expect(res.status).toBe(201);
      const id = (res.body as { id: number }).id;
      expect(res.body).toEqual({
        id,
        title: 'Tagging',
        content: 'Tags are reused',
        author: bob,
        tags: [`new-a-${r}`, `new-b-${r}`, 'news'],
        comments: [],
      });
      // The user, the tags by one upsert (INSERT … ON CONFLICT … RETURNING, existing and new alike),
      // the post, post_tags; then the post as GET /posts/:id reads it (3).
      const writes = res.statements.length - 3;
      expect(writes).toBe(4);
      expect(res.statements[1]!.sql).toMatch(/^INSERT INTO .tag. .* ON (CONFLICT|DUPLICATE KEY)/);

      // Ten new tags cost the same statements as two.
      const many = await call('POST', '/users/2/posts', {
        title: 'Many tags',
        tags: Array.from({ length: 10 }, (_, i) => `many-${i}-${r}`),
      });
      expect(many.status).toBe(201);
      expect(many.statements.length - 3).toBe(writes);

      const s = check.newSession();
      expect(await s.query(checked.Tag).filterBy({ name: 'news' }).count()).toBe(1);
      const stored = await s.query(checked.Post).filterBy({ id }).one();
      expect((await stored.tags).map((t) => t.name)).toEqual([`new-a-${r}`, `new-b-${r}`, 'news']);
      await s.close();
      await expectSessionsEnded();
    });

    it('POST /posts/:id/comments adds a comment, which GET /posts/:id then shows', async () => {
      const res = await call('POST', '/posts/3/comments', { userId: 4, body: 'Good one, Bob' });
      expect(res.status).toBe(201);
      const id = (res.body as { id: number }).id;
      expect(res.body).toEqual({ id, body: 'Good one, Bob', author: dave });
      expect(res.statements).toHaveLength(3); // the post, the user, INSERT comment
      const post = await call('GET', '/posts/3');
      expect((post.body as { comments: unknown[] }).comments).toEqual([{ id, body: 'Good one, Bob', author: dave }]);
      await expectSessionsEnded();
    });
  });

  describe('concurrency', () => {
    it('24 requests at once (creates of the same new tag, users, reads) all succeed, counted from a second connection', async () => {
      const r = run();
      const shared = `shared-${r}`;
      const requests: Promise<{ status: number; body: unknown }>[] = [];
      for (let i = 0; i < 10; i++) {
        requests.push(
          send('POST', `/users/${1 + (i % 4)}/posts`, { title: `Race ${i}`, tags: [shared, `own-${i}-${r}`] }),
        );
      }
      for (let i = 0; i < 6; i++) requests.push(send('POST', '/users', { username: `racer-${i}-${r}` }));
      for (let i = 0; i < 4; i++) requests.push(send('GET', '/posts?limit=50'));
      for (let i = 0; i < 4; i++) requests.push(send('GET', `/users/${1 + i}`));
      const sessionsBefore = db.sessions.length;
      const answers = await Promise.all(requests);
      expect(answers.map((a) => a.status)).toEqual([...Array(16).fill(201), ...Array(8).fill(200)]);
      for (const [i, a] of answers.slice(0, 10).entries()) {
        expect(a.body).toMatchObject({ title: `Race ${i}`, tags: [`own-${i}-${r}`, shared].sort() });
      }

      const s = check.newSession();
      const { Tag, Post, User } = checked;
      const tags = await s.query(Tag).filter(Tag.name.eq(shared)).all();
      expect(tags).toHaveLength(1);
      expect(
        await s
          .query(Post)
          .filter(Post.tags.any(Tag.name.eq(shared)))
          .count(),
      ).toBe(10);
      expect(
        await s
          .query(Tag)
          .filter(Tag.name.like(`own-%-${r}`))
          .count(),
      ).toBe(10);
      expect(
        await s
          .query(User)
          .filter(User.username.like(`racer-%-${r}`))
          .count(),
      ).toBe(6);
      await s.close();
      await expectSessionsEnded();
      const sessions = db.sessions.slice(sessionsBefore);
      expect(new Set(sessions).size, 'one session per request').toBe(requests.length);
    });

    it('the same username twice at once: one 201, one 409', async () => {
      const username = `twin-${run()}`;
      const answers = await Promise.all([send('POST', '/users', { username }), send('POST', '/users', { username })]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(await check.newSession().query(checked.User).filterBy({ username }).count()).toBe(1);
      await expectSessionsEnded();
    });

    it('60 requests at once create a post with the same new tag: 60 × 201, no failed statement, one tag row', async () => {
      const load = `load-${run()}`;
      const failed: StatementEvent[] = [];
      const off = db.onStatement((e) => {
        if (e.kind === 'statement' && e.error) failed.push(e);
      });
      let answers: { status: number; body: unknown }[];
      try {
        answers = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            send('POST', `/users/${1 + (i % 4)}/posts`, { title: `Load ${i}`, tags: [load, 'news'] }),
          ),
        );
      } finally {
        off();
      }
      expect(answers.map((a) => a.status)).toEqual(Array(60).fill(201));
      expect(failed.map((e) => e.error?.message)).toEqual([]);
      const s = check.newSession();
      const { Tag, Post } = checked;
      expect(await s.query(Tag).filterBy({ name: load }).count()).toBe(1);
      expect(await s.query(Tag).filterBy({ name: 'news' }).count()).toBe(1);
      expect(
        await s
          .query(Post)
          .filter(Post.tags.any(Tag.name.eq(load)))
          .count(),
      ).toBe(60);
      await s.close();
      await expectSessionsEnded();
    });

    it('a tag another transaction is creating: the request waits for it and reuses its row, without an error', async () => {
      const name = `pending-${run()}`;
      // Another connection creates the tag and holds its transaction open for a while.
      const other = check.newSession();
      other.add(new checked.Tag({ name }));
      await other.flush();
      const committed = sleep(300).then(() => other.commit());
      let res: Answer;
      try {
        res = await call('POST', '/users/1/posts', { title: 'Waited', tags: [name, 'news'] });
      } finally {
        await committed;
        await other.close();
      }
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ title: 'Waited', tags: ['news', name].sort() });
      expect(res.statements.filter((s) => s.error)).toEqual([]);
      const s = check.newSession();
      expect(await s.query(checked.Tag).filterBy({ name }).count()).toBe(1);
      expect(await s.query(checked.Post).filterBy({ title: 'Waited' }).count()).toBe(1);
      await s.close();
      await expectSessionsEnded();
    });
  });

  describe('npm run example:api', () => {
    it('server.ts starts on DATABASE_URL (in-memory SQLite without it), prints its URL, answers, and stops on SIGINT', async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG: 'off' };
      if (t.dialect === 'sqlite') delete env.DATABASE_URL;
      else env.DATABASE_URL = t.url; // this file's database: its tables exist and hold users, so no seed
      const child = spawn(process.execPath, ['--import', 'tsx', 'examples/blog-api/server.ts'], { env });
      try {
        let output = '';
        const address = await new Promise<string>((resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const found = /blog API on (http:\/\/\S+)/.exec(output);
            if (found) resolve(found[1]!);
          });
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.once('exit', (code) => reject(new Error(`server.ts exited (${code}) before listening:\n${output}`)));
        });
        const res = await fetch(`${address}/users/1`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ username: 'alice', profile: { bio: 'Alice writes' } });
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        expect((await exited)[0]).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 60_000);
  });

  /** A user with `posts` posts of `tags` tags each, written from the second Database; returns its id. */
  async function writeUserWithPosts(username: string, posts: number, tags: number): Promise<number> {
    const { User, Post, Tag } = checked;
    const tagRows = Array.from({ length: tags }, (_, i) => new Tag({ name: `${username}-tag-${i}` }));
    const user = new User({
      username,
      posts: Array.from({ length: posts }, (_, i) => new Post({ title: `${username} ${i}`, tags: tagRows })),
    });
    await check.transaction(async (session) => session.add(user));
    return check.scope(async () => (await User.query.filterBy({ username }).one()).id);
  }
});

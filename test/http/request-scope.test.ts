/**
 * Request scopes over real HTTP (issue 10): a server per framework (Fastify, Hono on
 * @hono/node-server, and Connect-style middleware on node:http for expressScope), whose handlers use
 * `db.session` and `Model.query` only, never a session passed to them. Many requests run at once,
 * interleaved by small delays; some commit, some roll back, some throw, some just end without
 * committing. Afterwards a second Database, on its own connections, checks that every committed
 * request's rows are there exactly and nothing else is, that no request ever saw another request's
 * uncommitted rows, and that each request's session ended with its identity map empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  Database,
  expressScope,
  fastifyScope,
  honoScope,
  InvalidRequestError,
  type ScopeErrorHandler,
  type Session,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function noteModel(db: Database) {
  return class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    /** The batch of rows a request wrote: one request has one batch, or two (see 'commitThenEnd'). */
    tag: db.Column(db.String(60), { nullable: false }),
    seq: db.Column(db.Integer, { nullable: false }),
  }) {};
}
type NoteClass = ReturnType<typeof noteModel>;

// ---- small concurrency helpers (in-process, deterministic) ----

/** A promise resolved from outside, with a safety net so a hang fails with its name, not a timeout. */
class Latch {
  private release!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.release = resolve));
  constructor(private readonly name: string) {}
  open(): void {
    this.release();
  }
  wait(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`waited 10 s for ${this.name}`)), 10_000);
    });
    return Promise.race([this.done, timeout]).finally(() => clearTimeout(timer));
  }
}

/** Lets `count` callers through together: proof that that many requests are in their scopes at once. */
function barrier(count: number, name: string): () => Promise<void> {
  const all = new Latch(name);
  let arrived = 0;
  return () => {
    if (++arrived === count) all.open();
    return all.wait();
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Database, as the hooks see it (`Scoping`), counting scopes still open: the Fastify and Express
 * hooks end a scope on the response's 'close', which the client may observe after the response
 * itself, so the test waits for the scopes to be over before it looks at their sessions.
 */
function trackScopes(db: Database) {
  let open = 0;
  let idle: Latch | null = null;
  const errors: unknown[] = [];
  const scoping = {
    scope<R>(fn: () => Promise<R>): Promise<R> {
      open++;
      return db.scope(fn).finally(() => {
        if (--open === 0) idle?.open();
      });
    },
  };
  const onError: ScopeErrorHandler = (error) => errors.push(error);
  return {
    scoping,
    onError,
    errors,
    get open() {
      return open;
    },
    async allEnded(): Promise<void> {
      if (open === 0) return;
      idle = new Latch('every request scope to end');
      await idle.wait();
      idle = null;
    },
  };
}
type Tracker = ReturnType<typeof trackScopes>;

// ---- servers ----

type Route = (body: Record<string, unknown>) => Promise<unknown>;
type Routes = Record<string, Route>;

interface Running {
  readonly base: string;
  close(): Promise<void>;
}

interface Framework {
  readonly name: string;
  start(tracker: Tracker, routes: Routes): Promise<Running>;
}

const frameworks: Framework[] = [
  {
    name: 'Fastify (fastifyScope)',
    async start(tracker, routes) {
      const app = Fastify();
      app.addHook('onRequest', fastifyScope(tracker.scoping, tracker.onError));
      for (const [path, route] of Object.entries(routes)) {
        app.post(path, async (request) => route(request.body as Record<string, unknown>));
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { base: `http://127.0.0.1:${port}`, close: () => app.close() };
    },
  },
  {
    name: 'Hono on @hono/node-server (honoScope)',
    async start(tracker, routes) {
      const app = new Hono();
      app.use(honoScope(tracker.scoping));
      for (const [path, route] of Object.entries(routes)) {
        app.post(path, async (c) => c.json((await route(await c.req.json())) as object));
      }
      app.onError((err, c) => c.json({ error: err.message }, 500));
      const server = await new Promise<Server>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
      });
      const { port } = server.address() as AddressInfo;
      return { base: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
    },
  },
  {
    // Express is Connect's middleware contract, which node:http can call directly: no dependency.
    name: 'Connect-style middleware on node:http (expressScope)',
    async start(tracker, routes) {
      const middleware = expressScope(tracker.scoping, tracker.onError);
      const server = createServer((req, res) =>
        middleware(req, res, () => {
          void (async () => {
            const route = routes[req.url ?? ''];
            let status = 200;
            let payload: unknown;
            try {
              if (!route) throw new Error(`no route ${req.url}`);
              payload = await route(await readJson(req));
            } catch (err) {
              status = 500;
              payload = { error: (err as Error).message };
            }
            res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
          })();
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return { base: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
    },
  },
];

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// ---- what the requests do ----

/** How a request ends its work. */
type Mode = 'commit' | 'rollback' | 'throw' | 'end' | 'commitThenEnd';
const MODES: Mode[] = ['commit', 'rollback', 'throw', 'end', 'commitThenEnd'];

/** Where each batch of rows is: set by the request before it acts, so readers can judge what they saw. */
type BatchState = 'open' | 'committing' | 'committed' | 'rolledBack';

/** What a request saw, recorded by the handler (so a request that throws reports too). */
interface Seen {
  /** db.session was the same object at every step of the request. */
  sessionStable: boolean;
  /** Rows of its own batch, read back through Model.query before it ended its work. */
  ownRows: number;
  /** Model.query returned the very objects the request had added through db.session (one identity map). */
  ownObjectsIdentical: boolean;
  /** Batches of other requests seen, with their state at that moment: only committing/committed is fine. */
  others: { tag: string; state: BatchState | undefined }[];
}

const REQUESTS = 60;

describeEachDialect('HTTP request scopes', (t) => {
  const it = itOn(t);
  let dir: string | null = null;
  let url = '';
  let db: Database;
  let Note: NoteClass;
  /** A second Database (its own pool, its own connections) that judges what reached the database. */
  let check: Database;
  let CheckNote: NoteClass;

  beforeAll(async () => {
    if (t.skipReason) return;
    if (t.dialect === 'sqlite') {
      // A file: sessions then have connections of their own (WAL); in memory they would take turns.
      dir = mkdtempSync(join(tmpdir(), 'relata-http-'));
      url = `sqlite:///${join(dir, 'app.db')}`;
    } else {
      url = t.url;
    }
    db = new Database(url, { nPlusOne: 'off' });
    Note = noteModel(db);
    await db.dropAll();
    await db.createAll();
    check = new Database(url, { nPlusOne: 'off' });
    CheckNote = noteModel(check);
  });

  afterAll(async () => {
    await db?.close();
    await check?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Rows whose tag starts with `prefix`, from the second Database: tag → sorted seqs. */
  async function committedRows(prefix: string): Promise<Map<string, number[]>> {
    const s = check.newSession();
    const rows = await s
      .query(CheckNote)
      .filter(CheckNote.tag.like(`${prefix}%`))
      .all();
    await s.close();
    const byTag = new Map<string, number[]>();
    for (const r of rows) byTag.set(r.tag, [...(byTag.get(r.tag) ?? []), r.seq]);
    for (const seqs of byTag.values()) seqs.sort((a, b) => a - b);
    return byTag;
  }

  function expectSessionsEnded(sessions: Map<string, Session>, count: number) {
    const distinct = new Set(sessions.values());
    expect(sessions.size).toBe(count);
    expect(distinct.size).toBe(count); // one session per request
    for (const s of distinct) {
      expect(s, 'a request used the process-wide session').not.toBe(db.session);
      expect(s.size, "objects left in a request's session after its scope ended").toBe(0);
      expect(s.inTransaction, "a request's transaction still open after its scope ended").toBe(false);
      expect(() => s.add(new Note({ tag: 'late', seq: 0 }))).toThrow(InvalidRequestError);
    }
  }

  for (const framework of frameworks) {
    describe(framework.name, () => {
      const prefix = framework.name.split(' ')[0]!.toLowerCase();

      it(`${REQUESTS} concurrent requests: each sees and commits only its own rows, and its session ends empty`, async () => {
        const run = `${prefix}:${Math.random().toString(36).slice(2, 7)}:`;
        const states = new Map<string, BatchState>();
        const seen = new Map<string, Seen>();
        const sessions = new Map<string, Session>();
        const allInScope = barrier(REQUESTS, `all ${REQUESTS} requests to be in their scopes`);

        /** Batches of other requests this request can see now, through Model.query. */
        const othersVisible = async (own: Set<string>, acc: Seen['others']) => {
          const rows = await Note.query.filter(Note.tag.like(`${run}%`)).all();
          for (const r of rows) if (!own.has(r.tag)) acc.push({ tag: r.tag, state: states.get(r.tag) });
        };

        const work: Route = async (body) => {
          const i = body.i as number;
          const mode = body.mode as Mode;
          const tag = `${run}${i}`;
          const session = db.session;
          sessions.set(tag, session);
          let stable = true;
          const step = () => (stable &&= db.session === session);
          const record: Seen = { sessionStable: true, ownRows: 0, ownObjectsIdentical: false, others: [] };
          seen.set(tag, record);
          const own = new Set([tag, `${tag}+late`]);

          await allInScope();
          step();
          await othersVisible(own, record.others); // before writing: others may hold open transactions now
          step();
          states.set(tag, 'open');
          const mine = Array.from({ length: 1 + (i % 3) }, (_, seq) => new Note({ tag, seq }));
          db.session.addAll(mine);
          await db.session.flush();
          step();
          await sleep(Math.floor(Math.random() * 8)); // let other requests run in between
          step();
          const back = await Note.query.filterBy({ tag }).orderBy(Note.seq).all();
          record.ownRows = back.length;
          record.ownObjectsIdentical = back.length === mine.length && back.every((o, k) => o === mine[k]);
          await othersVisible(own, record.others);
          step();
          record.sessionStable = stable;

          switch (mode) {
            case 'commit':
              states.set(tag, 'committing');
              await db.session.commit();
              states.set(tag, 'committed');
              break;
            case 'rollback':
              states.set(tag, 'rolledBack');
              await db.session.rollback();
              break;
            case 'throw':
              states.set(tag, 'rolledBack'); // by the scope, when the request ends
              throw new Error(`request ${i} failed on purpose`);
            case 'end':
              states.set(tag, 'rolledBack'); // never committed: the scope rolls it back
              break;
            case 'commitThenEnd': {
              states.set(tag, 'committing');
              await db.session.commit();
              states.set(tag, 'committed');
              // More work after the commit, never committed: the scope must roll back only this.
              states.set(`${tag}+late`, 'rolledBack');
              db.session.add(new Note({ tag: `${tag}+late`, seq: 0 }));
              await db.session.flush();
              record.sessionStable &&= db.session === session;
              break;
            }
          }
          return { i, mode };
        };

        const tracker = trackScopes(db);
        const server = await framework.start(tracker, { '/work': work });
        // Outside any scope, the process-wide session holds a pending object of its own meanwhile:
        // a request that fell back to it would flush it (autoflush) or commit it.
        const outside = new Note({ tag: `${run}outside`, seq: 0 });
        db.session.add(outside);
        try {
          const requests = Array.from({ length: REQUESTS }, (_, i) => ({ i, mode: MODES[i % MODES.length]! }));
          const responses = await Promise.all(requests.map((r) => post(server.base, '/work', r)));
          expect(responses.map((r) => r.status)).toEqual(requests.map((r) => (r.mode === 'throw' ? 500 : 200)));
          await tracker.allEnded();
        } finally {
          await server.close();
        }
        expect(tracker.errors).toEqual([]);

        // What each request saw while it ran.
        expect(seen.size).toBe(REQUESTS);
        for (const [tag, s] of seen) {
          const i = Number(tag.slice(run.length));
          expect({ tag, ...s }).toEqual({
            tag,
            sessionStable: true,
            ownRows: 1 + (i % 3),
            ownObjectsIdentical: true,
            others: s.others.map((o) => ({ tag: o.tag, state: expect.stringMatching(/^committ(ing|ed)$/) })),
          });
        }
        // The requests really interleaved: some saw rows another request had committed meanwhile.
        expect([...seen.values()].some((s) => s.others.length > 0)).toBe(true);

        // What reached the database, judged from other connections.
        const expected = new Map<string, number[]>();
        for (let i = 0; i < REQUESTS; i++) {
          const mode = MODES[i % MODES.length]!;
          if (mode === 'commit' || mode === 'commitThenEnd')
            expected.set(
              `${run}${i}`,
              Array.from({ length: 1 + (i % 3) }, (_, k) => k),
            );
        }
        const rows = await committedRows(run);
        expect(new Map([...rows].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
          new Map([...expected].sort(([a], [b]) => a.localeCompare(b))),
        );

        // Every request's session ended: empty, out of its transaction, unusable.
        expectSessionsEnded(sessions, REQUESTS);

        // The process-wide session was left alone: still just its own pending object, never flushed.
        expect(tracker.open).toBe(0);
        expect(db.session.size).toBe(1);
        expect(db.session.inTransaction).toBe(false);
        expect(
          await db.session
            .query(Note)
            .filterBy({ tag: `${run}outside` })
            .count(),
        ).toBe(1); // autoflush, here
        await db.session.rollback();
        expect(db.session.size).toBe(0);
        expect((await committedRows(`${run}outside`)).size).toBe(0);
        expect(await Note.query.filter(Note.tag.like(`${run}%`)).count()).toBe(
          [...expected.values()].reduce((n, seqs) => n + seqs.length, 0),
        );
      });

      it("a request that rolls back never discards a concurrent request's row, flushed and later committed", async () => {
        // Request A adds and flushes its row (its transaction open), request B then adds its own and
        // rolls back, and only then A commits. With one session shared by both, B's rollback would
        // take A's row with it and A's commit would write nothing. On SQLite B cannot flush while A
        // holds the file's write lock, so there B's row stays pending until its rollback.
        const PAIRS = 4;
        const run = `${prefix}:pair:${Math.random().toString(36).slice(2, 7)}:`;
        const flushed = Array.from({ length: PAIRS }, (_, k) => new Latch(`A${k} to flush`));
        const rolledBack = Array.from({ length: PAIRS }, (_, k) => new Latch(`B${k} to roll back`));
        const committed = Array.from({ length: PAIRS }, (_, k) => new Latch(`A${k} to commit`));
        const allInScope = barrier(PAIRS * 2, `all ${PAIRS * 2} requests to be in their scopes`);
        const sessions = new Map<string, Session>();
        const views = new Map<string, string[][]>();
        const concurrentWrites = t.dialect !== 'sqlite';

        const pairTags = async (k: number) =>
          (
            await Note.query
              .filter(Note.tag.in([`${run}A${k}`, `${run}B${k}`]))
              .orderBy(Note.tag)
              .all()
          ).map((n) => n.tag.slice(run.length));

        const a: Route = async (body) => {
          const k = body.k as number;
          sessions.set(`A${k}`, db.session);
          await allInScope();
          const row = new Note({ tag: `${run}A${k}`, seq: 0 });
          db.session.add(row);
          await db.session.flush();
          flushed[k]!.open();
          await rolledBack[k]!.wait();
          const mine = await Note.query.filterBy({ tag: `${run}A${k}` }).one();
          const sameObject = mine === row;
          await db.session.commit();
          committed[k]!.open();
          return { sameObject };
        };

        const b: Route = async (body) => {
          const k = body.k as number;
          sessions.set(`B${k}`, db.session);
          const view: string[][] = [];
          views.set(`B${k}`, view);
          await allInScope();
          await flushed[k]!.wait();
          view.push(await pairTags(k)); // A's row is flushed, not committed: invisible
          db.session.add(new Note({ tag: `${run}B${k}`, seq: 0 }));
          if (concurrentWrites) {
            await db.session.flush();
            view.push(await pairTags(k)); // its own row only
          }
          await db.session.rollback();
          const sizeAfterRollback = db.session.size;
          view.push(await pairTags(k)); // nothing: its own row is gone, A's still uncommitted
          rolledBack[k]!.open();
          await committed[k]!.wait();
          view.push(await pairTags(k)); // A's committed row, read through B's own session
          return { sizeAfterRollback };
        };

        const tracker = trackScopes(db);
        const server = await framework.start(tracker, { '/a': a, '/b': b });
        let responses: { status: number; body: unknown }[];
        try {
          responses = await Promise.all(
            Array.from({ length: PAIRS }, (_, k) => [
              post(server.base, '/a', { k }),
              post(server.base, '/b', { k }),
            ]).flat(),
          );
          await tracker.allEnded();
        } finally {
          await server.close();
        }
        expect(tracker.errors).toEqual([]);
        expect(responses).toEqual(
          Array.from({ length: PAIRS }, () => [
            { status: 200, body: { sameObject: true } },
            { status: 200, body: { sizeAfterRollback: 0 } },
          ]).flat(),
        );
        for (let k = 0; k < PAIRS; k++) {
          expect(views.get(`B${k}`)).toEqual([[], ...(concurrentWrites ? [[`B${k}`]] : []), [], [`A${k}`]]);
        }

        // From the second Database: every A row committed, no B row.
        const rows = await committedRows(run);
        expect([...rows.keys()].sort()).toEqual(Array.from({ length: PAIRS }, (_, k) => `${run}A${k}`));
        expectSessionsEnded(sessions, PAIRS * 2);
      });
    });
  }
});

/**
 * Drizzle ORM 1.0 (relational queries v2, `defineRelations`), every read a prepared statement.
 * Drizzle has no identity map or unit of work: writes are explicit statements.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { createRequire } from 'node:module';
import { defineRelations, eq, inArray, sql } from 'drizzle-orm';
import * as s from 'drizzle-orm/sqlite-core';
import * as p from 'drizzle-orm/pg-core';
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

const require = createRequire(import.meta.url);

function sqliteSchema() {
  const id = () => s.integer().primaryKey();
  const users = s.sqliteTable('users', { id: id(), name: s.text().notNull(), email: s.text(), managerId: s.integer('manager_id') });
  const posts = s.sqliteTable('posts', { id: id(), userId: s.integer('user_id').notNull(), title: s.text().notNull(), body: s.text() });
  const tracks = s.sqliteTable('tracks', {
    id: id(),
    name: s.text().notNull(),
    albumId: s.integer('album_id'),
    genreId: s.integer('genre_id'),
    composer: s.text(),
    milliseconds: s.integer().notNull(),
    unitPrice: s.real('unit_price').notNull(),
  });
  const invoices = s.sqliteTable('invoices', { id: id(), customerId: s.integer('customer_id').notNull(), invoiceDate: s.text('invoice_date').notNull(), total: s.real().notNull() });
  const invoiceLines = s.sqliteTable('invoice_lines', {
    id: id(),
    invoiceId: s.integer('invoice_id').notNull(),
    trackId: s.integer('track_id').notNull(),
    unitPrice: s.real('unit_price').notNull(),
    quantity: s.integer().notNull(),
  });
  const playlists = s.sqliteTable('playlists', { id: id(), name: s.text() });
  const playlistTracks = s.sqliteTable('playlist_tracks', { playlistId: s.integer('playlist_id').notNull(), trackId: s.integer('track_id').notNull() }, (t) => [
    s.primaryKey({ columns: [t.playlistId, t.trackId] }),
  ]);
  return { users, posts, tracks, invoices, invoiceLines, playlists, playlistTracks };
}

function pgSchema() {
  const id = () => p.integer().primaryKey().generatedByDefaultAsIdentity();
  const users = p.pgTable('users', { id: id(), name: p.varchar({ length: 80 }).notNull(), email: p.varchar({ length: 120 }), managerId: p.integer('manager_id') });
  const posts = p.pgTable('posts', { id: id(), userId: p.integer('user_id').notNull(), title: p.varchar({ length: 200 }).notNull(), body: p.text() });
  const tracks = p.pgTable('tracks', {
    id: id(),
    name: p.varchar({ length: 200 }).notNull(),
    albumId: p.integer('album_id'),
    genreId: p.integer('genre_id'),
    composer: p.varchar({ length: 220 }),
    milliseconds: p.integer().notNull(),
    unitPrice: p.doublePrecision('unit_price').notNull(),
  });
  const invoices = p.pgTable('invoices', { id: id(), customerId: p.integer('customer_id').notNull(), invoiceDate: p.varchar('invoice_date', { length: 30 }).notNull(), total: p.doublePrecision().notNull() });
  const invoiceLines = p.pgTable('invoice_lines', {
    id: id(),
    invoiceId: p.integer('invoice_id').notNull(),
    trackId: p.integer('track_id').notNull(),
    unitPrice: p.doublePrecision('unit_price').notNull(),
    quantity: p.integer().notNull(),
  });
  const playlists = p.pgTable('playlists', { id: id(), name: p.varchar({ length: 120 }) });
  const playlistTracks = p.pgTable('playlist_tracks', { playlistId: p.integer('playlist_id').notNull(), trackId: p.integer('track_id').notNull() }, (t) => [
    p.primaryKey({ columns: [t.playlistId, t.trackId] }),
  ]);
  return { users, posts, tracks, invoices, invoiceLines, playlists, playlistTracks };
}

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const schema: any = ctx.db === 'sqlite' ? sqliteSchema() : pgSchema();
  const relations = defineRelations(schema, (r: any) => ({
    users: {
      posts: r.many.posts({ from: r.users.id, to: r.posts.userId }),
      manager: r.one.users({ from: r.users.managerId, to: r.users.id, alias: 'manager' }),
    },
    posts: { author: r.one.users({ from: r.posts.userId, to: r.users.id, optional: false }) },
    invoices: { lines: r.many.invoiceLines({ from: r.invoices.id, to: r.invoiceLines.invoiceId }) },
    invoiceLines: { track: r.one.tracks({ from: r.invoiceLines.trackId, to: r.tracks.id, optional: false }) },
    playlists: {
      tracks: r.many.tracks({ from: r.playlists.id.through(r.playlistTracks.playlistId), to: r.tracks.id.through(r.playlistTracks.trackId) }),
    },
  }));

  let db: any;
  let close: () => Promise<void>;
  if (ctx.db === 'sqlite') {
    const Database = require('better-sqlite3');
    const client = new Database(ctx.target);
    client.pragma('journal_mode = WAL');
    const { drizzle } = await import('drizzle-orm/better-sqlite3');
    db = (drizzle as any)({ client, relations });
    close = async () => client.close();
  } else {
    const pg = require('pg');
    const client = new pg.Pool({ connectionString: ctx.target, max: 1 });
    const { drizzle } = await import('drizzle-orm/node-postgres');
    db = (drizzle as any)({ client, relations });
    close = () => client.end();
  }
  const { users, posts } = schema;
  const ph = (name: string) => sql.placeholder(name);

  const r1 = db.query.users.findMany({ with: { posts: true } }).prepare('r1');
  const pageWithPosts = db.query.users.findMany({ orderBy: { id: 'asc' }, limit: PAGE.limit, offset: PAGE.offset, with: { posts: true } }).prepare('page_posts');
  const pageOnly = db.query.users.findMany({ orderBy: { id: 'asc' }, limit: PAGE.limit, offset: PAGE.offset }).prepare('page');
  const postsOf = db.query.posts.findMany({ where: { userId: { eq: ph('id') } } }).prepare('posts_of');
  const userById = db.query.users.findFirst({ where: { id: { eq: ph('id') } } }).prepare('user_by_id');
  const postWithAuthor = db.query.posts.findFirst({ where: { id: { eq: ph('id') } }, with: { author: true } }).prepare('post_author');
  const userWithManager = db.query.users.findFirst({ where: { id: { eq: ph('id') } }, with: { manager: true } }).prepare('user_manager');
  const invoicesDeep = db.query.invoices.findMany({ with: { lines: { with: { track: true } } } }).prepare('invoices');
  const playlistsTracks = db.query.playlists.findMany({ with: { tracks: true } }).prepare('playlists');
  const allUsers = db.query.users.findMany().prepare('all_users');

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': () => r1.execute(),
    'R1-selectin': () => r1.execute(),
    'R2-page': () => pageWithPosts.execute(),
    'R3-lazy': async () => {
      const out: [unknown, unknown[]][] = [];
      for (const u of await pageOnly.execute()) out.push([u, await postsOf.execute({ id: u.id })]);
      return out;
    },
    'R3-eager': () => pageWithPosts.execute(),
    'R4-by-id': async () => {
      const out = [];
      for (const id of LOOKUP_IDS) out.push(await userById.execute({ id }));
      return out;
    },
    'R4-many-to-one': async () => {
      const out = [];
      for (const id of LOOKUP_POST_IDS) out.push(await postWithAuthor.execute({ id }));
      return out;
    },
    'R4-self-ref': async () => {
      const out = [];
      for (const id of LOOKUP_MANAGED_IDS) out.push(await userWithManager.execute({ id }));
      return out;
    },
    'R5-two-levels': () => invoicesDeep.execute(),
    'R6-many-to-many': () => playlistsTracks.execute(),
    'R7-identity-map': async () => {
      await r1.execute();
      return r1.execute();
    },
    'W1-insert': async ({ newUsers }) =>
      db.transaction(async (tx: any) => {
        const rows = await tx.insert(users).values(newUsers.map((u) => ({ name: u.name, email: u.email }))).returning({ id: users.id });
        const ids = rows.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b);
        const values = newUsers.flatMap((u, i) => u.posts.map((p) => ({ userId: ids[i], title: p.title, body: p.body })));
        for (let i = 0; i < values.length; i += 10_000) await tx.insert(posts).values(values.slice(i, i + 10_000));
      }),
    'W2-update': async ({ tag }) => {
      const all = await allUsers.execute();
      await db.transaction(async (tx: any) => {
        for (const u of all) if (u.id % 10 === 0) await tx.update(users).set({ name: w2Name(u.id, tag) }).where(eq(users.id, u.id));
      });
    },
    'W3-delete-cascade': async () => {
      await db.delete(users).where(inArray(users.id, W3_IDS));
    },
  };
  return {
    name: 'drizzle',
    version: pkgVersion('drizzle-orm'),
    ops,
    notes: {
      'R1-joined': 'relational query (`with: { posts: true }`): one statement, children aggregated as JSON by the database',
      'R1-selectin': 'same query as R1-joined: Drizzle has one loading strategy',
      'W3-delete-cascade': "one DELETE; the foreign key's ON DELETE CASCADE removes the posts",
    },
    close,
  };
}

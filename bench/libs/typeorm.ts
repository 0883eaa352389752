/**
 * TypeORM with EntitySchema (no decorators, so no reflect-metadata transform needed), better-sqlite3
 * or pg. One EntityManager per op; no identity map.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import 'reflect-metadata';
import { DataSource, EntitySchema, In } from 'typeorm';
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

const pk = { type: 'integer', primary: true, generated: 'increment' } as const;

const User = new EntitySchema<any>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: pk,
    name: { type: 'varchar' },
    email: { type: 'varchar', nullable: true },
    managerId: { type: 'integer', name: 'manager_id', nullable: true },
  },
  relations: {
    posts: { type: 'one-to-many', target: 'Post', inverseSide: 'author', cascade: ['insert'] },
    manager: { type: 'many-to-one', target: 'User', joinColumn: { name: 'manager_id' }, nullable: true },
  },
});

const Post = new EntitySchema<any>({
  name: 'Post',
  tableName: 'posts',
  columns: {
    id: pk,
    userId: { type: 'integer', name: 'user_id' },
    title: { type: 'varchar' },
    body: { type: 'text', nullable: true },
  },
  relations: { author: { type: 'many-to-one', target: 'User', joinColumn: { name: 'user_id' }, inverseSide: 'posts', onDelete: 'CASCADE' } },
});

const Track = new EntitySchema<any>({
  name: 'Track',
  tableName: 'tracks',
  columns: {
    id: pk,
    name: { type: 'varchar' },
    albumId: { type: 'integer', name: 'album_id', nullable: true },
    genreId: { type: 'integer', name: 'genre_id', nullable: true },
    composer: { type: 'varchar', nullable: true },
    milliseconds: { type: 'integer' },
    unitPrice: { type: 'double precision', name: 'unit_price' },
  },
});

const Invoice = new EntitySchema<any>({
  name: 'Invoice',
  tableName: 'invoices',
  columns: {
    id: pk,
    customerId: { type: 'integer', name: 'customer_id' },
    invoiceDate: { type: 'varchar', name: 'invoice_date' },
    total: { type: 'double precision' },
  },
  relations: { lines: { type: 'one-to-many', target: 'InvoiceLine', inverseSide: 'invoice' } },
});

const InvoiceLine = new EntitySchema<any>({
  name: 'InvoiceLine',
  tableName: 'invoice_lines',
  columns: {
    id: pk,
    invoiceId: { type: 'integer', name: 'invoice_id' },
    trackId: { type: 'integer', name: 'track_id' },
    unitPrice: { type: 'double precision', name: 'unit_price' },
    quantity: { type: 'integer' },
  },
  relations: {
    invoice: { type: 'many-to-one', target: 'Invoice', joinColumn: { name: 'invoice_id' }, inverseSide: 'lines' },
    track: { type: 'many-to-one', target: 'Track', joinColumn: { name: 'track_id' } },
  },
});

const Playlist = new EntitySchema<any>({
  name: 'Playlist',
  tableName: 'playlists',
  columns: { id: pk, name: { type: 'varchar', nullable: true } },
  relations: {
    tracks: {
      type: 'many-to-many',
      target: 'Track',
      joinTable: { name: 'playlist_tracks', joinColumn: { name: 'playlist_id' }, inverseJoinColumn: { name: 'track_id' } },
    },
  },
});

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const entities = [User, Post, Track, Invoice, InvoiceLine, Playlist];
  const ds = new DataSource(
    ctx.db === 'sqlite'
      ? { type: 'better-sqlite3', database: ctx.target, entities, synchronize: false, logging: false, prepareDatabase: (db: any) => db.pragma('journal_mode = WAL') }
      : { type: 'postgres', url: ctx.target, entities, synchronize: false, logging: false, poolSize: 1 },
  );
  await ds.initialize();
  const em = () => ds.createEntityManager();
  const page = { order: { id: 'ASC' as const }, take: PAGE.limit, skip: PAGE.offset };

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': () => em().find(User, { relations: { posts: true }, relationLoadStrategy: 'join' }),
    'R1-selectin': () => em().find(User, { relations: { posts: true }, relationLoadStrategy: 'query' }),
    'R2-page': () => em().find(User, { ...page, relations: { posts: true }, relationLoadStrategy: 'query' }),
    'R3-lazy': async () => {
      const m = em();
      const out: [unknown, unknown[]][] = [];
      for (const u of await m.find(User, page)) out.push([u, await m.createQueryBuilder().relation(User, 'posts').of(u).loadMany()]);
      return out;
    },
    'R3-eager': () => em().find(User, { ...page, relations: { posts: true }, relationLoadStrategy: 'query' }),
    'R4-by-id': async () => {
      const m = em();
      const out = [];
      for (const id of LOOKUP_IDS) out.push(await m.findOneBy(User, { id }));
      return out;
    },
    'R4-many-to-one': async () => {
      const m = em();
      const out = [];
      for (const id of LOOKUP_POST_IDS) out.push(await m.findOne(Post, { where: { id }, relations: { author: true } }));
      return out;
    },
    'R4-self-ref': async () => {
      const m = em();
      const out = [];
      for (const id of LOOKUP_MANAGED_IDS) out.push(await m.findOne(User, { where: { id }, relations: { manager: true } }));
      return out;
    },
    'R5-two-levels': () => em().find(Invoice, { relations: { lines: { track: true } } }),
    'R6-many-to-many': () => em().find(Playlist, { relations: { tracks: true } }),
    'R7-identity-map': async () => {
      const m = em();
      await m.find(User, { relations: { posts: true }, relationLoadStrategy: 'query' });
      return m.find(User, { relations: { posts: true }, relationLoadStrategy: 'query' });
    },
    'W1-insert': async ({ newUsers }) => {
      const users = newUsers.map((u) => ({ name: u.name, email: u.email, posts: u.posts.map((p) => ({ title: p.title, body: p.body })) }));
      await ds.transaction((m) => m.save(User, users));
    },
    'W2-update': async ({ tag }) => {
      const m = em();
      const all = await m.find(User);
      const changed = all.filter((u: any) => u.id % 10 === 0);
      for (const u of changed) u.name = w2Name(u.id, tag);
      await ds.transaction((t) => t.save(User, changed));
    },
    'W3-delete-cascade': async () => {
      await em().delete(User, { id: In(W3_IDS) });
    },
  };
  return {
    name: 'typeorm',
    version: pkgVersion('typeorm'),
    ops,
    notes: {
      'R1-joined': "`relationLoadStrategy: 'join'`",
      'R1-selectin': "`relationLoadStrategy: 'query'`",
      'R3-lazy': "`createQueryBuilder().relation(User, 'posts').of(user).loadMany()` per user",
      'W1-insert': '`save()` of 1000 users with cascade-inserted posts, in one transaction',
      'W2-update': '`save()` of the 100 changed users, in one transaction',
      'W3-delete-cascade': "`delete(User, { id: In(ids) })`; the foreign key's ON DELETE CASCADE removes the posts",
    },
    close: () => ds.destroy(),
  };
}

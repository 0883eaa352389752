/**
 * MikroORM 7 (identity map + unit of work, the design closest to Relata's), entities declared with
 * EntitySchema over plain classes. One forked EntityManager per op.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { EntitySchema } from '@mikro-orm/core';
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

class User {
  id!: number;
  name!: string;
  email?: string | null;
  manager?: User | null;
  posts: any;
}
class Post {
  id!: number;
  title!: string;
  body?: string | null;
  author!: User;
}
class Track {
  id!: number;
}
class Invoice {
  id!: number;
}
class InvoiceLine {
  id!: number;
}
class Playlist {
  id!: number;
}

const pk = { type: 'integer', primary: true } as const;

const schemas = [
  new EntitySchema<any>({
    class: User,
    tableName: 'users',
    properties: {
      id: pk,
      name: { type: 'string' },
      email: { type: 'string', nullable: true },
      manager: { kind: 'm:1', entity: () => User, fieldName: 'manager_id', nullable: true },
      posts: { kind: '1:m', entity: () => Post, mappedBy: 'author' },
    },
  }),
  new EntitySchema<any>({
    class: Post,
    tableName: 'posts',
    properties: {
      id: pk,
      title: { type: 'string' },
      body: { type: 'text', nullable: true },
      author: { kind: 'm:1', entity: () => User, fieldName: 'user_id', deleteRule: 'cascade' },
    },
  }),
  new EntitySchema<any>({
    class: Track,
    tableName: 'tracks',
    properties: {
      id: pk,
      name: { type: 'string' },
      albumId: { type: 'integer', fieldName: 'album_id', nullable: true },
      genreId: { type: 'integer', fieldName: 'genre_id', nullable: true },
      composer: { type: 'string', nullable: true },
      milliseconds: { type: 'integer' },
      unitPrice: { type: 'double', fieldName: 'unit_price' },
    },
  }),
  new EntitySchema<any>({
    class: Invoice,
    tableName: 'invoices',
    properties: {
      id: pk,
      customerId: { type: 'integer', fieldName: 'customer_id' },
      invoiceDate: { type: 'string', fieldName: 'invoice_date' },
      total: { type: 'double' },
      lines: { kind: '1:m', entity: () => InvoiceLine, mappedBy: 'invoice' },
    },
  }),
  new EntitySchema<any>({
    class: InvoiceLine,
    tableName: 'invoice_lines',
    properties: {
      id: pk,
      invoice: { kind: 'm:1', entity: () => Invoice, fieldName: 'invoice_id' },
      track: { kind: 'm:1', entity: () => Track, fieldName: 'track_id' },
      unitPrice: { type: 'double', fieldName: 'unit_price' },
      quantity: { type: 'integer' },
    },
  }),
  new EntitySchema<any>({
    class: Playlist,
    tableName: 'playlists',
    properties: {
      id: pk,
      name: { type: 'string', nullable: true },
      tracks: { kind: 'm:n', entity: () => Track, owner: true, pivotTable: 'playlist_tracks', joinColumn: 'playlist_id', inverseJoinColumn: 'track_id' },
    },
  }),
];

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const common = { entities: schemas, debug: false, allowGlobalContext: true, discovery: { warnWhenNoEntities: false } };
  let orm: any;
  if (ctx.db === 'sqlite') {
    const { MikroORM } = await import('@mikro-orm/sqlite');
    orm = await MikroORM.init({ ...common, dbName: ctx.target } as any);
  } else {
    const { MikroORM } = await import('@mikro-orm/postgresql');
    orm = await MikroORM.init({ ...common, clientUrl: ctx.target, pool: { min: 1, max: 1 } } as any);
  }
  const fork = () => orm.em.fork();
  const page = { orderBy: { id: 'asc' }, limit: PAGE.limit, offset: PAGE.offset };

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': () => fork().find(User, {}, { populate: ['posts'], strategy: 'joined' }),
    'R1-selectin': () => fork().find(User, {}, { populate: ['posts'], strategy: 'select-in' }),
    'R2-page': () => fork().find(User, {}, { ...page, populate: ['posts'], strategy: 'select-in' }),
    'R3-lazy': async () => {
      const em = fork();
      const out: [unknown, unknown[]][] = [];
      for (const u of await em.find(User, {}, page)) out.push([u, await u.posts.loadItems()]);
      return out;
    },
    'R3-eager': () => fork().find(User, {}, { ...page, populate: ['posts'], strategy: 'select-in' }),
    'R4-by-id': async () => {
      const em = fork();
      const out = [];
      for (const id of LOOKUP_IDS) out.push(await em.findOne(User, id));
      return out;
    },
    'R4-many-to-one': async () => {
      const em = fork();
      const out = [];
      for (const id of LOOKUP_POST_IDS) out.push(await em.findOne(Post, id, { populate: ['author'] }));
      return out;
    },
    'R4-self-ref': async () => {
      const em = fork();
      const out = [];
      for (const id of LOOKUP_MANAGED_IDS) out.push(await em.findOne(User, id, { populate: ['manager'] }));
      return out;
    },
    'R5-two-levels': () => fork().find(Invoice, {}, { populate: ['lines.track'] }),
    'R6-many-to-many': () => fork().find(Playlist, {}, { populate: ['tracks'] }),
    'R7-identity-map': async () => {
      const em = fork();
      await em.find(User, {}, { populate: ['posts'], strategy: 'select-in' });
      return em.find(User, {}, { populate: ['posts'], strategy: 'select-in' });
    },
    'W1-insert': async ({ newUsers }) => {
      const em = fork();
      for (const u of newUsers) {
        const user = em.create(User, { name: u.name, email: u.email });
        for (const p of u.posts) em.create(Post, { title: p.title, body: p.body, author: user });
      }
      await em.flush();
    },
    'W2-update': async ({ tag }) => {
      const em = fork();
      for (const u of await em.find(User, {})) if (u.id % 10 === 0) u.name = w2Name(u.id, tag);
      await em.flush();
    },
    'W3-delete-cascade': async () => {
      const em = fork();
      em.remove(await em.find(User, { id: { $in: W3_IDS } }));
      await em.flush();
    },
  };
  return {
    name: 'mikro-orm',
    version: pkgVersion('@mikro-orm/core'),
    ops,
    notes: {
      'R1-joined': "`populate: ['posts'], strategy: 'joined'`",
      'R1-selectin': "`strategy: 'select-in'`",
      'R3-lazy': '`user.posts.loadItems()` per user',
      'W1-insert': '`em.create()` for every user and post, one `flush()`',
      'W3-delete-cascade': "`em.remove()` of the loaded users, one `flush()`; the foreign key's ON DELETE CASCADE removes the posts",
    },
    close: () => orm.close(true),
  };
}

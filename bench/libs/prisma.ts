/**
 * Prisma 7 with driver adapters (@prisma/adapter-better-sqlite3, @prisma/adapter-pg) and the
 * TypeScript-generated client (bench/prisma/generate.ts). No identity map; nested writes and
 * createMany for inserts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

export async function open(ctx: AdapterContext): Promise<Adapter> {
  let prisma: any;
  if (ctx.db === 'sqlite') {
    const { PrismaClient } = await import('../prisma/generated/sqlite/client.js');
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${ctx.target}` }) });
  } else {
    const { PrismaClient } = await import('../prisma/generated/postgres/client.js');
    const { PrismaPg } = await import('@prisma/adapter-pg');
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: ctx.target, max: 1 }) });
  }
  await prisma.$connect();

  const withPosts = { include: { posts: true } };
  const page = { orderBy: { id: 'asc' }, take: PAGE.limit, skip: PAGE.offset };
  const r1 = () => prisma.user.findMany(withPosts);

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': r1,
    'R1-selectin': r1,
    'R2-page': () => prisma.user.findMany({ ...page, ...withPosts }),
    'R3-lazy': async () => {
      const out: [unknown, unknown[]][] = [];
      for (const u of await prisma.user.findMany(page)) out.push([u, await prisma.user.findUnique({ where: { id: u.id } }).posts()]);
      return out;
    },
    'R3-eager': () => prisma.user.findMany({ ...page, ...withPosts }),
    'R4-by-id': async () => {
      const out = [];
      for (const id of LOOKUP_IDS) out.push(await prisma.user.findUnique({ where: { id } }));
      return out;
    },
    'R4-many-to-one': async () => {
      const out = [];
      for (const id of LOOKUP_POST_IDS) out.push(await prisma.post.findUnique({ where: { id }, include: { author: true } }));
      return out;
    },
    'R4-self-ref': async () => {
      const out = [];
      for (const id of LOOKUP_MANAGED_IDS) out.push(await prisma.user.findUnique({ where: { id }, include: { manager: true } }));
      return out;
    },
    'R5-two-levels': () => prisma.invoice.findMany({ include: { lines: { include: { track: true } } } }),
    'R6-many-to-many': async () => {
      const playlists = await prisma.playlist.findMany({ include: { tracks: { include: { track: true } } } });
      // An explicit join model: the tracks sit one level down.
      return playlists.map((p: any) => ({ ...p, tracks: p.tracks.map((pt: any) => pt.track) }));
    },
    'R7-identity-map': async () => {
      await r1();
      return r1();
    },
    'W1-insert': async ({ newUsers }) =>
      prisma.$transaction(async (tx: any) => {
        const created = await tx.user.createManyAndReturn({ data: newUsers.map((u) => ({ name: u.name, email: u.email })), select: { id: true } });
        const ids = created.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b);
        await tx.post.createMany({ data: newUsers.flatMap((u, i) => u.posts.map((p) => ({ userId: ids[i], title: p.title, body: p.body }))) });
      }),
    'W2-update': async ({ tag }) => {
      const all = await prisma.user.findMany();
      await prisma.$transaction(all.filter((u: any) => u.id % 10 === 0).map((u: any) => prisma.user.update({ where: { id: u.id }, data: { name: w2Name(u.id, tag) } })));
    },
    'W3-delete-cascade': async () => {
      await prisma.user.deleteMany({ where: { id: { in: W3_IDS } } });
    },
  };
  return {
    name: 'prisma',
    version: `${pkgVersion('@prisma/client')} (${ctx.db === 'sqlite' ? 'adapter-better-sqlite3' : 'adapter-pg'})`,
    ops,
    notes: {
      'R1-joined': '`include: { posts: true }` with the default relation load strategy',
      'R1-selectin': 'same query as R1-joined',
      'R3-lazy': 'fluent API: `findUnique(...).posts()` per user',
      'R6-many-to-many': 'explicit join model (`PlaylistTrack`), flattened to tracks',
      'W1-insert': 'createManyAndReturn (users) + createMany (posts) in one transaction',
      'W2-update': '100 `update` calls in one `$transaction`',
      'W3-delete-cascade': "deleteMany; the foreign key's ON DELETE CASCADE removes the posts",
    },
    close: () => prisma.$disconnect(),
  };
}

/**
 * The workloads every library runs, what each one is given, and how its result is reduced to a
 * canonical form so it can be compared with the raw driver's before anything is timed.
 */
import { createHash } from 'node:crypto';
import { SIZES, W3_FIRST_POST, W3_USERS } from './data.js';

export type OpId =
  | 'R1-joined'
  | 'R1-selectin'
  | 'R2-page'
  | 'R3-lazy'
  | 'R3-eager'
  | 'R4-by-id'
  | 'R4-many-to-one'
  | 'R4-self-ref'
  | 'R5-two-levels'
  | 'R6-many-to-many'
  | 'R7-identity-map'
  | 'W1-insert'
  | 'W2-update'
  | 'W3-delete-cascade';

export interface Workload {
  readonly id: OpId;
  readonly title: string;
  /** Reduces the op's result (library objects) to plain data comparable across libraries. */
  readonly canon: (result: unknown) => unknown;
}

/** Ids of the page used by R2 and R3: ORDER BY id LIMIT 20 OFFSET 200. */
export const PAGE = { limit: 20, offset: 200 };
/** Primary keys looked up one by one in R4 (100 lookups per op). */
export const LOOKUP_IDS = Array.from({ length: 100 }, (_, i) => 7 + i * 10);
/** Posts looked up in R4 many-to-one. */
export const LOOKUP_POST_IDS = Array.from({ length: 100 }, (_, i) => 3 + i * 97);
/** Users looked up with their manager in R4 self-referential: half have one. */
export const LOOKUP_MANAGED_IDS = Array.from({ length: 100 }, (_, i) => 1 + i * 10);

/** What W1 inserts: 1000 users with 10 posts each, as plain values. */
export interface NewUser {
  readonly name: string;
  readonly email: string;
  readonly posts: readonly { readonly title: string; readonly body: string }[];
}

export function w1Rows(): NewUser[] {
  return Array.from({ length: SIZES.users }, (_, i) => ({
    name: `new user ${i}`,
    email: `new${i}@example.com`,
    posts: Array.from({ length: SIZES.postsPerUser }, (_, j) => ({ title: `new post ${i}.${j}`, body: `body ${i}.${j}` })),
  }));
}

/** W2 renames every tenth user to this. */
export function w2Name(id: number, tag: string): string {
  return `user ${id} ${tag}`;
}

export const W3_IDS = Array.from({ length: W3_USERS.count }, (_, i) => W3_USERS.first + i);
export { W3_FIRST_POST, W3_USERS };

// ---- canonical forms ----

type Obj = Record<string, unknown>;

/** Reads a related collection whatever the library hands back (array, MikroORM Collection, iterable). */
export function items(x: unknown): Obj[] {
  if (Array.isArray(x)) return x as Obj[];
  if (x && typeof (x as { getItems?: unknown }).getItems === 'function') return (x as { getItems(): Obj[] }).getItems();
  if (x && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function') return [...(x as Iterable<Obj>)];
  throw new Error(`expected a collection, got ${typeof x}`);
}

const byId = (a: Obj, b: Obj) => Number(a.id) - Number(b.id);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function canonPost(p: Obj): unknown[] {
  return [num(p.id), p.title, p.body];
}

function canonUser(u: Obj): unknown[] {
  return [num(u.id), u.name, u.email];
}

function canonUsersWithPosts(result: unknown): unknown {
  return (result as Obj[])
    .slice()
    .sort(byId)
    .map((u) => [...canonUser(u), items(u.posts).slice().sort(byId).map(canonPost)]);
}

/** R3 lazy: [user, posts] pairs, as loaded one SELECT at a time. */
function canonPairs(result: unknown): unknown {
  return canonUsersWithPosts((result as [Obj, Obj[]][]).map(([u, posts]) => ({ id: u.id, name: u.name, email: u.email, posts })));
}

function canonOne(o: unknown, f: (x: Obj) => unknown[]): unknown {
  return o === null || o === undefined ? null : f(o as Obj);
}

function canonTrack(t: Obj): unknown[] {
  return [num(t.id), t.name, t.composer ?? null, num(t.milliseconds), num(t.unitPrice)];
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'R1-joined', title: 'R1 1000 users × 10 posts, one JOIN', canon: canonUsersWithPosts },
  { id: 'R1-selectin', title: 'R1 1000 users × 10 posts, two queries', canon: canonUsersWithPosts },
  { id: 'R2-page', title: 'R2 a page of 20 users with posts', canon: canonUsersWithPosts },
  { id: 'R3-lazy', title: 'R3 page of 20, posts loaded lazily (N+1)', canon: canonPairs },
  { id: 'R3-eager', title: 'R3 page of 20, posts loaded eagerly', canon: canonUsersWithPosts },
  { id: 'R4-by-id', title: 'R4 100 users by primary key', canon: (r) => (r as Obj[]).map(canonUser) },
  {
    id: 'R4-many-to-one',
    title: 'R4 100 posts by id with their author',
    canon: (r) => (r as Obj[]).map((p) => [...canonPost(p), canonOne(p.author, canonUser)]),
  },
  {
    id: 'R4-self-ref',
    title: 'R4 100 users by id with their manager (self-referential)',
    canon: (r) => (r as Obj[]).map((u) => [...canonUser(u), canonOne(u.manager, canonUser)]),
  },
  {
    id: 'R5-two-levels',
    title: 'R5 412 invoices → 2240 lines → track (Chinook)',
    canon: (r) =>
      (r as Obj[])
        .slice()
        .sort(byId)
        .map((inv) => [
          num(inv.id),
          num(inv.customerId),
          inv.invoiceDate,
          num(inv.total),
          items(inv.lines)
            .slice()
            .sort(byId)
            .map((l) => [num(l.id), num(l.unitPrice), num(l.quantity), canonOne(l.track, canonTrack)]),
        ]),
  },
  {
    id: 'R6-many-to-many',
    title: 'R6 18 playlists ↔ 8715 tracks (Chinook)',
    canon: (r) =>
      (r as Obj[])
        .slice()
        .sort(byId)
        .map((p) => [num(p.id), p.name ?? null, items(p.tracks).slice().sort(byId).map(canonTrack)]),
  },
  { id: 'R7-identity-map', title: 'R7 R1 (selectin) twice in one session', canon: canonUsersWithPosts },
  { id: 'W1-insert', title: 'W1 insert 1000 users + 10,000 posts, one flush', canon: (r) => r },
  { id: 'W2-update', title: 'W2 load 1000 users, rename 10 %, flush', canon: (r) => r },
  { id: 'W3-delete-cascade', title: 'W3 delete 100 users with their 1000 posts', canon: (r) => r },
];

export function workload(id: OpId): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}`);
  return w;
}

export function digest(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

// ---- what each library implements ----

export interface OpArgs {
  /** W1: the rows to insert. */
  readonly newUsers: readonly NewUser[];
  /** W2: the suffix for this repetition's new names. */
  readonly tag: string;
}

export type OpFn = (args: OpArgs) => Promise<unknown>;

/** A library under test: one function per workload it supports, and how to shut it down. */
export interface Adapter {
  readonly name: string;
  readonly version: string;
  readonly ops: Partial<Record<OpId, OpFn>>;
  /** How the library does each op, when it is worth saying (shown in BENCHMARKS.md). */
  readonly notes?: Partial<Record<OpId, string>>;
  close(): Promise<void>;
}

export interface AdapterContext {
  readonly db: 'sqlite' | 'postgres';
  /** SQLite file path, or PostgreSQL connection string. */
  readonly target: string;
}

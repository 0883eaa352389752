/**
 * The rows of the migration sequence test: what each version's models insert before the next
 * migration, what the tables must hold at each version, and a read of them from another connection.
 */
import { expect } from 'vitest';
import { IntegrityError, type Database } from '../../src/index.js';
import { declareVersion, type Version } from './sequence-models.js';

type Models = ReturnType<typeof declareVersion>;

/**
 * Inserts version `k`'s rows with version `k`'s models (the last step, 6, inserts none): each later
 * version's rows use what that version added.
 */
export async function seedVersion(db: Database, k: Version, m: Models): Promise<void> {
  const s = db.newSession();
  try {
    const { User, Post } = m;
    if (k === 1) {
      s.addAll([new User({ id: 1, name: 'Alice' }), new User({ id: 2, name: 'Bob' })]);
      await s.flush();
      s.addAll([new Post({ id: 1, user_id: 1, title: 'Hello' }), new Post({ id: 2, user_id: 2, title: 'Bye' })]);
    } else if (k === 2) {
      // Columns a version adds are optional in the shared declaration's type: set as attributes.
      Object.assign((await s.get(User, 1))!, { email: 'alice@example.com' });
      s.add(Object.assign(new User({ id: 3, name: 'Carol' }), { email: 'carol@example.com' }));
      await s.flush();
      s.add(Object.assign(new Post({ id: 3, user_id: 3, title: 'Third' }), { summary: 'three' }));
    } else if (k === 3) {
      s.add(new Post({ id: 4, user_id: 1, title: 'Fourth' }));
    } else if (k === 4) {
      const { Tag, PostRevision, Review } = m;
      if (!Tag || !PostRevision || !Review) throw new Error('v4 declares Tag, PostRevision and Review');
      Object.assign((await s.get(Post, 1))!, { tags: [new Tag({ id: 1, name: 'news' })] });
      Object.assign((await s.get(Post, 3))!, { tags: [new Tag({ id: 2, name: 'howto' })] });
      s.addAll([
        new PostRevision({ post_id: 1, rev: 1, body: 'draft' }),
        new PostRevision({ post_id: 1, rev: 2, body: 'final' }),
      ]);
      await s.flush();
      s.addAll([
        new Review({ id: 1, post_id: 1, rev: 2, score: '7' }),
        new Review({ id: 2, post_id: 1, rev: 1, score: '12' }),
      ]);
    } else if (k === 5) {
      s.add(new User({ id: 4, name: 'Dave' }));
    }
    await s.commit();
  } finally {
    await s.close();
  }
  if (k === 3) {
    // A row that leaves title out gets v3's server default; an empty title breaks v3's CHECK.
    const q = (name: string) => db.engine.dialect.compiler.quote(name);
    const insert = (values: string) =>
      db.engine.execute({ sql: `INSERT INTO ${q('post')} (id, user_id${values}`, params: [] });
    await insert(') VALUES (5, 2)');
    const broken: unknown = await insert(", title) VALUES (6, 2, '')").catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(IntegrityError);
    expect((broken as Error).message).toMatch(/ck_post_title/);
  }
}

type Row = Record<string, unknown>;

/**
 * What the tables hold at version `v` once the rows of versions 1..`seeded` are in: on the way up
 * `seeded` is v - 1, on the way down every version's rows are in. Values a migration dropped are gone
 * for good: post.summary (dropped by v3) comes back NULL when v3 is reverted, user.email (dropped by
 * reverting v2) is not there at v1.
 */
export function expectedRows(v: Version, seeded: number): Record<string, Row[]> {
  const name = v >= 5 ? 'full_name' : 'name';
  const users: Row[] = [
    ...(seeded >= 1
      ? [
          { id: 1, [name]: 'Alice', email: seeded >= 2 ? 'alice@example.com' : null },
          { id: 2, [name]: 'Bob', email: null },
        ]
      : []),
    ...(seeded >= 2 ? [{ id: 3, [name]: 'Carol', email: 'carol@example.com' }] : []),
    ...(seeded >= 5 ? [{ id: 4, [name]: 'Dave', email: null }] : []),
  ].map((u) => (v >= 2 ? u : { id: u.id, [name]: u[name] }));
  const posts: Row[] = [
    ...(seeded >= 1
      ? [
          { id: 1, user_id: 1, title: 'Hello' },
          { id: 2, user_id: 2, title: 'Bye' },
        ]
      : []),
    ...(seeded >= 2 ? [{ id: 3, user_id: 3, title: 'Third' }] : []),
    ...(seeded >= 3
      ? [
          { id: 4, user_id: 1, title: 'Fourth' },
          { id: 5, user_id: 2, title: 'untitled' },
        ]
      : []),
    // summary's values never survive a return to v2: v3 dropped them ('three' was post 3's).
  ].map((p) => (v === 2 ? { ...p, summary: null } : p));
  const out: Record<string, Row[]> = { user: users, post: posts };
  if (v >= 4) {
    const rows = seeded >= 4;
    out.tag = rows
      ? [
          { id: 1, name: 'news' },
          { id: 2, name: 'howto' },
        ]
      : [];
    out.post_tags = rows
      ? [
          { post_id: 1, tag_id: 1 },
          { post_id: 3, tag_id: 2 },
        ]
      : [];
    out.post_revision = rows
      ? [
          { post_id: 1, rev: 1, body: 'draft' },
          { post_id: 1, rev: 2, body: 'final' },
        ]
      : [];
    // v6's score is an Integer: the migration converted the digits.
    const score = (digits: string) => (v >= 6 ? Number(digits) : digits);
    out.review = rows
      ? [
          { id: 1, post_id: 1, rev: 2, score: score('7') },
          { id: 2, post_id: 1, rev: 1, score: score('12') },
        ]
      : [];
  }
  return out;
}

/** Every table of `db`'s models, each row with every column, ordered by primary key, read with plain SQL. */
export async function readRows(db: Database): Promise<Record<string, Row[]>> {
  const q = (name: string) => db.engine.dialect.compiler.quote(name);
  const out: Record<string, Row[]> = {};
  for (const table of db.registry.metadata.tables.values()) {
    const cols = table.columns.map((c) => c.name);
    const order = (table.primaryKey.length ? table.primaryKey.map((c) => c.name) : cols).map(q).join(', ');
    const result = await db.engine.execute(
      { sql: `SELECT ${cols.map(q).join(', ')} FROM ${q(table.name)} ORDER BY ${order}`, params: [] },
      { columnNames: true },
    );
    out[table.name] = result.rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
  }
  return out;
}

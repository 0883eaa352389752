/**
 * Types of upsert, RETURNING and row locks: `set` takes the model's columns with values of their
 * types (or expressions of them), `returning(columns)` gives rows typed by attribute, `returning(Model)`
 * the model, and a column of another model is refused.
 */
import {
  Database,
  delete_,
  excluded,
  insert,
  update,
  type ReturnedRow,
  type ReturningStatement,
  type Session,
  type UpsertSet,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { nullable: false, unique: true }),
  uses: db.Column(db.Integer, { nullable: false }),
  note: db.Column(db.String(50)),
  posts: db.relationship<Post>('Post', { secondary: 'post_tags' }),
}) {}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
}) {}

export async function upserts(session: Session): Promise<void> {
  // DO NOTHING / DO UPDATE / ON DUPLICATE KEY: targets and set of the model's own columns.
  await session.execute(insert(Tag).values({ name: 'a' }).onConflictDoNothing());
  await session.execute(insert(Tag).values({ name: 'a' }).onConflictDoNothing({ target: Tag.name }));
  await session.execute(
    insert(Tag)
      .values({ name: 'a', uses: 1 })
      .onConflictDoUpdate({
        target: [Tag.name],
        set: { uses: excluded(Tag.uses), note: null },
        where: Tag.uses.lt(10),
      }),
  );
  await session.execute(
    insert(Tag)
      .values({ name: 'a' })
      .onDuplicateKeyUpdate({ note: excluded(Tag.note) }),
  );

  // @ts-expect-error a set of a column the table lacks
  insert(Tag).onConflictDoUpdate({ target: Tag.name, set: { title: 'x' } });
  // @ts-expect-error a relationship is not a column to set
  insert(Tag).onConflictDoUpdate({ target: Tag.name, set: { posts: [] } });
  // @ts-expect-error a value of the wrong type
  insert(Tag).onConflictDoUpdate({ target: Tag.name, set: { uses: 'many' } });
  // @ts-expect-error an expression of the wrong type
  insert(Tag).onConflictDoUpdate({ target: Tag.name, set: { uses: excluded(Tag.name) } });
  // @ts-expect-error a target of another model
  insert(Tag).onConflictDoNothing({ target: Post.title });
  // @ts-expect-error DO UPDATE needs a target
  insert(Tag).onConflictDoUpdate({ set: { uses: 1 } });

  const set: UpsertSet<Tag> = { uses: 2 };
  void set;

  // session.upsert(): the model's objects.
  const tags = await session.upsert(Tag, [{ name: 'a' }], { target: Tag.name });
  expectType<Equal<typeof tags, Tag[]>>();
  await session.upsert(Tag, { name: 'a', uses: 1 }, { target: Tag.name, set: { uses: excluded(Tag.uses) } });
  // @ts-expect-error a target of another model
  await session.upsert(Tag, [{ name: 'a' }], { target: Post.title });
  // Post.id has the very type of Tag.id (attributes are typed by name and value, not by model), so
  // only the run-time check refuses it: "Post.id is not a column of Tag".
  await session.upsert(Tag, [{ name: 'a' }], { target: Post.id }).catch(() => []);
  // @ts-expect-error a row with a column Tag lacks
  await session.upsert(Tag, [{ title: 'a' }], { target: Tag.name });
}

export async function returning(session: Session): Promise<void> {
  const rows = await session.execute(insert(Tag).values({ name: 'a' }).returning(Tag.id, Tag.note));
  expectType<Equal<typeof rows, { id: number; note: string | null }[]>>();
  const objects = await session.execute(insert(Tag).values({ name: 'a' }).returning(Tag));
  expectType<Equal<typeof objects, Tag[]>>();
  const updated = await session.execute(update(Tag).where(Tag.id.eq(1)).values({ uses: 2 }).returning(Tag.uses));
  expectType<Equal<typeof updated, { uses: number }[]>>();
  const deleted = await session.execute(delete_(Tag).where(Tag.id.eq(1)).returning(Tag));
  expectType<Equal<typeof deleted, Tag[]>>();
  const stmt: ReturningStatement<ReturnedRow<[typeof Tag.name]>> = insert(Tag).returning(Tag.name);
  void stmt;

  // @ts-expect-error returning a column of another model
  insert(Tag).returning(Post.title);
  // @ts-expect-error returning another model
  insert(Tag).returning(Post);
  // @ts-expect-error the row has no such key
  rows[0]?.name;
}

export async function locks(session: Session): Promise<void> {
  const q = session.query(Tag).forUpdate({ skipLocked: true, of: Tag });
  const locked: Tag[] = await q.all();
  void locked;
  session.query(Tag).forUpdate({ read: true, nowait: true });
  // @ts-expect-error an option Relata does not have
  session.query(Tag).forUpdate({ wait: 5 });
  // @ts-expect-error of takes models or tables
  session.query(Tag).forUpdate({ of: 'tag' });
}

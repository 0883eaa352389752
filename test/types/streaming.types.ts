/**
 * Streaming: query.stream() yields the model type, with the relationships its options load typed as
 * loaded; its options are checked; engine and connection streams yield positional rows (the Core has
 * no typed rows yet: `unknown[]`, so a row's values must be narrowed before use).
 */
import { Database, selectColumns, selectinload, type Connection, type QueryStreamOptions } from '../../src/index.js';
import { blogModels } from '../../examples/seed/blog.js';

const db = new Database();
const { User, Post } = blogModels(db);

export async function streamYieldsTheModel(): Promise<void> {
  for await (const user of User.query.stream({ batchSize: 100 })) {
    const name: string = user.username;
    // @ts-expect-error a User is not a Post
    const post: InstanceType<typeof Post> = user;
    // @ts-expect-error posts was not loaded: it must be awaited
    const n: number = user.posts.length;
    void [name, post, n];
  }
  for await (const user of db.session.query(User).options(selectinload(User.posts)).stream()) {
    const n: number = user.posts.length; // loaded per batch: no await
    const titles: string[] = user.posts.map((p) => p.title);
    void [n, titles];
  }
  for await (const post of db.session.scalars(db.select(Post)).stream({ expunge: true })) {
    const title: string = post.title;
    void title;
  }
}

export function streamOptionsAreChecked(): void {
  const options: QueryStreamOptions = { batchSize: 500, expunge: true };
  void User.query.stream(options);
  // @ts-expect-error batchSize is a number
  void User.query.stream({ batchSize: '500' });
  // @ts-expect-error not an option: SQLAlchemy's yield_per is batchSize
  void User.query.stream({ yieldPer: 500 });
}

export async function coreStreamsYieldRows(conn: Connection): Promise<void> {
  for await (const row of db.engine.stream(selectColumns(User.id, User.username), { batchSize: 10 })) {
    const values: unknown[] = row;
    // @ts-expect-error values are unknown until narrowed
    const id: number = row[0];
    void [values, id];
  }
  for await (const row of conn.stream({ sql: 'SELECT 1', params: [] })) void row;
  // @ts-expect-error batchSize is a number
  void conn.stream({ sql: 'SELECT 1', params: [] }, { batchSize: true });
}

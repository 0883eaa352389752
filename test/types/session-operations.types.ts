/**
 * Session operations: merge() returns the model type it was given; refresh() and expire() take the
 * model's attribute names only; executionOptions() takes the options Relata implements.
 */
import { Database, makeTransient, type Session } from '../../src/index.js';
import { blogModels } from '../../examples/seed/blog.js';

const db = new Database();
const { User, Post } = blogModels(db);

export async function mergeKeepsTheType(session: Session): Promise<void> {
  const user = new User({ username: 'alice' });
  const merged = await session.merge(user, { load: true });
  const name: string = merged.username;
  const post = await session.merge(new Post({ title: 't' }));
  const title: string = post.title;
  // @ts-expect-error a Post is not a User
  const wrong: InstanceType<typeof User> = post;
  // @ts-expect-error load is a boolean
  await session.merge(user, { load: 'no' });
  void [name, title, wrong];
}

export async function attributeNamesAreChecked(session: Session): Promise<void> {
  const user = (await session.query(User).first())!;
  session.expire(user, ['username', 'posts']);
  await session.refresh(user, ['isActive']);
  // @ts-expect-error not an attribute of User
  session.expire(user, ['title']);
  // @ts-expect-error not an attribute of User
  await session.refresh(user, ['nope']);
  makeTransient(user);
}

export async function executionOptionsAreTyped(): Promise<void> {
  await User.query.executionOptions({ populateExisting: true }).all();
  // @ts-expect-error not an option Relata implements
  await User.query.executionOptions({ yieldPer: 10 }).all();
}

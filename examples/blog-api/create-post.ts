/**
 * Creating a post with its tags, in one transaction: tags that exist are reused by name, new ones
 * are created, by one upsert (`session.upsert(Tag, rows, { target: Tag.name })`: INSERT … ON
 * CONFLICT (name) DO UPDATE … RETURNING, or ON DUPLICATE KEY UPDATE on MariaDB). Two requests
 * creating the same new tag at once cannot collide: the second waits for the first to commit, then
 * takes its row. The tags returned are locked until the post is committed, so none can be deleted
 * in between.
 */
import type { Database, Session } from '../../src/index.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { BlogModels } from './models.js';

export interface NewPost {
  readonly title: string;
  readonly content?: string;
  /** Tag names: trimmed and lower-cased (so 'News' and 'news' are one tag on every database). */
  readonly tags?: readonly string[];
}

/** Creates the post of `authorId`; returns its id. NotFoundError when there is no such user. */
export async function createPost(db: Database, models: BlogModels, authorId: number, input: NewPost): Promise<number> {
  const names = tagNames(input.tags ?? []);
  return db.transaction(async (session) => {
    const author = await session.get(models.User, authorId);
    if (!author) throw new NotFoundError('User', authorId);
    const tags = await findOrCreateTags(session, models, names);
    const post = new models.Post({ title: input.title, content: input.content ?? null, author, tags });
    session.add(post);
    await session.flush();
    return post.id;
  });
}

/** The tags named `names`, in that order: one upsert, whether they exist or not. */
async function findOrCreateTags(session: Session, { Tag }: BlogModels, names: readonly string[]) {
  if (names.length === 0) return [];
  return session.upsert(
    Tag,
    names.map((name) => ({ name })),
    { target: Tag.name },
  );
}

function tagNames(raw: readonly string[]): string[] {
  const names = raw.map((name) => name.trim().toLowerCase());
  if (names.some((name) => name === ''))
    throw new InvalidInputError('a tag name cannot be empty', { model: 'Tag', column: 'name' });
  return [...new Set(names)];
}

/**
 * Creating a post with its tags, in one transaction: tags that exist are reused by name, new ones
 * are created with the post. Two requests creating the same new tag at once both find it missing;
 * the second INSERT then collides with the first on uq_tag_name. The tag exists by then, so the
 * whole transaction runs once more, and this time finds it.
 */
import type { Database, Session } from '../../src/index.js';
import { InvalidInputError, isUniqueViolation, NotFoundError } from './errors.js';
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
  const attempt = () =>
    db.transaction(async (session) => {
      const author = await session.get(models.User, authorId);
      if (!author) throw new NotFoundError('User', authorId);
      const tags = await findOrCreateTags(session, models, names);
      const post = new models.Post({ title: input.title, content: input.content ?? null, author, tags });
      session.add(post);
      await session.flush();
      return post.id;
    });
  try {
    return await attempt();
  } catch (error) {
    // Another request created one of our new tags after we looked: it is committed now, so reuse it.
    if (isUniqueViolation(error, 'uq_tag_name')) return attempt();
    throw error;
  }
}

/** The tags named `names`, in that order: the existing ones loaded (one SELECT), the others new. */
async function findOrCreateTags(session: Session, { Tag }: BlogModels, names: readonly string[]) {
  if (names.length === 0) return [];
  const existing = await session.query(Tag).filter(Tag.name.in(names)).all();
  const byName = new Map(existing.map((tag) => [tag.name, tag]));
  return names.map((name) => byName.get(name) ?? new Tag({ name }));
}

function tagNames(raw: readonly string[]): string[] {
  const names = raw.map((name) => name.trim().toLowerCase());
  if (names.some((name) => name === ''))
    throw new InvalidInputError('a tag name cannot be empty', { model: 'Tag', column: 'name' });
  return [...new Set(names)];
}

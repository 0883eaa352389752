/**
 * What the API answers, shaped by hand: a response lists the fields it shows, so a column added to
 * a model is not published by accident, and the loaded state a shape needs is in its parameter type.
 * `userDetail(user)` only compiles for a user whose `profile` and `posts` (with their `tags`) were
 * loaded by the query, so an endpoint cannot forget an eager load and fall into N+1 lazy loads.
 */

// ---- what a shape needs of a model (structural: any object with these loaded fields will do) ----

interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly isActive: boolean;
}
interface ProfileRow {
  readonly bio: string | null;
}
interface TagRow {
  readonly name: string;
}
interface PostRow {
  readonly id: number;
  readonly title: string;
  readonly content: string | null;
}
interface CommentRow {
  readonly id: number;
  readonly body: string;
}

// ---- the shapes ----

export interface UserSummary {
  id: number;
  username: string;
  isActive: boolean;
}

export interface PostSummary {
  id: number;
  title: string;
  tags: string[];
}

export interface UserDetail extends UserSummary {
  profile: { bio: string | null } | null;
  posts: PostSummary[];
}

export interface PostListItem {
  id: number;
  title: string;
  author: UserSummary;
  tags: string[];
}

export interface CommentBody {
  id: number;
  body: string;
  author: UserSummary;
}

export interface PostDetail extends PostListItem {
  content: string | null;
  comments: CommentBody[];
}

/** A page of a list: the items, how many there are in all, and the link to the next page (or null). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  next: string | null;
}

/** Every error the API answers: `model` and `column` name what was refused, when a column was. */
export interface ErrorBody {
  error: 'invalid' | 'not_found' | 'conflict' | 'internal';
  model: string | null;
  column: string | null;
  message: string;
}

export function userSummary(user: UserRow): UserSummary {
  return { id: user.id, username: user.username, isActive: user.isActive };
}

export function postSummary(post: PostRow & { readonly tags: readonly TagRow[] }): PostSummary {
  return { id: post.id, title: post.title, tags: post.tags.map((t) => t.name) };
}

export function userDetail(
  user: UserRow & {
    readonly profile: ProfileRow | null;
    readonly posts: readonly (PostRow & { readonly tags: readonly TagRow[] })[];
  },
): UserDetail {
  return {
    ...userSummary(user),
    profile: user.profile && { bio: user.profile.bio },
    posts: user.posts.map(postSummary),
  };
}

/** A post's author is never null here: Post.user_id is NOT NULL, so a loaded author always exists. */
export function postListItem(
  post: PostRow & { readonly author: UserRow | null; readonly tags: readonly TagRow[] },
): PostListItem {
  return {
    id: post.id,
    title: post.title,
    author: userSummary(present(post.author, 'Post', post.id)),
    tags: post.tags.map((t) => t.name),
  };
}

export function commentBody(comment: CommentRow & { readonly author: UserRow | null }): CommentBody {
  return { id: comment.id, body: comment.body, author: userSummary(present(comment.author, 'Comment', comment.id)) };
}

export function postDetail(
  post: PostRow & {
    readonly author: UserRow | null;
    readonly tags: readonly TagRow[];
    readonly comments: readonly (CommentRow & { readonly author: UserRow | null })[];
  },
): PostDetail {
  return { ...postListItem(post), content: post.content, comments: post.comments.map(commentBody) };
}

export function page<T>(items: T[], total: number, limit: number, offset: number, path: string): Page<T> {
  const next = offset + items.length < total ? `${path}?limit=${limit}&offset=${offset + limit}` : null;
  return { items, total, limit, offset, next };
}

export function errorBody(
  error: ErrorBody['error'],
  message: string,
  at: { readonly model?: string | undefined; readonly column?: string | undefined } = {},
): ErrorBody {
  return { error, model: at.model ?? null, column: at.column ?? null, message };
}

function present<T>(value: T | null, model: string, id: number): T {
  if (value === null) throw new Error(`${model} ${id} has no author, though its user_id is NOT NULL`);
  return value;
}

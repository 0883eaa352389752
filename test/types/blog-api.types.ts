/**
 * examples/blog-api/responses.ts: a response shape compiles only for a query that loaded what the
 * shape shows, so an endpoint cannot forget its eager load and answer with N+1 lazy loads (each
 * `@ts-expect-error` fails tsc if its line compiles after all).
 */
import { Database, joinedload, selectinload } from '../../src/index.js';
import { blogModels } from '../../examples/blog-api/models.js';
import { postDetail, postListItem, userDetail, userSummary } from '../../examples/blog-api/responses.js';

const db = new Database();
const { User, Post, Comment } = blogModels(db);

export async function userDetailNeedsProfileAndPostsWithTags(): Promise<void> {
  const loaded = await User.query
    .options(joinedload(User.profile), selectinload(User.posts).selectinload(Post.tags))
    .oneOrNone();
  if (loaded) userDetail(loaded);

  const plain = (await User.query.first())!;
  userSummary(plain); // columns only: any user will do
  // @ts-expect-error neither the profile nor the posts were loaded
  userDetail(plain);
  const withoutTags = (await User.query.options(joinedload(User.profile), selectinload(User.posts)).first())!;
  // @ts-expect-error the posts were loaded, not their tags
  userDetail(withoutTags);
  const withoutProfile = (await User.query.options(selectinload(User.posts).selectinload(Post.tags)).first())!;
  // @ts-expect-error the profile was not loaded
  userDetail(withoutProfile);
}

export async function postShapesNeedAuthorTagsAndComments(): Promise<void> {
  const listed = await Post.query.options(joinedload(Post.author), selectinload(Post.tags)).all();
  listed.map(postListItem);
  // @ts-expect-error the comments (and their authors) were not loaded
  listed.map(postDetail);
  const detailed = (await Post.query
    .options(joinedload(Post.author), selectinload(Post.tags), selectinload(Post.comments).joinedload(Comment.author))
    .first())!;
  postDetail(detailed);
  const commentsWithoutAuthors = (await Post.query
    .options(joinedload(Post.author), selectinload(Post.tags), selectinload(Post.comments))
    .first())!;
  // @ts-expect-error the comments' authors were not loaded
  postDetail(commentsWithoutAuthors);
}

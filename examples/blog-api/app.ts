/**
 * The blog's JSON API on Fastify. Every request runs in a scope of its own (`fastifyScope`): reads
 * use `Model.query`, which is that request's session, and the scope closes it when the response is
 * done, whatever happened (work left uncommitted is rolled back, its identity map freed). Writes
 * run in `db.transaction()`, which retries what the database calls retryable (deadlocks,
 * serialization failures, a busy SQLite file).
 *
 * Each read endpoint says what it loads, and so how many statements it runs whatever the data:
 * joinedload for a to-one (one row per parent, no extra statement), selectinload for a collection
 * (one more statement per level, however many parents). See README.md for the counts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyScope, joinedload, selectinload, type Database } from '../../src/index.js';
import { createPost } from './create-post.js';
import { blogModels, type BlogModels } from './models.js';
import { InvalidInputError, NotFoundError, QueryParameterError, replyWithError, type FieldColumns } from './errors.js';
import {
  commentBody,
  errorBody,
  page,
  postDetail,
  postListItem,
  userDetail,
  userSummary,
  type Page,
  type UserSummary,
} from './responses.js';

export interface AppOptions {
  /** The models on `db`; defined by buildApp when not given (a Database holds one set of models). */
  readonly models?: BlogModels;
  /** Fastify's logger (pino): true for the server, off by default (tests). */
  readonly logger?: boolean;
}

/** The largest page a list endpoint answers. */
export const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;
/** Tags a post may have. */
export const MAX_TAGS = 20;

const id = { type: 'string', pattern: '^[0-9]{1,10}$' } as const;
const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;

const createUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: { username: { type: 'string', minLength: 1 }, bio: { type: 'string' } },
} as const;

const createPostBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1 },
    content: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: MAX_TAGS },
  },
} as const;

const createCommentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['userId', 'body'],
  properties: {
    userId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 }, // User.id is an Integer
    body: { type: 'string', minLength: 1 },
  },
} as const;

interface CreateUser {
  username: string;
  bio?: string;
}
interface CreatePost {
  title: string;
  content?: string;
  tags?: string[];
}
interface CreateComment {
  userId: number;
  body: string;
}

const userId: FieldColumns = { id: { model: 'User', column: 'id' } };
const postId: FieldColumns = { id: { model: 'Post', column: 'id' } };

/**
 * The API on `db`, not listening yet: `await buildApp(db).listen({ port: 0 })`. The caller owns
 * `db` (creates its tables, closes it).
 */
export function buildApp(db: Database, { models = blogModels(db), logger = false }: AppOptions = {}): FastifyInstance {
  const { User, Post, Comment } = models;
  // Nothing silently dropped or converted: an unknown field is a 400, and "12" is not a number.
  const app = Fastify({ logger, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  // A session per request, closed when the response is done; a failure to close it goes to the log.
  app.addHook(
    'onRequest',
    fastifyScope(db, (error) => app.log.error({ err: error }, 'closing a request session failed')),
  );
  app.setErrorHandler(replyWithError);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url}`));
  });

  app.get('/users', async (request): Promise<Page<UserSummary>> => {
    const { limit, offset } = pageParams(request.query);
    const users = await User.query.orderBy(User.id).limit(limit).offset(offset).all();
    const total = await User.query.count();
    return page(users.map(userSummary), total, limit, offset, '/users');
  });

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    { schema: { params: idParams }, config: { columns: userId } },
    async (request) => {
      const key = Number(request.params.id);
      const user = await User.query
        .options(joinedload(User.profile), selectinload(User.posts).selectinload(Post.tags))
        .filterBy({ id: key })
        .oneOrNone();
      if (!user) throw new NotFoundError('User', key);
      return userDetail(user);
    },
  );

  app.get('/posts', async (request) => {
    const { limit, offset } = pageParams(request.query);
    const posts = await Post.query
      .options(joinedload(Post.author), selectinload(Post.tags))
      .orderBy(Post.id)
      .limit(limit)
      .offset(offset)
      .all();
    const total = await Post.query.count();
    return page(posts.map(postListItem), total, limit, offset, '/posts');
  });

  const loadPostDetail = async (key: number) => {
    const post = await Post.query
      .options(joinedload(Post.author), selectinload(Post.tags), selectinload(Post.comments).joinedload(Comment.author))
      .filterBy({ id: key })
      .oneOrNone();
    if (!post) throw new NotFoundError('Post', key);
    return postDetail(post);
  };

  app.get<{ Params: { id: string } }>(
    '/posts/:id',
    { schema: { params: idParams }, config: { columns: postId } },
    async (request) => loadPostDetail(Number(request.params.id)),
  );

  app.post<{ Body: CreateUser }>(
    '/users',
    {
      schema: { body: createUserBody },
      config: {
        columns: { username: { model: 'User', column: 'username' }, bio: { model: 'Profile', column: 'bio' } },
      },
    },
    async (request, reply) => {
      const { username, bio } = request.body;
      const created = await db.transaction(async (session) => {
        const user = new User({ username });
        if (bio !== undefined) user.profile = new models.Profile({ bio });
        session.add(user);
        await session.flush();
        return { ...userSummary(user), profile: bio === undefined ? null : { bio }, posts: [] };
      });
      return reply.code(201).header('location', `/users/${created.id}`).send(created);
    },
  );

  app.post<{ Params: { id: string }; Body: CreatePost }>(
    '/users/:id/posts',
    {
      schema: { params: idParams, body: createPostBody },
      config: {
        columns: {
          ...userId,
          title: { model: 'Post', column: 'title' },
          content: { model: 'Post', column: 'content' },
          tags: { model: 'Tag', column: 'name' },
        },
      },
    },
    async (request, reply) => {
      const key = await createPost(db, models, Number(request.params.id), request.body);
      const created = await loadPostDetail(key);
      return reply.code(201).header('location', `/posts/${key}`).send(created);
    },
  );

  app.post<{ Params: { id: string }; Body: CreateComment }>(
    '/posts/:id/comments',
    {
      schema: { params: idParams, body: createCommentBody },
      config: {
        columns: {
          ...postId,
          userId: { model: 'Comment', column: 'user_id' },
          body: { model: 'Comment', column: 'body' },
        },
      },
    },
    async (request, reply) => {
      const key = Number(request.params.id);
      const { userId: authorId, body } = request.body;
      const created = await db.transaction(async (session) => {
        const post = await session.get(Post, key);
        if (!post) throw new NotFoundError('Post', key);
        const author = await session.get(User, authorId);
        if (!author)
          throw new InvalidInputError(`no User with id ${authorId}`, { model: 'Comment', column: 'user_id' });
        const comment = new Comment({ body, post, author });
        session.add(comment);
        await session.flush();
        return commentBody({ id: comment.id, body: comment.body, author });
      });
      return reply.code(201).send(created);
    },
  );

  return app;
}

/** `?limit=&offset=` of a list endpoint, checked: anything else in the query string is refused. */
function pageParams(query: unknown): { limit: number; offset: number } {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(q)) {
    if (name !== 'limit' && name !== 'offset') throw new QueryParameterError(name, 'is not a parameter of this list');
  }
  const limit = integerParam(q, 'limit', DEFAULT_LIMIT);
  const offset = integerParam(q, 'offset', 0);
  if (limit < 1 || limit > MAX_LIMIT) throw new QueryParameterError('limit', `must be 1 to ${MAX_LIMIT}, got ${limit}`);
  return { limit, offset };
}

function integerParam(q: Record<string, unknown>, name: string, fallback: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw))
    throw new QueryParameterError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

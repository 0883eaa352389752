/**
 * One session per HTTP request, for the common Node frameworks, without depending on any of them:
 * each hook opens a scope (`db.scope()`) around the rest of the request, so `db.session` and
 * `Model.query` in handlers are that request's session, and closes it when the response is done
 * (work not committed by then is rolled back; the identity map is freed).
 */

/** What the hooks need of a Database. */
export interface Scoping {
  scope<R>(fn: () => Promise<R>): Promise<R>;
}

/**
 * Where the request hooks report that closing a request's session failed (its connection is already discarded); console.error by default.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastifyScope, type ScopeErrorHandler } from 'relata';
 *
 * const fastify = Fastify();
 * const report: ScopeErrorHandler = (error) => fastify.log.error({ err: error }, 'closing a request session failed');
 * fastify.addHook('onRequest', fastifyScope(db, report));
 * ```
 */
export type ScopeErrorHandler = (error: unknown) => void;

const reportToConsole: ScopeErrorHandler = (error) =>
  console.error('[relata] closing a request session failed:', error);

interface ClosingResponse {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Express (or Connect) middleware.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { expressScope } from 'relata';
 *
 * // With Express: app.use(expressScope(db)). Any (req, res, next) server works the same way:
 * const scope = expressScope(db);
 * createServer((req, res) =>
 *   scope(req, res, async () => {
 *     res.end(JSON.stringify(await User.query.count())); // db.session is this request's own
 *   }),
 * ).listen(3000);
 * ```
 */
export function expressScope(db: Scoping, onError: ScopeErrorHandler = reportToConsole) {
  return (_req: unknown, res: ClosingResponse, next: () => void): void => {
    db.scope(
      () =>
        new Promise<void>((resolve) => {
          res.once('close', resolve);
          next();
        }),
    ).catch(onError);
  };
}

/**
 * A Fastify `onRequest` hook.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastifyScope } from 'relata';
 *
 * const fastify = Fastify();
 * fastify.addHook('onRequest', fastifyScope(db));
 * fastify.get<{ Params: { id: string } }>('/users/:id', async (req) => db.session.get(User, Number(req.params.id)));
 * ```
 */
export function fastifyScope(db: Scoping, onError: ScopeErrorHandler = reportToConsole) {
  return (_request: unknown, reply: { readonly raw: ClosingResponse }, done: () => void): void => {
    db.scope(
      () =>
        new Promise<void>((resolve) => {
          reply.raw.once('close', resolve);
          done();
        }),
    ).catch(onError);
  };
}

/**
 * Hono middleware.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { honoScope } from 'relata';
 *
 * const app = new Hono();
 * app.use(honoScope(db));
 * app.get('/users', async (c) => c.json(await User.query.count()));
 * ```
 */
export function honoScope(db: Scoping) {
  return (_context: unknown, next: () => Promise<void>): Promise<void> => db.scope(() => next());
}

/**
 * Mapper events (SQLAlchemy's MapperEvents and InstanceEvents.load): functions a model runs around
 * each row a flush writes (beforeInsert … afterDelete) and for each object built from a row
 * (`loaded`). They live on the mapper with its validators (validators.ts), so the flush and the
 * loader find them with one field read, and a model with none pays nothing.
 *
 * Listeners are synchronous, as SQLAlchemy's are: they run inside the flush, which holds the
 * session's lock, so a listener awaiting a query on its own session would wait for itself. A
 * listener returning a Promise is refused (a type error, and InvalidRequestError at run time).
 */
import { ArgumentError } from '../../sql/errors.js';
import { InvalidRequestError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';
import type { Mapper } from './mapper.js';
import type { ValidatorEntry } from './validators.js';

/**
 * What a listener may return: anything but a Promise (listeners are synchronous). Used as
 * `(…) => SyncResult<R>`, so an `async` listener is a type error that says why.
 *
 * @example
 * ```ts
 * import type { SyncResult } from 'relata';
 *
 * const stamp = (post: Post): SyncResult<void> => void (post.title = post.title.trim());
 * db.on(Post, 'beforeInsert', stamp);
 * ```
 */
export type SyncResult<R> =
  R extends PromiseLike<unknown> ? 'listeners are synchronous: start async work after commit()' : R;

/** The mapper events, in the order a flush or a load runs them. */
export const MAPPER_EVENTS = [
  'beforeInsert',
  'afterInsert',
  'beforeUpdate',
  'afterUpdate',
  'beforeDelete',
  'afterDelete',
  'loaded',
] as const;

/**
 * A mapper event's name: `beforeInsert` / `afterInsert`, `beforeUpdate` / `afterUpdate`,
 * `beforeDelete` / `afterDelete` (each row a flush writes), `loaded` (each object built from a row).
 *
 * @example
 * ```ts
 * import type { MapperEventName } from 'relata';
 *
 * const name: MapperEventName = 'beforeUpdate';
 * db.on(Post, name, (post) => void (post.title = post.title.trim()));
 * ```
 */
export type MapperEventName = (typeof MAPPER_EVENTS)[number];

/**
 * The second argument of a mapper event listener: the session whose flush or load it is.
 *
 * @example
 * ```ts
 * import type { MapperEventContext, Session } from 'relata';
 *
 * const seen: Session[] = [];
 * db.on(Post, 'afterInsert', (_post, context: MapperEventContext) => void seen.push(context.session));
 * ```
 */
export interface MapperEventContext {
  /** The session flushing (or loading) the object. */
  readonly session: Session;
}

type AnyListener = (...args: never[]) => unknown;

/** Listeners by event name, each list in registration order; removal returns a function. */
export class Listeners<Name extends string> {
  private readonly byName = new Map<Name, AnyListener[]>();

  /** Adds `fn` for `name`; the returned function removes it (once; later calls do nothing). */
  add(name: Name, fn: AnyListener): () => void {
    const list = this.byName.get(name) ?? [];
    this.byName.set(name, [...list, fn]);
    return () => {
      const now = this.byName.get(name);
      if (!now) return;
      const rest = now.filter((f) => f !== fn);
      if (rest.length) this.byName.set(name, rest);
      else this.byName.delete(name);
    };
  }

  has(name: Name): boolean {
    return this.byName.has(name);
  }

  /** The listeners of `name` now (a copy: one that unsubscribes while they run does not skip another). */
  of(name: Name): readonly AnyListener[] {
    return this.byName.get(name) ?? [];
  }
}

/** A model's listeners and validators: made on the first `db.on(Model, …)` or `db.validates(Model, …)`. */
export class MapperHooks {
  readonly listeners = new Listeners<MapperEventName>();
  readonly validators = new Map<string, ValidatorEntry>();

  /** A subclass's hooks see its base's validators (its listeners are found along the lineage). */
  constructor(readonly parent: MapperHooks | null = null) {}

  /** Whether this model or a base has a listener for `event` (a base's hear its subclasses' objects). */
  hears(event: MapperEventName): boolean {
    return this.listeners.has(event) || (this.parent?.hears(event) ?? false);
  }

  /** The validator of `key`: this model's own, else the nearest base's. */
  validator(key: string): ValidatorEntry | undefined {
    return this.validators.get(key) ?? this.parent?.validator(key);
  }
}

/**
 * The hooks of `mapper`, made when it has none yet; a base's hooks give its subclasses hooks too,
 * so the hot paths' `hooks === null` check stays right for a subclass of a base with listeners.
 */
export function hooksOf(mapper: Mapper): MapperHooks {
  if (mapper.hooks !== null) return mapper.hooks;
  const parent = mapper.inheritance.parent;
  mapper.hooks = new MapperHooks(parent ? hooksOf(parent) : null);
  for (const sub of mapper.inheritance.subclasses) hooksOf(sub);
  return mapper.hooks;
}

/** Refuses an event name that is not one of `names`, listing them. */
export function checkEventName(name: unknown, names: readonly string[], where: string): void {
  if (typeof name !== 'string' || !names.includes(name)) {
    throw new ArgumentError(`${where}: unknown event ${JSON.stringify(name)} (events: ${names.join(', ')})`);
  }
}

/** Refuses a listener that is not a function. */
export function checkListener(fn: unknown, where: string): void {
  if (typeof fn !== 'function') throw new ArgumentError(`${where}: the listener must be a function, got ${typeof fn}`);
}

/** `db.on(Model, event, fn)`: adds a mapper event listener; returns the function that removes it. */
export function listenMapper(mapper: Mapper, event: unknown, fn: unknown): () => void {
  const where = `db.on(${mapper.name}, ${JSON.stringify(event)})`;
  checkEventName(event, MAPPER_EVENTS, where);
  checkListener(fn, where);
  return hooksOf(mapper).listeners.add(event as MapperEventName, fn as AnyListener);
}

/** A base's listeners first, then the subclass's own (SQLAlchemy's propagate=True, in class order). */
function callListeners(hooks: MapperHooks, event: MapperEventName, args: readonly unknown[], what: string): void {
  if (hooks.parent) callListeners(hooks.parent, event, args, what);
  for (const fn of hooks.listeners.of(event)) callListener(fn, args, what);
}

/**
 * Calls one listener; a returned Promise is refused (its rejection, if any, is left handled: the
 * InvalidRequestError thrown here is what reports the mistake).
 */
export function callListener(fn: AnyListener, args: readonly unknown[], what: string): void {
  const result = (fn as (...a: readonly unknown[]) => unknown)(...args);
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as Promise<unknown>).then(undefined, () => undefined);
    throw new InvalidRequestError(
      `${what}: the listener returned a Promise; listeners are synchronous (they run inside the flush or load, ` +
        'holding the session): make it a plain function, and start async work after commit()',
    );
  }
}

/**
 * Runs `st`'s model's listeners for `event` (nothing when it has none). A change a before-listener
 * makes to the object's own columns belongs to the row being written, not to the next flush; one an
 * after-listener makes is written by the next flush (the unit of work reconciles it).
 */
export function fireMapperEvent(st: InstanceState, event: MapperEventName, session: Session): void {
  // A subclass of a model with hooks has hooks too (hooksOf), so null means no listener anywhere:
  // the hot path (every row loaded, every row flushed) stops here.
  const hooks = st.mapper.hooks;
  if (hooks === null || !hooks.hears(event)) return;
  const wasChanged = session.changed.has(st);
  callListeners(hooks, event, [st.obj, { session } satisfies MapperEventContext], `${st.mapper.name} ${event}`);
  if (!wasChanged && event.startsWith('before')) session.changed.delete(st);
}

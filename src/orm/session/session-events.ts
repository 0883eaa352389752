/**
 * Session events (SQLAlchemy's SessionEvents): beforeFlush, afterFlush, afterCommit, afterRollback,
 * listened to on one session (`session.on(…)`) or on every session of a Database (`db.on(…)`, kept
 * on its registry, so sessions made before the listener see it too). Database listeners run first,
 * then the session's, each in the order they were added. Synchronous, as mapper events are.
 */
import { callListener, checkEventName, checkListener, Listeners } from '../mapping/events.js';
import type { Registry } from '../mapping/registry.js';
import type { Session } from './session.js';
import type { InstanceState } from './state.js';

/** The session events, in the order a commit runs them. */
export const SESSION_EVENTS = ['beforeFlush', 'afterFlush', 'afterCommit', 'afterRollback'] as const;

/**
 * A session event's name: `beforeFlush` (may add or change objects: the same flush writes them),
 * `afterFlush` (the flush was written, before COMMIT), `afterCommit`, `afterRollback` (the database
 * transaction was rolled back: `rollback()`, or a failed flush).
 *
 * @example
 * ```ts
 * import type { SessionEventName } from 'relata';
 *
 * const name: SessionEventName = 'afterCommit';
 * const off = db.on(name, ({ session }) => console.log('committed', session.size));
 * off();
 * ```
 */
export type SessionEventName = (typeof SESSION_EVENTS)[number];

/**
 * What a transaction listener (afterCommit, afterRollback) gets.
 *
 * @example
 * ```ts
 * import type { SessionEvent } from 'relata';
 *
 * const ended: SessionEvent[] = [];
 * db.on('afterRollback', (event) => void ended.push(event));
 * ```
 */
export interface SessionEvent {
  /** The session the event is about. */
  readonly session: Session;
}

/**
 * What a flush listener (beforeFlush, afterFlush) gets: the session and the objects the flush
 * writes, as SQLAlchemy's `session.new`, `session.dirty` and `session.deleted` (objects a save-update
 * cascade brings in are not listed yet).
 *
 * @example
 * ```ts
 * import type { FlushEvent } from 'relata';
 *
 * db.on('beforeFlush', (event: FlushEvent) => {
 *   for (const obj of event.new) if (obj instanceof Post) obj.title = obj.title.trim();
 * });
 * ```
 */
export interface FlushEvent extends SessionEvent {
  /** Objects added and not yet inserted. */
  readonly new: readonly object[];
  /** Persistent objects with changes. */
  readonly dirty: readonly object[];
  /** Persistent objects marked for deletion. */
  readonly deleted: readonly object[];
}

/**
 * The argument of each session event's listener.
 *
 * @example
 * ```ts
 * import type { SessionEventMap } from 'relata';
 *
 * const onFlush = (event: SessionEventMap['afterFlush']) => console.log(event.new.length, 'inserted');
 * db.on('afterFlush', onFlush);
 * ```
 */
export interface SessionEventMap {
  /** Before the flush collects its work. */
  beforeFlush: FlushEvent;
  /** After the flush's statements, before COMMIT. */
  afterFlush: FlushEvent;
  /** After COMMIT. */
  afterCommit: SessionEvent;
  /** After the database transaction was rolled back. */
  afterRollback: SessionEvent;
}

/** Listeners of session events: a session's own, or a Database's (on its registry). */
export class SessionListeners extends Listeners<SessionEventName> {}

/** `session.on(event, fn)` / `db.on(event, fn)`: checks and adds one listener. */
export function listenSession(listeners: SessionListeners, event: unknown, fn: unknown, where: string): () => void {
  checkEventName(event, SESSION_EVENTS, `${where}(${JSON.stringify(event)})`);
  checkListener(fn, `${where}(${JSON.stringify(event)})`);
  return listeners.add(event as SessionEventName, fn as (e: never) => unknown);
}

/** Whether any listener (the Database's or the session's) is there for `event`. */
export function hasSessionListeners(session: Session, event: SessionEventName): boolean {
  return (session.registry.sessionListeners?.has(event) ?? false) || (session.sessionListeners?.has(event) ?? false);
}

/** Runs the Database's, then the session's, listeners of `event`. */
export function fireSessionEvent<E extends SessionEventName>(
  session: Session,
  event: E,
  payload: SessionEventMap[E],
): void {
  for (const listeners of [session.registry.sessionListeners, session.sessionListeners]) {
    if (!listeners?.has(event)) continue;
    for (const fn of listeners.of(event)) callListener(fn, [payload], `session ${event}`);
  }
}

/** The flush event of `session` as it is now: what a flush would write. */
export function flushEvent(session: Session): FlushEvent {
  const objects = (states: Iterable<InstanceState>) => [...states].map((st) => st.obj);
  return {
    session,
    new: objects(session.pending),
    dirty: objects(session.changed),
    deleted: objects(session.toDelete),
  };
}

/** The registry's Database-wide session listeners, made on first use. */
export function databaseListeners(registry: Registry): SessionListeners {
  return (registry.sessionListeners ??= new SessionListeners());
}

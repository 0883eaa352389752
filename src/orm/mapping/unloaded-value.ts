/**
 * The value an unloaded relationship attribute reads as: a Proxy that loads on `await` and throws
 * on any synchronous use, naming the relationship and the loader option that would have loaded it.
 * Its own module because it is the one place the lazy-loading contract meets JavaScript's
 * object protocol (then, toJSON, util.inspect).
 */
import { NotLoadedError } from '../errors.js';
import type { InstanceState } from '../session/state.js';
import type { RelationshipProperty } from './relationships.js';
import { collectionValue } from '../session/collection-views.js';

/** `User` → `user`: how messages name an instance of a model. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The value of an unloaded relationship: awaitable (loads it), and loud on any synchronous use,
 * naming the relationship and the loader option that would have loaded it.
 */
export function makeUnloaded(prop: RelationshipProperty, state: InstanceState, site: Error | null): unknown {
  const target = {
    then(resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) {
      const session = state.session;
      if (!session) {
        return Promise.reject(
          new NotLoadedError(
            `${prop.name} cannot be loaded: ${state} is not in a session (it was expunged or its session closed)`,
          ),
        ).then(resolve, reject);
      }
      return session
        .loadRelationship(state, prop, site)
        .then((v) => collectionValue(prop, v))
        .then(resolve, reject);
    },
  };
  // util.inspect looks through a Proxy at its target (unless showProxy): the target itself must
  // say what it is, or it prints as `{ then: [Function: then] }`.
  Object.defineProperty(target, INSPECT, { value: () => `<${prop.name} not loaded>` });
  return new Proxy(target, {
    get(t, key) {
      if (key === 'then') return t.then;
      if (key === INSPECT) return () => `<${prop.name} not loaded>`;
      // In JSON an unloaded relationship is absent (an object's key is dropped), as in a model's own JSON.
      if (key === 'toJSON') return () => undefined;
      if (key === Symbol.toPrimitive || key === 'constructor' || key === Symbol.toStringTag) return undefined;
      const fix = prop.uselist ? 'selectinload' : 'joinedload';
      throw new NotLoadedError(
        `${prop.name} is not loaded. Use \`await ${lowerFirst(prop.parent.name)}.${prop.key}\` to load it, ` +
          `or load it with the query: .options(${fix}(${prop.parent.name}.${prop.key}))`,
      );
    },
  });
}

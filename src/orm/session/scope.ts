/**
 * Request scopes: `db.session` and `Model.query` resolve to the session of the current async
 * context, as Flask-SQLAlchemy gives each request its own session. On Node that context is an
 * AsyncLocalStorage, which follows a request through every await. Where there is none (a browser),
 * scopes still work one at a time; two at once would be indistinguishable, so the second is refused.
 *
 * The core imports no Node built-in: AsyncLocalStorage is looked up at run time
 * (`process.getBuiltinModule`, Node ≥ 20.16, Deno, Bun).
 */
import { InvalidRequestError } from '../errors.js';

/** The part of AsyncLocalStorage scopes use. */
export interface ScopeStorage<T> {
  run<R>(value: T, fn: () => R): R;
  getStore(): T | undefined;
}

type StorageClass = new <T>() => ScopeStorage<T>;

function asyncLocalStorage(): StorageClass | undefined {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    AsyncLocalStorage?: StorageClass;
  };
  const hooks = g.process?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: StorageClass } | undefined;
  return hooks?.AsyncLocalStorage ?? g.AsyncLocalStorage;
}

/** A storage for the current scope's value: AsyncLocalStorage when the platform has it. */
export function createScopeStorage<T>(): ScopeStorage<T> {
  const Storage = asyncLocalStorage();
  return Storage ? new Storage<T>() : new OneScopeAtATime<T>();
}

/** Without async context tracking: the value of the one scope running, whatever awaits it does. */
class OneScopeAtATime<T> implements ScopeStorage<T> {
  private value: T | undefined;
  private active = false;

  run<R>(value: T, fn: () => R): R {
    if (this.active) {
      throw new InvalidRequestError(
        'a scope is already running: without AsyncLocalStorage (this platform has none) scopes cannot overlap; ' +
          'await one before opening the next, or pass the session explicitly: db.scope(async (session) => …)',
      );
    }
    this.active = true;
    this.value = value;
    const end = () => {
      this.active = false;
      this.value = undefined;
    };
    let result: R;
    try {
      result = fn();
    } catch (err) {
      end();
      throw err;
    }
    if (result instanceof Promise) return result.finally(end) as R;
    end();
    return result;
  }

  getStore(): T | undefined {
    return this.value;
  }
}

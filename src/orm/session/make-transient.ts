/**
 * makeTransient() and makeTransientToDetached() (SQLAlchemy's make_transient / make_transient_to_detached):
 * moving an object between "has a row" and "is new" by hand, with no SQL.
 */
import { InvalidRequestError } from '../errors.js';
import { stateOf, type InstanceState } from './state.js';

function stateFor(obj: unknown, fn: string): InstanceState {
  const st = typeof obj === 'object' && obj !== null ? stateOf(obj) : undefined;
  if (!st) throw new InvalidRequestError(`${fn}() takes a model instance, got ${obj === null ? 'null' : typeof obj}`);
  return st;
}

/**
 * Makes `obj` transient, as if just constructed with its current values: it leaves its session
 * (pending, changed or marked for deletion, whatever it was) and its identity, so `session.add(obj)`
 * INSERTs a new row. Its primary key values stay: set an autoincrement key to null to
 * get a new one, or keep it to insert that key. Expired attributes stay unset; loaded relationships stay.
 *
 * @example
 * ```ts
 * import { makeTransient } from 'relata';
 *
 * const post = (await Post.query.first())!;
 * makeTransient(post);
 * Object.assign(post, { id: null }); // a new key from the database
 * db.session.add(post);
 * await db.session.commit(); // INSERT: a copy of the row
 * ```
 */
export function makeTransient(obj: object): void {
  const st = stateFor(obj, 'makeTransient');
  st.session?.forgetObject(st);
  st.status = 'transient';
  st.session = null;
  st.key = undefined;
  st.orig = null;
  st.txnOrig = null;
  st.expired = null;
  st.pendingMutations = null;
  st.loadOptions = null;
  st.batch = null;
}

/**
 * Makes a transient object with its primary key set detached, as if it had been loaded and the session
 * closed: `session.add(obj)` then makes it persistent with no SQL, and changes made after that are
 * UPDATEd. Its values are taken to be the row's; columns it never set are expired (refresh() loads
 * them) and relationships are unloaded (`await` reads them).
 *
 * @example
 * ```ts
 * import { makeTransientToDetached } from 'relata';
 *
 * const known = new User({ id: 1, username: 'alice' }); // a row we know exists
 * makeTransientToDetached(known);
 * db.session.add(known); // persistent, no SQL
 * known.email = 'alice@example.com';
 * await db.session.commit(); // UPDATE "user" SET "email" = ... WHERE "user"."id" = 1
 * ```
 */
export function makeTransientToDetached(obj: object): void {
  const st = stateFor(obj, 'makeTransientToDetached');
  if (st.status !== 'transient' || st.session !== null)
    throw new InvalidRequestError(`makeTransientToDetached(): ${st} is ${st.status}; it takes a transient object`);
  const key = st.mapper.keyFromValues(st.v);
  if (key === undefined)
    throw new InvalidRequestError(
      `makeTransientToDetached(): ${st} has no primary key (${st.mapper.primaryKey.map((p) => p.key).join(', ')}); set it first`,
    );
  st.key = key;
  st.status = 'detached';
  st.orig = null;
  st.rel = null;
  st.collectionChanges = null;
  st.scalarChanges = null;
  st.pendingMutations = null;
  for (const mc of st.mapper.columns) {
    if (st.v[mc.key] === undefined) (st.expired ??= new Set()).add(mc.key);
  }
}

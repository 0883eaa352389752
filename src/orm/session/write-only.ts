/**
 * `lazy: 'writeOnly'` collections (SQLAlchemy 2.0's WriteOnlyCollection): the attribute is never a
 * list and never loads. It records additions and removals in the owner's collection changes, which
 * the flush writes as it writes a list's (dependency.ts), and reads through queries of the children.
 * Every path that would load the collection whole refuses instead (see refuseFullLoad).
 */
import { ArgumentError } from '../../sql/errors.js';
import { ColumnRef, TextClause, and_, type ColumnElement } from '../../sql/expressions.js';
import { Select } from '../../sql/selectable.js';
import { InvalidRequestError } from '../errors.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { lowerFirst } from '../mapping/unloaded-value.js';
import type { Query } from '../query/query.js';
import { stateOf, type InstanceState } from './state.js';

const collections = new WeakMap<InstanceState, Map<string, WriteOnlyCollection<object>>>();

/**
 * A write-only collection (`lazy: 'writeOnly'`): queried with {@link WriteOnlyCollection.select} and
 * {@link WriteOnlyCollection.count}, changed with `add`, `addAll` and `remove`, which are written at
 * the next flush. It never loads its members, so a collection of any size costs what the query
 * asks for. Not iterable: read it with `select()`.
 *
 * @example
 * ```ts
 * import type { WriteOnlyCollection } from 'relata';
 *
 * class Channel extends db.Model('Channel', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   messages: db.relationship<Message>('Message', { lazy: 'writeOnly', passiveDeletes: true }),
 * }) {}
 * class Message extends db.Model('Message', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, { nullable: false }),
 *   channelId: db.Column(db.Integer, db.ForeignKey('channel.id', { ondelete: 'CASCADE' })),
 * }) {}
 *
 * const channel = (await session.get(Channel, 1))!;
 * const messages: WriteOnlyCollection<Message> = channel.messages;
 * messages.add(new Message({ body: 'hello' })); // one INSERT at the next flush
 * await session.commit();
 * const latest = await messages.select().orderBy(Message.id.desc()).limit(20).all();
 * console.log(latest.length, await messages.count()); // one SELECT, then one SELECT COUNT
 * ```
 */
export class WriteOnlyCollection<T> {
  #owner!: InstanceState;
  #prop!: RelationshipProperty;

  /** @internal `owner`'s collection `prop` (one object per owner and relationship). */
  static of_(owner: InstanceState, prop: RelationshipProperty): WriteOnlyCollection<object> {
    let byKey = collections.get(owner);
    if (!byKey) collections.set(owner, (byKey = new Map()));
    let c = byKey.get(prop.key);
    if (!c) {
      c = new WriteOnlyCollection<object>();
      c.#owner = owner;
      c.#prop = prop;
      byKey.set(prop.key, c);
    }
    return c;
  }

  /**
   * A query of the members: filter, order and page it as any query (`.filter(...).limit(10).all()`),
   * ordered by the relationship's `orderBy` unless it says otherwise. The owner must have its key
   * (be flushed): a pending owner's members are not in the database yet.
   */
  select(): Query<T> {
    const owner = this.#owner;
    const prop = this.#prop;
    const session = owner.session;
    if (!session || owner.status === 'detached' || owner.status === 'deleted')
      throw new InvalidRequestError(
        `${prop.name}.select(): ${owner} is not in a session, so there is nothing to query with`,
      );
    if (owner.status !== 'persistent')
      throw new InvalidRequestError(
        `${prop.name}.select(): ${owner.mapper.name} is pending: its row has no key yet; await session.flush() first`,
      );
    let query = session.query<T>(prop.target.cls as never).filter(membersOf(prop, owner));
    if (prop.orderBy.length) query = query.orderBy(...prop.orderBy);
    return query;
  }

  /** How many members the database holds: one `SELECT count(*)` (after an autoflush of pending changes). */
  count(): Promise<number> {
    try {
      return this.select().count();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Adds `item`: written at the next flush (its foreign key set, or an association row inserted). */
  add(item: T): void {
    this.#prop.checkMember(item);
    recordAdd(this.#prop, this.#owner, item as object);
  }

  /** Adds each of `items`, as `add()`. */
  addAll(items: Iterable<T>): void {
    const list = [...items];
    list.forEach((item) => this.#prop.checkMember(item));
    for (const item of list) recordAdd(this.#prop, this.#owner, item as object);
  }

  /**
   * Removes `item`: at the next flush its foreign key is cleared (or it is deleted, with
   * `delete-orphan`), or its association row is deleted.
   */
  remove(item: T): void {
    this.#prop.checkMember(item);
    recordRemove(this.#prop, this.#owner, item as object);
  }

  /** In JSON a write-only collection is absent: it is never loaded. */
  toJSON(): undefined {
    return undefined;
  }

  /** console.log / util.inspect: `<User.posts write-only>`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.#prop.name} write-only>`;
  }
}

/** The members' condition: the children's foreign key, or an EXISTS over the association table. */
function membersOf(prop: RelationshipProperty, owner: InstanceState): ColumnElement<boolean> {
  const parent = prop.parent;
  const pairs = prop.secondary ? prop.secondaryLocal : prop.pairs;
  const values = pairs.map((p) => owner.v[parent.columnsByColumn.get(p.local)!.key]);
  // A NULL key matches no row (and `= NULL` must not become IS NULL, which would match others).
  if (values.some((v) => v === null || v === undefined)) return new TextClause('1 = 0');
  if (!prop.secondary) {
    const conds = pairs.map((p, i) =>
      prop.target.columnAttribute(prop.target.columnsByColumn.get(p.remote)!.key).eq(values[i] as never),
    );
    if (prop.extraCriteria) conds.push(prop.extraCriteria);
    return and_(...conds);
  }
  const secondary = prop.secondary;
  const conds = pairs.map((p, i) => new ColumnRef(p.remote, secondary).eq(values[i] as never));
  conds.push(prop.targetCondition(secondary, prop.target.table));
  if (prop.extraCriteria) conds.push(prop.extraCriteria);
  return new Select({ columns: [new TextClause('1')], from: [secondary], where: and_(...conds) }).exists();
}

function recordAdd(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  refuseViewonly(prop, 'add');
  const changes = owner.collectionChangesFor(prop.key);
  if (changes.removed.has(item)) changes.removed.delete(item);
  else changes.added.add(item);
  owner.session?.noteChanged(owner);
  if (prop.reverse) prop.reverse.attachQuietly(stateOf(item)!, owner.obj);
}

function recordRemove(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  refuseViewonly(prop, 'remove');
  const changes = owner.collectionChangesFor(prop.key);
  if (changes.added.has(item)) changes.added.delete(item);
  else changes.removed.add(item);
  owner.session?.noteChanged(owner);
  if (prop.reverse) prop.reverse.detachQuietly(stateOf(item)!, owner.obj);
}

function refuseViewonly(prop: RelationshipProperty, method: string): void {
  if (prop.viewonly)
    throw new InvalidRequestError(`${prop.name} is viewonly: ${method}() would never be written; drop viewonly: true`);
}

/**
 * `owner.posts = [...]`: a new owner (transient or pending) is given these members, as adding
 * each; a persistent owner's collection would have to be loaded to know what the list replaces.
 */
export function assignWriteOnly(prop: RelationshipProperty, owner: InstanceState, value: unknown): void {
  if (!Array.isArray(value))
    throw new ArgumentError(`${prop.name} is a collection: assign an array of ${prop.target.name}`);
  if (owner.status !== 'transient' && owner.status !== 'pending')
    throw new InvalidRequestError(
      `${prop.name} is a writeOnly collection: it cannot be replaced on a persistent ${prop.parent.name} ` +
        `(that would load it whole); use ${lowerFirst(prop.parent.name)}.${prop.key}.add() and .remove()`,
    );
  value.forEach((v) => prop.checkMember(v));
  const changes = owner.collectionChangesFor(prop.key);
  for (const item of [...changes.added]) if (!value.includes(item)) recordRemove(prop, owner, item);
  for (const item of value as object[]) if (!changes.added.has(item)) recordAdd(prop, owner, item);
}

/**
 * Backref sync into a write-only collection (`post.author = user`): nothing to hold in memory,
 * the flush writes the other side's key. An earlier add() or remove() of the same object is undone,
 * so the two sides do not disagree.
 */
export function attachToWriteOnly(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  owner.collectionChanges?.get(prop.key)?.removed.delete(item);
}

/** Backref sync out of a write-only collection (`post.author = other`): undoes a pending add(). */
export function detachFromWriteOnly(prop: RelationshipProperty, owner: InstanceState, item: object): void {
  owner.collectionChanges?.get(prop.key)?.added.delete(item);
}

/** The objects added to `st`'s write-only collections since its last flush, for the save-update cascade. */
export function writeOnlyAdded(st: InstanceState): object[] {
  const out: object[] = [];
  for (const [key, ch] of st.collectionChanges ?? []) {
    if (st.mapper.relationships.get(key)?.lazy === 'writeOnly') out.push(...ch.added);
  }
  return out;
}

/** Refuses a load of the whole collection (an internal path that would, e.g. a delete cascade). */
export function refuseFullLoad(prop: RelationshipProperty, why: string): never {
  throw new InvalidRequestError(
    `${prop.name} is a writeOnly collection: ${why} would load all its ${prop.target.name} rows, which it never does`,
  );
}

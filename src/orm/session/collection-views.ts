/**
 * The instance values of `collection: 'set'` and `collection: keyedBy(...)` relationships: a real
 * Set / Map over the relationship's loaded InstrumentedList. The list stays what the session,
 * loaders, backrefs and the flush work with; these views read it live and change it only through
 * its instrumented methods, so tracking, validators, events, backrefs and cascades are the list's.
 */
import { ArgumentError } from '../../sql/errors.js';
import { describeValue } from '../../sql/options.js';
import { keyOfMember } from '../mapping/collection-class.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { INSPECT, inspectCollection, type InspectFn } from '../serialization/inspect.js';
import { serializeView } from '../serialization/serialize.js';
import { InstrumentedList } from './collections.js';
import { InstrumentedMap, propOf, sameKey } from './keyed-collection.js';
import type { Mapper } from '../mapping/mapper.js';
import { STATE, type InstanceState } from './state.js';

/**
 * A loaded `collection: 'set'` relationship (`user.tags`): a Set whose `add`, `delete` and `clear`
 * record the change for the next flush and update the other side at once, as an array
 * collection's `push`/`splice` do. Adding a member already there does nothing.
 *
 * @example
 * ```ts
 * import { InstrumentedSet } from 'relata';
 *
 * class Shelf extends db.Model('Shelf', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   books: db.relationship<Book>('Book', { collection: 'set' }),
 * }) {}
 * class Book extends db.Model('Book', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   shelfId: db.Column(db.Integer, db.ForeignKey('shelf.id')),
 * }) {}
 * const books = await new Shelf().books; // Set<Book>
 * console.log(books instanceof InstrumentedSet, books instanceof Set); // true true
 * books.add(new Book()); // its shelf_id is written at flush
 * ```
 */
export class InstrumentedSet<T extends object> extends Set<T> {
  #list: InstrumentedList<T>;
  /** The members as a Set, and the list version it was taken at: `has` in constant time. */
  #members: Set<T> | null = null;
  #version = -1;

  /** @internal The Set view of `list`; use {@link collectionValue}. */
  constructor(list: InstrumentedList<T>) {
    super();
    this.#list = list;
  }

  override get size(): number {
    return this.#list.length;
  }

  #current(): Set<T> {
    const version = InstrumentedList.versionOf(this.#list as InstrumentedList<object>);
    if (this.#members === null || this.#version !== version) {
      this.#members = new Set(this.#list);
      this.#version = version;
    }
    return this.#members;
  }

  override has(item: T): boolean {
    return this.#current().has(item);
  }

  override add(item: T): this {
    propOf(this.#list as InstrumentedList<object>).checkWritable('changed (add)');
    const members = this.#current();
    if (members.has(item)) return this; // as SQLAlchemy's set: no append event for a member already there
    const added = this.#list.appendUnique(item, (value) => members.has(value));
    // Only this append changed the list: keep the index.
    if (added !== null && InstrumentedList.versionOf(this.#list as InstrumentedList<object>) === this.#version + 1) {
      members.add(added);
      this.#version++;
    }
    return this;
  }

  override delete(item: T): boolean {
    propOf(this.#list as InstrumentedList<object>).checkWritable('changed (delete)');
    return this.#list.remove(item);
  }

  /** Removes every member (each recorded, as `delete` would). */
  override clear(): void {
    propOf(this.#list as InstrumentedList<object>).checkWritable('changed (clear)');
    this.#list.splice(0);
  }

  // Iteration runs over a copy, so deleting members while iterating (allowed on a Set) skips none.
  override values(): SetIterator<T> {
    return this.#list.slice().values();
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override entries(): SetIterator<[T, T]> {
    return this.#list.map((m): [T, T] => [m, m]).values();
  }

  /** The members, in the order they joined (loaded in the relationship's `orderBy`). */
  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(fn: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const item of this.values()) fn.call(thisArg, item, item, this);
  }

  /** The members as JSON: an array, as a list collection's. */
  toJSON(): unknown[] {
    return serializeView(this) as unknown[];
  }

  /** console.log / util.inspect: `User.tags Set (2) [ Tag { … }, … ]`, each member a one-line summary. */
  [INSPECT](depth: number, options: object, inspect: InspectFn): string {
    return inspectCollection(
      this.#list,
      `${propOf(this.#list as InstrumentedList<object>).name} Set`,
      depth,
      options,
      inspect,
    );
  }

  /** @internal The list this view is over. */
  static listOf(set: InstrumentedSet<object>): InstrumentedList<object> {
    return set.#list;
  }
}

// Set methods newer than the lib we compile against (union, isSubsetOf…) read a Set's internal
// storage, which a view leaves empty: run them on a copy of the members instead.
const SET_ALGEBRA = [
  'union',
  'intersection',
  'difference',
  'symmetricDifference',
  'isSubsetOf',
  'isSupersetOf',
  'isDisjointFrom',
];
for (const name of SET_ALGEBRA) {
  const native = (Set.prototype as unknown as Record<string, unknown>)[name];
  if (typeof native !== 'function') continue;
  Object.defineProperty(InstrumentedSet.prototype, name, {
    configurable: true,
    writable: true,
    value(this: InstrumentedSet<object>, other: unknown) {
      return (native as (o: unknown) => unknown).call(new Set(this.values()), other);
    },
  });
}

const views = new WeakMap<InstrumentedList<object>, InstrumentedSet<object> | InstrumentedMap<unknown, object>>();

/**
 * What reading a loaded relationship gives: its list, or for a Set or keyed collection the view
 * over it (one per list, so `user.tags === user.tags` until it is loaded or assigned again).
 */
export function collectionValue(prop: RelationshipProperty, value: unknown): unknown {
  const c = prop.collectionClass;
  if (c === 'list' || !(value instanceof InstrumentedList)) return value;
  const list = value as InstrumentedList<object>;
  let view = views.get(list);
  if (!view) {
    view = c === 'set' ? new InstrumentedSet(list) : new InstrumentedMap(list, c);
    views.set(list, view);
  }
  return view;
}

/** The list behind a Set or Map view, else `value` itself (serialize() of a collection). */
export function listBehind(value: unknown): unknown {
  if (value instanceof InstrumentedSet) return InstrumentedSet.listOf(value as InstrumentedSet<object>);
  if (value instanceof InstrumentedMap) return InstrumentedMap.listOf(value as InstrumentedMap<unknown, object>);
  return value;
}

/**
 * The members an assignment gives (`user.tags = new Set([...])`, `author.notes = new Map(...)`), as
 * the array the relationship's assignment works with: each once; a Map's keys must be its members' own.
 */
export function assignedMembers(prop: RelationshipProperty, value: unknown): unknown {
  const c = prop.collectionClass;
  if (c === 'list') return value;
  if (Array.isArray(value)) return [...new Set(value)];
  if (c === 'set') {
    if (value instanceof Set) return [...(value as Set<unknown>)];
    throw new ArgumentError(`${prop.name} is a Set collection: assign a Set (or an array) of ${prop.target.name}`);
  }
  if (!(value instanceof Map))
    throw new ArgumentError(`${prop.name} is a keyed collection: assign a Map (or an array) of ${prop.target.name}`);
  const members: object[] = [];
  for (const [key, member] of value as Map<unknown, object>) {
    prop.checkMember(member);
    const own = keyOfMember(prop, c, member);
    if (!sameKey(own, key))
      throw new ArgumentError(
        `${prop.name} is keyed by ${c.describe(prop.target.name)}: the assigned Map holds under ${describeValue(key)} ` +
          `a ${prop.target.name} whose key is ${describeValue(own)}`,
      );
    members.push(member);
  }
  return members;
}

/**
 * The instance accessor of a Set or keyed relationship: the view over its list once loaded (or
 * for a new object), else the awaitable placeholder, which resolves to the view.
 */
export function installCollectionView(mapper: Mapper, prop: RelationshipProperty): void {
  const key = prop.key;
  Object.defineProperty(mapper.base.prototype, key, {
    enumerable: true,
    configurable: true,
    get(this: { [STATE]: InstanceState }) {
      const st = this[STATE];
      if (st.rel !== null && key in st.rel) return collectionValue(prop, st.rel[key]);
      if (st.status === 'transient' || st.status === 'pending') {
        mapper.registry.configure();
        return collectionValue(prop, prop.currentValue(st, 'read'));
      }
      return collectionValue(prop, prop.unloaded(st));
    },
    set(this: { [STATE]: InstanceState }, value: unknown) {
      prop.set(this[STATE], value);
    },
  });
}

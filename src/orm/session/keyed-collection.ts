/**
 * The instance value of a `collection: keyedBy(...)` relationship: a Map over the relationship's
 * loaded InstrumentedList, keyed by each member's own key (collection-class.ts), with an index it
 * keeps while the list is unchanged. Changes go through the list's instrumented methods.
 */
import { ArgumentError } from '../../sql/errors.js';
import { describeValue } from '../../sql/options.js';
import { indexByKey, keyOfMember, type KeyedBy } from '../mapping/collection-class.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { INSPECT, inspectCollection, type InspectFn } from '../serialization/inspect.js';
import { serializeView } from '../serialization/serialize.js';
import { InstrumentedList } from './collections.js';

/** Whose collection a list is (what the Set and Map views name in errors). */
export function propOf(list: InstrumentedList<object>): RelationshipProperty {
  return InstrumentedList.originOf(list).prop;
}

/**
 * A loaded `collection: keyedBy(...)` relationship (`author.notes`): a Map from each member's key to
 * the member. `set(key, member)` adds the member (replacing, and removing, the one under that key);
 * `delete(key)` and `clear()` remove. Changes are recorded for the next flush and update the other
 * side at once. The key is always read from the member: `set` refuses a key that is not the
 * member's own, and setting nothing on it.
 *
 * @example
 * ```ts
 * import { InstrumentedMap, keyedBy } from 'relata';
 *
 * class Author extends db.Model('Author', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   notes: db.relationship<Note, 'lang'>('Note', { collection: keyedBy('lang') }),
 * }) {}
 * class Note extends db.Model('Note', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   authorId: db.Column(db.Integer, db.ForeignKey('author.id')),
 *   lang: db.Column(db.String(8), { nullable: false }),
 * }) {}
 * const notes = await new Author({ notes: new Map([['en', new Note({ lang: 'en' })]]) }).notes;
 * console.log(notes instanceof InstrumentedMap, notes.get('en')?.lang); // true 'en'
 * notes.set('fr', new Note({ lang: 'fr' }));
 * ```
 */
export class InstrumentedMap<K, T extends object> extends Map<K, T> {
  #list: InstrumentedList<T>;
  #by: KeyedBy;
  /** The index by key, the key of each list position, and the list version they were taken at. */
  #index_: Map<K, T> | null = null;
  #keys: unknown[] = [];
  #version = -1;

  /** @internal The Map view of `list`; use {@link collectionValue}. */
  constructor(list: InstrumentedList<T>, by: KeyedBy) {
    super();
    this.#list = list;
    this.#by = by;
  }

  /** The index read afresh from the members' keys (iteration and size always see current keys). */
  #index(): Map<K, T> {
    const list = this.#list as InstrumentedList<object>;
    const prop = propOf(list);
    this.#index_ = indexByKey(prop, this.#by, list) as Map<K, T>;
    this.#keys = list.map((m) => keyOfMember(prop, this.#by, m));
    this.#version = InstrumentedList.versionOf(list);
    return this.#index_;
  }

  /**
   * The member under `key` from the kept index, while the members are the same (a hit is checked
   * against its member's key); null when the index must be read again.
   */
  #kept(key: K): T | undefined | null {
    const list = this.#list as InstrumentedList<object>;
    if (this.#index_ === null || this.#version !== InstrumentedList.versionOf(list)) return null;
    const hit = this.#index_.get(key);
    if (hit === undefined || sameKey(keyOfMember(propOf(list), this.#by, hit), key)) return hit;
    return null;
  }

  /** The member under `key`; a miss is checked against every member's key (one may have changed in place). */
  #find(key: K): T | undefined {
    const kept = this.#kept(key);
    if (kept === null) return this.#index().get(key);
    if (kept !== undefined) return kept;
    const list = this.#list as InstrumentedList<object>;
    const prop = propOf(list);
    for (let i = 0; i < list.length; i++)
      if (!sameKey(keyOfMember(prop, this.#by, list[i]!), this.#keys[i])) return this.#index().get(key);
    return undefined;
  }

  override get size(): number {
    return this.#index().size;
  }

  override get(key: K): T | undefined {
    return this.#find(key);
  }

  override has(key: K): boolean {
    return this.#find(key) !== undefined;
  }

  override set(key: K, member: T): this {
    const prop = propOf(this.#list as InstrumentedList<object>);
    prop.checkWritable('changed (set)');
    prop.checkMember(member);
    const own = keyOfMember(prop, this.#by, member);
    if (!sameKey(own, key))
      throw new ArgumentError(
        `${prop.name} is keyed by ${this.#by.describe(prop.target.name)}: set(${describeValue(key)}, member) got a ` +
          `${prop.target.name} whose key is ${describeValue(own)}; set the member's key first (Relata does not set it for you)`,
      );
    // A miss is not checked against every member here: one re-keyed in place to `key` makes two
    // members under it, which the next read reports (DuplicateKeyError), so a set() loop stays linear.
    const kept = this.#kept(key);
    const current = kept === null ? this.#index().get(key) : kept;
    if (current === member) return this;
    if (current !== undefined) {
      this.#list.splice(this.#list.indexOf(current), 1, member);
      return this;
    }
    this.#list.push(member);
    // Only this push changed the list, and the member is the one pushed: keep the index.
    const list = this.#list as InstrumentedList<object>;
    if (InstrumentedList.versionOf(list) === this.#version + 1 && list[list.length - 1] === member) {
      this.#index_!.set(key, member);
      this.#keys.push(key);
      this.#version++;
    }
    return this;
  }

  override delete(key: K): boolean {
    propOf(this.#list as InstrumentedList<object>).checkWritable('changed (delete)');
    const current = this.#find(key);
    return current !== undefined && this.#list.remove(current);
  }

  /** Removes every member (each recorded, as `delete` would). */
  override clear(): void {
    propOf(this.#list as InstrumentedList<object>).checkWritable('changed (clear)');
    this.#list.splice(0);
  }

  override entries(): MapIterator<[K, T]> {
    return this.#index().entries();
  }

  override keys(): MapIterator<K> {
    return this.#index().keys();
  }

  override values(): MapIterator<T> {
    return this.#index().values();
  }

  /** `[key, member]` pairs, in the order the members joined. */
  override [Symbol.iterator](): MapIterator<[K, T]> {
    return this.entries();
  }

  override forEach(fn: (value: T, key: K, map: Map<K, T>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }

  /** The members as JSON: an object from each key (as a string) to the member's JSON. */
  toJSON(): Record<string, unknown> {
    return serializeView(this) as Record<string, unknown>;
  }

  /** console.log / util.inspect: `Author.notes Map (2) [ Note { … }, … ]`, each member a one-line summary. */
  [INSPECT](depth: number, options: object, inspect: InspectFn): string {
    return inspectCollection(
      this.#list,
      `${propOf(this.#list as InstrumentedList<object>).name} Map`,
      depth,
      options,
      inspect,
    );
  }

  /** @internal The list this view is over. */
  static listOf(map: InstrumentedMap<unknown, object>): InstrumentedList<object> {
    return map.#list;
  }
}

/** Map key equality (SameValueZero). */
export function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * A loaded collection. It is a real array; its mutating methods also record the change for the
 * unit of work and update the other side of a bidirectional relationship at once.
 * (Assigning by index, `list[i] = x`, is not seen: use push/splice or assign a new array.)
 */
import type { InstanceState } from './state.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { serializeValue, type ListOrigin } from '../serialization/serialize.js';
import { inspectCollection, type InspectFn } from '../serialization/inspect.js';
import { validateRemoval, validated } from '../mapping/validators.js';

/**
 * A loaded collection (`user.posts` once loaded): a real array whose mutating methods (push, splice,
 * pop…) record the change for the next flush and update the other side of the relationship at once.
 * Assigning by index (`list[i] = x`) is not seen: use push/splice, or assign a new array.
 *
 * @example
 * ```ts
 * import { InstrumentedList } from 'relata';
 *
 * const tags = await post.tags;
 * console.log(tags instanceof InstrumentedList, Array.isArray(tags)); // true true
 * tags.push(tag); // the post_tags row is inserted at flush; tag.posts follows in memory
 * await session.commit();
 * ```
 */
export class InstrumentedList<T extends object> extends Array<T> {
  /** map/filter/slice return plain arrays, not collections. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  // Private fields: invisible to console.log, JSON, Object.keys and deep equality, like the
  // non-enumerable properties they replace, and four times cheaper to set than defineProperty.
  #owner!: InstanceState;
  #prop!: RelationshipProperty;
  /** Bumped by every change of the members, so a Set or Map view (collection-views.ts) knows its index is stale. */
  #version = 0;

  /** @internal A collection of `owner`'s relationship `prop`, holding `items`. */
  static of_<T extends object>(
    owner: InstanceState,
    prop: RelationshipProperty,
    items: readonly T[],
  ): InstrumentedList<T> {
    // Sized up front and filled by index: about 9x faster than push.apply onto an empty subclass
    // instance, and a load makes one list per parent. (`new Array(n)` with one number is a length.)
    const n = items.length;
    const list = new InstrumentedList<T>(n);
    for (let i = 0; i < n; i++) list[i] = items[i]!;
    list.#owner = owner;
    list.#prop = prop;
    return list;
  }

  /** @internal How many times the members changed: an index over them is current while this is. */
  static versionOf(list: InstrumentedList<object>): number {
    return list.#version;
  }

  /** @internal Whose collection this is, for serializing it as seen from its owner. */
  static originOf(list: InstrumentedList<object>): ListOrigin {
    return { owner: list.#owner, prop: list.#prop };
  }

  /**
   * The members as JSON (what `JSON.stringify(user.posts)` prints): each one's columns and loaded
   * relationships, leaving out the owner and the reverse side (`author`), as `serialize` does.
   */
  toJSON(): unknown[] {
    return serializeValue(this, {}, { owner: this.#owner, prop: this.#prop }) as unknown[];
  }

  /** console.log / util.inspect: `User.posts (2) [ Post { id: 1, … }, … ]`, each member a one-line summary. */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: object, inspect: InspectFn): string {
    return inspectCollection(this, this.#prop.name, depth, options, inspect);
  }

  /** @internal Appends without recording a change (loading, backref sync). */
  appendQuietly(item: T): void {
    if (this.includes(item)) return;
    this.#version++;
    Array.prototype.push.call(this, item);
  }

  /** @internal Removes without recording a change (backref sync). */
  removeQuietly(item: T): void {
    const i = this.indexOf(item);
    if (i < 0) return;
    this.#version++;
    Array.prototype.splice.call(this, i, 1);
  }

  /**
   * @internal A Set view's add: the validated value (a validator may return another object, such as
   * an existing one) joins only when `isMember` says it is not there yet. Returns it, or null.
   */
  appendUnique(given: T, isMember: (item: T) => boolean): T | null {
    const [item] = this.#validatedAppends([given]);
    this.#prop.checkMember(item);
    if (isMember(item!)) return null;
    this.#version++;
    super.push(item!);
    this.#prop.onAppend(this.#owner, item!);
    return item!;
  }

  override push(...given: T[]): number {
    this.#prop.checkWritable('changed (push)');
    const items = this.#validatedAppends(given);
    for (const item of items) this.#prop.checkMember(item);
    this.#version++;
    const n = super.push(...items);
    for (const item of items) this.#prop.onAppend(this.#owner, item);
    return n;
  }

  override unshift(...given: T[]): number {
    this.#prop.checkWritable('changed (unshift)');
    const items = this.#validatedAppends(given);
    for (const item of items) this.#prop.checkMember(item);
    this.#version++;
    const n = super.unshift(...items);
    for (const item of items) this.#prop.onAppend(this.#owner, item);
    return n;
  }

  override pop(): T | undefined {
    this.#prop.checkWritable('changed (pop)');
    if (this.length) this.#validateRemovals([this[this.length - 1]!]);
    this.#version++;
    const item = super.pop();
    if (item) this.#prop.onRemove(this.#owner, item);
    return item;
  }

  override shift(): T | undefined {
    this.#prop.checkWritable('changed (shift)');
    if (this.length) this.#validateRemovals([this[0]!]);
    this.#version++;
    const item = super.shift();
    if (item) this.#prop.onRemove(this.#owner, item);
    return item;
  }

  override splice(start: number, deleteCount?: number, ...given: T[]): T[] {
    this.#prop.checkWritable('changed (splice)');
    if (this.#prop.parent.hooks !== null) {
      const from = start < 0 ? Math.max(this.length + start, 0) : Math.min(start, this.length);
      const count = deleteCount === undefined ? this.length - from : Math.max(0, deleteCount);
      this.#validateRemovals(Array.prototype.slice.call(this, from, from + count) as T[]);
    }
    const items = this.#validatedAppends(given);
    for (const item of items) this.#prop.checkMember(item);
    this.#version++;
    const removed = deleteCount === undefined ? super.splice(start) : super.splice(start, deleteCount, ...items);
    for (const item of removed) this.#prop.onRemove(this.#owner, item);
    for (const item of items) this.#prop.onAppend(this.#owner, item);
    return removed;
  }

  /** What the collection's validator (db.validates) makes of objects about to join it. */
  #validatedAppends(items: T[]): T[] {
    const mapper = this.#prop.parent;
    if (mapper.hooks === null) return items;
    const owner = this.#owner.obj;
    return items.map((item) => validated(mapper, this.#prop.key, item, owner, 'append') as T);
  }

  /** The collection's removal validator (includeRemoves) for objects about to leave it: a throw keeps them. */
  #validateRemovals(items: readonly T[]): void {
    const mapper = this.#prop.parent;
    if (mapper.hooks === null) return;
    for (const item of items) validateRemoval(mapper, this.#prop.key, item, this.#owner.obj);
  }

  /** Removes `item` if present (SQLAlchemy's `collection.remove`). Returns whether it was there. */
  remove(item: T): boolean {
    const i = this.indexOf(item);
    if (i < 0) return false;
    this.splice(i, 1);
    return true;
  }
}

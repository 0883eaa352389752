/**
 * A Map for row keys: the identity map of one model in one session (primary key → the one object
 * for that row), and the grouping of related rows by their parent's key during a load.
 *
 * Most tables have small non-negative integer keys. Those live in an array, which V8 keeps dense:
 * filling it with 10,000 keys takes about 45 µs where a Map takes 900 µs (rehashing as it grows),
 * and that was the largest single cost of loading rows. Every other key (strings, composite keys,
 * negative or fractional numbers, and integers far past the array's end, which would turn the array
 * into a slow dictionary) lives in a Map. A key is only ever in one of the two.
 */
import type { InstanceState } from './state.js';

/** How far past its end the array may be written before V8 turns it into a dictionary (its kMaxGap is 1024). */
const MAX_GAP = 1000;

export class KeyMap<V> {
  /** dense[i] holds key base + i. */
  private readonly dense: (V | undefined)[] = [];
  /** Set by the first integer key, a little below it, so tables whose ids start high use the array too. */
  private base = -1;
  private denseCount = 0;
  /** Made on first use: most maps (a lazy load's, a table with integer keys) never need one. */
  private sparse: Map<unknown, V> | null = null;

  get(key: unknown): V | undefined {
    const i = this.index(key);
    if (i >= 0 && i < this.dense.length) {
      const v = this.dense[i];
      if (v !== undefined) return v;
    }
    return this.sparse === null ? undefined : this.sparse.get(key);
  }

  set(key: unknown, value: V): void {
    if (this.base < 0 && typeof key === 'number' && key >>> 0 === key) this.base = Math.max(0, key - MAX_GAP);
    const i = this.index(key);
    if (i >= 0 && i <= this.dense.length + MAX_GAP && (this.sparse === null || !this.sparse.has(key))) {
      if (this.dense[i] === undefined) this.denseCount++;
      this.dense[i] = value;
    } else {
      (this.sparse ??= new Map()).set(key, value);
    }
  }

  delete(key: unknown): boolean {
    const i = this.index(key);
    if (i >= 0 && i < this.dense.length && this.dense[i] !== undefined) {
      this.dense[i] = undefined;
      this.denseCount--;
      return true;
    }
    return this.sparse !== null && this.sparse.delete(key);
  }

  /** The array index for `key`, or -1 when it is not a non-negative integer at or above the base. */
  private index(key: unknown): number {
    if (typeof key !== 'number' || key >>> 0 !== key || this.base < 0) return -1;
    return key - this.base;
  }

  get size(): number {
    return this.denseCount + (this.sparse?.size ?? 0);
  }

  /** Calls `fn` with every value (a loop, not a generator: closing a session visits every object). */
  forEach(fn: (value: V) => void): void {
    const dense = this.dense;
    for (let i = 0; i < dense.length; i++) {
      const v = dense[i];
      if (v !== undefined) fn(v);
    }
    this.sparse?.forEach((v) => fn(v));
  }
}

/** One model's identity map in one session. */
export type IdentityMap = KeyMap<InstanceState>;

/**
 * The identity map of one model in one session: primary key → the one object for that row.
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

export class IdentityMap {
  private readonly dense: (InstanceState | undefined)[] = [];
  private denseCount = 0;
  private readonly sparse = new Map<unknown, InstanceState>();

  get(key: unknown): InstanceState | undefined {
    if (typeof key === 'number' && key < this.dense.length && key >>> 0 === key) {
      const st = this.dense[key];
      if (st !== undefined) return st;
    }
    return this.sparse.size === 0 ? undefined : this.sparse.get(key);
  }

  set(key: unknown, state: InstanceState): void {
    if (this.fitsDense(key) && (this.sparse.size === 0 || !this.sparse.has(key))) {
      if (this.dense[key] === undefined) this.denseCount++;
      this.dense[key] = state;
    } else {
      this.sparse.set(key, state);
    }
  }

  delete(key: unknown): boolean {
    if (typeof key === 'number' && key < this.dense.length && key >>> 0 === key && this.dense[key] !== undefined) {
      this.dense[key] = undefined;
      this.denseCount--;
      return true;
    }
    return this.sparse.delete(key);
  }

  get size(): number {
    return this.denseCount + this.sparse.size;
  }

  *values(): IterableIterator<InstanceState> {
    for (const st of this.dense) if (st !== undefined) yield st;
    yield* this.sparse.values();
  }

  private fitsDense(key: unknown): key is number {
    return typeof key === 'number' && key >>> 0 === key && key <= this.dense.length + MAX_GAP;
  }
}

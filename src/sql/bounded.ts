/**
 * The compiled caches (statement shapes, INSERT texts, ORM loads) keep a bounded number of entries:
 * an application that builds endless distinct SQL must not grow them forever. When one is full, the
 * oldest entry makes room, as a Map remembers insertion order.
 */

/** SQLAlchemy's default compiled-cache size. */
export const COMPILED_CACHE_SIZE = 500;

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.capacity && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

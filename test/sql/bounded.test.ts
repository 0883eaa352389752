/** BoundedMap: the compiled caches' store, bounded by dropping the oldest entry. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/sql/bounded.js';

describe('BoundedMap', () => {
  it('drops the oldest entry when full, and replacing a key drops nothing', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('b', 3);
    expect([m.get('a'), m.get('b'), m.size]).toEqual([1, 3, 2]);
    m.set('c', 4);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([undefined, 3, 4, 2]);
    m.clear();
    expect(m.size).toBe(0);
  });
});

/** KeyMap (identity maps, load grouping): small integer keys in an array, every other key in a Map, each key in exactly one. */
import { describe, expect, it } from 'vitest';
import { KeyMap } from '../../src/orm/session/keymap.js';
import type { InstanceState } from '../../src/orm/session/state.js';

const values = (m: KeyMap<InstanceState>) => {
  const out: InstanceState[] = [];
  m.forEach((v) => out.push(v));
  return out;
};
const st = (name: string) => ({ name }) as unknown as InstanceState;

describe('KeyMap', () => {
  it('finds every kind of key it was given, and only those', () => {
    const m = new KeyMap<InstanceState>();
    const keys: unknown[] = [1, 0, 2, 5000, 10_000_000, -3, 1.5, 'a', 'n1\u0000s2', 2 ** 40];
    keys.forEach((k, i) => m.set(k, st(`s${i}`)));
    keys.forEach((k, i) => expect(m.get(k)).toEqual({ name: `s${i}` }));
    for (const absent of [3, 4999, 6, '1', 'b', -1, 2.5]) expect(m.get(absent)).toBeUndefined();
    expect(m.size).toBe(keys.length);
    expect(
      values(m)
        .map((s) => (s as unknown as { name: string }).name)
        .sort(),
    ).toEqual(keys.map((_, i) => `s${i}`).sort());
  });

  it('keeps a key where it first went, even once the array has grown past it', () => {
    const m = new KeyMap<InstanceState>();
    m.set(1500, st('far')); // beyond the array's reach: kept in the Map
    for (let k = 0; k < 2000; k++) if (k !== 1500) m.set(k, st(`k${k}`));
    expect(m.get(1500)).toEqual({ name: 'far' });
    m.set(1500, st('far again')); // replaced in place, not added to the array beside it
    expect(m.get(1500)).toEqual({ name: 'far again' });
    expect(m.size).toBe(2000);
    expect(m.delete(1500)).toBe(true);
    expect(m.get(1500)).toBeUndefined();
    expect(m.size).toBe(1999);
  });

  it('keys that start high, and keys below where they started, are all found', () => {
    const m = new KeyMap<InstanceState>();
    for (let k = 1_000_000; k < 1_003_000; k++) m.set(k, st(`k${k}`));
    m.set(5, st('low'));
    m.set(999_500, st('just below'));
    expect(m.get(1_000_000)).toEqual({ name: 'k1000000' });
    expect(m.get(1_002_999)).toEqual({ name: 'k1002999' });
    expect(m.get(5)).toEqual({ name: 'low' });
    expect(m.get(999_500)).toEqual({ name: 'just below' });
    expect(m.get(999_501)).toBeUndefined();
    expect(m.get(1_003_000)).toBeUndefined();
    expect(m.size).toBe(3002);
    expect(m.delete(5)).toBe(true);
    expect(m.delete(1_000_001)).toBe(true);
    expect(m.get(1_000_001)).toBeUndefined();
    expect(m.size).toBe(3000);
  });

  it('deletes and re-adds keys, counting each once', () => {
    const m = new KeyMap<InstanceState>();
    m.set(7, st('a'));
    m.set(7, st('b'));
    m.set('x', st('c'));
    expect(m.size).toBe(2);
    expect(m.delete(7)).toBe(true);
    expect(m.delete(7)).toBe(false);
    expect(m.delete('x')).toBe(true);
    expect(m.size).toBe(0);
    expect(values(m)).toEqual([]);
    m.set(7, st('d'));
    expect(m.get(7)).toEqual({ name: 'd' });
    expect(m.size).toBe(1);
  });
});

/**
 * A session's identity map: one IdentityMap (primary key → the one object for that row) per model.
 * Apart from the Session so that what reads or changes every object of a session (close(), and later
 * expireAll()) has one place to go through.
 */
import type { Mapper } from '../mapping/mapper.js';
import { KeyMap, type IdentityMap } from './keymap.js';
import type { InstanceState } from './state.js';

export class IdentityMaps {
  private readonly maps = new Map<Mapper, IdentityMap>();

  /** The identity map of one model, made on first use. */
  of(mapper: Mapper): IdentityMap {
    let m = this.maps.get(mapper);
    if (!m) this.maps.set(mapper, (m = new KeyMap<InstanceState>()));
    return m;
  }

  /** The identity map of one model, if any of its objects were loaded. */
  loaded(mapper: Mapper): IdentityMap | undefined {
    return this.maps.get(mapper);
  }

  /** Takes `st` out of its model's map, unless another object holds its key there. */
  remove(st: InstanceState): void {
    const m = this.maps.get(st.mapper);
    if (m && m.get(st.key) === st) m.delete(st.key);
  }

  /** How many objects the maps hold. */
  get size(): number {
    let n = 0;
    for (const m of this.maps.values()) n += m.size;
    return n;
  }

  /** Calls `fn` for every object, model by model. */
  forEach(fn: (st: InstanceState) => void): void {
    for (const m of this.maps.values()) m.forEach(fn);
  }

  /** Forgets every model's map. */
  clear(): void {
    this.maps.clear();
  }
}

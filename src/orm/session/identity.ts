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

  /**
   * The identity map of one model, made on first use. The classes of an inheritance hierarchy share
   * their root's: one object per base primary key (SQLAlchemy's identity key is the base mapper's).
   */
  of(mapper: Mapper): IdentityMap {
    const root = mapper.inheritance.root;
    let m = this.maps.get(root);
    if (!m) this.maps.set(root, (m = new KeyMap<InstanceState>()));
    return m;
  }

  /** The identity map of one model (its hierarchy's), if any of its objects were loaded. */
  loaded(mapper: Mapper): IdentityMap | undefined {
    return this.maps.get(mapper.inheritance.root);
  }

  /** Takes `st` out of its model's map, unless another object holds its key there. */
  remove(st: InstanceState): void {
    const m = this.maps.get(st.mapper.inheritance.root);
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

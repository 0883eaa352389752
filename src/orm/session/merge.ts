/**
 * session.merge(obj) (SQLAlchemy's Session.merge): the state of an object this session does not hold
 * (detached, transient, or another session's) copied onto the one object this session holds for that
 * row, which is returned; the given object is only read, never attached. The row's object comes from
 * the identity map, else one SELECT by key (none with `load: false`); no row, or no key, and a new
 * pending copy is returned instead, INSERTed at the next flush. Relationships with the `merge` cascade
 * (in the default 'save-update, merge') that are loaded on the given object are merged the same way.
 */
import { InvalidRequestError } from '../errors.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { requireState } from './lifecycle.js';
import { withoutAutoflush } from './refresh.js';
import type { Session } from './session.js';
import { InstanceState, STATE, stateOf } from './state.js';

/**
 * How session.merge() finds the row's object.
 *
 * @example
 * ```ts
 * import type { MergeOptions } from 'relata';
 *
 * const options: MergeOptions = { load: false };
 * const cached = (await db.newSession().query(User).first())!;
 * const mine = await db.session.merge(cached, options); // no SQL
 * ```
 */
export interface MergeOptions {
  /**
   * `true` (default): from the identity map, else one SELECT by primary key, and what differs is
   * written at the next flush. `false`: no SQL; the given object is taken to be the row as it is in
   * the database (it must have no unflushed changes), as when caching objects between requests.
   */
  load?: boolean;
}

/** The whole merge of `obj`, related objects included, each merged once. */
export async function mergeObject(session: Session, obj: object, options: MergeOptions): Promise<object> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidRequestError('session.merge(): options must be an object ({ load?: boolean })');
  if (options.load !== undefined && typeof options.load !== 'boolean')
    throw new InvalidRequestError(`session.merge(): option load must be a boolean, got ${typeof options.load}`);
  const st = requireState(obj, 'merge');
  const merge = new Merge(session, options.load ?? true);
  // As SQLAlchemy: flush once before loading, then none while objects are half merged.
  if (options.load !== false && session.autoflush && session.isDirty) await session.flush();
  return withoutAutoflush(session, () => merge.state(st));
}

class Merge {
  /** Given object → the object this session holds for it: cycles (post.author.posts) end here. */
  private readonly done = new Map<InstanceState, object>();

  constructor(
    private readonly session: Session,
    private readonly load: boolean,
  ) {}

  async state(src: InstanceState): Promise<object> {
    const known = this.done.get(src);
    if (known) return known;
    let target = src;
    if (src.session !== this.session) {
      if (!this.load) this.checkLoadFalse(src);
      target = await this.find(src);
    }
    this.done.set(src, target.obj);
    if (target !== src) this.copyColumns(src, target);
    for (const prop of src.mapper.relationships.values()) {
      if (prop.viewonly || !prop.cascade.has('merge') || !src.isLoaded(prop.key)) continue;
      await this.relationship(src, target, prop);
    }
    return target.obj;
  }

  /** The session's object for the row of `src`: from the identity map, loaded, or a new copy. */
  private async find(src: InstanceState): Promise<InstanceState> {
    const mapper = src.mapper;
    const key = mapper.keyFromValues(src.v);
    if (key !== undefined) {
      const held = this.session.identityMap(mapper).get(key);
      if (held && this.session.toDelete.has(held))
        throw new InvalidRequestError(`session.merge(): ${held} is marked for deletion in this session`);
      if (held) return held;
      if (this.load) {
        const id = mapper.primaryKey.length === 1 ? src.v[mapper.primaryKey[0]!.key] : primaryKeyOf(src);
        const loaded = await this.session.get(mapper.cls, id);
        if (loaded) return stateOf(loaded)!;
      }
    }
    const copy = newCopy(src);
    if (!this.load) copy.status = 'detached'; // add() below: persistent, unchanged
    this.session.add(copy.obj);
    return copy;
  }

  private checkLoadFalse(src: InstanceState): void {
    if (src.mapper.keyFromValues(src.v) === undefined || src.status === 'transient' || src.status === 'pending')
      throw new InvalidRequestError(
        `session.merge(${src}, { load: false }) takes an object read from the database (detached, or another session's); ` +
          'a new object has no row yet: merge it with load: true, or add() it',
      );
    if (src.hasChanges)
      throw new InvalidRequestError(
        `session.merge(${src}, { load: false }) copies the object as the database has it, but it has unflushed changes; ` +
          'commit them first, or merge with load: true so they are written',
      );
  }

  /** Column values the given object holds (not expired, not unset); with load, through the setters. */
  private copyColumns(src: InstanceState, target: InstanceState): void {
    const fresh = target.status === 'pending' || target.orig === null;
    for (const mc of src.mapper.columns) {
      if (mc.column.primaryKey) continue;
      const value = src.v[mc.key];
      if (value === undefined || sameValue(target.v[mc.key], value)) continue;
      if (this.load) {
        Reflect.set(target.obj, mc.key, value);
      } else {
        // load: false trusts the given object as the row: its values become the loaded ones.
        target.v[mc.key] = value;
        target.expired?.delete(mc.key);
        if (!fresh && target.orig) delete target.orig[mc.key];
      }
    }
    if (target.expired?.size === 0) target.expired = null;
    if (target.orig && Object.keys(target.orig).length === 0) target.orig = null;
  }

  private async relationship(src: InstanceState, target: InstanceState, prop: RelationshipProperty): Promise<void> {
    const value = src.rel![prop.key];
    let merged: object | object[] | null;
    if (prop.uselist) {
      const list: object[] = [];
      for (const item of value as object[]) list.push(await this.state(stateOf(item)!));
      merged = list;
    } else {
      merged = value ? await this.state(stateOf(value as object)!) : null;
    }
    if (target.isLoaded(prop.key) && sameMembers(target.rel![prop.key], merged)) return;
    if (this.load) Reflect.set(target.obj, prop.key, merged);
    else prop.setLoaded(target, merged);
  }
}

/** A new instance of `src`'s class holding its column values: transient, in no session. */
function newCopy(src: InstanceState): InstanceState {
  const obj = Object.create(Object.getPrototypeOf(src.obj) as object) as object;
  const values: Record<string, unknown> = {};
  for (const mc of src.mapper.columns) if (src.v[mc.key] !== undefined) values[mc.key] = src.v[mc.key];
  const st = new InstanceState(src.mapper, obj, values);
  (obj as { [STATE]: InstanceState })[STATE] = st;
  return st;
}

function primaryKeyOf(st: InstanceState): Record<string, unknown> {
  return Object.fromEntries(st.mapper.primaryKey.map((pk) => [pk.key, st.v[pk.key]]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
}

function sameMembers(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b;
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

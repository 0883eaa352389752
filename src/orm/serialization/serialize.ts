/**
 * Models to plain JSON values: the columns, plus the relationships that are loaded, never a cycle.
 *
 * The cycle rule: walking the graph depth first, an object already on the current path (the chain
 * of objects from the root down to here) is left out, and the reverse side of the relationship
 * just followed is not followed at all (a user's posts do not repeat `author`). Nothing is loaded:
 * only `InstanceState.rel` is read, so serializing never issues SQL.
 *
 * The walk keeps its own stack rather than recursing, so a 10,000-deep self-referential chain
 * (employee.reports.reports…) serializes without overflowing the call stack.
 */
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions, mustBe, nearest, type OptionTable } from '../../sql/options.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { InstrumentedList } from '../session/collections.js';
import { KeyedBy, keyOfMember } from '../mapping/collection-class.js';
import { listBehind } from '../session/collection-views.js';
import { stateOf, type InstanceState } from '../session/state.js';
import type { Serialized, SerializableKey, SerializedOmit, SerializedPick } from './serialized.js';

/**
 * What `serialize` accepts besides the value.
 *
 * @example
 * import { serialize, type SerializeOptions } from 'relata';
 *
 * const options: SerializeOptions = { omit: ['email'], depth: 1 };
 * serialize(user, options);
 */
export interface SerializeOptions {
  /** Only these attributes of the root object(s); relationships among them still only when loaded. */
  readonly pick?: readonly string[];
  /** Every attribute of the root object(s) but these. */
  readonly omit?: readonly string[];
  /** How many relationship levels to follow: 0 gives columns only. Unlimited by default. */
  readonly depth?: number;
}

/** A list whose elements came through relationship `prop` of `owner` (a loaded collection). */
export interface ListOrigin {
  readonly owner: InstanceState;
  readonly prop: RelationshipProperty;
}

type Json = Record<string, unknown>;

/** One object to serialize: where its JSON goes, and the relationship it was reached through. */
class Visit {
  constructor(
    readonly st: InstanceState,
    readonly via: RelationshipProperty | null,
    readonly depth: number,
    readonly into: Json | unknown[],
    readonly at: string | number,
    readonly filter: KeyFilter | null,
  ) {}
}

/** Which keys of a root object to keep. */
type KeyFilter = (key: string) => boolean;

const isAttributeNames = mustBe(
  'an array of attribute names',
  (v) => Array.isArray(v) && v.every((k) => typeof k === 'string'),
);

const serializeOptionTable = {
  known: {
    pick: isAttributeNames,
    omit: isAttributeNames,
    depth: mustBe(
      'a whole number ≥ 0',
      (v) => typeof v === 'number' && v >= 0 && (Number.isInteger(v) || v === Infinity),
    ),
  },
  refused: {},
} as const satisfies OptionTable<SerializeOptions>;

/**
 * A column value as JSON has it: bigints (and decimals, already strings) as strings, dates as ISO
 * strings, bytes as base64 (a Buffer's own toJSON gives `{ type, data: [...] }`, an array of numbers).
 */
function jsonColumn(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return base64(v);
  return v;
}

function base64(bytes: Uint8Array): string {
  if (typeof Buffer === 'function')
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary); // the browser build (SQLite compiled to WebAssembly) has no Buffer
}

/**
 * The plain JSON value of a model, or of an array of models (a loaded collection or a query's
 * result). `origin` says, for a loaded collection, whose relationship it is: its owner counts as
 * on the path and the reverse of that relationship is not followed.
 */
export function serializeValue(value: unknown, options: SerializeOptions = {}, origin: ListOrigin | null = null) {
  const depth = checkSerializeOptions(options);
  const root = { value: null as unknown };
  const path = new Set<object>();
  if (origin) path.add(origin.owner.obj);
  const stack: (Visit | object)[] = [];
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    root.value = out;
    const items = origin ? value.filter((x) => !path.has(x as object)) : value;
    for (let i = items.length - 1; i >= 0; i--) {
      const st = modelState(items[i], `serialize(): element ${i}`);
      stack.push(visit(st, origin?.prop ?? null, depth, out, i, options));
    }
    out.length = items.length;
  } else {
    const st = modelState(value, 'serialize()');
    stack.push(visit(st, null, depth, root, 'value', options));
  }
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (!(top instanceof Visit)) {
      path.delete(top);
      continue;
    }
    const out = enter(top, path, stack);
    (top.into as Json)[top.at] = out;
  }
  return root.value;
}

function visit(
  st: InstanceState,
  via: RelationshipProperty | null,
  depth: number,
  into: Json | unknown[],
  at: string | number,
  options: SerializeOptions | null,
): Visit {
  return new Visit(st, via, depth, into, at, options ? keyFilter(st, options) : null);
}

/**
 * Builds `v`'s object: its columns now, and for each loaded relationship a slot that the visits
 * pushed here fill in. Its exit marker (the object itself) goes under them, so it leaves the path
 * after its whole subtree.
 */
function enter(v: Visit, path: Set<object>, stack: (Visit | object)[]): Json {
  const { st, filter } = v;
  const out: Json = {};
  for (const c of st.mapper.columns) {
    // An unloaded (deferred) column is left out, as an unloaded relationship is.
    if ((filter === null || filter(c.key)) && !st.unloaded?.has(c.key)) out[c.key] = jsonColumn(st.v[c.key]);
  }
  const rel = st.rel;
  if (rel === null || v.depth <= 0) return out;
  path.add(st.obj);
  stack.push(st.obj);
  const children: Visit[] = [];
  for (const [name, prop] of st.mapper.relationships) {
    if (!(name in rel)) continue;
    // A polymorphic relationship's targets are one attribute: the one that is set (polymorphic.ts).
    const key = prop.polymorphic?.key ?? name;
    if ((filter !== null && !filter(key)) || (v.via !== null && v.via.reverse === prop)) continue;
    const related = rel[name];
    if (prop.polymorphic && !related) {
      if (!(key in out)) out[key] = null;
      continue;
    }
    if (prop.collectionClass instanceof KeyedBy) {
      out[key] = keyedJson(prop, prop.collectionClass, related as object[], path, children, v.depth - 1);
    } else if (Array.isArray(related)) {
      const list: unknown[] = [];
      for (const item of related as object[]) {
        if (path.has(item)) continue;
        children.push(visit(stateOf(item)!, prop, v.depth - 1, list, list.length, null));
        list.length++;
      }
      out[key] = list;
    } else if (related === null || related === undefined) {
      out[key] = null;
    } else if (!path.has(related as object)) {
      out[key] = null;
      children.push(visit(stateOf(related as object)!, prop, v.depth - 1, out, key, null));
    }
  }
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  return out;
}

/** A keyed collection's JSON: an object from each member's key (as a string) to its slot. */
function keyedJson(
  prop: RelationshipProperty,
  by: KeyedBy,
  members: readonly object[],
  path: Set<object>,
  children: Visit[],
  depth: number,
): Json {
  const out: Json = {};
  for (const item of members) {
    if (path.has(item)) continue;
    const key = String(keyOfMember(prop, by, item));
    out[key] = null;
    children.push(visit(stateOf(item)!, prop, depth, out, key, null));
  }
  return out;
}

/**
 * A loaded Set or keyed collection (collection-views.ts) as JSON: an array of its members, or an
 * object from each key (as a string) to its member; the owner and the reverse side left out.
 */
export function serializeView(
  view: ReadonlySet<unknown> | ReadonlyMap<unknown, unknown>,
  options: SerializeOptions = {},
) {
  const list = listBehind(view);
  if (!(list instanceof InstrumentedList))
    throw new ArgumentError(
      `serialize() takes a model instance, an array of them or a loaded collection, got a plain ${view instanceof Set ? 'Set' : 'Map'}: spread it into an array`,
    );
  const origin = InstrumentedList.originOf(list);
  const members = list.filter((m) => m !== origin.owner.obj);
  const json = serializeValue(members, options, origin) as unknown[];
  const by = origin.prop.collectionClass;
  if (!(by instanceof KeyedBy)) return json;
  return Object.fromEntries(members.map((m, i) => [String(keyOfMember(origin.prop, by, m)), json[i]]));
}

function modelState(value: unknown, where: string): InstanceState {
  const st = value !== null && typeof value === 'object' ? stateOf(value) : undefined;
  if (!st) {
    const got = value === null || typeof value !== 'object' ? String(value) : (value.constructor?.name ?? 'an object');
    throw new ArgumentError(`${where} takes a model instance or an array of them, got ${got}`);
  }
  return st;
}

/** The depth to use; throws naming the option for anything `serialize` does not implement. */
function checkSerializeOptions(options: SerializeOptions): number {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('serialize(value, options): options must be an object');
  checkOptions(options, serializeOptionTable, 'serialize()', ArgumentError);
  if (options.pick !== undefined && options.omit !== undefined)
    throw new ArgumentError('serialize(): give pick or omit, not both');
  return options.depth ?? Infinity;
}

/** The keys of `st`'s model to keep under `pick`/`omit`, after checking each names an attribute. */
function keyFilter(st: InstanceState, options: SerializeOptions): KeyFilter | null {
  const keys = options.pick ?? options.omit;
  if (keys === undefined) return null;
  const mapper = st.mapper;
  for (const key of keys) {
    if (mapper.columnsByKey.has(key) || mapper.relationships.has(key)) continue;
    const names = [...mapper.columnsByKey.keys(), ...mapper.relationships.keys()];
    const near = nearest(key, names);
    throw new ArgumentError(
      `serialize(): ${mapper.name} has no attribute '${key}' to ${options.pick ? 'pick' : 'omit'}` +
        `${near ? `; did you mean '${near}'?` : ''} (attributes: ${names.join(', ')})`,
      { model: mapper.name },
    );
  }
  const set = new Set(keys);
  return options.pick ? (key) => set.has(key) : (key) => !set.has(key);
}

/**
 * A model instance, or an array of them (a query's result, a loaded collection), as plain JSON
 * values: what `JSON.stringify` gives, as an object, with options. Columns always; relationships
 * only when loaded (nothing is loaded, no SQL is issued); never a cycle: an object already on the
 * current path, and the reverse side of the relationship being followed, are left out. Bigints
 * and decimals become strings, dates ISO strings.
 *
 * `pick`/`omit` name attributes of the root object(s): an unknown name is an `ArgumentError`
 * naming the model (and a type error). `depth` limits how many relationship levels are followed.
 *
 * @example
 * import { selectinload, serialize } from 'relata';
 *
 * const user = await session.query(User).options(selectinload(User.posts)).filterBy({ id: 1 }).one();
 * serialize(user); // { id: 1, username: 'alice', isActive: true, posts: [{ id: 1, title: '…', … }] }
 * serialize(user, { pick: ['id', 'posts'] }); // { id: 1, posts: [...] }
 * serialize(user, { depth: 0 }); // columns only
 */
export function serialize<T extends object, K extends SerializableKey<T>, const D extends number = number>(
  value: T,
  options: { readonly pick: readonly K[]; readonly depth?: D },
): SerializedPick<T, K, D>;
export function serialize<T extends object, K extends SerializableKey<T>, const D extends number = number>(
  value: T,
  options: { readonly omit: readonly K[]; readonly depth?: D },
): SerializedOmit<T, K, D>;
export function serialize<T extends object, const D extends number = number>(
  value: T,
  options?: { readonly depth?: D },
): Serialized<T, D>;
export function serialize(value: object, options?: SerializeOptions): unknown {
  if (value instanceof Set || value instanceof Map) return serializeView(value, options);
  if (value instanceof InstrumentedList) return serializeValue(value, options, InstrumentedList.originOf(value));
  return serializeValue(value, options);
}

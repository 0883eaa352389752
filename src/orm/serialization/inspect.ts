/**
 * What console.log / util.inspect print for models and collections: a one-line summary per object
 * (class, columns, and the loaded state of each relationship, never the related objects themselves),
 * so printing costs the same whatever graph hangs off the object, and never loads anything.
 *
 *   User { id: 1, username: 'alice', posts: [2 Post], profile: <not loaded> }
 */
import type { RelationshipProperty } from '../mapping/relationships.js';
import { stateOf, type InstanceState } from '../session/state.js';

/** The `inspect` Node passes to a custom inspector (util.inspect itself). */
export type InspectFn = (value: unknown, options?: object) => string;

interface InspectOptions {
  readonly stylize?: (text: string, style: string) => string;
  readonly maxArrayLength?: number | null;
  readonly maxStringLength?: number | null;
}

export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Longest string a column value prints as, and most elements of a JSON column's array. */
const MAX_STRING = 120;
const MAX_ITEMS = 10;

/** Printed as `text`, unquoted: how a relationship's state shows among the column values. */
class Marker {
  constructor(readonly text: string) {}
  [INSPECT](_depth: number, options: InspectOptions): string {
    return options.stylize ? options.stylize(this.text, 'special') : this.text;
  }
}

/** `User#1`, `Track#(1, 2)`: an object named by its class and primary key. */
export function describeKey(st: InstanceState): string {
  const pk = st.mapper.primaryKey.map((c) => String(st.v[c.key] ?? '?'));
  return `${st.mapper.name}#${pk.length === 1 ? pk[0] : `(${pk.join(', ')})`}`;
}

function relationshipMarker(st: InstanceState, prop: RelationshipProperty): Marker {
  const rel = st.rel;
  if (rel === null || !(prop.key in rel)) {
    // A new object's relationship that was never set reads as empty, not as something to load.
    if (st.status === 'transient' || st.status === 'pending') return new Marker(prop.uselist ? '[]' : 'null');
    return new Marker('<not loaded>');
  }
  const value = rel[prop.key];
  if (Array.isArray(value)) {
    const kind = prop.collectionClass === 'list' ? '' : prop.collectionClass === 'set' ? 'Set ' : 'Map ';
    return new Marker(value.length === 0 ? `${kind}[]` : `${kind}[${value.length} ${prop.target.name}]`);
  }
  if (value === null || value === undefined) return new Marker('null');
  const other = stateOf(value as object);
  return new Marker(other ? describeKey(other) : prop.target.name);
}

/** Options for printing column values: short strings, few elements, one level into JSON values. */
function columnOptions(options: InspectOptions): object {
  const cap = (n: number | null | undefined, max: number) => Math.min(n ?? max, max);
  return {
    ...options,
    depth: 1,
    maxStringLength: cap(options.maxStringLength, MAX_STRING),
    maxArrayLength: cap(options.maxArrayLength, MAX_ITEMS),
    breakLength: Infinity,
  };
}

/** `User { id: 1, username: 'alice', posts: [2 Post], profile: <not loaded> }`. */
export function inspectModel(st: InstanceState, options: InspectOptions, inspect: InspectFn): string {
  const summary: Record<string, unknown> = {};
  for (const c of st.mapper.columns) summary[c.key] = st.v[c.key] ?? null;
  for (const prop of st.mapper.relationships.values()) summary[prop.key] = relationshipMarker(st, prop);
  return `${st.mapper.name} ${inspect(summary, columnOptions(options))}`;
}

/** `User.posts (2) [ Post { … }, Post { … } ]`, at most `maxArrayLength` members, then `… N more`. */
export function inspectCollection(
  list: readonly object[],
  name: string,
  depth: number,
  options: InspectOptions,
  inspect: InspectFn,
): string {
  if (depth < 0) return `${name} (${list.length})`;
  const max = Math.max(0, Math.min(options.maxArrayLength ?? 100, 100));
  const shown: unknown[] = Array.prototype.slice.call(list, 0, max);
  if (list.length > max) shown.push(new Marker(`… ${list.length - max} more`));
  return `${name} (${list.length}) ${inspect(shown, { ...options, maxArrayLength: max + 1 })}`;
}

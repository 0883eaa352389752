/**
 * Running the aggregate loader options (aggregate-options.ts) once a query's objects and their eager
 * loads are in: for each option, the parents its path reaches, then one `SELECT key, agg(...) …
 * WHERE key IN (…) GROUP BY key` per batch of parent keys (the batches selectin uses), and the value
 * set on every parent (0 / false / null for those without related rows).
 */
import { processorFor } from '../../dialects/processors.js';
import { ArgumentError } from '../../sql/errors.js';
import {
  BinaryExpression,
  ColumnRef,
  FunctionCall,
  InExpression,
  Star,
  TupleInExpression,
  and_,
  bindValue,
  type ColumnElement,
} from '../../sql/expressions.js';
import { Join, Select, type FromClause } from '../../sql/selectable.js';
import { InvalidRequestError } from '../errors.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import { KeyMap } from '../session/keymap.js';
import type { Session } from '../session/session.js';
import { stateOf, type InstanceState } from '../session/state.js';
import { describeAggregate, type AggregateSpec } from './aggregate-options.js';
import { compositeKey, groupKey, groupKey1, parentKeyColumns, selectinBatchSize, singleKey } from './keys.js';
import type { LoaderOption } from './options.js';

/** Loads every aggregate among `options` for the objects a query returned (`roots`). */
export async function loadAggregates(
  session: Session,
  roots: readonly object[],
  options: readonly LoaderOption[],
): Promise<void> {
  const seen = new Set<string>();
  for (const opt of options) {
    const spec = opt.aggregate;
    if (!spec) continue;
    const where = `${opt.steps.map((s) => s.attribute.property.name).join('.')}>${spec.relationship.property.parent.name}.${spec.as}`;
    if (seen.has(where))
      throw new ArgumentError(
        `two aggregates of one query set ${spec.relationship.property.parent.name}.${spec.as}; name one with { as: '…' }`,
      );
    seen.add(where);
  }
  for (const opt of options) {
    if (!opt.aggregate) continue;
    const parents = reached(roots, opt);
    if (parents.length > 0) await loadAggregate(session, parents, opt.aggregate);
  }
}

/** The distinct persistent objects at the end of the option's path, through what the query loaded. */
function reached(roots: readonly object[], opt: LoaderOption): InstanceState[] {
  let level: readonly object[] = roots;
  for (const step of opt.steps) {
    const key = step.attribute.property.key;
    const next: object[] = [];
    for (const obj of level) {
      const st = stateOf(obj);
      if (!st || !st.isLoaded(key)) continue;
      const held = st.rel![key];
      if (Array.isArray(held)) next.push(...(held as object[]));
      else if (held) next.push(held as object);
    }
    level = next;
  }
  const out = new Set<InstanceState>();
  for (const obj of level) {
    const st = stateOf(obj);
    if (st && st.status === 'persistent') out.add(st);
  }
  return [...out];
}

/** One aggregate for `parents`: a GROUP BY statement per batch of keys, then every parent's value. */
async function loadAggregate(session: Session, parents: readonly InstanceState[], spec: AggregateSpec): Promise<void> {
  const prop = spec.relationship.property;
  const attrs = parentKeyColumns(prop).map((c) => prop.parent.columnsByColumn.get(c)!.key);
  const width = attrs.length;
  const keyOf = width === 1 ? singleKey(attrs[0]!) : compositeKey(attrs);
  const keyValues: unknown[] = [];
  const seen = new KeyMap<true>();
  for (const st of parents) {
    const k = keyOf(st);
    if (k === undefined || seen.get(k)) continue;
    seen.set(k, true);
    for (const a of attrs) keyValues.push(st.v[a]);
  }
  const found = new KeyMap<unknown>();
  const perBatch = selectinBatchSize(session, width) * width;
  for (let i = 0; i < keyValues.length; i += perBatch) {
    const select = aggregateSelect(prop, spec, keyValues.slice(i, i + perBatch), width);
    const result = await session.executeRead(select);
    for (const row of result.rows) {
      const k = width === 1 ? groupKey1(row[0]) : groupKey(row.slice(0, width));
      found.set(k, row[width]);
    }
  }
  const convert = converter(session, spec);
  for (const st of parents) {
    const k = keyOf(st);
    const raw = k === undefined ? undefined : found.get(k);
    Object.defineProperty(st.obj, spec.as, {
      value: convert(raw === undefined ? null : raw),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** `SELECT key…, agg FROM target [JOIN secondary] WHERE key IN (…) [AND criteria] GROUP BY key…`. */
function aggregateSelect(
  prop: RelationshipProperty,
  spec: AggregateSpec,
  values: readonly unknown[],
  width: number,
): Select {
  const target = prop.target;
  let from: FromClause = target.table;
  let keys: ColumnRef[];
  if (prop.secondary) {
    from = new Join(target.table, prop.secondary, prop.targetCondition(prop.secondary, target.table), false);
    keys = prop.secondaryLocal.map((p) => new ColumnRef(p.remote, prop.secondary!));
  } else {
    keys = prop.pairs.map((p) => new ColumnRef(p.remote, target.table));
  }
  const where: ColumnElement<boolean>[] = [keyFilter(keys, values, width)];
  if (prop.extraCriteria) where.push(prop.extraCriteria);
  if (spec.where) where.push(spec.where);
  return new Select({
    columns: [...keys, aggregateColumn(spec)],
    from: [from],
    where: and_(...where),
    groupBy: keys,
  });
}

function aggregateColumn(spec: AggregateSpec): ColumnElement {
  if (spec.fn === 'count' || spec.fn === 'exists') return new FunctionCall<number>('count', [new Star()]);
  const col = spec.column!;
  // sum/min/max have the column's type (a Numeric sum reads as an exact decimal); avg is a float.
  return new FunctionCall(spec.fn, [col], false, spec.fn === 'avg' ? null : col.column.type);
}

function keyFilter(keys: ColumnRef[], values: readonly unknown[], width: number): ColumnElement<boolean> {
  const binds = values.map((v, i) => bindValue(v, keys[i % width]!.sqlType, 'aggregate'));
  if (values.length === width) return and_(...keys.map((c, i) => new BinaryExpression(c, '=', binds[i]!)));
  if (width === 1) return new InExpression(keys[0]!, binds, false);
  const rows = Array.from({ length: values.length / width }, (_, r) => binds.slice(r * width, (r + 1) * width));
  return new TupleInExpression(keys, rows);
}

/**
 * A database value of the aggregate → its JavaScript value: counts as numbers (PostgreSQL's count is a
 * bigint), sums and extremes as the column's values (exact for BigInteger and Numeric), averages as numbers.
 */
function converter(session: Session, spec: AggregateSpec): (v: unknown) => unknown {
  if (spec.fn === 'count') return (v) => (v === null ? 0 : Number(v));
  if (spec.fn === 'exists') return (v) => v !== null && Number(v) > 0;
  if (spec.fn === 'avg') return (v) => (v === null ? null : Number(v));
  const col = spec.column!;
  const typeName = col.column.type.typeName;
  if (spec.fn === 'sum' && typeName === 'Integer') return (v) => (v === null ? null : exactNumber(v, spec));
  if (spec.fn === 'sum' && typeName === 'Float') return (v) => (v === null ? null : Number(v));
  const process = processorFor(session.dialect, col.column.type);
  // SUM over integers is a bigint on PostgreSQL and a DECIMAL on MariaDB: read back as the column's values.
  return (v) => (v === null ? null : process ? process(v) : v);
}

/** An Integer column's sum as a number, refused rather than rounded when it is past 2^53. */
function exactNumber(v: unknown, spec: AggregateSpec): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new InvalidRequestError(
      `${describeAggregate(spec)} is ${String(v)}, past what a number holds exactly; declare ${spec.column!.mapper.name}.${spec.column!.key} BigInteger to sum it as a bigint`,
    );
  }
  return n;
}

/**
 * Window functions: `func.rank().over({ partitionBy, orderBy })`, and any aggregate `.over(...)`
 * (SQLAlchemy's `over()`). The `Over` node lives beside FunctionCall in expressions.ts; this module
 * checks a window's specification and writes it as SQL, the same on SQLite (3.25+), PostgreSQL and
 * MySQL 8 / MariaDB 10.2+.
 */
import { ArgumentError } from './errors.js';
import { ColumnElement, OrderByElement, requireElement } from './expressions.js';
import { checkOptions, mustBe, type OptionTable } from './options.js';

/**
 * One end of a window frame, as SQLAlchemy's `rows=(start, end)`: `null` is UNBOUNDED (PRECEDING at
 * the start, FOLLOWING at the end), `0` the CURRENT ROW, `-n` n PRECEDING and `n` n FOLLOWING.
 */
export type FrameBound = number | null;

/**
 * What `.over({...})` takes: the rows a window function sees for each row.
 *
 * @example
 * ```ts
 * import { func, select, type WindowSpec } from 'relata';
 *
 * const byViews: WindowSpec = { partitionBy: Post.userId, orderBy: Post.views.desc() };
 * const ranked = await session.execute(
 *   select(Post.title, func.rank().over(byViews).label('rank'), func.sum(Post.views).over({ ...byViews, rows: [null, 0] }).label('running')),
 * );
 * ```
 */
export interface WindowSpec {
  /** PARTITION BY: the window restarts for each distinct value (or combination). */
  partitionBy?: ColumnElement | readonly ColumnElement[];
  /** ORDER BY inside the window; a bare column sorts ascending. */
  orderBy?: ColumnElement | OrderByElement | readonly (ColumnElement | OrderByElement)[];
  /** ROWS BETWEEN start AND end (see FrameBound). */
  rows?: readonly [FrameBound, FrameBound];
  /** RANGE BETWEEN start AND end (see FrameBound); numeric offsets need a numeric ORDER BY. */
  range?: readonly [FrameBound, FrameBound];
}

/** A window specification, checked: lists of expressions and at most one frame. */
export interface Window {
  readonly partitionBy: readonly ColumnElement[];
  readonly orderBy: readonly OrderByElement[];
  readonly frame: { readonly unit: 'ROWS' | 'RANGE'; readonly start: FrameBound; readonly end: FrameBound } | null;
}

const isFrame = mustBe(
  'a pair [start, end] of integers or null',
  (v) => Array.isArray(v) && v.length === 2 && v.every((b) => b === null || Number.isSafeInteger(b)),
);

const windowOptionTable = {
  known: { partitionBy: () => null, orderBy: () => null, rows: isFrame, range: isFrame },
  refused: {
    partition_by: "spelled 'partitionBy' in Relata",
    order_by: "spelled 'orderBy' in Relata",
    range_: "spelled 'range' in Relata",
    groups: 'not implemented: GROUPS frames are missing from MySQL and MariaDB',
  },
} as const satisfies OptionTable<WindowSpec>;

/** `spec` checked and normalised; `name` is the function, for messages (`rank()`). */
export function toWindow(spec: WindowSpec, name: string): Window {
  const where = `${name}.over()`;
  if (typeof spec !== 'object' || spec === null)
    throw new ArgumentError(`${where} takes an object, got ${typeof spec}`);
  checkOptions(spec, windowOptionTable, where, ArgumentError);
  if (spec.rows && spec.range) throw new ArgumentError(`${where}: give rows or range, not both`);
  const partitionBy = listOf(spec.partitionBy).map((e) => requireElement(e, `${where} partitionBy`));
  const orderBy = listOf(spec.orderBy).map((o) =>
    o instanceof OrderByElement ? o : new OrderByElement(requireElement(o, `${where} orderBy`), 'ASC'),
  );
  const pair = spec.rows ?? spec.range;
  const frame = pair
    ? { unit: spec.rows ? ('ROWS' as const) : ('RANGE' as const), start: pair[0], end: pair[1] }
    : null;
  if (frame && frame.start !== null && frame.end !== null && frame.start > frame.end)
    throw new ArgumentError(`${where}: the frame starts after it ends (${frame.start} > ${frame.end})`);
  return { partitionBy, orderBy, frame };
}

function listOf<E>(value: E | readonly E[] | undefined): readonly E[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly E[]) : [value as E];
}

/** The text inside `OVER (...)`, from its parts already compiled. */
export function windowSql(w: Window, partitionBy: readonly string[], orderBy: readonly string[]): string {
  const parts: string[] = [];
  if (partitionBy.length) parts.push(`PARTITION BY ${partitionBy.join(', ')}`);
  if (orderBy.length) parts.push(`ORDER BY ${orderBy.join(', ')}`);
  if (w.frame)
    parts.push(`${w.frame.unit} BETWEEN ${bound(w.frame.start, 'PRECEDING')} AND ${bound(w.frame.end, 'FOLLOWING')}`);
  return parts.join(' ');
}

/** Validated safe integers, so writing them inline is safe (and keeps statements cacheable per frame). */
function bound(b: FrameBound, unbounded: 'PRECEDING' | 'FOLLOWING'): string {
  if (b === null) return `UNBOUNDED ${unbounded}`;
  if (b === 0) return 'CURRENT ROW';
  return b < 0 ? `${-b} PRECEDING` : `${b} FOLLOWING`;
}

/** A shape-key token for a frame (see shape.ts). */
export function frameToken(w: Window): string {
  return w.frame ? `${w.frame.unit[1]}${String(w.frame.start)},${String(w.frame.end)}` : '';
}

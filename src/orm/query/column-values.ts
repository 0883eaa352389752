/**
 * How a column select reads each value: through its SQL type's processor (a Date as a Date, a boolean
 * as a boolean on MySQL and SQLite), with the numbers policy of the relationship aggregates: counts,
 * ranks and averages are numbers, an Integer's sum is a number (MariaDB sends it as DECIMAL text)
 * refused rather than rounded past 2^53, and BigInteger and Numeric stay exact.
 */
import type { Dialect, ResultProcessor } from '../../dialects/dialect.js';
import { processorFor } from '../../dialects/processors.js';
import { InvalidRequestError } from '../errors.js';
import { FunctionCall, Label, Over, type ColumnElement } from '../../sql/expressions.js';

/** Functions whose value is a JavaScript number whatever the database sends (bigint, numeric, text). */
const NUMBER_FUNCTIONS = new Set([
  'count',
  'avg',
  'row_number',
  'rank',
  'dense_rank',
  'ntile',
  'percent_rank',
  'cume_dist',
]);

/** The converter of one selected element's values; null when they need none. NULL never reaches it. */
export function valueReader(dialect: Dialect, el: ColumnElement): ResultProcessor | null {
  const fn = functionOf(el);
  if (fn && NUMBER_FUNCTIONS.has(fn.name.toLowerCase())) return (v) => exactNumber(v, el, false);
  const type = el.sqlType;
  if (!type) return null;
  if (type.typeName === 'Integer') return (v) => (typeof v === 'number' ? v : exactNumber(v, el, true));
  if (type.typeName === 'Float') return (v) => (typeof v === 'number' ? v : Number(v));
  return processorFor(dialect, type);
}

function functionOf(el: ColumnElement): FunctionCall | null {
  if (el instanceof Label) return functionOf(el.element);
  if (el instanceof Over) return el.fn;
  return el instanceof FunctionCall ? el : null;
}

function exactNumber(v: unknown, el: ColumnElement, integer: boolean): number {
  const n = typeof v === 'number' ? v : Number(typeof v === 'bigint' ? v : String(v));
  if (integer ? !Number.isSafeInteger(n) : !Number.isFinite(n))
    throw new InvalidRequestError(
      `${el.describe()}: ${String(v)} cannot be read as a JavaScript number without losing precision; ` +
        'select it through a BigInteger or Numeric column (or cast it) to read it exactly',
    );
  return n;
}

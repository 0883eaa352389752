import { TypeDecorator } from '../sql/type-decorator.js';
import type { SqlType } from '../sql/types.js';
import type { Dialect, ResultProcessor } from './dialect.js';

/**
 * The processor for values of `type` read through `dialect`: a TypeDecorator's impl processor, then
 * its fromDriver; null when values need no conversion. NULL never reaches a processor.
 */
export function processorFor(dialect: Dialect, type: SqlType<unknown>): ResultProcessor | null {
  if (!(type instanceof TypeDecorator)) return dialect.resultProcessor(type);
  const d = type as TypeDecorator<unknown, unknown>;
  const inner = dialect.resultProcessor(d.impl);
  return inner ? (v) => d.fromDriver(inner(v)) : (v) => d.fromDriver(v);
}

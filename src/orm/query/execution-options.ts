/**
 * A query's execution options (SQLAlchemy's `execution_options()`): the ones Relata implements, and
 * the ones it refuses with what to use instead.
 */
import { isBoolean, type OptionTable } from '../../sql/options.js';

/**
 * The options `query.executionOptions({...})` takes.
 *
 * @example
 * ```ts
 * import type { QueryExecutionOptions } from 'relata';
 *
 * const options: QueryExecutionOptions = { populateExisting: true };
 * const fresh = await User.query.executionOptions(options).all();
 * ```
 */
export interface QueryExecutionOptions {
  /** Rows overwrite the objects already in the session: `query.populateExisting()`. */
  populateExisting?: boolean;
}

export const executionOptionTable = {
  known: { populateExisting: isBoolean },
  refused: {
    populate_existing: "spelled 'populateExisting' in Relata",
    autoflush: 'set session.autoflush, or create the session with { autoflush: false }',
    yield_per: 'stream the results instead: query.stream({ batchSize })',
    stream_results: 'stream the results instead: query.stream({ batchSize })',
    identity_token: 'not implemented: Relata has no horizontal sharding',
    synchronize_session: 'for bulk statements; session.execute(db.update(...)) keeps loaded objects in step',
  },
} as const satisfies OptionTable<QueryExecutionOptions>;

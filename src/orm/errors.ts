/** ORM errors. Messages name the model, attribute or relationship and say what to do. */
import { RelataError } from '../sql/errors.js';

/** A model or relationship declaration is wrong (unknown target, bad option). */
export class MappingError extends RelataError {
  override readonly code: string = 'mapping';
}

/** No foreign key links the two tables of a relationship or join. */
export class NoForeignKeysError extends MappingError {
  override readonly code = 'no-foreign-keys';
}

/** Several foreign keys link the two tables; the relationship or join must say which. */
export class AmbiguousForeignKeysError extends MappingError {
  override readonly code = 'ambiguous-foreign-keys';
}

/** A relationship was used synchronously before it was loaded, or its loader is `raise`. */
export class NotLoadedError extends RelataError {
  override readonly code = 'not-loaded';
}

/** The same relationship was lazily loaded for several objects of one result (N+1), in strict mode. */
export class NPlusOneError extends RelataError {
  override readonly code = 'n-plus-one';
}

/** The unit of work could not write the session's changes. */
export class FlushError extends RelataError {
  override readonly code: string = 'flush';
}

/** An UPDATE or DELETE found the row changed or gone since it was loaded (optimistic locking). */
export class StaleDataError extends FlushError {
  override readonly code = 'stale-data';
}

/** A previous flush failed; the session must be rolled back before it is used again. */
export class PendingRollbackError extends RelataError {
  override readonly code = 'pending-rollback';
}

/** `.one()` found no row. */
export class NoResultFoundError extends RelataError {
  override readonly code = 'no-result';
}

/** `.one()` found more than one row. */
export class MultipleResultsFoundError extends RelataError {
  override readonly code = 'multiple-results';
}

/** The object is not in the state the operation needs (e.g. deleting an object never added). */
export class InvalidRequestError extends RelataError {
  override readonly code = 'invalid-request';
}

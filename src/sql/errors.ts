/**
 * Every error Relata raises. Each has a stable `code` (used in docs/errors.md) and a message
 * that names the model, column or relationship at fault and says what to do.
 */
export class RelataError extends Error {
  readonly code: string = 'relata';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A call was given a value or option it cannot accept (wrong type, undefined, unknown name). */
export class ArgumentError extends RelataError {
  override readonly code = 'argument';
}

/** A statement cannot be turned into SQL for this dialect. */
export class CompileError extends RelataError {
  override readonly code = 'compile';
}

/** Base of errors reported by the database driver, with the SQL that caused them. */
export class DatabaseError extends RelataError {
  override readonly code: string = 'database';
  sql?: string;
  params?: readonly unknown[];
  /** The table named by the driver's message, when there is one. */
  table?: string;
  /** The constraint (or constrained columns) named by the driver's message, when there is one. */
  constraint?: string;
}

/** A constraint (unique, foreign key, not null, check) was violated. */
export class IntegrityError extends DatabaseError {
  override readonly code = 'integrity';
}

/** The database could not run the statement: no such table, lost connection, lock timeout… */
export class OperationalError extends DatabaseError {
  override readonly code = 'operational';
}

/** A value did not fit its column: too long, out of range, not a valid number or date. */
export class DataError extends DatabaseError {
  override readonly code = 'data';
}

/** The SQL itself was rejected (syntax, unknown column) — usually a Relata bug or a raw `text()`. */
export class ProgrammingError extends DatabaseError {
  override readonly code = 'programming';
}

/** ORM errors. Messages name the model, attribute or relationship and say what to do. */
import { RelataError } from '../sql/errors.js';

/**
 * A model or relationship declaration is wrong: no primary key, an unknown cascade, foreign keys missing or ambiguous
 * (an unknown target model name is an ArgumentError).
 *
 * @example
 * ```ts
 * import { MappingError } from 'relata';
 *
 * try {
 *   db.Model('Note', { body: db.Column(db.Text) });
 * } catch (err) {
 *   console.log(err instanceof MappingError, (err as Error).message); // true 'Model Note has no primary key: …'
 * }
 * ```
 */
export class MappingError extends RelataError {
  /** `'mapping'`, or a subclass's own code. */
  override readonly code: string = 'mapping';
}

/**
 * No foreign key links the two tables of a relationship or join.
 *
 * @example
 * ```ts
 * import { NoForeignKeysError } from 'relata';
 *
 * try {
 *   await Tag.query.join(Profile).all(); // no foreign key links tag and profile
 * } catch (err) {
 *   if (!(err instanceof NoForeignKeysError)) throw err;
 *   console.log(err.message); // names both tables; pass the ON condition: join(Profile, ...)
 * }
 * ```
 */
export class NoForeignKeysError extends MappingError {
  /** Always `'no-foreign-keys'`. */
  override readonly code = 'no-foreign-keys';
}

/**
 * Several foreign keys link the two tables; the relationship or join must say which.
 *
 * @example
 * ```ts
 * import { AmbiguousForeignKeysError } from 'relata';
 *
 * class Message extends db.Model('Message', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   senderId: db.Column(db.Integer, db.ForeignKey('user.id')),
 *   recipientId: db.Column(db.Integer, db.ForeignKey('user.id')),
 *   sender: db.relationship<User>('User', { uselist: false }), // which key? add foreignKeys: 'senderId'
 * }) {}
 * await db.createAll().catch((err) => console.log(err instanceof AmbiguousForeignKeysError)); // true
 * ```
 */
export class AmbiguousForeignKeysError extends MappingError {
  /** Always `'ambiguous-foreign-keys'`. */
  override readonly code = 'ambiguous-foreign-keys';
}

/**
 * A relationship was used synchronously before it was loaded, or its loader is `raise`.
 *
 * @example
 * ```ts
 * import { NotLoadedError } from 'relata';
 *
 * const [first] = await User.query.options(db.raiseload(User.posts)).all();
 * try {
 *   await first!.posts;
 * } catch (err) {
 *   if (!(err instanceof NotLoadedError)) throw err;
 *   console.log(err.message); // User.posts is set to raise on lazy load; load it with the query: ...
 * }
 * ```
 */
export class NotLoadedError extends RelataError {
  /** Always `'not-loaded'`. */
  override readonly code = 'not-loaded';
}

/**
 * The same relationship was lazily loaded for several objects of one result (N+1), in strict mode.
 *
 * @example
 * ```ts
 * import { NPlusOneError } from 'relata';
 *
 * const strict = db.newSession({ nPlusOne: 'raise' });
 * const users = await strict.query(User).all();
 * try {
 *   for (const u of users) await u.posts; // the second lazy load of User.posts raises
 * } catch (err) {
 *   if (!(err instanceof NPlusOneError)) throw err;
 *   console.log(err.message); // ... Load them together: .options(selectinload(User.posts))
 * }
 * ```
 */
export class NPlusOneError extends RelataError {
  /** Always `'n-plus-one'`. */
  override readonly code = 'n-plus-one';
}

/**
 * The unit of work could not write the session's changes.
 *
 * @example
 * ```ts
 * import { FlushError } from 'relata';
 *
 * try {
 *   await session.flush();
 * } catch (err) {
 *   if (!(err instanceof FlushError)) throw err;
 *   await session.rollback();
 *   console.error(err.code, err.message);
 * }
 * ```
 */
export class FlushError extends RelataError {
  /** `'flush'`, or a subclass's own code. */
  override readonly code: string = 'flush';
}

/**
 * An UPDATE or DELETE found the row changed or gone since it was loaded (optimistic locking).
 *
 * @example
 * ```ts
 * import { StaleDataError } from 'relata';
 *
 * try {
 *   post.title = 'edited';
 *   await session.commit(); // someone else deleted the row meanwhile
 * } catch (err) {
 *   if (!(err instanceof StaleDataError)) throw err;
 *   await session.rollback();
 *   console.log('the post changed under us:', err.message);
 * }
 * ```
 */
export class StaleDataError extends FlushError {
  /** Always `'stale-data'`. */
  override readonly code = 'stale-data';
}

/**
 * A previous flush failed; the session must be rolled back before it is used again.
 *
 * @example
 * ```ts
 * import { PendingRollbackError } from 'relata';
 *
 * try {
 *   await session.commit(); // after an earlier commit() failed
 * } catch (err) {
 *   if (!(err instanceof PendingRollbackError)) throw err;
 *   await session.rollback(); // then the session can be used again
 * }
 * ```
 */
export class PendingRollbackError extends RelataError {
  /** Always `'pending-rollback'`. */
  override readonly code = 'pending-rollback';
}

/**
 * `.one()` found no row.
 *
 * @example
 * ```ts
 * import { NoResultFoundError } from 'relata';
 *
 * try {
 *   await User.query.filterBy({ username: 'nobody' }).one();
 * } catch (err) {
 *   if (!(err instanceof NoResultFoundError)) throw err;
 *   console.log('404', err.message);
 * }
 * ```
 */
export class NoResultFoundError extends RelataError {
  /** Always `'no-result'`. */
  override readonly code = 'no-result';
}

/**
 * `.one()` found more than one row.
 *
 * @example
 * ```ts
 * import { MultipleResultsFoundError } from 'relata';
 *
 * try {
 *   await Post.query.filterBy({ userId: 1 }).oneOrNone();
 * } catch (err) {
 *   if (!(err instanceof MultipleResultsFoundError)) throw err;
 *   console.log(err.message);
 * }
 * ```
 */
export class MultipleResultsFoundError extends RelataError {
  /** Always `'multiple-results'`. */
  override readonly code = 'multiple-results';
}

/**
 * The object is not in the state the operation needs (e.g. deleting an object never added).
 *
 * @example
 * ```ts
 * import { InvalidRequestError } from 'relata';
 *
 * try {
 *   session.delete(new Tag({ name: 'never added' }));
 * } catch (err) {
 *   if (!(err instanceof InvalidRequestError)) throw err;
 *   console.log(err.message); // cannot delete ...: it is transient
 * }
 * ```
 */
export class InvalidRequestError extends RelataError {
  /** Always `'invalid-request'`. */
  override readonly code = 'invalid-request';
}

/**
 * A column attribute expired by `session.expire()` / `expireAll()` was read synchronously before it
 * was loaded again. Relata reads attributes synchronously, so an expired value is reloaded by an
 * awaitable: `await session.refresh(obj)`, `await session.get(Model, id)`, or any query returning the row.
 *
 * @example
 * ```ts
 * import { ExpiredAttributeError } from 'relata';
 *
 * const user = await User.query.filterBy({ username: 'alice' }).one();
 * db.session.expire(user, ['email']);
 * try {
 *   console.log(user.email);
 * } catch (err) {
 *   if (!(err instanceof ExpiredAttributeError)) throw err;
 *   await db.session.refresh(user); // one SELECT, then user.email reads again
 * }
 * ```
 */
export class ExpiredAttributeError extends RelataError {
  /** Always `'expired-attribute'`. */
  override readonly code = 'expired-attribute';
}

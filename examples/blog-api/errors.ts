/**
 * From errors to answers: every error a request can end with becomes one JSON body,
 * `{ error, model, column, message }`, with the status that says whose fault it was. The model and
 * column come from the error itself (Relata's ArgumentError carries them, an IntegrityError names
 * its constraint), never from parsing a message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ArgumentError, IntegrityError } from '../../src/index.js';
import { UNIQUE_CONSTRAINTS } from './models.js';
import { errorBody, type ErrorBody } from './responses.js';

/** Where a refused value belongs. */
export interface At {
  readonly model: string;
  readonly column: string;
}

/** No row with this key: 404. */
export class NotFoundError extends Error {
  constructor(
    readonly model: string,
    readonly id: number,
  ) {
    super(`${model} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

/** A request refused by the API's own rules (not by Relata or the schema): 400, naming the column. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly at: At,
  ) {
    super(`${at.model}.${at.column}: ${message}`);
    this.name = 'InvalidInputError';
  }
}

/**
 * What a route's schema fields are, in the models: `{ username: { model: 'User', column: 'username' } }`.
 * Put in the route's `config.columns`, so that a schema error names the column as Relata's would.
 */
export type FieldColumns = Readonly<Record<string, At>>;

/** True when `error` is the unique constraint `constraint` refusing a duplicate. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return error instanceof IntegrityError && error.constraint === constraint;
}

/** Fastify's error handler: the status and body for `error`. */
export function replyWithError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] = answerFor(error, request);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(status).send(body);
}

function answerFor(error: FastifyError | Error, request: FastifyRequest): [number, ErrorBody] {
  if ('validation' in error && error.validation) return [400, schemaError(error, request)];
  if (error instanceof ArgumentError) return [400, errorBody('invalid', error.message, error)];
  if (error instanceof InvalidInputError) return [400, errorBody('invalid', error.message, error.at)];
  if (error instanceof QueryParameterError) return [400, errorBody('invalid', error.message)];
  if (error instanceof NotFoundError)
    return [404, errorBody('not_found', error.message, { model: error.model, column: 'id' })];
  if (error instanceof IntegrityError) {
    const at = (error.constraint && UNIQUE_CONSTRAINTS[error.constraint]) || undefined;
    const message = at ? `${at.model}.${at.column} must be unique: this value is taken` : error.message;
    return [409, errorBody('conflict', message, at)];
  }
  // Fastify's own client errors: a body that is not JSON, a wrong content type, a body too large.
  const status = 'statusCode' in error ? error.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) return [status, errorBody('invalid', error.message)];
  return [500, errorBody('internal', 'internal error')];
}

/** A JSON-schema refusal, with the model and column of the field it refused (from the route's config). */
function schemaError(error: FastifyError, request: FastifyRequest): ErrorBody {
  const first = error.validation?.[0];
  const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  // '/tags/0' is the first item of the field 'tags'.
  const path = first?.instancePath.split('/').filter(Boolean) ?? [];
  const named = params.missingProperty ?? params.additionalProperty;
  const field = named ?? path[0] ?? '';
  const label = named ?? path.map((part, i) => (i === 0 ? part : `[${part}]`)).join('');
  const columns = (request.routeOptions.config as { columns?: FieldColumns }).columns ?? {};
  const at = columns[field];
  const where = `${error.validationContext ?? 'request'}${label ? ` field '${label}'` : ''}`;
  const problem = params.missingProperty
    ? 'is required'
    : params.additionalProperty
      ? 'is not a field of this request'
      : (first?.message ?? 'is invalid');
  const message = `${where} ${problem}`;
  return errorBody('invalid', at ? `${at.model}.${at.column}: ${message}` : message, at);
}

/** A query-string parameter that is not a column (`limit`, `offset`): 400, with no model or column. */
export class QueryParameterError extends Error {
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`query parameter '${parameter}' ${problem}`);
    this.name = 'QueryParameterError';
  }
}

/**
 * Errors the facade raises itself (not validation, not the service), each with the status and
 * body Marathon answers for the same case, plus the handler that turns every error a route can
 * throw into Marathon's error body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppValidationError } from '../../model/apps/index.js';
import { ServiceError } from '../../scheduler/contracts.js';
import { StoreError, StoreLimitError, type StoreErrorCode } from '../../state/errors.js';

export type HttpErrorCode = 'PACER_API_BAD_REQUEST' | 'PACER_API_NOT_FOUND' | 'PACER_API_UNPROCESSABLE' | 'PACER_API_METHOD_NOT_ALLOWED' | 'PACER_API_INTERNAL';

const STATUS_CODES: Record<HttpErrorCode, number> = {
  PACER_API_BAD_REQUEST: 400,
  PACER_API_NOT_FOUND: 404,
  PACER_API_UNPROCESSABLE: 422,
  PACER_API_METHOD_NOT_ALLOWED: 405,
  PACER_API_INTERNAL: 500,
};

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = STATUS_CODES[code];
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...this.extra };
  }
}

export const badRequest = (message: string): HttpError => new HttpError('PACER_API_BAD_REQUEST', message);
export const notFound = (message: string): HttpError => new HttpError('PACER_API_NOT_FOUND', message);
export const unprocessable = (message: string, extra: Record<string, unknown> = {}): HttpError => new HttpError('PACER_API_UNPROCESSABLE', message, extra);

/** Marathon's not-found messages (RestResource.unknownApp & co.). */
export const unknownApp = (id: string, version?: string): HttpError =>
  notFound(`App '${id}' does not exist${version === undefined ? '' : ` in version ${version}`}`);
export const unknownGroup = (id: string, version?: string): HttpError =>
  notFound(`Group '${id}' does not exist${version === undefined ? '' : ` in version ${version}`}`);
export const unknownPod = (id: string, version?: string): HttpError =>
  notFound(`Pod '${id}' does not exist${version === undefined ? '' : ` in version ${version}`}`);
export const unknownTask = (id: string): HttpError => notFound(`Task '${id}' does not exist`);

/**
 * Store failures that say "the state cannot be written (or read) right now": the request was not
 * carried out and may succeed once an operator acts, so they answer 503 Service Unavailable
 * rather than blame the request. The other codes point at damaged data or a bug and stay 500.
 */
const STORE_UNAVAILABLE: ReadonlySet<StoreErrorCode> = new Set<StoreErrorCode>([
  'PACER_STORE_IO',
  'PACER_STORE_FULL',
  'PACER_STORE_READ_ONLY',
  'PACER_STORE_CLOSED',
  'PACER_STORE_LOCKED',
]);

export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Status and body for anything a route threw. */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof AppValidationError) return { status: err.status, body: { ...err.body } };
  if (err instanceof ServiceError) return { status: err.status, body: { message: err.message, ...err.extra } };
  if (err instanceof HttpError) return { status: err.status, body: err.body() };
  // Too large for the store: the client's mistake, refused before anything was written.
  if (err instanceof StoreLimitError) return { status: 422, body: { message: err.message } };
  if (err instanceof StoreError) return { status: STORE_UNAVAILABLE.has(err.code) ? 503 : 500, body: { message: err.message } };
  const fastifyErr = err as Partial<FastifyError>;
  if (typeof fastifyErr.statusCode === 'number' && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
    return { status: fastifyErr.statusCode, body: { message: fastifyErr.message ?? 'Bad Request' } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { message } };
}

export function errorHandler(logger: Logger, limits: { bodyLimit?: number } = {}) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = errorAnswer(err);
    if (status === 413 && limits.bodyLimit !== undefined) {
      body.message = `Request body is larger than the limit of ${limits.bodyLimit} bytes`;
    }
    if (status >= 500) logger.error({ err, method: request.method, url: request.url }, 'request failed');
    else logger.debug({ status, method: request.method, url: request.url, message: body.message }, 'request refused');
    void reply.code(status).send(body);
  };
}

/** Marathon's error body: `details` is a string for parser failures, a list of path violations otherwise. */
export interface MarathonErrorBody {
  message: string;
  details?: Array<{ path: string; errors: string[] }> | string;
}

/** One broken rule, before grouping. Paths use Marathon's rendering: `/`, `/id`, `/healthChecks(0)/path`. */
export interface Violation {
  path: string;
  error: string;
}

export const INVALID_JSON = 'Invalid JSON';
export const NO_JSON_DATA = 'Please specify data in JSON format';
export const OBJECT_NOT_VALID = 'Object is not valid';

/**
 * Every way an app body can be refused. `status` and `body` are what Marathon answers, so the HTTP layer
 * can send them unchanged.
 */
export class AppValidationError extends Error {
  readonly code = 'PACER_APP_VALIDATION';
  readonly status: 400 | 422;
  readonly body: MarathonErrorBody;

  constructor(status: 400 | 422, body: MarathonErrorBody) {
    super(describe(body));
    this.name = 'AppValidationError';
    this.status = status;
    this.body = body;
  }
}

function describe(body: MarathonErrorBody): string {
  if (body.details === undefined) return body.message;
  if (typeof body.details === 'string') return `${body.message}: ${body.details}`;
  const parts = body.details.map((d) => `${d.path}: ${d.errors.join('; ')}`);
  return `${body.message}: ${parts.join(', ')}`;
}

/** Groups violations by path in order of first appearance; each path lists its distinct messages. */
export function groupViolations(violations: readonly Violation[]): Array<{ path: string; errors: string[] }> {
  const byPath = new Map<string, string[]>();
  for (const v of violations) {
    const errors = byPath.get(v.path);
    if (errors === undefined) byPath.set(v.path, [v.error]);
    else if (!errors.includes(v.error)) errors.push(v.error);
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

/** 422 `Invalid JSON`: the body is JSON but does not fit the RAML types (Play reads failed). */
export function typeError(violations: readonly Violation[]): AppValidationError {
  return new AppValidationError(422, { message: INVALID_JSON, details: groupViolations(violations) });
}

/** 422 `Object is not valid`: semantic (wix-accord) rules failed. */
export function semanticError(violations: readonly Violation[]): AppValidationError {
  return new AppValidationError(422, { message: OBJECT_NOT_VALID, details: groupViolations(violations) });
}

/** 400 for text that is not JSON at all. */
export function unparsableJson(parserMessage: string): AppValidationError {
  return new AppValidationError(400, { message: INVALID_JSON, details: parserMessage });
}

/** 400 for an empty body. */
export function emptyBody(): AppValidationError {
  return new AppValidationError(400, { message: NO_JSON_DATA, details: 'No content to map due to end-of-input' });
}

/**
 * 422 with only a message. Marathon answers `require(...)` failures this way, and answers its
 * normalisation conflicts (both `uris` and `fetch`, ...) with a 500 carrying the same message; a client
 * mistake is not a server error, so Pacer uses 422 for those too (see docs/compatibility.md).
 */
export function plainError(message: string): AppValidationError {
  return new AppValidationError(422, { message });
}

/** Thrown by normalisation steps; turned into `plainError` at the boundary. */
export class NormalizationConflict extends Error {
  readonly code = 'PACER_APP_NORMALIZATION';
  constructor(message: string) {
    super(message);
    this.name = 'NormalizationConflict';
  }
}

/** Collects violations under a path prefix; keeps validator code free of string concatenation. */
export class ViolationSink {
  readonly list: Violation[] = [];

  add(path: string, error: string): void {
    this.list.push({ path: path === '' ? '/' : path, error });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

/**
 * What can go wrong in a client command, as typed errors with a `code`. Each maps to one exit
 * code (exit-codes.ts), so a script can tell "the server said no" from "no server at all".
 */

/** Bad arguments, unreadable input file, malformed --url or --user. */
export class UsageError extends Error {
  readonly code = 'PACER_CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Marathon's error body: `message`, and `details` as a list of path errors or a string. */
export interface MarathonErrorBody {
  message?: string;
  details?: Array<{ path?: string; errors?: string[] }> | string;
  deployments?: Array<{ id: string }>;
}

/** The server answered with a status of 400 or more. */
export class ServerError extends Error {
  readonly code = 'PACER_CLI_SERVER';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: MarathonErrorBody,
    readonly rawBody: string,
  ) {
    super(body.message ?? (rawBody.trim() === '' ? `HTTP ${status}` : rawBody.trim().slice(0, 500)));
    this.name = 'ServerError';
  }
}

/** No answer: connection refused, unknown host, reset, or no response within the timeout. */
export class ConnectionError extends Error {
  readonly code = 'PACER_CLI_CONNECT';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

/** The server answered 2xx with a body that is not the JSON Marathon sends. */
export class ResponseFormatError extends Error {
  readonly code = 'PACER_CLI_RESPONSE';
  constructor(message: string) {
    super(message);
    this.name = 'ResponseFormatError';
  }
}

export type DeploymentOutcome = 'failed' | 'timeout';

/** A deployment we waited for failed, was cancelled, or outlived --timeout. */
export class DeploymentError extends Error {
  readonly code = 'PACER_CLI_DEPLOYMENT';
  constructor(
    readonly deploymentId: string,
    readonly outcome: DeploymentOutcome,
    message: string,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}

/** Something the user named (app, task, deployment) does not exist; found out client-side. */
export class NotFoundError extends Error {
  readonly code = 'PACER_CLI_NOT_FOUND';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

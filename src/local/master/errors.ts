/**
 * A scheduler Call the master refuses. `status` is the HTTP status the server answers with
 * (400, 403, 409, 501, ...); `message` is the response body, worded as upstream Mesos words it.
 */
export class MasterCallError extends Error {
  readonly code = 'PACER_MASTER_CALL';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MasterCallError';
  }
}

/** A Resource (or list of them) that is malformed: bad type, negative scalar, bad range... */
export class InvalidResourceError extends Error {
  readonly code = 'PACER_INVALID_RESOURCE';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidResourceError';
  }
}

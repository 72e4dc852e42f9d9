import type { CallType } from './types.js';

export type MesosDriverErrorCode =
  /** The master answered with a status the driver does not retry (e.g. 400, 401, 403). */
  | 'PACER_MESOS_HTTP_STATUS'
  /** The master sent an ERROR event; the subscription is over. */
  | 'PACER_MESOS_ERROR_EVENT'
  /** A 307 without a usable Location, a stream without Mesos-Stream-Id, a first event other than SUBSCRIBED. */
  | 'PACER_MESOS_BAD_RESPONSE'
  | 'PACER_MESOS_TOO_MANY_REDIRECTS'
  /** A 307 to plain HTTP from HTTPS, or with credentials to a host that is not a configured or detected master. */
  | 'PACER_MESOS_UNSAFE_REDIRECT'
  /** The master could not be reached (connection refused, reset, DNS, TLS, timeout). */
  | 'PACER_MESOS_CONNECTION'
  /** No event arrived within the allowed number of heartbeat intervals. */
  | 'PACER_MESOS_HEARTBEAT_TIMEOUT'
  /** The master closed the event stream. */
  | 'PACER_MESOS_STREAM_ENDED'
  /** The detector reported a different leading master. */
  | 'PACER_MESOS_LEADER_CHANGED'
  /** A call was made while no subscription is active, or the subscription it was made on ended. */
  | 'PACER_MESOS_NOT_SUBSCRIBED'
  /** persistFrameworkId rejected; the driver will not act on an unpersisted framework id. */
  | 'PACER_MESOS_PERSIST_FAILED'
  | 'PACER_MESOS_DRIVER_CLOSED'
  /** A master address given by configuration or detection cannot be parsed. */
  | 'PACER_MESOS_BAD_MASTER_URL';

export class MesosDriverError extends Error {
  readonly code: MesosDriverErrorCode;

  constructor(code: MesosDriverErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MesosDriverError';
    this.code = code;
  }
}

/** A response status the driver does not handle itself; carries the master's explanation. */
export class MesosHttpError extends MesosDriverError {
  readonly status: number;
  /** Response body as text (truncated), which is where Mesos explains a 400. */
  readonly body: string;
  readonly url: string;
  readonly callType: CallType;

  constructor(status: number, body: string, url: string, callType: CallType) {
    const detail = body.trim() === '' ? '' : `: ${body.trim()}`;
    super('PACER_MESOS_HTTP_STATUS', `${callType} to ${url} failed with HTTP ${status}${detail}`);
    this.name = 'MesosHttpError';
    this.status = status;
    this.body = body;
    this.url = url;
    this.callType = callType;
  }
}

/** Statuses that mean "not handled, try again later or elsewhere": Mesos never processed the call. */
export function isRetryableStatus(status: number): boolean {
  // 503: no leader elected or master still recovering. 404: libprocess routes not installed yet
  // (the C++ client tolerates it too). 429: an intermediary asks to slow down.
  return status === 503 || status === 404 || status === 429;
}

/** Statuses from intermediaries after which the call may or may not have reached Mesos. */
export function isAmbiguousStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 504;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

const CONNECTION_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes;
}

/** The request certainly did not reach the server, so even a non-idempotent call may be resent. */
export function isNotSentError(err: unknown): boolean {
  return errorCodes(err).some((c) => NOT_SENT_CODES.has(c));
}

/** Network-level failure (as opposed to a bug or an abort by us). TLS failures count: they may be transient. */
export function isConnectionError(err: unknown): boolean {
  return errorCodes(err).some((c) => CONNECTION_CODES.has(c) || c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL') || c.includes('CERT'));
}

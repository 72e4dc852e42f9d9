/**
 * `POST /api/v1/scheduler` (also `/master/api/v1/scheduler`): the checks, their order, status
 * codes and messages follow upstream Mesos' Master::Http::scheduler, so a framework sees the
 * same answers here as from a real master. Call semantics live in the master; this module only
 * speaks HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { codecFor, type MediaType } from '../mesos/codec.js';
import type { Call } from '../mesos/types.js';
import { convertJsonCall } from './call-json.js';
import { HttpFrameworkConnection } from './connection.js';
import { acceptsMediaType, readApiRequest, replyEmpty, replyText } from './http-replies.js';
import { validateCall } from './master/call-validation.js';
import type { FrameworkConnection } from './master/connection.js';
import { MasterCallError } from './master/errors.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
const STREAM_ID_HEADER = 'mesos-stream-id';

/** Calls are small; this only stops a runaway upload from filling memory. */
export const DEFAULT_MAX_CALL_BYTES = 16 * 1024 * 1024;

/** The part of the master the endpoint drives (LocalMaster satisfies it). */
export interface SchedulerCallHandler {
  subscribe(call: Call, connection: FrameworkConnection): void;
  /**
   * Validates the call first (validateCall, 400 "Failed to validate scheduler::Call: ..."),
   * then applies it; throws MasterCallError for refusals.
   */
  handleCall(call: Call, streamId: string | undefined): void;
  connectionClosed(connection: FrameworkConnection): void;
}

export interface SchedulerEndpointOptions {
  readonly master: SchedulerCallHandler;
  readonly logger: Logger;
  /** HEARTBEAT period on each subscription stream; 0 leaves heartbeats to the master. */
  readonly heartbeatIntervalMs: number;
  readonly maxCallBytes?: number;
}

type Decoded = { call: Call } | { status: number; message: string };

function decodeCall(contentType: MediaType, body: Buffer): Decoded {
  if (contentType === PROTOBUF_TYPE) {
    try {
      return { call: codecFor(PROTOBUF_TYPE).decodeCall(body) };
    } catch {
      return { status: 400, message: 'Failed to parse body into Call protobuf' };
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { status: 400, message: `Failed to parse body into JSON: ${(err as Error).message}` };
  }
  const converted = convertJsonCall(value);
  if (!converted.ok) return { status: 400, message: `Failed to convert JSON into Call protobuf: ${converted.reason}` };
  return { call: converted.call };
}

export class SchedulerEndpoint {
  readonly #master: SchedulerCallHandler;
  readonly #logger: Logger;
  readonly #heartbeatIntervalMs: number;
  readonly #maxCallBytes: number;
  readonly #connections = new Set<HttpFrameworkConnection>();

  constructor(opts: SchedulerEndpointOptions) {
    this.#master = opts.master;
    this.#logger = opts.logger;
    this.#heartbeatIntervalMs = opts.heartbeatIntervalMs;
    this.#maxCallBytes = opts.maxCallBytes ?? DEFAULT_MAX_CALL_BYTES;
  }

  /** Open subscription streams. */
  get connections(): ReadonlySet<HttpFrameworkConnection> {
    return this.#connections;
  }

  /** `principal`: who authenticated the request, when the scheduler API requires authentication. */
  async handle(req: IncomingMessage, res: ServerResponse, principal?: string): Promise<void> {
    const request = await readApiRequest(req, res, this.#maxCallBytes);
    if (request === undefined) return;
    const { contentType, body } = request;
    const decoded = decodeCall(contentType, body);
    if ('status' in decoded) {
      this.#logger.debug({ status: decoded.status, reason: decoded.message }, 'scheduler call refused');
      replyText(res, decoded.status, decoded.message);
      return;
    }
    const { call } = decoded;
    let responseType: MediaType | undefined;
    if (call.type === 'SUBSCRIBE' || call.type === 'RECONCILE_OPERATIONS') {
      // Validation answers before content negotiation. Other calls are validated once, by
      // handleCall, with the same status and message.
      const invalid = validateCall(call);
      if (invalid !== undefined) {
        replyText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
        return;
      }
      responseType = this.#negotiate(req.headers.accept);
      if (responseType === undefined) {
        replyText(res, 406, `Expecting 'Accept' to allow '${PROTOBUF_TYPE}' or '${JSON_TYPE}'`);
        return;
      }
    }

    if (call.type === 'SUBSCRIBE') {
      const claimed = call.subscribe?.framework_info.principal;
      if (principal !== undefined && claimed !== undefined && claimed !== principal) {
        // Upstream's Master::Http::scheduler refuses a FrameworkInfo naming someone else.
        replyText(res, 400, `Authenticated principal '${principal}' does not match principal '${claimed}' set in \`FrameworkInfo\``);
        return;
      }
      this.#subscribe(call, responseType!, req, res);
      return;
    }
    this.#dispatch(call, req, res);
  }

  /** Ends every subscription stream (server shutdown). */
  closeAll(): void {
    for (const connection of this.#connections) connection.close();
    this.#connections.clear();
  }

  #negotiate(accept: string | undefined): MediaType | undefined {
    if (acceptsMediaType(accept, JSON_TYPE)) return JSON_TYPE;
    if (acceptsMediaType(accept, PROTOBUF_TYPE)) return PROTOBUF_TYPE;
    return undefined;
  }

  #subscribe(call: Call, responseType: MediaType, req: IncomingMessage, res: ServerResponse): void {
    if (req.headers[STREAM_ID_HEADER] !== undefined) {
      replyText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      return;
    }
    const connection = new HttpFrameworkConnection({
      streamId: randomUUID(),
      codec: codecFor(responseType),
      response: res,
      logger: this.#logger,
      heartbeatIntervalMs: this.#heartbeatIntervalMs,
      onLost: (lost) => {
        this.#connections.delete(lost);
        this.#master.connectionClosed(lost);
      },
    });
    try {
      this.#master.subscribe(call, connection);
    } catch (err) {
      connection.close();
      this.#replyError(res, err, call);
      return;
    }
    if (!connection.closed) {
      this.#connections.add(connection);
      res.on('close', () => this.#connections.delete(connection));
    }
    connection.open();
  }

  #dispatch(call: Call, req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers[STREAM_ID_HEADER];
    const streamId = Array.isArray(header) ? header[0] : header;
    try {
      this.#master.handleCall(call, streamId);
    } catch (err) {
      this.#replyError(res, err, call);
      return;
    }
    if (call.type === 'UNKNOWN') {
      // The master found the framework and stream in order; upstream has no handler for UNKNOWN.
      replyText(res, 501, '501 Not Implemented.');
    } else if (call.type === 'UPDATE_FRAMEWORK') {
      replyEmpty(res, 200);
    } else {
      replyEmpty(res, 202);
    }
  }

  #replyError(res: ServerResponse, err: unknown, call: Call): void {
    if (err instanceof MasterCallError) {
      this.#logger.debug({ callType: call.type, frameworkId: call.framework_id?.value, status: err.status, reason: err.message }, 'scheduler call refused');
      replyText(res, err.status, err.message);
      return;
    }
    this.#logger.error({ err, callType: call.type, frameworkId: call.framework_id?.value }, 'scheduler call failed');
    replyText(res, 500, '500 Internal Server Error.');
  }
}

import type { Logger } from 'pino';
import { Client, type Dispatcher } from 'undici';
import { MesosDriverError, MesosHttpError, isConnectionError } from './errors.js';
import { checkRedirect, headerValue, readBodyText, resolveLocation, type RedirectPolicy, type TlsOptions } from './http-util.js';
import { decodeRecords } from './recordio.js';

export interface SubscribeRequest {
  endpoint: URL;
  /** The encoded SUBSCRIBE call. */
  body: Uint8Array;
  /** Content-Type, Accept, Authorization; never Mesos-Stream-Id (the master rejects it on SUBSCRIBE). */
  headers: Record<string, string>;
  tls?: TlsOptions;
  maxRedirects: number;
  /** Time allowed for the response head. */
  requestTimeoutMs: number;
  maxRecordBytes: number;
  signal: AbortSignal;
  logger: Logger;
  onRedirect?: (target: URL) => void;
  redirectPolicy?: RedirectPolicy;
}

/** One open SUBSCRIBE response: a never-ending body of RecordIO records on its own connection. */
export class EventStream {
  readonly endpoint: URL;
  readonly streamId: string;
  /** Response Content-Type, which tells how records are encoded. */
  readonly contentType: string | undefined;
  readonly #client: Client;
  readonly #body: Dispatcher.ResponseData['body'];
  readonly #records: AsyncGenerator<Uint8Array>;
  #closeReason: Error | undefined;

  constructor(endpoint: URL, streamId: string, contentType: string | undefined, client: Client, body: Dispatcher.ResponseData['body'], maxRecordBytes: number) {
    this.endpoint = endpoint;
    this.streamId = streamId;
    this.contentType = contentType;
    this.#client = client;
    this.#body = body;
    this.#records = decodeRecords(body, { maxRecordBytes });
  }

  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /**
   * The next record, or `done` when the master ended the stream cleanly between records.
   * Rejects with RecordIOError on bad framing, with the close reason after `close()`,
   * and with a connection error when the socket fails.
   */
  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#closeReason) throw this.#closeReason;
    try {
      const result = await this.#records.next();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition, @typescript-eslint/only-throw-error -- close() may run while next() awaits
      if (this.#closeReason) throw this.#closeReason;
      return result;
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may run while next() awaits
      throw this.#closeReason ?? err;
    }
  }

  /** Drops the connection; a pending `next()` rejects with `reason`. Idempotent. */
  close(reason: Error): void {
    if (this.#closeReason) return;
    this.#closeReason = reason;
    discardBody(this.#body);
    this.#client.destroy().catch(() => undefined);
  }
}

/**
 * Destroys a response body. undici errors a body destroyed before its end with an AbortError,
 * which would be an uncaught 'error' event if nobody happens to be reading it.
 */
function discardBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * POSTs SUBSCRIBE to `endpoint`, following 307s to the leader. Resolves once a
 * 200 with a Mesos-Stream-Id arrives; rejects with MesosHttpError for any other
 * final status (the caller decides whether it is worth retrying), with
 * PACER_MESOS_CONNECTION when the master cannot be reached, or with the signal's
 * reason when aborted.
 */
export async function openEventStream(req: SubscribeRequest): Promise<EventStream> {
  let endpoint = req.endpoint;
  for (let redirects = 0; ; redirects++) {
    const client = new Client(endpoint.origin, {
      connect: req.tls ? { ...req.tls } : undefined,
      headersTimeout: req.requestTimeoutMs,
      // The stream is silent between heartbeats; the driver's watchdog judges liveness.
      bodyTimeout: 0,
    });
    let res: Dispatcher.ResponseData;
    try {
      res = await client.request({
        path: `${endpoint.pathname}${endpoint.search}`,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
    } catch (err) {
      client.destroy().catch(() => undefined);
      if (req.signal.aborted) throw req.signal.reason;
      if (err instanceof MesosDriverError) throw err;
      throw new MesosDriverError('PACER_MESOS_CONNECTION', `SUBSCRIBE to ${endpoint.href} failed: ${(err as Error).message}`, {
        cause: isConnectionError(err) ? err : err,
      });
    }

    if (res.statusCode === 200) {
      const streamId = headerValue(res.headers, 'mesos-stream-id');
      if (!streamId) {
        discardBody(res.body);
        client.destroy().catch(() => undefined);
        throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `SUBSCRIBE to ${endpoint.href} answered 200 without Mesos-Stream-Id`);
      }
      const stream = new EventStream(endpoint, streamId, headerValue(res.headers, 'content-type'), client, res.body, req.maxRecordBytes);
      if (req.signal.aborted) {
        stream.close(req.signal.reason as Error);
        throw req.signal.reason;
      }
      return stream;
    }

    const text = await readBodyText(res.body);
    client.close().catch(() => undefined);
    if (res.statusCode === 307) {
      const location = headerValue(res.headers, 'location');
      if (!location) {
        throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `307 from ${endpoint.href} without a Location header`);
      }
      if (redirects >= req.maxRedirects) {
        throw new MesosDriverError('PACER_MESOS_TOO_MANY_REDIRECTS', `SUBSCRIBE: more than ${req.maxRedirects} redirects`);
      }
      const target = resolveLocation(location, endpoint);
      try {
        checkRedirect(target, endpoint, req.redirectPolicy);
      } catch (err) {
        req.logger.error({ from: endpoint.href, to: target.href, err }, 'SUBSCRIBE redirect refused');
        throw err;
      }
      req.logger.info({ from: endpoint.href, to: target.href }, 'SUBSCRIBE redirected to the leading master');
      endpoint = target;
      req.onRedirect?.(target);
      continue;
    }
    throw new MesosHttpError(res.statusCode, text, endpoint.href, 'SUBSCRIBE');
  }
}

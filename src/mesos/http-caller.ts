import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { MesosDriverError, MesosHttpError, isAmbiguousStatus, isConnectionError, isNotSentError, isRetryableStatus } from './errors.js';
import { checkRedirect, headerValue, readBodyText, resolveLocation, type RedirectPolicy } from './http-util.js';
import type { CallType } from './types.js';

export interface CallSenderOptions {
  /** Keep-alive pool for every call except SUBSCRIBE (which has its own connection). */
  dispatcher: Dispatcher;
  logger: Logger;
  backoff: BackoffOptions;
  maxRedirects: number;
  /** Attempts per call, counting the first, for retryable failures. */
  maxAttempts: number;
  /** Time allowed for the response head; Mesos answers calls immediately with 202. */
  requestTimeoutMs: number;
  /** Told about every redirect target so the next subscription can start there. */
  onRedirect?: (target: URL) => void;
  redirectPolicy?: RedirectPolicy;
}

export interface OutgoingCall {
  endpoint: URL;
  type: CallType;
  body: Uint8Array;
  headers: Readonly<Record<string, string>>;
  /** Aborting it stops the call (and its retries); the abort reason is what the caller sees. */
  signal: AbortSignal;
}

export interface CallResult {
  /** Where the call was finally answered, after redirects. */
  endpoint: URL;
  status: number;
}

/**
 * Calls that must not be sent twice if the first attempt might have reached the
 * master: a repeated ACCEPT would find its offers used and report the tasks it
 * just launched as DROPPED. Everything else Mesos treats idempotently enough.
 */
const UNSAFE_TO_REPEAT: ReadonlySet<CallType> = new Set<CallType>(['ACCEPT']);

interface RequestTarget {
  /** The href the parts were taken from, so a URL changed in place is not served stale parts. */
  readonly href: string;
  readonly origin: string;
  readonly path: string;
}

/** URL getters build fresh strings; calls come in bursts of thousands to the same endpoint. */
const targets = new WeakMap<URL, RequestTarget>();

function requestTarget(endpoint: URL): RequestTarget {
  let target = targets.get(endpoint);
  if (target === undefined || target.href !== endpoint.href) {
    target = { href: endpoint.href, origin: endpoint.origin, path: `${endpoint.pathname}${endpoint.search}` };
    targets.set(endpoint, target);
  }
  return target;
}

/** Posts one scheduler Call, following redirects and retrying what is safe to retry. */
export class CallSender {
  readonly #opts: CallSenderOptions;

  constructor(opts: CallSenderOptions) {
    this.#opts = opts;
  }

  async send(call: OutgoingCall): Promise<CallResult> {
    const { logger, maxRedirects, maxAttempts, requestTimeoutMs } = this.#opts;
    let backoff: Backoff | undefined; // only a failed attempt needs one
    const repeatable = !UNSAFE_TO_REPEAT.has(call.type);
    let endpoint = call.endpoint;
    let redirects = 0;
    let attempts = 0;

    for (;;) {
      if (call.signal.aborted) throw call.signal.reason;
      attempts += 1;
      let failure: Error;
      try {
        const target = requestTarget(endpoint);
        const res = await this.#opts.dispatcher.request({
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers: call.headers,
          body: call.body,
          signal: call.signal,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs,
        });
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          await res.body.dump();
          return { endpoint, status };
        }
        const text = await readBodyText(res.body);
        if (status === 307) {
          const location = headerValue(res.headers, 'location');
          if (!location) {
            throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `307 from ${endpoint.href} without a Location header`);
          }
          redirects += 1;
          if (redirects > maxRedirects) {
            throw new MesosDriverError('PACER_MESOS_TOO_MANY_REDIRECTS', `${call.type}: more than ${maxRedirects} redirects`);
          }
          const target = resolveLocation(location, endpoint);
          try {
            checkRedirect(target, endpoint, this.#opts.redirectPolicy);
          } catch (err) {
            logger.error({ callType: call.type, from: endpoint.href, to: target.href, err }, 'call redirect refused');
            throw err;
          }
          logger.info({ callType: call.type, from: endpoint.href, to: target.href }, 'call redirected to another master');
          endpoint = target;
          this.#opts.onRedirect?.(target);
          attempts -= 1; // a redirect is progress, not a failed attempt
          continue;
        }
        const error = new MesosHttpError(status, text, endpoint.href, call.type);
        if (!(isRetryableStatus(status) || (repeatable && isAmbiguousStatus(status)))) throw error;
        failure = error;
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the caller may abort while the request awaits
        if (call.signal.aborted) throw call.signal.reason;
        if (err instanceof MesosDriverError) throw err;
        const retryable = isNotSentError(err) || (repeatable && isConnectionError(err));
        const wrapped = new MesosDriverError('PACER_MESOS_CONNECTION', `${call.type} to ${endpoint.href} failed: ${(err as Error).message}`, { cause: err });
        if (!retryable) throw wrapped;
        failure = wrapped;
      }
      if (attempts >= maxAttempts) throw failure;
      backoff ??= new Backoff(this.#opts.backoff);
      const delayMs = backoff.next();
      logger.warn({ callType: call.type, master: endpoint.href, attempt: attempts, delayMs, err: failure.message }, 'call failed, retrying');
      await sleep(delayMs, call.signal);
    }
  }
}

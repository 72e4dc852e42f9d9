/**
 * One network probe each: a legacy HTTP(S) health check, a TCP connect, and the GET behind a
 * readiness check. Every probe has its own deadline covering connect, headers and body, opens
 * one connection and closes it afterwards (checks run seconds apart; pooled idle sockets to
 * thousands of tasks would only pile up). Certificates are never verified: these are checks of
 * tasks on private agents, as in Marathon.
 */
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';

export type ProbeOutcome =
  | { kind: 'healthy' }
  | { kind: 'unhealthy'; cause: string }
  /** A 1xx answer to a check with `ignoreHttp1xx`: neither success nor failure. */
  | { kind: 'ignored'; status: number };

export interface HttpProbeTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Absolute path; a missing leading slash is added. */
  path: string;
}

export interface HttpResponseSummary {
  status: number;
  /** Media type without parameters (`application/json`), '' when absent. */
  contentType: string;
  body: string;
}

const BACKUP_TIMEOUT_MS = 1000;

/** Readiness bodies are kept for `preserveLastResponse`; a task must not make us buffer megabytes. */
export const MAX_READINESS_BODY_BYTES = 64 * 1024;

/** Probes (health and readiness together) in flight at most: a check round never opens more sockets. */
export const DEFAULT_MAX_CONCURRENT_PROBES = 64;

/** The dispatcher all probes share: no certificate checks, no idle sockets kept. */
export function createProbeDispatcher(): Dispatcher {
  return new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 1, keepAliveMaxTimeout: 1 });
}

export function probeUrl(target: HttpProbeTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const path = target.path.startsWith('/') ? target.path : `/${target.path}`;
  return `${target.scheme}://${host}:${target.port}${path}`;
}

export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

class ProbeDeadline extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'ProbeDeadline';
  }
}

class InformationalAnswer extends Error {
  constructor(readonly status: number) {
    super(`informational answer ${status}`);
    this.name = 'InformationalAnswer';
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    // undici wraps connect errors ("fetch failed"-style); the socket error says more.
    if (cause instanceof Error && cause.message && !err.message.includes(cause.message)) return `${err.message}: ${cause.message}`;
    return err.message || err.name;
  }
  return String(err);
}

/**
 * Marathon's legacy HTTP/HTTPS check: healthy iff the first status is in [200, 399] within the
 * timeout. A 1xx status decides too, like any other (Marathon takes the first status line it
 * gets): ignored with `ignoreHttp1xx`, a failure without. undici itself rejects a stray
 * `100 Continue` (never asked for) as a bad response, which counts as a failure.
 */
export async function probeHttp(
  dispatcher: Dispatcher,
  target: HttpProbeTarget,
  opts: { timeoutMs: number; ignoreHttp1xx: boolean; signal?: AbortSignal },
): Promise<ProbeOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeDeadline(opts.timeoutMs)), opts.timeoutMs);
  const onOuterAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const response = await request(probeUrl(target), {
      method: 'GET',
      dispatcher,
      signal: controller.signal,
      reset: true,
      // Our own deadline decides; undici's timers only back it up.
      headersTimeout: opts.timeoutMs + BACKUP_TIMEOUT_MS,
      bodyTimeout: opts.timeoutMs + BACKUP_TIMEOUT_MS,
      onInfo: ({ statusCode }) => {
        if (statusCode >= 100 && statusCode < 200) controller.abort(new InformationalAnswer(statusCode));
      },
    });
    await response.body.dump();
    const status = response.statusCode;
    if (status >= 200 && status <= 399) return { kind: 'healthy' };
    return { kind: 'unhealthy', cause: statusLine(status) };
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
    if (reason instanceof InformationalAnswer) {
      return opts.ignoreHttp1xx ? { kind: 'ignored', status: reason.status } : { kind: 'unhealthy', cause: statusLine(reason.status) };
    }
    return { kind: 'unhealthy', cause: describe(reason) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Marathon's legacy TCP check: healthy iff a connection opens within the timeout. */
export function probeTcp(host: string, port: number, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'unhealthy', cause: 'probe cancelled' });
    const timedOut: ProbeOutcome = { kind: 'unhealthy', cause: `connect to ${host}:${port} timed out after ${opts.timeoutMs} ms` };
    const timer = setTimeout(() => finish(timedOut), opts.timeoutMs);
    socket.once('connect', () => finish({ kind: 'healthy' }));
    socket.once('error', (err) => finish({ kind: 'unhealthy', cause: describe(err) }));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The GET of a readiness check: status, media type and (capped) body. Transport failures and
 * timeouts come back as a 504 answer naming the URL, as Marathon reports them.
 */
export async function fetchForReadiness(
  dispatcher: Dispatcher,
  url: string,
  opts: { timeoutMs: number; signal?: AbortSignal; maxBodyBytes?: number },
): Promise<HttpResponseSummary> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeDeadline(opts.timeoutMs)), opts.timeoutMs);
  const onOuterAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const limit = opts.maxBodyBytes ?? MAX_READINESS_BODY_BYTES;
  try {
    const response = await request(url, {
      method: 'GET',
      dispatcher,
      signal: controller.signal,
      reset: true,
      // Our own deadline decides; undici's timers only back it up.
      headersTimeout: opts.timeoutMs + BACKUP_TIMEOUT_MS,
      bodyTimeout: opts.timeoutMs + BACKUP_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    }
    const header = response.headers['content-type'];
    const contentType = (Array.isArray(header) ? header[0] : header) ?? '';
    return {
      status: response.statusCode,
      contentType: contentType.split(';')[0]!.trim(),
      body: Buffer.concat(chunks).toString('utf8'),
    };
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
    return { status: 504, contentType: 'text/plain', body: `Pacer could not query ${url}: ${describe(reason)}` };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

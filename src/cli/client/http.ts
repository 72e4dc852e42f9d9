/**
 * HTTP to any Marathon-compatible server: undici on a private Agent (closed when the command
 * ends, so no keep-alive socket holds the process), HTTP Basic auth, a per-request timeout,
 * and typed errors: ServerError for status >= 400 with Marathon's error body parsed,
 * ConnectionError when no answer came at all.
 */
import type { FetchLike } from 'eventsource';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { ConnectionError, ResponseFormatError, ServerError, UsageError, type MarathonErrorBody } from './errors.js';

export type QueryValue = string | number | boolean | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:8080` or `https://lb.example.com/marathon` */
  baseUrl: string;
  /** `user:password` for HTTP Basic */
  user?: string | undefined;
  requestTimeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body; undefined for an empty body. */
  json: unknown;
  text: string;
}

export function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url: '${raw}' is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url: only http:// and https:// are supported, got '${raw}'`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError('--url: put credentials in --user user:password, not in the URL');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function basicAuthHeader(user: string): string {
  if (!user.includes(':')) throw new UsageError("--user: expected 'user:password'");
  return `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
}

export function buildQuery(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** `/v2/apps` + app id: ids are absolute paths; each segment is escaped. */
export function appPath(prefix: string, id: string): string {
  const segments = id.split('/').filter((s) => s !== '');
  return `${prefix}/${segments.map(encodeURIComponent).join('/')}`;
}

function describeTransportError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeTransportError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: unknown }).cause;
    if (typeof code === 'string' && code.startsWith('UND_ERR_HEADERS_TIMEOUT')) return 'no answer within the request timeout';
    if (typeof code === 'string') return `${code}${err.message && !err.message.includes(code) ? ` (${err.message})` : ''}`;
    if (cause !== undefined) return describeTransportError(cause);
    return err.message;
  }
  return String(err);
}

function parseErrorBody(text: string): MarathonErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // Not JSON (a proxy's HTML page, say): the raw text is shown instead.
  }
  return {};
}

export class MarathonHttp {
  readonly baseUrl: string;
  readonly #agent: Agent;
  readonly #auth: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: HttpClientOptions) {
    this.baseUrl = parseBaseUrl(opts.baseUrl);
    this.#auth = opts.user === undefined || opts.user === '' ? undefined : basicAuthHeader(opts.user);
    this.#timeoutMs = opts.requestTimeoutMs;
    this.#agent = new Agent({ connectTimeout: opts.requestTimeoutMs });
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.#auth === undefined ? {} : { authorization: this.#auth }), ...extra };
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: { query?: Query; body?: string } = {}): Promise<HttpResponse> {
    const url = `${this.baseUrl}${path}${buildQuery(opts.query)}`;
    let status: number;
    let rawHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(url, {
        method,
        dispatcher: this.#agent,
        headers: this.#headers(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.body === undefined ? {} : { body: opts.body }),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      status = res.statusCode;
      rawHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      throw new ConnectionError(this.baseUrl, describeTransportError(err));
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(rawHeaders)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    if (status >= 400) throw new ServerError(status, method, path, parseErrorBody(text), text);
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ResponseFormatError(`${method} ${path}: HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    return { status, headers, json, text };
  }

  /** A fetch for the EventSource: same agent and credentials as every other request. */
  readonly sseFetch: FetchLike = async (input, init) => {
    const res = await undiciFetch(input, {
      headers: this.#headers({ ...init.headers, accept: 'text/event-stream' }),
      redirect: 'follow',
      dispatcher: this.#agent,
      ...(init.signal ? { signal: init.signal as AbortSignal } : {}),
    });
    return res;
  };

  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

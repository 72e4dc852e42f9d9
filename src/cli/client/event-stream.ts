/**
 * `/v2/events` through the `eventsource` package. Marathon names every frame after its event
 * type (`event: status_update_event`), and an EventSource only delivers named events to
 * listeners of that name, so this subclass sees every MessageEvent as it is dispatched.
 * A failure before the stream opens is reported as a typed error (ServerError with the
 * server's body, or ConnectionError); later drops are left to EventSource's reconnects.
 */
import { EventSource, type FetchLike, type FetchLikeResponse } from 'eventsource';
import { ConnectionError, ServerError, type MarathonErrorBody } from './errors.js';
import { buildQuery, type MarathonHttp } from './http.js';

export interface StreamedEvent {
  type: string;
  /** The frame's data: one line of JSON. */
  data: string;
}

export interface EventStreamOptions {
  http: MarathonHttp;
  /** Marathon's `event_type` filter; empty = every event. */
  types: readonly string[];
  onEvent: (event: StreamedEvent) => void;
  /** Called when an open stream drops and EventSource reconnects. */
  onReconnecting?: (reason: string) => void;
}

export interface EventStream {
  /** Resolves once the server answered 200 with an event stream; rejects with a typed error otherwise. */
  readonly opened: Promise<void>;
  /** Resolves with the reason once the stream has given up (after `close()`: undefined). */
  readonly ended: Promise<Error | undefined>;
  close(): void;
}

class AllEventsSource extends EventSource {
  onAnyMessage: ((event: MessageEvent) => void) | undefined;

  override dispatchEvent(event: Event): boolean {
    if (event instanceof MessageEvent && this.onAnyMessage !== undefined) this.onAnyMessage(event);
    return super.dispatchEvent(event);
  }
}

function parseBody(text: string): MarathonErrorBody {
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // shown raw
  }
  return {};
}

export function openEventStream(opts: EventStreamOptions): EventStream {
  const path = `/v2/events${buildQuery({ event_type: opts.types })}`;
  let failure: Error | undefined;
  let everOpened = false;

  // Remember why a connection failed: EventSource itself keeps only a status code.
  const fetchAndRemember: FetchLike = async (url, init) => {
    let res: FetchLikeResponse;
    try {
      res = await opts.http.sseFetch(url, init);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      const code = (cause as { code?: unknown }).code;
      failure = new ConnectionError(opts.http.baseUrl, typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause));
      throw err;
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !contentType.startsWith('text/event-stream')) {
      const text = await (res as unknown as Response).text();
      failure = new ServerError(res.status === 200 ? 500 : res.status, 'GET', path, parseBody(text), text);
      return new Response(null, { status: res.status === 200 ? 500 : res.status });
    }
    return res;
  };

  const source = new AllEventsSource(`${opts.http.baseUrl}${path}`, { fetch: fetchAndRemember });
  let resolveOpened!: () => void;
  let rejectOpened!: (err: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  opened.catch(() => {});
  let resolveEnded!: (reason: Error | undefined) => void;
  const ended = new Promise<Error | undefined>((resolve) => {
    resolveEnded = resolve;
  });

  const finish = (reason: Error | undefined): void => {
    source.close();
    if (!everOpened) rejectOpened(reason ?? new ConnectionError(opts.http.baseUrl, 'event stream closed'));
    resolveEnded(reason);
  };

  source.onAnyMessage = (event) => opts.onEvent({ type: event.type, data: String(event.data) });
  source.onopen = () => {
    everOpened = true;
    failure = undefined;
    resolveOpened();
  };
  source.onerror = (event) => {
    const reason = failure ?? new ConnectionError(opts.http.baseUrl, event.message ?? 'event stream failed');
    // Before the first open every error is final; afterwards EventSource retries on its own
    // unless the server refused (it then moves to CLOSED).
    if (!everOpened || source.readyState === source.CLOSED) {
      finish(reason);
      return;
    }
    opts.onReconnecting?.(reason.message);
  };

  return { opened, ended, close: () => finish(undefined) };
}

/**
 * The bytes of Marathon's event stream. Marathon serves `/v2/events` through Jetty's
 * EventSourceServlet: one frame per event (`event: <type>`, `data: <one-line JSON>`, blank line)
 * and, every 10 s, a bare line break as a keep-alive that SSE parsers skip.
 */

/** Jetty ends lines with CRLF; the reference wire format (and most SSE servers) use LF. */
export type SseLineEnding = 'lf' | 'crlf';

const EOL: Record<SseLineEnding, string> = { lf: '\n', crlf: '\r\n' };

export const EVENT_STREAM_MEDIA_TYPE = 'text/event-stream';

export class SseFrameError extends Error {
  readonly code = 'PACER_SSE_FRAME';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SseFrameError';
  }
}

const LINE_BREAK = /[\r\n]/;

/**
 * One SSE frame. `data` must be a single line (JSON.stringify output always is: it escapes CR and
 * LF inside strings); anything that would split the frame is refused rather than sent broken.
 */
export function encodeSseFrame(eventType: string, data: string, lineEnding: SseLineEnding = 'lf'): Buffer {
  if (eventType.length === 0 || LINE_BREAK.test(eventType)) {
    throw new SseFrameError(`event type ${JSON.stringify(eventType)} cannot be framed`);
  }
  if (LINE_BREAK.test(data)) throw new SseFrameError(`data of ${eventType} spans several lines`);
  const eol = EOL[lineEnding];
  return Buffer.from(`event: ${eventType}${eol}data: ${data}${eol}${eol}`, 'utf8');
}

/** Serialises an event to one-line JSON and frames it; non-serialisable events are refused. */
export function encodeEventFrame(event: { eventType: string }, lineEnding: SseLineEnding = 'lf'): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch (err) {
    throw new SseFrameError(`event ${event.eventType} is not serialisable to JSON`, { cause: err });
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for a function or symbol, whatever its declared type
  if (json === undefined) throw new SseFrameError(`event ${event.eventType} serialised to nothing`);
  return encodeSseFrame(event.eventType, json, lineEnding);
}

/** The keep-alive Jetty writes: an empty line, which dispatches nothing in any SSE parser. */
export function keepAliveBytes(lineEnding: SseLineEnding = 'lf'): Buffer {
  return Buffer.from(EOL[lineEnding], 'utf8');
}

/**
 * Whether the Accept header asks for an event stream. Jetty only streams when one Accept value
 * equals `text/event-stream`; we also accept it inside a list or with parameters (`;q=1`), which
 * no Marathon client relies on being refused.
 */
export function acceptsEventStream(accept: string | readonly string[] | undefined): boolean {
  if (accept === undefined) return false;
  const values = typeof accept === 'string' ? [accept] : accept;
  for (const value of values) {
    for (const range of value.split(',')) {
      const [mediaType = '', ...params] = range.split(';');
      if (mediaType.trim().toLowerCase() !== EVENT_STREAM_MEDIA_TYPE) continue;
      const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
      if (q === undefined || Number(q.slice(2)) > 0) return true;
    }
  }
  return false;
}

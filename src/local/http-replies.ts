/**
 * Response shapes of a Mesos master (libprocess): errors are `text/plain; charset=utf-8` bodies
 * with a Content-Length, bodiless statuses carry `Content-Length: 0`.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function replyText(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}

/** Shared by every bodiless answer (one per accepted call); writeHead only reads it. */
const EMPTY_BODY_HEADERS: OutgoingHttpHeaders = Object.freeze({ 'Content-Length': 0 });

export function replyEmpty(res: ServerResponse, status: number, headers?: OutgoingHttpHeaders): void {
  res.writeHead(status, headers === undefined ? EMPTY_BODY_HEADERS : { ...headers, 'Content-Length': 0 });
  res.end();
}

export function replyJson(res: ServerResponse, status: number, value: unknown): void {
  replyJsonText(res, status, JSON.stringify(value));
}

/** A body already serialised as JSON. */
export function replyJsonText(res: ServerResponse, status: number, json: string): void {
  const bytes = Buffer.from(json, 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

/**
 * libprocess' OK(json, jsonp): with a `jsonp` callback name the document comes wrapped as
 * `<callback>(…)` in text/javascript. The Mesos web UI reads the master's state, the agent's state
 * and the sandbox files this way (MESOS-5911: JSONP spares it CORS when it follows a redirect).
 */
export function replyJsonp(res: ServerResponse, value: unknown, jsonp: string | null | undefined): void {
  replyJsonpText(res, JSON.stringify(value), jsonp);
}

/** replyJsonp for a body already serialised as JSON. */
export function replyJsonpText(res: ServerResponse, json: string, jsonp: string | null | undefined): void {
  if (jsonp === null || jsonp === undefined) {
    replyJsonText(res, 200, json);
    return;
  }
  const bytes = Buffer.from(`${jsonp}(${json})`, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Length': bytes.length });
  res.end(bytes);
}

/**
 * replyJsonp for a body in chunks (a large `/master/state`): sent with chunked transfer encoding,
 * taking the next chunk only once the socket has taken the previous ones, so that the body is
 * never held whole. Chunks are not queued in the response either: a queued chunk outlives the
 * young generation and is promoted (a few GETs of a 54 MiB state grew the heap by hundreds of
 * MiB that way), while one the socket takes at once dies young. Stops when the client goes away.
 */
export function replyJsonpChunks(res: ServerResponse, chunks: Iterable<string>, jsonp: string | null | undefined): void {
  const wrapped = jsonp !== null && jsonp !== undefined;
  res.writeHead(200, { 'Content-Type': wrapped ? 'text/javascript' : 'application/json' });
  if (wrapped) res.write(`${jsonp}(`);
  const iterator = chunks[Symbol.iterator]();
  const pump = (): void => {
    while (!res.destroyed) {
      let next: IteratorResult<string>;
      try {
        next = iterator.next();
      } catch (err) {
        // The status line is out already: all that is left is to cut the body short.
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (next.done === true) {
        res.end(wrapped ? ')' : undefined);
        return;
      }
      if (!res.write(next.value)) {
        res.once('drain', pump);
        return;
      }
    }
    iterator.return?.();
  };
  pump();
}

/** 405 worded as libprocess words it, with the Allow header RFC 7231 asks for. */
export function replyMethodNotAllowed(res: ServerResponse, allowed: readonly string[], method: string | undefined): void {
  const received = method === undefined ? '' : `, but received '${method}'`;
  replyText(res, 405, `405 Method Not Allowed. Expecting one of { '${allowed.join("', '")}' }${received}.`, {
    Allow: allowed.join(', '),
  });
}

export function replyNotFound(res: ServerResponse): void {
  replyText(res, 404, '404 Not Found.');
}

/**
 * Whether the Accept header admits `mediaType`, by libprocess' rules: no header admits
 * everything; the most specific matching entry (type/subtype, then type/*, then *\/*) decides,
 * and it refuses only with q=0.
 */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined) return true;
  const [type] = mediaType.split('/');
  const entries = accept
    .replace(/[ \t\n]/g, '')
    .split(',')
    .filter((entry) => entry !== '');
  for (const candidate of [mediaType, `${type}/*`, '*/*']) {
    for (const entry of entries) {
      const [range, ...params] = entry.split(';');
      if (range === undefined || range.toLowerCase() !== candidate) continue;
      const q = params.map((p) => p.split('=')).filter(([name]) => name === 'q');
      if (q.length !== 1 || q[0]!.length !== 2) return true;
      const value = Number(q[0]![1]);
      return Number.isFinite(value) && value > 0;
    }
  }
  return false;
}

/** Reads the whole request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type ApiMediaType = 'application/json' | 'application/x-protobuf';

/**
 * The checks a Mesos master's v1 API endpoints make before looking at the call, in upstream's
 * order: POST only (405), a Content-Type (400) that is exactly JSON or protobuf (415; parameters
 * or other casing are unsupported upstream too), and a body within `limit` (413). On a failed
 * check it answers the request itself and resolves to undefined.
 */
export async function readApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<{ contentType: ApiMediaType; body: Buffer } | undefined> {
  if (req.method !== 'POST') {
    replyMethodNotAllowed(res, ['POST'], req.method);
    return undefined;
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) {
    replyText(res, 400, "Expecting 'Content-Type' to be present");
    return undefined;
  }
  if (contentType !== 'application/json' && contentType !== 'application/x-protobuf') {
    replyText(res, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    return undefined;
  }
  const body = await readBody(req, limit);
  if (body === 'too-large') {
    replyText(res, 413, `Request body exceeds ${limit} bytes`);
    return undefined;
  }
  return { contentType, body };
}

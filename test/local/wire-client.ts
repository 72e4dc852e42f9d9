/**
 * Plain node:http requests for wire tests: exact headers (or none), raw bodies, and streaming
 * responses read with the independent RecordIO reader. Nothing here comes from src/mesos.
 */
import http from 'node:http';
import { RawRecordReader } from '../helpers/raw-recordio.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function send(base: string, req: RawRequest): http.ClientRequest {
  const url = new URL(req.path ?? '/api/v1/scheduler', base);
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
  if (body !== undefined) headers['Content-Length'] = body.length;
  const request = http.request(url, { method: req.method ?? 'POST', headers, agent: false });
  request.end(body);
  return request;
}

/** One request, whole response; rejects after `timeoutMs`. */
export function rawRequest(base: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = send(base, req);
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
  });
}

export function postJson(base: string, call: object, headers: Record<string, string> = {}, timeoutMs?: number): Promise<RawResponse> {
  return rawRequest(base, { headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(call) }, timeoutMs);
}

export interface OpenStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  records: RawRecordReader;
  /** Body of a non-200 answer. */
  text(): Promise<string>;
  close(): void;
}

/** Sends a request whose answer is a stream; resolves once the status line and headers arrive. */
export function openStream(base: string, req: RawRequest, timeoutMs = 10_000): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = send(base, req);
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no response headers within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.on('response', (res) => {
      clearTimeout(timer);
      const records = new RawRecordReader(res);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        records,
        // The reader keeps every byte it saw, RecordIO or not.
        text: () =>
          new Promise((done) => {
            if (res.complete) done(Buffer.concat(records.raw).toString('utf8'));
            else res.on('end', () => done(Buffer.concat(records.raw).toString('utf8')));
          }),
        close: () => {
          res.destroy();
          request.destroy();
        },
      });
    });
  });
}

export function subscribeCall(name = 'wire-test', extra: Record<string, unknown> = {}): object {
  return { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'tester', name, ...extra } } };
}

/** Subscribes with JSON and reads SUBSCRIBED; returns the framework id and stream id. */
export async function subscribeJson(
  base: string,
  name = 'wire-test',
  extra: Record<string, unknown> = {},
): Promise<{ stream: OpenStream; frameworkId: string; streamId: string; subscribed: Record<string, unknown> }> {
  const stream = await openStream(base, { headers: { ...JSON_HEADERS, Accept: 'application/json' }, body: JSON.stringify(subscribeCall(name, extra)) });
  if (stream.status !== 200) throw new Error(`SUBSCRIBE answered ${stream.status}: ${await stream.text()}`);
  const subscribed = await stream.records.nextJson();
  if (subscribed.type !== 'SUBSCRIBED') throw new Error(`first event was ${String(subscribed.type)}`);
  const frameworkId = (subscribed.subscribed as { framework_id: { value: string } }).framework_id.value;
  return { stream, frameworkId, streamId: String(stream.headers['mesos-stream-id']), subscribed };
}

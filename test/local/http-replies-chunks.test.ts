/**
 * replyJsonpChunks sends a body given as chunks without holding it whole: it takes the next chunk
 * only when the socket has drained, so a client that has not read yet has caused only a part of
 * the body to be rendered. Counted over a real HTTP connection on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { replyJsonpChunks } from '../../src/local/http-replies.js';

const CHUNKS = 800;
const CHUNK = 'x'.repeat(64 * 1024);

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function serve(jsonp: string | undefined): Promise<{ url: string; taken: () => number }> {
  let taken = 0;
  function* chunks(): Generator<string> {
    for (let i = 0; i < CHUNKS; i++) {
      taken++;
      yield CHUNK;
    }
  }
  server = http.createServer((_req, res) => replyJsonpChunks(res, chunks(), jsonp));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, taken: () => taken };
}

function get(url: string, onResponse: () => void): Promise<{ headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        onResponse();
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

it('takes the next chunk only as the socket drains, and sends them all in order', async () => {
  const { url, taken } = await serve(undefined);
  let takenWhenAnswered = -1;
  const { headers, body } = await get(url, () => (takenWhenAnswered = taken()));
  // 50 MiB of body; the sockets on either side hold a few MiB at most before the client reads.
  expect(takenWhenAnswered).toBeGreaterThan(0);
  expect(takenWhenAnswered).toBeLessThan(CHUNKS / 2);
  expect(taken()).toBe(CHUNKS);
  expect(headers['content-type']).toBe('application/json');
  expect(headers['transfer-encoding']).toBe('chunked');
  expect(body.length).toBe(CHUNKS * CHUNK.length);
});

it('wraps the chunks in the JSONP callback', async () => {
  const { url } = await serve('cb');
  const { headers, body } = await get(url, () => undefined);
  expect(headers['content-type']).toBe('text/javascript');
  expect(body.startsWith('cb(xxx')).toBe(true);
  expect(body.endsWith('xxx)')).toBe(true);
  expect(body.length).toBe(CHUNKS * CHUNK.length + 'cb()'.length);
});

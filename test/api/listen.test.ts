/** The facade over a real socket: what a client sees on the wire, not what inject() simulates. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { harness, SLEEP_APP, type Harness } from './harness.js';

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await harness();
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h.app.close();
});

describe('over HTTP on 127.0.0.1', () => {
  it('serves python-marathon style requests: //, force=True, JSON in and out, Marathon headers', async () => {
    const created = await request(`${base}/v2/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ ...SLEEP_APP, id: '/prod/web' }),
    });
    expect(created.statusCode).toBe(201);
    const body = (await created.body.json()) as { id: string };
    expect(body.id).toBe('/prod/web');
    expect(created.headers['x-marathon-leader']).toBe('http://127.0.0.1:8080');
    expect(created.headers['content-type']).toMatch(/^application\/json/);

    const shown = await request(`${base}//v2/apps//prod/web?embed=apps.counts`);
    expect(shown.statusCode).toBe(200);
    expect(((await shown.body.json()) as { app: { id: string } }).app.id).toBe('/prod/web');

    const deleted = await request(`${base}/v2/apps//prod/web?force=True`, { method: 'DELETE' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.headers['marathon-deployment-id']).toBeTypeOf('string');
    expect(deleted.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    await deleted.body.dump();
  });

  it('answers a truncated JSON body with 400 Invalid JSON', async () => {
    const res = await request(`${base}/v2/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"/test' });
    expect(res.statusCode).toBe(400);
    const body = (await res.body.json()) as { message: string; details: unknown };
    expect(body.message).toBe('Invalid JSON');
    expect(typeof body.details).toBe('string');
  });
});

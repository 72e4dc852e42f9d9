/**
 * The Marathon facade over the real PacerServiceImpl (fake cluster, in-memory store): what a
 * request must look like to change state (JSON body, own or allowed Origin), CORS answers for
 * allowed origins, 405 for a known route's missing method, and HTTP Basic as Marathon does it.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApiServer, type ApiServerOptions } from '../../src/api/server.js';
import { startHarness, type Harness as ServiceHarness } from '../scheduler/fakes/harness.js';
import { INFO } from '../api/harness.js';

const APP = JSON.stringify({ id: '/guarded', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 0 });
let h: ServiceHarness | undefined;
let api: FastifyInstance | undefined;

async function start(extra: Partial<ApiServerOptions> = {}): Promise<FastifyInstance> {
  h = await startHarness();
  api = buildApiServer({
    service: h.service,
    logger: pino({ level: 'silent' }),
    appParse: { mesosRole: '*' },
    info: INFO,
    clock: () => h!.cluster.now(),
    ...extra,
  });
  await api.ready();
  return api;
}

afterEach(async () => {
  await api?.close();
  await h?.service.stop();
  api = undefined;
  h = undefined;
});

const post = (app: FastifyInstance, headers: Record<string, string>, url = '/v2/apps'): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url, headers: { host: '127.0.0.1:8080', ...headers }, payload: APP });

async function appExists(app: FastifyInstance): Promise<boolean> {
  return (await app.inject({ method: 'GET', url: '/v2/apps/guarded' })).statusCode === 200;
}

describe('request bodies', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json'])(
    'refuses %s with 415 and creates nothing',
    async (contentType) => {
      const app = await start();
      const res = await post(app, { 'content-type': contentType });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({ message: 'HTTP 415 Unsupported Media Type' });
      expect(await appExists(app)).toBe(false);
    },
  );

  it('refuses a body without Content-Type', async () => {
    const app = await start();
    const res = await app.inject({ method: 'PUT', url: '/v2/apps/guarded', payload: Buffer.from(APP) });
    expect(res.statusCode).toBe(415);
    expect(await appExists(app)).toBe(false);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.marathon+json'])('accepts %s', async (contentType) => {
    const app = await start();
    const res = await post(app, { 'content-type': contentType });
    expect(res.statusCode, res.body).toBe(201);
    expect(await appExists(app)).toBe(true);
  });

  it('still accepts body-less writes without Content-Type (restart, delete)', async () => {
    const app = await start();
    await post(app, { 'content-type': 'application/json' });
    expect((await app.inject({ method: 'POST', url: '/v2/apps/guarded/restart?force=true' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/v2/apps/guarded?force=true' })).statusCode).toBe(200);
  });
});

describe('Origin', () => {
  it('refuses a write from a foreign origin with 403, even with a JSON body', async () => {
    const app = await start();
    const res = await post(app, { 'content-type': 'application/json', origin: 'http://evil.example:9000' });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('http://evil.example:9000');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await appExists(app)).toBe(false);
  });

  it('refuses a foreign DELETE and the opaque origin "null"', async () => {
    const app = await start();
    await post(app, { 'content-type': 'application/json' });
    const del = await app.inject({ method: 'DELETE', url: '/v2/apps/guarded', headers: { host: '127.0.0.1:8080', origin: 'null' } });
    expect(del.statusCode).toBe(403);
    expect(await appExists(app)).toBe(true);
  });

  it('lets the server’s own origin (the UI) and requests without Origin write', async () => {
    const app = await start();
    expect((await post(app, { 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' })).statusCode).toBe(201);
    const second = await app.inject({ method: 'PUT', url: '/v2/apps/guarded', headers: { 'content-type': 'application/json' }, payload: APP });
    expect(second.statusCode).toBe(200);
  });

  it('trusts the host a proxy forwarded for (a standby passing a UI request on)', async () => {
    const app = await start();
    const res = await post(app, { 'content-type': 'application/json', origin: 'http://standby:8080', host: 'leader:8080', 'x-forwarded-host': 'standby:8080' });
    expect(res.statusCode).toBe(201);
  });

  it('reads of a foreign origin get no CORS headers', async () => {
    const app = await start();
    const res = await app.inject({ method: 'GET', url: '/v2/apps', headers: { host: '127.0.0.1:8080', origin: 'http://evil.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allowed origins (--access_control_allow_origin) get CORS answers, preflight included', async () => {
    const app = await start({ allowedOrigins: ['https://dash.example', 'http://other.example'] });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v2/apps',
      headers: {
        host: '127.0.0.1:8080',
        origin: 'https://dash.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    const res = await post(app, { 'content-type': 'application/json', origin: 'https://dash.example' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect((await post(app, { 'content-type': 'application/json', origin: 'https://evil.example' })).statusCode).toBe(403);
  });

  it("'*' allows any origin, and /v2/info shows the flag", async () => {
    const app = await start({ allowedOrigins: ['*'], info: { ...INFO, allowedOrigins: ['*'] } });
    expect((await post(app, { 'content-type': 'application/json', origin: 'https://anywhere.example' })).statusCode).toBe(201);
    const info = await app.inject({ method: 'GET', url: '/v2/info' });
    expect(info.json().marathon_config.access_control_allow_origin).toEqual(['*']);
  });
});

describe('methods', () => {
  it.each([
    ['DELETE', '/v2/info'],
    ['POST', '/v2/tasks'],
    ['PUT', '/v2/deployments/abc'],
    ['PATCH', '/v2/queue'],
    ['POST', '/ping'],
  ])('%s %s (known route, missing method) is 405 as Jersey answers', async (method, url) => {
    const app = await start();
    const res = await app.inject({ method: method as 'DELETE', url, headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toEqual({ message: 'HTTP 405 Method Not Allowed' });
    expect(String(res.headers.allow)).toContain('OPTIONS');
    expect(String(res.headers.allow)).not.toContain(method);
  });

  it('an unknown path stays Marathon’s 500 URI not found', async () => {
    const app = await start();
    const res = await app.inject({ method: 'GET', url: '/v2/nothing-here' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ message: 'URI not found' });
  });
});

describe('HTTP Basic (--http_credentials)', () => {
  const credentials = { user: 'ops', password: 'pa:ss' };
  const basic = (scheme: string, pair: string): string => `${scheme} ${Buffer.from(pair).toString('base64')}`;

  it.each(['Basic', 'basic', 'BASIC'])('accepts the scheme spelled %s (RFC 7617)', async (scheme) => {
    const app = await start({ credentials });
    const res = await app.inject({ method: 'GET', url: '/v2/apps', headers: { authorization: basic(scheme, 'ops:pa:ss') } });
    expect(res.statusCode).toBe(200);
  });

  it.each(['ops:pa:s', 'ops:pa:ss2', 'op:pa:ss', ''])('refuses %j with Marathon’s challenge', async (pair) => {
    const app = await start({ credentials });
    const res = await app.inject({ method: 'GET', url: '/v2/apps', headers: { authorization: basic('Basic', pair) } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Mesosphere"');
  });

  it('uses the configured --http_realm', async () => {
    const app = await start({ credentials, realm: 'ops-cluster' });
    const res = await app.inject({ method: 'GET', url: '/v2/apps' });
    expect(res.headers['www-authenticate']).toBe('Basic realm="ops-cluster"');
  });
});

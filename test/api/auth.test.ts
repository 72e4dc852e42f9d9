import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHttpCredentials } from '../../src/api/http/auth.js';
import { harness } from './harness.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('--http_credentials', () => {
  it('answers 401 with a Basic challenge and Marathon body without credentials', async () => {
    const { app } = await harness({ credentials: { user: 'ops', password: 's3:cret' } });
    const res = await app.inject({ method: 'GET', url: '/v2/apps' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Mesosphere"');
    expect(res.json()).toEqual({ message: 'Invalid username or password.' });
    await app.close();
  });

  it('refuses wrong credentials and accepts the right ones, UI included', async () => {
    const { app } = await harness({ credentials: { user: 'ops', password: 's3:cret' } });
    const wrong = await app.inject({ method: 'GET', url: '/v2/apps', headers: { authorization: basic('ops', 'nope') } });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({ method: 'GET', url: '/v2/apps', headers: { authorization: basic('ops', 's3:cret') } });
    expect(right.statusCode).toBe(200);
    const ui = await app.inject({ method: 'GET', url: '/ui/' });
    expect(ui.statusCode).toBe(401);
    const post = await app.inject({ method: 'POST', url: '/v2/apps', payload: { id: '/x', cmd: 'sleep 1' } });
    expect(post.statusCode).toBe(401);
    await app.close();
  });

  it('keeps /ping open for liveness probes', async () => {
    const { app } = await harness({ credentials: { user: 'ops', password: 'pw' } });
    const res = await app.inject({ method: 'GET', url: '/ping' });
    expect(res.statusCode).toBe(200);
    await app.close();
  });

  it('parses user:password with colons in the password and refuses a bare user', () => {
    expect(parseHttpCredentials('a:b:c')).toEqual({ user: 'a', password: 'b:c' });
    expect(() => parseHttpCredentials('nocolon')).toThrow(/user:password/);
  });
});

describe('TLS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pacer-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the API over HTTPS with the given certificate', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(path.join(dir, 'cert.pem'));
    const { app } = await harness({ tls: { cert, key: readFileSync(path.join(dir, 'key.pem')) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dispatcher = new Agent({ connect: { ca: cert } });
    const res = await request(`https://127.0.0.1:${port}/v2/info`, { dispatcher });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { name: string }).name).toBe('marathon');
    await dispatcher.close();
    await app.close();
  });
});

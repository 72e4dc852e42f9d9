/**
 * Marathon's two listeners, black box: with a certificate, a real `pacer` serves plain HTTP on
 * --http_port and HTTPS on --https_port, one API behind both (same routes, same Basic guard), and
 * names its HTTPS listener wherever it names itself (X-Marathon-Leader, /v2/info `leader`, the
 * framework's webui_url in the embedded master). --disable_http leaves only HTTPS.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { logLine } from '../helpers/log-lines.js';
import { killAll, removeDir, spawnPacer, tempDir, waitFor, type ManagedProcess } from '../helpers/processes.js';

const AUTH = `Basic ${Buffer.from('ops:secret').toString('base64')}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('HTTP on --http_port and HTTPS on --https_port', () => {
  let dir: string | undefined;
  let certificate: TestCertificate;
  let client: Agent | undefined;
  const pacers: ManagedProcess[] = [];

  beforeAll(() => {
    dir = tempDir('pacer-https-');
    certificate = makeCertificate(dir);
    client = new Agent({ connect: { ca: certificate.pem } });
  });

  afterAll(async () => {
    await killAll(pacers);
    await client?.close();
    removeDir(dir);
  });

  async function call(
    method: 'GET' | 'POST',
    url: string,
    opts: { body?: unknown; auth?: boolean } = {},
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const response = await request(url, {
      method,
      dispatcher: client!,
      headers: {
        accept: 'application/json',
        ...(opts.auth !== false ? { authorization: AUTH } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }

  async function start(name: string, extra: string[]): Promise<{ pacer: ManagedProcess; listening: Record<string, unknown> }> {
    const pacer = await spawnPacer(
      [
        '--master',
        'local',
        '--agents',
        '0',
        '--simulated_agents',
        '1',
        '--ssl_cert_file',
        certificate.certFile,
        '--ssl_key_file',
        certificate.keyFile,
        '--http_credentials',
        'ops:secret',
        '--data_dir',
        path.join(dir!, name),
        ...extra,
      ],
      { name },
    );
    pacers.push(pacer);
    return { pacer, listening: logLine(pacer.logFile, 'Pacer API listening')! };
  }

  it('serves one API on both listeners and advertises the HTTPS one', async () => {
    const { pacer, listening } = await start('https-both', ['--https_port', '0']);
    const httpUrl = listening.httpUrl as string;
    const httpsUrl = listening.httpsUrl as string;
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(pacer.url).toBe(httpsUrl);
    const httpsHostPort = new URL(httpsUrl).host;

    const created = await call('POST', `${httpUrl}/v2/apps`, { body: { id: '/both-listeners', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 0 } });
    expect(created.status, created.body).toBe(201);
    for (const base of [httpUrl, httpsUrl]) {
      const app = await call('GET', `${base}/v2/apps/both-listeners`);
      expect(app.status, `${base}: ${app.body}`).toBe(200);
      expect(app.headers['x-marathon-leader']).toBe(`https://${httpsHostPort}`);
      const info = JSON.parse((await call('GET', `${base}/v2/info`)).body) as { leader: string; http_config: Record<string, number> };
      expect(info.leader).toBe(httpsHostPort);
      expect(info.http_config).toEqual({ http_port: Number(new URL(httpUrl).port), https_port: Number(new URL(httpsUrl).port) });
      // The same guard on both: Basic is required everywhere but /ping.
      expect((await call('GET', `${base}/v2/apps`, { auth: false })).status).toBe(401);
      expect((await call('GET', `${base}/ping`, { auth: false })).status).toBe(200);
      expect((await call('GET', `${base}/ui/`)).status).toBe(200);
    }

    // The framework's webui_url, as the Mesos UI shows it, names the HTTPS listener.
    const master = logLine(pacer.logFile, 'embedded Mesos-compatible master started')!.master as string;
    const webuiUrl = await waitFor(
      'the framework is registered with the embedded master',
      async () => {
        const state = JSON.parse((await call('GET', `${master}/master/state`, { auth: false })).body) as { frameworks: Array<{ webui_url: string }> };
        return state.frameworks[0]?.webui_url;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(webuiUrl).toBe(`https://${httpsHostPort}/ui/`);
  }, 60_000);

  it('--disable_http closes the plain listener and keeps HTTPS', async () => {
    const httpPort = await freePort();
    const { listening } = await start('https-only', ['--https_port', '0', '--http_port', String(httpPort), '--disable_http']);
    expect(listening.httpUrl).toBeUndefined();
    const httpsUrl = listening.httpsUrl as string;
    expect((await call('GET', `${httpsUrl}/v2/apps`)).status).toBe(200);
    await expect(call('GET', `http://127.0.0.1:${httpPort}/ping`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }, 60_000);
});

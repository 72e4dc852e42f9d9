/**
 * `pacer mesos-local` authentication as upstream's master does it: credentials from a
 * `--credentials` file in upstream's JSON, HTTP Basic per realm (readonly, readwrite, scheduler),
 * upstream's 401 challenge, and a FrameworkInfo principal that does not match the credentials
 * refused. End to end, a real Pacer process authenticates with
 * --mesos_authentication_principal/--mesos_authentication_secret_file and subscribes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { killAll, removeDir, spawnMesosLocal, spawnPacer, tempDir, waitFor, type ManagedProcess } from '../helpers/processes.js';
import { openStream, subscribeCall } from '../local/wire-client.js';

const basic = (pair: string, scheme = 'Basic'): string => `${scheme} ${Buffer.from(pair).toString('base64')}`;
const GOOD = basic('pacer:top-secret');

let dir: string;
let credentialsFile: string;
let master: MesosLocalHandle;

beforeAll(async () => {
  dir = tempDir('pacer-mesos-auth-');
  credentialsFile = path.join(dir, 'credentials.json');
  writeFileSync(
    credentialsFile,
    JSON.stringify({
      credentials: [
        { principal: 'pacer', secret: 'top-secret' },
        { principal: 'other', secret: 'x' },
      ],
    }),
  );
  master = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 0,
      simulatedAgents: 1,
      authentication: { credentialsFile: `file://${credentialsFile}`, frameworks: false, httpFrameworks: true, httpReadonly: true, httpReadwrite: true },
    },
    pino({ level: 'silent' }),
  );
});

afterAll(async () => {
  await master?.close();
  removeDir(dir);
});

async function get(pathname: string, authorization?: string): Promise<Response> {
  return fetch(`${master.url}${pathname}`, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(5_000) });
}

describe('mesos-local HTTP authentication', () => {
  it('read-only endpoints answer 401 with upstream’s challenge without credentials', async () => {
    for (const pathname of ['/master/state', '/state.json']) {
      const res = await get(pathname);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="mesos-master-readonly"');
      expect(await res.text()).toBe('');
    }
    expect((await get('/master/state', basic('pacer:wrong'))).status).toBe(401);
    expect((await get('/master/state', GOOD)).status).toBe(200);
    expect((await get('/master/state', basic('pacer:top-secret', 'basic'))).status).toBe(200);
    expect((await get('/health')).status).toBe(200);
  });

  it('the operator API is read-write', async () => {
    const call = (authorization?: string): Promise<Response> =>
      fetch(`${master.url}/api/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ type: 'GET_HEALTH' }),
      });
    const refused = await call();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="mesos-master-readwrite"');
    expect((await call(GOOD)).status).toBe(200);
  });

  it('the scheduler API needs credentials, and the principal must be the authenticated one', async () => {
    const subscribe = (headers: Record<string, string>, principal?: string) =>
      openStream(master.url, {
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body: JSON.stringify(subscribeCall('auth-test', principal === undefined ? {} : { principal })),
      });
    const anonymous = await subscribe({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="mesos-master-scheduler"');
    anonymous.close();

    const impostor = await subscribe({ Authorization: GOOD }, 'other');
    expect(impostor.status).toBe(400);
    expect(await impostor.text()).toBe("Authenticated principal 'pacer' does not match principal 'other' set in `FrameworkInfo`");

    const ok = await subscribe({ Authorization: GOOD }, 'pacer');
    expect(ok.status).toBe(200);
    ok.close();
  });
});

describe('a real Pacer against an authenticating mesos-local', () => {
  let mesos: ManagedProcess | undefined;
  let pacer: ManagedProcess | undefined;
  afterAll(async () => killAll([pacer, mesos]));

  it('authenticates with --mesos_authentication_principal/--mesos_authentication_secret_file and subscribes', async () => {
    const secretFile = path.join(dir, 'secret');
    writeFileSync(secretFile, 'top-secret\n');
    mesos = await spawnMesosLocal(
      [
        '--agents',
        '0',
        '--simulated_agents',
        '1',
        '--credentials',
        credentialsFile,
        '--authenticate_http_frameworks',
        '--authenticate_http_readonly',
        '--authenticate_http_readwrite',
      ],
      { name: 'auth-mesos-local' },
    );
    pacer = await spawnPacer(
      [
        '--master',
        mesos.url,
        '--data_dir',
        path.join(dir, 'data'),
        '--mesos_authentication_principal',
        'pacer',
        '--mesos_authentication_secret_file',
        secretFile,
      ],
      { name: 'auth-pacer' },
    );
    const frameworks = await waitFor(
      'Pacer subscribed to the authenticating master',
      async () => {
        const res = await fetch(`${mesos!.url}/master/state`, { headers: { authorization: GOOD } });
        const state = (await res.json()) as { frameworks: Array<{ principal?: string; active: boolean }> };
        return state.frameworks.some((f) => f.active) ? state.frameworks : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(frameworks.map((f) => f.principal)).toEqual(['pacer']);
  }, 60_000);
});

/**
 * HA behind TLS, black box: two real `pacer` processes serve HTTPS (on --https_port, beside plain
 * HTTP) with one self-signed certificate (made with openssl for 127.0.0.1 at test time) and elect
 * a leader in a real ZooKeeper. A write sent to the standby, on either listener, is proxied to the
 * leader's HTTPS listener (verified against the shared certificate), and the standby's /v2/events
 * redirect and X-Marathon-Leader name https://.
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '../helpers/certificates.js';
import { logLine } from '../helpers/log-lines.js';
import { killAll, removeDir, spawnPacer, tempDir, waitFor, type ManagedProcess } from '../helpers/processes.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

describe.runIf(zookeeperTestsEnabled())('two Pacers over HTTPS with leader election', () => {
  let zk: ZooKeeperServer | undefined;
  let dir: string | undefined;
  let client: Agent | undefined;
  const pacers: ManagedProcess[] = [];

  beforeAll(async () => {
    dir = tempDir('pacer-ha-tls-');
    const { certFile: cert, keyFile: key, pem } = makeCertificate(dir);
    client = new Agent({ connect: { ca: pem } });
    zk = await startZooKeeper();
    for (let i = 0; i < 2; i++) {
      pacers.push(
        await spawnPacer(
          [
            '--zk',
            `zk://${zk.connectString}/pacer-tls`,
            '--master',
            'local',
            '--agents',
            '0',
            '--simulated_agents',
            '1',
            '--ssl_cert_file',
            cert,
            '--ssl_key_file',
            key,
            '--zk_session_timeout',
            '2000',
            '--https_port',
            '0',
          ],
          { name: `ha-tls-pacer-${i}` },
        ),
      );
    }
  }, 90_000);

  afterAll(async () => {
    await killAll(pacers);
    await zk?.stop();
    await client?.close();
    removeDir(dir);
  });

  async function call(
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const response = await request(url, {
      method,
      dispatcher: client!,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }

  it('proxies a standby request to the HTTPS leader and redirects /v2/events to https://', async () => {
    expect(pacers.every((p) => p.url.startsWith('https://'))).toBe(true);
    const leaderHostPort = await waitFor(
      'both instances name one leader, which has loaded its state',
      async () => {
        const answers = await Promise.all(pacers.map((p) => call('GET', `${p.url}/v2/leader`).catch(() => undefined)));
        const leaders = new Set(answers.map((a) => (a?.status === 200 ? (JSON.parse(a.body) as { leader: string }).leader : undefined)));
        if (leaders.size !== 1) return undefined;
        const [leader] = leaders;
        if (leader === undefined) return undefined;
        const info = await call('GET', `https://${leader}/v2/info`).catch(() => undefined);
        return info?.status === 200 ? leader : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const standby = pacers.find((p) => new URL(p.url).host !== leaderHostPort)!;
    const leader = pacers.find((p) => new URL(p.url).host === leaderHostPort)!;

    const created = await call('POST', `${standby.url}/v2/apps`, { id: '/tls-proxied', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 0 });
    expect(created.status, created.body).toBe(201);
    expect(String(created.headers['x-marathon-via'])).toContain(new URL(standby.url).host);
    expect(created.headers['x-marathon-leader']).toBe(`https://${leaderHostPort}`);

    const onLeader = await call('GET', `${leader.url}/v2/apps/tls-proxied`);
    expect(onLeader.status).toBe(200);
    expect(onLeader.headers['x-marathon-leader']).toBe(`https://${leaderHostPort}`);

    const events = await call('GET', `${standby.url}/v2/events`);
    expect(events.status).toBe(302);
    expect(events.headers.location).toBe(`https://${leaderHostPort}/v2/events`);

    // A request on the standby's plain HTTP listener also reaches the leader over HTTPS.
    const standbyHttp = logLine(standby.logFile, 'Pacer API listening')!.httpUrl as string;
    expect(standbyHttp).toMatch(/^http:\/\//);
    const viaHttp = await call('POST', `${standbyHttp}/v2/apps`, { id: '/tls-proxied-from-http', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 0 });
    expect(viaHttp.status, viaHttp.body).toBe(201);
    expect(String(viaHttp.headers['x-marathon-via'])).toContain(new URL(standby.url).host);
    expect(viaHttp.headers['x-marathon-leader']).toBe(`https://${leaderHostPort}`);
    expect((await call('GET', `${leader.url}/v2/apps/tls-proxied-from-http`)).status).toBe(200);
    const standbyEvents = await call('GET', `${standbyHttp}/v2/events`);
    expect(standbyEvents.headers.location).toBe(`https://${leaderHostPort}/v2/events`);
  }, 90_000);
});

/**
 * The operator endpoints, startup options and shutdown of `pacer mesos-local`, over real HTTP.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { MesosLocalOptionsError, resolveMesosLocalOptions } from '../../src/local/options.js';
import { MesosLocalServer } from '../../src/local/server.js';
import { rawRequest, subscribeJson } from './wire-client.js';

const logger = pino({ level: 'silent' });

describe('operator endpoints', () => {
  let local: MesosLocalHandle;

  beforeAll(async () => {
    local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 4, hostname: 'master.localhost', allocationIntervalMs: 100 }, logger);
  });

  afterAll(async () => {
    await local?.close();
  });

  it.each(['/master/state', '/state', '/state.json', '/master/state.json'])('serves %s as JSON', async (path) => {
    const res = await rawRequest(local.url, { method: 'GET', path });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const state = JSON.parse(res.text) as { id: string; slaves: { hostname: string }[] };
    expect(state.id).toBe(local.masterInfo.id);
    expect(state.slaves).toHaveLength(4);
  });

  it('redirects /master/redirect to itself, protocol-relative', async () => {
    for (const path of ['/master/redirect', '/redirect']) {
      const res = await rawRequest(local.url, { method: 'GET', path });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(`//master.localhost:${local.masterInfo.port}`);
    }
    expect((await rawRequest(local.url, { method: 'GET', path: '/master/redirect/loop' })).status).toBe(404);
  });

  it('answers /health with an empty 200', async () => {
    const res = await rawRequest(local.url, { method: 'GET', path: '/master/health' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
  });

  it('answers /version in upstream shape', async () => {
    const res = await rawRequest(local.url, { method: 'GET', path: '/version' });
    expect(res.status).toBe(200);
    const version = JSON.parse(res.text) as Record<string, unknown>;
    expect(version.version).toBe(local.masterInfo.version);
    expect(version.build_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(version.build_time).toEqual(expect.any(Number));
    expect(version.build_user).toEqual(expect.any(String));
  });

  it('answers unknown paths with 404', async () => {
    const res = await rawRequest(local.url, { method: 'GET', path: '/no/such/thing' });
    expect(res.status).toBe(404);
  });

  it('gives simulated agents distinct hostnames, zones and racks', () => {
    const hostnames = new Set(local.agents.map((a) => a.hostname));
    expect(hostnames.size).toBe(4);
    const attribute = (name: string) => local.agents.map((a) => a.attributes.find((x) => x.name === name)?.text?.value);
    expect(attribute('zone')).toEqual(['zone-0', 'zone-1', 'zone-2', 'zone-0']);
    expect(new Set(attribute('rack')).size).toBe(4);
    expect(local.agents[1]!.domain?.fault_domain?.zone.name).toBe('zone-1');
  });

  it('advertises the hostname and bound port in MasterInfo', () => {
    expect(local.masterInfo.hostname).toBe('master.localhost');
    expect(local.url).toBe(`http://127.0.0.1:${local.masterInfo.port}`);
    expect(local.masterInfo.port).toBeGreaterThan(0);
  });
});

describe('agents', () => {
  let local: MesosLocalHandle | undefined;

  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  it('gives process agents disjoint port slices and keeps configured attributes', async () => {
    local = await startMesosLocal(
      { ip: '127.0.0.1', port: 0, agents: 2, agentResources: 'cpus:1;mem:256;ports:[31000-31009]', agentAttributes: 'zone:z9;gpu:false' },
      logger,
    );
    const ports = local.agents.map((a) => a.resources.find((r) => r.name === 'ports')?.ranges?.range);
    expect(ports).toEqual([[{ begin: 31000, end: 31004 }], [{ begin: 31005, end: 31009 }]]);
    for (const agent of local.agents) {
      expect(agent.attributes.filter((a) => a.name === 'zone').map((a) => a.text?.value)).toEqual(['z9']);
      expect(agent.attributes.some((a) => a.name === 'gpu')).toBe(true);
    }
  });

  it('refuses malformed agent resources with a typed error and leaves nothing listening', async () => {
    await expect(startMesosLocal({ port: 0, agentResources: 'cpus:lots' }, logger)).rejects.toMatchObject({
      code: 'PACER_INVALID_AGENT_RESOURCES',
    });
  });
});

describe('options', () => {
  it('fills Mesos defaults', () => {
    expect(resolveMesosLocalOptions({})).toMatchObject({
      ip: '127.0.0.1',
      port: 5050,
      agents: 3,
      simulatedAgents: 0,
      allocationIntervalMs: 1000,
      heartbeatIntervalSeconds: 15,
    });
  });

  it.each([{ port: 70000 }, { agents: -1 }, { heartbeatIntervalSeconds: 0 }, { zk: 'http://zk:2181/mesos' }, { ip: ' ' }])('rejects %j', (bad) => {
    expect(() => resolveMesosLocalOptions(bad)).toThrow(MesosLocalOptionsError);
  });
});

describe('lifecycle', () => {
  it('answers 503 until a master is attached', async () => {
    const server = new MesosLocalServer({
      ip: '127.0.0.1',
      port: 0,
      logger,
      heartbeatIntervalMs: 0,
      build: { version: 'test', buildTime: 0, buildUser: 'test' },
    });
    const port = await server.listen();
    try {
      const res = await rawRequest(`http://127.0.0.1:${port}`, { method: 'GET', path: '/master/state' });
      expect(res.status).toBe(503);
      expect(res.text).toBe('Master has not finished recovery');
    } finally {
      await server.close();
    }
  });

  it('close() ends open streams cleanly, frees the port and removes its temporary work dir', async () => {
    const local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 1 }, logger);
    const { stream } = await subscribeJson(local.url, 'closing');
    await local.close();
    // Whatever records were in flight still arrive whole; then the stream ends between records.
    let ending: unknown;
    for (let i = 0; i < 20 && ending === undefined; i++) {
      await stream.records.next(5000).catch((err: unknown) => {
        ending = err;
      });
    }
    expect(String(ending)).toMatch(/stream ended$/);
    await expect(rawRequest(local.url, { method: 'GET', path: '/health' }, 2000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(existsSync(local.workDir)).toBe(false);
  });
});

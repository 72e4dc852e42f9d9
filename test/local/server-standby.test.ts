/**
 * The embedded master's HTTP face while it does not lead, over real HTTP: what upstream's
 * Master::Http answers on a non-leading master (307 to the leader, 503 with no leader, health
 * and version always), and what happens to its frameworks when it loses and regains the lead.
 * Leadership comes from a LeadershipSource set by hand here; the ZooKeeper-backed one is tested
 * in master-leadership.test.ts and between real processes in mesos-local-zk.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentFleet } from '../../src/local/agent-fleet.js';
import type { LocalAgent } from '../../src/local/agents/agent.js';
import { buildMasterInfo } from '../../src/local/zk-announce.js';
import { LocalMaster } from '../../src/local/master/master.js';
import { NO_LEADER, type Leadership, type LeadershipSource } from '../../src/local/master-leadership.js';
import { MesosLocalServer } from '../../src/local/server.js';
import { openStream, postJson, rawRequest, subscribeCall, subscribeJson } from './wire-client.js';

const logger = pino({ level: 'silent' });
const LEADER = buildMasterInfo({ id: 'the-leader', ip: '127.0.0.2', hostname: 'leader.localhost', port: 5051 });

/** A LeadershipSource whose answer the test sets. */
class HandSetLeadership implements LeadershipSource {
  #leadership: Leadership;
  readonly #listeners = new Set<(leadership: Leadership) => void>();
  constructor(initial: Leadership) {
    this.#leadership = initial;
  }
  current(): Leadership {
    return this.#leadership;
  }
  onChange(listener: (leadership: Leadership) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(next: Leadership): void {
    this.#leadership = next;
    for (const listener of this.#listeners) listener(next);
  }
}

describe('a master that does not lead', () => {
  let server: MesosLocalServer;
  let master: LocalMaster;
  let agents: LocalAgent[];
  let workDir: string;
  let base: string;
  let leadership: HandSetLeadership;

  beforeEach(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-standby-test-'));
    server = new MesosLocalServer({
      ip: '127.0.0.1',
      port: 0,
      logger,
      heartbeatIntervalMs: 0,
      build: { version: '1.11.0', buildTime: 0, buildUser: 'test' },
    });
    const port = await server.listen();
    base = `http://127.0.0.1:${port}`;
    master = new LocalMaster({ masterId: 'standby', hostname: '127.0.0.1', ip: '127.0.0.1', port, allocationIntervalMs: 20 }, logger);
    agents = buildAgentFleet({
      masterId: 'standby',
      processAgents: 0,
      simulatedAgents: 1,
      agentResources: 'cpus:2;mem:1024',
      workDir,
      machineHostname: '127.0.0.1',
      ip: '127.0.0.1',
      sink: master.statusSink,
      logger,
    });
    for (const agent of agents) master.addAgent(agent);
    master.start();
    leadership = new HandSetLeadership({ elected: false, leader: LEADER });
    server.followLeadership(leadership);
    server.attach(master);
  });

  afterEach(async () => {
    await server.close();
    await master.stop();
    await Promise.all(agents.map((agent) => agent.close()));
    await rm(workDir, { recursive: true, force: true });
  });

  it('redirects scheduler calls to the leader with a protocol-relative Location that keeps the path', async () => {
    for (const schedulerPath of ['/api/v1/scheduler', '/master/api/v1/scheduler']) {
      const res = await rawRequest(base, {
        path: schedulerPath,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(subscribeCall('redirected')),
      });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(`//leader.localhost:5051${schedulerPath}`);
    }
    // Upstream redirects before it looks at the method or the content type.
    const get = await rawRequest(base, { method: 'GET', path: '/api/v1/scheduler' });
    expect(get.status).toBe(307);
    expect(master.frameworkIds()).toEqual([]);
  });

  it('redirects state and the operator API, keeps answering health and version', async () => {
    for (const statePath of ['/master/state', '/state.json', '/master/state?jsonp=x', '/master/api/v1']) {
      const res = await rawRequest(base, { method: 'GET', path: statePath });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(`//leader.localhost:5051${statePath}`);
    }
    expect((await rawRequest(base, { method: 'GET', path: '/master/health' })).status).toBe(200);
    const version = await rawRequest(base, { method: 'GET', path: '/version' });
    expect(version.status).toBe(200);
    expect(JSON.parse(version.text)).toMatchObject({ version: '1.11.0' });
  });

  it('points /master/redirect at the leader and refuses paths below it', async () => {
    for (const redirectPath of ['/master/redirect', '/redirect']) {
      const res = await rawRequest(base, { method: 'GET', path: redirectPath });
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe('//leader.localhost:5051');
    }
    expect((await rawRequest(base, { method: 'GET', path: '/master/redirect/master/state' })).status).toBe(404);
  });

  it('answers 503 "No leader elected" while no leader is known', async () => {
    leadership.set(NO_LEADER);
    const subscribe = await postJson(base, subscribeCall('no-leader'));
    expect(subscribe.status).toBe(503);
    expect(subscribe.text).toBe('No leader elected');
    for (const otherPath of ['/master/redirect', '/master/state']) {
      const res = await rawRequest(base, { method: 'GET', path: otherPath });
      expect(res.status).toBe(503);
      expect(res.text).toBe('No leader elected');
    }
    expect((await rawRequest(base, { method: 'GET', path: '/health' })).status).toBe(200);
  });

  it('serves once elected, and on losing the lead ends its streams and offers to no one', async () => {
    leadership.set({ elected: true, leader: master.info });
    const self = await rawRequest(base, { method: 'GET', path: '/master/redirect' });
    expect(self.headers.location).toBe(`//127.0.0.1:${master.info.port}`);

    const { stream, frameworkId } = await subscribeJson(base, 'follows-the-lead', { failover_timeout: 60 });
    const offers = await stream.records.nextJsonWhere((event) => event.type === 'OFFERS');
    expect(offers.type).toBe('OFFERS');

    leadership.set({ elected: false, leader: LEADER });
    // The stream ends between records; whatever was in flight arrives whole first.
    let ending: unknown;
    for (let i = 0; i < 20 && ending === undefined; i++) {
      await stream.records.next(5000).catch((err: unknown) => {
        ending = err;
      });
    }
    expect(String(ending)).toMatch(/stream ended$/);
    const state = master.stateJson() as { frameworks: { id: string; active: boolean }[] };
    expect(state.frameworks).toEqual([expect.objectContaining({ id: frameworkId, active: false })]);
    expect(master.outstandingOffers()).toEqual([]);
    // The agent's resources are free again, and an allocation pass finds no one to offer them to.
    expect(master.allocate()).toBe(0);

    const resubscribe = {
      ...subscribeCall('follows-the-lead', { id: { value: frameworkId }, failover_timeout: 60 }),
      framework_id: { value: frameworkId },
    };
    expect((await postJson(base, resubscribe)).status).toBe(307);

    leadership.set({ elected: true, leader: master.info });
    const back = await openStream(base, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(resubscribe) });
    try {
      expect(back.status).toBe(200);
      const subscribed = await back.records.nextJson();
      expect(subscribed).toMatchObject({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: frameworkId } } });
      expect(await back.records.nextJsonWhere((event) => event.type === 'OFFERS')).toMatchObject({ type: 'OFFERS' });
    } finally {
      back.close();
    }
  });
});

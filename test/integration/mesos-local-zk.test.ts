/**
 * `pacer mesos-local --zk`: the master announces itself in a real ZooKeeper, a ZooKeeper
 * detector finds its URL, a framework subscribes through that detector, and close() takes the
 * announcement away again. Two real `pacer mesos-local` processes on one path behave as Mesos
 * masters do: only the leader serves, the other redirects to it, and takes over when it goes.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { ZkMasterDetector } from '../../src/mesos/zk-detector.js';
import { killAll, spawnMesosLocal, waitFor, type ManagedProcess } from '../helpers/processes.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { openStream, rawRequest, subscribeCall, subscribeJson } from '../local/wire-client.js';

const logger = pino({ level: 'silent' });

describe.runIf(zookeeperTestsEnabled())('mesos-local announced in ZooKeeper', () => {
  let zk: ZooKeeperServer;
  let local: MesosLocalHandle | undefined;
  let detector: ZkMasterDetector | undefined;

  beforeAll(async () => {
    zk = await startZooKeeper();
  }, 30_000);

  afterAll(async () => {
    await detector?.close();
    await local?.close();
    await zk?.stop();
  });

  it('is found by a ZooKeeper detector, serves the framework it leads to, and leaves on close', async () => {
    const zkUrl = `zk://${zk.connectString}/mesos-local-test`;
    local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 1, zk: zkUrl }, logger);
    detector = await ZkMasterDetector.create(zkUrl, logger);

    let candidates: string[] = [];
    for (let i = 0; i < 100 && candidates.length === 0; i++) {
      candidates = await detector.candidates();
      if (candidates.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(candidates).toEqual([local.url]);

    const { stream, subscribed } = await subscribeJson(candidates[0]!, 'via-zk');
    expect((subscribed.subscribed as { master_info: { id: string } }).master_info.id).toBe(local.masterInfo.id);
    stream.close();

    await local.close();
    local = undefined;
    for (let i = 0; i < 100 && candidates.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      candidates = await detector.candidates();
    }
    expect(candidates).toEqual([]);
  });
});

describe.runIf(zookeeperTestsEnabled())('two mesos-local processes on one ZooKeeper path', () => {
  let zk: ZooKeeperServer | undefined;
  let first: ManagedProcess | undefined;
  let second: ManagedProcess | undefined;

  beforeAll(async () => {
    zk = await startZooKeeper();
    const args = ['--agents', '0', '--simulated_agents', '1', '--zk', `zk://${zk.connectString}/mesos`, '--zk_session_timeout', '2secs'];
    // One after the other: the first holds the lower sequence and leads. Each reports listening
    // only after it knows the election result.
    first = await spawnMesosLocal(args, { name: 'zk-leader' });
    second = await spawnMesosLocal(args, { name: 'zk-standby' });
  }, 60_000);

  afterAll(async () => {
    await killAll([first, second]);
    await zk?.stop();
  });

  /** `//host:port` of a master's base URL, the form of upstream's Location headers. */
  const protocolRelative = (url: string): string => url.replace(/^http:/, '');

  it('the standby redirects to the leader, and serves once the leader is gone', async () => {
    const leader = protocolRelative(first!.url);

    // Opened as a stream: a master that wrongly accepts would keep the answer open.
    const refused = await openStream(second!.url, {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(subscribeCall('knocks-at-the-standby')),
    });
    refused.close();
    expect(refused.status).toBe(307);
    expect(refused.headers.location).toBe(`${leader}/api/v1/scheduler`);
    for (const master of [first!, second!]) {
      const redirect = await rawRequest(master.url, { method: 'GET', path: '/master/redirect' });
      expect(redirect.status).toBe(307);
      expect(redirect.headers.location).toBe(leader);
    }
    const standbyState = await rawRequest(second!.url, { method: 'GET', path: '/master/state' });
    expect(standbyState.status).toBe(307);
    expect(standbyState.headers.location).toBe(`${leader}/master/state`);
    const atLeader = await subscribeJson(first!.url, 'at-the-leader');
    atLeader.stream.close();

    // A stopped master withdraws its znode, so the hand-over follows at once.
    await first!.kill('SIGTERM');
    expect((await first!.exited).code).toBe(0);
    const standby = protocolRelative(second!.url);
    await waitFor(
      'the standby to lead',
      async () => {
        const redirect = await rawRequest(second!.url, { method: 'GET', path: '/master/redirect' });
        return redirect.headers.location === standby ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const { stream, subscribed } = await subscribeJson(second!.url, 'at-the-new-leader');
    try {
      expect(subscribed.type).toBe('SUBSCRIBED');
      const state = JSON.parse((await rawRequest(second!.url, { method: 'GET', path: '/master/state' })).text) as {
        id: string;
        frameworks: { name: string; active: boolean }[];
      };
      expect(state.frameworks).toEqual([expect.objectContaining({ name: 'at-the-new-leader', active: true })]);
      expect((subscribed.subscribed as { master_info: { id: string } }).master_info.id).toBe(state.id);
    } finally {
      stream.close();
    }
  });
});

/**
 * `pacer mesos-local --zk`: the master announces itself in a real ZooKeeper, a ZooKeeper
 * detector finds its URL, a framework subscribes through that detector, and close() takes the
 * announcement away again.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { ZkMasterDetector } from '../../src/mesos/zk-detector.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { subscribeJson } from '../local/wire-client.js';

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

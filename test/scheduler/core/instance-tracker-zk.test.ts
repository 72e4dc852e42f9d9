// An offer round over thousands of agents commits thousands of instances at once. On the
// ZooKeeper store one atomic batch is one multi request, which must fit jute.maxbuffer (1 MiB):
// the tracker must get such a commit into the store however large it is (real ZooKeeper).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/scheduler/contracts.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { ZkStore } from '../../../src/state/zk-store.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../../helpers/zookeeper.js';

const logger = pino({ level: 'silent' });

function provisioned(app: number, index: number): Instance {
  const instanceId = `bench_100k_app-${String(app).padStart(3, '0')}.instance-${String(index).padStart(8, '0')}-f268-11f1-87ea-fd6a8e3972db`;
  return {
    instanceId,
    appId: `/bench/100k/app-${String(app).padStart(3, '0')}`,
    runSpecVersion: '2026-12-07T17:53:19.732Z',
    goal: 'Running',
    condition: 'Provisioned',
    since: 1_796_666_005_000,
    taskId: `${instanceId}._app.1`,
    incarnation: 1,
    agentId: `f86eacb0-ad18-4e3f-848e-5625438f33fc-S${index % 500}`,
    hostname: `simulated-agent-${index % 500}.localhost`,
    region: 'local',
    zone: 'zone-0',
    hostPorts: [31_000 + (index % 1000)],
    role: '*',
    ipAddresses: [],
    stagedAt: '2026-12-07T17:53:25.621Z',
  };
}

describe.runIf(zookeeperTestsEnabled())('StoredInstanceTracker on ZooKeeper', () => {
  let server: ZooKeeperServer;
  const stores: ZkStore[] = [];

  beforeAll(async () => {
    server = await startZooKeeper();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await server?.stop();
  });

  const open = async (): Promise<ZkStore> => {
    const store = await ZkStore.open(`zk://${server.connectString}/tracker-large`, logger, { sessionTimeoutMs: 10_000 });
    stores.push(store);
    return store;
  };

  it('commits 2,500 instances of one offer round, far more than one ZooKeeper request holds', async () => {
    const store = await open();
    const tracker = new StoredInstanceTracker({ store, logger });
    const instances = Array.from({ length: 2_500 }, (_, i) => provisioned(i % 5, i));
    expect(Buffer.byteLength(JSON.stringify(instances))).toBeGreaterThan(1_048_576);

    const changes = await tracker.exclusive(() => tracker.commit(instances.map((put) => ({ put }))));
    expect(changes.map((c) => c.instance.instanceId)).toEqual(instances.map((i) => i.instanceId));
    expect(tracker.all()).toHaveLength(2_500);

    // What a standby loads after a failover.
    const standby = new StoredInstanceTracker({ store: await open(), logger });
    await standby.load();
    expect(standby.all()).toHaveLength(2_500);
    expect(standby.get(instances[2_499]!.instanceId)).toEqual(instances[2_499]);
  });
});

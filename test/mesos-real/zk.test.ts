/**
 * Three real Mesos masters electing a leader through a real ZooKeeper, on a replicated log of
 * quorum 2, one agent, and Pacer given `--master zk://…/mesos`: when the leading master is killed
 * -9, Pacer finds the new leader through ZooKeeper, re-subscribes with its framework id, and its
 * tasks are the same ones the new leader knows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { masterFrameworks, pacerFrameworkId, removeDir, waitFor } from '../helpers/processes.js';
import { startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { startCluster, type MesosCluster } from './cluster.js';
import { createApp, deleteAppAndWait, expectViewsAgree, startPacerOn, waitAppSettled, type PacerOnMesos } from './pacer-on-mesos.js';

let zk: ZooKeeperServer;
let cluster: MesosCluster;
let pacer: PacerOnMesos;

beforeAll(async () => {
  zk = await startZooKeeper();
  cluster = await startCluster({
    name: 'zk',
    masters: 3,
    agents: 1,
    zkUrl: `zk://${zk.connectString}/mesos`,
    master: { registry: 'replicated_log', quorum: 2 },
  });
  pacer = await startPacerOn(cluster.masterSpec, 'zk');
});

afterAll(async () => {
  await pacer?.process.kill('SIGKILL');
  await cluster?.stop();
  await zk?.stop();
  removeDir(pacer?.dataDir);
});

it('Pacer follows a new leading master found through zk:// after the leader is killed', async () => {
  const frameworkId = (await pacerFrameworkId(pacer.url))!;
  await createApp(pacer, { id: '/zk/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 2, portDefinitions: [] });
  const before = await waitAppSettled(pacer, '/zk/app', 2);
  const oldLeader = await cluster.leaderUrl();
  await cluster.masters.find((m) => m.url === oldLeader)!.kill('SIGKILL');

  const newLeader = await cluster.leaderUrl();
  expect(newLeader).not.toBe(oldLeader);
  await waitFor(
    'Pacer to be active on the new leader with its framework id',
    async () => {
      const frameworks = await masterFrameworks(newLeader);
      return frameworks.length === 1 && frameworks[0]!.id === frameworkId && frameworks[0]!.active ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  await cluster.waitAgents(1);
  const after = await waitAppSettled(pacer, '/zk/app', 2);
  expect(after.tasks!.map((t) => t.id).sort()).toEqual(before.tasks!.map((t) => t.id).sort());
  expect(await expectViewsAgree(pacer, newLeader)).toHaveLength(2);
  await deleteAppAndWait(pacer, newLeader, '/zk/app');
});

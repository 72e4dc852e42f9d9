/**
 * Mesos master failover, black box: two `pacer mesos-local` masters announce themselves in a real
 * ZooKeeper (`--zk zk://…/mesos`); a real `pacer` process finds the leading one there
 * (`--master zk://…/mesos`, lowest sequence). After SIGKILL of that master, its znode goes with
 * its ZooKeeper session, Pacer detects the other master and subscribes to it with its framework
 * id. The new master knows nothing of the old one's agents, so their tasks are gone: Pacer must
 * find that out by reconciliation and launch replacements until the app runs its instance count
 * again, on the new master, with Pacer's and the master's task sets identical. The time from the
 * kill to convergence is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareTasks,
  getJson,
  http,
  killAll,
  masterFrameworks,
  pacerFrameworkId,
  pacerTasks,
  removeDir,
  spawnMesosLocal,
  spawnPacer,
  tempDir,
  waitFor,
  type ManagedProcess,
  type PacerTask,
} from '../helpers/processes.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

const MASTER_ZK_SESSION_TIMEOUT = '2secs';
const INSTANCES = 30;
const APP_ID = '/failover-web';

describe.runIf(zookeeperTestsEnabled())('Pacer follows a Mesos master failover detected in ZooKeeper', () => {
  let zk: ZooKeeperServer | undefined;
  let first: ManagedProcess | undefined;
  let second: ManagedProcess | undefined;
  let pacer: ManagedProcess | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    zk = await startZooKeeper();
    const mesosZk = `zk://${zk.connectString}/mesos`;
    const masterArgs = [
      '--agents',
      '0',
      '--simulated_agents',
      '2',
      '--allocation_interval',
      '100ms',
      '--zk',
      mesosZk,
      '--zk_session_timeout',
      MASTER_ZK_SESSION_TIMEOUT,
    ];
    // Started one after the other, so the first holds the lower sequence number and leads.
    first = await spawnMesosLocal(masterArgs, { name: 'failover-master-1' });
    second = await spawnMesosLocal(masterArgs, { name: 'failover-master-2' });
    dataDir = tempDir('pacer-failover-data');
    pacer = await spawnPacer(['--master', mesosZk, '--data_dir', dataDir, '--reconciliation_interval', '2000'], { name: 'failover-pacer' });
  }, 90_000);

  afterAll(async () => {
    await killAll([pacer, first, second]);
    await zk?.stop();
    removeDir(dataDir);
  });

  /** Waits until Pacer and `masterUrl` agree on exactly INSTANCES running tasks of the app. */
  async function waitForConvergence(masterUrl: string, frameworkId: string): Promise<PacerTask[]> {
    let last = '';
    return waitFor(
      `${INSTANCES} running tasks on ${masterUrl}`,
      async () => {
        const tasks = await pacerTasks(pacer!.url);
        const deployments = await getJson<unknown[]>(`${pacer!.url}/v2/deployments`);
        const frameworks = await masterFrameworks(masterUrl);
        const ours = frameworks.find((f) => f.id === frameworkId);
        const running = tasks.filter((t) => t.appId === APP_ID && t.state === 'TASK_RUNNING');
        const { orphaned, unknownToMaster } = compareTasks(tasks, ours?.tasks ?? []);
        last =
          `pacer ${tasks.length} tasks (${running.length} running), deployments ${deployments.length}, ` +
          `master frameworks ${frameworks.map((f) => `${f.id}:${f.active ? 'active' : 'inactive'}:${f.tasks.length}`).join(',') || 'none'}, ` +
          `orphaned ${orphaned.length}, unknown to master ${unknownToMaster.length}`;
        const done =
          running.length === INSTANCES &&
          tasks.length === INSTANCES &&
          frameworks.length === 1 &&
          ours !== undefined &&
          ours.active &&
          ours.tasks.length === INSTANCES &&
          ours.tasks.every((t) => t.state === 'TASK_RUNNING') &&
          orphaned.length === 0 &&
          unknownToMaster.length === 0;
        return done ? tasks : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, describe: () => last },
    );
  }

  it('re-subscribes to the new leading master with the same framework id and relaunches the lost tasks there', async () => {
    const created = await http('POST', `${pacer!.url}/v2/apps`, {
      id: APP_ID,
      cmd: 'sleep 100000',
      cpus: 0.01,
      mem: 1,
      instances: INSTANCES,
      portDefinitions: [],
    });
    expect(created.status).toBe(201);
    const frameworkId = await waitFor('a framework id', () => pacerFrameworkId(pacer!.url), { timeoutMs: 20_000 });
    const before = await waitForConvergence(first!.url, frameworkId);
    // The standby keeps no frameworks of its own: like a Mesos master that does not lead, it
    // sends state readers to the leader.
    const standbyState = await http('GET', `${second!.url}/master/state`);
    expect(standbyState.status).toBe(307);
    expect(standbyState.headers.get('location')).toBe(`${first!.url.replace(/^http:/, '')}/master/state`);

    const killedAt = Date.now();
    await first!.kill('SIGKILL');
    const after = await waitForConvergence(second!.url, frameworkId);
    const convergedAfterMs = Date.now() - killedAt;
    console.log(
      `master failover: Pacer converged to ${INSTANCES} tasks on the new master ${convergedAfterMs} ms after SIGKILL of the leading master ` +
        `(master zk_session_timeout ${MASTER_ZK_SESSION_TIMEOUT})`,
    );

    expect(await pacerFrameworkId(pacer!.url)).toBe(frameworkId);
    const lost = new Set(before.map((t) => t.id));
    // The old master's agents died with it, so every task now running is a replacement.
    expect(after.filter((t) => lost.has(t.id))).toEqual([]);
    const [framework] = await masterFrameworks(second!.url);
    expect(framework!.id).toBe(frameworkId);
  }, 150_000);
});

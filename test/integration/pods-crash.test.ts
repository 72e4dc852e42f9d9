/**
 * Crash recovery of a pod deployment, black box: a real Pacer process (test/helpers/pod-deployer:
 * `pacer serve` that creates one pod through its service) on the embedded store (`--data_dir`)
 * schedules on a separate `pacer mesos-local` with simulated agents. As soon as the master shows
 * the first of the pod's tasks, Pacer is killed with SIGKILL, in the middle of the deployment; a
 * plain `pacer serve` is then started on the same data dir. After it converges:
 *   - the deployment is finished and the pod has exactly its instance count of instances on the
 *     master, each with exactly one task per container (nothing doubled);
 *   - every task that was live on the master at the kill is still live (nothing lost or orphaned);
 *   - the master knows one framework, the same id throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  killAll,
  masterFrameworks,
  removeDir,
  sleep,
  spawnMesosLocal,
  spawnPacer,
  spawnPodDeployer,
  tempDir,
  waitFor,
  type ManagedProcess,
  type MasterTask,
} from '../helpers/processes.js';

const POD_ID = '/crash/pod';
const INSTANCES = 100;
const CONTAINERS = ['a', 'b', 'c'];
const CONVERGE_TIMEOUT_MS = 90_000;

const POD = {
  id: POD_ID,
  scaling: { kind: 'fixed', instances: INSTANCES },
  containers: CONTAINERS.map((name) => ({ name, exec: { command: { shell: 'sleep 1000' } }, resources: { cpus: 0.01, mem: 8 } })),
};

/** `<safePath>.instance-<uuid>` of a pod task id `<instanceId>.<container>.<incarnation>`. */
function instanceOf(taskId: string): string {
  return taskId.split('.').slice(0, 2).join('.');
}

describe('kill -9 of Pacer in the middle of a pod deployment', () => {
  let master: ManagedProcess | undefined;
  let pacer: ManagedProcess | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = tempDir('pacer-pods-crash-');
    master = await spawnMesosLocal(
      ['--agents', '0', '--simulated_agents', '4', '--agent_resources', 'cpus:16;mem:16384;disk:20000;ports:[31000-32000]', '--allocation_interval', '100ms'],
      { name: 'pods-crash-mesos-local' },
    );
  });

  afterAll(async () => {
    await killAll([pacer, master]);
    removeDir(dataDir);
  });

  async function podTasks(): Promise<{ frameworkIds: string[]; tasks: MasterTask[] }> {
    const frameworks = await masterFrameworks(master!.url);
    return { frameworkIds: frameworks.map((f) => f.id), tasks: frameworks.flatMap((f) => f.tasks).filter((t) => t.id.startsWith('crash_pod.')) };
  }

  it('loses and doubles no pod instance', async () => {
    pacer = await spawnPodDeployer(JSON.stringify(POD), ['--master', master!.url, '--data_dir', dataDir!, '--reconciliation_interval', '2000'], {
      name: 'pods-crash-deployer',
    });
    // Kill as soon as the first task group reached the master: the deployment is under way.
    const atKill = await waitFor(
      'the first pod tasks on the master',
      async () => {
        const seen = await podTasks();
        return seen.tasks.length > 0 ? seen : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    await pacer.kill('SIGKILL');
    expect((await pacer.exited).signal).toBe('SIGKILL');
    const liveAtKill = (await podTasks()).tasks;
    expect(atKill.frameworkIds).toHaveLength(1);
    // Mid-deployment indeed: not every instance was launched yet.
    expect(new Set(atKill.tasks.map((t) => instanceOf(t.id))).size).toBeLessThan(INSTANCES);

    pacer = await spawnPacer(['--master', master!.url, '--data_dir', dataDir!, '--reconciliation_interval', '2000'], { name: 'pods-crash-pacer' });
    const url = pacer.url;
    const final = await waitFor(
      'the pod deployment finished with every instance running',
      async () => {
        const deployments = await getJson<unknown[]>(`${url}/v2/deployments`);
        const seen = await podTasks();
        const running = seen.tasks.filter((t) => t.state === 'TASK_RUNNING');
        return deployments.length === 0 && running.length === INSTANCES * CONTAINERS.length ? seen : undefined;
      },
      { timeoutMs: CONVERGE_TIMEOUT_MS, intervalMs: 200, describe: () => pacer!.logTail(2000) },
    );
    // Settle: whatever was still on its way is in (no deployment left means nothing more is launched).
    await sleep(500);
    const settled = await podTasks();
    expect(settled.tasks.map((t) => t.id).sort()).toEqual(final.tasks.map((t) => t.id).sort());

    expect(settled.frameworkIds).toEqual(atKill.frameworkIds);
    const byInstance = new Map<string, string[]>();
    for (const task of settled.tasks) byInstance.set(instanceOf(task.id), [...(byInstance.get(instanceOf(task.id)) ?? []), task.id.split('.')[2]!]);
    expect(byInstance.size).toBe(INSTANCES);
    for (const containers of byInstance.values()) expect(containers.sort()).toEqual(CONTAINERS);
    expect(settled.tasks.every((t) => t.state === 'TASK_RUNNING')).toBe(true);
    // Nothing launched before the kill was lost or left orphaned: those tasks are still the pod's.
    const finalIds = new Set(settled.tasks.map((t) => t.id));
    expect(liveAtKill.filter((t) => !finalIds.has(t.id))).toEqual([]);
  }, 180_000);
});

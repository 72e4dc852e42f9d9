/**
 * Failures on a real Mesos, each ending with nothing lost or doubled (Pacer's tasks and the
 * master's live tasks of its framework are the same set, and the master knows one framework):
 * Pacer killed -9 mid-deployment and restarted; an agent killed -9 and restarted on its work
 * dir; an agent cut off (SIGSTOP, as a partition: its tasks keep running) until its tasks are
 * TASK_UNREACHABLE and replaced, then back (SIGCONT) with the old task, which Pacer kills; the
 * master killed -9 and restarted on its replicated log.
 *
 * The master declares an agent unreachable after 3 s × 5 missed pings (15 s): long enough for an
 * agent restart on this -O0 build, short enough for the partition scenario.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterFrameworks, pacerFrameworkId, pacerTasks, removeDir, waitFor } from '../helpers/processes.js';
import { startCluster, type MesosAgent, type MesosCluster } from './cluster.js';
import { createApp, deleteAppAndWait, expectViewsAgree, getApp, startPacerOn, waitAppSettled, type PacerOnMesos } from './pacer-on-mesos.js';

let cluster: MesosCluster;
let pacer: PacerOnMesos;
let masterUrl: string;
let frameworkId: string;
const agentById = new Map<string, MesosAgent>();

beforeAll(async () => {
  cluster = await startCluster({
    name: 'failures',
    master: { registry: 'replicated_log', quorum: 1, agentPingTimeoutSeconds: 3, maxAgentPingTimeouts: 5 },
  });
  masterUrl = cluster.masters[0]!.url;
  for (const state of await cluster.waitAgents()) {
    agentById.set(
      state.id,
      cluster.agents.find((a) => a.port === state.port)!,
    );
  }
  pacer = await startPacerOn(cluster.masterSpec, 'failures');
  frameworkId = (await pacerFrameworkId(pacer.url))!;
});

afterAll(async () => {
  for (const agent of cluster?.agents ?? []) agent.signal('SIGCONT');
  await pacer?.process.kill('SIGKILL');
  await cluster?.stop();
  removeDir(pacer?.dataDir);
});

/** The master knows exactly one framework of this name, Pacer's, and it is active. */
async function expectOneActiveFramework(): Promise<void> {
  await waitFor(
    'Pacer to be the one active framework',
    async () => {
      const frameworks = await masterFrameworks(masterUrl);
      return frameworks.length === 1 && frameworks[0]!.id === frameworkId && frameworks[0]!.active ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

describe('failures on a real Mesos', () => {
  it('Pacer killed -9 mid-deployment and restarted re-subscribes with its framework id and converges', async () => {
    await createApp(pacer, { id: '/crash/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 4, portDefinitions: [] });
    // Mid-deployment: some task launched, not all running yet.
    await waitFor(
      'a launch under way',
      async () => {
        const app = await getApp(pacer, '/crash/app');
        return (app.tasks ?? []).length > 0 && app.tasksRunning < 4 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await pacer.process.kill('SIGKILL');
    pacer = await startPacerOn(cluster.masterSpec, 'failures', { dataDir: pacer.dataDir });
    expect(await pacerFrameworkId(pacer.url)).toBe(frameworkId);
    await waitAppSettled(pacer, '/crash/app', 4);
    expect(await expectViewsAgree(pacer, masterUrl)).toHaveLength(4);
    await expectOneActiveFramework();
    await deleteAppAndWait(pacer, masterUrl, '/crash/app');
  });

  it('an agent killed -9 and restarted on its work dir recovers its tasks, which Pacer sees running throughout', async () => {
    await createApp(pacer, {
      id: '/agent/app',
      cmd: 'sleep 100000',
      cpus: 0.05,
      mem: 16,
      instances: 3,
      constraints: [['rack', 'UNIQUE']],
      portDefinitions: [],
    });
    const before = await waitAppSettled(pacer, '/agent/app', 3);
    const victim = before.tasks![0]!;
    const agent = agentById.get(victim.slaveId)!;
    await agent.kill('SIGKILL');
    // While the agent is away, and after it is back, Pacer keeps the same three tasks running.
    const sampled: string[] = [];
    agent.start();
    await waitFor(
      'the agent to re-register',
      async () => {
        const tasks = (await pacerTasks(pacer.url)).filter((t) => t.appId === '/agent/app');
        sampled.push(
          tasks
            .map((t) => `${t.id}:${t.state}`)
            .sort()
            .join(','),
        );
        const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as {
          slaves: Array<{ id: string; active: boolean; registered_time: number; reregistered_time?: number }>;
        };
        const slave = state.slaves.find((s) => s.id === victim.slaveId);
        return slave?.active === true && slave.reregistered_time !== undefined ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, describe: () => agent.logTail(1500) },
    );
    const expected = before
      .tasks!.map((t) => `${t.id}:TASK_RUNNING`)
      .sort()
      .join(',');
    expect(new Set(sampled)).toEqual(new Set([expected]));
    const after = await waitAppSettled(pacer, '/agent/app', 3);
    expect(after.tasks!.map((t) => t.id).sort()).toEqual(before.tasks!.map((t) => t.id).sort());
    expect(await expectViewsAgree(pacer, masterUrl)).toHaveLength(3);
    await deleteAppAndWait(pacer, masterUrl, '/agent/app');
  });

  it('an agent cut off: its task becomes TASK_UNREACHABLE, is replaced after the unreachableStrategy delays, and is killed when the agent returns', async () => {
    await createApp(pacer, {
      id: '/partition/app',
      cmd: 'sleep 100000',
      cpus: 0.05,
      mem: 16,
      instances: 1,
      portDefinitions: [],
      unreachableStrategy: { inactiveAfterSeconds: 1, expungeAfterSeconds: 2 },
    });
    const [original] = (await waitAppSettled(pacer, '/partition/app', 1)).tasks!;
    const agent = agentById.get(original!.slaveId)!;
    agent.signal('SIGSTOP');
    try {
      await waitFor(
        'the task to be unreachable on the master',
        async () => {
          const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as {
            frameworks: Array<{ id: string; unreachable_tasks: Array<{ id: string }> }>;
          };
          return state.frameworks.find((f) => f.id === frameworkId)?.unreachable_tasks.some((t) => t.id === original!.id) ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      const replaced = await waitFor(
        'a replacement running on another agent',
        async () => {
          const app = await getApp(pacer, '/partition/app');
          return app.tasks?.find((t) => t.id !== original!.id && t.state === 'TASK_RUNNING' && t.slaveId !== original!.slaveId);
        },
        { timeoutMs: 180_000, intervalMs: 500 },
      );
      expect(replaced.slaveId).not.toBe(original!.slaveId);
    } finally {
      agent.signal('SIGCONT');
    }
    // Back: the agent re-registers with the old task, which Pacer kills; one task remains.
    await waitFor(
      'the returned task to be killed',
      async () => {
        const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as {
          frameworks: Array<{ id: string; tasks: Array<{ id: string; state: string }>; completed_tasks: Array<{ id: string; state: string }> }>;
        };
        const framework = state.frameworks.find((f) => f.id === frameworkId)!;
        const old = [...framework.tasks, ...framework.completed_tasks].find((t) => t.id === original!.id);
        return old !== undefined && ['TASK_KILLED', 'TASK_FAILED', 'TASK_GONE', 'TASK_FINISHED'].includes(old.state) ? old.state : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, describe: () => agent.logTail(1000) },
    );
    expect(await expectViewsAgree(pacer, masterUrl)).toHaveLength(1);
    await deleteAppAndWait(pacer, masterUrl, '/partition/app');
  });

  it('the master killed -9 and restarted on its replicated log: Pacer re-subscribes with its id and reconciles', async () => {
    await createApp(pacer, { id: '/master/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 2, portDefinitions: [] });
    const before = await waitAppSettled(pacer, '/master/app', 2);
    const master = cluster.masters[0]!;
    await master.kill('SIGKILL');
    master.start();
    await master.waitUp();
    await cluster.waitAgents();
    await expectOneActiveFramework();
    const after = await waitAppSettled(pacer, '/master/app', 2);
    expect(after.tasks!.map((t) => t.id).sort()).toEqual(before.tasks!.map((t) => t.id).sort());
    expect(await expectViewsAgree(pacer, masterUrl)).toHaveLength(2);
    await deleteAppAndWait(pacer, masterUrl, '/master/app');
  });
});

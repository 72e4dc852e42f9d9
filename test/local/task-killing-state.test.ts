/**
 * TASK_KILLING from mesos-local's process agents follows upstream's command executor
 * (src/launcher/executor.cpp, kill()): a framework that declared the TASK_KILLING_STATE
 * capability gets TASK_KILLING before TASK_KILLED; one that did not gets TASK_KILLED only.
 * The real-Mesos differential test (test/mesos-real/differential.test.ts) compares the same.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { RawFramework, commandTask, launchCall } from '../mesos-real/framework-view.js';

describe.each([
  { kind: 'process', agents: 1, simulatedAgents: 0 },
  { kind: 'simulated', agents: 0, simulatedAgents: 1 },
])('a $kind agent', ({ agents, simulatedAgents }) => {
  let local: MesosLocalHandle;

  beforeAll(async () => {
    local = await startMesosLocal(
      { ip: '127.0.0.1', port: 0, agents, simulatedAgents, agentResources: 'cpus:2;mem:1024;disk:1000;ports:[25000-25009]', allocationIntervalMs: 50 },
      pino({ level: 'silent' }),
    );
  });

  afterAll(async () => {
    await local?.close();
  });

  async function killedStates(capabilities: string[]): Promise<string[]> {
    const fw = await RawFramework.subscribe(local.url, `killing-${capabilities.length}`, { capabilities });
    try {
      const [offer] = await fw.takeOffers(1);
      const task = commandTask('sleeper', offer!, 'sleep 600');
      expect((await fw.call(launchCall([offer!], [task]))).status).toBe(202);
      await fw.until('RUNNING', () => fw.updatesOf('sleeper').find((u) => u.state === 'TASK_RUNNING'), 20_000);
      expect((await fw.call({ type: 'KILL', kill: { task_id: task.task_id, agent_id: task.agent_id } })).status).toBe(202);
      await fw.until('KILLED', () => fw.updatesOf('sleeper').find((u) => u.state === 'TASK_KILLED'), 20_000);
      return fw.updatesOf('sleeper').map((u) => `${u.state}/${u.source}`);
    } finally {
      await fw.teardown();
    }
  }

  it('sends TASK_KILLING (from the executor) before TASK_KILLED to a framework with TASK_KILLING_STATE', async () => {
    expect(await killedStates(['PARTITION_AWARE', 'TASK_KILLING_STATE'])).toEqual([
      'TASK_STARTING/SOURCE_EXECUTOR',
      'TASK_RUNNING/SOURCE_EXECUTOR',
      'TASK_KILLING/SOURCE_EXECUTOR',
      'TASK_KILLED/SOURCE_EXECUTOR',
    ]);
  });

  it('sends no TASK_KILLING to a framework without it', async () => {
    expect(await killedStates(['PARTITION_AWARE'])).toEqual(['TASK_STARTING/SOURCE_EXECUTOR', 'TASK_RUNNING/SOURCE_EXECUTOR', 'TASK_KILLED/SOURCE_EXECUTOR']);
  });
});

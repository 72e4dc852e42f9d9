import { afterEach, describe, expect, it } from 'vitest';

import { agentHostnameFor, agentIdFor, parseAgentResources } from '../../../src/local/agents/agent-spec.js';
import { SimulatedAgent, type SimulatedAgentOptions } from '../../../src/local/agents/simulated-agent.js';
import { TimerQueue } from '../../../src/local/agents/timer-queue.js';
import type { TaskInfo, TaskStatus } from '../../../src/mesos/types.js';
import { CollectingSink } from './collecting-sink.js';

const resources = parseAgentResources('cpus:4;mem:8192;disk:20000;ports:[31000-32000]');
let agents: SimulatedAgent[] = [];

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  agents = [];
});

function makeAgents(count: number, sink: { statusUpdate(fw: string, s: TaskStatus): void }, options: Partial<SimulatedAgentOptions> = {}): SimulatedAgent[] {
  const timers = options.timers ?? new TimerQueue();
  const made = Array.from(
    { length: count },
    (_, i) => new SimulatedAgent({ id: agentIdFor('master', i), hostname: agentHostnameFor('simulated', i), resources, sink, timers, ...options }),
  );
  agents.push(...made);
  return made;
}

function task(id: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return { name: id, task_id: { value: id }, agent_id: { value: 'x' }, command: { value: 'sleep 1000' }, ...extra };
}

/** Counts states without keeping 10,000 statuses around. */
class CountingSink {
  readonly counts = new Map<string, number>();
  readonly failedTasks: string[] = [];
  statusUpdate(_frameworkId: string, status: TaskStatus): void {
    this.counts.set(status.state, (this.counts.get(status.state) ?? 0) + 1);
    if (status.state === 'TASK_FAILED') this.failedTasks.push(status.task_id.value);
  }
  count(state: string): number {
    return this.counts.get(state) ?? 0;
  }
}

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SimulatedAgent', () => {
  it('walks a task STARTING -> RUNNING -> FINISHED', async () => {
    const sink = new CollectingSink();
    const [agent] = makeAgents(1, sink, { startDelayMs: 20, runForMs: 30 });
    agent!.launchTask('fw', task('t1'));
    await sink.waitForState('t1', 'TASK_FINISHED');
    expect(sink.states('t1')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(sink.of('t1')[2]!.message).toBe('Command exited with status 0');
    expect(agent!.activeTaskCount).toBe(0);
  });

  it('kills at once, or after the grace period when configured, with KILLING when the framework takes it', async () => {
    const sink = new CollectingSink();
    const [quick, patient] = [...makeAgents(1, sink), ...makeAgents(1, sink, { killAfterGracePeriod: true, supportsTaskKillingState: () => true })];
    quick!.launchTask('fw', task('q'));
    patient!.launchTask('fw', task('p', { kill_policy: { grace_period: { nanoseconds: 50e6 } } }));
    await sink.waitForState('q', 'TASK_RUNNING');
    await sink.waitForState('p', 'TASK_RUNNING');
    quick!.killTask('fw', 'q');
    patient!.killTask('fw', 'p');
    await sink.waitForState('q', 'TASK_KILLED');
    expect(sink.states('p')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING']);
    await sink.waitForState('p', 'TASK_KILLED');
    expect(sink.states('q')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
  });

  it('reports healthy for tasks with a health check', async () => {
    const sink = new CollectingSink();
    const [agent] = makeAgents(1, sink, { healthCheckDelayMs: 20 });
    agent!.launchTask('fw', task('h', { health_check: { type: 'TCP', tcp: { port: 31000 } } }));
    await sink.waitFor(() => sink.of('h').some((s) => s.healthy === true), 5000);
    const healthy = sink.of('h').find((s) => s.healthy === true)!;
    expect(healthy.state).toBe('TASK_RUNNING');
    expect(healthy.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
  });

  it('brings 1,000 agents x 10 tasks to TASK_RUNNING on one shared timer', async () => {
    const sink = new CountingSink();
    const timers = new TimerQueue();
    const fleet = makeAgents(1000, sink, { timers, startDelayMs: 5 });
    fleet.forEach((agent, a) => {
      for (let t = 0; t < 10; t += 1) agent.launchTask('fw', task(`a${a}-t${t}`));
    });
    expect(timers.pending).toBe(10_000);
    await until(() => sink.count('TASK_RUNNING') === 10_000);
    expect(sink.count('TASK_STARTING')).toBe(10_000);
    // Running tasks without runForMs or health checks hold no timers at all.
    expect(timers.pending).toBe(0);
    expect(fleet.reduce((sum, agent) => sum + agent.activeTaskCount, 0)).toBe(10_000);
  });

  it('fails a seeded, reproducible share of launches', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const sink = new CountingSink();
      const fleet = makeAgents(100, sink, { seed, failureRate: 0.1 });
      fleet.forEach((agent, a) => {
        for (let t = 0; t < 10; t += 1) agent.launchTask('fw', task(`a${a}-t${t}`));
      });
      await until(() => sink.count('TASK_RUNNING') + sink.count('TASK_FAILED') === 1000);
      await Promise.all(fleet.map((agent) => agent.close()));
      return [...sink.failedTasks].sort();
    };
    const first = await run(42);
    const again = await run(42);
    const other = await run(7);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.length).toBeGreaterThan(50);
    expect(first.length).toBeLessThan(150);
  });
});

describe('TimerQueue', () => {
  it('runs callbacks in due order and skips cancelled ones', async () => {
    const timers = new TimerQueue();
    const ran: string[] = [];
    timers.schedule(30, () => ran.push('c'));
    timers.schedule(10, () => ran.push('a'));
    const cancelled = timers.schedule(20, () => ran.push('x'));
    timers.schedule(10, () => ran.push('b'));
    cancelled.cancel();
    expect(timers.pending).toBe(3);
    await until(() => ran.length === 3);
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(timers.pending).toBe(0);
  });
});

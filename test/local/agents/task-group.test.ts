/**
 * Task groups on the process and simulated agents, held to upstream's default executor
 * (src/launcher/default_executor.cpp, Mesos 1.12) and the `volume/sandbox_path` isolator:
 * sandbox layout, shared PARENT volumes, environment, which ends kill the rest of the group
 * (FAILED and KILLED do, FINISHED does not), KILL of one task, and the executor-wide `healthy`.
 */
import { lstat, mkdtemp, readFile, readlink, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ProcessAgent } from '../../../src/local/agents/process-agent.js';
import { SimulatedAgent } from '../../../src/local/agents/simulated-agent.js';
import { TimerQueue } from '../../../src/local/agents/timer-queue.js';
import type { CommandInfo, ExecutorInfo, TaskInfo } from '../../../src/mesos/types.js';
import { CollectingSink } from './collecting-sink.js';

const FRAMEWORK = 'fw-1';
const logger = pino({ level: 'silent' });
const EXECUTOR: ExecutorInfo = { executor_id: { value: 'pod-exec' }, type: 'DEFAULT', framework_id: { value: FRAMEWORK } };

function task(id: string, command: CommandInfo, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: 'S0' },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'pods' } }],
    command,
    ...extra,
  };
}

/** Marathon's ephemeral pod volume `v1` mounted at `mountPath` (TaskGroupBuilder). */
function ephemeralVolume(mountPath: string): NonNullable<TaskInfo['container']> {
  return {
    type: 'MESOS',
    volumes: [{ mode: 'RW', container_path: mountPath, source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: 'volumes/v1' } } }],
  };
}

describe('ProcessAgent task groups', () => {
  let workDir: string;
  let sink: CollectingSink;
  let agent: ProcessAgent;

  beforeEach(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-group-'));
    sink = new CollectingSink();
    agent = new ProcessAgent({
      id: 'S0',
      hostname: 'localhost',
      resources: [],
      workDir,
      sink,
      logger,
      defaultKillGracePeriodMs: 300,
      closeGracePeriodMs: 200,
      supportsTaskKillingState: () => true,
    });
  });

  afterEach(async () => {
    await agent.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('runs the tasks in nested sandboxes linked from tasks/<taskId>, sharing a PARENT volume, with the executor environment', async () => {
    agent.launchGroup(FRAMEWORK, EXECUTOR, {
      tasks: [
        task(
          'pod.writer',
          { value: 'echo shared-by-writer > data/file; echo "$MESOS_CONTAINER_IP $MESOS_ALLOCATION_ROLE $MESOS_EXECUTOR_ID"' },
          {
            container: ephemeralVolume('data'),
          },
        ),
        task('pod.reader', { value: 'while [ ! -f in/file ]; do sleep 0.05; done; cat in/file' }, { container: ephemeralVolume('in') }),
      ],
    });
    await sink.waitForState('pod.writer', 'TASK_FINISHED');
    await sink.waitForState('pod.reader', 'TASK_FINISHED');
    for (const id of ['pod.writer', 'pod.reader']) {
      expect(sink.states(id)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      for (const s of sink.of(id)) {
        expect(s.source).toBe('SOURCE_EXECUTOR');
        expect(s.executor_id).toEqual({ value: 'pod-exec' });
      }
    }
    const writer = agent.sandboxOf('pod.writer')!;
    const reader = agent.sandboxOf('pod.reader')!;
    const executorSandbox = path.dirname(path.dirname(writer));
    expect(path.dirname(path.dirname(reader))).toBe(executorSandbox);
    expect(executorSandbox).toMatch(/\/slaves\/S0\/frameworks\/fw-1\/executors\/pod-exec\/runs\/[0-9a-f-]{36}$/);
    expect(await readlink(path.join(executorSandbox, 'tasks', 'pod.writer'))).toBe(writer);
    expect(await readlink(path.join(executorSandbox, 'tasks', 'pod.reader'))).toBe(reader);
    expect((await lstat(path.join(writer, 'data'))).isSymbolicLink()).toBe(true);
    expect(await realpath(path.join(reader, 'in'))).toBe(await realpath(path.join(executorSandbox, 'volumes', 'v1')));
    expect(await readFile(path.join(reader, 'stdout'), 'utf8')).toBe('shared-by-writer\n');
    expect(await readFile(path.join(writer, 'stdout'), 'utf8')).toBe('127.0.0.1 pods pod-exec\n');
    // The updates name the executor's container, not a nested one.
    const running = sink.of('pod.writer').find((s) => s.state === 'TASK_RUNNING')!;
    expect(running.container_status?.container_id?.parent).toBeUndefined();
    expect(path.basename(executorSandbox)).toBe(running.container_status?.container_id?.value);
  });

  it('leaves the other tasks running when one finishes', async () => {
    agent.launchGroup(FRAMEWORK, EXECUTOR, { tasks: [task('pod.once', { value: 'true' }), task('pod.server', { value: 'sleep 30' })] });
    await sink.waitForState('pod.once', 'TASK_FINISHED');
    await sink.waitForState('pod.server', 'TASK_RUNNING');
    // The finished task's end has been handled (its runner is gone) and the other one still runs.
    await sink.waitFor(() => agent.activeTaskCount === 1, 5000, 'one live task');
    expect(sink.states('pod.server')).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    agent.killTask(FRAMEWORK, 'pod.server');
    await sink.waitForState('pod.server', 'TASK_KILLED');
  });

  it('kills the rest of the group when one task fails, and the whole group when one is killed', async () => {
    agent.launchGroup(FRAMEWORK, EXECUTOR, {
      tasks: [task('a.fail', { value: 'sleep 0.3; exit 3' }), task('a.long', { value: 'sleep 30' }, { kill_policy: { grace_period: { nanoseconds: 60e9 } } })],
    });
    const failed = await sink.waitForState('a.fail', 'TASK_FAILED');
    expect(failed.message).toBe('Command exited with status 3');
    const killed = await sink.waitForState('a.long', 'TASK_KILLED');
    expect(sink.states('a.long')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    // Killed with the default grace period (300 ms here), not the task's 60 s KillPolicy.
    expect(killed.message).toBe('Command terminated with signal Terminated');

    agent.launchGroup(
      FRAMEWORK,
      { ...EXECUTOR, executor_id: { value: 'b-exec' } },
      {
        tasks: [task('b.one', { value: 'sleep 30' }), task('b.two', { value: 'sleep 30' })],
      },
    );
    await sink.waitForState('b.one', 'TASK_RUNNING');
    await sink.waitForState('b.two', 'TASK_RUNNING');
    agent.killTask(FRAMEWORK, 'b.one');
    await sink.waitForState('b.one', 'TASK_KILLED');
    await sink.waitForState('b.two', 'TASK_KILLED');
    expect(sink.states('b.two')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    await sink.waitFor(() => agent.activeTaskCount === 0, 5000, 'no live task');
  });

  it('refuses a group whose task needs an image, and one whose volume has an absolute container path', async () => {
    agent.launchGroup(FRAMEWORK, EXECUTOR, {
      tasks: [
        task('img.plain', { value: 'sleep 30' }),
        task('img.docker', { value: 'true' }, { container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'nginx' } } } } }),
      ],
    });
    for (const id of ['img.plain', 'img.docker']) {
      const failed = await sink.waitForState(id, 'TASK_FAILED');
      expect(failed).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
      expect(failed.message).toMatch(/^Failed to launch container: container images \('nginx'\) are not supported by pacer mesos-local agents/);
    }
    agent.launchGroup(
      FRAMEWORK,
      { ...EXECUTOR, executor_id: { value: 'abs-exec' } },
      {
        tasks: [task('abs.vol', { value: 'true' }, { container: ephemeralVolume('/data') }), task('abs.other', { value: 'sleep 30' })],
      },
    );
    // As the default executor: TASK_STARTING, then TASK_FAILED with the launch error alone.
    const failed = await sink.waitForState('abs.vol', 'TASK_FAILED');
    expect(sink.states('abs.vol')).toEqual(['TASK_STARTING', 'TASK_FAILED']);
    expect(failed.source).toBe('SOURCE_EXECUTOR');
    expect(failed.reason).toBeUndefined();
    expect(failed.message).toBe(
      "The 'linux' launcher and 'filesystem/linux' isolator must be enabled to support SANDBOX_PATH volume with absolute container path",
    );
    await sink.waitForState('abs.other', 'TASK_KILLED');
  });

  it('marks every later terminal update of the executor unhealthy once a task was killed by its health check', async () => {
    agent.launchGroup(FRAMEWORK, EXECUTOR, {
      tasks: [
        task(
          'h.sick',
          { value: 'sleep 30' },
          {
            health_check: {
              type: 'COMMAND',
              command: { value: 'exit 1' },
              delay_seconds: 0,
              interval_seconds: 0.2,
              grace_period_seconds: 0,
              consecutive_failures: 1,
            },
          },
        ),
        task('h.fine', { value: 'sleep 30' }),
      ],
    });
    const sick = await sink.waitForState('h.sick', 'TASK_KILLED');
    expect(sick.healthy).toBe(false);
    const fine = await sink.waitForState('h.fine', 'TASK_KILLED');
    expect(fine.healthy).toBe(false);
  });
});

describe('SimulatedAgent task groups', () => {
  it('kills the rest of the group when one task is killed', async () => {
    const sink = new CollectingSink();
    const timers = new TimerQueue();
    const agent = new SimulatedAgent({ id: 'sim-0', hostname: 'sim', resources: [], sink, timers });
    agent.launchGroup(FRAMEWORK, EXECUTOR, { tasks: [task('s.one', { value: 'x' }), task('s.two', { value: 'x' })] });
    await sink.waitForState('s.one', 'TASK_RUNNING');
    await sink.waitForState('s.two', 'TASK_RUNNING');
    agent.killTask(FRAMEWORK, 's.one');
    await sink.waitForState('s.two', 'TASK_KILLED');
    expect(sink.states('s.one')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    expect(sink.states('s.two')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    expect(agent.activeTaskCount).toBe(0);

    await agent.close();
  });
});

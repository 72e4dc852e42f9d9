import { randomUUID } from 'node:crypto';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from 'pino';

import type {
  CommandInfo,
  ContainerStatus,
  EnvironmentVariable,
  ExecutorInfo,
  KillPolicy,
  TaskGroupInfo,
  TaskInfo,
  TaskState,
  TaskStatus,
  Volume,
} from '../../mesos/types.js';
import { fetchUris } from './fetcher.js';
import { assertPathSafeId, createExecutorSandbox, executorSandboxPath, type ExecutorSandboxRef } from './sandbox.js';
import { makeTaskStatus } from './status.js';
import type { TaskRunner } from './task-runner.js';

/**
 * Task groups as upstream's default executor runs them (src/launcher/default_executor.cpp), on an
 * agent whose tasks are processes:
 * - one executor per (framework, executor id) with one sandbox; every task of a group it is given
 *   is a nested container with its own sandbox `containers/<containerId>`, linked from
 *   `tasks/<taskId>` (the link upstream makes for the web UI);
 * - SANDBOX_PATH volumes of type PARENT (Marathon's ephemeral pod volumes, `volumes/<name>`) are
 *   directories of the executor sandbox linked into the task sandbox at `container_path`, as the
 *   `volume/sandbox_path` isolator does where it cannot bind mount;
 * - each task gets MESOS_CONTAINER_IP and MESOS_ALLOCATION_ROLE, after its own environment;
 * - when a task of a group ends FAILED or KILLED, the other live tasks of that group are killed
 *   with the default grace period (not their KillPolicy: upstream passes none); FINISHED leaves
 *   them running. Once a task was killed by its health check, every later terminal update of the
 *   executor says `healthy: false`;
 * - the executor ends when its last task is terminal.
 */

/** What the group runner needs from the agent that hosts it. */
export interface TaskGroupHost {
  readonly agentId: string;
  readonly workDir: string;
  readonly ipAddress: string;
  readonly defaultKillGraceMs: number;
  readonly logger: Logger;
  /** Whether a launch of this task id may go ahead (agent open, id not running). */
  admit(frameworkId: string, taskId: string): boolean;
  /** Why a task (or the executor) cannot run on this agent, or undefined. */
  refusal(executor: ExecutorInfo, task: TaskInfo): string | undefined;
  /** Sends a status update of a task, as its executor. */
  emit(frameworkId: string, status: TaskStatus): void;
  /** Reports a task that never started (TASK_FAILED from the agent). */
  failLaunch(frameworkId: string, taskId: string, executorId: string, why: string): void;
  /** Builds the runner of one task; the host's usual runner, with these placements. */
  runner(frameworkId: string, task: TaskInfo, placement: NestedPlacement): TaskRunner;
  /** Starts the runner and keeps it while it lives. */
  track(frameworkId: string, runner: TaskRunner): void;
  /** Whether the agent is shutting down (then nothing kills siblings on its own). */
  isClosing(): boolean;
}

export interface NestedPlacement {
  readonly executorId: string;
  readonly executorSandbox: string;
  readonly taskSandbox: string;
  readonly command: CommandInfo;
  readonly containerStatus: ContainerStatus;
  readonly launchFailureSource: 'SOURCE_EXECUTOR';
  readonly prepare: () => Promise<void>;
  /** Adjusts every status of the task before it is sent; undefined drops it. */
  readonly decorate: (status: TaskStatus) => TaskStatus | undefined;
}

interface ExecutorRun {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly containerId: string;
  readonly sandbox: string;
  readonly ready: Promise<unknown>;
  live: number;
  unhealthy: boolean;
}

const TERMINAL: ReadonlySet<TaskState> = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

export class DefaultExecutors {
  private readonly executors = new Map<string, ExecutorRun>();

  constructor(private readonly host: TaskGroupHost) {}

  /** Executors that still have a live task. */
  get activeCount(): number {
    return this.executors.size;
  }

  launch(frameworkId: string, executor: ExecutorInfo, group: TaskGroupInfo): void {
    const host = this.host;
    const executorId = executor.executor_id.value;
    const tasks = (group.tasks ?? []).filter((task) => host.admit(frameworkId, task.task_id.value));
    if (tasks.length === 0) return;
    const refusal = tasks.map((task) => host.refusal(executor, task)).find((r) => r !== undefined);
    if (refusal !== undefined) {
      for (const task of tasks) host.failLaunch(frameworkId, task.task_id.value, executorId, refusal);
      return;
    }
    let run: ExecutorRun;
    try {
      for (const task of tasks) assertPathSafeId('task', task.task_id.value);
      run = this.executorRun(frameworkId, executorId);
    } catch (error) {
      for (const task of tasks) host.failLaunch(frameworkId, task.task_id.value, executorId, (error as Error).message);
      return;
    }

    run.live += tasks.length;
    const runners = tasks.map((task) => host.runner(frameworkId, task, this.placement(frameworkId, run, task)));
    let killingGroup = false;
    for (const runner of runners) {
      void runner.finished.then((state) => {
        if (!killingGroup && !host.isClosing() && (state === 'TASK_FAILED' || state === 'TASK_KILLED')) {
          killingGroup = true;
          host.logger.info({ frameworkId, executorId, taskId: runner.taskId, state }, 'task of a group ended; killing the rest of its group');
          const grace: KillPolicy = { grace_period: { nanoseconds: host.defaultKillGraceMs * 1e6 } };
          for (const other of runners) if (other !== runner && !other.isTerminated) other.kill(grace);
        }
        this.release(run, 1);
      });
      host.track(frameworkId, runner);
    }
  }

  private executorRun(frameworkId: string, executorId: string): ExecutorRun {
    const key = `${frameworkId}\u0000${executorId}`;
    const existing = this.executors.get(key);
    if (existing !== undefined) return existing;
    const containerId = randomUUID();
    const ref: ExecutorSandboxRef = { workDir: this.host.workDir, agentId: this.host.agentId, frameworkId, executorId, containerId };
    const sandbox = executorSandboxPath(ref);
    // A rejection fails each task's launch through its own prepare(); never unhandled here.
    const ready = createExecutorSandbox(ref);
    ready.catch(() => undefined);
    const run: ExecutorRun = { frameworkId, executorId, containerId, sandbox, ready, live: 0, unhealthy: false };
    this.executors.set(key, run);
    this.host.logger.info({ frameworkId, executorId, containerId }, 'default executor started');
    return run;
  }

  private release(run: ExecutorRun, tasks: number): void {
    run.live -= tasks;
    if (run.live > 0) return;
    this.executors.delete(`${run.frameworkId}\u0000${run.executorId}`);
    this.host.logger.info({ frameworkId: run.frameworkId, executorId: run.executorId }, 'default executor terminated: no live task left');
  }

  /**
   * Where and how one task of a group runs. As the default executor, TASK_STARTING goes out before
   * the nested container is prepared, and a container that cannot be launched ends TASK_FAILED
   * with the launch error alone as message (no reason): the runner's own launch updates are
   * adjusted to that.
   */
  private placement(frameworkId: string, run: ExecutorRun, task: TaskInfo): NestedPlacement {
    const taskId = task.task_id.value;
    const nestedId = randomUUID();
    const taskSandbox = path.join(run.sandbox, 'containers', nestedId);
    const volumes = task.container?.volumes ?? [];
    const command = withExecutorEnvironment(task.command!, this.host.ipAddress, task);
    // The agent reports the executor's container on the updates of its tasks.
    const containerStatus: ContainerStatus = {
      container_id: { value: run.containerId },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.host.ipAddress }] }],
    };
    let startingSent = false;
    return {
      executorId: run.executorId,
      executorSandbox: run.sandbox,
      taskSandbox,
      command,
      containerStatus,
      launchFailureSource: 'SOURCE_EXECUTOR',
      prepare: async () => {
        this.host.emit(frameworkId, makeTaskStatus({ agentId: this.host.agentId, executorId: run.executorId, containerStatus }, taskId, 'TASK_STARTING'));
        startingSent = true;
        await run.ready;
        await mkdir(taskSandbox, { recursive: true });
        await mkdir(path.join(run.sandbox, 'tasks'), { recursive: true });
        const link = path.join(run.sandbox, 'tasks', taskId);
        await rm(link, { force: true });
        await symlink(taskSandbox, link);
        for (const volume of volumes) await linkSandboxVolume(volume, run.sandbox, taskSandbox);
        await fetchUris(command.uris ?? [], taskSandbox);
      },
      decorate: (status) => {
        if (status.state === 'TASK_STARTING' && startingSent) return undefined;
        let out = status;
        if (status.state === 'TASK_FAILED' && status.reason === 'REASON_CONTAINER_LAUNCH_FAILED' && status.message?.startsWith(LAUNCH_FAILURE_PREFIX)) {
          out = { ...status, message: status.message.slice(LAUNCH_FAILURE_PREFIX.length) };
          delete out.reason;
        }
        if (!TERMINAL.has(out.state)) return out;
        if (out.healthy === false) run.unhealthy = true;
        return run.unhealthy ? { ...out, healthy: false } : out;
      },
    };
  }
}

/** How the runner words a failed launch; the default executor reports the launch error alone. */
const LAUNCH_FAILURE_PREFIX = 'Failed to launch container: ';

/** MESOS_CONTAINER_IP and MESOS_ALLOCATION_ROLE go after the task's own variables, as upstream appends them. */
function withExecutorEnvironment(command: CommandInfo, ip: string, task: TaskInfo): CommandInfo {
  const added: EnvironmentVariable[] = [{ name: 'MESOS_CONTAINER_IP', type: 'VALUE', value: ip }];
  const role = task.resources?.[0]?.allocation_info?.role;
  if (role !== undefined) added.push({ name: 'MESOS_ALLOCATION_ROLE', type: 'VALUE', value: role });
  return { ...command, environment: { variables: [...(command.environment?.variables ?? []), ...added] } };
}

/**
 * One volume of a nested container, as the `volume/sandbox_path` isolator prepares it without bind
 * mounts (the `posix` launcher): the source directory is created and linked at `container_path`
 * in the task sandbox. Other kinds of volume need isolators a local agent does not have and are
 * left alone, as an agent without those isolators does.
 */
async function linkSandboxVolume(volume: Volume, executorSandbox: string, taskSandbox: string): Promise<void> {
  let sandboxPath: { type?: string; path: string } | undefined;
  if (volume.host_path !== undefined && !path.isAbsolute(volume.host_path)) sandboxPath = { type: 'SELF', path: volume.host_path };
  if (volume.source?.type === 'SANDBOX_PATH' && volume.source.sandbox_path !== undefined) {
    if (path.isAbsolute(volume.source.sandbox_path.path)) throw new Error(`Path '${volume.source.sandbox_path.path}' in SANDBOX_PATH volume is absolute`);
    sandboxPath = volume.source.sandbox_path;
  }
  if (sandboxPath === undefined) return;
  if (path.isAbsolute(volume.container_path)) {
    throw new Error("The 'linux' launcher and 'filesystem/linux' isolator must be enabled to support SANDBOX_PATH volume with absolute container path");
  }
  if (sandboxPath.type === 'SELF') throw new Error("'container_path' is relative for SANDBOX_PATH volume SELF type");
  if (sandboxPath.type !== 'PARENT') throw new Error('Unknown SANDBOX_PATH volume type');
  const source = path.join(executorSandbox, sandboxPath.path);
  const target = path.join(taskSandbox, volume.container_path);
  if (!isInside(executorSandbox, source) || !isInside(taskSandbox, target)) {
    throw new Error(`SANDBOX_PATH volume '${sandboxPath.path}' -> '${volume.container_path}' leaves the sandbox`);
  }
  await mkdir(source, { recursive: true });
  await mkdir(path.dirname(target), { recursive: true });
  await symlink(source, target);
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

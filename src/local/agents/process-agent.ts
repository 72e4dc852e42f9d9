import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import type {
  Attribute,
  CommandInfo,
  ContainerInfo,
  ContainerStatus,
  DomainInfo,
  ExecutorInfo,
  KillPolicy,
  Resource,
  TaskGroupInfo,
  TaskInfo,
  TaskStatus,
} from '../../mesos/types.js';
import type { AgentDescription, AgentStatusSink, LocalAgent } from './agent.js';
import { fetchUris } from './fetcher.js';
import { createExecutorSandbox, executorSandboxPath } from './sandbox.js';
import { makeTaskStatus } from './status.js';
import { inheritedEnvironment, taskEnvironment } from './task-environment.js';
import { DefaultExecutors } from './task-group.js';
import { DEFAULT_KILL_GRACE_PERIOD_MS, TaskRunner } from './task-runner.js';
import { chownSandbox, lookupTaskUser, taskUserName, type TaskIdentity } from './task-user.js';

/** What the agent describes about itself (attributes may be left out), plus how it runs tasks. */
export interface ProcessAgentOptions extends Omit<AgentDescription, 'attributes'> {
  readonly attributes?: AgentDescription['attributes'];
  /** Root of the sandboxes (`--work_dir`). */
  readonly workDir: string;
  readonly sink: AgentStatusSink;
  readonly logger: Logger;
  /** Address reported in TaskStatus.container_status; default 127.0.0.1. */
  readonly ipAddress?: string;
  /** Variables every task inherits; default: PATH, HOME, LANG and a few more from Pacer's environment. */
  readonly baseEnvironment?: Readonly<Record<string, string>>;
  /** Exported to tasks as MESOS_AGENT_ENDPOINT when set (`host:port`). */
  readonly agentEndpoint?: string;
  /** Grace between SIGTERM and SIGKILL when no KillPolicy says otherwise; default 3 s as upstream. */
  readonly defaultKillGracePeriodMs?: number;
  /** Grace given to tasks by close(); default 1 s. */
  readonly closeGracePeriodMs?: number;
  /** Whether a framework declared TASK_KILLING_STATE; TASK_KILLING is sent only then. Default: never. */
  readonly supportsTaskKillingState?: (frameworkId: string) => boolean;
  /** `--switch_user`: as root, run tasks as CommandInfo.user or FrameworkInfo.user. Default true. */
  readonly switchUser?: boolean;
  /** FrameworkInfo.user of a framework, for tasks that name no user. */
  readonly frameworkUser?: (frameworkId: string) => string | undefined;
}

interface RunningTask {
  readonly frameworkId: string;
  readonly runner: TaskRunner;
}

const FINISHED_SANDBOXES_KEPT = 1000;

/**
 * A local agent whose tasks are real child processes on this machine. Command tasks get their own
 * sandbox (executor id = task id, as with upstream's command executor); LAUNCH_GROUP runs each task
 * of the group as a process under one executor sandbox and kills the rest of the group when one of
 * them fails or is killed, as upstream's default executor does. Containers with images cannot run
 * here and fail with a clear message.
 */
export class ProcessAgent implements LocalAgent {
  readonly id: string;
  readonly hostname: string;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly domain?: DomainInfo;

  private readonly tasks = new Map<string, RunningTask>();
  private readonly finishedSandboxes = new Map<string, string>();
  private readonly baseEnvironment: Readonly<Record<string, string>>;
  private readonly logger: Logger;
  private readonly groups: DefaultExecutors;
  private closing = false;

  constructor(private readonly options: ProcessAgentOptions) {
    this.id = options.id;
    this.hostname = options.hostname;
    this.resources = options.resources;
    this.attributes = options.attributes ?? [];
    if (options.domain !== undefined) this.domain = options.domain;
    this.baseEnvironment = options.baseEnvironment ?? inheritedEnvironment();
    this.logger = options.logger.child({ agentId: options.id });
    this.groups = new DefaultExecutors({
      agentId: options.id,
      workDir: options.workDir,
      ipAddress: options.ipAddress ?? '127.0.0.1',
      defaultKillGraceMs: options.defaultKillGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS,
      logger: this.logger,
      isClosing: () => this.closing,
      admit: (frameworkId, taskId) => this.admit(frameworkId, taskId),
      refusal: (executor, task) =>
        unsupportedContainer(executor.container) ?? (task.command === undefined ? 'a task of the group has no command' : unsupportedContainer(task.container)),
      failLaunch: (frameworkId, taskId, executorId, why) => this.failLaunch(frameworkId, taskId, executorId, why),
      emit: (frameworkId, status) => this.options.sink.statusUpdate(frameworkId, status),
      runner: (frameworkId, task, placement) => this.runner(frameworkId, task, placement),
      track: (frameworkId, runner) => this.track(frameworkId, runner),
    });
  }

  launchTask(frameworkId: string, task: TaskInfo, executor?: ExecutorInfo): void {
    const taskId = task.task_id.value;
    if (!this.admit(frameworkId, taskId)) return;
    const customExecutor = executor ?? task.executor;
    const refusal =
      customExecutor !== undefined
        ? 'custom executors are not supported by pacer mesos-local agents; use a command task or LAUNCH_GROUP'
        : task.command === undefined
          ? 'the task has neither a command nor an executor'
          : unsupportedContainer(task.container);
    if (refusal !== undefined) {
      this.failLaunch(frameworkId, taskId, customExecutor?.executor_id.value ?? taskId, refusal);
      return;
    }
    const containerId = randomUUID();
    const ref = { workDir: this.options.workDir, agentId: this.id, frameworkId, executorId: taskId, containerId };
    let sandbox: string;
    try {
      sandbox = executorSandboxPath(ref);
    } catch (error) {
      this.failLaunch(frameworkId, taskId, taskId, (error as Error).message);
      return;
    }
    const command = task.command!;
    const runner = this.runner(frameworkId, task, {
      executorId: taskId,
      executorSandbox: sandbox,
      taskSandbox: sandbox,
      containerStatus: this.containerStatus(containerId),
      launchFailureSource: 'SOURCE_AGENT',
      prepare: async () => {
        await createExecutorSandbox(ref);
        await fetchUris(command.uris ?? [], sandbox);
      },
    });
    this.track(frameworkId, runner);
  }

  launchGroup(frameworkId: string, executor: ExecutorInfo, group: TaskGroupInfo): void {
    this.groups.launch(frameworkId, executor, group);
  }

  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    const entry = this.tasks.get(taskKey(frameworkId, taskId));
    if (entry === undefined) {
      this.logger.warn({ frameworkId, taskId }, 'kill for a task this agent does not run');
      this.options.sink.statusUpdate(
        frameworkId,
        makeTaskStatus({ agentId: this.id, executorId: taskId }, taskId, 'TASK_LOST', {
          source: 'SOURCE_AGENT',
          reason: 'REASON_EXECUTOR_TERMINATED',
          message: 'Cannot find executor',
        }),
      );
      return;
    }
    entry.runner.kill(killPolicy);
  }

  sandboxOf(taskId: string): string | undefined {
    for (const entry of this.tasks.values()) {
      if (entry.runner.taskId === taskId) return entry.runner.sandbox;
    }
    return this.finishedSandboxes.get(taskId);
  }

  /** The process of a running task (upstream's launcher status `executor_pid`), for operators and tests. */
  pidOf(taskId: string): number | undefined {
    for (const entry of this.tasks.values()) {
      if (entry.runner.taskId === taskId) return entry.runner.pid;
    }
    return undefined;
  }

  /** Number of tasks that have not reached a terminal state. */
  get activeTaskCount(): number {
    return this.tasks.size;
  }

  /** Sandboxes of tasks that have not ended: never garbage collected. */
  get runningSandboxes(): string[] {
    return [...this.tasks.values()].map((entry) => entry.runner.sandbox);
  }

  async close(): Promise<void> {
    this.closing = true;
    const graceMs = this.options.closeGracePeriodMs ?? 1000;
    const running = [...this.tasks.values()];
    for (const { runner } of running) runner.kill({ grace_period: { nanoseconds: graceMs * 1e6 } });
    await Promise.all(running.map(({ runner }) => runner.finished));
  }

  private admit(frameworkId: string, taskId: string): boolean {
    if (this.closing) {
      this.logger.warn({ frameworkId, taskId }, 'launch on a closed agent ignored');
      return false;
    }
    if (this.tasks.has(taskKey(frameworkId, taskId))) {
      this.logger.error({ frameworkId, taskId }, 'launch of a task id that is already running here ignored');
      return false;
    }
    return true;
  }

  private runner(
    frameworkId: string,
    task: TaskInfo,
    where: {
      executorId: string;
      executorSandbox: string;
      taskSandbox: string;
      containerStatus: ContainerStatus;
      launchFailureSource: 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
      prepare: () => Promise<void>;
      /** The command as run, when it differs from the task's (tasks of a group). */
      command?: CommandInfo;
      /** Adjusts each status before it is sent; undefined drops it. */
      decorate?: (status: TaskStatus) => TaskStatus | undefined;
    },
  ): TaskRunner {
    const taskId = task.task_id.value;
    const command = where.command ?? task.command!;
    const decorate = where.decorate ?? ((status: TaskStatus): TaskStatus | undefined => status);
    const userName = taskUserName({
      switchUser: this.options.switchUser ?? true,
      agentIsRoot: process.getuid?.() === 0,
      commandUser: command.user,
      frameworkUser: this.options.frameworkUser?.(frameworkId),
    });
    let identity: TaskIdentity | undefined;
    return new TaskRunner({
      identity: () => identity,
      task,
      command,
      sandbox: where.taskSandbox,
      env: taskEnvironment({
        base: this.baseEnvironment,
        frameworkId,
        executorId: where.executorId,
        agentId: this.id,
        taskId,
        executorSandbox: where.executorSandbox,
        taskSandbox: where.taskSandbox,
        ...(this.options.agentEndpoint === undefined ? {} : { agentEndpoint: this.options.agentEndpoint }),
        ...(task.resources === undefined ? {} : { resources: task.resources }),
        command,
      }),
      origin: { agentId: this.id, executorId: where.executorId, containerStatus: where.containerStatus },
      launchFailureSource: where.launchFailureSource,
      prepare: async () => {
        // Unknown user: the launch fails before a sandbox or a process exists.
        if (userName !== undefined) identity = await lookupTaskUser(userName);
        await where.prepare();
        if (identity !== undefined) {
          await chownSandbox(where.taskSandbox, identity);
          if (where.executorSandbox !== where.taskSandbox) await chownSandbox(where.executorSandbox, identity);
        }
      },
      emit: (status) => {
        const sent = decorate(status);
        if (sent !== undefined) this.options.sink.statusUpdate(frameworkId, sent);
      },
      killingStateSupported: () => this.options.supportsTaskKillingState?.(frameworkId) ?? false,
      defaultKillGraceMs: this.options.defaultKillGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS,
      logger: this.logger.child({ frameworkId, taskId }),
    });
  }

  private track(frameworkId: string, runner: TaskRunner): void {
    const key = taskKey(frameworkId, runner.taskId);
    this.tasks.set(key, { frameworkId, runner });
    void runner.finished.then(() => {
      this.tasks.delete(key);
      this.finishedSandboxes.delete(runner.taskId);
      this.finishedSandboxes.set(runner.taskId, runner.sandbox);
      if (this.finishedSandboxes.size > FINISHED_SANDBOXES_KEPT) {
        const oldest = this.finishedSandboxes.keys().next().value;
        if (oldest !== undefined) this.finishedSandboxes.delete(oldest);
      }
    });
    runner.start();
  }

  private failLaunch(frameworkId: string, taskId: string, executorId: string, why: string): void {
    this.logger.warn({ frameworkId, taskId, why }, 'task cannot be launched here');
    this.options.sink.statusUpdate(
      frameworkId,
      makeTaskStatus({ agentId: this.id, executorId }, taskId, 'TASK_FAILED', {
        source: 'SOURCE_AGENT',
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: `Failed to launch container: ${why}`,
      }),
    );
  }

  private containerStatus(containerId: string, parentId?: string): ContainerStatus {
    return {
      container_id: parentId === undefined ? { value: containerId } : { value: containerId, parent: { value: parentId } },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.options.ipAddress ?? '127.0.0.1' }] }],
    };
  }
}

function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}

/** Why a container cannot run here, or undefined for plain processes (no container, or MESOS without an image). */
export function unsupportedContainer(container: ContainerInfo | undefined): string | undefined {
  if (container === undefined) return undefined;
  if (container.type === 'DOCKER') {
    const image = container.docker?.image;
    return (
      `DOCKER containers${image ? ` (image '${image}')` : ''} are not supported by pacer mesos-local agents, ` +
      'which have no container engine; run the task as a plain command or on a real Mesos cluster'
    );
  }
  if (container.mesos?.image !== undefined) {
    const image = container.mesos.image;
    const name = image.docker?.name ?? image.appc?.name;
    return (
      `container images${name ? ` ('${name}')` : ''} are not supported by pacer mesos-local agents, ` +
      'which have no container engine; run the task as a plain command or on a real Mesos cluster'
    );
  }
  return undefined;
}

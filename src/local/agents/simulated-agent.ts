import type { Logger } from 'pino';

import type { Attribute, DomainInfo, ExecutorInfo, KillPolicy, Resource, TaskGroupInfo, TaskInfo, TaskState } from '../../mesos/types.js';
import type { AgentDescription, AgentStatusSink, LocalAgent } from './agent.js';
import { HEALTH_CHECK_DEFAULTS, healthCheckProblem } from './health-checker.js';
import { deriveSeed, seededRandom } from './prng.js';
import { makeTaskStatus, type StatusDetails } from './status.js';
import { DEFAULT_KILL_GRACE_PERIOD_MS } from './task-runner.js';
import { sharedTimerQueue, type TimerHandle, type TimerQueue } from './timer-queue.js';

/** What the agent describes about itself (attributes may be left out), plus how it runs tasks. */
export interface SimulatedAgentOptions extends Omit<AgentDescription, 'attributes'> {
  readonly attributes?: AgentDescription['attributes'];
  readonly sink: AgentStatusSink;
  readonly logger?: Logger;
  /** Time from TASK_STARTING to TASK_RUNNING; default 0. */
  readonly startDelayMs?: number;
  /** When set, tasks finish (exit 0) this long after TASK_RUNNING; otherwise they run until killed. */
  readonly runForMs?: number;
  /** Share of launches that fail (exit 1) instead of reaching TASK_RUNNING, 0..1; default 0. */
  readonly failureRate?: number;
  /** Seed of the failure draws; the same seed and launch order give the same failures. Default 1. */
  readonly seed?: number;
  /** Take the KillPolicy grace period (or the default) before TASK_KILLED; default: kill at once. */
  readonly killAfterGracePeriod?: boolean;
  readonly defaultKillGracePeriodMs?: number;
  /** When tasks with a health check report healthy; default: the check's delay_seconds (15 s). */
  readonly healthCheckDelayMs?: number;
  readonly supportsTaskKillingState?: (frameworkId: string) => boolean;
  /** Timers are shared by all simulated agents unless a queue is given. */
  readonly timers?: TimerQueue;
}

interface SimulatedTask {
  readonly frameworkId: string;
  /** What it needs of its TaskInfo (the rest is the master's to keep, or not). */
  readonly taskId: string;
  readonly killPolicy: TaskInfo['kill_policy'];
  readonly healthCheck: TaskInfo['health_check'];
  readonly executorId: string;
  state: TaskState;
  timer: TimerHandle | undefined;
  killing: boolean;
  /** The other tasks of its task group, when launched by LAUNCH_GROUP. */
  group?: SimulatedGroup;
}

/** A task group: when one of its tasks fails or is killed the rest are killed, as the default executor does. */
interface SimulatedGroup {
  readonly taskIds: readonly string[];
  killing: boolean;
}

/**
 * A LocalAgent without processes, for scale tests: tasks walk STARTING -> RUNNING (or FAILED, by a
 * seeded draw) -> FINISHED / KILLED on a shared timer queue. An idle agent holds no timers, so a
 * thousand of them cost a few objects each.
 */
export class SimulatedAgent implements LocalAgent {
  readonly id: string;
  readonly hostname: string;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly domain?: DomainInfo;

  /** Tasks by framework id, then task id (no composed key string per task). */
  private readonly tasks = new Map<string, Map<string, SimulatedTask>>();
  private readonly random: () => number;
  private readonly timers: TimerQueue;
  private closed = false;

  constructor(private readonly options: SimulatedAgentOptions) {
    this.id = options.id;
    this.hostname = options.hostname;
    this.resources = options.resources;
    this.attributes = options.attributes ?? [];
    if (options.domain !== undefined) this.domain = options.domain;
    const failureRate = options.failureRate ?? 0;
    if (!(failureRate >= 0 && failureRate <= 1)) throw new RangeError(`failureRate must be within 0..1, got ${failureRate}`);
    this.random = seededRandom(deriveSeed(options.seed ?? 1, options.id));
    this.timers = options.timers ?? sharedTimerQueue;
  }

  /** Number of tasks that have not reached a terminal state. */
  get activeTaskCount(): number {
    let n = 0;
    for (const tasks of this.tasks.values()) n += tasks.size;
    return n;
  }

  launchTask(frameworkId: string, task: TaskInfo, executor?: ExecutorInfo): void {
    this.launch(frameworkId, task, executor?.executor_id.value ?? task.executor?.executor_id.value ?? task.task_id.value);
  }

  launchGroup(frameworkId: string, executor: ExecutorInfo, group: TaskGroupInfo): void {
    const tasks = group.tasks ?? [];
    const members: SimulatedGroup = { taskIds: tasks.map((t) => t.task_id.value), killing: false };
    for (const task of tasks) this.launch(frameworkId, task, executor.executor_id.value, members);
  }

  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    const entry = this.tasks.get(frameworkId)?.get(taskId);
    if (entry === undefined) {
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
    if (entry.killing) return;
    entry.killing = true;
    entry.timer?.cancel();
    if (entry.state === 'TASK_RUNNING' && (this.options.supportsTaskKillingState?.(frameworkId) ?? false)) {
      this.emit(entry, 'TASK_KILLING');
    }
    const nanoseconds = killPolicy?.grace_period?.nanoseconds ?? entry.killPolicy?.grace_period?.nanoseconds;
    const graceMs = this.options.killAfterGracePeriod
      ? nanoseconds === undefined
        ? (this.options.defaultKillGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS)
        : nanoseconds / 1e6
      : 0;
    entry.timer = this.timers.schedule(graceMs, () => this.finish(entry, 'TASK_KILLED', { message: 'Command terminated with signal Terminated' }));
  }

  sandboxOf(): string | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of [...this.tasks.values()].flatMap((tasks) => [...tasks.values()])) {
      entry.timer?.cancel();
      this.finish(entry, 'TASK_KILLED', { message: 'Command terminated with signal Killed' });
    }
  }

  private launch(frameworkId: string, task: TaskInfo, executorId: string, group?: SimulatedGroup): void {
    let tasks = this.tasks.get(frameworkId);
    if (this.closed || tasks?.has(task.task_id.value) === true) {
      this.options.logger?.warn({ agentId: this.id, frameworkId, taskId: task.task_id.value }, 'launch ignored');
      return;
    }
    const entry: SimulatedTask = {
      frameworkId,
      taskId: task.task_id.value,
      killPolicy: task.kill_policy,
      healthCheck: task.health_check,
      executorId,
      state: 'TASK_STAGING',
      timer: undefined,
      killing: false,
      group,
    };
    if (tasks === undefined) {
      tasks = new Map();
      this.tasks.set(frameworkId, tasks);
    }
    tasks.set(entry.taskId, entry);
    const fails = this.random() < (this.options.failureRate ?? 0);
    entry.timer = this.timers.schedule(0, () => {
      this.emit(entry, 'TASK_STARTING');
      entry.timer = this.timers.schedule(this.options.startDelayMs ?? 0, () =>
        fails ? this.finish(entry, 'TASK_FAILED', { message: 'Command exited with status 1' }) : this.running(entry),
      );
    });
  }

  private running(entry: SimulatedTask): void {
    this.emit(entry, 'TASK_RUNNING');
    const check = entry.healthCheck;
    const healthAfterMs =
      check !== undefined && healthCheckProblem(check) === undefined
        ? (this.options.healthCheckDelayMs ?? (check.delay_seconds ?? HEALTH_CHECK_DEFAULTS.delaySeconds) * 1000)
        : undefined;
    const runForMs = this.options.runForMs;
    if (healthAfterMs !== undefined && (runForMs === undefined || healthAfterMs < runForMs)) {
      entry.timer = this.timers.schedule(healthAfterMs, () => {
        this.emit(entry, 'TASK_RUNNING', { reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: true });
        this.scheduleFinish(entry, runForMs === undefined ? undefined : runForMs - healthAfterMs);
      });
      return;
    }
    this.scheduleFinish(entry, runForMs);
  }

  private scheduleFinish(entry: SimulatedTask, afterMs: number | undefined): void {
    entry.timer =
      afterMs === undefined ? undefined : this.timers.schedule(afterMs, () => this.finish(entry, 'TASK_FINISHED', { message: 'Command exited with status 0' }));
  }

  private finish(entry: SimulatedTask, state: TaskState, details: StatusDetails): void {
    const tasks = this.tasks.get(entry.frameworkId);
    if (tasks === undefined || !tasks.delete(entry.taskId)) return;
    if (tasks.size === 0) this.tasks.delete(entry.frameworkId);
    entry.timer = undefined;
    this.emit(entry, state, details);
    const group = entry.group;
    if (group === undefined || group.killing || this.closed || (state !== 'TASK_FAILED' && state !== 'TASK_KILLED')) return;
    group.killing = true;
    // Upstream kills the siblings with the default grace period, not their own KillPolicy.
    const grace = { grace_period: { nanoseconds: (this.options.defaultKillGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS) * 1e6 } };
    for (const taskId of group.taskIds) {
      if (this.tasks.get(entry.frameworkId)?.has(taskId) === true) this.killTask(entry.frameworkId, taskId, grace);
    }
  }

  private emit(entry: SimulatedTask, state: TaskState, details: StatusDetails = {}): void {
    entry.state = state;
    const status = makeTaskStatus({ agentId: this.id, executorId: entry.executorId }, entry.taskId, state, details);
    this.options.sink.statusUpdate(entry.frameworkId, status);
  }
}

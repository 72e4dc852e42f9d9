import { join } from 'node:path';

import type { Logger } from 'pino';

import type { CommandInfo, KillPolicy, TaskInfo, TaskState, TaskStatus, TaskStatusSource } from '../../mesos/types.js';
import { describeExit, exitedSuccessfully, type ProcessExit } from './exit-status.js';
import { HealthChecker, healthCheckProblem, type HealthUpdate } from './health-checker.js';
import { makeTaskStatus, type StatusDetails, type StatusOrigin } from './status.js';
import { TaskProcess } from './task-process.js';

/** Upstream's command and default executors wait 3 s between SIGTERM and SIGKILL by default. */
export const DEFAULT_KILL_GRACE_PERIOD_MS = 3000;

export interface TaskRunnerOptions {
  readonly task: TaskInfo;
  readonly command: CommandInfo;
  /** The task's sandbox directory; `prepare` must create it. */
  readonly sandbox: string;
  readonly env: Readonly<Record<string, string>>;
  readonly origin: StatusOrigin;
  /** Who reports failures of the launch itself: the agent for command tasks, the executor in groups. */
  readonly launchFailureSource: TaskStatusSource;
  /** Creates the sandbox and fetches URIs; a rejection fails the launch. */
  readonly prepare: () => Promise<void>;
  /** The user the process runs as, known once prepare() resolved; the agent's own when undefined. */
  readonly identity?: () => { uid: number; gid: number } | undefined;
  readonly emit: (status: TaskStatus) => void;
  readonly killingStateSupported: () => boolean;
  readonly defaultKillGraceMs: number;
  readonly logger: Logger;
}

type Phase = 'launching' | 'running' | 'terminated';

/**
 * Runs one task the way upstream's command executor does (src/launcher/executor.cpp): STARTING,
 * then the process, RUNNING once it exists, health updates while it runs, and a terminal state
 * from how it ended: FINISHED on exit 0, FAILED otherwise, KILLED when we killed it, FAILED with
 * REASON_MAX_COMPLETION_TIME_REACHED when it ran out of time. Messages: "Command exited with
 * status 1", "Command terminated with signal Terminated".
 */
export class TaskRunner {
  readonly finished: Promise<TaskState>;
  private resolveFinished!: (state: TaskState) => void;
  private phase: Phase = 'launching';
  private process: TaskProcess | undefined;
  private healthChecker: HealthChecker | undefined;
  private lastStatus: TaskStatus | undefined;
  private killRequested: number | undefined;
  private runningReported = false;
  private killed = false;
  private killedByHealthCheck = false;
  private killedByCompletionTimer = false;
  private completionTimer: NodeJS.Timeout | undefined;
  private spawnedPid: number | undefined;

  constructor(private readonly options: TaskRunnerOptions) {
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get taskId(): string {
    return this.options.task.task_id.value;
  }

  get sandbox(): string {
    return this.options.sandbox;
  }

  /** The task's process, once spawned (what upstream's launcher reports as `executor_pid`). */
  get pid(): number | undefined {
    return this.spawnedPid;
  }

  get isTerminated(): boolean {
    return this.phase === 'terminated';
  }

  start(): void {
    this.options.prepare().then(
      () => this.launch(),
      (error: unknown) =>
        this.terminate('TASK_FAILED', {
          source: this.options.launchFailureSource,
          reason: 'REASON_CONTAINER_LAUNCH_FAILED',
          message: `Failed to launch container: ${error instanceof Error ? error.message : String(error)}`,
        }),
    );
  }

  /** Kills the task; the KillPolicy given here wins over the task's own, as upstream decides. */
  kill(override?: KillPolicy): void {
    const graceMs = this.graceMsFor(override);
    if (this.phase === 'terminated') return;
    if (!this.runningReported) {
      this.killRequested = Math.min(graceMs, this.killRequested ?? graceMs);
      return;
    }
    this.beginKill(graceMs);
  }

  private launch(): void {
    if (this.killRequested !== undefined) {
      this.terminate('TASK_KILLED', {
        source: 'SOURCE_AGENT',
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
        message: 'Killed before delivery to the executor',
      });
      return;
    }
    const { task, command, sandbox, env, logger } = this.options;
    this.send(makeTaskStatus(this.options.origin, this.taskId, 'TASK_STARTING'));
    this.phase = 'running';
    try {
      this.process = TaskProcess.start(
        { command, cwd: sandbox, env, stdoutPath: join(sandbox, 'stdout'), stderrPath: join(sandbox, 'stderr'), identity: this.options.identity?.() },
        {
          onSpawn: (pid) => this.running(pid),
          onSpawnError: (error) => this.terminate('TASK_FAILED', { message: `Failed to launch the command: ${error.message}` }),
          onExit: (exit) => this.exited(exit),
        },
      );
    } catch (error) {
      this.terminate('TASK_FAILED', { message: `Failed to launch the command: ${(error as Error).message}` });
      return;
    }
    const maxCompletionNs = task.max_completion_time?.nanoseconds ?? 0;
    if (maxCompletionNs > 0) {
      this.completionTimer = setTimeout(() => {
        logger.info({ taskId: this.taskId }, 'task exceeded its max_completion_time; killing it');
        this.killedByCompletionTimer = true;
        this.beginKill(0);
      }, maxCompletionNs / 1e6);
    }
  }

  private running(pid: number): void {
    if (this.phase !== 'running') return;
    this.spawnedPid = pid;
    // Upstream's agent merges only the containerizer's status (container id, network) into
    // updates; the launcher's executor_pid is not in them.
    this.send(makeTaskStatus(this.options.origin, this.taskId, 'TASK_RUNNING'));
    this.runningReported = true;
    this.startHealthChecks();
    if (this.killRequested !== undefined) this.beginKill(this.killRequested);
  }

  private startHealthChecks(): void {
    const { task, sandbox, env, logger } = this.options;
    if (task.health_check === undefined) return;
    const problem = healthCheckProblem(task.health_check);
    if (problem !== undefined) {
      // Upstream's executor logs and runs the task without the check; the master validates first.
      logger.error({ taskId: this.taskId, problem }, 'invalid health check; task runs unchecked');
      return;
    }
    this.healthChecker = new HealthChecker({
      check: task.health_check,
      cwd: sandbox,
      env,
      logger: logger.child({ taskId: this.taskId }),
      onUpdate: (update) => this.healthUpdated(update),
    });
  }

  private healthUpdated(update: HealthUpdate): void {
    if (this.killed || this.phase !== 'running' || this.lastStatus === undefined) return;
    const status: TaskStatus = {
      ...this.lastStatus,
      timestamp: Date.now() / 1000,
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      healthy: update.healthy,
    };
    this.send(status);
    if (update.killTask) {
      this.killedByHealthCheck = true;
      this.beginKill(this.graceMsFor(undefined));
    }
  }

  private beginKill(graceMs: number): void {
    const process = this.process;
    if (process === undefined || this.phase !== 'running') return;
    if (!this.killed) {
      this.killed = true;
      this.healthChecker?.pause();
      if (this.completionTimer !== undefined) clearTimeout(this.completionTimer);
      if (!this.killedByCompletionTimer && this.options.killingStateSupported() && this.lastStatus !== undefined) {
        this.send(makeTaskStatus(this.options.origin, this.taskId, 'TASK_KILLING'));
      }
      this.options.logger.info({ taskId: this.taskId, graceMs }, 'sending SIGTERM to the task process group');
    }
    process.terminate(graceMs);
  }

  private exited(exit: ProcessExit): void {
    let state: TaskState;
    const details: { reason?: StatusDetails['reason']; healthy?: boolean } = {};
    if (this.killedByCompletionTimer) {
      state = 'TASK_FAILED';
      details.reason = 'REASON_MAX_COMPLETION_TIME_REACHED';
    } else if (this.killed) {
      state = 'TASK_KILLED';
    } else {
      state = exitedSuccessfully(exit) ? 'TASK_FINISHED' : 'TASK_FAILED';
    }
    if (this.killed && this.killedByHealthCheck) details.healthy = false;
    this.terminate(state, { ...details, message: `Command ${describeExit(exit)}` });
  }

  private terminate(state: TaskState, details: StatusDetails): void {
    if (this.phase === 'terminated') return;
    this.phase = 'terminated';
    this.healthChecker?.pause();
    if (this.completionTimer !== undefined) clearTimeout(this.completionTimer);
    this.send(makeTaskStatus(this.options.origin, this.taskId, state, details));
    this.resolveFinished(state);
  }

  private send(status: TaskStatus): void {
    this.lastStatus = status;
    this.options.emit(status);
  }

  private graceMsFor(override: KillPolicy | undefined): number {
    const nanoseconds = override?.grace_period?.nanoseconds ?? this.options.task.kill_policy?.grace_period?.nanoseconds;
    return nanoseconds === undefined ? this.options.defaultKillGraceMs : Math.max(0, nanoseconds / 1e6);
  }
}

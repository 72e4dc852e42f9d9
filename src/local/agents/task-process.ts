import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fchownSync, openSync } from 'node:fs';

import type { CommandInfo } from '../../mesos/types.js';
import { processExitFrom, type ProcessExit } from './exit-status.js';

export interface TaskProcessSpec {
  readonly command: CommandInfo;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Run as this user (the agent must be root); the agent's own user otherwise. */
  readonly identity?: { readonly uid: number; readonly gid: number } | undefined;
}

export interface TaskProcessEvents {
  onSpawn(pid: number): void;
  onSpawnError(error: Error): void;
  onExit(exit: ProcessExit): void;
}

export class CommandSpecError extends Error {
  readonly code = 'PACER_INVALID_COMMAND';
}

/**
 * One task's process, the leader of its own process group (spawned detached, i.e. setsid), so
 * that signals reach everything the command started, as upstream's killtree does. When the leader
 * exits, whatever it left behind in the group is SIGKILLed: upstream destroys the container then.
 */
export class TaskProcess {
  private exited = false;
  private killStartedAt: number | undefined;
  private killDeadline: number | undefined;
  private escalationTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly child: ChildProcess) {}

  static start(spec: TaskProcessSpec, events: TaskProcessEvents): TaskProcess {
    const { file, args, argv0 } = commandLine(spec.command);
    const stdout = openSync(spec.stdoutPath, 'a');
    const stderr = openSync(spec.stderrPath, 'a');
    if (spec.identity) {
      // The task's own logs belong to it, as the rest of its sandbox does.
      fchownSync(stdout, spec.identity.uid, spec.identity.gid);
      fchownSync(stderr, spec.identity.uid, spec.identity.gid);
    }
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: ['ignore', stdout, stderr],
        detached: true,
        ...(spec.identity ? { uid: spec.identity.uid, gid: spec.identity.gid } : {}),
        ...(argv0 === undefined ? {} : { argv0 }),
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    const task = new TaskProcess(child);
    let settled = false;
    child.once('spawn', () => {
      if (child.pid !== undefined) events.onSpawn(child.pid);
    });
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      task.exited = true;
      task.clearEscalation();
      events.onSpawnError(error);
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      task.exited = true;
      task.clearEscalation();
      task.signalGroup('SIGKILL');
      events.onExit(processExitFrom(code, signal));
    });
    return task;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /**
   * SIGTERM to the group now, SIGKILL once `graceMs` has passed. A repeated kill may only shorten
   * the total grace period, never extend it (upstream's rule: scheduler retries are no-ops).
   */
  terminate(graceMs: number): void {
    if (this.exited) return;
    const now = Date.now();
    if (this.killStartedAt === undefined) {
      this.killStartedAt = now;
      this.signalGroup('SIGTERM');
      this.scheduleEscalation(now + Math.max(0, graceMs));
      return;
    }
    const deadline = this.killStartedAt + Math.max(0, graceMs);
    if (this.killDeadline !== undefined && deadline >= this.killDeadline) return;
    this.scheduleEscalation(deadline);
  }

  /** Immediate SIGKILL to the whole group. */
  forceKill(): void {
    if (this.exited) return;
    this.clearEscalation();
    this.signalGroup('SIGKILL');
  }

  private scheduleEscalation(deadline: number): void {
    this.clearEscalation();
    this.killDeadline = deadline;
    this.escalationTimer = setTimeout(() => this.signalGroup('SIGKILL'), Math.max(0, deadline - Date.now()));
  }

  private clearEscalation(): void {
    if (this.escalationTimer !== undefined) clearTimeout(this.escalationTimer);
    this.escalationTimer = undefined;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone. Fall back to the leader in case the group id differs.
      try {
        if (!this.exited) this.child.kill(signal);
      } catch {
        /* already reaped */
      }
    }
  }
}

function commandLine(command: CommandInfo): { file: string; args: string[]; argv0?: string } {
  if (command.value === undefined || command.value.length === 0) {
    throw new CommandSpecError(command.shell === false ? 'Executable of the task is not specified' : 'Shell command of the task is not specified');
  }
  if (command.shell !== false) return { file: '/bin/sh', args: ['-c', command.value] };
  // execlp(value, arguments[0], arguments[1], ...): arguments[0] is argv[0].
  const [argv0, ...rest] = command.arguments ?? [];
  return argv0 === undefined ? { file: command.value, args: [] } : { file: command.value, args: rest, argv0 };
}

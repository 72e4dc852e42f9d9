/**
 * KILL calls with the app's kill policy, repeated every `retryIntervalMs` until the task's
 * terminal update arrives (or the instance is gone), at most `maxAttempts` times, as Marathon's
 * kill service does: a KILL is fire-and-forget in Mesos and may be lost with a master failover.
 *
 * As in Marathon's `KillAction`, an instance whose agent is unreachable gets no KILL: Mesos would
 * only repeat the unreachable state. It is expunged from state instead; should its task come
 * back, the update names a task Pacer does not know, and that one is killed.
 */
import type { Logger } from 'pino';
import type { KillPolicy } from '../../mesos/types.js';
import type { AppLookup, Instance, InstanceTracker } from '../contracts.js';
import { isTerminalCondition } from './conditions.js';
import type { DriverPort } from './driver-port.js';
import { liveTaskIdsOf } from './pod-instance.js';

export interface KillServiceOptions {
  driver: () => DriverPort | undefined;
  apps: AppLookup;
  instances: InstanceTracker;
  logger: Logger;
  retryIntervalMs?: number;
  maxAttempts?: number;
  /** Forgets an instance that cannot answer a KILL (Marathon's ExpungeFromState). */
  expunge?: (instance: Instance, reason: string) => Promise<void>;
}

/** Conditions whose task cannot answer a KILL with a terminal update (the others are terminal already). */
const WONT_RESPOND_TO_KILL: ReadonlySet<Instance['condition']> = new Set<Instance['condition']>(['Unreachable', 'UnreachableInactive']);

interface PendingKill {
  taskId: string;
  agentId: string | undefined;
  instanceId: string | undefined;
  killPolicy: KillPolicy | undefined;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
}

export class KillService {
  readonly #opts: KillServiceOptions;
  readonly #retryIntervalMs: number;
  readonly #maxAttempts: number;
  readonly #pending = new Map<string, PendingKill>();
  /** Task ids of #pending by instance id. */
  readonly #byInstance = new Map<string, Set<string>>();
  readonly #unsubscribe: () => void;

  constructor(opts: KillServiceOptions) {
    this.#opts = opts;
    this.#retryIntervalMs = opts.retryIntervalMs ?? 10_000;
    this.#maxAttempts = opts.maxAttempts ?? 5;
    // Called for every instance change, so it looks up only the kills of that instance.
    this.#unsubscribe = opts.instances.onChange(({ instance, expunged }) => {
      const taskIds = this.#byInstance.get(instance.instanceId);
      if (taskIds === undefined) return;
      for (const taskId of [...taskIds]) {
        if (expunged || isTerminalCondition(instance.condition) || !liveTaskIdsOf(instance).includes(taskId)) this.#done(taskId);
      }
    });
  }

  /** Kills the instance's current task with its app's kill policy. */
  kill(instance: Instance, reason: string): void {
    if (instance.taskId === undefined || isTerminalCondition(instance.condition)) return;
    const expunge = this.#opts.expunge;
    if (expunge !== undefined && WONT_RESPOND_TO_KILL.has(instance.condition)) {
      this.#opts.logger.warn(
        { taskId: instance.taskId, instanceId: instance.instanceId, appId: instance.appId, agentId: instance.agentId, condition: instance.condition, reason },
        'expunging instance instead of killing it: its agent is unreachable',
      );
      expunge(instance, reason).catch((err: unknown) =>
        this.#opts.logger.error({ err, instanceId: instance.instanceId }, 'cannot expunge unreachable instance'),
      );
      return;
    }
    const grace = this.#opts.apps.app(instance.appId)?.taskKillGracePeriodSeconds;
    const killPolicy: KillPolicy | undefined = grace !== undefined ? { grace_period: { nanoseconds: Math.round(grace * 1e9) } } : undefined;
    // A pod instance is killed as a whole: every container task still alive (their TaskInfos
    // carry the containers' own kill policies).
    for (const taskId of liveTaskIdsOf(instance)) this.#start({ taskId, agentId: instance.agentId, instanceId: instance.instanceId, killPolicy }, reason);
  }

  /** Kills a task Pacer does not track (found by reconciliation or a stray update). */
  killUnknown(taskId: string, agentId: string | undefined, reason: string): void {
    this.#start({ taskId, agentId, instanceId: undefined, killPolicy: undefined }, reason);
  }

  /**
   * A subscription (re)started: send every pending KILL now instead of at its next retry. A KILL
   * asked for while no subscription was up was never sent, and one sent to a master that has
   * since failed over may be lost; either would otherwise wait a whole retry interval.
   */
  subscribed(): void {
    for (const pending of [...this.#pending.values()]) {
      clearTimeout(pending.timer);
      this.#attempt(pending);
    }
  }

  /** A terminal update arrived for the task: stop retrying. */
  terminated(taskId: string): void {
    this.#done(taskId);
  }

  isKilling(taskId: string): boolean {
    return this.#pending.has(taskId);
  }

  close(): void {
    this.#unsubscribe();
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#byInstance.clear();
  }

  #start(target: Omit<PendingKill, 'attempts' | 'timer'>, reason: string): void {
    if (this.#pending.has(target.taskId)) return;
    const pending: PendingKill = { ...target, attempts: 0, timer: undefined };
    this.#pending.set(target.taskId, pending);
    if (target.instanceId !== undefined) {
      const taskIds = this.#byInstance.get(target.instanceId);
      if (taskIds) taskIds.add(target.taskId);
      else this.#byInstance.set(target.instanceId, new Set([target.taskId]));
    }
    this.#opts.logger.info({ taskId: target.taskId, agentId: target.agentId, instanceId: target.instanceId, reason }, 'killing task');
    this.#attempt(pending);
  }

  #attempt(pending: PendingKill): void {
    if (this.#pending.get(pending.taskId) !== pending) return;
    const driver = this.#opts.driver();
    if (driver === undefined || driver.state !== 'subscribed') {
      // Nothing was sent, so nothing counts against the attempts; subscribed() sends it.
      pending.timer = undefined;
      return;
    }
    pending.attempts++;
    driver
      .kill({ value: pending.taskId }, pending.agentId !== undefined ? { value: pending.agentId } : undefined, pending.killPolicy)
      .catch((err: unknown) => this.#opts.logger.warn({ err, taskId: pending.taskId, agentId: pending.agentId }, 'KILL call failed; will retry'));
    if (pending.attempts >= this.#maxAttempts) {
      this.#opts.logger.warn(
        { taskId: pending.taskId, attempts: pending.attempts },
        'task still not terminal after the last KILL retry; leaving it to reconciliation',
      );
      this.#forget(pending);
      return;
    }
    pending.timer = setTimeout(() => this.#attempt(pending), this.#retryIntervalMs);
  }

  #done(taskId: string): void {
    const pending = this.#pending.get(taskId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#forget(pending);
  }

  #forget(pending: PendingKill): void {
    this.#pending.delete(pending.taskId);
    if (pending.instanceId === undefined) return;
    const taskIds = this.#byInstance.get(pending.instanceId);
    taskIds?.delete(pending.taskId);
    if (taskIds?.size === 0) this.#byInstance.delete(pending.instanceId);
  }
}

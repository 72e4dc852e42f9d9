/**
 * One task status update: map it to the instance's condition, persist, publish Marathon's
 * events, and only then ACKNOWLEDGE (when the update carries a uuid, copied verbatim).
 *
 * Terminal tasks are expunged; while the goal is Running a replacement is scheduled in the same
 * batch, subject to the app's backoff. Tasks Pacer does not know are killed if still alive.
 */
import type { Logger } from 'pino';
import type { TaskStatus } from '../../mesos/types.js';
import { timestamp, type AppLookup, type EventBus, type Instance, type IpAddress } from '../contracts.js';
import { conditionOf, hasLiveTask, isTerminalCondition } from './conditions.js';
import type { DriverPort } from './driver-port.js';
import { instanceChangedEvent, instanceHealthChangedEvent, statusUpdateEvent, unknownInstanceTerminatedEvent } from './events.js';
import type { MesosHealthView } from './health-view.js';
import { parseTaskId } from './ids.js';
import type { InstanceWrite, StoredInstanceTracker } from './instance-tracker.js';
import type { KillService } from './kill-service.js';
import { scheduledInstance } from './launch-queue.js';
import type { OfferDemand } from './offer-demand.js';
import type { RateLimiter } from './rate-limiter.js';

export interface StatusProcessorOptions {
  tracker: StoredInstanceTracker;
  apps: AppLookup;
  rateLimiter: RateLimiter;
  kills: KillService;
  health: MesosHealthView;
  events: EventBus;
  demand: OfferDemand;
  driver: () => DriverPort | undefined;
  clock: () => number;
  logger: Logger;
  /** Told about every update as it arrives (reconciliation tracks answers). */
  onUpdateSeen?: (taskId: string, at: number) => void;
}

export function ipAddressesOf(status: TaskStatus): IpAddress[] | undefined {
  const infos = status.container_status?.network_infos;
  if (!infos) return undefined;
  const ips: IpAddress[] = [];
  for (const info of infos) {
    for (const ip of info.ip_addresses ?? []) {
      if (ip.ip_address !== undefined) ips.push({ ipAddress: ip.ip_address, protocol: ip.protocol ?? 'IPv4' });
    }
  }
  return ips;
}

export class StatusProcessor {
  readonly #opts: StatusProcessorOptions;

  constructor(opts: StatusProcessorOptions) {
    this.#opts = opts;
  }

  async process(status: TaskStatus): Promise<void> {
    const now = this.#opts.clock();
    const taskId = status.task_id.value;
    this.#opts.onUpdateSeen?.(taskId, now);
    try {
      await this.#opts.tracker.exclusive(() => this.#apply(status, now));
    } catch (err) {
      // Not acknowledged: the agent resends it and we try again.
      this.#opts.logger.error({ err, taskId, state: status.state }, 'cannot persist task status; not acknowledging it');
      return;
    }
    await this.#acknowledge(status);
  }

  async #apply(status: TaskStatus, now: number): Promise<void> {
    const taskId = status.task_id.value;
    const parsed = parseTaskId(taskId);
    const instance = parsed ? this.#opts.tracker.get(parsed.instanceId) : undefined;
    if (!instance || instance.taskId !== taskId) {
      this.#unknownTask(status, parsed?.instanceId ?? taskId, parsed?.appId ?? '', now);
      return;
    }
    const { tracker, apps, rateLimiter, kills, events } = this.#opts;
    const reported = conditionOf(status.state, status.reason);
    // A second "unreachable" answer must not undo the decision to replace the instance.
    const condition = instance.condition === 'UnreachableInactive' && (reported === 'Unreachable' || reported === 'Unknown') ? instance.condition : reported;
    const app = apps.app(instance.appId);
    const updated = this.#updatedInstance(instance, status, condition, now);
    const delayWrites = app ? rateLimiter.onCondition(app, condition, status.reason, now) : [];

    const writes: InstanceWrite[] = [];
    if (isTerminalCondition(condition)) {
      kills.terminated(taskId);
      writes.push({ expunge: instance.instanceId });
      // An instance already replaced while unreachable gets no second replacement.
      const replace = instance.goal === 'Running' && instance.condition !== 'UnreachableInactive' && app !== undefined;
      if (replace) writes.push({ put: scheduledInstance(app, now) });
      await tracker.commit(writes, delayWrites);
      this.#opts.health.forget(instance.instanceId);
      if (replace) this.#opts.demand.refresh();
      this.#opts.logger.info(
        { taskId, instanceId: instance.instanceId, appId: instance.appId, agentId: updated.agentId, state: status.state, reason: status.reason, replaced: replace },
        'task terminal; instance expunged',
      );
    } else {
      if (materiallyChanged(instance, updated) || delayWrites.length > 0) await tracker.commit([{ put: updated }], delayWrites);
      if (instance.goal !== 'Running' && hasLiveTask(condition)) kills.kill(updated, `goal is ${instance.goal}`);
    }

    events.publish(statusUpdateEvent(updated, status, now));
    if (condition !== instance.condition) events.publish(instanceChangedEvent(updated, now));
    if (status.healthy !== undefined && !isTerminalCondition(condition)) {
      if (this.#opts.health.record(instance.instanceId, status.healthy, now)) {
        events.publish(instanceHealthChangedEvent(updated, status.healthy, now));
      }
    }
  }

  #updatedInstance(instance: Instance, status: TaskStatus, condition: Instance['condition'], now: number): Instance {
    const updated: Instance = {
      ...instance,
      condition,
      since: condition !== instance.condition ? now : instance.since,
      agentId: status.agent_id?.value ?? instance.agentId,
      ipAddresses: ipAddressesOf(status) ?? instance.ipAddresses,
      status: {
        state: status.state,
        ...(status.message !== undefined ? { message: status.message } : {}),
        ...(status.reason !== undefined ? { reason: status.reason } : {}),
        ...(status.healthy !== undefined ? { healthy: status.healthy } : instance.status?.healthy !== undefined ? { healthy: instance.status.healthy } : {}),
        timestamp: status.timestamp !== undefined ? Math.round(status.timestamp * 1000) : now,
      },
    };
    if (condition === 'Running' && updated.startedAt === undefined) updated.startedAt = timestamp(now);
    if (condition === 'Unreachable' || condition === 'UnreachableInactive' || condition === 'Unknown') {
      const since = status.unreachable_time ? Math.round(status.unreachable_time.nanoseconds / 1e6) : now;
      updated.unreachableSince = instance.unreachableSince ?? since;
    } else {
      delete updated.unreachableSince;
    }
    return updated;
  }

  #unknownTask(status: TaskStatus, instanceId: string, appId: string, now: number): void {
    const taskId = status.task_id.value;
    const condition = conditionOf(status.state, status.reason);
    if (isTerminalCondition(condition)) {
      this.#opts.kills.terminated(taskId);
      this.#opts.events.publish(unknownInstanceTerminatedEvent(instanceId, appId, condition, now));
      return;
    }
    this.#opts.kills.killUnknown(taskId, status.agent_id?.value, `unknown task reported ${status.state}`);
  }

  async #acknowledge(status: TaskStatus): Promise<void> {
    if (status.uuid === undefined) return;
    const driver = this.#opts.driver();
    if (!driver || !status.agent_id) {
      this.#opts.logger.warn({ taskId: status.task_id.value }, 'cannot acknowledge an update without agent id or driver');
      return;
    }
    try {
      await driver.acknowledge(status.agent_id, status.task_id, status.uuid);
    } catch (err) {
      this.#opts.logger.warn({ err, taskId: status.task_id.value, agentId: status.agent_id.value }, 'ACKNOWLEDGE failed; the agent will resend');
    }
  }
}

function materiallyChanged(before: Instance, after: Instance): boolean {
  return (
    before.condition !== after.condition ||
    before.agentId !== after.agentId ||
    before.startedAt !== after.startedAt ||
    before.unreachableSince !== after.unreachableSince ||
    before.status?.state !== after.status?.state ||
    before.status?.healthy !== after.status?.healthy ||
    JSON.stringify(before.ipAddresses) !== JSON.stringify(after.ipAddresses)
  );
}

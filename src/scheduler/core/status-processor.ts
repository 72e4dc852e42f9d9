/**
 * Task status updates, a batch at a time: each update is mapped to its instance's condition in
 * arrival order (a later update of the same task sees what the earlier one decided), the whole
 * batch is persisted in one commit, Marathon's events are published, and only then are the
 * updates ACKNOWLEDGEd (when they carry a uuid, copied verbatim). A batch whose commit fails is
 * neither acted on nor acknowledged: the agents resend every update of it.
 *
 * Terminal tasks are expunged; while the goal is Running a replacement is scheduled in the same
 * batch, subject to the app's backoff. Tasks Pacer does not know are killed if still alive.
 */
import type { Logger } from 'pino';
import type { TaskStatus } from '../../mesos/types.js';
import type { StoreWrite } from '../../state/store.js';
import { timestamp, type AppLookup, type EventBus, type Instance, type IpAddress, type PodTask } from '../contracts.js';
import { Acknowledger } from './acknowledger.js';
import { conditionOf, hasLiveTask, isTerminalCondition } from './conditions.js';
import type { DriverPort } from './driver-port.js';
import type { FailedPorts } from './failed-ports.js';
import { healthStatusChangedEvent, instanceChangedEvent, instanceHealthChangedEvent, statusUpdateEvent, unknownInstanceTerminatedEvent } from './events.js';
import type { MesosHealthView } from './health-view.js';
import { parseTaskId } from './ids.js';
import { podInstanceCondition, podInstanceHealth, podTaskOf } from './pod-instance.js';
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
  /** Remembers the host ports of failed tasks, for the next launch of the app. */
  failedPorts?: FailedPorts;
  /** Told about every update as it arrives (reconciliation tracks answers). */
  onUpdateSeen?: (taskId: string, at: number) => void;
  /** Sends the ACKs; by default one with DEFAULT_MAX_ACKS_IN_FLIGHT over `driver`. */
  acknowledger?: Acknowledger;
}

export interface StatusBatchOutcome {
  /** False when the commit failed: nothing of the batch was acted on or acknowledged. */
  readonly persisted: boolean;
  /** The batch's ACKs, sent once it was durable; resolves when all were answered or failed, never rejects. */
  readonly acknowledged: Promise<void>;
}

/** Task ids named in a log line about a whole batch. */
const LOGGED_TASK_IDS = 10;

/**
 * The instances as a batch leaves them before it is committed: writes are collected in order,
 * and reads see the batch's own earlier writes.
 */
class BatchDraft {
  readonly writes: InstanceWrite[] = [];
  readonly extra: StoreWrite[] = [];
  /** Run in order once the batch is durable. */
  readonly effects: Array<() => void> = [];
  readonly #touched = new Map<string, Instance | null>();

  constructor(private readonly tracker: StoredInstanceTracker) {}

  get(instanceId: string): Instance | undefined {
    const touched = this.#touched.get(instanceId);
    if (touched === null) return undefined;
    return touched ?? this.tracker.get(instanceId);
  }

  put(instance: Instance): void {
    this.writes.push({ put: instance });
    this.#touched.set(instance.instanceId, instance);
  }

  expunge(instanceId: string): void {
    this.writes.push({ expunge: instanceId });
    this.#touched.set(instanceId, null);
  }
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
  readonly #acks: Acknowledger;

  constructor(opts: StatusProcessorOptions) {
    this.#opts = opts;
    this.#acks = opts.acknowledger ?? new Acknowledger({ driver: opts.driver, logger: opts.logger });
  }

  /** One update: persisted, acted on, then acknowledged; resolves after the ACK was answered. */
  async process(status: TaskStatus): Promise<void> {
    const outcome = await this.processBatch([status]);
    await outcome.acknowledged;
  }

  /**
   * Updates in arrival order, persisted in one commit. Resolves once the batch is durable (or
   * refused); the ACKs are then under way and `acknowledged` tells when they were answered.
   */
  async processBatch(statuses: readonly TaskStatus[]): Promise<StatusBatchOutcome> {
    if (statuses.length === 0) return { persisted: true, acknowledged: Promise.resolve() };
    const now = this.#opts.clock();
    for (const status of statuses) this.#opts.onUpdateSeen?.(status.task_id.value, now);
    try {
      await this.#opts.tracker.exclusive(() => this.#applyBatch(statuses, now));
    } catch (err) {
      // Not acknowledged: the agents resend and we try again.
      this.#opts.logger.error(
        { err, updates: statuses.length, taskIds: statuses.slice(0, LOGGED_TASK_IDS).map((s) => s.task_id.value) },
        'cannot persist task statuses; not acknowledging them',
      );
      return { persisted: false, acknowledged: Promise.resolve() };
    }
    return { persisted: true, acknowledged: this.#acks.send(statuses) };
  }

  async #applyBatch(statuses: readonly TaskStatus[], now: number): Promise<void> {
    const draft = new BatchDraft(this.#opts.tracker);
    for (const status of statuses) this.#plan(draft, status, now);
    await this.#opts.tracker.commit(draft.writes, draft.extra);
    for (const effect of draft.effects) {
      try {
        effect();
      } catch (err) {
        // The batch is durable; one failing listener must not cost the others their turn.
        this.#opts.logger.error({ err }, 'acting on a persisted task status failed');
      }
    }
  }

  #plan(draft: BatchDraft, status: TaskStatus, now: number): void {
    const taskId = status.task_id.value;
    const parsed = parseTaskId(taskId);
    const instance = parsed ? draft.get(parsed.instanceId) : undefined;
    const known = instance !== undefined && (instance.podTasks !== undefined ? podTaskOf(instance, taskId) !== undefined : instance.taskId === taskId);
    if (!instance || !known) {
      draft.effects.push(() => this.#unknownTask(status, parsed?.instanceId ?? taskId, parsed?.appId ?? '', now));
      return;
    }
    const { tracker, apps, rateLimiter, kills, events, health, demand, logger } = this.#opts;
    const taskCondition = conditionOf(status.state, status.reason);
    // A pod instance's condition follows from all of its container tasks (Marathon's InstanceState).
    const podTasks = instance.podTasks?.map((t) => (t.taskId === taskId ? updatedPodTask(t, status, taskCondition, now) : t));
    const reported = podTasks !== undefined ? podInstanceCondition(podTasks) : taskCondition;
    // A second "unreachable" answer must not undo the decision to replace the instance.
    const condition = instance.condition === 'UnreachableInactive' && reported === 'Unreachable' ? instance.condition : reported;
    const app = apps.app(instance.appId);
    const updated = this.#updatedInstance(instance, status, condition, now);
    // Back from a partition after its replacement was launched (UnreachableInactive, not yet
    // expunged): the replacement holds its place, so it goes, as an expunged one would.
    const returnedAfterReplacement = instance.condition === 'UnreachableInactive' && instance.goal === 'Running' && isLiveAgain(condition);
    if (returnedAfterReplacement) updated.goal = 'Decommissioned';
    if (podTasks !== undefined) {
      updated.podTasks = podTasks;
      const healthy = podInstanceHealth(podTasks);
      if (updated.status !== undefined) {
        if (healthy !== undefined) updated.status.healthy = healthy;
        else delete updated.status.healthy;
      }
    }
    // A launch the master never saw (persisted as Provisioned, then reported gone or dropped
    // by the master itself, e.g. after Pacer crashed before its ACCEPT landed) is not the app
    // failing: it is relaunched without growing the app's backoff.
    const lostLaunch = instance.condition === 'Provisioned' && status.source === 'SOURCE_MASTER';
    const delayWrites = app && !lostLaunch ? rateLimiter.onCondition(app, condition, status.reason, now) : [];
    draft.extra.push(...delayWrites);

    if (isTerminalCondition(condition)) {
      draft.expunge(instance.instanceId);
      // An instance already replaced while unreachable gets no second replacement.
      const replace = instance.goal === 'Running' && instance.condition !== 'UnreachableInactive' && app !== undefined;
      if (replace) draft.put(scheduledInstance(app, now));
      // The rest of a pod goes with it: the default executor kills the group when a task fails,
      // but a KILL makes sure of it (their later updates name tasks Pacer no longer knows).
      const leftOver = (podTasks ?? []).filter((t) => t.taskId !== taskId && hasLiveTask(t.condition));
      draft.effects.push(() => {
        kills.terminated(taskId);
        for (const t of leftOver) kills.killUnknown(t.taskId, updated.agentId, `pod instance ${instance.instanceId} is ${condition}`);
        health.forget(instance.instanceId);
        if (replace) demand.refresh();
        logger.info(
          {
            taskId,
            instanceId: instance.instanceId,
            appId: instance.appId,
            agentId: updated.agentId,
            state: status.state,
            reason: status.reason,
            replaced: replace,
          },
          'task terminal; instance expunged',
        );
      });
    } else {
      if (materiallyChanged(instance, updated) || delayWrites.length > 0) draft.put(updated);
      if (updated.goal !== 'Running' && hasLiveTask(condition)) {
        const reason = returnedAfterReplacement ? 'back from a partition after its replacement was launched' : `goal is ${updated.goal}`;
        draft.effects.push(() => {
          // Judged on what the whole batch left: a later update may already have ended the task.
          const current = tracker.get(instance.instanceId);
          if (current?.taskId === taskId && current.goal !== 'Running' && hasLiveTask(current.condition)) kills.kill(current, reason);
        });
      }
    }

    draft.effects.push(() => {
      this.#opts.failedPorts?.note(instance.appId, condition, instance.hostPorts);
      // Marathon publishes it for a change of the task's state: a reconciliation answer or a
      // resent update that repeats the state changes nothing (100,000 of them after a failover).
      const previousState = podTasks !== undefined ? podTaskOf(instance, taskId)?.status?.state : instance.status?.state;
      if (status.state !== previousState || condition !== instance.condition) events.publish(statusUpdateEvent(updated, status, now));
      if (condition !== instance.condition) events.publish(instanceChangedEvent(updated, now));
      const healthy = podTasks !== undefined ? (status.healthy !== undefined ? updated.status?.healthy : undefined) : status.healthy;
      if (healthy !== undefined && !isTerminalCondition(condition)) {
        if (health.record(instance.instanceId, healthy, now)) {
          events.publish(healthStatusChangedEvent(updated.appId, updated.instanceId, updated.runSpecVersion, healthy, now));
          events.publish(instanceHealthChangedEvent(updated, healthy, now));
        }
      }
    });
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
    if (condition === 'Unreachable' || condition === 'UnreachableInactive') {
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
}

function updatedPodTask(task: PodTask, status: TaskStatus, condition: Instance['condition'], now: number): PodTask {
  const updated: PodTask = {
    ...task,
    condition,
    status: {
      state: status.state,
      ...(status.message !== undefined ? { message: status.message } : {}),
      ...(status.reason !== undefined ? { reason: status.reason } : {}),
      ...(status.healthy !== undefined ? { healthy: status.healthy } : task.status?.healthy !== undefined ? { healthy: task.status.healthy } : {}),
      timestamp: status.timestamp !== undefined ? Math.round(status.timestamp * 1000) : now,
    },
  };
  if (condition === 'Running' && updated.startedAt === undefined) updated.startedAt = timestamp(now);
  return updated;
}

/** A condition of a task that runs (or is about to) and answers its agent: not unreachable, not ended. */
function isLiveAgain(condition: Instance['condition']): boolean {
  return hasLiveTask(condition) && condition !== 'Unreachable' && condition !== 'UnreachableInactive';
}

function materiallyChanged(before: Instance, after: Instance): boolean {
  if (before.podTasks !== undefined || after.podTasks !== undefined) {
    if (
      JSON.stringify(before.podTasks?.map((t) => [t.condition, t.status?.state, t.status?.healthy])) !==
      JSON.stringify(after.podTasks?.map((t) => [t.condition, t.status?.state, t.status?.healthy]))
    )
      return true;
  }
  return (
    before.condition !== after.condition ||
    before.goal !== after.goal ||
    before.agentId !== after.agentId ||
    before.startedAt !== after.startedAt ||
    before.unreachableSince !== after.unreachableSince ||
    before.status?.state !== after.status?.state ||
    before.status?.healthy !== after.status?.healthy ||
    JSON.stringify(before.ipAddresses) !== JSON.stringify(after.ipAddresses)
  );
}

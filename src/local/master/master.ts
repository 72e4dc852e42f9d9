import type { Logger } from 'pino';
import type { AgentStatusSink, LocalAgent } from '../agents/agent.js';
import {
  isTerminalTaskState,
  type Call,
  type CallAccept,
  type CallUpdateFramework,
  type Event,
  type ExecutorInfo,
  type FrameworkInfoCapabilityType,
  type MasterInfo,
  type Offer,
  type OfferOperation,
  type Resource,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
  type TaskStatusReason,
} from '../../mesos/types.js';
import { validateLaunchTask, validateOfferIds, validateTaskGroup, type TaskContext } from './accept-validation.js';
import { Allocator } from './allocator.js';
import { ResourceBagInterner } from './bag-interner.js';
import { validateCall } from './call-validation.js';
import type { FrameworkConnection } from './connection.js';
import { MasterCallError } from './errors.js';
import { validateFrameworkInfo, validateFrameworkUpdate, validateSuppressedRoles } from './framework-validation.js';
import { FrameworkRecord, frameworkRoles, keptTaskInfo, type ExecutorRecord, type TaskRecord } from './frameworks.js';
import { IdGenerator, newStatusUuid, packIpv4 } from './ids.js';
import { OfferBuilder, type AgentOfferParts, type OfferRecord } from './offers.js';
import { explicitReconciliation, implicitReconciliation } from './reconcile.js';
import { ResourceBag } from './resources.js';
import { buildStateJson, stateTextChunks, type MasterStateView } from './state-json.js';
import { DEFAULT_FIRST_RETRY_MS, StatusUpdateManager } from './status-updates.js';

export type { FrameworkConnection } from './connection.js';

export interface LocalMasterOptions {
  masterId?: string;
  hostname: string;
  ip: string;
  port: number;
  version?: string;
  /** Period of the allocation pass (and of timer checks); default 1000 ms like upstream. */
  allocationIntervalMs?: number;
  /** Reported in SUBSCRIBED; the server sends the heartbeats. Default 15. */
  heartbeatIntervalSeconds?: number;
  /** Refusal filter of DECLINE/ACCEPT without `filters.refuse_seconds`; default 5. */
  defaultRefuseSeconds?: number;
  /** Rescind offers held longer than this; none by default, as upstream. */
  offerTimeoutMs?: number;
  /** First resend of an unacknowledged status update; doubles up to 10 min. Default 10 s. */
  statusUpdateRetryMs?: number;
  now?: () => number;
  /** Fault domain of the master (default region `local`, zone `zone-0`, matching local agents). */
  region?: string;
  zone?: string;
}

const DEFAULT_VERSION = '1.11.0';
const COMPLETED_FRAMEWORKS_KEPT = 50;

interface AgentEntry {
  readonly agent: LocalAgent;
  readonly registeredTime: number;
  /** The agent's resources as a bag, for the state (the allocator keeps its own). */
  readonly total: ResourceBag;
  readonly offers: Set<string>;
  /** Live tasks (records rather than composed id strings: one string fewer per task). */
  readonly tasks: Set<TaskRecord>;
  /** The agent's id as the `agent_id` of the statuses it reports, one object shared by all. */
  readonly agentIdRef: { readonly value: string };
  /** What every offer of the agent shares. */
  readonly offerParts: AgentOfferParts;
}

interface Launch {
  run(): void;
}

const NO_EXECUTORS: readonly string[] = Object.freeze([]);
const NO_STATUSES: readonly TaskStatus[] = Object.freeze([]);

function executorKey(agentId: string, executorId: string): string {
  return `${agentId}\u0000${executorId}`;
}

function withoutData<T extends { data?: string }>(value: T): T {
  if (value.data === undefined) return value;
  const copy = { ...value };
  delete copy.data;
  return copy;
}

/** Gives resources without `allocation_info` the offer's role, as upstream's master does. */
function injectAllocationRole(resources: readonly Resource[] | undefined, role: string): Resource[] | undefined {
  if (resources === undefined) return undefined;
  return resources.map((r) => (r.allocation_info === undefined ? { ...r, allocation_info: { role } } : r));
}

function withAllocationRole(executor: ExecutorInfo, role: string): ExecutorInfo {
  const out: ExecutorInfo = { ...executor };
  const resources = injectAllocationRole(executor.resources, role);
  if (resources !== undefined) out.resources = resources;
  return out;
}

/** LAUNCH: the master fills in `ExecutorInfo.framework_id` for schedulers that predate it. */
function injectExecutor(executor: ExecutorInfo, frameworkId: string, role: string): ExecutorInfo {
  const out = withAllocationRole(executor, role);
  if (out.framework_id === undefined) out.framework_id = { value: frameworkId };
  return out;
}

/**
 * The embedded Mesos master: frameworks and their streams, offers from the DRF allocator,
 * ACCEPT validation and launches on local agents, reliable status updates, reconciliation,
 * failover and teardown. It speaks in scheduler Calls and Events; the HTTP layer is elsewhere.
 */
export class LocalMaster {
  readonly info: MasterInfo;
  readonly statusSink: AgentStatusSink;

  private readonly now: () => number;
  private readonly ids: IdGenerator;
  private readonly allocationIntervalMs: number;
  private readonly heartbeatIntervalSeconds: number;
  private readonly defaultRefuseSeconds: number;
  private readonly allocator: Allocator<AgentEntry>;
  private readonly updates: StatusUpdateManager;
  private readonly frameworks = new Map<string, FrameworkRecord>();
  private readonly completedFrameworks = new Map<string, FrameworkRecord>();
  private readonly agents = new Map<string, AgentEntry>();
  private readonly goneAgents = new Set<string>();
  private readonly offers = new Map<string, OfferRecord>();
  private readonly offerBuilder: OfferBuilder;
  private readonly taskBags = new ResourceBagInterner();
  private readonly startTime: number;
  private timer: NodeJS.Timeout | undefined;
  private allocationSoon: NodeJS.Immediate | undefined;
  private started = false;

  constructor(
    private readonly opts: LocalMasterOptions,
    private readonly logger: Logger,
  ) {
    this.now = opts.now ?? Date.now;
    this.ids = new IdGenerator(opts.masterId);
    this.allocationIntervalMs = opts.allocationIntervalMs ?? 1000;
    this.heartbeatIntervalSeconds = opts.heartbeatIntervalSeconds ?? 15;
    this.defaultRefuseSeconds = opts.defaultRefuseSeconds ?? 5;
    this.allocator = new Allocator<AgentEntry>(this.now, this.allocationIntervalMs);
    this.offerBuilder = new OfferBuilder(opts);
    this.updates = new StatusUpdateManager(this.now, opts.statusUpdateRetryMs ?? DEFAULT_FIRST_RETRY_MS, {
      deliver: (frameworkId, status, onWritten) => this.deliverReliable(frameworkId, status, onWritten),
    });
    this.startTime = this.now();
    this.info = {
      id: this.ids.masterId,
      ip: packIpv4(opts.ip),
      port: opts.port,
      pid: `master@${opts.ip}:${opts.port}`,
      hostname: opts.hostname,
      version: opts.version ?? DEFAULT_VERSION,
      address: { hostname: opts.hostname, ip: opts.ip, port: opts.port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
      // Local agents carry a fault domain in this region; a real master refuses such agents
      // unless it has a domain itself, and frameworks treat agents of other regions as remote.
      domain: { fault_domain: { region: { name: opts.region ?? 'local' }, zone: { name: opts.zone ?? 'zone-0' } } },
    };
    this.statusSink = { statusUpdate: (frameworkId, status) => this.agentStatusUpdate(frameworkId, status) };
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  start(): void {
    if (this.started) return;
    this.started = true;
    this.timer = setInterval(() => this.tick(), this.allocationIntervalMs);
    this.timer.unref();
    this.scheduleAllocation();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.allocationSoon !== undefined) clearImmediate(this.allocationSoon);
    this.timer = undefined;
    this.allocationSoon = undefined;
    for (const fw of this.frameworks.values()) {
      const connection = fw.connection;
      fw.connection = undefined;
      connection?.close();
    }
  }

  /**
   * One round of the master's timers: failover timeouts, status update retries, offer timeouts,
   * then an allocation pass. Runs every allocation interval once started; tests with an injected
   * clock call it directly.
   */
  tick(): void {
    const now = this.now();
    for (const fw of [...this.frameworks.values()]) {
      if (!fw.connected && fw.failoverDeadline !== undefined && fw.failoverDeadline <= now) {
        this.logger.info({ frameworkId: fw.id }, 'framework failover timeout expired; removing framework');
        this.removeFramework(fw);
      }
    }
    this.updates.retryDue();
    if (this.opts.offerTimeoutMs !== undefined) {
      for (const offer of [...this.offers.values()]) {
        if (offer.createdAt + this.opts.offerTimeoutMs <= now) this.rescindOffer(offer, true);
      }
    }
    this.allocate();
  }

  /** Runs one allocation pass now and sends the resulting OFFERS events. Returns the offer count. */
  allocate(): number {
    const allocations = this.allocator.allocate();
    if (allocations.length === 0) return 0;
    const now = this.now();
    // Looked up once per framework and pass rather than once per offer.
    const batches = new Map<string, { fw: FrameworkRecord | undefined; legacyRole: boolean; multiRole: boolean; offers: Offer[] }>();
    for (const allocation of allocations) {
      let batch = batches.get(allocation.frameworkId);
      if (batch === undefined) {
        const record = this.frameworks.get(allocation.frameworkId);
        const legacyRole = record !== undefined && !record.hasCapability('RESERVATION_REFINEMENT');
        const multiRole = record?.hasCapability('MULTI_ROLE') ?? false;
        batch = { fw: record, legacyRole, multiRole, offers: [] };
        batches.set(allocation.frameworkId, batch);
      }
      const fw = batch.fw;
      // The allocator hands back the agent's entry (it forgets agents together with the master):
      // no lookup per offer.
      const entry = allocation.agentTag;
      if (fw === undefined) {
        this.allocator.recover(allocation.frameworkId, allocation.agentId, allocation.resources);
        this.allocator.offerClosed(allocation.frameworkId, allocation.agentId);
        continue;
      }
      const id = this.ids.offerId();
      const wire = this.offerBuilder.build(id, fw, entry.offerParts, {
        role: allocation.role,
        multiRole: batch.multiRole,
        executorIds: this.executorIdsOn(fw, allocation.agentId),
        // Whole-agent offers carry a frozen bag shared by every offer of the agent to the role,
        // whose wire form is built once.
        resources: allocation.resources.sharedResources({ legacyRole: batch.legacyRole, withoutAllocationInfo: !batch.multiRole }),
      });
      const record: OfferRecord = {
        id,
        frameworkId: fw.id,
        agentId: allocation.agentId,
        role: allocation.role,
        resources: allocation.resources,
        createdAt: now,
        wire,
      };
      this.offers.set(id, record);
      fw.offers.add(id);
      entry.offers.add(id);
      batch.offers.push(wire);
    }
    for (const [frameworkId, { fw, offers }] of batches) {
      if (fw === undefined || offers.length === 0) continue;
      this.logger.debug({ frameworkId, offers: offers.length }, 'sending offers');
      this.send(fw, { type: 'OFFERS', offers: { offers } });
    }
    return allocations.length;
  }

  private scheduleAllocation(): void {
    if (!this.started || this.allocationSoon !== undefined) return;
    // Batch every change of this turn of the event loop into one pass.
    this.allocationSoon = setImmediate(() => {
      this.allocationSoon = undefined;
      this.allocate();
    });
  }

  // ---- agents ---------------------------------------------------------------------------------

  addAgent(agent: LocalAgent): void {
    if (this.agents.has(agent.id)) return;
    const total = ResourceBag.fromResources(agent.resources);
    const entry: AgentEntry = {
      agent,
      registeredTime: this.now(),
      total: ResourceBag.fromResources(agent.resources).freeze(),
      offers: new Set(),
      tasks: new Set(),
      agentIdRef: { value: agent.id },
      offerParts: this.offerBuilder.agentParts(agent),
    };
    this.agents.set(agent.id, entry);
    this.goneAgents.delete(agent.id);
    this.allocator.addAgent(agent.id, total, entry);
    this.logger.info({ agentId: agent.id, hostname: agent.hostname, resources: total.toString() }, 'agent added');
    this.scheduleAllocation();
  }

  /** The agent is gone: its offers are rescinded and its tasks become TASK_LOST (or
   * TASK_GONE_BY_OPERATOR for PARTITION_AWARE frameworks). */
  removeAgent(agentId: string): void {
    const entry = this.agents.get(agentId);
    if (entry === undefined) return;
    for (const offerId of [...entry.offers]) {
      const offer = this.offers.get(offerId);
      if (offer !== undefined) this.rescindOffer(offer, false);
    }
    for (const task of [...entry.tasks]) {
      const taskId = task.info.task_id.value;
      const fw = this.frameworks.get(task.frameworkId);
      if (fw === undefined || fw.tasks.get(taskId) !== task) continue;
      const pa = fw.partitionAware;
      const status = this.masterStatus(
        task.info.task_id.value,
        agentId,
        pa ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST',
        pa ? 'REASON_AGENT_REMOVED_BY_OPERATOR' : 'REASON_AGENT_REMOVED',
        `Agent ${agentId} removed`,
        task.executorId,
      );
      this.recordStatus(task, status);
      this.updates.dropTask(fw.id, taskId);
      this.removeTask(fw, task, false);
      this.sendUnreliable(fw, status);
    }
    for (const fw of this.frameworks.values()) {
      for (const [key, executor] of fw.executors) if (executor.agentId === agentId) fw.executors.delete(key);
    }
    this.allocator.removeAgent(agentId);
    this.agents.delete(agentId);
    this.goneAgents.add(agentId);
    for (const fw of this.frameworks.values()) this.send(fw, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    this.logger.info({ agentId }, 'agent removed');
  }

  // ---- subscription ---------------------------------------------------------------------------

  subscribe(call: Call, connection: FrameworkConnection): void {
    const invalid = validateCall(call);
    if (invalid !== undefined) throw new MasterCallError(400, `Failed to validate scheduler::Call: ${invalid}`);
    if (call.type !== 'SUBSCRIBE' || call.subscribe === undefined) {
      throw new MasterCallError(400, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present");
    }
    const info = { ...call.subscribe.framework_info };
    const suppressed = call.subscribe.suppressed_roles ?? [];
    const refuse = (message: string): void => {
      this.logger.info({ frameworkName: info.name, reason: message }, 'refusing subscription');
      connection.send({ type: 'ERROR', error: { message } });
      connection.close();
    };

    const infoError = validateFrameworkInfo(info) ?? validateSuppressedRoles(info, suppressed);
    if (infoError !== undefined) return refuse(infoError);

    const requestedId = info.id?.value;
    if (requestedId !== undefined && requestedId !== '' && this.completedFrameworks.has(requestedId)) {
      return refuse('Framework has been removed');
    }

    const now = this.now();
    let fw: FrameworkRecord;
    if (requestedId === undefined || requestedId === '') {
      const id = this.ids.frameworkId();
      fw = new FrameworkRecord(id, { ...info, id: { value: id } }, now);
      this.frameworks.set(id, fw);
      this.allocator.addFramework(id, this.allocatorOptions(fw, suppressed));
      this.logger.info({ frameworkId: id, frameworkName: info.name }, 'framework subscribed');
    } else {
      const existing = this.frameworks.get(requestedId);
      if (existing === undefined) {
        // Unknown id (e.g. after a restart of mesos-local): adopt it, as upstream recovers it.
        fw = new FrameworkRecord(requestedId, info, now);
        this.frameworks.set(requestedId, fw);
        this.allocator.addFramework(requestedId, this.allocatorOptions(fw, suppressed));
      } else {
        fw = existing;
        // user and checkpoint silently keep their old values on re-subscription.
        const merged = { ...info, user: fw.info.user, checkpoint: fw.info.checkpoint };
        if (merged.checkpoint === undefined) delete merged.checkpoint;
        const updateError = validateFrameworkUpdate(fw.info, merged);
        if (updateError !== undefined) return refuse(updateError);
        this.failOver(fw);
        this.rescindRemovedRoles(fw, frameworkRoles(merged));
        fw.info = merged;
        fw.reregisteredTime = now;
        this.allocator.updateFramework(fw.id, this.allocatorOptions(fw, suppressed));
      }
      this.logger.info({ frameworkId: fw.id, frameworkName: info.name }, 'framework re-subscribed');
    }

    fw.connection = connection;
    fw.failoverDeadline = undefined;
    this.allocator.setActive(fw.id, true);
    this.send(fw, {
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: fw.id },
        heartbeat_interval_seconds: this.heartbeatIntervalSeconds,
        master_info: this.info,
      },
    });
    this.updates.resend(fw.id);
    this.scheduleAllocation();
  }

  /** A new subscription replaces the old stream, which learns why before it is closed. */
  private failOver(fw: FrameworkRecord): void {
    const old = fw.connection;
    if (old !== undefined) {
      fw.connection = undefined;
      try {
        old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      } finally {
        old.close();
      }
    }
    // Offers made to the old stream mean nothing to the new one: take them back.
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId);
      if (offer !== undefined) this.discardOffer(offer);
    }
  }

  private allocatorOptions(fw: FrameworkRecord, suppressed: readonly string[]) {
    return {
      roles: fw.roles,
      suppressedRoles: suppressed,
      gpuAware: fw.hasCapability('GPU_RESOURCES'),
      active: fw.connected,
    };
  }

  /** The subscription stream ended: the framework is disconnected and its failover timeout runs. */
  connectionClosed(connection: FrameworkConnection): void {
    for (const fw of this.frameworks.values()) {
      if (fw.connection !== connection) continue;
      fw.connection = undefined;
      this.allocator.setActive(fw.id, false);
      // Upstream's deactivateFramework drops every refusal filter, so a framework that comes
      // back is offered agents it declined before. Reviving all roles does that; the
      // suppression it also lifts is set again from the SUBSCRIBE that reactivates it.
      this.allocator.revive(fw.id, []);
      for (const offerId of [...fw.offers]) {
        const offer = this.offers.get(offerId);
        if (offer !== undefined) this.discardOffer(offer);
      }
      const timeoutMs = (fw.info.failover_timeout ?? 0) * 1000;
      fw.failoverDeadline = this.now() + timeoutMs;
      this.logger.info({ frameworkId: fw.id, failoverTimeoutMs: timeoutMs }, 'framework disconnected');
      if (timeoutMs <= 0) this.removeFramework(fw);
      this.scheduleAllocation();
      return;
    }
  }

  // ---- calls ----------------------------------------------------------------------------------

  /** Every call except SUBSCRIBE. Throws MasterCallError with upstream's status and message. */
  handleCall(call: Call, streamId: string | undefined): void {
    const invalid = validateCall(call);
    if (invalid !== undefined) throw new MasterCallError(400, `Failed to validate scheduler::Call: ${invalid}`);
    if (call.type === 'SUBSCRIBE') throw new MasterCallError(400, 'SUBSCRIBE calls open a stream; use subscribe()');
    const fw = this.frameworks.get(call.framework_id!.value);
    if (fw === undefined) throw new MasterCallError(400, 'Framework cannot be found');
    if (fw.connection === undefined) throw new MasterCallError(403, 'Framework is not subscribed');
    if (streamId === undefined) {
      throw new MasterCallError(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    }
    if (streamId !== fw.connection.streamId) {
      throw new MasterCallError(
        400,
        `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`,
      );
    }

    switch (call.type) {
      case 'TEARDOWN':
        this.logger.info({ frameworkId: fw.id }, 'framework requested teardown');
        this.removeFramework(fw);
        return;
      case 'ACCEPT':
        this.accept(fw, call.accept!);
        return;
      case 'DECLINE':
        this.decline(fw, call.decline!.offer_ids ?? [], call.decline!.filters?.refuse_seconds);
        return;
      case 'REVIVE':
        this.allocator.revive(fw.id, call.revive?.roles ?? []);
        this.scheduleAllocation();
        return;
      case 'SUPPRESS':
        this.allocator.suppress(fw.id, call.suppress?.roles ?? []);
        return;
      case 'KILL':
        this.kill(fw, call.kill!.task_id.value, call.kill!.agent_id?.value, call.kill!.kill_policy);
        return;
      case 'SHUTDOWN':
        this.shutdownExecutor(fw, call.shutdown!.agent_id.value, call.shutdown!.executor_id.value);
        return;
      case 'ACKNOWLEDGE':
        this.acknowledge(fw, call.acknowledge!.agent_id.value, call.acknowledge!.task_id.value, call.acknowledge!.uuid);
        return;
      case 'RECONCILE': {
        const tasks = call.reconcile!.tasks ?? [];
        const timestamp = this.now() / 1000;
        const statuses = tasks.length === 0 ? implicitReconciliation(fw, timestamp) : explicitReconciliation(fw, tasks, this.agentDirectory(), timestamp);
        for (const status of statuses) this.sendUnreliable(fw, status);
        return;
      }
      case 'RECONCILE_OPERATIONS':
        for (const op of call.reconcile_operations!.operations ?? []) {
          this.send(fw, {
            type: 'UPDATE_OPERATION_STATUS',
            update_operation_status: {
              status: {
                operation_id: op.operation_id,
                state: 'OPERATION_UNKNOWN',
                ...(op.agent_id !== undefined ? { agent_id: op.agent_id } : {}),
              },
            },
          });
        }
        return;
      case 'UPDATE_FRAMEWORK':
        this.updateFramework(fw, call.update_framework!);
        return;
      case 'MESSAGE':
        this.logger.info(
          { frameworkId: fw.id, agentId: call.message!.agent_id.value, executorId: call.message!.executor_id.value },
          'framework message dropped: local agents have no executor message channel',
        );
        return;
      case 'REQUEST':
        this.logger.debug({ frameworkId: fw.id }, 'REQUEST ignored, as by the hierarchical allocator');
        return;
      case 'ACCEPT_INVERSE_OFFERS':
      case 'DECLINE_INVERSE_OFFERS':
        this.logger.debug({ frameworkId: fw.id, callType: call.type }, 'no inverse offers are ever made; call ignored');
        return;
      case 'ACKNOWLEDGE_OPERATION_STATUS':
        this.logger.debug({ frameworkId: fw.id }, 'operation status acknowledgement ignored');
        return;
      default:
        this.logger.warn({ frameworkId: fw.id, callType: call.type }, 'received UNKNOWN call');
        return;
    }
  }

  private updateFramework(fw: FrameworkRecord, update: CallUpdateFramework): void {
    const info = update.framework_info;
    const infoError = validateFrameworkInfo(info);
    if (infoError !== undefined) throw new MasterCallError(400, `Supplied FrameworkInfo is not valid: ${infoError}`);
    const updateError = validateFrameworkUpdate(fw.info, info);
    if (updateError !== undefined) throw new MasterCallError(400, `FrameworkInfo update is not valid: ${updateError}`);
    const suppressed = update.suppressed_roles ?? [];
    const suppressedError = validateSuppressedRoles(info, suppressed);
    if (suppressedError !== undefined) throw new MasterCallError(400, `'UpdateFramework' call is not valid: ${suppressedError}`);
    this.rescindRemovedRoles(fw, frameworkRoles(info));
    fw.info = { ...info, id: { value: fw.id } };
    this.allocator.updateFramework(fw.id, this.allocatorOptions(fw, suppressed));
    this.logger.info({ frameworkId: fw.id, roles: fw.roles }, 'framework updated');
    this.scheduleAllocation();
  }

  private rescindRemovedRoles(fw: FrameworkRecord, roles: readonly string[]): void {
    const keep = new Set(roles);
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId);
      if (offer !== undefined && !keep.has(offer.role)) this.rescindOffer(offer, true);
    }
  }

  // ---- offers ---------------------------------------------------------------------------------

  private takeOffer(offer: OfferRecord): void {
    this.offers.delete(offer.id);
    this.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
    this.agents.get(offer.agentId)?.offers.delete(offer.id);
    this.allocator.offerClosed(offer.frameworkId, offer.agentId);
  }

  /** Takes an offer back without telling the framework (it is gone or failed over). */
  private discardOffer(offer: OfferRecord): void {
    this.takeOffer(offer);
    this.allocator.recover(offer.frameworkId, offer.agentId, offer.resources);
  }

  private rescindOffer(offer: OfferRecord, recover: boolean): void {
    this.takeOffer(offer);
    if (recover) this.allocator.recover(offer.frameworkId, offer.agentId, offer.resources);
    const fw = this.frameworks.get(offer.frameworkId);
    if (fw !== undefined) this.send(fw, { type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
    this.logger.debug({ frameworkId: offer.frameworkId, agentId: offer.agentId, offerId: offer.id }, 'offer rescinded');
    this.scheduleAllocation();
  }

  private decline(fw: FrameworkRecord, offerIds: readonly { value: string }[], refuseSeconds: number | undefined): void {
    for (const { value } of offerIds) {
      const offer = this.offers.get(value);
      if (offer === undefined || offer.frameworkId !== fw.id) {
        this.logger.warn({ frameworkId: fw.id, offerId: value }, 'ignoring decline of an offer that is no longer valid');
        continue;
      }
      this.takeOffer(offer);
      this.allocator.recover(fw.id, offer.agentId, offer.resources, { refuseSeconds: refuseSeconds ?? this.defaultRefuseSeconds });
    }
    this.scheduleAllocation();
  }

  private accept(fw: FrameworkRecord, accept: CallAccept): void {
    const offerIds = accept.offer_ids ?? [];
    const operations = accept.operations ?? [];
    const error = validateOfferIds(offerIds, fw.id, (id) => this.offers.get(id));
    if (error !== undefined) {
      this.logger.warn({ frameworkId: fw.id, offerIds: offerIds.map((o) => o.value), reason: error }, 'ACCEPT used invalid offers');
      for (const { value } of offerIds) {
        const offer = this.offers.get(value);
        if (offer !== undefined && offer.frameworkId === fw.id) this.discardOffer(offer);
      }
      const state: TaskState = fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const op of operations) {
        const tasks = op.type === 'LAUNCH' ? (op.launch?.task_infos ?? []) : op.type === 'LAUNCH_GROUP' ? (op.launch_group?.task_group.tasks ?? []) : undefined;
        if (tasks === undefined) {
          this.operationError(fw, op, undefined, `Operation attempted with invalid offers: ${error}`);
          continue;
        }
        for (const task of tasks) {
          this.sendUnreliable(
            fw,
            this.masterStatus(task.task_id.value, task.agent_id.value, state, 'REASON_INVALID_OFFERS', `Task launched with invalid offers: ${error}`),
          );
        }
      }
      this.scheduleAllocation();
      return;
    }

    const accepted = offerIds.map(({ value }) => this.offers.get(value)!);
    const agentId = accepted[0]!.agentId;
    const role = accepted[0]!.role;
    const remaining = new ResourceBag();
    for (const offer of accepted) {
      this.takeOffer(offer);
      remaining.add(offer.resources);
    }
    const entry = this.agents.get(agentId)!;
    const launches: Launch[] = [];

    for (const op of operations) {
      switch (op.type) {
        case 'LAUNCH':
          this.launchTasks(fw, entry, role, op, remaining, launches);
          break;
        case 'LAUNCH_GROUP':
          this.launchGroup(fw, entry, role, op, remaining, launches);
          break;
        case undefined:
        case 'UNKNOWN':
          this.logger.warn({ frameworkId: fw.id }, 'ignoring unknown operation');
          break;
        default:
          this.operationError(fw, op, agentId, `Operation ${op.type} is not supported by mesos-local`);
          break;
      }
    }

    this.allocator.recover(fw.id, agentId, remaining, {
      refuseSeconds: accept.filters?.refuse_seconds ?? this.defaultRefuseSeconds,
    });
    this.logger.info({ frameworkId: fw.id, agentId, offers: offerIds.length, launches: launches.length }, 'offers accepted; launching on agent');
    for (const launch of launches) launch.run();
    this.scheduleAllocation();
  }

  private operationError(fw: FrameworkRecord, op: OfferOperation, agentId: string | undefined, message: string): void {
    this.logger.warn({ frameworkId: fw.id, operationType: op.type, reason: message }, 'dropping operation');
    if (op.id === undefined) return;
    this.send(fw, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: {
          operation_id: op.id,
          state: 'OPERATION_ERROR',
          message,
          ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}),
        },
      },
    });
  }

  private taskContext(fw: FrameworkRecord, agentId: string, available: ResourceBag): TaskContext {
    return {
      frameworkId: fw.id,
      agentId,
      available,
      hasTask: (taskId) => fw.tasks.has(taskId),
      existingExecutor: (executorId) => fw.executors.get(executorKey(agentId, executorId))?.info,
      tasksOfExecutor: (executorId) => {
        const ids = fw.executors.get(executorKey(agentId, executorId))?.taskIds ?? [];
        return [...ids].flatMap((id) => fw.tasks.get(id)?.info ?? []);
      },
    };
  }

  private launchTasks(fw: FrameworkRecord, entry: AgentEntry, role: string, op: OfferOperation, remaining: ResourceBag, launches: Launch[]): void {
    const tasks = op.launch?.task_infos ?? [];
    if (op.id !== undefined) {
      for (const t of tasks) this.taskError(fw, t, 'REASON_TASK_INVALID', 'The `id` field cannot be set on LAUNCH operations');
      return;
    }
    for (const original of tasks) {
      const task = this.normalizeTask(original, fw.id, role);
      const error = validateLaunchTask(task, this.taskContext(fw, entry.agent.id, remaining));
      if (error !== undefined) {
        this.taskError(fw, task, 'REASON_TASK_INVALID', error);
        continue;
      }
      const executor = task.executor;
      if (executor !== undefined && !fw.executors.has(executorKey(entry.agent.id, executor.executor_id.value))) {
        remaining.subtract(this.addExecutor(fw, entry.agent.id, role, executor).resources);
      }
      const record = this.addTask(fw, entry, role, task, executor?.executor_id.value);
      remaining.subtract(record.resources);
      launches.push({ run: () => entry.agent.launchTask(fw.id, task, executor) });
    }
  }

  private launchGroup(fw: FrameworkRecord, entry: AgentEntry, role: string, op: OfferOperation, remaining: ResourceBag, launches: Launch[]): void {
    const group = op.launch_group;
    const tasks = group?.task_group.tasks ?? [];
    if (group === undefined) {
      this.logger.warn({ frameworkId: fw.id }, "LAUNCH_GROUP without 'launch_group' ignored");
      return;
    }
    if (op.id !== undefined) {
      for (const t of tasks) this.taskError(fw, t, 'REASON_TASK_GROUP_INVALID', 'The `id` field cannot be set on LAUNCH_GROUP operations');
      return;
    }
    // As upstream: allocation roles are filled in, `framework_id` is not (LAUNCH_GROUP has no
    // old schedulers to be compatible with), and a task without an executor gets a copy of the
    // group's, so that the operator API and /master/state can name it.
    const executor = withAllocationRole(group.executor, role);
    const normalized = tasks.map((t) => {
      const out: TaskInfo = { ...t };
      const resources = injectAllocationRole(t.resources, role);
      if (resources !== undefined) out.resources = resources;
      out.executor = t.executor === undefined ? executor : withAllocationRole(t.executor, role);
      return out;
    });
    const error = validateTaskGroup(executor, { tasks: normalized }, this.taskContext(fw, entry.agent.id, remaining));
    if (error !== undefined) {
      for (const t of normalized) this.taskError(fw, t, 'REASON_TASK_GROUP_INVALID', error);
      return;
    }
    if (!fw.executors.has(executorKey(entry.agent.id, executor.executor_id.value))) {
      remaining.subtract(this.addExecutor(fw, entry.agent.id, role, executor).resources);
    }
    for (const task of normalized) {
      remaining.subtract(this.addTask(fw, entry, role, task, executor.executor_id.value).resources);
    }
    launches.push({ run: () => entry.agent.launchGroup(fw.id, executor, { tasks: normalized }) });
  }

  private normalizeTask(task: TaskInfo, frameworkId: string, role: string): TaskInfo {
    const out: TaskInfo = { ...task };
    const resources = injectAllocationRole(task.resources, role);
    if (resources !== undefined) out.resources = resources;
    if (task.executor !== undefined) out.executor = injectExecutor(task.executor, frameworkId, role);
    return out;
  }

  private taskError(fw: FrameworkRecord, task: TaskInfo, reason: TaskStatusReason, message: string): void {
    this.logger.warn({ frameworkId: fw.id, taskId: task.task_id.value, reason: message }, 'task launch refused');
    this.sendUnreliable(fw, this.masterStatus(task.task_id.value, task.agent_id.value, 'TASK_ERROR', reason, message));
  }

  private addExecutor(fw: FrameworkRecord, agentId: string, role: string, executor: ExecutorInfo): ExecutorRecord {
    const record: ExecutorRecord = {
      info: executor,
      agentId,
      role,
      resources: ResourceBag.fromResources(executor.resources),
      taskIds: new Set(),
    };
    fw.executors.set(executorKey(agentId, executor.executor_id.value), record);
    return record;
  }

  private addTask(fw: FrameworkRecord, entry: AgentEntry, role: string, task: TaskInfo, executorId: string | undefined): TaskRecord {
    const record: TaskRecord = {
      info: keptTaskInfo(task),
      frameworkId: fw.id,
      agentId: entry.agent.id,
      role,
      resources: this.taskBags.intern(ResourceBag.fromResources(task.resources)),
      executorId,
      state: 'TASK_STAGING',
      statusUpdateState: undefined,
      statusUpdateUuid: undefined,
      statuses: NO_STATUSES,
    };
    fw.tasks.set(task.task_id.value, record);
    entry.tasks.add(record);
    if (executorId !== undefined) fw.executors.get(executorKey(entry.agent.id, executorId))?.taskIds.add(task.task_id.value);
    // Per task only at debug: at info a launch of 10,000 instances would write 10,000 lines (the
    // ACCEPT summary stays at info); the resources string is built only when it is written.
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ frameworkId: fw.id, agentId: entry.agent.id, taskId: task.task_id.value, resources: record.resources.toString() }, 'adding task');
    }
    return record;
  }

  private executorIdsOn(fw: FrameworkRecord, agentId: string): readonly string[] {
    if (fw.executors.size === 0) return NO_EXECUTORS;
    const ids: string[] = [];
    for (const e of fw.executors.values()) if (e.agentId === agentId) ids.push(e.info.executor_id.value);
    return ids;
  }

  // ---- tasks ----------------------------------------------------------------------------------

  private kill(fw: FrameworkRecord, taskId: string, agentId: string | undefined, killPolicy: TaskInfo['kill_policy']): void {
    const task = fw.tasks.get(taskId);
    if (task === undefined) {
      this.logger.warn({ frameworkId: fw.id, taskId }, 'cannot kill unknown task; performing reconciliation');
      const tasks = [{ task_id: { value: taskId }, ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}) }];
      for (const status of explicitReconciliation(fw, tasks, this.agentDirectory(), this.now() / 1000)) {
        this.sendUnreliable(fw, status);
      }
      return;
    }
    if (agentId !== undefined && agentId !== task.agentId) {
      this.logger.warn({ frameworkId: fw.id, taskId, agentId }, 'cannot kill task: it belongs to a different agent');
      return;
    }
    const entry = this.agents.get(task.agentId);
    if (entry === undefined) return;
    this.logger.info({ frameworkId: fw.id, taskId, agentId: task.agentId }, 'telling agent to kill task');
    entry.agent.killTask(fw.id, taskId, killPolicy ?? task.info.kill_policy);
  }

  private shutdownExecutor(fw: FrameworkRecord, agentId: string, executorId: string): void {
    const executor = fw.executors.get(executorKey(agentId, executorId));
    const entry = this.agents.get(agentId);
    if (executor === undefined || entry === undefined) {
      this.logger.warn({ frameworkId: fw.id, agentId, executorId }, 'cannot shut down unknown executor');
      return;
    }
    for (const taskId of [...executor.taskIds]) entry.agent.killTask(fw.id, taskId);
  }

  private acknowledge(fw: FrameworkRecord, agentId: string, taskId: string, uuid: string): void {
    const task = fw.tasks.get(taskId);
    if (task !== undefined && task.agentId !== agentId) {
      this.logger.warn({ frameworkId: fw.id, taskId, agentId }, 'acknowledgement names the wrong agent; ignored');
      return;
    }
    const outcome = this.updates.acknowledge(fw.id, taskId, uuid);
    if (outcome.kind !== 'acknowledged') {
      this.logger.warn({ frameworkId: fw.id, taskId, uuid, outcome: outcome.kind }, 'unexpected status update acknowledgement');
      return;
    }
    if (task === undefined) return;
    if (outcome.next === undefined) {
      task.statusUpdateUuid = undefined;
      if (isTerminalTaskState(outcome.status.state)) this.removeTask(fw, task, true);
    }
  }

  private agentStatusUpdate(frameworkId: string, reported: TaskStatus): void {
    const fw = this.frameworks.get(frameworkId);
    const task = fw?.tasks.get(reported.task_id.value);
    if (fw === undefined || task === undefined) {
      this.logger.debug({ frameworkId, taskId: reported.task_id.value, state: reported.state }, 'status update for an unknown task dropped');
      return;
    }
    if (isTerminalTaskState(task.state)) {
      this.logger.warn({ frameworkId, taskId: task.info.task_id.value, state: reported.state }, 'status update after a terminal state dropped');
      return;
    }
    const status = this.stampedStatus(task, reported);
    const wasTerminal = isTerminalTaskState(task.state);
    this.recordStatus(task, status);
    if (!wasTerminal && isTerminalTaskState(status.state)) {
      this.releaseTask(fw, task);
      this.scheduleAllocation();
    }
    this.updates.enqueue(fw.id, status);
  }

  /**
   * The agent's status as the master forwards and keeps it: its agent, source, time and a fresh
   * uuid filled in, without `data` (MESOS-1746: the master does not keep it). Built field by
   * field in one order, so that every status shares one V8 shape (spreading the agent's object
   * gave each its own hidden class, ~270 bytes per status), and with the ids it repeats shared
   * with the task's record.
   */
  private stampedStatus(task: TaskRecord, reported: TaskStatus): TaskStatus {
    const taskId = task.info.task_id;
    const executorId = reported.executor_id ?? (task.executorId === undefined ? undefined : { value: task.executorId });
    const agentId = this.agents.get(task.agentId)?.agentIdRef ?? { value: task.agentId };
    const source = reported.source ?? 'SOURCE_EXECUTOR';
    const timestamp = reported.timestamp ?? this.now() / 1000;
    const uuid = newStatusUuid();
    // All fields every status has in one literal: V8 keeps them inside the object rather than in a
    // separate property array. A command task's executor is named after the task: one object.
    const status: TaskStatus =
      executorId === undefined
        ? { task_id: taskId, state: reported.state, source, agent_id: agentId, timestamp, uuid }
        : {
            task_id: taskId,
            state: reported.state,
            source,
            agent_id: agentId,
            executor_id: executorId.value === taskId.value ? taskId : executorId,
            timestamp,
            uuid,
          };
    if (reported.reason !== undefined) status.reason = reported.reason;
    if (reported.data !== undefined) status.data = reported.data;
    if (reported.message !== undefined) status.message = reported.message;
    if (reported.healthy !== undefined) status.healthy = reported.healthy;
    if (reported.check_status !== undefined) status.check_status = reported.check_status;
    if (reported.labels !== undefined) status.labels = reported.labels;
    if (reported.container_status !== undefined) status.container_status = reported.container_status;
    if (reported.unreachable_time !== undefined) status.unreachable_time = reported.unreachable_time;
    if (reported.limitation !== undefined) status.limitation = reported.limitation;
    return status;
  }

  /** As upstream's Master::updateTask: a status of the task's latest state replaces it. */
  private recordStatus(task: TaskRecord, status: TaskStatus): void {
    task.state = status.state;
    const kept = withoutData(status);
    const last = task.statuses.length - 1;
    task.statuses = last >= 0 && task.statuses[last]!.state === status.state ? [...task.statuses.slice(0, last), kept] : [...task.statuses, kept];
  }

  /** Returns a task's (and, with its last task, its executor's) resources to the allocator. */
  private releaseTask(fw: FrameworkRecord, task: TaskRecord): void {
    this.allocator.recover(fw.id, task.agentId, task.resources);
    if (task.executorId === undefined) return;
    const key = executorKey(task.agentId, task.executorId);
    const executor = fw.executors.get(key);
    if (executor === undefined) return;
    executor.taskIds.delete(task.info.task_id.value);
    if (executor.taskIds.size === 0) {
      fw.executors.delete(key);
      this.allocator.recover(fw.id, task.agentId, executor.resources);
    }
  }

  /** Moves a task to the completed list; `released` tells whether its resources went back already. */
  private removeTask(fw: FrameworkRecord, task: TaskRecord, released: boolean): void {
    if (!released) this.releaseTask(fw, task);
    fw.tasks.delete(task.info.task_id.value);
    fw.addCompletedTask(task);
    this.agents.get(task.agentId)?.tasks.delete(task);
  }

  // ---- framework removal ----------------------------------------------------------------------

  private removeFramework(fw: FrameworkRecord): void {
    const connection = fw.connection;
    fw.connection = undefined;
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId);
      if (offer !== undefined) this.discardOffer(offer);
    }
    const kills: { entry: AgentEntry; taskId: string }[] = [];
    for (const task of [...fw.tasks.values()]) {
      const live = !isTerminalTaskState(task.state);
      this.recordStatus(
        task,
        this.masterStatus(task.info.task_id.value, task.agentId, 'TASK_KILLED', 'REASON_FRAMEWORK_REMOVED', `Framework ${fw.id} removed`, task.executorId),
      );
      this.removeTask(fw, task, !live);
      const entry = this.agents.get(task.agentId);
      if (live && entry !== undefined) kills.push({ entry, taskId: task.info.task_id.value });
    }
    this.updates.dropFramework(fw.id);
    this.allocator.removeFramework(fw.id);
    this.frameworks.delete(fw.id);
    fw.unregisteredTime = this.now();
    fw.failoverDeadline = undefined;
    this.completedFrameworks.set(fw.id, fw);
    if (this.completedFrameworks.size > COMPLETED_FRAMEWORKS_KEPT) {
      this.completedFrameworks.delete(this.completedFrameworks.keys().next().value!);
    }
    this.logger.info({ frameworkId: fw.id, killedTasks: kills.length }, 'framework removed');
    // Agents are told last, so any status they report synchronously finds the framework gone.
    for (const { entry, taskId } of kills) entry.agent.killTask(fw.id, taskId);
    connection?.close();
    this.scheduleAllocation();
  }

  // ---- delivery -------------------------------------------------------------------------------

  private send(fw: FrameworkRecord, event: Event, onWritten?: () => void): boolean {
    const connection = fw.connection;
    if (connection === undefined) return false;
    try {
      connection.send(event, onWritten);
      return true;
    } catch (err) {
      this.logger.warn({ err, frameworkId: fw.id, eventType: event.type }, 'failed to write event to the framework stream');
      return false;
    }
  }

  /** Master-generated updates carry no uuid: they are sent once and never acknowledged. */
  private sendUnreliable(fw: FrameworkRecord, status: TaskStatus): void {
    if (!this.send(fw, { type: 'UPDATE', update: { status } })) {
      this.logger.warn({ frameworkId: fw.id, taskId: status.task_id.value, state: status.state }, 'dropping update for disconnected framework');
    }
  }

  private deliverReliable(frameworkId: string, status: TaskStatus, onWritten: () => void): boolean {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined) return false;
    const task = fw.tasks.get(status.task_id.value);
    if (task !== undefined) {
      task.statusUpdateState = status.state;
      task.statusUpdateUuid = status.uuid;
    }
    return this.send(fw, { type: 'UPDATE', update: { status } }, onWritten);
  }

  private masterStatus(
    taskId: string,
    agentId: string | undefined,
    state: TaskState,
    reason: TaskStatusReason,
    message: string,
    executorId?: string,
  ): TaskStatus {
    const status: TaskStatus = {
      task_id: { value: taskId },
      state,
      source: 'SOURCE_MASTER',
      reason,
      message,
      timestamp: this.now() / 1000,
    };
    if (agentId !== undefined) status.agent_id = { value: agentId };
    if (executorId !== undefined) status.executor_id = { value: executorId };
    return status;
  }

  private agentDirectory() {
    return {
      isRegistered: (agentId: string) => this.agents.has(agentId),
      isGone: (agentId: string) => this.goneAgents.has(agentId),
    };
  }

  // ---- introspection --------------------------------------------------------------------------

  /** The `/master/state` body, with upstream's field names. */
  stateJson(): object {
    return buildStateJson(this.stateView());
  }

  /** The `/master/state` body as JSON text in chunks, its tasks rendered as the chunks are taken. */
  stateTextChunks(): Iterable<string> {
    return stateTextChunks(this.stateView());
  }

  /** The `/master/state` body as one JSON text. */
  stateText(): string {
    return [...this.stateTextChunks()].join('');
  }

  /** The same state, for the operator API (`/api/v1`). */
  operatorView(): MasterStateView {
    return this.stateView();
  }

  private stateView(): MasterStateView {
    return {
      info: this.info,
      startTime: this.startTime,
      allocationIntervalMs: this.allocationIntervalMs,
      agents: [...this.agents.values()].map((e) => ({
        agent: e.agent,
        registeredTime: e.registeredTime,
        total: e.total,
        allocated: this.allocator.allocated(e.agent.id),
        offered: [...e.offers].map((id) => this.offers.get(id)!.resources),
      })),
      frameworks: [...this.frameworks.values()],
      completedFrameworks: [...this.completedFrameworks.values()],
      offers: this.offers,
    };
  }

  /** Whether a live framework declared `capability`: agents ask before sending TASK_KILLING. */
  frameworkHasCapability(frameworkId: string, capability: FrameworkInfoCapabilityType): boolean {
    return this.frameworks.get(frameworkId)?.hasCapability(capability) ?? false;
  }

  /** Live frameworks, for tests and operator views. */
  /** FrameworkInfo.user of a registered framework: what its tasks run as when they name no user. */
  frameworkUser(frameworkId: string): string | undefined {
    const user = this.frameworks.get(frameworkId)?.info.user;
    return user === undefined || user === '' ? undefined : user;
  }

  frameworkIds(): string[] {
    return [...this.frameworks.keys()];
  }

  /** Status updates waiting for an acknowledgement (or a connected framework). */
  pendingStatusUpdates(frameworkId?: string): number {
    return this.updates.pendingCount(frameworkId);
  }

  outstandingOffers(frameworkId?: string): OfferRecord[] {
    return [...this.offers.values()].filter((o) => frameworkId === undefined || o.frameworkId === frameworkId);
  }

  /** The master's view of a task, or undefined once it is unknown (removed after its terminal ACK). */
  task(frameworkId: string, taskId: string): { state: TaskState; agentId: string } | undefined {
    const task = this.frameworks.get(frameworkId)?.tasks.get(taskId);
    return task === undefined ? undefined : { state: task.state, agentId: task.agentId };
  }
}

/**
 * One OFFERS event: waiting instances become launch requests, the matcher places them, every
 * placed instance is persisted as Provisioned in one batch, and only then are the ACCEPTs sent.
 * Unused offers are declined with the matcher's refuse seconds. Each offer goes into exactly
 * one ACCEPT or DECLINE.
 *
 * Matching and the commit run under the tracker's lock; the calls go out after it is released,
 * so status updates are not held up by ACCEPT round trips. The next round cannot pick the same
 * instances again: once committed they are Provisioned, no longer Scheduled.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { formatAttribute } from '../../matching/constraints/values.js';
import {
  match,
  needsPlacedInstances,
  type LaunchRequest,
  type MatchOffer,
  type MatchResult,
  type MatchOptions,
  type TaskPlacement,
} from '../../matching/index.js';
import type { Offer, OfferOperation, TaskInfo } from '../../mesos/types.js';
import { timestamp, type AppDefinition, type AppLookup, type Instance, type PodDefinition, type PodTask } from '../contracts.js';
import type { DriverPort } from './driver-port.js';
import { PAUSED_REFUSE_SECONDS } from './launch-flow.js';
import type { FailedPorts } from './failed-ports.js';
import { taskIdOf } from './ids.js';
import type { InstanceWrite, StoredInstanceTracker } from './instance-tracker.js';
import type { CoreLaunchQueue, LaunchableGroup } from './launch-queue.js';
import type { OfferDemand } from './offer-demand.js';
import { PlacedInstances } from './placed-instances.js';
import { portRequests } from './ports.js';
import { buildTaskInfo } from './task-builder.js';
import { executorIdOf, podTaskIdOf } from './pod-instance.js';
import { buildTaskGroup, endpointHostPorts, podEndpoints, podPortRequests } from './task-group-builder.js';

export interface OfferProcessorOptions {
  tracker: StoredInstanceTracker;
  queue: CoreLaunchQueue;
  apps: AppLookup;
  demand: OfferDemand;
  driver: () => DriverPort | undefined;
  clock: () => number;
  logger: Logger;
  matchOptions?: Omit<MatchOptions, 'now'>;
  /** Region of the master we are subscribed to (MasterInfo.domain); offers elsewhere are remote. */
  localRegion?: () => string | undefined;
  metrics?: OfferMetrics;
  /** Host ports of each app's last failed task; new launches pick other dynamic ports. */
  failedPorts?: FailedPorts;
  /**
   * The randomness of one matching round (agent order, dynamic host ports). By default a fresh
   * draw from the system's random source every round, so no two rounds or processes pick alike;
   * a fixed `matchOptions.seed` wins (tests).
   */
  drawSeed?: () => number;
  /** Marathon's `--env_vars_prefix` for the tasks' port variables and HOST. */
  envVarsPrefix?: string;
  /** Flow control (LaunchFlow): while it says no, offers are declined briefly and nothing launches. */
  flow?: { mayLaunch(): boolean };
}

/** A fresh 32-bit seed from the system's cryptographic random source. */
function drawRandomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** What the offer path reports for /metrics; implemented outside the core. */
export interface OfferMetrics {
  offersReceived(count: number): void;
  offersDeclined(count: number): void;
  offersUsed(count: number): void;
  matched(seconds: number, placements: number): void;
  launched(count: number): void;
  /** Launch flow control paused (true) or resumed (false). */
  launchesPaused?(paused: boolean): void;
}

export interface OfferRoundOutcome {
  /** The round's ACCEPT and DECLINE calls; resolves when all were answered or failed, never rejects. */
  readonly answered: Promise<void>;
}

/** A call to make once the round's launches are durable; never rejects. */
type OfferCall = () => Promise<void>;

/** Offers waiting for the lock; later offers join them until the round starts. */
interface NextRound {
  readonly offers: Offer[];
  outcome: Promise<OfferRoundOutcome>;
}

interface PendingGroup {
  key: string;
  /** The app, or the pod's run-spec view (its resources are the whole instance's). */
  app: AppDefinition;
  /** Set for a pod: its instances launch as one task group each. */
  pod?: PodDefinition;
  instances: Instance[];
}

/** Refuse seconds for offers nobody wants (Marathon `--decline_offer_duration`). */
const DEFAULT_DECLINE_SECONDS = 120;

/** Offers one round matches at most; see #runRound. */
export const MAX_OFFERS_PER_ROUND = 500;

export class OfferProcessor {
  readonly #opts: OfferProcessorOptions;
  readonly #placed: PlacedInstances;
  /** Per constraint list (app definitions are immutable): whether it needs the placed instances. */
  readonly #needsPlaced = new WeakMap<object, boolean>();
  #nextRound: NextRound | undefined;
  /** Where the next round starts in the launchable groups (see #pendingGroups). */
  #nextGroup = 0;

  constructor(opts: OfferProcessorOptions) {
    this.#opts = opts;
    this.#placed = new PlacedInstances(opts.tracker);
  }

  /** The tracker was loaded anew: placements read before are stale. */
  trackerLoaded(): void {
    this.#placed.clear();
  }

  /** Apps whose placements are kept (those with constraints that depend on them and were asked about). */
  get appsWithPlacements(): number {
    return this.#placed.trackedApps;
  }

  /**
   * Resolves once the round's launches are durable; `answered` then tells when the ACCEPT and
   * DECLINE calls it started were answered (it never rejects).
   */
  async process(offers: readonly Offer[]): Promise<OfferRoundOutcome> {
    if (offers.length === 0) return { answered: Promise.resolve() };
    this.#opts.metrics?.offersReceived(offers.length);
    const driver = this.#opts.driver();
    if (!driver) return { answered: Promise.resolve() };
    // Offers that arrive while a round holds the lock join the next round: a round's cost grows
    // with the apps waiting, so one round over many offers beats many rounds over a few each.
    return this.#enqueue(driver, offers);
  }

  #enqueue(driver: DriverPort, offers: readonly Offer[]): Promise<OfferRoundOutcome> {
    const open = this.#nextRound;
    if (open !== undefined) {
      open.offers.push(...offers);
      return open.outcome;
    }
    const round: NextRound = { offers: [...offers], outcome: Promise.resolve({ answered: Promise.resolve() }) };
    this.#nextRound = round;
    round.outcome = this.#runRound(driver, round);
    return round.outcome;
  }

  async #runRound(driver: DriverPort, round: NextRound): Promise<OfferRoundOutcome> {
    let calls: OfferCall[];
    try {
      calls = await this.#opts.tracker.exclusive(() => {
        if (this.#nextRound === round) this.#nextRound = undefined;
        // A round persists every launch before its first ACCEPT goes out: 5,000 offers at once
        // kept all of them waiting for 25,000 launches. The rest go to the next round.
        if (round.offers.length > MAX_OFFERS_PER_ROUND) void this.#enqueue(driver, round.offers.splice(MAX_OFFERS_PER_ROUND));
        return this.#round(driver, round.offers);
      });
    } catch (err) {
      if (this.#nextRound === round) this.#nextRound = undefined;
      // Never sit on offers: whatever went wrong, hand them back briefly.
      this.#opts.logger.error({ err, offerIds: round.offers.map((o) => o.id.value) }, 'offer round failed; declining the offers');
      calls = [
        () =>
          this.#decline(
            driver,
            round.offers.map((o) => o.id.value),
            this.#opts.matchOptions?.starvedRefuseSeconds ?? 5,
          ),
      ];
    }
    this.#opts.demand.refresh();
    return { answered: Promise.all(calls.map((call) => call())).then(() => undefined) };
  }

  /** Matches and persists; returns the calls to make once the lock is released. */
  async #round(driver: DriverPort, offers: readonly Offer[]): Promise<OfferCall[]> {
    const { tracker, queue, logger } = this.#opts;
    const now = this.#opts.clock();
    const declineAll = (refuseSeconds: number): OfferCall[] => [
      () =>
        this.#decline(
          driver,
          offers.map((o) => o.id.value),
          refuseSeconds,
        ),
    ];
    const declineRefuse = this.#opts.matchOptions?.declineRefuseSeconds ?? DEFAULT_DECLINE_SECONDS;
    const launchable = this.#opts.queue.launchableGroups(now);
    if (launchable.length === 0) return declineAll(declineRefuse);
    // Asked before the groups are read: a paused round looks nothing up, nor moves the rotation on.
    if (this.#opts.flow?.mayLaunch() === false) return declineAll(PAUSED_REFUSE_SECONDS);
    const perAgent = this.#opts.matchOptions?.maxLaunchesPerAgent;
    const { groups, skipped } = await this.#pendingGroups(launchable, perAgent === undefined ? Number.POSITIVE_INFINITY : offers.length * perAgent);
    if (groups.length === 0) return declineAll(declineRefuse);
    // Apps left out of this round may fit what it leaves unused: those offers come back soon.
    const starved = this.#opts.matchOptions?.starvedRefuseSeconds ?? 5;
    const refuseFor = (seconds: number): number => (skipped ? Math.min(seconds, starved) : seconds);

    const byKey = new Map(groups.map((g) => [g.key, g]));
    let result: MatchResult;
    const matchStarted = performance.now();
    try {
      result = match({
        offers: offers as readonly MatchOffer[],
        requests: groups.map((g) => this.#request(g)),
        options: {
          ...this.#opts.matchOptions,
          seed: this.#opts.matchOptions?.seed ?? (this.#opts.drawSeed ?? drawRandomSeed)(),
          localRegion: this.#opts.localRegion?.() ?? this.#opts.matchOptions?.localRegion,
          now,
        },
      });
    } catch (err) {
      // Never sit on offers: hand them back briefly and try again with the next ones.
      logger.error({ err, offerIds: offers.map((o) => o.id.value) }, 'offer matching failed; declining the offers');
      return declineAll(this.#opts.matchOptions?.starvedRefuseSeconds ?? 5);
    }
    this.#opts.metrics?.matched(
      (performance.now() - matchStarted) / 1000,
      result.launches.reduce((sum, l) => sum + l.tasks.length, 0),
    );
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          offers: offers.length,
          requests: groups.map((g) => `${g.key}x${g.instances.length}`),
          launches: result.launches.length,
          outcomes: result.requests.map((r) => ({ key: r.key, placed: r.placed, reasons: r.diagnosis.reasonCounts })),
        },
        'offer round matched',
      );
    }
    for (const invalid of result.invalidRequests) {
      logger.error({ requestKey: invalid.key, err: invalid.error }, 'launch request rejected by the matcher');
    }
    for (const invalid of result.invalidOffers) {
      logger.warn({ offerId: invalid.offerId, err: invalid.error }, 'malformed offer declined');
    }
    for (const outcome of result.requests) {
      const group = byKey.get(outcome.key);
      if (group) queue.recordOutcome(group.app.id, outcome, now);
    }

    const offerByAgent = new Map(offers.map((o) => [o.agent_id.value, o]));
    const stagedAt = timestamp(now);
    const writes: InstanceWrite[] = [];
    const accepts: Array<{ offerIds: string[]; operations: OfferOperation[]; taskIds: string[]; refuseSeconds: number }> = [];
    const unusedOfferIds: string[] = [];
    for (const launch of result.launches) {
      const tasks: TaskInfo[] = [];
      const groupOperations: OfferOperation[] = [];
      const groupTaskIds: string[] = [];
      for (const placement of launch.tasks) {
        const group = byKey.get(placement.requestKey);
        const instance = group?.instances[placement.instanceIndex];
        if (!group || !instance) continue;
        const offer = offerByAgent.get(launch.agentId);
        if (group.pod !== undefined) {
          const pod = group.pod;
          const provisioned = this.#provisionPod(instance, group.app, pod, placement, offer, launch.allocationRole, now, stagedAt);
          try {
            const taskIds = provisioned.podTasks!.map((t) => t.taskId);
            const { executor, taskGroup } = buildTaskGroup({
              pod,
              instanceId: instance.instanceId,
              taskIds,
              agentId: placement.agentId,
              hostname: placement.hostname,
              ...(offer?.framework_id !== undefined ? { frameworkId: offer.framework_id.value } : {}),
              resources: placement.resources,
              hostPorts: placement.hostPorts,
              ...(this.#opts.envVarsPrefix !== undefined ? { envVarsPrefix: this.#opts.envVarsPrefix } : {}),
            });
            groupOperations.push({ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: taskGroup } });
            groupTaskIds.push(...taskIds);
            writes.push({ put: provisioned });
          } catch (err) {
            logger.error({ err, podId: pod.id, instanceId: instance.instanceId }, 'cannot build the task group; instance stays scheduled');
          }
          continue;
        }
        const provisioned = this.#provision(instance, group.app, placement, offer, launch.allocationRole, now, stagedAt);
        try {
          tasks.push(
            buildTaskInfo({
              app: group.app,
              taskId: provisioned.taskId!,
              agentId: placement.agentId,
              hostname: placement.hostname,
              resources: placement.resources,
              hostPorts: placement.hostPorts,
              ...(this.#opts.envVarsPrefix !== undefined ? { envVarsPrefix: this.#opts.envVarsPrefix } : {}),
            }),
          );
          writes.push({ put: provisioned });
        } catch (err) {
          logger.error({ err, appId: group.app.id, instanceId: instance.instanceId }, 'cannot build TaskInfo; instance stays scheduled');
        }
      }
      const operations: OfferOperation[] = [...(tasks.length > 0 ? [{ type: 'LAUNCH' as const, launch: { task_infos: tasks } }] : []), ...groupOperations];
      const taskIds = [...tasks.map((t) => t.task_id.value), ...groupTaskIds];
      if (operations.length > 0) accepts.push({ offerIds: launch.offerIds, operations, taskIds, refuseSeconds: launch.refuseSeconds });
      else unusedOfferIds.push(...launch.offerIds);
    }

    // Write-ahead: a crash after this line finds Provisioned instances and reconciles them.
    try {
      await tracker.commit(writes);
    } catch (err) {
      // Nothing was launched and the instances are still Scheduled: give the offers back soon.
      logger.error({ err, offers: offers.length, instances: writes.length }, 'cannot persist provisioned instances; declining the offers');
      return declineAll(this.#opts.matchOptions?.starvedRefuseSeconds ?? 5);
    }

    return [
      ...accepts.map((a) => async () => {
        try {
          await driver.accept(
            a.offerIds.map((value) => ({ value })),
            a.operations,
            { refuse_seconds: a.refuseSeconds },
          );
          this.#opts.metrics?.offersUsed(a.offerIds.length);
          this.#opts.metrics?.launched(a.taskIds.length);
          const agentId = a.operations[0]?.launch?.task_infos?.[0]?.agent_id.value ?? a.operations[0]?.launch_group?.task_group.tasks?.[0]?.agent_id.value;
          logger.info(
            { offerIds: a.offerIds, agentId, taskIds: a.taskIds, taskGroups: a.operations.filter((o) => o.type === 'LAUNCH_GROUP').length },
            'offers accepted; tasks launched',
          );
        } catch (err) {
          // Ambiguous: the master may have taken it. Reconciliation and the launch timeout settle it.
          logger.error({ err, offerIds: a.offerIds }, 'ACCEPT failed');
        }
      }),
      ...result.declines.map((d) => () => this.#decline(driver, d.offerIds, refuseFor(d.refuseSeconds))),
      ...(unusedOfferIds.length > 0 ? [() => this.#decline(driver, unusedOfferIds, this.#opts.matchOptions?.starvedRefuseSeconds ?? 5)] : []),
    ];
  }

  /**
   * The waiting groups for a round (from `launchable`, never empty), as many as its offers can take: at most `budget` instances
   * (offers × --max_instances_per_offer), starting after the last group the previous round took.
   * A round then costs what it can launch rather than every app that waits, and the rotation
   * lets every app come first in turn, so one that fits nowhere does not hold the others back.
   */
  async #pendingGroups(launchable: readonly LaunchableGroup[], budget: number): Promise<{ groups: PendingGroup[]; skipped: boolean }> {
    const start = this.#nextGroup % launchable.length;
    const groups: PendingGroup[] = [];
    let wanted = 0;
    let taken = 0;
    for (; taken < launchable.length && wanted < budget; taken++) {
      const { key, appId, version } = launchable[(start + taken) % launchable.length]!;
      const current = this.#opts.apps.app(appId);
      const app = current?.version === version ? current : await this.#opts.apps.appVersion(appId, version);
      if (!app) {
        this.#opts.logger.warn({ appId, version }, 'no app definition for waiting instances; not launching them');
        continue;
      }
      const pod = await this.#podAt(appId, version);
      // Read after the lookups, which may have yielded; the lock keeps others from changing these.
      const instances = this.#opts.queue.waitingAt(appId, version, budget - wanted);
      if (instances.length > 0) {
        groups.push({ key, app, ...(pod !== undefined ? { pod } : {}), instances });
        wanted += instances.length;
      }
    }
    this.#nextGroup = start + taken;
    return { groups, skipped: taken < launchable.length };
  }

  async #podAt(id: string, version: string): Promise<PodDefinition | undefined> {
    const lookup = this.#opts.apps;
    if (lookup.pod === undefined) return undefined;
    const current = lookup.pod(id);
    if (current?.version === version) return current;
    return lookup.podVersion?.(id, version);
  }

  #request(group: PendingGroup): LaunchRequest {
    const { app } = group;
    // A pod instance is one placement: the run-spec view holds the summed resources; its host
    // ports are those of its endpoints.
    const ports = group.pod !== undefined ? podPortRequests(group.pod) : portRequests(app);
    const avoidPorts = this.#opts.failedPorts?.of(app.id);
    // Only constraints such as UNIQUE or GROUP_BY need to know where instances are; the
    // placements are kept as instances change, never rebuilt from all of them per round.
    const placed = this.#placementsMatter(app.constraints) ? this.#placed.of(app.id) : undefined;
    return {
      key: group.key,
      count: group.instances.length,
      cpus: app.cpus,
      mem: app.mem,
      disk: app.disk,
      gpus: app.gpus,
      ports: ports.ports,
      requirePorts: ports.requirePorts,
      constraints: app.constraints,
      role: app.role,
      ...(app.acceptedResourceRoles !== undefined ? { acceptedResourceRoles: app.acceptedResourceRoles } : {}),
      labels: app.labels,
      ...(placed !== undefined ? { placed } : {}),
      ...(avoidPorts !== undefined ? { avoidPorts } : {}),
    };
  }

  #placementsMatter(constraints: AppDefinition['constraints']): boolean {
    if (constraints.length === 0) return false;
    let needs = this.#needsPlaced.get(constraints);
    if (needs === undefined) {
      needs = needsPlacedInstances(constraints);
      this.#needsPlaced.set(constraints, needs);
    }
    return needs;
  }

  #provision(
    instance: Instance,
    app: AppDefinition,
    placement: TaskPlacement,
    offer: Offer | undefined,
    allocationRole: string | undefined,
    now: number,
    stagedAt: string,
  ): Instance {
    const incarnation = instance.incarnation + 1;
    const region = offer?.domain?.fault_domain?.region.name;
    const zone = offer?.domain?.fault_domain?.zone.name;
    return {
      ...instance,
      condition: 'Provisioned',
      since: now,
      taskId: taskIdOf(instance.instanceId, incarnation),
      incarnation,
      agentId: placement.agentId,
      hostname: placement.hostname,
      ...(region !== undefined ? { region } : {}),
      ...(zone !== undefined ? { zone } : {}),
      // Stored as text in Marathon's formatting so constraint counters read the same values later.
      agentAttributes: (offer?.attributes ?? []).map((a) => ({ name: a.name, value: formatAttribute(a) })),
      hostPorts: [...placement.hostPorts],
      role: allocationRole ?? app.role,
      ipAddresses: [],
      stagedAt,
    };
  }

  #provisionPod(
    instance: Instance,
    app: AppDefinition,
    pod: PodDefinition,
    placement: TaskPlacement,
    offer: Offer | undefined,
    allocationRole: string | undefined,
    now: number,
    stagedAt: string,
  ): Instance {
    const base = this.#provision(instance, app, placement, offer, allocationRole, now, stagedAt);
    const endpoints = podEndpoints(pod);
    const hostPorts = endpointHostPorts(pod, placement.hostPorts);
    const podTasks = pod.containers.map((container): PodTask => ({
      containerName: container.name,
      taskId: podTaskIdOf(instance.instanceId, container.name, base.incarnation),
      condition: 'Provisioned',
      healthChecked: container.healthCheck !== undefined,
      hostPorts: endpoints.flatMap((e, i) => (e.container === container && hostPorts[i] !== undefined ? [hostPorts[i]] : [])),
    }));
    return { ...base, taskId: podTasks[0]?.taskId, podTasks, executorId: executorIdOf(instance.instanceId) };
  }

  async #decline(driver: DriverPort, offerIds: readonly string[], refuseSeconds: number): Promise<void> {
    if (offerIds.length === 0) return;
    try {
      await driver.decline(
        offerIds.map((value) => ({ value })),
        { refuse_seconds: refuseSeconds },
      );
      this.#opts.metrics?.offersDeclined(offerIds.length);
    } catch (err) {
      this.#opts.logger.warn({ err, offerIds }, 'DECLINE failed');
    }
  }
}

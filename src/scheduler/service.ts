/**
 * The orchestrator behind the Marathon REST facade (Marathon's GroupManager plus the deployment
 * side of its scheduler service). Every root change is serialised: compute the target, assign
 * service ports and versions, validate, plan, check locks, persist root + app versions + plan in
 * one store batch, then start the plan. Also the AppLookup the core reads app definitions from.
 */
import type { Logger } from 'pino';
import type { Store } from '../state/store.js';
import {
  ServiceError,
  type AppDefinition,
  type AppLookup,
  type DeploymentPlan,
  type EventBus,
  type FrameworkStatus,
  type HealthView,
  type Instance,
  type InstanceTracker,
  type LaunchQueue,
  type PacerService,
  type PodDefinition,
  type QueueEntry,
  type RootGroup,
  type RootHistory,
  type Timestamp,
  type UpdateOptions,
  ACTIVE_CONDITIONS,
  timestamp,
} from './contracts.js';
import { groupChangeFailedEvent, groupChangeSuccessEvent } from './deployments/events.js';
import { DeploymentManager, type DeploymentOutcome, type StoredDeployment } from './deployments/manager.js';
import { computePlan, snapshotPlan, type Deployment } from './deployments/plan.js';
import type { ReadinessView } from './deployments/readiness.js';
import { revertDeployment } from './deployments/revert.js';
import {
  DEFAULT_MAX_VERSIONS,
  appVersionKey,
  loadGroups,
  loadRootVersion,
  purgeAppVersions,
  rootChangeWrites,
  type VersionIndexes,
} from './groups/persistence.js';
import { StoredRootHistory } from './groups/history.js';
import { emptyRootGroup, parentId, putPod, removePod, ROOT_ID } from '../model/groups/root-group.js';
import { podRunSpec } from './pods/run-spec.js';
import { assignServicePorts, DEFAULT_LOCAL_PORT_RANGE, type PortRange } from './groups/service-ports.js';
import { validateRootGroup } from './groups/validation.js';
import { assignVersions } from '../model/groups/versioning.js';

export const DEFAULT_MAX_RUNNING_DEPLOYMENTS = 100;

/** What the service needs from the core: the contract's parts plus a task kill that keeps the goal. */
export interface PacerCore {
  readonly instances: InstanceTracker;
  readonly launchQueue: LaunchQueue;
  readonly health: HealthView;
  framework(): FrameworkStatus;
  queue(now: number): readonly QueueEntry[];
  /**
   * Kills the instances' current tasks without changing their goal, so the core relaunches them
   * (Marathon's kill without scale or wipe). Optional until the core provides it.
   */
  killTasks?(instanceIds: readonly string[], reason: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface PacerServiceOptions {
  store: Store;
  core: PacerCore;
  events: EventBus;
  logger: Logger;
  clock?: Clock;
  /** `--max_running_deployments`, default 100. */
  maxRunningDeployments?: number;
  /** `--local_port_min` / `--local_port_max`, default [10000, 20000]. */
  localPortRange?: PortRange;
  /** Versions kept per app and of the root (Marathon's `--zk_max_versions`, 50). */
  maxVersions?: number;
  readiness?: ReadinessView;
  /** Safety re-check period of running deployment actions (ms); 0 disables it. */
  recheckIntervalMs?: number;
}

/** `UpdateOptions` plus the group the change is about (reported in group_change_* events). */
export interface ServiceUpdateOptions extends UpdateOptions {
  groupId?: string;
}

interface RootChange {
  change: (root: RootGroup, version: Timestamp) => RootGroup;
  opts: ServiceUpdateOptions;
  restarts?: ReadonlySet<string>;
  sentenced?: ReadonlyMap<string, readonly string[]>;
  /** Plans to cancel along with the conflicting ones (a revert replaces its deployment). */
  alsoCancel?: readonly string[];
}

export function tooManyDeploymentsMessage(max: number): string {
  return (
    `Max number (${max}) of running deployments is achieved. Wait for existing deployments to complete or cancel one` +
    'using force=true parameter. You can increase max deployment number by using --max_running_deployments parameter ' +
    'but be advised that this can have negative effects on the performance.'
  );
}

export const APP_LOCKED_MESSAGE =
  "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.";

export class PacerServiceImpl implements PacerService, AppLookup {
  readonly events: EventBus;
  readonly instances: InstanceTracker;
  readonly health: HealthView;
  readonly rootHistory: RootHistory;

  readonly #opts: PacerServiceOptions;
  readonly #store: Store;
  readonly #core: PacerCore;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #maxRunning: number;
  readonly #maxVersions: number;
  readonly #portRange: PortRange;
  #root: RootGroup = emptyRootGroup();
  #indexes: VersionIndexes = { appVersions: new Map(), podVersions: new Map(), groupVersions: [] };
  #manager: DeploymentManager | undefined;
  /** Root changes run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PacerServiceOptions) {
    this.#opts = opts;
    this.#store = opts.store;
    this.#core = opts.core;
    this.events = opts.events;
    this.instances = opts.core.instances;
    this.health = opts.core.health;
    this.#logger = opts.logger;
    this.#clock = opts.clock ?? { now: Date.now };
    this.#maxRunning = opts.maxRunningDeployments ?? DEFAULT_MAX_RUNNING_DEPLOYMENTS;
    this.#maxVersions = opts.maxVersions ?? DEFAULT_MAX_VERSIONS;
    this.#portRange = opts.localPortRange ?? DEFAULT_LOCAL_PORT_RANGE;
    this.rootHistory = new StoredRootHistory(this.#store, {
      current: () => this.#root,
      storedVersions: () => this.#indexes.groupVersions,
    });
  }

  /** Loads the root, versions and running deployments from the store and resumes the latter. */
  async start(): Promise<void> {
    const loaded = await loadGroups(this.#store);
    this.#root = loaded.root;
    this.#indexes = loaded.indexes;
    this.#manager = new DeploymentManager({
      store: this.#store,
      instances: this.#core.instances,
      launchQueue: this.#core.launchQueue,
      health: this.#core.health,
      readiness: this.#opts.readiness,
      events: this.events,
      logger: this.#logger,
      now: () => this.#clock.now(),
      recheckIntervalMs: this.#opts.recheckIntervalMs,
      onFinished: (deployment, outcome) => this.#afterDeployment(deployment, outcome),
    });
    const stored = await this.#store.list<StoredDeployment>('deployments');
    for (const { value } of stored) await this.#resume(value);
    this.#logger.info(
      { apps: this.#root.apps.size, pods: this.#root.pods.size, version: this.#root.version, resumedDeployments: stored.length },
      'groups loaded',
    );
  }

  /** Halts running deployments (they stay persisted and resume on the next start). */
  async stop(): Promise<void> {
    this.#manager?.stop();
    await this.#queue.catch(() => {});
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  root(): RootGroup {
    return this.#root;
  }

  app(id: string): AppDefinition | undefined {
    return this.#root.apps.get(id);
  }

  appVersions(id: string): Timestamp[] {
    if (!this.#root.apps.has(id)) return [];
    return [...(this.#indexes.appVersions.get(id) ?? [])];
  }

  async appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    const current = this.#root.apps.get(id);
    if (current?.version === version) return current;
    return this.#store.get<AppDefinition>('appVersions', appVersionKey(id, version));
  }

  // -------------------------------------------------------------------------------------------
  // Run specs as the core reads them (AppLookup): apps, and pods through their run-spec view

  /** The app, or the run-spec view of the pod, with this id. */
  runSpec(id: string): AppDefinition | undefined {
    const app = this.#root.apps.get(id);
    if (app !== undefined) return app;
    const pod = this.#root.pods.get(id);
    return pod !== undefined ? podRunSpec(pod) : undefined;
  }

  async runSpecVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    if (this.#root.pods.has(id) || this.#indexes.podVersions.has(id)) {
      const pod = await this.podVersion(id, version);
      return pod !== undefined ? podRunSpec(pod) : undefined;
    }
    return this.appVersion(id, version);
  }

  /** The AppLookup the core reads (apps and pods). */
  readonly runSpecs = {
    app: (id: string): AppDefinition | undefined => this.runSpec(id),
    appVersion: (id: string, version: Timestamp): Promise<AppDefinition | undefined> => this.runSpecVersion(id, version),
    pod: (id: string): PodDefinition | undefined => this.pod(id),
    podVersion: (id: string, version: Timestamp): Promise<PodDefinition | undefined> => this.podVersion(id, version),
  };

  // -------------------------------------------------------------------------------------------
  // Pods

  pod(id: string): PodDefinition | undefined {
    return this.#root.pods.get(id);
  }

  pods(): readonly PodDefinition[] {
    return [...this.#root.pods.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  podVersions(id: string): Timestamp[] {
    if (!this.#root.pods.has(id)) return [];
    return [...(this.#indexes.podVersions.get(id) ?? [])];
  }

  async podVersion(id: string, version: Timestamp): Promise<PodDefinition | undefined> {
    const current = this.#root.pods.get(id);
    if (current?.version === version) return current;
    // The offer path asks this of every waiting app in every round: an id that never was a pod
    // needs no read of the store.
    if (current === undefined && !this.#indexes.podVersions.has(id)) return undefined;
    return this.#store.get<PodDefinition>('podVersions', appVersionKey(id, version));
  }

  createPod(pod: PodDefinition, opts: ServiceUpdateOptions): Promise<DeploymentPlan> {
    return this.#serial(() => {
      if (this.#root.pods.has(pod.id)) throw new ServiceError(409, `Pod ${pod.id} already exists.`);
      return this.#applyChange({ change: (root) => putPod(root, pod), opts: { groupId: parentId(pod.id), ...opts } });
    });
  }

  updatePod(pod: PodDefinition, opts: ServiceUpdateOptions): Promise<DeploymentPlan> {
    return this.#serial(() => this.#applyChange({ change: (root) => putPod(root, pod), opts: { groupId: parentId(pod.id), ...opts } }));
  }

  deletePod(id: string, opts: ServiceUpdateOptions): Promise<DeploymentPlan> {
    return this.#serial(() => {
      if (!this.#root.pods.has(id)) throw new ServiceError(404, `Pod '${id}' does not exist`);
      return this.#applyChange({ change: (root) => removePod(root, id), opts: { groupId: parentId(id), ...opts } });
    });
  }

  podInstances(id: string): readonly Instance[] {
    return this.instances.ofApp(id);
  }

  async killPodInstances(podId: string, instanceIds: readonly string[], opts: { wipe: boolean }): Promise<readonly Instance[]> {
    if (!this.#root.pods.has(podId)) throw new ServiceError(404, `Pod '${podId}' does not exist`);
    const killed = [...new Set(instanceIds)].flatMap((id) => {
      const instance = this.instances.get(id);
      return instance !== undefined && instance.appId === podId ? [instance] : [];
    });
    if (killed.length === 0) return [];
    const ids = killed.map((i) => i.instanceId);
    if (opts.wipe) {
      await this.instances.setGoal(ids, 'Decommissioned', 'pod instances killed via API with wipe');
      await this.#replaceWiped([podId]);
    } else {
      if (this.#core.killTasks === undefined) throw new ServiceError(503, 'Killing instances is not available');
      // Goal stays Running: each instance is replaced as a whole once its tasks have ended.
      await this.#core.killTasks(ids, 'pod instances killed via API');
    }
    return killed;
  }

  deploymentsOfPod(podId: string): readonly DeploymentPlan[] {
    return this.deployments().filter((p) => p.affectedPods.includes(podId));
  }

  deployments(): readonly DeploymentPlan[] {
    return this.#requireManager().list().map(snapshotPlan);
  }

  deploymentsOf(appId: string): readonly DeploymentPlan[] {
    // Copy only the plans asked for: a deployment may hold a thousand apps.
    return this.#requireManager()
      .list()
      .filter((p) => p.affectedApps.includes(appId))
      .map(snapshotPlan);
  }

  queue(now: number): readonly QueueEntry[] {
    return this.#core.queue(now);
  }

  framework(): FrameworkStatus {
    return this.#core.framework();
  }

  /** Resolves when the deployment has ended (for tests and graceful tooling). */
  whenDeploymentFinished(id: string): Promise<DeploymentOutcome> {
    return this.#requireManager().whenFinished(id);
  }

  // -------------------------------------------------------------------------------------------
  // Changes

  updateRoot(change: (root: RootGroup, version: Timestamp) => RootGroup, opts: ServiceUpdateOptions): Promise<DeploymentPlan> {
    return this.#serial(() => this.#applyChange({ change, opts }));
  }

  restartApp(id: string, opts: ServiceUpdateOptions): Promise<DeploymentPlan> {
    return this.#serial(() => {
      if (!this.#root.apps.has(id)) throw new ServiceError(404, `App '${id}' does not exist`);
      return this.#applyChange({ change: (root) => root, opts: { groupId: parentId(id), ...opts }, restarts: new Set([id]) });
    });
  }

  async killInstances(instanceIds: readonly string[], opts: { scale: boolean; wipe: boolean; force: boolean }): Promise<DeploymentPlan | undefined> {
    if (opts.scale && opts.wipe) throw new ServiceError(400, 'You cannot use scale and wipe at the same time.');
    const byApp = new Map<string, string[]>();
    for (const id of new Set(instanceIds)) {
      const instance = this.instances.get(id);
      if (instance === undefined) continue;
      byApp.set(instance.appId, [...(byApp.get(instance.appId) ?? []), id]);
    }
    if (opts.scale) return this.#killAndScale(byApp, opts.force);
    const all = [...byApp.values()].flat();
    if (all.length === 0) return undefined;
    if (opts.wipe) {
      await this.instances.setGoal(all, 'Decommissioned', 'killed via API with wipe');
      await this.#replaceWiped([...byApp.keys()]);
      return undefined;
    }
    if (this.#core.killTasks === undefined) throw new ServiceError(503, 'Killing tasks without scale or wipe is not available');
    await this.#core.killTasks(all, 'killed via API');
    return undefined;
  }

  cancelDeployment(id: string, opts: { force: boolean }): Promise<DeploymentPlan | undefined> {
    return this.#serial(async () => {
      const manager = this.#requireManager();
      const deployment = manager.get(id);
      if (deployment === undefined) throw new ServiceError(404, `DeploymentPlan ${id} does not exist`);
      if (opts.force) {
        await manager.cancel(id, { deleteRecord: true });
        return undefined;
      }
      return this.#applyChange({
        change: revertDeployment(deployment.original, deployment.target),
        opts: { force: true, groupId: ROOT_ID },
        alsoCancel: [id],
      });
    });
  }

  resetDelay(appId: string): boolean {
    const queued = this.#core.queue(this.#clock.now()).some((entry) => entry.app.id === appId);
    if (queued) this.#core.launchQueue.resetDelay(appId);
    return queued;
  }

  // -------------------------------------------------------------------------------------------

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => {});
    return result;
  }

  #requireManager(): DeploymentManager {
    if (this.#manager === undefined) throw new ServiceError(503, 'Pacer is starting; try again shortly');
    return this.#manager;
  }

  /** Versions are the clock's time, strictly increasing so each root version has its own key. */
  #nextVersion(): Timestamp {
    const last = Date.parse(this.#root.version);
    return timestamp(Math.max(this.#clock.now(), last + 1));
  }

  async #applyChange(request: RootChange): Promise<DeploymentPlan> {
    const manager = this.#requireManager();
    const { opts } = request;
    const groupId = opts.groupId ?? ROOT_ID;
    const version = this.#nextVersion();
    try {
      if (!opts.dryRun && manager.size >= this.#maxRunning) {
        throw new ServiceError(403, tooManyDeploymentsMessage(this.#maxRunning));
      }
      const from = this.#root;
      const changed = request.change(from, version);
      const withPorts = assignServicePorts(from, changed, this.#portRange);
      const target = assignVersions(from, withPorts, version, request.restarts);
      validateRootGroup(target);
      const deployment = computePlan(from, target, { restarts: request.restarts, sentenced: request.sentenced });
      if (opts.dryRun) return snapshotPlan(deployment.plan);

      const alsoCancel = new Set(request.alsoCancel ?? []);
      const conflicts = manager.conflictsWith(deployment.plan).filter((d) => !alsoCancel.has(d.plan.id));
      if (conflicts.length > 0 && !opts.force) {
        throw new ServiceError(409, APP_LOCKED_MESSAGE, { deployments: conflicts.map((d) => ({ id: d.plan.id })) });
      }
      const cancelled = [...conflicts.map((d) => d.plan.id), ...alsoCancel].filter((id) => manager.get(id) !== undefined);

      const keep = new Set<Timestamp>();
      for (const plan of manager.list()) {
        if (cancelled.includes(plan.id)) continue;
        const running = manager.get(plan.id);
        if (running !== undefined) keep.add(running.original.version).add(running.target.version);
      }
      keep.add(from.version);
      const { writes, indexes } = rootChangeWrites(from, target, this.#indexes, keep, this.#maxVersions);
      writes.push(manager.recordWrite(deployment));
      for (const id of cancelled) writes.push({ op: 'delete', collection: 'deployments', key: id });
      await this.#store.apply(writes);

      this.#root = target;
      this.#indexes = indexes;
      for (const id of cancelled) await manager.cancel(id, { deleteRecord: false });
      this.#logger.info(
        { deploymentId: deployment.plan.id, version, affectedApps: deployment.plan.affectedApps, affectedPods: deployment.plan.affectedPods, cancelled },
        'root group updated',
      );
      this.events.publish(groupChangeSuccessEvent(groupId, version, this.#clock.now()));
      const accepted = snapshotPlan(deployment.plan);
      manager.launch(deployment);
      return accepted;
    } catch (err) {
      if (!opts.dryRun) {
        const reason = err instanceof Error ? err.message : String(err);
        this.events.publish(groupChangeFailedEvent(groupId, version, reason, this.#clock.now()));
      }
      throw err;
    }
  }

  async #killAndScale(byApp: ReadonlyMap<string, string[]>, force: boolean): Promise<DeploymentPlan> {
    return this.#serial(() => {
      for (const appId of byApp.keys()) {
        if (!this.#root.apps.has(appId)) throw new ServiceError(404, `App '${appId}' does not exist`);
      }
      const change = (root: RootGroup): RootGroup => {
        const apps = new Map(root.apps);
        for (const [appId, ids] of byApp) {
          const app = apps.get(appId);
          if (app === undefined) continue;
          // Only instances that are alive and not already being killed lower the count.
          const killed = ids.filter((id) => {
            const instance = this.instances.get(id);
            return instance !== undefined && ACTIVE_CONDITIONS.has(instance.condition) && instance.condition !== 'Killing';
          }).length;
          apps.set(appId, { ...app, instances: Math.max(0, app.instances - killed) });
        }
        return { ...root, apps };
      };
      return this.#applyChange({ change, opts: { force, groupId: ROOT_ID }, sentenced: byApp });
    });
  }

  /**
   * Wiped instances are gone for good; Marathon's periodic scale check replaces them. Pacer does
   * it at once for apps no deployment is working on (a running one tops up by itself).
   */
  async #replaceWiped(appIds: readonly string[]): Promise<void> {
    const manager = this.#requireManager();
    for (const appId of appIds) {
      const app = this.runSpec(appId);
      if (app === undefined || manager.list().some((p) => p.affectedApps.includes(appId) || p.affectedPods.includes(appId))) continue;
      const wanted = this.instances.ofApp(appId).filter((i) => i.goal === 'Running').length;
      if (wanted < app.instances) await this.#core.launchQueue.add(app, app.instances - wanted);
    }
  }

  async #resume(stored: StoredDeployment): Promise<void> {
    const manager = this.#requireManager();
    const original = await loadRootVersion(this.#store, stored.originalVersion, this.#root);
    const target = (await loadRootVersion(this.#store, stored.targetVersion, this.#root)) ?? this.#root;
    if (original === undefined) {
      this.#logger.error({ deploymentId: stored.id }, 'cannot resume deployment: its original root version is gone; dropping it');
      await this.#store.apply([{ op: 'delete', collection: 'deployments', key: stored.id }]);
      return;
    }
    const deployment: Deployment = {
      plan: {
        id: stored.id,
        version: stored.version,
        affectedApps: [...stored.affectedApps],
        affectedPods: [...(stored.affectedPods ?? [])],
        steps: stored.steps,
        currentStep: 0,
        currentActions: [],
      },
      original,
      target,
      sentenced: new Map(Object.entries(stored.sentenced)),
    };
    this.#logger.info({ deploymentId: stored.id, affectedApps: stored.affectedApps, affectedPods: stored.affectedPods }, 'resuming deployment');
    manager.launch(deployment);
  }

  #afterDeployment(deployment: Deployment, outcome: DeploymentOutcome): void {
    if (outcome === 'stopped') return;
    // Deferred: a cancelled plan is replaced by its successor right after this call.
    setImmediate(() => this.#purgeRemovedApps(deployment));
  }

  #purgeRemovedApps(deployment: Deployment): void {
    const running = this.#manager?.list() ?? [];
    const removed = deployment.plan.affectedApps.filter((appId) => !this.#root.apps.has(appId) && !running.some((p) => p.affectedApps.includes(appId)));
    for (const appId of removed) this.#indexes.appVersions.delete(appId);
    purgeAppVersions(this.#store, removed, this.#indexes.groupVersions).catch((err: unknown) =>
      this.#logger.warn({ err, appIds: removed }, 'could not delete the versions of removed apps'),
    );
    const removedPods = deployment.plan.affectedPods.filter((id) => !this.#root.pods.has(id) && !running.some((p) => p.affectedPods.includes(id)));
    for (const id of removedPods) this.#indexes.podVersions.delete(id);
    purgeAppVersions(this.#store, removedPods, this.#indexes.groupVersions, 'pods').catch((err: unknown) =>
      this.#logger.warn({ err, podIds: removedPods }, 'could not delete the versions of removed pods'),
    );
  }
}

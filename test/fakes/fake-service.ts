/**
 * An in-memory PacerService for the REST facade's unit tests. It keeps real state (root group,
 * app versions, instances, deployments) and applies Marathon's rules the facade relies on:
 * version stamping, service port assignment, 409 locks unless forced, plans with Marathon's
 * step shapes. It launches nothing: deployments stay "running" until a test finishes them.
 */
import { randomUUID } from 'node:crypto';
import { isConfigChange } from '../../src/model/apps/index.js';
import {
  ServiceError,
  timestamp,
  type AppDefinition,
  type DeploymentAction,
  type DeploymentPlan,
  type FrameworkStatus,
  type Goal,
  type HealthCheckResult,
  type HealthView,
  type Instance,
  type InstanceChange,
  type InstanceTracker,
  type PacerService,
  type QueueEntry,
  type RootGroup,
  type Timestamp,
  type UpdateOptions,
} from '../../src/scheduler/contracts.js';
import { LocalEventBus } from '../../src/scheduler/event-bus.js';

export const LOCK_MESSAGE =
  "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.";

export class FakeInstanceTracker implements InstanceTracker {
  readonly #byId = new Map<string, Instance>();
  readonly #listeners = new Set<(change: InstanceChange) => void>();
  readonly goals: Array<{ instanceIds: string[]; goal: Goal; reason: string }> = [];

  all(): readonly Instance[] {
    return [...this.#byId.values()];
  }
  ofApp(appId: string): readonly Instance[] {
    return this.all().filter((i) => i.appId === appId);
  }
  get(instanceId: string): Instance | undefined {
    return this.#byId.get(instanceId);
  }
  onChange(listener: (change: InstanceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async setGoal(instanceIds: readonly string[], goal: Goal, reason: string): Promise<void> {
    this.goals.push({ instanceIds: [...instanceIds], goal, reason });
    for (const id of instanceIds) {
      const current = this.#byId.get(id);
      if (current !== undefined) this.put({ ...current, goal });
    }
  }
  put(instance: Instance): void {
    const previous = this.#byId.get(instance.instanceId);
    this.#byId.set(instance.instanceId, instance);
    for (const l of this.#listeners) l({ instance, previous, expunged: false });
  }
  expunge(instanceId: string): void {
    const previous = this.#byId.get(instanceId);
    if (previous === undefined) return;
    this.#byId.delete(instanceId);
    for (const l of this.#listeners) l({ instance: previous, previous, expunged: true });
  }
}

export class FakeHealthView implements HealthView {
  readonly healthy = new Map<string, boolean>();
  readonly results = new Map<string, HealthCheckResult[]>();

  healthOf(instance: Instance, app: AppDefinition): boolean | undefined {
    if (app.healthChecks.length === 0) return undefined;
    return this.healthy.get(instance.instanceId);
  }
  resultsOf(instanceId: string): readonly HealthCheckResult[] {
    return this.results.get(instanceId) ?? [];
  }
  onChange(): () => void {
    return () => {};
  }
}

export interface KillCall {
  instanceIds: string[];
  scale: boolean;
  wipe: boolean;
  force: boolean;
}

function emptyRoot(version: Timestamp): RootGroup {
  return { apps: new Map(), root: { id: '/', apps: [], groups: [], dependencies: [], version }, version };
}

export class FakePacerService implements PacerService {
  readonly events = new LocalEventBus();
  readonly instances = new FakeInstanceTracker();
  readonly health = new FakeHealthView();
  readonly kills: KillCall[] = [];
  readonly delayResets: string[] = [];
  queueEntries: QueueEntry[] = [];
  frameworkStatus: FrameworkStatus = { frameworkId: 'fw-0000', master: 'http://127.0.0.1:5050/api/v1/scheduler', subscribed: true };

  #now: () => number;
  #lastVersionMs = 0;
  #root: RootGroup;
  readonly #versions = new Map<string, Map<Timestamp, AppDefinition>>();
  #running: DeploymentPlan[] = [];
  #nextServicePort = 10000;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#root = emptyRoot(timestamp(0));
  }

  root(): RootGroup {
    return this.#root;
  }
  app(id: string): AppDefinition | undefined {
    return this.#root.apps.get(id);
  }
  appVersions(id: string): Timestamp[] {
    return [...(this.#versions.get(id)?.keys() ?? [])].sort().reverse();
  }
  async appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    return this.#versions.get(id)?.get(version);
  }
  deployments(): readonly DeploymentPlan[] {
    return this.#running;
  }
  deploymentsOf(appId: string): readonly DeploymentPlan[] {
    return this.#running.filter((d) => d.affectedApps.includes(appId));
  }
  queue(): readonly QueueEntry[] {
    return this.queueEntries;
  }
  framework(): FrameworkStatus {
    return this.frameworkStatus;
  }

  /** Versions strictly increase even when the test clock stands still. */
  #nextVersion(): Timestamp {
    this.#lastVersionMs = Math.max(this.#now(), this.#lastVersionMs + 1);
    return timestamp(this.#lastVersionMs);
  }

  async updateRoot(change: (root: RootGroup, version: Timestamp) => RootGroup, opts: UpdateOptions): Promise<DeploymentPlan> {
    return this.#deploy(change, opts, new Set());
  }

  async #deploy(
    change: (root: RootGroup, version: Timestamp) => RootGroup,
    opts: UpdateOptions,
    restarts: ReadonlySet<string>,
  ): Promise<DeploymentPlan> {
    const version = this.#nextVersion();
    const before = this.#root;
    const proposed = change(before, version);
    const apps = new Map<string, AppDefinition>();
    const actions: DeploymentAction[][] = [[], [], []];
    for (const [id, app] of proposed.apps) {
      const previous = before.apps.get(id);
      const stamped = this.#stamp(this.#withServicePorts(app), previous, version, restarts.has(id));
      apps.set(id, stamped);
      if (previous === undefined) {
        actions[0]!.push({ action: 'StartApplication', app: id });
        actions[1]!.push({ action: 'ScaleApplication', app: id });
      } else if (restarts.has(id) || isConfigChange(previous, stamped)) {
        actions[1]!.push({ action: 'RestartApplication', app: id });
      } else if (previous.instances !== stamped.instances) {
        actions[1]!.push({ action: 'ScaleApplication', app: id });
      }
    }
    const stops = [...before.apps.keys()].filter((id) => !apps.has(id)).map((id) => ({ action: 'StopApplication' as const, app: id }));
    const steps = [stops, ...actions].filter((s) => s.length > 0).map((s) => ({ actions: s }));
    const affected = [...new Set(steps.flatMap((s) => s.actions.map((a) => a.app)))];
    const plan: DeploymentPlan = { id: randomUUID(), version, affectedApps: affected, steps, currentStep: 0, currentActions: [] };
    if (opts.dryRun === true) return plan;

    const conflicting = this.#running.filter((d) => d.affectedApps.some((a) => affected.includes(a)));
    if (conflicting.length > 0 && !opts.force) {
      throw new ServiceError(409, LOCK_MESSAGE, { deployments: conflicting.map((d) => ({ id: d.id })) });
    }
    this.#running = this.#running.filter((d) => !conflicting.includes(d));
    this.#root = { apps, root: proposed.root, version };
    for (const [id, app] of apps) {
      if (app.version === undefined) continue;
      const versions = this.#versions.get(id) ?? new Map<Timestamp, AppDefinition>();
      versions.set(app.version, app);
      this.#versions.set(id, versions);
    }
    for (const id of before.apps.keys()) if (!apps.has(id)) this.#versions.delete(id);
    if (steps.length > 0) this.#running.push(plan);
    return plan;
  }

  #withServicePorts(app: AppDefinition): AppDefinition {
    const portDefinitions = app.portDefinitions.map((p) => (p.port === 0 ? { ...p, port: this.#nextServicePort++ } : p));
    const mappings = app.container?.portMappings?.map((m) => (m.servicePort === 0 ? { ...m, servicePort: this.#nextServicePort++ } : m));
    const container = app.container === undefined ? undefined : { ...app.container, ...(mappings ? { portMappings: mappings } : {}) };
    return { ...app, portDefinitions, ...(container ? { container } : {}) };
  }

  #stamp(app: AppDefinition, previous: AppDefinition | undefined, version: Timestamp, restart: boolean): AppDefinition {
    if (previous === undefined) return { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
    const comparable = { ...app, version: previous.version, versionInfo: previous.versionInfo };
    if (restart || isConfigChange(previous, comparable)) {
      return { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
    }
    if (previous.instances !== app.instances) {
      return { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: previous.versionInfo!.lastConfigChangeAt } };
    }
    return previous;
  }

  async restartApp(id: string, opts: UpdateOptions): Promise<DeploymentPlan> {
    if (!this.#root.apps.has(id)) throw new ServiceError(404, `App '${id}' does not exist`);
    return this.#deploy((root) => root, opts, new Set([id]));
  }

  async killInstances(
    instanceIds: readonly string[],
    opts: { scale: boolean; wipe: boolean; force: boolean },
  ): Promise<DeploymentPlan | undefined> {
    this.kills.push({ instanceIds: [...instanceIds], ...opts });
    if (opts.wipe) for (const id of instanceIds) this.instances.expunge(id);
    if (!opts.scale) return undefined;
    const byApp = new Map<string, number>();
    for (const id of instanceIds) {
      const appId = this.instances.get(id)?.appId;
      if (appId !== undefined) byApp.set(appId, (byApp.get(appId) ?? 0) + 1);
    }
    return this.#deploy((root) => {
      const apps = new Map(root.apps);
      for (const [appId, n] of byApp) {
        const app = apps.get(appId);
        if (app !== undefined) apps.set(appId, { ...app, instances: Math.max(0, app.instances - n) });
      }
      return { ...root, apps };
    }, { force: opts.force }, new Set());
  }

  async cancelDeployment(id: string, opts: { force: boolean }): Promise<DeploymentPlan | undefined> {
    const plan = this.#running.find((d) => d.id === id);
    if (plan === undefined) return undefined;
    this.#running = this.#running.filter((d) => d !== plan);
    if (opts.force) return undefined;
    // The revert of the fake: a forced, empty-change deployment that touches the same apps.
    const revert: DeploymentPlan = { ...plan, id: randomUUID(), version: this.#nextVersion(), currentStep: 0, currentActions: [] };
    this.#running.push(revert);
    return revert;
  }

  resetDelay(appId: string): boolean {
    this.delayResets.push(appId);
    return this.#root.apps.has(appId);
  }

  /** Test control: a running deployment completes and disappears. */
  finishDeployment(id: string): void {
    this.#running = this.#running.filter((d) => d.id !== id);
  }
}

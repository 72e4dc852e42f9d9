/**
 * The four deployment actions. Each run looks at the instance tracker afresh whenever something
 * about its app changes (the manager pokes it on instance, health and readiness changes, plus a
 * slow safety timer) and does the next thing needed; it never polls in a loop of its own.
 * Reconciliation passes of one run never overlap, and pokes are coalesced: however many arrive,
 * a run makes at most one pass per event-loop turn. Each pass is told which instances changed
 * since the last one, so a run that keeps counts can update them in O(changed) instead of
 * rescanning every instance of the app on every status update.
 */
import type { Logger } from 'pino';
import type { AppDefinition, EventBus, HealthView, Instance, InstanceTracker, LaunchQueue } from '../contracts.js';
import { TERMINAL_CONDITIONS, timestamp } from '../contracts.js';
import type { DeploymentActionName } from '../contracts.js';
import type { ReadinessView } from './readiness.js';
import { computeRestartStrategy, type RestartStrategy } from './restart-strategy.js';
import { proposeScaling } from './scaling.js';

export interface ActionContext {
  deploymentId: string;
  instances: InstanceTracker;
  launchQueue: LaunchQueue;
  health: HealthView;
  readiness: ReadinessView;
  events: EventBus;
  logger: Logger;
  now(): number;
}

export function isTerminal(instance: Instance): boolean {
  return TERMINAL_CONDITIONS.has(instance.condition);
}

/** Healthy for a deployment: Running, passing health checks if the app has any, and ready. */
export function isHealthyForDeployment(ctx: ActionContext, instance: Instance, app: AppDefinition): boolean {
  if (instance.condition !== 'Running') return false;
  const checked = app.healthChecks.length > 0 || (instance.podTasks?.some((t) => t.healthChecked) ?? false);
  if (checked && ctx.health.healthOf(instance, app) !== true) return false;
  return ctx.readiness.isReady(instance, app);
}

function isResident(app: AppDefinition): boolean {
  return (app.container?.volumes ?? []).some((v) => v.kind === 'persistent');
}

/** What changed since the previous pass of a run. */
export interface PassChanges {
  /** Look at every instance of the app (first pass, safety re-check, a poke without an instance). */
  readonly all: boolean;
  /** Instances that changed (or whose health or readiness did); meaningful when `all` is false. */
  readonly instanceIds: ReadonlySet<string>;
}

export abstract class ActionRun {
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  #settled = false;
  #running = false;
  #dirty = false;
  #scheduled: NodeJS.Immediate | undefined;
  #initialized = false;
  #changedAll = true;
  #changed = new Set<string>();
  /** Instances this run asked the launch queue for that the tracker has not shown yet. */
  readonly #launched = new Set<string>();
  readonly #expunged = new Set<string>();

  constructor(
    protected readonly ctx: ActionContext,
    readonly action: DeploymentActionName,
    readonly app: AppDefinition,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A cancelled run's promise may be left unobserved by design.
    this.done.catch(() => {});
  }

  get appId(): string {
    return this.app.id;
  }

  protected get cancelled(): boolean {
    return this.#settled;
  }

  protected get log(): Logger {
    return this.ctx.logger;
  }

  /**
   * Something about the app changed: reconcile again, in a later turn, coalesced with every other
   * poke until then. `instanceId` names the instance concerned; without one the next pass looks
   * at all of them.
   */
  poke(instanceId?: string, expunged = false): void {
    if (instanceId !== undefined && expunged) this.#expunged.add(instanceId);
    if (this.#settled) return;
    if (instanceId === undefined) {
      this.#changedAll = true;
      this.#changed.clear();
    } else if (!this.#changedAll) {
      this.#changed.add(instanceId);
    }
    this.#dirty = true;
    this.#schedule();
  }

  cancel(): void {
    this.#settled = true;
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }

  #schedule(): void {
    if (this.#running || this.#scheduled !== undefined || this.#settled) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      void this.#pass();
    });
  }

  async #pass(): Promise<void> {
    this.#running = true;
    try {
      this.#dirty = false;
      if (!this.#initialized) {
        await this.init();
        this.#initialized = true;
      }
      if (this.#settled) return;
      const changes: PassChanges = { all: this.#changedAll, instanceIds: this.#changed };
      this.#changedAll = false;
      this.#changed = new Set();
      if (await this.reconcile(changes)) {
        this.#settled = true;
        this.#resolve();
      }
    } catch (err) {
      if (!this.#settled) {
        this.#settled = true;
        this.#reject(err);
      }
    } finally {
      this.#running = false;
      // Pokes that came during the pass get one more pass, in a later turn.
      if (this.#dirty) this.#schedule();
    }
  }

  protected abstract init(): Promise<void>;
  /** One pass; true when the action is complete. */
  protected abstract reconcile(changes: PassChanges): Promise<boolean>;

  protected ofApp(): readonly Instance[] {
    return this.ctx.instances.ofApp(this.appId);
  }

  protected async launch(count: number): Promise<void> {
    if (count <= 0 || this.cancelled) return;
    this.log.info({ deploymentId: this.ctx.deploymentId, appId: this.appId, count }, 'deployment: launching instances');
    const added = await this.ctx.launchQueue.add(this.app, count);
    for (const instance of added) this.#launched.add(instance.instanceId);
  }

  /** Launched by this run, not yet visible in the tracker, and not known to be gone. */
  protected pendingLaunches(): number {
    let pending = 0;
    for (const id of this.#launched) {
      if (this.ctx.instances.get(id) !== undefined || this.#expunged.has(id)) this.#launched.delete(id);
      else pending++;
    }
    return pending;
  }

  protected async decommission(ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0 || this.cancelled) return;
    this.log.info({ deploymentId: this.ctx.deploymentId, appId: this.appId, instanceIds: ids, reason }, 'deployment: decommissioning instances');
    await this.ctx.instances.setGoal(ids, 'Decommissioned', reason);
  }

  protected healthy(instance: Instance): boolean {
    return isHealthyForDeployment(this.ctx, instance, this.app);
  }
}

/** Marathon keeps StartApplication for compatibility; it starts 0 instances. */
export class StartApplicationRun extends ActionRun {
  constructor(ctx: ActionContext, app: AppDefinition, action: DeploymentActionName = 'StartApplication') {
    super(ctx, action, app);
  }
  protected async init(): Promise<void> {}
  protected async reconcile(): Promise<boolean> {
    return true;
  }
}

/**
 * Kills per the scaling proposition, waits for those kills, then launches up to the target and
 * finishes once the target count of instances with goal Running is running, healthy and ready.
 */
export class ScaleApplicationRun extends ActionRun {
  readonly #sentenced: readonly string[];
  /** Decommissioned by this run and not yet terminal or gone. */
  readonly #dying = new Set<string>();
  /** Instances of the app with goal Running that count towards the target. */
  readonly #wanted = new Set<string>();
  /** The part of #wanted that is running, healthy and ready. */
  readonly #healthyWanted = new Set<string>();

  constructor(ctx: ActionContext, app: AppDefinition, sentenced: readonly string[] = [], action: DeploymentActionName = 'ScaleApplication') {
    super(ctx, action, app);
    this.#sentenced = sentenced;
  }

  protected async init(): Promise<void> {
    const proposal = proposeScaling(this.ofApp(), this.#sentenced, this.app.instances, this.app.killSelection, this.ctx.now());
    const ids = proposal.toDecommission.map((i) => i.instanceId);
    for (const id of ids) this.#dying.add(id);
    await this.decommission(ids, 'deployment scaling');
  }

  protected async reconcile(changes: PassChanges): Promise<boolean> {
    this.#recount(changes);
    if (this.#dying.size > 0) return false;
    const missing = this.app.instances - this.#wanted.size - this.pendingLaunches();
    if (missing > 0) {
      await this.launch(missing);
      return false;
    }
    return this.#healthyWanted.size >= this.app.instances;
  }

  #recount(changes: PassChanges): void {
    if (changes.all) {
      this.#wanted.clear();
      this.#healthyWanted.clear();
      for (const instance of this.ofApp()) this.#classify(instance.instanceId, instance);
      for (const id of this.#dying) this.#classify(id, this.ctx.instances.get(id));
      return;
    }
    for (const id of changes.instanceIds) this.#classify(id, this.ctx.instances.get(id));
  }

  /** Puts one instance into the sets it belongs to now (none when it is gone). */
  #classify(id: string, instance: Instance | undefined): void {
    const ours = instance !== undefined && instance.appId === this.appId;
    if (!ours || isTerminal(instance)) this.#dying.delete(id);
    if (ours && instance.goal === 'Running' && instance.condition !== 'UnreachableInactive') {
      this.#wanted.add(id);
      if (this.healthy(instance)) this.#healthyWanted.add(id);
      else this.#healthyWanted.delete(id);
    } else {
      this.#wanted.delete(id);
      this.#healthyWanted.delete(id);
    }
  }
}

/**
 * Rolling replacement of old-version instances (Marathon's TaskReplaceActor): kill `killNow` old
 * instances at once, launch new ones within `maxCapacity`, kill one more old instance whenever a
 * new one becomes healthy and ready, launch more whenever old ones are gone. Relaunching new
 * instances that fail is the core's job (their goal stays Running).
 */
export class RestartApplicationRun extends ActionRun {
  #strategy: RestartStrategy | undefined;
  #toKill: string[] = [];
  #killBudget = 0;
  readonly #countedHealthy = new Set<string>();

  constructor(ctx: ActionContext, app: AppDefinition, action: DeploymentActionName = 'RestartApplication') {
    super(ctx, action, app);
  }

  get strategy(): RestartStrategy | undefined {
    return this.#strategy;
  }

  #isNew(instance: Instance): boolean {
    return instance.runSpecVersion === this.app.version;
  }

  protected async init(): Promise<void> {
    if (this.app.instances === 0) return;
    this.ctx.launchQueue.resetDelay(this.appId);
    const instances = this.ofApp();
    // New instances already healthy (a resumed deployment) do not earn a kill again.
    for (const i of instances) if (this.#isNew(i) && this.healthy(i)) this.#countedHealthy.add(i.instanceId);
    const oldActive = instances.filter((i) => !this.#isNew(i) && i.goal === 'Running');
    this.#strategy = computeRestartStrategy({
      instances: this.app.instances,
      upgradeStrategy: this.app.upgradeStrategy,
      resident: isResident(this.app),
      consideredHealthy: instances.filter((i) => i.goal === 'Running' && this.healthy(i)).length,
      // Marathon counts every instance here, new ones included. That rule exists to kill the
      // surplus a forced deployment left behind; counting instances this very restart already
      // started (a resumed deployment) would kill all old instances at once, healthy or not.
      currentInstances: instances.filter((i) => !this.#isNew(i)).length,
    });
    // Unhealthy old instances go first.
    const unhealthy = oldActive.filter((i) => !this.healthy(i));
    const healthy = oldActive.filter((i) => this.healthy(i));
    this.#toKill = [...unhealthy, ...healthy].map((i) => i.instanceId);
    this.#killBudget = this.#strategy.killNow;
    this.log.info(
      { deploymentId: this.ctx.deploymentId, appId: this.appId, ...this.#strategy, oldInstances: oldActive.length },
      'deployment: rolling restart strategy',
    );
  }

  protected async reconcile(): Promise<boolean> {
    const strategy = this.#strategy;
    if (strategy === undefined) return true; // zero instances: nothing to replace

    let instances = this.ofApp();
    // An old instance that ended on its own would be relaunched with the old config: retire it.
    const deadOld = instances.filter((i) => !this.#isNew(i) && i.goal === 'Running' && isTerminal(i));
    await this.decommission(
      deadOld.map((i) => i.instanceId),
      'upgrading: old instance terminated',
    );

    for (const i of instances) {
      if (this.#isNew(i) && i.goal === 'Running' && this.healthy(i) && !this.#countedHealthy.has(i.instanceId)) {
        this.#countedHealthy.add(i.instanceId);
        this.#killBudget++;
      }
    }
    const kills: string[] = [];
    while (this.#killBudget > 0 && this.#toKill.length > 0) {
      const id = this.#toKill.shift()!;
      this.#killBudget--;
      const instance = this.ctx.instances.get(id);
      if (instance !== undefined && instance.goal === 'Running' && !isTerminal(instance)) kills.push(id);
    }
    await this.decommission(kills, 'upgrading');
    if (this.cancelled) return false;

    instances = this.ofApp();
    const oldActive = instances.filter((i) => !this.#isNew(i) && !isTerminal(i) && !(i.condition === 'Scheduled' && i.goal !== 'Running')).length;
    const started = instances.filter((i) => this.#isNew(i) && i.goal === 'Running').length + this.pendingLaunches();
    const leftCapacity = Math.max(0, strategy.maxCapacity - oldActive - started);
    const notStartedYet = Math.max(0, this.app.instances - started);
    await this.launch(Math.min(notStartedYet, leftCapacity));

    const healthyNew = this.ofApp().filter((i) => this.#isNew(i) && i.goal === 'Running' && this.healthy(i)).length;
    return healthyNew >= this.app.instances && oldActive === 0;
  }
}

/**
 * Decommissions every instance of the app, drops what is still queued, waits until the tracker
 * has forgotten them all, resets the backoff and announces `app_terminated_event`.
 */
export class StopApplicationRun extends ActionRun {
  constructor(ctx: ActionContext, app: AppDefinition, action: DeploymentActionName = 'StopApplication') {
    super(ctx, action, app);
  }

  protected async init(): Promise<void> {
    await this.ctx.launchQueue.purge(this.appId);
  }

  protected async reconcile(): Promise<boolean> {
    const instances = this.ofApp();
    const alive = instances.filter((i) => i.goal !== 'Decommissioned').map((i) => i.instanceId);
    await this.decommission(alive, 'deleting app');
    if (instances.length > 0 || this.cancelled) return false;
    this.ctx.launchQueue.resetDelay(this.appId);
    // Pods have no terminated event of their own (pod_deleted_event is the API's, on DELETE).
    if (this.action === 'StopApplication')
      this.ctx.events.publish({ eventType: 'app_terminated_event', timestamp: timestamp(this.ctx.now()), appId: this.appId });
    return true;
  }
}

/**
 * Runs deployment plans. Steps run one after another, the actions of a step in parallel. Every
 * running plan has a record in the store's `deployments` collection, written by the caller in the
 * same batch as the root it deploys (`recordWrite`) and deleted here when the plan ends, so a
 * restarted Pacer resumes what was running. Conflicts (plans sharing an app) are the caller's to
 * check with `conflictsWith` before persisting; forced plans cancel the conflicting ones.
 */
import type { Logger } from 'pino';
import type { Store, StoreWrite } from '../../state/store.js';
import type { AppDefinition, DeploymentAction, DeploymentPlan, EventBus, HealthView, InstanceTracker, LaunchQueue } from '../contracts.js';
import { ActionRun, RestartApplicationRun, ScaleApplicationRun, StartApplicationRun, StopApplicationRun, type ActionContext } from './actions.js';
import { deploymentFailedEvent, deploymentInfoEvent, deploymentStepEvent, deploymentSuccessEvent } from './events.js';
import { isAffectedBy, type Deployment } from './plan.js';
import { podRunSpec } from '../pods/run-spec.js';
import { NO_READINESS_CHECKS, type ReadinessView } from './readiness.js';

export const CANCELLED_REASON = 'The upgrade has been cancelled';
export const DEFAULT_RECHECK_INTERVAL_MS = 5000;

export type DeploymentOutcome = 'success' | 'failed' | 'cancelled' | 'stopped';

/** What the store keeps per running plan; the roots are referenced by version (groupVersions). */
export interface StoredDeployment {
  id: string;
  version: string;
  affectedApps: string[];
  /** Absent in records written before pods. */
  affectedPods?: string[];
  steps: Array<{ actions: DeploymentAction[] }>;
  originalVersion: string;
  targetVersion: string;
  sentenced: Record<string, string[]>;
}

export interface DeploymentManagerOptions {
  store: Store;
  instances: InstanceTracker;
  launchQueue: LaunchQueue;
  health: HealthView;
  readiness?: ReadinessView;
  events: EventBus;
  logger: Logger;
  now?: () => number;
  /** Safety re-check of running actions, in case a change notification was missed. */
  recheckIntervalMs?: number;
  /** Called after a plan left the running set (and its record was deleted). */
  onFinished?: (deployment: Deployment, outcome: DeploymentOutcome) => void;
}

interface RunningDeployment {
  deployment: Deployment;
  runs: ActionRun[];
  /** The current step's runs by app: every instance change pokes its app's runs, not all of them. */
  runsByApp: Map<string, ActionRun[]>;
  cancelled: boolean;
  interrupt: () => void;
  interrupted: Promise<void>;
  finished: Promise<DeploymentOutcome>;
  settle: (outcome: DeploymentOutcome) => void;
}

export function storedDeployment(deployment: Deployment): StoredDeployment {
  const { plan } = deployment;
  return {
    id: plan.id,
    version: plan.version,
    affectedApps: [...plan.affectedApps],
    affectedPods: [...plan.affectedPods],
    steps: plan.steps.map((s) => ({ actions: s.actions.map((a) => ({ ...a })) })),
    originalVersion: deployment.original.version,
    targetVersion: deployment.target.version,
    sentenced: Object.fromEntries([...deployment.sentenced].map(([app, ids]) => [app, [...ids]])),
  };
}

export class DeploymentManager {
  readonly #opts: DeploymentManagerOptions;
  readonly #readiness: ReadinessView;
  readonly #now: () => number;
  readonly #running = new Map<string, RunningDeployment>();
  readonly #unsubscribe: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: DeploymentManagerOptions) {
    this.#opts = opts;
    this.#readiness = opts.readiness ?? NO_READINESS_CHECKS;
    this.#now = opts.now ?? Date.now;
    this.#unsubscribe.push(
      opts.instances.onChange((change) => this.#pokeApp(change.instance.appId, change.instance.instanceId, change.expunged)),
      opts.health.onChange((instanceId) => this.#pokeInstance(instanceId)),
      this.#readiness.onChange((instanceId) => this.#pokeInstance(instanceId)),
    );
  }

  get size(): number {
    return this.#running.size;
  }

  /** The live plans, with current readiness results filled in. */
  list(): DeploymentPlan[] {
    return [...this.#running.values()].map(({ deployment: { plan } }) => ({
      ...plan,
      currentActions: plan.currentActions.map((a) => ({ ...a, readinessCheckResults: [...this.#readiness.resultsOf(a.app)] })),
    }));
  }

  get(id: string): Deployment | undefined {
    return this.#running.get(id)?.deployment;
  }

  conflictsWith(plan: DeploymentPlan): Deployment[] {
    return [...this.#running.values()].map((r) => r.deployment).filter((d) => d.plan.id !== plan.id && isAffectedBy(d.plan, plan));
  }

  recordWrite(deployment: Deployment): StoreWrite {
    return { op: 'put', collection: 'deployments', key: deployment.plan.id, value: storedDeployment(deployment) };
  }

  /** Resolves with how the plan ended; 'stopped' when the manager was stopped first. */
  whenFinished(id: string): Promise<DeploymentOutcome> {
    return this.#running.get(id)?.finished ?? Promise.resolve('success');
  }

  /** Starts a plan whose record is already persisted. */
  launch(deployment: Deployment): void {
    if (this.#stopped) throw new Error('deployment manager is stopped');
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    let settle!: (outcome: DeploymentOutcome) => void;
    const finished = new Promise<DeploymentOutcome>((resolve) => (settle = resolve));
    const entry: RunningDeployment = { deployment, runs: [], runsByApp: new Map(), cancelled: false, interrupt, interrupted, finished, settle };
    this.#running.set(deployment.plan.id, entry);
    this.#ensureTimer();
    this.#opts.logger.info(
      {
        deploymentId: deployment.plan.id,
        affectedApps: deployment.plan.affectedApps,
        affectedPods: deployment.plan.affectedPods,
        steps: deployment.plan.steps.length,
      },
      'deployment started',
    );
    void this.#execute(entry);
  }

  /**
   * Stops a running plan and announces `deployment_failed` ("The upgrade has been cancelled").
   * Its record is deleted unless the caller deletes it in its own batch.
   */
  async cancel(id: string, opts: { deleteRecord: boolean }): Promise<void> {
    const entry = this.#running.get(id);
    if (entry === undefined) return;
    this.#halt(entry);
    this.#running.delete(id);
    this.#opts.logger.warn({ deploymentId: id }, 'deployment cancelled');
    this.#opts.events.publish(deploymentFailedEvent(entry.deployment.plan, CANCELLED_REASON, this.#now()));
    entry.settle('cancelled');
    try {
      if (opts.deleteRecord) await this.#deleteRecord(id);
    } finally {
      this.#opts.onFinished?.(entry.deployment, 'cancelled');
      this.#clearTimerIfIdle();
    }
  }

  /** Shutdown: halts every plan without events and keeps their records for the next start. */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#running.values()) {
      this.#halt(entry);
      entry.settle('stopped');
    }
    this.#running.clear();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #halt(entry: RunningDeployment): void {
    entry.cancelled = true;
    for (const run of entry.runs) run.cancel();
    entry.interrupt();
  }

  async #execute(entry: RunningDeployment): Promise<void> {
    const { plan } = entry.deployment;
    const log = this.#opts.logger.child({ deploymentId: plan.id });
    let failedStep: { actions: DeploymentAction[] } | undefined;
    try {
      for (const [index, step] of plan.steps.entries()) {
        plan.currentStep = index + 1;
        plan.currentActions = step.actions.map((a) => ({ ...a, readinessCheckResults: [] }));
        this.#opts.events.publish(deploymentInfoEvent(plan, step, this.#now()));
        log.info({ step: index + 1, totalSteps: plan.steps.length, actions: step.actions }, 'deployment step started');
        entry.runs = step.actions.map((action) => this.#createRun(entry.deployment, action, log));
        entry.runsByApp = new Map();
        for (const run of entry.runs) {
          const forApp = entry.runsByApp.get(run.appId);
          if (forApp === undefined) entry.runsByApp.set(run.appId, [run]);
          else forApp.push(run);
        }
        for (const run of entry.runs) run.poke();
        failedStep = step;
        await Promise.race([Promise.all(entry.runs.map((r) => r.done)), entry.interrupted]);
        if (entry.cancelled) return;
        failedStep = undefined;
        this.#opts.events.publish(deploymentStepEvent('success', plan, step, this.#now()));
        log.info({ step: index + 1 }, 'deployment step finished');
      }
      await this.#deleteRecord(plan.id);
      if (entry.cancelled) return;
      this.#running.delete(plan.id);
      log.info('deployment finished');
      this.#opts.events.publish(deploymentSuccessEvent(plan, this.#now()));
      entry.settle('success');
      this.#opts.onFinished?.(entry.deployment, 'success');
    } catch (err) {
      if (entry.cancelled) return;
      this.#halt(entry);
      const reason = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'deployment failed');
      if (failedStep !== undefined) this.#opts.events.publish(deploymentStepEvent('failure', plan, failedStep, this.#now()));
      this.#running.delete(plan.id);
      try {
        await this.#deleteRecord(plan.id);
      } catch (deleteErr) {
        log.error({ err: deleteErr }, 'could not delete the record of a failed deployment');
      }
      this.#opts.events.publish(deploymentFailedEvent(plan, reason, this.#now()));
      entry.settle('failed');
      this.#opts.onFinished?.(entry.deployment, 'failed');
    } finally {
      this.#clearTimerIfIdle();
    }
  }

  #createRun(deployment: Deployment, action: DeploymentAction, logger: Logger): ActionRun {
    const ctx: ActionContext = {
      deploymentId: deployment.plan.id,
      instances: this.#opts.instances,
      launchQueue: this.#opts.launchQueue,
      health: this.#opts.health,
      readiness: this.#readiness,
      events: this.#opts.events,
      logger,
      now: this.#now,
    };
    const app = (source: 'original' | 'target'): AppDefinition => {
      const found = deployment[source].apps.get(action.app);
      if (found === undefined) throw new Error(`${action.action} of ${action.app}: the app is missing from the plan's ${source}`);
      return found;
    };
    // Pods run the same actions on their run-spec view (instances, upgrade strategy, backoff).
    const pod = (source: 'original' | 'target'): AppDefinition => {
      const found = deployment[source].pods.get(action.app);
      if (found === undefined) throw new Error(`${action.action} of ${action.app}: the pod is missing from the plan's ${source}`);
      return podRunSpec(found);
    };
    switch (action.action) {
      case 'StartApplication':
        return new StartApplicationRun(ctx, app('target'));
      case 'ScaleApplication':
        return new ScaleApplicationRun(ctx, app('target'), deployment.sentenced.get(action.app) ?? []);
      case 'RestartApplication':
        return new RestartApplicationRun(ctx, app('target'));
      case 'StopApplication':
        return new StopApplicationRun(ctx, app('original'));
      case 'StartPod':
        return new StartApplicationRun(ctx, pod('target'), 'StartPod');
      case 'ScalePod':
        return new ScaleApplicationRun(ctx, pod('target'), deployment.sentenced.get(action.app) ?? [], 'ScalePod');
      case 'RestartPod':
        return new RestartApplicationRun(ctx, pod('target'), 'RestartPod');
      case 'StopPod':
        return new StopApplicationRun(ctx, pod('original'), 'StopPod');
    }
  }

  async #deleteRecord(id: string): Promise<void> {
    await this.#opts.store.apply([{ op: 'delete', collection: 'deployments', key: id }]);
  }

  #pokeApp(appId: string, instanceId: string, expunged: boolean): void {
    for (const entry of this.#running.values()) {
      for (const run of entry.runsByApp.get(appId) ?? []) run.poke(instanceId, expunged);
    }
  }

  #pokeInstance(instanceId: string): void {
    const instance = this.#opts.instances.get(instanceId);
    if (instance !== undefined) this.#pokeApp(instance.appId, instanceId, false);
  }

  #ensureTimer(): void {
    const interval = this.#opts.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS;
    if (this.#timer !== undefined || interval <= 0) return;
    this.#timer = setInterval(() => {
      for (const entry of this.#running.values()) for (const run of entry.runs) run.poke();
    }, interval);
    this.#timer.unref();
  }

  #clearTimerIfIdle(): void {
    if (this.#running.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

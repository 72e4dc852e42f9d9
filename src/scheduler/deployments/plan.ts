/**
 * Deployment plans (Marathon's DeploymentPlan.apply):
 *  1. StopApplication for every app missing from the target,
 *  2. StartApplication for every new app (a no-op kept for compatibility),
 *  3. per dependency layer (longest dependency path, shortest first), for each new or changed app:
 *     ScaleApplication for a new app, a scale-only change or a target of 0 instances;
 *     RestartApplication for a configuration change or a restart (new versionInfo).
 * Pods take the same actions under their own names (StopPod, StartPod, ScalePod, RestartPod);
 * they have no dependencies, so their actions join the first layer.
 * Empty steps are dropped. A plan's id is a random (v4) UUID; its version is the target's.
 */
import { randomUUID } from 'node:crypto';
import { isConfigChange } from '../../model/apps/change.js';
import { stableStringify } from '../../model/apps/read.js';
import type { AppDefinition, DeploymentAction, DeploymentPlan, RootGroup, Timestamp } from '../contracts.js';
import { dependencyLayers } from '../../model/groups/dependencies.js';
import { isPodConfigChange, samePod } from '../../model/groups/versioning.js';
import { POD_ACTIONS, type PodDefinition } from '../contracts.js';

/** A plan with what the manager and the reverter need besides the contract's view. */
export interface Deployment {
  /** The live view served by /v2/deployments; the manager updates currentStep/currentActions. */
  plan: DeploymentPlan;
  original: RootGroup;
  target: RootGroup;
  /** Instances that ScaleApplication must kill first (Marathon's `toKill`), by app id. */
  sentenced: ReadonlyMap<string, readonly string[]>;
}

export interface PlanOptions {
  /** Apps to restart although their definition is unchanged. */
  restarts?: ReadonlySet<string>;
  sentenced?: ReadonlyMap<string, readonly string[]>;
  /** Reuse an id (resuming a persisted plan); a new v4 UUID otherwise. */
  id?: string;
}

function sameDefinition(a: AppDefinition, b: AppDefinition): boolean {
  return stableStringify(a) === stableStringify(b);
}

function versionInfoChanged(a: AppDefinition, b: AppDefinition): boolean {
  return (
    a.version !== b.version ||
    a.versionInfo?.lastConfigChangeAt !== b.versionInfo?.lastConfigChangeAt ||
    a.versionInfo?.lastScalingAt !== b.versionInfo?.lastScalingAt
  );
}

/** The action for one new or changed app, or undefined when nothing has to run. */
function actionFor(old: AppDefinition | undefined, next: AppDefinition, restart: boolean): DeploymentAction | undefined {
  if (old === undefined) return { action: 'ScaleApplication', app: next.id };
  const upgrade = isConfigChange(old, next);
  if ((!upgrade && old.instances !== next.instances) || next.instances === 0) return { action: 'ScaleApplication', app: next.id };
  if (upgrade || restart || versionInfoChanged(old, next)) return { action: 'RestartApplication', app: next.id };
  return undefined;
}

function podActionFor(old: PodDefinition | undefined, next: PodDefinition, restart: boolean): DeploymentAction | undefined {
  if (old === undefined) return { action: 'ScalePod', app: next.id };
  const upgrade = isPodConfigChange(old, next);
  if ((!upgrade && old.scaling.instances !== next.scaling.instances) || next.scaling.instances === 0) return { action: 'ScalePod', app: next.id };
  if (upgrade || restart || old.version !== next.version) return { action: 'RestartPod', app: next.id };
  return undefined;
}

export function computePlan(original: RootGroup, target: RootGroup, opts: PlanOptions = {}): Deployment {
  const restarts = opts.restarts ?? new Set<string>();
  const sentenced = opts.sentenced ?? new Map<string, readonly string[]>();
  const removed = [...original.apps.keys()].filter((id) => !target.apps.has(id)).sort();
  const added = [...target.apps.keys()].filter((id) => !original.apps.has(id)).sort();
  const changed = [...target.apps.values()]
    .filter((app) => {
      const old = original.apps.get(app.id);
      return old === undefined || restarts.has(app.id) || sentenced.has(app.id) || !sameDefinition(old, app);
    })
    .map((app) => app.id);

  const removedPods = [...original.pods.keys()].filter((id) => !target.pods.has(id)).sort();
  const addedPods = [...target.pods.keys()].filter((id) => !original.pods.has(id)).sort();
  const podActions = [...target.pods.values()]
    .filter((pod) => {
      const old = original.pods.get(pod.id);
      return old === undefined || restarts.has(pod.id) || sentenced.has(pod.id) || !samePod(old, pod);
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((pod) => {
      const action = podActionFor(original.pods.get(pod.id), pod, restarts.has(pod.id) || sentenced.has(pod.id));
      return action === undefined ? [] : [action];
    });

  const steps: Array<{ actions: DeploymentAction[] }> = [
    {
      actions: [
        ...removed.map((app): DeploymentAction => ({ action: 'StopApplication', app })),
        ...removedPods.map((app): DeploymentAction => ({ action: 'StopPod', app })),
      ],
    },
    {
      actions: [
        ...added.map((app): DeploymentAction => ({ action: 'StartApplication', app })),
        ...addedPods.map((app): DeploymentAction => ({ action: 'StartPod', app })),
      ],
    },
  ];
  let first = true;
  for (const layer of dependencyLayers(target, changed)) {
    const actions = layer.flatMap((id) => {
      const action = actionFor(original.apps.get(id), target.apps.get(id)!, restarts.has(id));
      return action === undefined ? [] : [action];
    });
    if (first) actions.push(...podActions);
    first = false;
    steps.push({ actions });
  }
  if (first) steps.push({ actions: podActions });
  const nonEmpty = steps.filter((s) => s.actions.length > 0);
  const affected = new Set(nonEmpty.flatMap((s) => s.actions.filter((a) => !POD_ACTIONS.has(a.action)).map((a) => a.app)));
  const affectedPods = new Set(nonEmpty.flatMap((s) => s.actions.filter((a) => POD_ACTIONS.has(a.action)).map((a) => a.app)));
  const plan: DeploymentPlan = {
    id: opts.id ?? randomUUID(),
    version: target.version,
    affectedApps: [...affected].sort(),
    affectedPods: [...affectedPods].sort(),
    steps: nonEmpty,
    currentStep: 0,
    currentActions: [],
  };
  return { plan, original, target, sentenced };
}

export function isAffectedBy(a: DeploymentPlan, b: DeploymentPlan): boolean {
  const other = new Set([...b.affectedApps, ...b.affectedPods]);
  return [...a.affectedApps, ...a.affectedPods].some((id) => other.has(id));
}

/** A deep copy that callers may keep while the manager advances the live plan. */
export function snapshotPlan(plan: DeploymentPlan): DeploymentPlan {
  return structuredClone(plan);
}

// ---------------------------------------------------------------------------------------------
// JSON shapes

export interface DeploymentStepJson {
  /** `app` for app actions, `pod` for pod actions (Marathon's DeploymentAction JSON). */
  actions: Array<{ action: string; app?: string; pod?: string }>;
}

/** One element of GET /v2/deployments (RAML DeploymentStepInfo). */
export interface DeploymentJson {
  id: string;
  version: Timestamp;
  affectedApps: string[];
  affectedPods: string[];
  steps: DeploymentStepJson[];
  currentActions: Array<{ action: string; app?: string; pod?: string; readinessCheckResults: unknown[] }>;
  currentStep: number;
  totalSteps: number;
}

/** The light plan Marathon puts into deployment events since 1.8 (RAML DeploymentPlan). */
export interface LightPlanJson {
  id: string;
  steps: DeploymentStepJson[];
  version: Timestamp;
}

function renderAction(a: DeploymentAction): { action: string; app?: string; pod?: string } {
  return POD_ACTIONS.has(a.action) ? { action: a.action, pod: a.app } : { action: a.action, app: a.app };
}

export function renderStep(step: { actions: readonly DeploymentAction[] }): DeploymentStepJson {
  return { actions: step.actions.map(renderAction) };
}

export function renderDeployment(plan: DeploymentPlan): DeploymentJson {
  return {
    id: plan.id,
    version: plan.version,
    affectedApps: [...plan.affectedApps],
    affectedPods: [...plan.affectedPods],
    steps: plan.steps.map(renderStep),
    currentActions: plan.currentActions.map((a) => ({
      ...renderAction(a),
      readinessCheckResults: a.readinessCheckResults.map((r) => ({ ...r })),
    })),
    currentStep: plan.currentStep,
    totalSteps: plan.steps.length,
  };
}

export function renderLightPlan(plan: DeploymentPlan): LightPlanJson {
  return { id: plan.id, steps: plan.steps.map(renderStep), version: plan.version };
}

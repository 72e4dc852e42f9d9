/**
 * Deployment JSON (RAML DeploymentStepInfo, DeploymentResult; raml/DeploymentPlanConversion.scala).
 * An action names its run spec as `app` or, for the pod actions, as `pod`.
 */
import { POD_ACTIONS, type DeploymentAction, type DeploymentPlan } from '../../scheduler/contracts.js';

export type DeploymentActionJson = { action: string; app: string } | { action: string; pod: string };

export function renderAction(a: DeploymentAction): DeploymentActionJson {
  return POD_ACTIONS.has(a.action) ? { action: a.action, pod: a.app } : { action: a.action, app: a.app };
}

export interface DeploymentResultJson {
  deploymentId: string;
  version: string;
}

export function renderDeploymentResult(plan: DeploymentPlan): DeploymentResultJson {
  return { deploymentId: plan.id, version: plan.version };
}

export function renderDeploymentSteps(plan: Pick<DeploymentPlan, 'steps'>): Array<{ actions: DeploymentActionJson[] }> {
  return plan.steps.map((s) => ({ actions: s.actions.map(renderAction) }));
}

export function renderDeployment(plan: DeploymentPlan): Record<string, unknown> {
  return {
    id: plan.id,
    version: plan.version,
    affectedApps: [...plan.affectedApps],
    affectedPods: [...plan.affectedPods],
    steps: renderDeploymentSteps(plan),
    currentActions: plan.currentActions.map((a) => ({
      ...renderAction(a),
      readinessCheckResults: a.readinessCheckResults.map((r) => ({ ...r })),
    })),
    currentStep: plan.currentStep,
    totalSteps: plan.steps.length,
  };
}

/** Deployment JSON (RAML DeploymentStepInfo, DeploymentResult); Pacer has no pods, so affectedPods is empty. */
import type { DeploymentPlan } from '../../scheduler/contracts.js';

export interface DeploymentResultJson {
  deploymentId: string;
  version: string;
}

export function renderDeploymentResult(plan: DeploymentPlan): DeploymentResultJson {
  return { deploymentId: plan.id, version: plan.version };
}

export function renderDeploymentSteps(plan: Pick<DeploymentPlan, 'steps'>): Array<{ actions: Array<{ action: string; app: string }> }> {
  return plan.steps.map((s) => ({ actions: s.actions.map((a) => ({ action: a.action, app: a.app })) }));
}

export function renderDeployment(plan: DeploymentPlan): Record<string, unknown> {
  return {
    id: plan.id,
    version: plan.version,
    affectedApps: [...plan.affectedApps],
    affectedPods: [],
    steps: renderDeploymentSteps(plan),
    currentActions: plan.currentActions.map((a) => ({
      action: a.action,
      app: a.app,
      readinessCheckResults: a.readinessCheckResults.map((r) => ({ ...r })),
    })),
    currentStep: plan.currentStep,
    totalSteps: plan.steps.length,
  };
}

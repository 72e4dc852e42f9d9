/** Marathon's deployment and group events, field for field (Events.scala, light plan format). */
import type { DeploymentAction, DeploymentPlan, MarathonEvent } from '../contracts.js';
import { timestamp } from '../contracts.js';
import { renderLightPlan, renderStep } from './plan.js';

export function deploymentInfoEvent(plan: DeploymentPlan, step: { actions: DeploymentAction[] }, now: number): MarathonEvent {
  return { plan: renderLightPlan(plan), currentStep: renderStep(step), eventType: 'deployment_info', timestamp: timestamp(now) };
}

export function deploymentStepEvent(outcome: 'success' | 'failure', plan: DeploymentPlan, step: { actions: DeploymentAction[] }, now: number): MarathonEvent {
  return {
    plan: renderLightPlan(plan),
    currentStep: renderStep(step),
    eventType: outcome === 'success' ? 'deployment_step_success' : 'deployment_step_failure',
    timestamp: timestamp(now),
  };
}

export function deploymentSuccessEvent(plan: DeploymentPlan, now: number): MarathonEvent {
  return { id: plan.id, plan: renderLightPlan(plan), eventType: 'deployment_success', timestamp: timestamp(now) };
}

export function deploymentFailedEvent(plan: DeploymentPlan, reason: string, now: number): MarathonEvent {
  return { id: plan.id, plan: renderLightPlan(plan), eventType: 'deployment_failed', timestamp: timestamp(now), reason };
}

export function groupChangeSuccessEvent(groupId: string, version: string, now: number): MarathonEvent {
  return { groupId, version, eventType: 'group_change_success', timestamp: timestamp(now) };
}

export function groupChangeFailedEvent(groupId: string, version: string, reason: string, now: number): MarathonEvent {
  return { groupId, version, reason, eventType: 'group_change_failed', timestamp: timestamp(now) };
}

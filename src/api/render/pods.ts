/**
 * Pod status from the service's view: the pod, its instances (one task per container) and the
 * deployments that remove it, rendered by pod-status.ts. Used by `/v2/pods/…::status` and by
 * `pods` in `/v2/groups`.
 */
import { renderPod } from '../../model/pods/index.js';
import type { Instance, PacerService, PodDefinition } from '../../scheduler/contracts.js';
import type { TaskFailureSource } from './app-info.js';
import { renderPodStatus, type PodInstanceView, type PodStatusJson, type PodTaskFailure } from './pod-status.js';

export interface PodStatusSources {
  service: PacerService;
  now: number;
  taskFailures?: TaskFailureSource | undefined;
}

/** An instance of a pod as the status renderer reads it. */
export function podInstanceView(instance: Instance): PodInstanceView {
  return {
    instanceId: instance.instanceId,
    condition: instance.condition,
    since: instance.since,
    runSpecVersion: instance.runSpecVersion,
    agentId: instance.agentId,
    hostname: instance.hostname,
    region: instance.region,
    zone: instance.zone,
    role: instance.role,
    tasks: (instance.podTasks ?? []).map((t) => ({
      taskId: t.taskId,
      containerName: t.containerName,
      condition: t.condition,
      stagedAt: instance.stagedAt,
      startedAt: t.startedAt,
      hostPorts: t.hostPorts,
      healthy: t.status?.healthy,
    })),
  };
}

/** AppInfoBaseData.isPodTerminating: a running deployment stops the pod. */
function terminating(service: PacerService, podId: string): boolean {
  return service.deploymentsOfPod(podId).some((plan) => plan.steps.some((s) => s.actions.some((a) => a.action === 'StopPod' && a.app === podId)));
}

function lastFailure(sources: PodStatusSources, podId: string): PodTaskFailure | undefined {
  const failure = sources.taskFailures?.lastTaskFailure(podId);
  return failure === undefined ? undefined : { taskId: failure.taskId, state: failure.state, message: failure.message, timestamp: failure.timestamp };
}

export function podStatusOf(pod: PodDefinition, sources: PodStatusSources): PodStatusJson {
  return renderPodStatus({
    pod,
    spec: renderPod(pod),
    instances: sources.service.podInstances(pod.id).map(podInstanceView),
    terminating: terminating(sources.service, pod.id),
    lastFailure: lastFailure(sources, pod.id),
    now: sources.now,
  });
}

/**
 * A pod as the orchestrator's run spec. Marathon's apps and pods share the RunSpec trait
 * (instances, backoff, upgrade and unreachable strategies, kill selection, role, constraints,
 * resources); the launch queue, backoff, supervision and deployment actions work on that alone.
 * Pacer's core takes an AppDefinition for it, so a pod is presented as one: the view below carries
 * the pod's RunSpec fields and nothing app-specific (no command, ports, checks), and its resources
 * are those one pod instance holds on its agent: every container's plus the executor's.
 * The pod itself (containers, endpoints, volumes) is read where it matters: matching ports and
 * building the task group.
 */
import type { AppDefinition } from '../../model/apps/types.js';
import type { PodDefinition } from '../../model/pods/types.js';

const views = new WeakMap<PodDefinition, AppDefinition>();

function sum(values: readonly number[]): number {
  // Summed in milli-units so 0.1 + 0.2 stays 0.3 for the matcher.
  return values.reduce((total, v) => total + Math.round(v * 1000), 0) / 1000;
}

export function podResources(pod: PodDefinition): { cpus: number; mem: number; disk: number; gpus: number } {
  const containers = pod.containers.map((c) => c.resources);
  return {
    cpus: sum([pod.executorResources.cpus, ...containers.map((r) => r.cpus)]),
    mem: sum([pod.executorResources.mem, ...containers.map((r) => r.mem)]),
    disk: sum([pod.executorResources.disk, ...containers.map((r) => r.disk)]),
    gpus: sum(containers.map((r) => r.gpus)),
  };
}

/** Pod constraint objects as the `[field, OPERATOR, value?]` arrays the matcher reads. */
export function podConstraints(pod: PodDefinition): string[][] {
  return pod.scheduling.placement.constraints.map((c) => (c.value !== undefined ? [c.fieldName, c.operator, c.value] : [c.fieldName, c.operator]));
}

export function podRunSpec(pod: PodDefinition): AppDefinition {
  const cached = views.get(pod);
  if (cached !== undefined) return cached;
  const { backoff, upgrade, placement, killSelection, unreachableStrategy } = pod.scheduling;
  const view: AppDefinition = {
    id: pod.id,
    args: [],
    env: {},
    instances: pod.scaling.instances,
    ...podResources(pod),
    executor: '',
    executorResources: { ...pod.executorResources },
    constraints: podConstraints(pod),
    ...(placement.acceptedResourceRoles.length > 0 ? { acceptedResourceRoles: [...placement.acceptedResourceRoles] } : {}),
    role: pod.role,
    labels: pod.labels,
    secrets: {},
    fetch: [],
    portDefinitions: [],
    requirePorts: false,
    networks: [],
    healthChecks: [],
    readinessChecks: [],
    dependencies: [],
    upgradeStrategy: { ...upgrade },
    backoffSeconds: backoff.backoff,
    backoffFactor: backoff.backoffFactor,
    maxLaunchDelaySeconds: backoff.maxLaunchDelay,
    killSelection,
    unreachableStrategy,
    ...(pod.version !== undefined ? { version: pod.version } : {}),
  };
  views.set(pod, view);
  return view;
}

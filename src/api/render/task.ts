/**
 * Marathon's Task JSON (RAML types/task.raml, TaskConversion): one per instance that has been
 * placed on an agent. Inactive tasks show no timestamps, ports or version; conditions without a
 * Mesos state (Scheduled, Provisioned) show TASK_STAGING.
 */
import type { AppDefinition, HealthCheckResult, Instance } from '../../scheduler/contracts.js';
import { ACTIVE_CONDITIONS } from '../../scheduler/contracts.js';
import { mesosStateName } from '../../scheduler/core/conditions.js';

export interface TaskJson {
  appId: string;
  healthCheckResults: HealthResultJson[];
  host: string;
  id: string;
  ipAddresses: Array<{ ipAddress: string; protocol: string }>;
  ports: number[];
  servicePorts: number[];
  slaveId?: string;
  state: string;
  stagedAt?: string;
  startedAt?: string;
  version?: string;
  localVolumes: unknown[];
  region?: string;
  zone?: string;
  role: string;
}

export interface HealthResultJson {
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess?: string;
  instanceId: string;
  lastSuccess?: string;
  lastFailure?: string;
  lastFailureCause?: string;
}

export function renderHealthResult(r: HealthCheckResult): HealthResultJson {
  return {
    alive: r.alive,
    consecutiveFailures: r.consecutiveFailures,
    ...(r.firstSuccess !== null ? { firstSuccess: r.firstSuccess } : {}),
    instanceId: r.instanceId,
    ...(r.lastSuccess !== null ? { lastSuccess: r.lastSuccess } : {}),
    ...(r.lastFailure !== null ? { lastFailure: r.lastFailure } : {}),
    ...(r.lastFailureCause !== null ? { lastFailureCause: r.lastFailureCause } : {}),
  };
}

/** Service ports of an app: its port definitions (host networking) or its port mappings. */
export function servicePortsOf(app: AppDefinition | undefined): number[] {
  if (app === undefined) return [];
  const mappings = app.container?.portMappings;
  if (mappings !== undefined && mappings.length > 0) return mappings.map((m) => m.servicePort);
  return app.portDefinitions.map((p) => p.port);
}

/** True when Marathon would show the instance as a task (it has a task on an agent). */
export function hasVisibleTask(instance: Instance): boolean {
  return instance.taskId !== undefined && instance.condition !== 'Scheduled' && (instance.agentId !== undefined || instance.hostname !== undefined);
}

export interface TaskRenderExtras {
  healthResults: readonly HealthCheckResult[];
  /** Only `/v2/tasks` fills these in; elsewhere Marathon writes an empty list. */
  servicePorts?: readonly number[];
  /** The app's role, used when the instance does not record the role it was launched with. */
  appRole?: string;
}

export function renderTask(instance: Instance, extras: TaskRenderExtras): TaskJson | undefined {
  if (!hasVisibleTask(instance)) return undefined;
  const active = ACTIVE_CONDITIONS.has(instance.condition);
  // Key order follows Marathon's generated writer.
  return {
    appId: instance.appId,
    healthCheckResults: extras.healthResults.map(renderHealthResult),
    host: instance.hostname ?? '',
    id: instance.taskId!,
    ipAddresses: instance.ipAddresses.map((a) => ({ ipAddress: a.ipAddress, protocol: a.protocol })),
    ports: active ? [...instance.hostPorts] : [],
    servicePorts: [...(extras.servicePorts ?? [])],
    ...(instance.agentId !== undefined ? { slaveId: instance.agentId } : {}),
    state: mesosStateName(instance.condition),
    ...(active && instance.stagedAt !== undefined ? { stagedAt: instance.stagedAt } : {}),
    ...(active && instance.startedAt !== undefined ? { startedAt: instance.startedAt } : {}),
    ...(active ? { version: instance.runSpecVersion } : {}),
    localVolumes: [],
    ...(instance.region !== undefined ? { region: instance.region } : {}),
    ...(instance.zone !== undefined ? { zone: instance.zone } : {}),
    role: instance.role ?? extras.appRole ?? '*',
  };
}

/**
 * Pod status JSON (RAML types/podStatus.raml; PodStatusConversion.scala, AppInfoBaseData.podStatus):
 * `PodStatus` for `/v2/pods/{id}::status`, `/v2/pods/::status` and `pods` in `/v2/groups`, with one
 * `PodInstanceStatus` per instance that has been placed and one `ContainerStatus` per container task.
 * Key order is RAML's; absent options are left out and lists are always written, as Marathon's
 * generated Play writers do.
 */
import { ACTIVE_CONDITIONS, type Condition, type Timestamp } from '../../scheduler/contracts.js';
import { timestamp } from '../../scheduler/contracts.js';
import { mesosStateName } from '../../scheduler/core/conditions.js';

/** What the status needs of a container spec (a structural slice of the model's `PodContainer`). */
export interface ContainerSpecView {
  name: string;
  resources: { cpus: number; mem: number; disk: number; gpus: number };
  endpoints: ReadonlyArray<{ name: string; hostPort?: number | undefined }>;
  healthCheck?: { http?: { endpoint: string } | undefined; tcp?: { endpoint: string } | undefined; exec?: unknown } | undefined;
}

/** What the status needs of a pod spec (a structural slice of the model's `PodDefinition`). */
export interface PodSpecView {
  id: string;
  containers: readonly ContainerSpecView[];
  scaling: { instances: number };
}

/** One container task of a pod instance. */
export interface PodTaskView {
  /** `<instanceId>.<containerName>.<incarnation>` */
  taskId: string;
  /** Container name from the task id; undefined when the id does not name one. */
  containerName: string | undefined;
  condition: Condition;
  stagedAt?: Timestamp | undefined;
  startedAt?: Timestamp | undefined;
  /** Host ports Mesos gave this task, in the order of the container's endpoints that ask for one. */
  hostPorts: readonly number[];
  /** Mesos-native health of the task (TaskStatus.healthy), when reported. */
  healthy?: boolean | undefined;
  /** Container networks from the task's last status (TaskStatus.container_status.network_infos). */
  networks?: ReadonlyArray<{ name?: string | undefined; addresses: readonly string[] }> | undefined;
}

/** One pod instance as the status shows it. */
export interface PodInstanceView {
  instanceId: string;
  condition: Condition;
  /** Epoch ms when the condition last changed. */
  since: number;
  runSpecVersion: Timestamp;
  agentId?: string | undefined;
  hostname?: string | undefined;
  region?: string | undefined;
  zone?: string | undefined;
  role?: string | undefined;
  tasks: readonly PodTaskView[];
}

export interface ResourcesJson {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

export interface StatusConditionJson {
  name: string;
  lastChanged: string;
  lastUpdated: string;
  value: string;
  reason?: string;
}

export interface ContainerEndpointStatusJson {
  name: string;
  allocatedHostPort?: number;
  healthy?: boolean;
}

export interface ContainerStatusJson {
  name: string;
  status: string;
  statusSince: string;
  conditions: StatusConditionJson[];
  containerId?: string;
  endpoints: ContainerEndpointStatusJson[];
  resources?: ResourcesJson;
  lastUpdated: string;
  lastChanged: string;
}

export type PodInstanceState = 'PENDING' | 'STAGING' | 'STABLE' | 'DEGRADED' | 'TERMINAL';
export type PodState = 'DEGRADED' | 'STABLE' | 'TERMINAL';

export interface PodInstanceStatusJson {
  id: string;
  status: PodInstanceState;
  statusSince: string;
  message?: string;
  conditions: StatusConditionJson[];
  agentHostname?: string;
  agentId?: string;
  agentRegion?: string;
  agentZone?: string;
  resources?: ResourcesJson;
  networks: Array<{ name?: string; addresses: string[] }>;
  containers: ContainerStatusJson[];
  specReference?: string;
  localVolumes: unknown[];
  lastUpdated: string;
  lastChanged: string;
  role?: string;
}

export interface TerminationHistoryJson {
  instanceID: string;
  startedAt: string;
  terminatedAt: string;
  message?: string;
  containers: Array<{ containerId: string; lastKnownState?: string }>;
}

export interface PodStatusJson {
  id: string;
  spec: Record<string, unknown>;
  status: PodState;
  statusSince: string;
  message?: string;
  instances: PodInstanceStatusJson[];
  terminationHistory: TerminationHistoryJson[];
  lastUpdated: string;
  lastChanged: string;
}

export const HEALTH_UNREPORTED = 'health-unreported-by-mesos';
export const HEALTH_REPORTED = 'health-reported-by-mesos';
export const MSG_INSTANCE_UNREACHABLE = 'pod instance has become unreachable';
export const MSG_INSTANCE_UNHEALTHY_CONTAINERS = 'at least one container is not healthy';

/** PodDefinition.DefaultExecutorResources: the instance's sum starts here whatever `executorResources` says. */
const DEFAULT_EXECUTOR_RESOURCES: ResourcesJson = { cpus: 0.1, mem: 32, disk: 10, gpus: 0 };

/** Conditions that never reached running: no health condition is reported for them. */
const NOT_YET_RUNNING: ReadonlySet<Condition> = new Set<Condition>(['Scheduled', 'Provisioned', 'Staging', 'Starting']);

/** Conditions whose container still holds its resources. */
const HOLDING_RESOURCES: ReadonlySet<Condition> = new Set<Condition>(['Staging', 'Starting', 'Running', 'Unreachable', 'Killing']);

const TERMINAL_INSTANCE: ReadonlySet<Condition> = new Set<Condition>(['Error', 'Failed', 'Finished', 'Killed', 'Gone', 'Dropped', 'Unknown', 'Killing']);

/** The endpoint a container's HTTP or TCP health check probes; command checks have none. */
function healthCheckEndpoint(spec: ContainerSpecView): string | undefined {
  return spec.healthCheck?.http?.endpoint ?? spec.healthCheck?.tcp?.endpoint;
}

function endpointStatuses(spec: ContainerSpecView | undefined, task: PodTaskView): ContainerEndpointStatusJson[] {
  if (spec === undefined || !ACTIVE_CONDITIONS.has(task.condition)) return [];
  // Allocated ports follow the order of the endpoints that ask for a host port.
  const reserved: ContainerEndpointStatusJson[] = [];
  const withHostPort = spec.endpoints.filter((e) => e.hostPort !== undefined);
  for (let i = 0; i < Math.min(withHostPort.length, task.hostPorts.length); i++) {
    reserved.push({ name: withHostPort[i]!.name, allocatedHostPort: task.hostPorts[i]! });
  }
  const all = [...reserved, ...spec.endpoints.filter((e) => e.hostPort === undefined).map((e) => ({ name: e.name }))];
  const checked = healthCheckEndpoint(spec);
  const target = checked === undefined ? undefined : all.find((e) => e.name === checked);
  if (target === undefined) return all;
  // Marathon moves the checked endpoint to the end when it sets its health.
  const updated: ContainerEndpointStatusJson = { ...target };
  if (task.healthy !== undefined) updated.healthy = task.healthy;
  return [...all.filter((e) => e.name !== target.name), updated];
}

function healthCondition(
  spec: ContainerSpecView | undefined,
  task: PodTaskView,
  endpoints: ContainerEndpointStatusJson[],
  since: string,
): StatusConditionJson[] {
  if (NOT_YET_RUNNING.has(task.condition) || spec?.healthCheck === undefined) return [];
  let healthy: boolean | undefined;
  if (spec.healthCheck.exec !== undefined) {
    healthy = task.healthy;
  } else {
    const checked = healthCheckEndpoint(spec);
    if (checked === undefined) return [];
    healthy = endpoints.find((e) => e.name === checked)?.healthy;
  }
  return [
    {
      name: 'healthy',
      lastChanged: since,
      lastUpdated: since,
      value: String(healthy ?? false),
      reason: healthy === undefined ? HEALTH_UNREPORTED : HEALTH_REPORTED,
    },
  ];
}

export function renderContainerStatus(pod: PodSpecView, task: PodTaskView, fallbackSince: string): ContainerStatusJson {
  const since = task.startedAt ?? task.stagedAt ?? fallbackSince;
  const spec = task.containerName === undefined ? undefined : pod.containers.find((c) => c.name === task.containerName);
  const endpoints = endpointStatuses(spec, task);
  return {
    name: task.containerName ?? task.taskId,
    status: mesosStateName(task.condition),
    statusSince: since,
    conditions: healthCondition(spec, task, endpoints, since),
    // Only an active task has a Mesos task id worth showing (Task.launchedMesosId).
    ...(ACTIVE_CONDITIONS.has(task.condition) ? { containerId: task.taskId } : {}),
    endpoints,
    ...(spec !== undefined && HOLDING_RESOURCES.has(task.condition) ? { resources: { ...spec.resources } } : {}),
    lastUpdated: since,
    lastChanged: since,
  };
}

function instanceState(instance: PodInstanceView, containers: readonly ContainerStatusJson[]): { state: PodInstanceState; message?: string } {
  const c = instance.condition;
  if (c === 'Scheduled' || c === 'Provisioned') return { state: 'PENDING' };
  if (c === 'Staging' || c === 'Starting') return { state: 'STAGING' };
  if (TERMINAL_INSTANCE.has(c)) return { state: 'TERMINAL' };
  if (c === 'Unreachable' || c === 'UnreachableInactive') return { state: 'DEGRADED', message: MSG_INSTANCE_UNREACHABLE };
  if (containers.some((s) => s.conditions.some((cond) => cond.name === 'healthy' && cond.value === 'false'))) {
    return { state: 'DEGRADED', message: MSG_INSTANCE_UNHEALTHY_CONTAINERS };
  }
  return { state: 'STABLE' };
}

/** Networks of the instance's tasks merged by name, addresses without duplicates. */
function networkStatuses(tasks: readonly PodTaskView[]): Array<{ name?: string; addresses: string[] }> {
  const byName = new Map<string | undefined, string[]>();
  for (const task of tasks) {
    for (const n of task.networks ?? []) byName.set(n.name, [...(byName.get(n.name) ?? []), ...n.addresses]);
  }
  return [...byName].map(([name, addresses]) => ({ ...(name !== undefined ? { name } : {}), addresses: [...new Set(addresses)] }));
}

export function renderPodInstanceStatus(pod: PodSpecView, instance: PodInstanceView): PodInstanceStatusJson {
  const since = timestamp(instance.since);
  const containers = instance.tasks.map((t) => renderContainerStatus(pod, t, since));
  const { state, message } = instanceState(instance, containers);
  const resources = containers.reduce<ResourcesJson>(
    (sum, c) =>
      c.resources === undefined
        ? sum
        : { cpus: sum.cpus + c.resources.cpus, mem: sum.mem + c.resources.mem, disk: sum.disk + c.resources.disk, gpus: sum.gpus + c.resources.gpus },
    { ...DEFAULT_EXECUTOR_RESOURCES },
  );
  return {
    id: instance.instanceId,
    status: state,
    statusSince: since,
    ...(message !== undefined ? { message } : {}),
    conditions: [],
    ...(instance.hostname !== undefined ? { agentHostname: instance.hostname } : {}),
    ...(instance.agentId !== undefined ? { agentId: instance.agentId } : {}),
    ...(instance.region !== undefined ? { agentRegion: instance.region } : {}),
    ...(instance.zone !== undefined ? { agentZone: instance.zone } : {}),
    resources,
    networks: networkStatuses(instance.tasks),
    containers,
    specReference: `/v2/pods${pod.id}::versions/${instance.runSpecVersion}`,
    localVolumes: [],
    lastUpdated: since,
    lastChanged: since,
    ...(instance.role !== undefined ? { role: instance.role } : {}),
  };
}

/** The last failed task of the pod, when its instance is still known (Marathon's `terminationHistory`). */
export interface PodTaskFailure {
  taskId: string;
  state: string;
  message: string;
  timestamp: Timestamp;
}

export interface PodStatusInputs {
  pod: PodSpecView;
  /** The pod as `GET /v2/pods/{id}` renders it. */
  spec: Record<string, unknown>;
  instances: readonly PodInstanceView[];
  /** A running deployment removes this pod. */
  terminating: boolean;
  lastFailure?: PodTaskFailure | undefined;
  now: number;
}

export function renderPodStatus(inputs: PodStatusInputs): PodStatusJson {
  const { pod, instances, now } = inputs;
  // Freshly scheduled instances are left out; rescheduled ones (already placed once) are shown.
  const shown = instances.filter((i) => !(i.condition === 'Scheduled' && i.agentId === undefined && i.hostname === undefined));
  const statuses = shown.map((i) => renderPodInstanceStatus(pod, i));
  const nowTs = timestamp(now);
  const statusSince = statuses.length === 0 ? nowTs : statuses.map((s) => s.statusSince).reduce((a, b) => (a > b ? a : b));
  let status: PodState;
  if (inputs.terminating) status = 'TERMINAL';
  else if (statuses.filter((s) => s.status === 'STABLE').length >= pod.scaling.instances) status = 'STABLE';
  else status = 'DEGRADED';
  return {
    id: pod.id,
    spec: inputs.spec,
    status,
    statusSince,
    instances: statuses,
    terminationHistory: terminationHistory(instances, inputs.lastFailure),
    lastUpdated: nowTs,
    lastChanged: statusSince,
  };
}

function terminationHistory(instances: readonly PodInstanceView[], failure: PodTaskFailure | undefined): TerminationHistoryJson[] {
  if (failure === undefined) return [];
  for (const instance of instances) {
    const task = instance.tasks.find((t) => t.taskId === failure.taskId);
    if (task === undefined) continue;
    return [
      {
        instanceID: instance.instanceId,
        startedAt: task.startedAt ?? task.stagedAt ?? failure.timestamp,
        terminatedAt: failure.timestamp,
        message: failure.message,
        containers: [{ containerId: task.taskId, lastKnownState: failure.state }],
      },
    ];
  }
  return [];
}

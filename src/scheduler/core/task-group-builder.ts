/**
 * The LAUNCH_GROUP of one pod instance, field for field as Marathon's TaskGroupBuilder writes it:
 *  - ExecutorInfo of type DEFAULT, id `instance-<safePath>.<uuid>`, the pod's executorResources and
 *    every port resource of the placement, the pod's labels, and a MESOS ContainerInfo with the
 *    pod's container networks when the pod has networks or volumes;
 *  - one TaskInfo per container: the container's own cpus/mem/disk/gpus (copies of the matched
 *    resource of that name), labels, command with Marathon's environment (pod env, container env,
 *    HOST, task context, label and endpoint variables), volume mounts (ephemeral volumes as
 *    SANDBOX_PATH of type PARENT under `volumes/`), image, tty, health check, kill policy and
 *    discovery.
 */
import { pathIdToMesosName } from '../../model/apps/path-id.js';
import type { EnvValue } from '../../model/apps/types.js';
import type { Endpoint, PodContainer, PodDefinition, PodHealthCheck } from '../../model/pods/types.js';
import type {
  CommandInfo,
  ContainerInfo,
  DiscoveryInfo,
  EnvironmentVariable,
  ExecutorInfo,
  HealthCheck,
  NetworkInfo,
  Port,
  Resource,
  TaskGroupInfo,
  TaskInfo,
  Volume,
} from '../../mesos/types.js';
import { CoreError } from './errors.js';
import { executorIdOf } from './pod-instance.js';
import { labelsEnv, scalaDouble, toLabels } from './task-builder.js';

export interface TaskGroupBuildInput {
  pod: PodDefinition;
  instanceId: string;
  /** One task id per container, in container order. */
  taskIds: readonly string[];
  agentId: string;
  hostname: string;
  frameworkId?: string;
  /** Exact resources of the placement (the sum of the containers', the executor's and the ports). */
  resources: readonly object[];
  /** Host ports in matcher order: one per endpoint that has a `hostPort`, in container then endpoint order. */
  hostPorts: readonly number[];
  envVarsPrefix?: string;
  /** Name of the network Marathon's `container/bridge` mode joins (`--mesos_bridge_name`). */
  mesosBridgeName?: string;
}

export interface TaskGroupLaunch {
  executor: ExecutorInfo;
  taskGroup: TaskGroupInfo;
}

export const DEFAULT_MESOS_BRIDGE_NAME = 'mesos-bridge';
const EPHEMERAL_VOLUME_PREFIX = 'volumes/';

/** Every endpoint of the pod with its container, in container then endpoint order. */
export function podEndpoints(pod: PodDefinition): Array<{ container: PodContainer; endpoint: Endpoint }> {
  return pod.containers.flatMap((container) => container.endpoints.map((endpoint) => ({ container, endpoint })));
}

/** What the matcher is asked for: a host port per endpoint that declares one (0 = any). */
export function podPortRequests(pod: PodDefinition): { ports: Array<{ port: number; name: string }>; requirePorts: boolean } {
  const wanted = podEndpoints(pod).filter(({ endpoint }) => endpoint.hostPort !== undefined);
  return {
    ports: wanted.map(({ endpoint }) => ({ port: endpoint.hostPort!, name: endpoint.name })),
    requirePorts: wanted.some(({ endpoint }) => endpoint.hostPort !== 0),
  };
}

/** The matcher's host ports spread over all endpoints; undefined where an endpoint has none. */
export function endpointHostPorts(pod: PodDefinition, hostPorts: readonly number[]): Array<number | undefined> {
  let next = 0;
  return podEndpoints(pod).map(({ endpoint }) => (endpoint.hostPort !== undefined ? hostPorts[next++] : undefined));
}

function isHostNetworking(pod: PodDefinition): boolean {
  return pod.networks.length === 0 || pod.networks.some((n) => n.mode === 'host');
}

export function buildTaskGroup(input: TaskGroupBuildInput): TaskGroupLaunch {
  const { pod } = input;
  if (input.taskIds.length !== pod.containers.length) {
    throw new CoreError('PACER_CORE_TASK_BUILD', `pod ${pod.id}: ${input.taskIds.length} task ids for ${pod.containers.length} containers`);
  }
  const resources = input.resources as readonly Resource[];
  const endpoints = podEndpoints(pod);
  const hostPorts = endpointHostPorts(pod, input.hostPorts);
  const executorId = executorIdOf(input.instanceId);
  const executor = executorInfo(input, resources, endpoints, hostPorts, executorId);
  const endpointEnv = endpointEnvVars(pod, endpoints, hostPorts, input.envVarsPrefix ?? '');
  const tasks = pod.containers.map((container, index): TaskInfo => {
    const taskId = input.taskIds[index]!;
    const own = endpoints.flatMap((e, i) => (e.container === container ? [{ endpoint: e.endpoint, hostPort: hostPorts[i] }] : []));
    const task: TaskInfo = {
      name: container.name,
      task_id: { value: taskId },
      agent_id: { value: input.agentId },
      resources: [
        ...scalarResource('cpus', container.resources.cpus, resources),
        ...scalarResource('mem', container.resources.mem, resources),
        ...scalarResource('disk', container.resources.disk, resources),
        ...scalarResource('gpus', container.resources.gpus, resources),
      ],
    };
    if (Object.keys(container.labels).length > 0) task.labels = toLabels(container.labels);
    task.command = commandInfo(pod, container, input.instanceId, taskId, executorId, input.hostname, endpointEnv);
    const containerInfo = taskContainerInfo(pod, container);
    if (containerInfo !== undefined) task.container = containerInfo;
    if (container.healthCheck !== undefined) {
      const check = healthCheck(container.healthCheck, own, isHostNetworking(pod));
      if (check !== undefined) task.health_check = check;
    }
    const grace = container.lifecycle?.killGracePeriodSeconds;
    if (grace !== undefined) task.kill_policy = { grace_period: { nanoseconds: Math.round(grace * 1e9) } };
    task.discovery = discovery(pod, own);
    return task;
  });
  return { executor, taskGroup: { tasks } };
}

/** Marathon's scalarResource: the matched resource of that name (its role, reservation) with the amount asked. */
function scalarResource(name: string, value: number, matched: readonly Resource[]): Resource[] {
  if (!(value > 0)) return [];
  const found = matched.find((r) => r.name === name);
  const base: Resource = found !== undefined ? { ...found } : { name, type: 'SCALAR' };
  delete base.ranges;
  delete base.set;
  return [{ ...base, type: 'SCALAR', scalar: { value } }];
}

function executorInfo(
  input: TaskGroupBuildInput,
  resources: readonly Resource[],
  endpoints: ReadonlyArray<{ endpoint: Endpoint }>,
  hostPorts: ReadonlyArray<number | undefined>,
  executorId: string,
): ExecutorInfo {
  const { pod } = input;
  const executor: ExecutorInfo = {
    type: 'DEFAULT',
    executor_id: { value: executorId },
    ...(input.frameworkId !== undefined ? { framework_id: { value: input.frameworkId } } : {}),
    resources: [
      ...scalarResource('cpus', pod.executorResources.cpus, resources),
      ...scalarResource('mem', pod.executorResources.mem, resources),
      ...scalarResource('disk', pod.executorResources.disk, resources),
      // The host ports belong to the executor: its containers share its network namespace.
      ...resources.filter((r) => r.name === 'ports'),
    ],
  };
  if (pod.networks.length > 0 || pod.volumes.length > 0) {
    const networks = mesosNetworks(pod, endpoints, hostPorts, input.mesosBridgeName ?? DEFAULT_MESOS_BRIDGE_NAME);
    executor.container = { type: 'MESOS', ...(networks.length > 0 ? { network_infos: networks } : {}) };
  }
  executor.labels = toLabels(pod.labels);
  return executor;
}

function mesosNetworks(
  pod: PodDefinition,
  endpoints: ReadonlyArray<{ endpoint: Endpoint }>,
  hostPorts: ReadonlyArray<number | undefined>,
  bridgeName: string,
): NetworkInfo[] {
  const mappings = endpoints.flatMap(({ endpoint }, i) => {
    const hostPort = hostPorts[i];
    if (hostPort === undefined) return [];
    const containerPort = endpoint.containerPort === undefined || endpoint.containerPort === 0 ? hostPort : endpoint.containerPort;
    const protocols: Array<string | undefined> = endpoint.protocol.length > 0 ? endpoint.protocol : [undefined];
    return protocols.map((protocol) => ({
      networkNames: endpoint.networkNames,
      mapping: { host_port: hostPort, container_port: containerPort, ...(protocol !== undefined ? { protocol } : {}) },
    }));
  });
  const infos: NetworkInfo[] = [];
  for (const network of pod.networks) {
    if (network.mode === 'host') continue;
    const bridge = network.mode === 'container/bridge';
    const own = mappings.filter((m) => bridge || m.networkNames.length === 0 || m.networkNames.every((n) => n === network.name));
    infos.push({
      name: bridge ? bridgeName : (network.name ?? ''),
      labels: toLabels(network.labels),
      ...(own.length > 0 ? { port_mappings: own.map((m) => m.mapping) } : {}),
    });
  }
  return infos;
}

function envStrings(env: Readonly<Record<string, EnvValue>>): Array<[string, string]> {
  return Object.entries(env).flatMap(([name, value]): Array<[string, string]> => (typeof value === 'string' ? [[name, value]] : []));
}

/** ENDPOINT_<NAME> (host port with host networking, else container port), EP_HOST_<NAME>, EP_CONTAINER_<NAME>. */
function endpointEnvVars(
  pod: PodDefinition,
  endpoints: ReadonlyArray<{ endpoint: Endpoint }>,
  hostPorts: ReadonlyArray<number | undefined>,
  envVarsPrefix: string,
): Array<[string, string]> {
  const prefix = envVarsPrefix.toUpperCase();
  const hostNetwork = isHostNetworking(pod);
  const env: Array<[string, string]> = [];
  endpoints.forEach(({ endpoint }, i) => {
    const name = endpoint.name.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
    const hostPort = hostPorts[i];
    const port = hostNetwork ? hostPort : endpoint.containerPort;
    if (port !== undefined) env.push([`${prefix}ENDPOINT_${name}`, String(port)]);
    if (hostPort !== undefined) env.push([`${prefix}EP_HOST_${name}`, String(hostPort)]);
    if (endpoint.containerPort !== undefined) env.push([`${prefix}EP_CONTAINER_${name}`, String(endpoint.containerPort)]);
  });
  return env;
}

function commandInfo(
  pod: PodDefinition,
  container: PodContainer,
  instanceId: string,
  taskId: string,
  executorId: string,
  hostname: string,
  endpointEnv: ReadonlyArray<[string, string]>,
): CommandInfo {
  // Without an exec the image's entrypoint runs; shell=false lets it.
  const command: CommandInfo = { shell: false };
  const exec = container.exec;
  if (exec !== undefined) {
    if ('shell' in exec.command) {
      command.shell = true;
      command.value = exec.command.shell;
    } else {
      command.shell = false;
      command.arguments = [...exec.command.argv];
      const first = exec.command.argv[0];
      if (exec.overrideEntrypoint === true && first !== undefined) command.value = first;
    }
  }
  const user = container.user ?? pod.user;
  if (user !== undefined) command.user = user;
  if (container.artifacts.length > 0) {
    command.uris = container.artifacts.map((a) => ({
      value: a.uri,
      cache: a.cache,
      extract: a.extract,
      executable: a.executable,
      ...(a.destPath !== undefined ? { output_file: a.destPath } : {}),
    }));
  }
  const taskContext: Array<[string, string]> = [
    ['MESOS_TASK_ID', taskId],
    ['MESOS_EXECUTOR_ID', executorId],
    ['MARATHON_APP_ID', pod.id],
    ['MARATHON_APP_VERSION', pod.version ?? ''],
    ['MARATHON_CONTAINER_ID', container.name],
    ['MARATHON_CONTAINER_RESOURCE_CPUS', scalaDouble(container.resources.cpus)],
    ['MARATHON_CONTAINER_RESOURCE_MEM', scalaDouble(container.resources.mem)],
    ['MARATHON_CONTAINER_RESOURCE_DISK', scalaDouble(container.resources.disk)],
    ['MARATHON_CONTAINER_RESOURCE_GPUS', String(Math.trunc(container.resources.gpus))],
  ];
  void instanceId;
  // Later entries win: container over pod, Marathon's own over the user's.
  const env = new Map<string, string>([
    ...envStrings(pod.environment),
    ...envStrings(container.environment),
    ['HOST', hostname],
    ...taskContext,
    ...labelsEnv({ ...pod.labels, ...container.labels }),
    ...endpointEnv,
  ]);
  command.environment = { variables: [...env].map(([name, value]): EnvironmentVariable => ({ name, value })) };
  return command;
}

function taskContainerInfo(pod: PodDefinition, container: PodContainer): ContainerInfo | undefined {
  const volumes: Volume[] = [];
  for (const mount of container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    const mode = mount.readOnly === true ? 'RO' : 'RW';
    if (volume === undefined) continue;
    switch (volume.kind) {
      case 'host':
        volumes.push({ mode, container_path: mount.mountPath, host_path: volume.host });
        break;
      case 'ephemeral':
        volumes.push({
          mode,
          container_path: mount.mountPath,
          source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: `${EPHEMERAL_VOLUME_PREFIX}${volume.name}` } },
        });
        break;
      case 'persistent':
        volumes.push({ mode, container_path: mount.mountPath, source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: volume.name } } });
        break;
      case 'secret':
        // Secret volumes are a plugin's business in Marathon; nothing goes on the wire.
        break;
    }
  }
  const info: ContainerInfo = { type: 'MESOS' };
  let filled = false;
  if (volumes.length > 0) {
    info.volumes = volumes;
    filled = true;
  }
  const image = container.image;
  if (image !== undefined) {
    info.mesos = {
      image: {
        type: 'DOCKER',
        docker: { name: image.id },
        ...(image.forcePull !== undefined ? { cached: !image.forcePull } : {}),
      },
    };
    filled = true;
  }
  if (container.tty === true) {
    info.tty_info = {};
    filled = true;
  }
  // Marathon sends no ContainerInfo that would hold nothing but its type.
  return filled ? info : undefined;
}

function healthCheck(
  check: PodHealthCheck,
  own: ReadonlyArray<{ endpoint: Endpoint; hostPort: number | undefined }>,
  hostNetwork: boolean,
): HealthCheck | undefined {
  const common: HealthCheck = {
    delay_seconds: check.delaySeconds,
    interval_seconds: check.intervalSeconds,
    timeout_seconds: check.timeoutSeconds,
    consecutive_failures: check.maxConsecutiveFailures,
    grace_period_seconds: check.gracePeriodSeconds,
  };
  // The port a check probes: the endpoint's host port with host networking, else its container port.
  const portOf = (name: string): number | undefined => {
    const found = own.find((e) => e.endpoint.name === name);
    if (found === undefined) return undefined;
    return hostNetwork ? found.hostPort : found.endpoint.containerPort;
  };
  if (check.exec !== undefined) {
    const cmd = check.exec.command;
    return {
      ...common,
      type: 'COMMAND',
      command: 'shell' in cmd ? { shell: true, value: cmd.shell } : { shell: false, value: cmd.argv[0], arguments: [...cmd.argv] },
    };
  }
  if (check.http !== undefined) {
    const port = portOf(check.http.endpoint);
    if (port === undefined) return undefined;
    return {
      ...common,
      type: 'HTTP',
      http: { scheme: check.http.scheme === 'HTTPS' ? 'https' : 'http', port, ...(check.http.path !== undefined ? { path: check.http.path } : {}) },
    };
  }
  if (check.tcp !== undefined) {
    const port = portOf(check.tcp.endpoint);
    if (port === undefined) return undefined;
    return { ...common, type: 'TCP', tcp: { port } };
  }
  return undefined;
}

function discovery(pod: PodDefinition, own: ReadonlyArray<{ endpoint: Endpoint; hostPort: number | undefined }>): DiscoveryInfo {
  const hostNetwork = isHostNetworking(pod);
  const ports: Port[] = [];
  const add = (endpoint: Endpoint, number: number, extra: Record<string, string>): void => {
    const labels = { ...endpoint.labels, ...extra };
    for (const protocol of endpoint.protocol.length > 0 ? endpoint.protocol : ['tcp']) {
      ports.push({ number, name: endpoint.name, protocol, ...(Object.keys(labels).length > 0 ? { labels: toLabels(labels) } : {}) });
    }
  };
  for (const { endpoint, hostPort } of own) {
    if (hostNetwork) {
      if (hostPort !== undefined) add(endpoint, hostPort, {});
    } else {
      if (endpoint.containerPort !== undefined) add(endpoint, endpoint.containerPort, { 'network-scope': 'container' });
      if (hostPort !== undefined) add(endpoint, hostPort, { 'network-scope': 'host' });
    }
  }
  return { visibility: 'FRAMEWORK', name: pathIdToMesosName(pod.id), ports: { ports } };
}

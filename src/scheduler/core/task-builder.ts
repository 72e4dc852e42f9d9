/**
 * Mesos TaskInfo for one app instance, field for field as Marathon's TaskBuilder fills it:
 * name, discovery, labels, command with Marathon's environment, container, kill policy and
 * the one Mesos-native health check. Resources come from the matcher's placement unchanged.
 */
import { randomInt } from 'node:crypto';
import { pathIdToMesosName } from '../../model/apps/path-id.js';
import type { AppDefinition, HealthCheck as AppHealthCheck } from '../../model/apps/types.js';
import type {
  CommandInfo,
  ContainerInfo,
  ContainerInfoDockerInfoNetwork,
  DiscoveryInfo,
  EnvironmentVariable,
  HealthCheck,
  Label,
  Labels,
  NetworkInfo,
  Port,
  Resource,
  TaskInfo,
  Volume,
} from '../../mesos/types.js';
import { CoreError } from './errors.js';
import { hasNonHostNetworking, hostPortsBySlot, portSlots, type PortSlot } from './ports.js';

export interface TaskBuildInput {
  app: AppDefinition;
  taskId: string;
  agentId: string;
  hostname: string;
  /** Exact resources from the matcher's TaskPlacement. */
  resources: readonly object[];
  /** Host ports in matcher order (the slots that want one). */
  hostPorts: readonly number[];
  /** Marathon's `--env_vars_prefix`: put before the names of the port variables and HOST. */
  envVarsPrefix?: string;
}

const MAX_ENV_VALUE_LENGTH = 512;
const LABEL_ENV_PREFIX = 'MARATHON_APP_LABEL_';
const MESOS_HEALTH_PROTOCOLS = new Set(['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP', 'COMMAND']);

export function buildTaskInfo(input: TaskBuildInput): TaskInfo {
  const { app, taskId } = input;
  if (app.executor !== '' && app.executor !== '//cmd') {
    throw new CoreError('PACER_CORE_TASK_BUILD', `app ${app.id}: custom executor '${app.executor}' is not supported`);
  }
  const slots = portSlots(app);
  const hostPorts = hostPortsBySlot(app, input.hostPorts);
  const task: TaskInfo = {
    name: pathIdToMesosName(app.id),
    task_id: { value: taskId },
    agent_id: { value: input.agentId },
    // The matcher's resources are already Mesos Resource objects (copied from the offer).
    resources: input.resources as Resource[],
    discovery: discoveryInfo(app, slots, hostPorts),
  };
  if (Object.keys(app.labels).length > 0) task.labels = toLabels(app.labels);
  const container = containerInfo(app, slots, hostPorts, taskId);
  if (container) task.container = container;
  task.command = commandInfo(app, taskId, input.hostname, slots, hostPorts, input.envVarsPrefix);
  if (app.taskKillGracePeriodSeconds !== undefined) {
    task.kill_policy = { grace_period: { nanoseconds: Math.round(app.taskKillGracePeriodSeconds * 1e9) } };
  }
  const check = mesosHealthCheck(app, slots, hostPorts);
  if (check) task.health_check = check;
  return task;
}

// ---------------------------------------------------------------------------------------------
// Command and environment

export function commandInfo(
  app: AppDefinition,
  taskId: string,
  hostname: string,
  slots: readonly PortSlot[],
  hostPorts: ReadonlyArray<number | undefined>,
  envVarsPrefix = '',
): CommandInfo {
  // As in Marathon, the prefix applies to the port variables and HOST only; MESOS_TASK_ID,
  // MARATHON_APP_* and the app's own variables keep their names.
  const unprefixed: Array<[string, string]> = [...portsEnv(slots, hostPorts), ['HOST', hostname]];
  const prefixed = unprefixed.map(([name, value]): [string, string] => [`${envVarsPrefix}${name}`, value]);
  const env = new Map<string, string>([...taskContextEnv(app, taskId), ...prefixed]);
  // The app's own variables win over Marathon's (secret references are resolved elsewhere).
  for (const [name, value] of Object.entries(app.env)) if (typeof value === 'string') env.set(name, value);

  const command: CommandInfo = {
    environment: { variables: [...env].map(([name, value]): EnvironmentVariable => ({ name, value })) },
  };
  if (app.cmd !== undefined && app.cmd !== '') command.value = app.cmd;
  else command.shell = false;
  if (app.args.length > 0) {
    command.shell = false;
    command.arguments = [...app.args];
    // The Mesos command executor runs `value` with `arguments` as argv.
    if (app.container === undefined) command.value = app.args[0];
  }
  if (app.fetch.length > 0) {
    command.uris = app.fetch.map((a) => ({
      value: a.uri,
      executable: a.executable,
      extract: a.extract,
      cache: a.cache,
      ...(a.destPath !== undefined ? { output_file: a.destPath } : {}),
    }));
  }
  if (app.user !== undefined) command.user = app.user;
  return command;
}

/** Scala's Double.toString for the numbers apps use: integers keep a `.0`. */
export function scalaDouble(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export function taskContextEnv(app: AppDefinition, taskId: string): Array<[string, string]> {
  const env: Array<[string, string]> = [
    ['MESOS_TASK_ID', taskId],
    ['MARATHON_APP_ID', app.id],
    ['MARATHON_APP_VERSION', app.version ?? ''],
  ];
  const image = app.container?.docker?.image;
  if (image !== undefined) env.push(['MARATHON_APP_DOCKER_IMAGE', image]);
  env.push(
    ['MARATHON_APP_RESOURCE_CPUS', scalaDouble(app.cpus)],
    ['MARATHON_APP_RESOURCE_MEM', scalaDouble(app.mem)],
    ['MARATHON_APP_RESOURCE_DISK', scalaDouble(app.disk)],
    ['MARATHON_APP_RESOURCE_GPUS', String(Math.trunc(app.gpus))],
  );
  return [...env, ...labelsEnv(app.labels)];
}

/** MARATHON_APP_LABELS lists the usable label names; each gets MARATHON_APP_LABEL_<NAME>. */
export function labelsEnv(labels: Readonly<Record<string, string>>): Array<[string, string]> {
  const usable = Object.entries(labels)
    .filter(([key, value]) => key.length < MAX_ENV_VALUE_LENGTH - LABEL_ENV_PREFIX.length && value.length < MAX_ENV_VALUE_LENGTH)
    .map(([key, value]): [string, string] => [key.replace(/[^a-zA-Z0-9_]+/g, '_').toUpperCase(), value]);
  return [
    ['MARATHON_APP_LABELS', usable.map(([name]) => name).join(' ')],
    ...usable.map(([name, value]): [string, string] => [`${LABEL_ENV_PREFIX}${name}`, value]),
  ];
}

/**
 * PORT<i> per declared port, PORT_<declared> for fixed declarations (the port itself for
 * dynamic ones), PORT_<NAME> for named ports, PORT and PORTS. Container-only mappings without a
 * container port get a random one, as Marathon does.
 */
export function portsEnv(slots: readonly PortSlot[], hostPorts: ReadonlyArray<number | undefined>): Array<[string, string]> {
  if (slots.length === 0) return [];
  const env: Array<[string, string]> = [];
  const used = new Set<number>([...slots.map((s) => s.declared), ...hostPorts.filter((p): p is number => p !== undefined)]);
  const generated = new Map<number, number>();
  const effective = slots.map((slot, i): number => {
    const host = hostPorts[i];
    if (host !== undefined) return host;
    if (slot.declared !== 0) return slot.declared;
    let port: number;
    do port = randomInt(1025, 65536);
    while (used.has(port));
    used.add(port);
    generated.set(i, port);
    return port;
  });
  effective.forEach((port, i) => env.push([`PORT${i}`, String(port)]));
  slots.forEach((slot, i) => {
    const port = effective[i]!;
    env.push([`PORT_${slot.declared !== 0 ? slot.declared : port}`, String(port)]);
  });
  slots.forEach((slot, i) => {
    if (slot.name !== undefined && hostPorts[i] !== undefined) env.push([`PORT_${slot.name.toUpperCase()}`, String(hostPorts[i])]);
  });
  const assigned = [...hostPorts.filter((p): p is number => p !== undefined), ...generated.values()];
  if (assigned.length > 0) env.push(['PORT', String(assigned[0])]);
  env.push(['PORTS', assigned.join(',')]);
  return env;
}

// ---------------------------------------------------------------------------------------------
// Discovery, labels

export function toLabels(labels: Readonly<Record<string, string>>): Labels {
  return { labels: Object.entries(labels).map(([key, value]): Label => ({ key, value })) };
}

function discoveryPorts(slot: PortSlot, number: number, extraLabels: Record<string, string>): Port[] {
  const labels = { ...slot.labels, ...extraLabels };
  return slot.protocol.split(',').map((protocol) => ({
    number,
    protocol,
    ...(slot.name !== undefined ? { name: slot.name } : {}),
    ...(Object.keys(labels).length > 0 ? { labels: toLabels(labels) } : {}),
  }));
}

export function discoveryInfo(app: AppDefinition, slots: readonly PortSlot[], hostPorts: ReadonlyArray<number | undefined>): DiscoveryInfo {
  const ports: Port[] = [];
  const nonHost = hasNonHostNetworking(app);
  slots.forEach((slot, i) => {
    const host = hostPorts[i];
    if (!nonHost) {
      if (host !== undefined) ports.push(...discoveryPorts(slot, host, {}));
    } else if (host !== undefined) {
      // A host port is advertised when there is one: it is usually the faster path.
      ports.push(...discoveryPorts(slot, host, { 'network-scope': 'host' }));
    } else {
      ports.push(...discoveryPorts(slot, slot.declared, { 'network-scope': 'container' }));
    }
  });
  return { visibility: 'FRAMEWORK', name: pathIdToMesosName(app.id), ports: { ports } };
}

// ---------------------------------------------------------------------------------------------
// Container

interface BoundMapping {
  slot: PortSlot;
  hostPort: number;
  containerPort: number;
}

function boundMappings(slots: readonly PortSlot[], hostPorts: ReadonlyArray<number | undefined>): BoundMapping[] {
  const bound: BoundMapping[] = [];
  slots.forEach((slot, i) => {
    const hostPort = hostPorts[i];
    // Container port 0 means "same as the host port", so the app can advertise what it listens on.
    if (hostPort !== undefined) bound.push({ slot, hostPort, containerPort: slot.declared === 0 ? hostPort : slot.declared });
  });
  return bound;
}

function dockerNetwork(app: AppDefinition): ContainerInfoDockerInfoNetwork {
  const modes = new Set(app.networks.map((n) => n.mode));
  if (modes.has('container/bridge')) return 'BRIDGE';
  if (modes.has('container')) return 'USER';
  return 'HOST';
}

function volumes(app: AppDefinition): Volume[] {
  const out: Volume[] = [];
  for (const v of app.container?.volumes ?? []) {
    // Persistent, external and secret volumes need reservations or plugins Pacer does not drive yet.
    if (v.kind === 'host') out.push({ container_path: v.containerPath, host_path: v.hostPath, mode: v.mode });
  }
  return out;
}

function mesosNetworkInfos(app: AppDefinition, mappings: readonly BoundMapping[]): NetworkInfo[] {
  const portMappingsFor = (network: string | undefined) =>
    mappings
      .filter((m) => network === undefined || m.slot.networkNames.length === 0 || m.slot.networkNames.includes(network))
      .flatMap((m) => m.slot.protocol.split(',').map((protocol) => ({ host_port: m.hostPort, container_port: m.containerPort, protocol })));
  const infos: NetworkInfo[] = [];
  for (const network of app.networks) {
    if (network.mode === 'host') continue;
    const name = network.mode === 'container/bridge' ? 'mesos-bridge' : network.name;
    const pm = portMappingsFor(network.mode === 'container/bridge' ? undefined : network.name);
    infos.push({
      ...(name !== undefined ? { name } : {}),
      ...(Object.keys(network.labels).length > 0 ? { labels: toLabels(network.labels) } : {}),
      ...(pm.length > 0 ? { port_mappings: pm } : {}),
    });
  }
  return infos;
}

export function containerInfo(
  app: AppDefinition,
  slots: readonly PortSlot[],
  hostPorts: ReadonlyArray<number | undefined>,
  taskId: string,
): ContainerInfo | undefined {
  const container = app.container;
  const nonHost = hasNonHostNetworking(app);
  if (!container && !nonHost) return undefined;
  const mappings = boundMappings(slots, hostPorts);
  const info: ContainerInfo = { type: container?.type ?? 'MESOS' };
  const vols = volumes(app);
  if (vols.length > 0) info.volumes = vols;

  if (container?.type === 'DOCKER') {
    const docker = container.docker;
    if (!docker) throw new CoreError('PACER_CORE_TASK_BUILD', `app ${app.id}: DOCKER container without docker.image`);
    const network = dockerNetwork(app);
    info.docker = {
      image: docker.image,
      network,
      privileged: docker.privileged,
      // Marathon labels the container with its task so `docker ps` can be matched to Mesos.
      parameters: [...docker.parameters, { key: 'label', value: `MESOS_TASK_ID=${taskId}` }],
      force_pull_image: docker.forcePullImage,
    };
    if (network !== 'HOST' && mappings.length > 0) {
      info.docker.port_mappings = mappings.flatMap((m) =>
        m.slot.protocol.split(',').map((protocol) => ({ host_port: m.hostPort, container_port: m.containerPort, protocol })),
      );
    }
    if (network === 'USER') {
      info.network_infos = app.networks
        .filter((n) => n.mode === 'container')
        .map((n) => ({ ...(n.name !== undefined ? { name: n.name } : {}), ...(Object.keys(n.labels).length > 0 ? { labels: toLabels(n.labels) } : {}) }));
    }
  } else {
    const image = container?.docker?.image;
    info.mesos = image !== undefined ? { image: { type: 'DOCKER', docker: { name: image }, cached: !(container?.docker?.forcePullImage ?? false) } } : {};
    if (nonHost) info.network_infos = mesosNetworkInfos(app, mappings);
  }
  const linux = container?.linuxInfo;
  if (linux) {
    info.linux_info = {};
    if (linux.seccomp) {
      info.linux_info.seccomp = {
        unconfined: linux.seccomp.unconfined,
        ...(linux.seccomp.profileName !== undefined ? { profile_name: linux.seccomp.profileName } : {}),
      };
    }
    if (linux.ipcInfo) {
      info.linux_info.ipc_mode = linux.ipcInfo.mode;
      if (linux.ipcInfo.shmSize !== undefined) info.linux_info.shm_size = linux.ipcInfo.shmSize;
    }
  }
  if (app.tty) info.tty_info = {};
  return info;
}

// ---------------------------------------------------------------------------------------------
// Health check

/** Port a Mesos-run check probes: the container port behind a mapping, else the host port. */
function healthCheckPort(hc: AppHealthCheck, app: AppDefinition, slots: readonly PortSlot[], hostPorts: ReadonlyArray<number | undefined>): number | undefined {
  if (hc.port !== undefined) return hc.port;
  const index = hc.portIndex ?? 0;
  const slot = slots[index];
  if (!slot) return undefined;
  if (hasNonHostNetworking(app) && slot.declared !== 0) return slot.declared;
  return hostPorts[index];
}

export function mesosHealthCheck(app: AppDefinition, slots: readonly PortSlot[], hostPorts: ReadonlyArray<number | undefined>): HealthCheck | undefined {
  // Mesos runs at most one check per task; Marathon sends the first Mesos-side one.
  for (const hc of app.healthChecks) {
    if (!MESOS_HEALTH_PROTOCOLS.has(hc.protocol)) continue;
    const common: HealthCheck = {
      delay_seconds: hc.delaySeconds,
      interval_seconds: hc.intervalSeconds,
      timeout_seconds: hc.timeoutSeconds,
      consecutive_failures: hc.maxConsecutiveFailures,
      grace_period_seconds: hc.gracePeriodSeconds,
    };
    if (hc.protocol === 'COMMAND') {
      if (!hc.command) continue;
      return { ...common, type: 'COMMAND', command: { value: hc.command.value } };
    }
    const port = healthCheckPort(hc, app, slots, hostPorts);
    if (port === undefined) continue;
    const ipv6 = hc.ipProtocol === 'IPv6' ? { protocol: 'IPv6' as const } : {};
    if (hc.protocol === 'MESOS_TCP') return { ...common, type: 'TCP', tcp: { port, ...ipv6 } };
    return {
      ...common,
      type: 'HTTP',
      http: { scheme: hc.protocol === 'MESOS_HTTPS' ? 'https' : 'http', port, ...(hc.path !== undefined ? { path: hc.path } : {}), ...ipv6 },
    };
  }
  return undefined;
}

export function hasMesosHealthCheck(app: AppDefinition): boolean {
  return app.healthChecks.some((hc) => MESOS_HEALTH_PROTOCOLS.has(hc.protocol));
}

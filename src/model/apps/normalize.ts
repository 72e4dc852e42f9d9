/**
 * Marathon's app normalisation (api/v2/AppNormalization.scala), in its three phases:
 * `forDeprecated` (translate deprecated fields, default ports), `forPreValidation` (role),
 * `forPostValidation` (networks, default container, unreachable strategy, bridge host ports), and the
 * final conversion to the canonical `AppDefinition` (raml/AppConversion.scala).
 */
import { NormalizationConflict } from './errors.js';
import { canonicalPathId } from './path-id.js';
import type { RamlApp, RamlAppUpdate, RamlContainer, RamlHealthCheck, RamlIpAddress, RamlNetwork } from './read.js';
import type {
  AppDefinition,
  AppParseOptions,
  Artifact,
  Container,
  HealthCheck,
  PortDefinition,
  PortMapping,
  ReadinessCheck,
  Residency,
  UnreachableStrategy,
  UpgradeStrategy,
} from './types.js';

/** Marathon's `--mesos_bridge_name` default. */
export const MESOS_BRIDGE_NAME = 'mesos-bridge';

const ARCHIVE_SUFFIXES = ['.tar', '.tar.gz', '.tar.bz2', '.tar.xz', '.gz', '.tgz', '.tbz2', '.txz', '.zip'];

export const defaultPortDefinition = (): PortDefinition => ({ port: 0, protocol: 'tcp', name: 'default', labels: {} });
export const emptyPortMapping = (): PortMapping => ({
  containerPort: 0,
  servicePort: 0,
  protocol: 'tcp',
  labels: {},
  networkNames: [],
});
const defaultPortMapping = (): PortMapping => ({ ...emptyPortMapping(), name: 'default' });

export const DEFAULT_UPGRADE: UpgradeStrategy = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
export const RESIDENT_UPGRADE: UpgradeStrategy = { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 };
export const DEFAULT_RESIDENCY: Residency = { relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' };

export function defaultUnreachable(resident: boolean): UnreachableStrategy {
  return resident ? 'disabled' : { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 };
}

/** `uris` entries become fetch artifacts; archives (by path suffix) are extracted. */
export function artifactFromUri(uri: string): Artifact {
  return { uri, extract: isArchive(uri), executable: false, cache: false };
}

function isArchive(uri: string): boolean {
  let path: string;
  try {
    path = new URL(uri).pathname;
  } catch {
    path = uri.split(/[?#]/)[0] ?? uri;
  }
  return ARCHIVE_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

export function hasPersistentVolumes(container: { volumes: Array<{ kind: string }> } | undefined): boolean {
  return container?.volumes.some((v) => v.kind === 'persistent') ?? false;
}

function hasExternalVolumes(container: { volumes: Array<{ kind: string }> } | undefined): boolean {
  return container?.volumes.some((v) => v.kind === 'external') ?? false;
}

const isHostOrNone = (networks: RamlNetwork[]): boolean => networks.length === 0 || networks.some((n) => n.mode === 'host');
const nonHost = (networks: RamlNetwork[]): boolean => networks.some((n) => n.mode !== 'host');

// ---------------------------------------------------------------------------------------------
// Deprecated networking: ipAddress and container.docker.network -> networks

function translateNetworks(
  ipAddress: RamlIpAddress | undefined,
  dockerNetwork: string | undefined,
  networks: RamlNetwork[] | undefined,
): RamlNetwork[] | undefined {
  const fromDockerMode = (mode: string, ip?: RamlIpAddress): RamlNetwork[] => {
    switch (mode) {
      case 'HOST':
        return [{ mode: 'host', labels: {} }];
      case 'USER': {
        const net: RamlNetwork = { mode: 'container', labels: { ...(ip?.labels ?? {}) } };
        if (ip?.networkName !== undefined) net.name = ip.networkName;
        return [net];
      }
      case 'BRIDGE':
        return [{ mode: 'container/bridge', labels: { ...(ip?.labels ?? {}) } }];
      default:
        throw new NormalizationConflict(`unsupported docker network type ${mode}`);
    }
  };
  if (networks === undefined) {
    if (ipAddress !== undefined && dockerNetwork !== undefined) return fromDockerMode(dockerNetwork, ipAddress);
    if (ipAddress !== undefined) {
      if (ipAddress.networkName === MESOS_BRIDGE_NAME) return [{ mode: 'container/bridge', labels: { ...ipAddress.labels } }];
      const net: RamlNetwork = { mode: 'container', labels: { ...ipAddress.labels } };
      if (ipAddress.networkName !== undefined) net.name = ipAddress.networkName;
      return [net];
    }
    if (dockerNetwork !== undefined) return fromDockerMode(dockerNetwork);
    return undefined;
  }
  if (ipAddress === undefined && dockerNetwork === undefined) return networks;
  throw new NormalizationConflict('cannot mix deprecated and canonical network APIs');
}

function migrateDockerPortMappings(c: RamlContainer): RamlContainer {
  const dockerMappings = c.docker?.portMappings;
  if (dockerMappings === undefined || c.docker === undefined) return c;
  const { portMappings: _dropped, ...docker } = c.docker;
  const out: RamlContainer = { ...c, docker };
  if (c.portMappings !== undefined && dockerMappings.length > 0) {
    throw new NormalizationConflict('cannot specify both portMappings and docker.portMappings');
  }
  if (c.portMappings === undefined) out.portMappings = dockerMappings;
  return out;
}

function migrateIpDiscovery(c: RamlContainer, ip: RamlIpAddress | undefined): RamlContainer {
  const ports = ip?.discoveryPorts ?? [];
  if (ports.length === 0) return c;
  if (c.type !== 'MESOS') throw new NormalizationConflict(`ipAddress.discovery.ports do not apply for container type ${c.type}`);
  if (c.portMappings !== undefined) {
    throw new NormalizationConflict('container.portMappings and ipAddress.discovery.ports must not both be set');
  }
  return {
    ...c,
    portMappings: ports.map((p) => ({ ...emptyPortMapping(), containerPort: p.number, name: p.name, protocol: p.protocol, labels: { ...p.labels } })),
  };
}

function dropDockerNetwork(c: RamlContainer): RamlContainer {
  if (c.docker?.network === undefined) return c;
  const { network: _dropped, ...docker } = c.docker;
  return { ...c, docker };
}

function withoutPortMappings(c: RamlContainer): RamlContainer {
  const { portMappings: _dropped, ...rest } = c;
  return rest;
}

const emptyMesosContainer = (): RamlContainer => ({ type: 'MESOS', volumes: [] });

/** Deprecated-field translation for a full app (AppNormalization.forDeprecated). */
export function forDeprecated(app: RamlApp): RamlApp {
  let fetch = app.fetch;
  const uris = app.uris ?? [];
  if (uris.length > 0 && fetch.length === 0) fetch = uris.map(artifactFromUri);
  else if (uris.length > 0 && fetch.length > 0) throw new NormalizationConflict('cannot specify both uris and fetch fields');

  const networks = translateNetworks(app.ipAddress, app.container?.docker?.network, app.networks.length > 0 ? app.networks : undefined) ?? [];

  const migratedPortDefinitions = app.portDefinitions ?? app.ports?.map((port): PortDefinition => ({ port, protocol: 'tcp', labels: {} }));
  const portDefinitions = nonHost(networks) ? undefined : (migratedPortDefinitions ?? [defaultPortDefinition()]);

  let container = app.container ?? (app.ipAddress !== undefined ? emptyMesosContainer() : undefined);
  if (container !== undefined) {
    container = dropDockerNetwork(migrateIpDiscovery(migrateDockerPortMappings(container), app.ipAddress));
    if (isHostOrNone(networks)) container = withoutPortMappings(container);
    else if (container.portMappings === undefined) container = { ...container, portMappings: [defaultPortMapping()] };
    if (nonHost(networks)) {
      const delta = (migratedPortDefinitions?.length ?? 0) - (container.portMappings?.length ?? 0);
      if (delta > 0) {
        const added = Array.from({ length: delta }, emptyPortMapping);
        container = { ...container, portMappings: [...(container.portMappings ?? []), ...added] };
      }
    }
  }

  // Marathon looks at the ports as given (not the defaulted ones) to decide whether checks get portIndex 0.
  const portsGiven = (app.portDefinitions?.length ?? 0) > 0 || container?.portMappings !== undefined;
  const healthChecks = portsGiven ? app.healthChecks.map(withDefaultPortIndex) : app.healthChecks;

  const residency = hasPersistentVolumes(app.container) ? (app.residency ?? { ...DEFAULT_RESIDENCY }) : app.residency;

  const out: RamlApp = {
    ...app,
    id: canonicalPathId(app.id),
    fetch,
    networks,
    healthChecks,
    readinessChecks: app.readinessChecks.map(withDefaultStatusCodes),
  };
  delete out.uris;
  delete out.ipAddress;
  delete out.ports;
  setOrDelete(out, 'portDefinitions', portDefinitions);
  setOrDelete(out, 'container', container);
  setOrDelete(out, 'residency', residency);
  return out;
}

/** Deprecated-field translation for an update (AppNormalization.forDeprecatedUpdates); no port defaults. */
export function forDeprecatedUpdate(update: RamlAppUpdate): RamlAppUpdate {
  const out: RamlAppUpdate = { ...update };
  const uris = update.uris ?? [];
  const fetch = update.fetch ?? [];
  if (uris.length > 0 && fetch.length === 0) out.fetch = uris.map(artifactFromUri);
  else if (uris.length > 0 && fetch.length > 0) throw new NormalizationConflict('cannot specify both uris and fetch fields');
  delete out.uris;

  const networks = translateNetworks(update.ipAddress, update.container?.docker?.network, update.networks);
  setOrDelete(out, 'networks', networks);

  const container = update.container ?? (update.ipAddress !== undefined ? emptyMesosContainer() : undefined);
  if (container !== undefined) {
    out.container = dropDockerNetwork(migrateIpDiscovery(migrateDockerPortMappings(container), update.ipAddress));
  }
  delete out.ipAddress;

  if (update.portDefinitions === undefined && update.ports !== undefined) {
    out.portDefinitions = update.ports.map((port): PortDefinition => ({ port, protocol: 'tcp', labels: {} }));
  }
  delete out.ports;
  if (update.healthChecks !== undefined) out.healthChecks = update.healthChecks.map(withDefaultPortIndex);
  if (update.readinessChecks !== undefined) out.readinessChecks = update.readinessChecks.map(withDefaultStatusCodes);
  return out;
}

function withDefaultPortIndex(check: RamlHealthCheck): RamlHealthCheck {
  if (check.protocol === 'COMMAND' || check.port !== undefined || check.portIndex !== undefined) return check;
  return { ...check, portIndex: 0 };
}

function withDefaultStatusCodes<T extends { httpStatusCodesForReady?: number[] }>(check: T): T {
  if (check.httpStatusCodesForReady !== undefined && check.httpStatusCodesForReady.length > 0) return check;
  return { ...check, httpStatusCodesForReady: [200] };
}

/**
 * AppNormalization.forPreValidation: a missing role becomes the default role, `--mesos_role` or the
 * top-level group's name when that group enforces its role (see RoleSettings).
 */
export function forPreValidation(app: RamlApp, defaultRole: string): RamlApp {
  return { ...app, role: app.role ?? defaultRole };
}

/** AppNormalization.forPostValidation. */
export function forPostValidation(app: RamlApp, opts: AppParseOptions): RamlApp {
  const named = app.networks.map((n) => {
    if (n.mode !== 'container' || n.name !== undefined || opts.defaultNetworkName === undefined) return n;
    return { ...n, name: opts.defaultNetworkName };
  });
  const networks: RamlNetwork[] = named.length > 0 ? named : [{ mode: 'host', labels: {} }];
  if (networks.some((n) => n.mode === 'container' && n.name === undefined)) {
    throw new NormalizationConflict('container network name is not defined');
  }
  const bridged = networks.some((n) => n.mode === 'container/bridge');
  let container = app.container ?? (nonHost(networks) ? { ...emptyMesosContainer(), portMappings: [defaultPortMapping()] } : undefined);
  if (container !== undefined) {
    container = dropDockerNetwork(container);
    if (bridged && container.portMappings !== undefined) {
      container = {
        ...container,
        portMappings: container.portMappings.map((m) => (m.hostPort === undefined ? { ...m, hostPort: 0 } : m)),
      };
    }
  }
  const out: RamlApp = {
    ...app,
    networks,
    unreachableStrategy: app.unreachableStrategy ?? defaultUnreachable(hasPersistentVolumes(app.container)),
    requirePorts: nonHost(networks) ? false : app.requirePorts,
  };
  setOrDelete(out, 'container', container);
  return out;
}

// ---------------------------------------------------------------------------------------------
// RamlApp -> AppDefinition

/** Conversion to the canonical form (AppConversion.appRamlReader plus the health-check round trip). */
export function toDefinition(app: RamlApp): AppDefinition {
  const resident = hasPersistentVolumes(app.container);
  const unreachableStrategy = app.unreachableStrategy ?? defaultUnreachable(resident);
  const def: AppDefinition = {
    id: app.id,
    args: [...app.args],
    env: structuredClone(app.env),
    instances: app.instances,
    cpus: app.cpus,
    mem: app.mem,
    disk: app.disk,
    gpus: app.gpus,
    executor: app.executor,
    constraints: app.constraints.map(canonicalConstraint),
    role: app.role ?? '*',
    labels: { ...app.labels },
    secrets: structuredClone(app.secrets),
    fetch: structuredClone(app.fetch),
    portDefinitions: structuredClone(app.portDefinitions ?? []),
    requirePorts: app.requirePorts,
    networks: app.networks.map((n) => ({ ...n, labels: { ...n.labels } })),
    healthChecks: app.healthChecks.map(canonicalHealthCheck),
    readinessChecks: app.readinessChecks.map((r): ReadinessCheck => ({ ...r, httpStatusCodesForReady: [...(r.httpStatusCodesForReady ?? [200])] })),
    dependencies: [...app.dependencies],
    upgradeStrategy: app.upgradeStrategy ?? (resident || hasExternalVolumes(app.container) ? { ...RESIDENT_UPGRADE } : { ...DEFAULT_UPGRADE }),
    backoffSeconds: app.backoffSeconds,
    backoffFactor: app.backoffFactor,
    maxLaunchDelaySeconds: app.maxLaunchDelaySeconds,
    killSelection: app.killSelection,
    unreachableStrategy,
  };
  if (app.cmd !== undefined) def.cmd = app.cmd;
  if (app.user !== undefined) def.user = app.user;
  if (app.executorResources !== undefined) def.executorResources = { ...app.executorResources };
  if (app.resourceLimits !== undefined) {
    def.resourceLimits = {};
    for (const key of ['cpus', 'mem'] as const) {
      const v = app.resourceLimits[key];
      if (v !== undefined) def.resourceLimits[key] = typeof v === 'number' ? v : 'unlimited';
    }
  }
  if (app.acceptedResourceRoles !== undefined && app.acceptedResourceRoles.length > 0) {
    def.acceptedResourceRoles = [...app.acceptedResourceRoles];
  }
  if (app.container !== undefined) def.container = toContainer(app.container);
  if (app.check !== undefined) def.check = structuredClone(app.check);
  if (app.taskKillGracePeriodSeconds !== undefined) def.taskKillGracePeriodSeconds = app.taskKillGracePeriodSeconds;
  if (resident) {
    def.residency =
      unreachableStrategy === 'disabled'
        ? { ...DEFAULT_RESIDENCY }
        : { relaunchEscalationTimeoutSeconds: unreachableStrategy.inactiveAfterSeconds, taskLostBehavior: 'WAIT_FOREVER' };
  }
  if (app.tty !== undefined) def.tty = app.tty;
  return def;
}

function canonicalConstraint(c: string[]): string[] {
  const [field = '', op = '', ...rest] = c;
  return [field, op.toUpperCase(), ...rest];
}

function toContainer(c: RamlContainer): Container {
  const out: Container = {
    type: c.type,
    volumes: c.volumes.map((v) => {
      if (v.kind !== 'persistent') return structuredClone(v);
      const info = { ...v.persistent, constraints: v.persistent.constraints.map((x) => [...x]) };
      info.type = info.type ?? (info.profileName !== undefined ? 'mount' : 'root');
      return { ...v, persistent: info };
    }),
  };
  if (c.docker !== undefined) {
    const d = c.docker;
    out.docker = {
      image: d.image,
      forcePullImage: d.forcePullImage,
      privileged: d.privileged,
      parameters: d.parameters.map((p) => ({ ...p })),
    };
    if (d.pullConfig !== undefined) out.docker.pullConfig = { ...d.pullConfig };
  }
  if (c.linuxInfo !== undefined) out.linuxInfo = structuredClone(c.linuxInfo);
  if (c.portMappings !== undefined) out.portMappings = structuredClone(c.portMappings);
  return out;
}

/**
 * What survives Marathon's conversion to its health-check model and back: each protocol keeps only its
 * own fields, Marathon-run checks (HTTP, HTTPS, TCP) lose `delaySeconds` and `ipProtocol`.
 */
function canonicalHealthCheck(h: RamlHealthCheck): HealthCheck {
  // Marathon cannot convert these and answers 500 with the same messages.
  if (h.command !== undefined && h.protocol !== 'COMMAND') {
    throw new NormalizationConflict(`illegal protocol ${h.protocol} specified with command`);
  }
  if (h.command === undefined && h.protocol === 'COMMAND') {
    throw new NormalizationConflict('illegal protocol COMMAND for non-command health check');
  }
  const base: HealthCheck = {
    protocol: h.protocol,
    ipProtocol: 'IPv4',
    gracePeriodSeconds: h.gracePeriodSeconds,
    intervalSeconds: h.intervalSeconds,
    timeoutSeconds: h.timeoutSeconds,
    maxConsecutiveFailures: h.maxConsecutiveFailures,
    delaySeconds: 15,
  };
  const withPort = (out: HealthCheck): HealthCheck => {
    if (h.port !== undefined) out.port = h.port;
    if (h.portIndex !== undefined) out.portIndex = h.portIndex;
    return out;
  };
  switch (h.protocol) {
    case 'COMMAND':
      return { ...base, delaySeconds: h.delaySeconds, command: { value: h.command?.value ?? '' } };
    case 'HTTP':
    case 'HTTPS': {
      const out = withPort({ ...base, ignoreHttp1xx: h.ignoreHttp1xx ?? false });
      if (h.path !== undefined) out.path = h.path;
      return out;
    }
    case 'TCP':
      return withPort(base);
    case 'MESOS_HTTP':
    case 'MESOS_HTTPS': {
      const out = withPort({ ...base, ipProtocol: h.ipProtocol, delaySeconds: h.delaySeconds });
      if (h.path !== undefined) out.path = h.path;
      return out;
    }
    case 'MESOS_TCP':
      return withPort({ ...base, ipProtocol: h.ipProtocol, delaySeconds: h.delaySeconds });
  }
}

function setOrDelete<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

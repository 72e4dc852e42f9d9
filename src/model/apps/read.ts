/**
 * Type-checked JSON -> `RamlApp`: RAML defaults filled the way Marathon's generated readers fill them,
 * enum literals in their canonical spelling, `uniqueItems` arrays deduplicated (they are Sets upstream).
 * Top-level defaults are applied only for a full App, not for an update (where absence means "keep").
 */
import type {
  AppCheck,
  AppVolume,
  Artifact,
  DockerNetwork,
  DockerParameter,
  EngineType,
  EnvValue,
  ExecutorResources,
  HealthCheckProtocol,
  HttpScheme,
  IpProtocol,
  KillSelection,
  Labels,
  LinuxInfo,
  MesosCommand,
  NetworkMode,
  NetworkProtocol,
  PortDefinition,
  PortMapping,
  ReadinessCheck,
  Residency,
  UnreachableStrategy,
  UpgradeStrategy,
  VersionInfo,
} from './types.js';
import { unionMemberIndex } from './json-schema.js';

export interface RamlNetwork {
  mode: NetworkMode;
  name?: string;
  labels: Labels;
}

export interface RamlDocker {
  image: string;
  forcePullImage: boolean;
  privileged: boolean;
  parameters: DockerParameter[];
  pullConfig?: { secret: string };
  credential?: { principal: string; secret?: string };
  network?: DockerNetwork;
  portMappings?: PortMapping[];
}

export interface RamlContainer {
  type: EngineType;
  docker?: RamlDocker;
  linuxInfo?: LinuxInfo;
  volumes: AppVolume[];
  portMappings?: PortMapping[];
}

export interface RamlHealthCheck {
  protocol: HealthCheckProtocol;
  ipProtocol: IpProtocol;
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  maxConsecutiveFailures: number;
  delaySeconds: number;
  command?: { value: string };
  path?: string;
  port?: number;
  portIndex?: number;
  ignoreHttp1xx?: boolean;
}

export interface RamlIpAddress {
  discoveryPorts: Array<{ number: number; name: string; protocol: NetworkProtocol; labels: Labels }>;
  groups: string[];
  labels: Labels;
  networkName?: string;
}

export type RamlReadinessCheck = Omit<ReadinessCheck, 'httpStatusCodesForReady'> & { httpStatusCodesForReady?: number[] };

/** RAML `App` after Play-style reading. Field names and meaning as in app.raml. */
export interface RamlApp {
  id: string;
  acceptedResourceRoles?: string[];
  args: string[];
  backoffFactor: number;
  backoffSeconds: number;
  cmd?: string;
  constraints: string[][];
  container?: RamlContainer;
  cpus: number;
  dependencies: string[];
  disk: number;
  env: Record<string, EnvValue>;
  executor: string;
  executorResources?: ExecutorResources;
  fetch: Artifact[];
  healthChecks: RamlHealthCheck[];
  check?: AppCheck;
  instances: number;
  labels: Labels;
  maxLaunchDelaySeconds: number;
  mem: number;
  gpus: number;
  ipAddress?: RamlIpAddress;
  networks: RamlNetwork[];
  ports?: number[];
  portDefinitions?: PortDefinition[];
  readinessChecks: RamlReadinessCheck[];
  residency?: Residency;
  resourceLimits?: { cpus?: number | string; mem?: number | string };
  requirePorts: boolean;
  secrets: Record<string, { source: string }>;
  taskKillGracePeriodSeconds?: number;
  upgradeStrategy?: UpgradeStrategy;
  uris?: string[];
  user?: string;
  version?: string;
  versionInfo?: VersionInfo;
  killSelection: KillSelection;
  unreachableStrategy?: UnreachableStrategy;
  tty?: boolean;
  role?: string;
}

export type RamlAppUpdate = Partial<RamlApp>;

type Json = Record<string, unknown>;

const TOP_LEVEL_DEFAULTS = {
  args: [] as string[],
  backoffFactor: 1.15,
  backoffSeconds: 1,
  constraints: [] as string[][],
  cpus: 1,
  dependencies: [] as string[],
  disk: 0,
  env: {} as Record<string, EnvValue>,
  executor: '',
  fetch: [] as Artifact[],
  healthChecks: [] as RamlHealthCheck[],
  instances: 1,
  labels: {} as Labels,
  maxLaunchDelaySeconds: 300,
  mem: 128,
  gpus: 0,
  networks: [] as RamlNetwork[],
  readinessChecks: [] as RamlReadinessCheck[],
  requirePorts: false,
  secrets: {} as Record<string, { source: string }>,
  killSelection: 'YOUNGEST_FIRST' as KillSelection,
};

/** Reads a type-checked RAML `App` body. */
export function readApp(json: Json): RamlApp {
  return withTopLevelDefaults(readAppUpdate(json) as RamlAppUpdate & { id: string });
}

export function withTopLevelDefaults(update: RamlAppUpdate & { id: string }): RamlApp {
  const app: RamlApp = { ...structuredClone(TOP_LEVEL_DEFAULTS), id: update.id };
  for (const [key, value] of Object.entries(update as Record<string, unknown>)) {
    if (value !== undefined) (app as unknown as Json)[key] = value;
  }
  return app;
}

/** Reads a type-checked RAML `AppUpdate` body: only the fields present. */
export function readAppUpdate(json: Json): RamlAppUpdate {
  const out: RamlAppUpdate = {};
  const has = (key: string): boolean => json[key] !== undefined;
  const s = (key: string): string => json[key] as string;
  const n = (key: string): number => json[key] as number;
  if (has('id')) out.id = s('id');
  if (has('acceptedResourceRoles')) out.acceptedResourceRoles = unique(json.acceptedResourceRoles as string[]);
  if (has('args')) out.args = [...(json.args as string[])];
  if (has('backoffFactor')) out.backoffFactor = n('backoffFactor');
  if (has('backoffSeconds')) out.backoffSeconds = n('backoffSeconds');
  if (has('cmd')) out.cmd = s('cmd');
  if (has('constraints')) out.constraints = uniqueBy(json.constraints as string[][]);
  if (has('container')) out.container = readContainer(json.container as Json);
  if (has('cpus')) out.cpus = n('cpus');
  if (has('dependencies')) out.dependencies = unique(json.dependencies as string[]);
  if (has('disk')) out.disk = n('disk');
  if (has('env')) out.env = structuredClone(json.env as Record<string, EnvValue>);
  if (has('executor')) out.executor = s('executor');
  if (has('executorResources')) {
    const r = json.executorResources as Json;
    out.executorResources = { cpus: num(r.cpus, 0.1), mem: num(r.mem, 32), disk: num(r.disk, 10) };
  }
  if (has('fetch')) out.fetch = (json.fetch as Json[]).map(readArtifact);
  if (has('healthChecks')) out.healthChecks = uniqueBy((json.healthChecks as Json[]).map(readHealthCheck));
  if (has('check')) out.check = readCheck(json.check as Json);
  if (has('instances')) out.instances = n('instances');
  if (has('labels')) out.labels = { ...(json.labels as Labels) };
  if (has('maxLaunchDelaySeconds')) out.maxLaunchDelaySeconds = n('maxLaunchDelaySeconds');
  if (has('mem')) out.mem = n('mem');
  if (has('gpus')) out.gpus = n('gpus');
  if (has('ipAddress')) out.ipAddress = readIpAddress(json.ipAddress as Json);
  if (has('networks')) out.networks = (json.networks as Json[]).map(readNetwork);
  if (has('ports')) out.ports = [...(json.ports as number[])];
  if (has('portDefinitions')) out.portDefinitions = (json.portDefinitions as Json[]).map(readPortDefinition);
  if (has('readinessChecks')) out.readinessChecks = (json.readinessChecks as Json[]).map(readReadinessCheck);
  if (has('residency')) {
    const r = json.residency as Json;
    out.residency = {
      relaunchEscalationTimeoutSeconds: num(r.relaunchEscalationTimeoutSeconds, 3600),
      taskLostBehavior: literal(r.taskLostBehavior, ['WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT'] as const, 'WAIT_FOREVER'),
    };
  }
  if (has('resourceLimits')) {
    const r = json.resourceLimits as Json;
    out.resourceLimits = {};
    if (r.cpus !== undefined) out.resourceLimits.cpus = r.cpus as number | string;
    if (r.mem !== undefined) out.resourceLimits.mem = r.mem as number | string;
  }
  if (has('requirePorts')) out.requirePorts = json.requirePorts as boolean;
  if (has('secrets')) out.secrets = structuredClone(json.secrets as Record<string, { source: string }>);
  if (has('taskKillGracePeriodSeconds')) out.taskKillGracePeriodSeconds = n('taskKillGracePeriodSeconds');
  if (has('upgradeStrategy')) {
    const u = json.upgradeStrategy as Json;
    out.upgradeStrategy = {
      minimumHealthCapacity: u.minimumHealthCapacity as number,
      maximumOverCapacity: u.maximumOverCapacity as number,
    };
  }
  if (has('uris')) out.uris = [...(json.uris as string[])];
  if (has('user')) out.user = s('user');
  if (has('version')) out.version = s('version');
  if (has('versionInfo')) out.versionInfo = { ...(json.versionInfo as VersionInfo) };
  if (has('killSelection')) out.killSelection = literal(json.killSelection, ['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const, 'YOUNGEST_FIRST');
  if (has('unreachableStrategy')) out.unreachableStrategy = readUnreachable(json.unreachableStrategy);
  if (has('tty')) out.tty = json.tty as boolean;
  if (has('role')) out.role = s('role');
  return out;
}

function readArtifact(a: Json): Artifact {
  const out: Artifact = {
    uri: a.uri as string,
    extract: bool(a.extract, true),
    executable: bool(a.executable, false),
    cache: bool(a.cache, false),
  };
  if (a.destPath !== undefined) out.destPath = a.destPath as string;
  return out;
}

const PROTOCOLS: NetworkProtocol[] = ['tcp', 'udp', 'udp,tcp'];

export function readPortDefinition(p: Json): PortDefinition {
  const out: PortDefinition = {
    port: num(p.port, 0),
    protocol: literal(p.protocol, PROTOCOLS, 'tcp'),
    labels: { ...((p.labels as Labels | undefined) ?? {}) },
  };
  if (p.name !== undefined) out.name = p.name as string;
  return out;
}

function readNetwork(n: Json): RamlNetwork {
  const out: RamlNetwork = {
    mode: literal(n.mode, ['container', 'container/bridge', 'host'] as const, 'container'),
    labels: { ...((n.labels as Labels | undefined) ?? {}) },
  };
  if (n.name !== undefined) out.name = n.name as string;
  return out;
}

function readIpAddress(ip: Json): RamlIpAddress {
  const discovery = (ip.discovery as Json | undefined) ?? {};
  const ports = (discovery.ports as Json[] | undefined) ?? [];
  const out: RamlIpAddress = {
    discoveryPorts: ports.map((p) => ({
      number: num(p.number, 0),
      name: p.name as string,
      protocol: literal(p.protocol, PROTOCOLS, 'tcp'),
      labels: { ...((p.labels as Labels | undefined) ?? {}) },
    })),
    groups: unique((ip.groups as string[] | undefined) ?? []),
    labels: { ...((ip.labels as Labels | undefined) ?? {}) },
  };
  if (ip.networkName !== undefined) out.networkName = ip.networkName as string;
  return out;
}

export function readPortMapping(m: Json): PortMapping {
  const out: PortMapping = {
    containerPort: num(m.containerPort, 0),
    servicePort: num(m.servicePort, 0),
    protocol: literal(m.protocol, PROTOCOLS, 'tcp'),
    labels: { ...((m.labels as Labels | undefined) ?? {}) },
    networkNames: [...((m.networkNames as string[] | undefined) ?? [])],
  };
  if (m.hostPort !== undefined) out.hostPort = m.hostPort as number;
  if (m.name !== undefined) out.name = m.name as string;
  return out;
}

function readContainer(c: Json): RamlContainer {
  const out: RamlContainer = {
    type: literal(c.type, ['MESOS', 'DOCKER'] as const, 'DOCKER'),
    volumes: ((c.volumes as Json[] | undefined) ?? []).map(readVolume),
  };
  if (c.docker !== undefined) out.docker = readDocker(c.docker as Json);
  if (c.linuxInfo !== undefined) out.linuxInfo = readLinuxInfo(c.linuxInfo as Json);
  if (c.portMappings !== undefined) out.portMappings = (c.portMappings as Json[]).map(readPortMapping);
  return out;
}

function readDocker(d: Json): RamlDocker {
  const out: RamlDocker = {
    image: d.image as string,
    forcePullImage: bool(d.forcePullImage, false),
    privileged: bool(d.privileged, false),
    parameters: ((d.parameters as DockerParameter[] | undefined) ?? []).map((p) => ({ key: p.key, value: p.value })),
  };
  if (d.pullConfig !== undefined) out.pullConfig = { secret: (d.pullConfig as Json).secret as string };
  if (d.credential !== undefined) out.credential = structuredClone(d.credential as { principal: string });
  if (d.network !== undefined) out.network = literal(d.network, ['BRIDGE', 'HOST', 'NONE', 'USER'] as const, 'HOST');
  if (d.portMappings !== undefined) out.portMappings = (d.portMappings as Json[]).map(readPortMapping);
  return out;
}

export function readLinuxInfo(l: Json): LinuxInfo {
  const out: LinuxInfo = {};
  if (l.seccomp !== undefined) {
    const s = l.seccomp as Json;
    out.seccomp = { unconfined: bool(s.unconfined, false) };
    if (s.profileName !== undefined) out.seccomp.profileName = s.profileName as string;
  }
  if (l.ipcInfo !== undefined) {
    const i = l.ipcInfo as Json;
    out.ipcInfo = { mode: literal(i.mode, ['PRIVATE', 'SHARE_PARENT'] as const, 'PRIVATE') };
    if (i.shmSize !== undefined) out.ipcInfo.shmSize = i.shmSize as number;
  }
  return out;
}

const READ_MODES = ['RO', 'RW'] as const;

function readVolume(v: Json): AppVolume {
  const containerPath = v.containerPath as string;
  switch (unionMemberIndex('volume', v)) {
    case 0: {
      const p = v.persistent as Json;
      const persistent: AppVolume & { kind: 'persistent' } = {
        kind: 'persistent',
        containerPath,
        mode: literal(v.mode, READ_MODES, 'RW'),
        persistent: { size: p.size as number, constraints: uniqueBy((p.constraints as string[][] | undefined) ?? []) },
      };
      if (p.type !== undefined) persistent.persistent.type = literal(p.type, ['root', 'path', 'mount'] as const, 'root');
      if (p.maxSize !== undefined) persistent.persistent.maxSize = p.maxSize as number;
      if (p.profileName !== undefined) persistent.persistent.profileName = p.profileName as string;
      return persistent;
    }
    case 1:
      return {
        kind: 'external',
        containerPath,
        mode: literal(v.mode, READ_MODES, 'RW'),
        external: structuredClone(v.external as Json),
      };
    case 2:
      return { kind: 'secret', containerPath, secret: v.secret as string };
    default:
      return { kind: 'host', containerPath, hostPath: v.hostPath as string, mode: literal(v.mode, READ_MODES, 'RW') };
  }
}

const HC_PROTOCOLS: HealthCheckProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_TCP', 'MESOS_HTTP', 'MESOS_HTTPS'];

export function readHealthCheck(h: Json): RamlHealthCheck {
  const out: RamlHealthCheck = {
    protocol: literal(h.protocol, HC_PROTOCOLS, 'HTTP'),
    ipProtocol: literal(h.ipProtocol, ['IPv4', 'IPv6'] as const, 'IPv4'),
    gracePeriodSeconds: num(h.gracePeriodSeconds, 300),
    intervalSeconds: num(h.intervalSeconds, 60),
    timeoutSeconds: num(h.timeoutSeconds, 20),
    maxConsecutiveFailures: num(h.maxConsecutiveFailures, 3),
    delaySeconds: num(h.delaySeconds, 15),
  };
  if (h.command !== undefined) out.command = { value: (h.command as Json).value as string };
  if (h.path !== undefined) out.path = h.path as string;
  if (h.port !== undefined) out.port = h.port as number;
  if (h.portIndex !== undefined) out.portIndex = h.portIndex as number;
  if (h.ignoreHttp1xx !== undefined) out.ignoreHttp1xx = h.ignoreHttp1xx as boolean;
  return out;
}

const SCHEMES: HttpScheme[] = ['HTTP', 'HTTPS'];

function readCheck(c: Json): AppCheck {
  const out: AppCheck = {
    intervalSeconds: num(c.intervalSeconds, 60),
    timeoutSeconds: num(c.timeoutSeconds, 20),
    delaySeconds: num(c.delaySeconds, 15),
  };
  if (c.http !== undefined) {
    const h = c.http as Json;
    out.http = { scheme: literal(h.scheme, SCHEMES, 'HTTP') };
    if (h.portIndex !== undefined) out.http.portIndex = h.portIndex as number;
    if (h.port !== undefined) out.http.port = h.port as number;
    if (h.path !== undefined) out.http.path = h.path as string;
  }
  if (c.tcp !== undefined) {
    const t = c.tcp as Json;
    out.tcp = {};
    if (t.portIndex !== undefined) out.tcp.portIndex = t.portIndex as number;
    if (t.port !== undefined) out.tcp.port = t.port as number;
  }
  if (c.exec !== undefined) {
    const command = (c.exec as Json).command as Json;
    const cmd: MesosCommand = unionMemberIndex('mesosCommand', command) === 0 ? { shell: command.shell as string } : { argv: [...(command.argv as string[])] };
    out.exec = { command: cmd };
  }
  return out;
}

function readReadinessCheck(r: Json): RamlReadinessCheck {
  const out: RamlReadinessCheck = {
    name: (r.name as string | undefined) ?? 'readinessCheck',
    protocol: literal(r.protocol, SCHEMES, 'HTTP'),
    path: (r.path as string | undefined) ?? '/',
    portName: (r.portName as string | undefined) ?? 'http-api',
    intervalSeconds: num(r.intervalSeconds, 30),
    timeoutSeconds: num(r.timeoutSeconds, 10),
    preserveLastResponse: bool(r.preserveLastResponse, false),
  };
  if (r.httpStatusCodesForReady !== undefined) out.httpStatusCodesForReady = unique(r.httpStatusCodesForReady as number[]);
  return out;
}

function readUnreachable(u: unknown): UnreachableStrategy {
  if (typeof u === 'string') return 'disabled';
  const o = u as Json;
  return { inactiveAfterSeconds: num(o.inactiveAfterSeconds, 0), expungeAfterSeconds: num(o.expungeAfterSeconds, 0) };
}

// ---------------------------------------------------------------------------------------------

export function num(v: unknown, dflt: number): number {
  return typeof v === 'number' ? v : dflt;
}

export function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

/** Enum literals are matched case-insensitively upstream; store the canonical spelling. */
export function literal<T extends string>(v: unknown, values: readonly T[], dflt: NoInfer<T>): T {
  if (typeof v !== 'string') return dflt;
  return values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? dflt;
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Structural dedupe (Scala Sets of case classes / Seqs compare by value). */
export function uniqueBy<T>(values: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const v of values) {
    const key = stableStringify(v);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

/** JSON with object keys sorted, for value comparison. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Json)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

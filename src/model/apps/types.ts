/**
 * Marathon's App as data. `AppRequest` is the body a client may send (RAML `App`, every field optional
 * except `id`, deprecated fields included). `AppDefinition` is the canonical, normalised form Pacer stores:
 * defaults filled, deprecated fields translated, nothing optional that Marathon always has.
 */

export type NetworkProtocol = 'tcp' | 'udp' | 'udp,tcp';
export type NetworkMode = 'container' | 'container/bridge' | 'host';
export type HealthCheckProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_TCP' | 'MESOS_HTTP' | 'MESOS_HTTPS';
export type HttpScheme = 'HTTP' | 'HTTPS';
export type IpProtocol = 'IPv4' | 'IPv6';
export type EngineType = 'DOCKER' | 'MESOS';
export type DockerNetwork = 'BRIDGE' | 'HOST' | 'NONE' | 'USER';
export type ReadMode = 'RO' | 'RW';
export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
export type TaskLostBehavior = 'WAIT_FOREVER' | 'RELAUNCH_AFTER_TIMEOUT';
export type PersistentVolumeType = 'root' | 'path' | 'mount';
export type Labels = Record<string, string>;

export type EnvValue = string | { secret: string };

export interface Artifact {
  uri: string;
  extract: boolean;
  executable: boolean;
  cache: boolean;
  destPath?: string;
}

export interface PortDefinition {
  /** 0 until the orchestrator assigns a service port. */
  port: number;
  protocol: NetworkProtocol;
  name?: string;
  labels: Labels;
}

export interface PortMapping {
  containerPort: number;
  hostPort?: number;
  /** 0 until the orchestrator assigns a service port. */
  servicePort: number;
  protocol: NetworkProtocol;
  name?: string;
  labels: Labels;
  networkNames: string[];
}

export interface Network {
  mode: NetworkMode;
  name?: string;
  labels: Labels;
}

export interface DockerParameter {
  key: string;
  value: string;
}

export interface DockerSpec {
  image: string;
  forcePullImage: boolean;
  privileged: boolean;
  parameters: DockerParameter[];
  pullConfig?: { secret: string };
}

export interface LinuxInfo {
  seccomp?: { profileName?: string; unconfined: boolean };
  ipcInfo?: { mode: 'PRIVATE' | 'SHARE_PARENT'; shmSize?: number };
}

export interface HostVolume {
  kind: 'host';
  containerPath: string;
  hostPath: string;
  mode: ReadMode;
}

export interface PersistentVolumeInfo {
  type?: PersistentVolumeType;
  size: number;
  maxSize?: number;
  profileName?: string;
  constraints: string[][];
}

export interface PersistentVolume {
  kind: 'persistent';
  containerPath: string;
  mode: ReadMode;
  persistent: PersistentVolumeInfo;
}

/** External volume info kept as given (DVDI or CSI); only usable with the `external_volumes` feature. */
export interface ExternalVolume {
  kind: 'external';
  containerPath: string;
  mode: ReadMode;
  external: Record<string, unknown>;
}

export interface SecretVolume {
  kind: 'secret';
  containerPath: string;
  secret: string;
}

export type AppVolume = HostVolume | PersistentVolume | ExternalVolume | SecretVolume;

export interface Container {
  type: EngineType;
  docker?: DockerSpec;
  linuxInfo?: LinuxInfo;
  volumes: AppVolume[];
  /** Present only with non-host networking. */
  portMappings?: PortMapping[];
}

export interface HealthCheck {
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
  /** Only for HTTP and HTTPS checks run by Pacer itself. */
  ignoreHttp1xx?: boolean;
}

export type MesosCommand = { shell: string } | { argv: string[] };

export interface AppCheck {
  http?: { portIndex?: number; port?: number; path?: string; scheme: HttpScheme };
  tcp?: { portIndex?: number; port?: number };
  exec?: { command: MesosCommand };
  intervalSeconds: number;
  timeoutSeconds: number;
  delaySeconds: number;
}

export interface ReadinessCheck {
  name: string;
  protocol: HttpScheme;
  path: string;
  portName: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  httpStatusCodesForReady: number[];
  preserveLastResponse: boolean;
}

export interface UpgradeStrategy {
  minimumHealthCapacity: number;
  maximumOverCapacity: number;
}

export type UnreachableStrategy = 'disabled' | { inactiveAfterSeconds: number; expungeAfterSeconds: number };

export interface Residency {
  relaunchEscalationTimeoutSeconds: number;
  taskLostBehavior: TaskLostBehavior;
}

export type ResourceLimit = number | 'unlimited';

export interface ExecutorResources {
  cpus: number;
  mem: number;
  disk: number;
}

export interface VersionInfo {
  lastScalingAt: string;
  lastConfigChangeAt: string;
}

export interface AppDefinition {
  id: string;
  cmd?: string;
  args: string[];
  user?: string;
  env: Record<string, EnvValue>;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  executor: string;
  executorResources?: ExecutorResources;
  resourceLimits?: { cpus?: ResourceLimit; mem?: ResourceLimit };
  /** Each `[field, OPERATOR]` or `[field, OPERATOR, value]`, operator upper-cased, duplicates removed. */
  constraints: string[][];
  acceptedResourceRoles?: string[];
  role: string;
  labels: Labels;
  secrets: Record<string, { source: string }>;
  fetch: Artifact[];
  /** Host networking only; empty otherwise. */
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  networks: Network[];
  container?: Container;
  healthChecks: HealthCheck[];
  check?: AppCheck;
  readinessChecks: ReadinessCheck[];
  dependencies: string[];
  upgradeStrategy: UpgradeStrategy;
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  taskKillGracePeriodSeconds?: number;
  killSelection: KillSelection;
  unreachableStrategy: UnreachableStrategy;
  /** Deprecated and without effect; kept because Marathon writes it for apps with persistent volumes. */
  residency?: Residency;
  tty?: boolean;
  /** Set by the caller (orchestrator), never taken from a create request. */
  version?: string;
  versionInfo?: VersionInfo;
}

/** The request body, as a client may send it (RAML `App`), after JSON type checks. */
export interface AppRequest {
  id: string;
  cmd?: string;
  args?: string[];
  user?: string;
  env?: Record<string, EnvValue>;
  instances?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  executor?: string;
  executorResources?: Partial<ExecutorResources>;
  resourceLimits?: { cpus?: number | string; mem?: number | string };
  constraints?: string[][];
  acceptedResourceRoles?: string[];
  role?: string;
  labels?: Labels;
  secrets?: Record<string, { source: string }>;
  fetch?: Array<Partial<Artifact> & { uri: string }>;
  uris?: string[];
  ports?: number[];
  portDefinitions?: Array<Partial<PortDefinition>>;
  requirePorts?: boolean;
  networks?: Array<Partial<Network>>;
  ipAddress?: {
    discovery?: { ports?: Array<{ number?: number; name: string; protocol?: string; labels?: Labels }> };
    groups?: string[];
    labels?: Labels;
    networkName?: string;
  };
  container?: Record<string, unknown>;
  healthChecks?: Array<Partial<HealthCheck>>;
  check?: Record<string, unknown>;
  readinessChecks?: Array<Partial<ReadinessCheck>>;
  dependencies?: string[];
  upgradeStrategy?: UpgradeStrategy;
  backoffSeconds?: number;
  backoffFactor?: number;
  maxLaunchDelaySeconds?: number;
  taskKillGracePeriodSeconds?: number;
  killSelection?: string;
  unreachableStrategy?: string | { inactiveAfterSeconds?: number; expungeAfterSeconds?: number };
  residency?: Partial<Residency>;
  tty?: boolean;
  version?: string;
  versionInfo?: VersionInfo;
}

/** Pacer's configuration that changes how an app body is read (Marathon's flags of the same meaning). */
export interface AppParseOptions {
  /** `--mesos_role`, default `*`. */
  mesosRole: string;
  /** `--enable_features`, e.g. `secrets`, `gpu_resources`, `external_volumes`. */
  features?: ReadonlySet<string>;
  /** `--accepted_resource_roles_default_behavior`; read by the matcher, not by the parser. */
  acceptedResourceRolesDefault?: 'any' | 'unreserved' | 'reserved';
  /** `--default_network_name`, used for container networks given without a name. */
  defaultNetworkName?: string;
  /** `--new_group_enforce_role top`: top-level groups created from now on enforce their role. */
  newGroupEnforceRole?: boolean;
}

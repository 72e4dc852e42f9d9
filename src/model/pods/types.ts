/**
 * Marathon's Pod as data (RAML `Pod`, docs/docs/rest-api/public/api/v2/types/pod.raml and the types it uses).
 *
 * `PodDefinition` is the canonical, normalised pod Pacer stores: every default Marathon fills in is present
 * (PodNormalization + PodConversion + the RAML defaults), so readers never need `?? default`. It holds the
 * same fields, with the same names and nesting, as `GET /v2/pods/{id}` returns; `renderPod` turns it into
 * that JSON (Marathon omits empty maps and lists marked `omitEmpty`, and absent options).
 */
import type { Artifact, EnvValue, Labels, LinuxInfo, MesosCommand, ResourceLimit } from '../apps/types.js';
import type { RoleSettings } from '../apps/validate.js';

export type { Artifact, EnvValue, Labels, LinuxInfo, MesosCommand, ResourceLimit } from '../apps/types.js';
export type { RoleSettings } from '../apps/validate.js';

export type PodNetworkMode = 'container' | 'container/bridge' | 'host';
export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
export type PersistentVolumeType = 'root' | 'path' | 'mount';
export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS';

/** RAML `Resources`: cpus and mem required, disk 0 and gpus 0 by default. */
export interface PodResources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

/** RAML `ExecutorResources`: 0.1 cpus, 32 MiB, 10 MiB disk by default. */
export interface ExecutorResources {
  cpus: number;
  mem: number;
  disk: number;
}

export interface ResourceLimits {
  cpus?: ResourceLimit;
  mem?: ResourceLimit;
}

/** RAML `Endpoint`. In host and bridge mode `hostPort` is filled with 0 (dynamic) when absent. */
export interface Endpoint {
  name: string;
  containerPort?: number;
  hostPort?: number;
  /** e.g. `["tcp"]`, `["http"]`; empty when not given (omitted on the wire). */
  protocol: string[];
  labels: Labels;
  networkNames: string[];
}

export interface PodImage {
  kind: 'DOCKER';
  id: string;
  pullConfig?: { secret: string };
  forcePull?: boolean;
  labels: Labels;
}

export interface MesosExec {
  command: MesosCommand;
  overrideEntrypoint?: boolean;
}

/** A pod container's health check: exactly one of `http`, `tcp`, `exec`; ports are named endpoints. */
export interface PodHealthCheck {
  http?: { endpoint: string; path?: string; scheme: 'HTTP' | 'HTTPS' };
  tcp?: { endpoint: string };
  exec?: { command: MesosCommand };
  gracePeriodSeconds: number;
  intervalSeconds: number;
  maxConsecutiveFailures: number;
  timeoutSeconds: number;
  delaySeconds: number;
}

export interface VolumeMount {
  /** Name of one of the pod's `volumes`. */
  name: string;
  /** Relative to the container's sandbox (or absolute inside an image). */
  mountPath: string;
  /** false unless given (Marathon always writes it). */
  readOnly: boolean;
}

export interface Lifecycle {
  killGracePeriodSeconds?: number;
}

/** RAML `PodContainer`, as Marathon stores it (`MesosContainer`). */
export interface PodContainer {
  name: string;
  exec?: MesosExec;
  resources: PodResources;
  resourceLimits?: ResourceLimits;
  endpoints: Endpoint[];
  image?: PodImage;
  environment: Record<string, EnvValue>;
  user?: string;
  healthCheck?: PodHealthCheck;
  volumeMounts: VolumeMount[];
  artifacts: Artifact[];
  labels: Labels;
  lifecycle?: Lifecycle;
  tty?: boolean;
  linuxInfo?: LinuxInfo;
}

/** `{"name": "v"}`: an empty directory in the executor's sandbox, shared by the containers mounting it. */
export interface PodEphemeralVolume {
  kind: 'ephemeral';
  name: string;
}

/** `{"name", "host"}`: a path on the agent (absolute) or in the executor's sandbox (relative). */
export interface PodHostVolume {
  kind: 'host';
  name: string;
  host: string;
}

export interface PodPersistentVolumeInfo {
  type: PersistentVolumeType;
  size: number;
  maxSize?: number;
  profileName?: string;
  /** `[["path", "LIKE"|"UNLIKE", regex]]` */
  constraints: string[][];
}

export interface PodPersistentVolume {
  kind: 'persistent';
  name: string;
  persistent: PodPersistentVolumeInfo;
}

export interface PodSecretVolume {
  kind: 'secret';
  name: string;
  secret: string;
}

/** `kind` is Pacer's tag for the RAML union member; it is not part of the wire JSON. */
export type PodVolume = PodEphemeralVolume | PodHostVolume | PodPersistentVolume | PodSecretVolume;

export interface PodNetwork {
  mode: PodNetworkMode;
  /** Container networks only (filled from `--default_network_name` when absent). */
  name?: string;
  labels: Labels;
}

/** RAML `Constraint` (pods use objects, apps use `[field, OP, value]` arrays). */
export interface PodConstraint {
  fieldName: string;
  operator: ConstraintOperator;
  value?: string;
}

export interface PodScalingPolicy {
  kind: 'fixed';
  instances: number;
}

export interface PodBackoffStrategy {
  /** seconds */
  backoff: number;
  backoffFactor: number;
  /** seconds */
  maxLaunchDelay: number;
}

export interface PodUpgradeStrategy {
  minimumHealthCapacity: number;
  maximumOverCapacity: number;
}

export type UnreachableStrategy = 'disabled' | { inactiveAfterSeconds: number; expungeAfterSeconds: number };

export interface PodPlacementPolicy {
  constraints: PodConstraint[];
  acceptedResourceRoles: string[];
}

export interface PodSchedulingPolicy {
  backoff: PodBackoffStrategy;
  upgrade: PodUpgradeStrategy;
  placement: PodPlacementPolicy;
  killSelection: KillSelection;
  unreachableStrategy: UnreachableStrategy;
}

export interface PodDefinition {
  /** Absolute, canonical path id. */
  id: string;
  /** ISO timestamp, set by the orchestrator when it stores this version (absent in a freshly parsed body). */
  version?: string;
  labels: Labels;
  user?: string;
  environment: Record<string, EnvValue>;
  secrets: Record<string, { source: string }>;
  containers: PodContainer[];
  volumes: PodVolume[];
  /** Empty means host networking (Marathon keeps `[]` and treats it as host). */
  networks: PodNetwork[];
  scaling: PodScalingPolicy;
  scheduling: PodSchedulingPolicy;
  executorResources: ExecutorResources;
  /** Mesos role; the enclosing group's or `--mesos_role` when not given. */
  role: string;
  linuxInfo?: LinuxInfo;
  legacySharedCgroups?: boolean;
}

/** Pacer's configuration that changes how a pod body is read (Marathon's flags of the same meaning). */
export interface PodParseOptions {
  /** `--mesos_role`, default `*`. */
  mesosRole: string;
  /** `--enable_features`, e.g. `secrets`, `gpu_resources`, `external_volumes`. */
  features?: ReadonlySet<string>;
  /** `--default_network_name`, used for container networks given without a name. */
  defaultNetworkName?: string;
  /**
   * Default and valid roles for a pod id, read from the current root group (top-level group `enforceRole`,
   * the stored pod's role), as for apps. Without it the default role is `mesosRole` and valid roles are
   * `mesosRole` and `*`.
   */
  roleSettings?: (podId: string) => RoleSettings;
  /** The role of the pod already stored at this id (an update may keep it valid; a resident pod may not leave it). */
  existingRole?: string;
  /** `?force=true`: lets a resident pod change its role (RoleSettings.forceRoleUpdate). */
  force?: boolean;
}

/**
 * The Mesos v1 scheduler wire vocabulary in its JSON mapping (stout's protobuf <-> JSON rules):
 * proto field names in snake_case, enums as their value names, 64-bit integers as `number`,
 * `bytes` as base64 strings, repeated fields as arrays, maps as plain objects.
 *
 * Mirrors proto/mesos/v1/mesos.proto and proto/mesos/v1/scheduler/scheduler.proto field for
 * field; a field is non-optional here only where the proto says `required`. Nested messages are
 * named by joining their path (`Offer.Operation.Launch` -> `OfferOperationLaunch`).
 *
 * The protobuf codec produces exactly these objects too, so code never cares which encoding
 * was on the wire.
 */

/** Base64 text of a protobuf `bytes` field. */
export type Base64 = string;

// ---------------------------------------------------------------------------------------------
// Identifiers and small value types
// ---------------------------------------------------------------------------------------------

export interface FrameworkID { value: string }
export interface OfferID { value: string }
export interface AgentID { value: string }
export interface TaskID { value: string }
export interface ExecutorID { value: string }
export interface ContainerID { value: string; parent?: ContainerID }
export interface ResourceProviderID { value: string }
export interface OperationID { value: string }

export interface TimeInfo { nanoseconds: number }
export interface DurationInfo { nanoseconds: number }

export interface UUID { value: Base64 }

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

export interface Parameter { key: string; value: string }
export interface Parameters { parameter?: Parameter[] }

export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: Parameter[];
  fragment?: string;
}

export interface Label { key: string; value?: string }
export interface Labels { labels?: Label[] }

export interface MachineID { hostname?: string; ip?: string }

export interface Unavailability {
  start: TimeInfo;
  duration?: DurationInfo;
}

// ---------------------------------------------------------------------------------------------
// Values, attributes, resources
// ---------------------------------------------------------------------------------------------

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
export interface ValueScalar { value: number }
export interface ValueRange { begin: number; end: number }
export interface ValueRanges { range?: ValueRange[] }
export interface ValueSet { item?: string[] }
export interface ValueText { value: string }
export interface Value {
  type: ValueType;
  scalar?: ValueScalar;
  ranges?: ValueRanges;
  set?: ValueSet;
  text?: ValueText;
}

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: ValueScalar;
  ranges?: ValueRanges;
  set?: ValueSet;
  text?: ValueText;
}

export interface ResourceAllocationInfo { role?: string }

export type ResourceReservationInfoType = 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
export interface ResourceReservationInfo {
  type?: ResourceReservationInfoType;
  role?: string;
  principal?: string;
  labels?: Labels;
}

export interface ResourceDiskInfoPersistence { id: string; principal?: string }
export type ResourceDiskInfoSourceType = 'UNKNOWN' | 'PATH' | 'MOUNT' | 'BLOCK' | 'RAW';
export interface ResourceDiskInfoSourcePath { root?: string }
export interface ResourceDiskInfoSourceMount { root?: string }
export interface ResourceDiskInfoSource {
  type: ResourceDiskInfoSourceType;
  path?: ResourceDiskInfoSourcePath;
  mount?: ResourceDiskInfoSourceMount;
  vendor?: string;
  id?: string;
  metadata?: Labels;
  profile?: string;
}
export interface ResourceDiskInfo {
  persistence?: ResourceDiskInfoPersistence;
  volume?: Volume;
  source?: ResourceDiskInfoSource;
}
/** Empty marker messages: presence is the information. */
export type ResourceRevocableInfo = Record<string, never>;
export type ResourceSharedInfo = Record<string, never>;

export interface Resource {
  provider_id?: ResourceProviderID;
  name: string;
  type: ValueType;
  scalar?: ValueScalar;
  ranges?: ValueRanges;
  set?: ValueSet;
  /** Deprecated upstream in favour of `reservations`. */
  role?: string;
  allocation_info?: ResourceAllocationInfo;
  /** Deprecated upstream in favour of `reservations`. */
  reservation?: ResourceReservationInfo;
  reservations?: ResourceReservationInfo[];
  disk?: ResourceDiskInfo;
  revocable?: ResourceRevocableInfo;
  shared?: ResourceSharedInfo;
}

export interface OfferFiltersResourceQuantities { quantities?: { [name: string]: ValueScalar } }
export interface OfferFiltersMinAllocatableResources { quantities?: OfferFiltersResourceQuantities[] }
export interface OfferFilters { min_allocatable_resources?: OfferFiltersMinAllocatableResources }

// ---------------------------------------------------------------------------------------------
// Framework, master, agent
// ---------------------------------------------------------------------------------------------

export type FrameworkInfoCapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';
export interface FrameworkInfoCapability { type?: FrameworkInfoCapabilityType }

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  /** Deprecated upstream in favour of `roles` with the MULTI_ROLE capability. */
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: FrameworkInfoCapability[];
  labels?: Labels;
  offer_filters?: { [role: string]: OfferFilters };
}

export interface DomainInfoFaultDomainRegionInfo { name: string }
export interface DomainInfoFaultDomainZoneInfo { name: string }
export interface DomainInfoFaultDomain {
  region: DomainInfoFaultDomainRegionInfo;
  zone: DomainInfoFaultDomainZoneInfo;
}
export interface DomainInfo { fault_domain?: DomainInfoFaultDomain }

export type MasterInfoCapabilityType = 'UNKNOWN' | 'AGENT_UPDATE' | 'AGENT_DRAINING' | 'QUOTA_V2';
export interface MasterInfoCapability { type?: MasterInfoCapabilityType }
export interface MasterInfo {
  id: string;
  /** IPv4 address packed into a uint32 in network byte order, as upstream does. */
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  domain?: DomainInfo;
  capabilities?: MasterInfoCapability[];
}

export type AgentInfoCapabilityType =
  | 'UNKNOWN'
  | 'MULTI_ROLE'
  | 'HIERARCHICAL_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'RESOURCE_PROVIDER'
  | 'RESIZE_VOLUME'
  | 'AGENT_OPERATION_FEEDBACK'
  | 'AGENT_DRAINING'
  | 'TASK_RESOURCE_LIMITS';
export interface AgentInfoCapability { type?: AgentInfoCapabilityType }
export interface AgentInfo {
  hostname: string;
  port?: number;
  resources?: Resource[];
  attributes?: Attribute[];
  id?: AgentID;
  domain?: DomainInfo;
}

// ---------------------------------------------------------------------------------------------
// Commands, environment, secrets
// ---------------------------------------------------------------------------------------------

export type SecretType = 'UNKNOWN' | 'REFERENCE' | 'VALUE';
export interface SecretReference { name: string; key?: string }
export interface SecretValue { data: Base64 }
export interface Secret {
  type?: SecretType;
  reference?: SecretReference;
  value?: SecretValue;
}

export interface Credential { principal: string; secret?: string }

export type EnvironmentVariableType = 'UNKNOWN' | 'VALUE' | 'SECRET';
export interface EnvironmentVariable {
  name: string;
  type?: EnvironmentVariableType;
  value?: string;
  secret?: Secret;
}
export interface Environment { variables?: EnvironmentVariable[] }

export interface CommandInfoURI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}
export interface CommandInfo {
  uris?: CommandInfoURI[];
  environment?: Environment;
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

// ---------------------------------------------------------------------------------------------
// Containers, volumes, networks
// ---------------------------------------------------------------------------------------------

export type ImageType = 'APPC' | 'DOCKER';
export interface ImageAppc { name: string; id?: string; labels?: Labels }
export interface ImageDocker {
  name: string;
  /** Deprecated upstream in favour of `config`. */
  credential?: Credential;
  config?: Secret;
}
export interface Image {
  type: ImageType;
  appc?: ImageAppc;
  docker?: ImageDocker;
  cached?: boolean;
}

export type MountPropagationMode = 'UNKNOWN' | 'HOST_TO_CONTAINER' | 'BIDIRECTIONAL';
export interface MountPropagation { mode?: MountPropagationMode }

export type VolumeMode = 'RW' | 'RO';
export type VolumeSourceType =
  | 'UNKNOWN'
  | 'DOCKER_VOLUME'
  | 'HOST_PATH'
  | 'SANDBOX_PATH'
  | 'SECRET'
  | 'CSI_VOLUME';
export interface VolumeSourceDockerVolume {
  driver?: string;
  name: string;
  driver_options?: Parameters;
}
export interface VolumeSourceHostPath { path: string; mount_propagation?: MountPropagation }
export type VolumeSourceSandboxPathType = 'UNKNOWN' | 'SELF' | 'PARENT';
export interface VolumeSourceSandboxPath { type?: VolumeSourceSandboxPathType; path: string }
/** CSI volumes (field 6) are outside Pacer's subset. */
export interface VolumeSource {
  type?: VolumeSourceType;
  docker_volume?: VolumeSourceDockerVolume;
  host_path?: VolumeSourceHostPath;
  sandbox_path?: VolumeSourceSandboxPath;
  secret?: Secret;
}
export interface Volume {
  mode: VolumeMode;
  container_path: string;
  host_path?: string;
  image?: Image;
  source?: VolumeSource;
}

export type NetworkInfoProtocol = 'IPv4' | 'IPv6';
export interface NetworkInfoIPAddress { protocol?: NetworkInfoProtocol; ip_address?: string }
export interface NetworkInfoPortMapping {
  host_port: number;
  container_port: number;
  protocol?: string;
}
export interface NetworkInfo {
  ip_addresses?: NetworkInfoIPAddress[];
  name?: string;
  groups?: string[];
  labels?: Labels;
  port_mappings?: NetworkInfoPortMapping[];
}

export type CapabilityInfoCapability =
  | 'UNKNOWN'
  | 'CHOWN' | 'DAC_OVERRIDE' | 'DAC_READ_SEARCH' | 'FOWNER' | 'FSETID' | 'KILL' | 'SETGID'
  | 'SETUID' | 'SETPCAP' | 'LINUX_IMMUTABLE' | 'NET_BIND_SERVICE' | 'NET_BROADCAST'
  | 'NET_ADMIN' | 'NET_RAW' | 'IPC_LOCK' | 'IPC_OWNER' | 'SYS_MODULE' | 'SYS_RAWIO'
  | 'SYS_CHROOT' | 'SYS_PTRACE' | 'SYS_PACCT' | 'SYS_ADMIN' | 'SYS_BOOT' | 'SYS_NICE'
  | 'SYS_RESOURCE' | 'SYS_TIME' | 'SYS_TTY_CONFIG' | 'MKNOD' | 'LEASE' | 'AUDIT_WRITE'
  | 'AUDIT_CONTROL' | 'SETFCAP' | 'MAC_OVERRIDE' | 'MAC_ADMIN' | 'SYSLOG' | 'WAKE_ALARM'
  | 'BLOCK_SUSPEND' | 'AUDIT_READ' | 'PERFMON' | 'BPF' | 'CHECKPOINT_RESTORE';
export interface CapabilityInfo { capabilities?: CapabilityInfoCapability[] }

export interface SeccompInfo { profile_name?: string; unconfined?: boolean }

export type LinuxInfoIpcMode = 'UNKNOWN' | 'PRIVATE' | 'SHARE_PARENT';
export interface LinuxInfo {
  /** Deprecated upstream in favour of the bounding/effective sets. */
  capability_info?: CapabilityInfo;
  bounding_capabilities?: CapabilityInfo;
  effective_capabilities?: CapabilityInfo;
  share_pid_namespace?: boolean;
  seccomp?: SeccompInfo;
  ipc_mode?: LinuxInfoIpcMode;
  shm_size?: number;
  share_cgroups?: boolean;
}

export type RLimitInfoRLimitType =
  | 'UNKNOWN'
  | 'RLMT_AS' | 'RLMT_CORE' | 'RLMT_CPU' | 'RLMT_DATA' | 'RLMT_FSIZE' | 'RLMT_LOCKS'
  | 'RLMT_MEMLOCK' | 'RLMT_MSGQUEUE' | 'RLMT_NICE' | 'RLMT_NOFILE' | 'RLMT_NPROC' | 'RLMT_RSS'
  | 'RLMT_RTPRIO' | 'RLMT_RTTIME' | 'RLMT_SIGPENDING' | 'RLMT_STACK';
export interface RLimitInfoRLimit { type?: RLimitInfoRLimitType; hard?: number; soft?: number }
export interface RLimitInfo { rlimits?: RLimitInfoRLimit[] }

export interface TTYInfoWindowSize { rows: number; columns: number }
export interface TTYInfo { window_size?: TTYInfoWindowSize }

export type ContainerInfoType = 'DOCKER' | 'MESOS';
export type ContainerInfoDockerInfoNetwork = 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
export interface ContainerInfoDockerInfoPortMapping {
  host_port: number;
  container_port: number;
  protocol?: string;
}
export interface ContainerInfoDockerInfo {
  image: string;
  network?: ContainerInfoDockerInfoNetwork;
  port_mappings?: ContainerInfoDockerInfoPortMapping[];
  privileged?: boolean;
  parameters?: Parameter[];
  force_pull_image?: boolean;
  /** Deprecated upstream in favour of Volume.Source.DockerVolume. */
  volume_driver?: string;
}
export interface ContainerInfoMesosInfo { image?: Image }
export interface ContainerInfo {
  type: ContainerInfoType;
  volumes?: Volume[];
  hostname?: string;
  docker?: ContainerInfoDockerInfo;
  mesos?: ContainerInfoMesosInfo;
  network_infos?: NetworkInfo[];
  linux_info?: LinuxInfo;
  rlimit_info?: RLimitInfo;
  tty_info?: TTYInfo;
}

export interface CgroupInfoNetCls { classid?: number }
/** Blkio statistics are outside Pacer's subset. */
export interface CgroupInfo { net_cls?: CgroupInfoNetCls }

export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: NetworkInfo[];
  cgroup_info?: CgroupInfo;
  executor_pid?: number;
}

// ---------------------------------------------------------------------------------------------
// Health checks, checks, kill policy, discovery
// ---------------------------------------------------------------------------------------------

export type HealthCheckType = 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
export interface HealthCheckHTTPCheckInfo {
  protocol?: NetworkInfoProtocol;
  scheme?: string;
  port: number;
  path?: string;
  statuses?: number[];
}
export interface HealthCheckTCPCheckInfo {
  protocol?: NetworkInfoProtocol;
  port: number;
}
export interface HealthCheck {
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
  type?: HealthCheckType;
  command?: CommandInfo;
  http?: HealthCheckHTTPCheckInfo;
  tcp?: HealthCheckTCPCheckInfo;
}

export type CheckInfoType = 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
export interface CheckInfoCommand { command: CommandInfo }
export interface CheckInfoHttp { port: number; path?: string }
export interface CheckInfoTcp { port: number }
export interface CheckInfo {
  type?: CheckInfoType;
  command?: CheckInfoCommand;
  http?: CheckInfoHttp;
  tcp?: CheckInfoTcp;
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
}

export interface CheckStatusInfoCommand { exit_code?: number }
export interface CheckStatusInfoHttp { status_code?: number }
export interface CheckStatusInfoTcp { succeeded?: boolean }
export interface CheckStatusInfo {
  type?: CheckInfoType;
  command?: CheckStatusInfoCommand;
  http?: CheckStatusInfoHttp;
  tcp?: CheckStatusInfoTcp;
}

export interface KillPolicy { grace_period?: DurationInfo }

export type DiscoveryInfoVisibility = 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';
export interface Port {
  number: number;
  name?: string;
  protocol?: string;
  visibility?: DiscoveryInfoVisibility;
  labels?: Labels;
}
export interface Ports { ports?: Port[] }
export interface DiscoveryInfo {
  visibility: DiscoveryInfoVisibility;
  name?: string;
  environment?: string;
  location?: string;
  version?: string;
  ports?: Ports;
  labels?: Labels;
}

// ---------------------------------------------------------------------------------------------
// Executors and tasks
// ---------------------------------------------------------------------------------------------

export type ExecutorInfoType = 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
export interface ExecutorInfo {
  type?: ExecutorInfoType;
  executor_id: ExecutorID;
  framework_id?: FrameworkID;
  command?: CommandInfo;
  container?: ContainerInfo;
  resources?: Resource[];
  name?: string;
  /** Deprecated upstream in favour of labels. */
  source?: string;
  data?: Base64;
  discovery?: DiscoveryInfo;
  shutdown_grace_period?: DurationInfo;
  labels?: Labels;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources?: Resource[];
  executor?: ExecutorInfo;
  command?: CommandInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  check?: CheckInfo;
  kill_policy?: KillPolicy;
  data?: Base64;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  max_completion_time?: DurationInfo;
  limits?: { [resource: string]: ValueScalar };
}

export interface TaskGroupInfo { tasks?: TaskInfo[] }

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_RECONCILIATION'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN';

export interface TaskResourceLimitation { resources?: Resource[] }

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  data?: Base64;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  /** Seconds since the epoch, fractional. */
  timestamp?: number;
  /** Present when the update must be acknowledged. */
  uuid?: Base64;
  healthy?: boolean;
  check_status?: CheckStatusInfo;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
  limitation?: TaskResourceLimitation;
}

/** A task as the master reports it (state endpoints, operator API). */
export interface Task {
  name: string;
  task_id: TaskID;
  framework_id: FrameworkID;
  executor_id?: ExecutorID;
  agent_id: AgentID;
  state: TaskState;
  resources?: Resource[];
  statuses?: TaskStatus[];
  status_update_state?: TaskState;
  status_update_uuid?: Base64;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  user?: string;
  limits?: { [resource: string]: ValueScalar };
}

export const TASK_STATES: readonly TaskState[] = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
];

/**
 * Same set as upstream's protobuf::isTerminalState. TASK_UNREACHABLE and TASK_UNKNOWN are not
 * terminal: an unreachable task may come back, and an unknown one may still be running.
 */
export const TERMINAL_TASK_STATES: readonly TaskState[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

const terminalTaskStates: ReadonlySet<string> = new Set(TERMINAL_TASK_STATES);

export function isTerminalTaskState(state: TaskState): boolean {
  return terminalTaskStates.has(state);
}

// ---------------------------------------------------------------------------------------------
// Offers, operations, filters
// ---------------------------------------------------------------------------------------------

export type OfferOperationType =
  | 'UNKNOWN'
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';
export interface OfferOperationLaunch { task_infos?: TaskInfo[] }
export interface OfferOperationLaunchGroup {
  executor: ExecutorInfo;
  task_group: TaskGroupInfo;
}
export interface OfferOperationReserve { source?: Resource[]; resources?: Resource[] }
export interface OfferOperationUnreserve { resources?: Resource[] }
export interface OfferOperationCreate { volumes?: Resource[] }
export interface OfferOperationDestroy { volumes?: Resource[] }
export interface OfferOperationGrowVolume { volume: Resource; addition: Resource }
export interface OfferOperationShrinkVolume { volume: Resource; subtract: ValueScalar }
export interface OfferOperationCreateDisk {
  source: Resource;
  target_type: ResourceDiskInfoSourceType;
  target_profile?: string;
}
export interface OfferOperationDestroyDisk { source: Resource }
export interface OfferOperation {
  type?: OfferOperationType;
  id?: OperationID;
  launch?: OfferOperationLaunch;
  launch_group?: OfferOperationLaunchGroup;
  reserve?: OfferOperationReserve;
  unreserve?: OfferOperationUnreserve;
  create?: OfferOperationCreate;
  destroy?: OfferOperationDestroy;
  grow_volume?: OfferOperationGrowVolume;
  shrink_volume?: OfferOperationShrinkVolume;
  create_disk?: OfferOperationCreateDisk;
  destroy_disk?: OfferOperationDestroyDisk;
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URL;
  domain?: DomainInfo;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  unavailability?: Unavailability;
  allocation_info?: ResourceAllocationInfo;
}

export interface InverseOffer {
  id: OfferID;
  url?: URL;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  unavailability: Unavailability;
  resources?: Resource[];
}

export interface Filters { refuse_seconds?: number }

export interface Request {
  agent_id?: AgentID;
  resources?: Resource[];
}

export type OperationState =
  | 'OPERATION_UNSUPPORTED'
  | 'OPERATION_PENDING'
  | 'OPERATION_FINISHED'
  | 'OPERATION_FAILED'
  | 'OPERATION_ERROR'
  | 'OPERATION_DROPPED'
  | 'OPERATION_UNREACHABLE'
  | 'OPERATION_GONE_BY_OPERATOR'
  | 'OPERATION_RECOVERING'
  | 'OPERATION_UNKNOWN';

export interface OperationStatus {
  operation_id?: OperationID;
  state: OperationState;
  message?: string;
  converted_resources?: Resource[];
  uuid?: UUID;
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
}

// ---------------------------------------------------------------------------------------------
// Offer constraints (scheduler.proto)
// ---------------------------------------------------------------------------------------------

export type AttributeConstraintSelectorPseudoattributeType = 'UNKNOWN' | 'HOSTNAME' | 'REGION' | 'ZONE';
/** Upstream oneof: set exactly one. */
export interface AttributeConstraintSelector {
  pseudoattribute_type?: AttributeConstraintSelectorPseudoattributeType;
  attribute_name?: string;
}
export type AttributeConstraintPredicateExists = Record<string, never>;
export type AttributeConstraintPredicateNotExists = Record<string, never>;
export interface AttributeConstraintPredicateTextEquals { value: string }
export interface AttributeConstraintPredicateTextNotEquals { value: string }
export interface AttributeConstraintPredicateTextMatches { regex: string }
export interface AttributeConstraintPredicateTextNotMatches { regex: string }
/** Upstream oneof: set exactly one. */
export interface AttributeConstraintPredicate {
  exists?: AttributeConstraintPredicateExists;
  not_exists?: AttributeConstraintPredicateNotExists;
  text_equals?: AttributeConstraintPredicateTextEquals;
  text_not_equals?: AttributeConstraintPredicateTextNotEquals;
  text_matches?: AttributeConstraintPredicateTextMatches;
  text_not_matches?: AttributeConstraintPredicateTextNotMatches;
}
export interface AttributeConstraint {
  selector: AttributeConstraintSelector;
  predicate: AttributeConstraintPredicate;
}
export interface OfferConstraintsRoleConstraintsGroup { attribute_constraints?: AttributeConstraint[] }
export interface OfferConstraintsRoleConstraints { groups?: OfferConstraintsRoleConstraintsGroup[] }
export interface OfferConstraints { role_constraints?: { [role: string]: OfferConstraintsRoleConstraints } }

// ---------------------------------------------------------------------------------------------
// Scheduler Call
// ---------------------------------------------------------------------------------------------

export type CallType =
  | 'UNKNOWN'
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'ACCEPT_INVERSE_OFFERS'
  | 'DECLINE_INVERSE_OFFERS'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'ACKNOWLEDGE_OPERATION_STATUS'
  | 'RECONCILE'
  | 'RECONCILE_OPERATIONS'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'UPDATE_FRAMEWORK';

export interface CallSubscribe {
  framework_info: FrameworkInfo;
  suppressed_roles?: string[];
  offer_constraints?: OfferConstraints;
}
export interface CallAccept {
  offer_ids?: OfferID[];
  operations?: OfferOperation[];
  filters?: Filters;
}
export interface CallDecline { offer_ids?: OfferID[]; filters?: Filters }
export interface CallAcceptInverseOffers { inverse_offer_ids?: OfferID[]; filters?: Filters }
export interface CallDeclineInverseOffers { inverse_offer_ids?: OfferID[]; filters?: Filters }
export interface CallRevive { roles?: string[] }
export interface CallKill { task_id: TaskID; agent_id?: AgentID; kill_policy?: KillPolicy }
export interface CallShutdown { executor_id: ExecutorID; agent_id: AgentID }
export interface CallAcknowledge { agent_id: AgentID; task_id: TaskID; uuid: Base64 }
export interface CallAcknowledgeOperationStatus {
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
  uuid: Base64;
  operation_id: OperationID;
}
export interface CallReconcileTask { task_id: TaskID; agent_id?: AgentID }
export interface CallReconcile { tasks?: CallReconcileTask[] }
export interface CallReconcileOperationsOperation {
  operation_id: OperationID;
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
}
export interface CallReconcileOperations { operations?: CallReconcileOperationsOperation[] }
export interface CallMessage { agent_id: AgentID; executor_id: ExecutorID; data: Base64 }
export interface CallRequest { requests?: Request[] }
export interface CallSuppress { roles?: string[] }
export interface CallUpdateFramework {
  framework_info: FrameworkInfo;
  suppressed_roles?: string[];
  offer_constraints?: OfferConstraints;
}

export interface Call {
  framework_id?: FrameworkID;
  /**
   * Optional in the proto (for forward compatibility) but every real call carries it, and the
   * codecs reject a Call without one. A type this version does not know decodes as 'UNKNOWN'
   * (protobuf) or as the string sent (JSON).
   */
  type: CallType;
  subscribe?: CallSubscribe;
  accept?: CallAccept;
  decline?: CallDecline;
  accept_inverse_offers?: CallAcceptInverseOffers;
  decline_inverse_offers?: CallDeclineInverseOffers;
  revive?: CallRevive;
  kill?: CallKill;
  shutdown?: CallShutdown;
  acknowledge?: CallAcknowledge;
  acknowledge_operation_status?: CallAcknowledgeOperationStatus;
  reconcile?: CallReconcile;
  reconcile_operations?: CallReconcileOperations;
  message?: CallMessage;
  request?: CallRequest;
  suppress?: CallSuppress;
  update_framework?: CallUpdateFramework;
}

// ---------------------------------------------------------------------------------------------
// Scheduler Event
// ---------------------------------------------------------------------------------------------

export type EventType =
  | 'UNKNOWN'
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'INVERSE_OFFERS'
  | 'RESCIND'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE'
  | 'UPDATE_OPERATION_STATUS'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT';

export interface EventSubscribed {
  framework_id: FrameworkID;
  heartbeat_interval_seconds?: number;
  master_info?: MasterInfo;
}
export interface EventOffers { offers?: Offer[] }
export interface EventInverseOffers { inverse_offers?: InverseOffer[] }
export interface EventRescind { offer_id: OfferID }
export interface EventRescindInverseOffer { inverse_offer_id: OfferID }
export interface EventUpdate { status: TaskStatus }
export interface EventUpdateOperationStatus { status: OperationStatus }
export interface EventMessage { agent_id: AgentID; executor_id: ExecutorID; data: Base64 }
export interface EventFailure { agent_id?: AgentID; executor_id?: ExecutorID; status?: number }
export interface EventError { message: string }

export interface Event {
  /**
   * Optional in the proto (for forward compatibility) but every real event carries it, and the
   * codecs reject an Event without one. A type this version does not know decodes as 'UNKNOWN'
   * (protobuf) or as the string sent (JSON).
   */
  type: EventType;
  subscribed?: EventSubscribed;
  offers?: EventOffers;
  inverse_offers?: EventInverseOffers;
  rescind?: EventRescind;
  rescind_inverse_offer?: EventRescindInverseOffer;
  update?: EventUpdate;
  update_operation_status?: EventUpdateOperationStatus;
  message?: EventMessage;
  failure?: EventFailure;
  error?: EventError;
}

// ---------------------------------------------------------------------------------------------
// Scheduler Response (body of synchronous calls such as RECONCILE_OPERATIONS)
// ---------------------------------------------------------------------------------------------

export type ResponseType = 'UNKNOWN' | 'RECONCILE_OPERATIONS';
export interface ResponseReconcileOperations { operation_statuses?: OperationStatus[] }
export interface Response {
  type?: ResponseType;
  reconcile_operations?: ResponseReconcileOperations;
}

/**
 * The seams of the orchestrator. Three parts are built against these types:
 *  - the core (instances, launch queue and backoff, offers → ACCEPT, status updates, kills,
 *    reconciliation; Mesos-facing),
 *  - groups and deployments (root group, plans, the deployment manager and its actions),
 *  - the Marathon REST facade in src/api, which only reads snapshots and calls `PacerService`.
 *
 * Everything a client is told succeeded has been written to the Store first.
 */
import type { AppDefinition } from '../model/apps/types.js';
import type { Group, RootGroup } from '../model/groups/types.js';
import type { PodDefinition } from '../model/pods/types.js';
import { timestamp, type Timestamp } from '../model/timestamp.js';
import type { TaskState, TaskStatusReason } from '../mesos/types.js';

export type { AppDefinition, Group, PodDefinition, RootGroup, Timestamp };
export { timestamp };

// ---------------------------------------------------------------------------------------------
// Instances

/** What Pacer wants for an instance. Decommissioned instances are killed and then forgotten. */
export type Goal = 'Running' | 'Stopped' | 'Decommissioned';

/** Marathon's instance conditions (RAML `Condition`), plus the internal Scheduled/Provisioned. */
export type Condition =
  | 'Scheduled'
  | 'Provisioned'
  | 'Staging'
  | 'Starting'
  | 'Running'
  | 'Killing'
  | 'Finished'
  | 'Failed'
  | 'Killed'
  | 'Error'
  | 'Dropped'
  | 'Gone'
  | 'Unreachable'
  | 'UnreachableInactive'
  | 'Unknown';

export interface IpAddress {
  ipAddress: string;
  protocol: 'IPv4' | 'IPv6';
}

/** The last Mesos status seen for the instance's task. */
export interface MesosTaskStatus {
  state: TaskState;
  message?: string;
  reason?: TaskStatusReason;
  /** Mesos-native health (TaskStatus.healthy), when the task has a Mesos health check. */
  healthy?: boolean;
  /** Epoch ms of the update. */
  timestamp: number;
}

/**
 * One instance of an app (Marathon: an app instance has exactly one task). Stored in the
 * `instances` collection under `instanceId` before any LAUNCH is sent for it.
 */
export interface Instance {
  /** `<safePath>.instance-<uuid v1>` */
  instanceId: string;
  appId: string;
  /** The app version (timestamp) this instance runs. */
  runSpecVersion: Timestamp;
  goal: Goal;
  condition: Condition;
  /** Epoch ms when the condition last changed. */
  since: number;
  /** Current task: `<instanceId>._app.<incarnation>`; absent while Scheduled. */
  taskId?: string;
  incarnation: number;
  agentId?: string;
  hostname?: string;
  region?: string;
  zone?: string;
  /** Agent attributes at placement, kept so constraint counters survive restarts. */
  agentAttributes?: Array<{ name: string; value: string }>;
  hostPorts: number[];
  role?: string;
  ipAddresses: IpAddress[];
  stagedAt?: Timestamp;
  startedAt?: Timestamp;
  status?: MesosTaskStatus;
  /** Epoch ms since when the instance has been unreachable. */
  unreachableSince?: number;
  /**
   * Pod instances only: one task per container of the current incarnation, in the pod's container
   * order. `taskId` is then the first container's task; `condition` and `status` are derived from
   * these tasks as Marathon's InstanceState does (see core/pod-instance.ts).
   */
  podTasks?: PodTask[];
  /** Pod instances only: the executor of the task group (`instance-<safePath>.<uuid>`). */
  executorId?: string;
}

/** One container task of a pod instance: `<instanceId>.<containerName>.<incarnation>`. */
export interface PodTask {
  containerName: string;
  taskId: string;
  condition: Condition;
  /** Whether the container has a (Mesos-run) health check, so its health counts for the instance's. */
  healthChecked: boolean;
  /** Host ports of the container's endpoints that have one, in endpoint order. */
  hostPorts: number[];
  startedAt?: Timestamp;
  status?: MesosTaskStatus;
}

/**
 * Marathon's `Condition.Terminal` (Finished, Killed and the failures Error, Failed, Gone, Dropped,
 * Unknown): the task is over as far as Mesos can tell, so the instance is expunged (and replaced
 * while its goal is Running). TASK_UNKNOWN means the master has no knowledge of the task, e.g.
 * after a restart of the embedded master: it will not answer a KILL with anything else.
 */
export const TERMINAL_CONDITIONS: ReadonlySet<Condition> = new Set<Condition>(['Finished', 'Failed', 'Killed', 'Error', 'Dropped', 'Gone', 'Unknown']);

export const ACTIVE_CONDITIONS: ReadonlySet<Condition> = new Set<Condition>(['Provisioned', 'Staging', 'Starting', 'Running', 'Killing', 'Unreachable']);

export interface InstanceChange {
  instance: Instance;
  previous: Instance | undefined;
  /** True when the instance was removed from the tracker (expunged). */
  expunged: boolean;
}

export interface InstanceTracker {
  all(): readonly Instance[];
  ofApp(appId: string): readonly Instance[];
  get(instanceId: string): Instance | undefined;
  /** Synchronous, in order, after each change was persisted. Returns an unsubscribe function. */
  onChange(listener: (change: InstanceChange) => void): () => void;
  /**
   * Persists the new goal, then acts: Decommissioned/Stopped instances with a task get a KILL
   * (honouring the app's taskKillGracePeriodSeconds); Scheduled ones are simply removed.
   * Resolves once the goal is persisted.
   */
  setGoal(instanceIds: readonly string[], goal: Goal, reason: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Health (Mesos-native now; Marathon-run HTTP/TCP checks plug in behind the same interface)

export interface HealthCheckResult {
  instanceId: string;
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess: Timestamp | null;
  lastSuccess: Timestamp | null;
  lastFailure: Timestamp | null;
  lastFailureCause: string | null;
}

export interface HealthView {
  /** undefined when the app has no health checks: then "healthy" means TASK_RUNNING. */
  healthOf(instance: Instance, app: AppDefinition): boolean | undefined;
  resultsOf(instanceId: string): readonly HealthCheckResult[];
  /** Fires when an instance's health changes. */
  onChange(listener: (instanceId: string, healthy: boolean | undefined) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// Launch queue and backoff

export interface QueueDelay {
  timeLeftSeconds: number;
  overdue: boolean;
}

export interface LaunchQueue {
  /** Persists `count` new Scheduled instances of the app and asks Mesos for offers. */
  add(app: AppDefinition, count: number): Promise<readonly Instance[]>;
  /** Removes the app's still-Scheduled instances (nothing launched yet). */
  purge(appId: string): Promise<void>;
  /** Clears the app's backoff delay (DELETE /v2/queue/{id}/delay, new deployments). */
  resetDelay(appId: string): void;
  delayOf(appId: string, now: number): QueueDelay | undefined;
}

// ---------------------------------------------------------------------------------------------
// Groups and deployments

export type AppDeploymentActionName = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication';
/** Marathon's pod actions; rendered as `{"action": "ScalePod", "pod": "/id"}`. */
export type PodDeploymentActionName = 'StartPod' | 'StopPod' | 'ScalePod' | 'RestartPod';
export type DeploymentActionName = AppDeploymentActionName | PodDeploymentActionName;

export const POD_ACTIONS: ReadonlySet<DeploymentActionName> = new Set<DeploymentActionName>(['StartPod', 'StopPod', 'ScalePod', 'RestartPod']);

export interface DeploymentAction {
  action: DeploymentActionName;
  /** The run spec the action is about: an app id, or a pod id for the pod actions. */
  app: string;
}

export interface ReadinessCheckResult {
  name: string;
  taskId: string;
  ready: boolean;
  lastResponse?: { status: number; contentType: string; body: string };
}

export interface DeploymentPlan {
  id: string;
  version: Timestamp;
  affectedApps: string[];
  affectedPods: string[];
  steps: Array<{ actions: DeploymentAction[] }>;
  /** 0 before the first step starts, then 1-based. */
  currentStep: number;
  currentActions: Array<DeploymentAction & { readinessCheckResults: ReadinessCheckResult[] }>;
}

// ---------------------------------------------------------------------------------------------
// Events (Marathon's event bus; the API renders them as SSE)

export interface MarathonEvent {
  eventType: string;
  timestamp: Timestamp;
  [field: string]: unknown;
}

export interface EventBus {
  publish(event: MarathonEvent): void;
  subscribe(listener: (event: MarathonEvent) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// What the REST facade calls

export class ServiceError extends Error {
  readonly code = 'PACER_SERVICE';
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422 | 500 | 503,
    message: string,
    /** Extra fields of Marathon's error body, e.g. `deployments: [{id}]` for a 409 lock. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface UpdateOptions {
  force: boolean;
  dryRun?: boolean;
  /** The group the change is about, reported in group_change_* events (default `/`). */
  groupId?: string;
}

export interface QueueEntry {
  /** For a pod: the pod's run-spec view (id, version, instances, backoff); `pod` holds the pod itself. */
  app: AppDefinition;
  /** Set when the entry is a pod's (Marathon's `PodQueueItem`). */
  pod?: PodDefinition;
  count: number;
  delay: QueueDelay;
  since: Timestamp;
  processedOffersSummary: unknown;
  lastUnusedOffers: unknown[];
}

export interface FrameworkStatus {
  frameworkId: string | undefined;
  /** Scheduler endpoint of the master we are subscribed to, when subscribed. */
  master: string | undefined;
  subscribed: boolean;
}

/** Stored versions of the root group (Marathon's group versions), read on demand. */
export interface RootHistory {
  /** Root versions still stored, newest first; the current root's version is always among them. */
  versions(): Timestamp[];
  /** The group tree of a root version, without reading app definitions. */
  tree(version: Timestamp): Promise<Group | undefined>;
  /** The whole root of a version, apps included. */
  root(version: Timestamp): Promise<RootGroup | undefined>;
}

export interface PacerService {
  readonly events: EventBus;
  readonly instances: InstanceTracker;
  readonly health: HealthView;
  /** Root group history; services without one answer the current version only. */
  readonly rootHistory?: RootHistory;

  root(): RootGroup;
  app(id: string): AppDefinition | undefined;
  appVersions(id: string): Timestamp[];
  appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined>;
  deployments(): readonly DeploymentPlan[];
  deploymentsOf(appId: string): readonly DeploymentPlan[];
  queue(now: number): readonly QueueEntry[];
  framework(): FrameworkStatus;

  /**
   * Applies a change to the root group: assigns versions and service ports, validates, persists
   * the new root, and starts its deployment. Throws ServiceError 409 when a running deployment
   * touches the same apps and `force` is false.
   */
  updateRoot(change: (root: RootGroup, version: Timestamp) => RootGroup, opts: UpdateOptions): Promise<DeploymentPlan>;
  restartApp(id: string, opts: UpdateOptions): Promise<DeploymentPlan>;
  /** Kills instances; with `scale` the app's instance count drops by as many (a deployment). */
  killInstances(instanceIds: readonly string[], opts: { scale: boolean; wipe: boolean; force: boolean }): Promise<DeploymentPlan | undefined>;
  /** Without force: a deployment that reverts the plan's changes. With force: just stop it. */
  cancelDeployment(id: string, opts: { force: boolean }): Promise<DeploymentPlan | undefined>;
  resetDelay(appId: string): boolean;

  // -------------------------------------------------------------------------------------------
  // Pods (Marathon's PodManager; the root group holds them in `root().pods` and `Group.pods`)

  /** The current definition, or undefined. */
  pod(id: string): PodDefinition | undefined;
  /** Every pod of the root, in id order. */
  pods(): readonly PodDefinition[];
  /** Stored versions of a pod, newest first ([] when the pod does not exist). */
  podVersions(id: string): Timestamp[];
  podVersion(id: string, version: Timestamp): Promise<PodDefinition | undefined>;
  /**
   * Creates (POST /v2/pods: 409 `Pod <id> already exists.` when it does) or creates-or-replaces
   * (PUT /v2/pods/{id}) a parsed pod; assigns its version, persists, starts the deployment.
   * 409 like apps when a running deployment holds the pod and `force` is false.
   */
  createPod(pod: PodDefinition, opts: UpdateOptions): Promise<DeploymentPlan>;
  updatePod(pod: PodDefinition, opts: UpdateOptions): Promise<DeploymentPlan>;
  /** DELETE /v2/pods/{id}: 404 `Pod '<id>' does not exist` when absent. */
  deletePod(id: string, opts: UpdateOptions): Promise<DeploymentPlan>;
  /** Instances of a pod (each with `podTasks`: container tasks, agent, host ports, statuses, health). */
  podInstances(id: string): readonly Instance[];
  /**
   * DELETE /v2/pods/{id}::instances[/{instanceId}]: kills the named instances of the pod as a whole
   * (404 when the pod does not exist); with `wipe` they are forgotten (not relaunched in place), as
   * Marathon's killInstances with wipe. Returns the instances as they were when killed.
   */
  killPodInstances(podId: string, instanceIds: readonly string[], opts: { wipe: boolean }): Promise<readonly Instance[]>;
  /** Running deployments that affect the pod. */
  deploymentsOfPod(podId: string): readonly DeploymentPlan[];
}

/**
 * Current and past run specs, owned by the group manager, read by the core. For a pod id `app`
 * answers the pod's run-spec view (scheduler/pods/run-spec.ts: what Marathon's RunSpec trait shares
 * between apps and pods: instances, backoff, upgrade, unreachable strategy, summed resources), and
 * `pod`/`podVersion` the pod itself.
 */
export interface AppLookup {
  app(id: string): AppDefinition | undefined;
  appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined>;
  pod?(id: string): PodDefinition | undefined;
  podVersion?(id: string, version: Timestamp): Promise<PodDefinition | undefined>;
}

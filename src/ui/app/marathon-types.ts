/**
 * The parts of Marathon's public JSON the UI reads. Written from the REST docs, loose on purpose:
 * the UI must keep working against any Marathon-compatible server, so every field that a server
 * may omit is optional.
 */

export interface DeploymentRef {
  id: string;
}

export interface HealthCheckResult {
  alive: boolean;
  consecutiveFailures?: number;
  lastFailureCause?: string | null;
}

export interface Task {
  id: string;
  appId: string;
  host?: string;
  slaveId?: string;
  ports?: number[];
  state?: string;
  stagedAt?: string | null;
  startedAt?: string | null;
  version?: string;
  healthCheckResults?: HealthCheckResult[];
  ipAddresses?: Array<{ ipAddress: string; protocol?: string }>;
  /** Persistent volumes of a resident task (Marathon's TaskInfo.localVolumes). */
  localVolumes?: unknown[];
}

export interface TaskFailure {
  message?: string;
  state?: string;
  timestamp?: string;
  host?: string;
  taskId?: string;
}

export interface AppInfo {
  id: string;
  cmd?: string | null;
  instances?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  version?: string;
  healthChecks?: unknown[];
  tasksStaged?: number;
  tasksRunning?: number;
  tasksHealthy?: number;
  tasksUnhealthy?: number;
  deployments?: DeploymentRef[];
  tasks?: Task[];
  lastTaskFailure?: TaskFailure;
  [key: string]: unknown;
}

export interface DeploymentAction {
  action: string;
  app?: string;
  pod?: string;
}

export interface Deployment {
  id: string;
  version?: string;
  affectedApps?: string[];
  affectedPods?: string[];
  steps?: Array<{ actions: DeploymentAction[] }>;
  currentActions?: DeploymentAction[];
  currentStep?: number;
  totalSteps?: number;
}

export interface RejectionCount {
  reason: string;
  declined: number;
  processed: number;
}

export interface ProcessedOffersSummary {
  processedOffersCount?: number;
  unusedOffersCount?: number;
  lastUnusedOfferAt?: string;
  lastUsedOfferAt?: string;
  rejectSummaryLastOffers?: RejectionCount[];
  rejectSummaryLaunchAttempt?: RejectionCount[];
}

export interface UnusedOffer {
  offer: {
    id?: string;
    agentId?: string;
    hostname?: string;
    resources?: Array<{ name: string; scalar?: number; ranges?: Array<{ begin: number; end: number }>; role?: string }>;
    attributes?: Array<{ name: string; text?: string; scalar?: number }>;
  };
  timestamp?: string;
  reason?: string[];
}

export interface QueueEntry {
  count?: number;
  role?: string;
  delay?: { timeLeftSeconds: number; overdue: boolean };
  since?: string;
  processedOffersSummary?: ProcessedOffersSummary;
  lastUnusedOffers?: UnusedOffer[];
  app?: { id: string; [key: string]: unknown };
  /** Set instead of `app` for a pod waiting to launch. */
  pod?: { id: string; [key: string]: unknown };
}

export interface ServerInfo {
  name?: string;
  version?: string;
  /** Marathon's git revision; `pacer` when Pacer serves the API. */
  buildref?: string;
  frameworkId?: string;
  leader?: string | null;
  marathon_config?: { mesos_leader_ui_url?: string; master?: string; [key: string]: unknown };
}

/** Marathon's error body: details is a string for parser failures, violations otherwise. */
export interface ErrorBody {
  message?: string;
  details?: Array<{ path: string; errors: string[] }> | string;
  deployments?: DeploymentRef[];
}

export interface DeploymentResult {
  deploymentId?: string;
  version?: string;
}

/** One SSE frame's data; every Marathon event has eventType and timestamp. */
export interface MarathonEvent {
  eventType: string;
  timestamp?: string;
  appId?: string;
  runSpecId?: string;
  taskId?: string;
  appDefinition?: { id?: string };
  plan?: { steps?: Array<{ actions?: DeploymentAction[] }> };
  [key: string]: unknown;
}

/** RAML `Pod`: the parts the UI shows. */
export interface Pod {
  id: string;
  version?: string;
  scaling?: { kind?: string; instances?: number };
  containers?: Array<{
    name: string;
    resources?: { cpus?: number; mem?: number; disk?: number };
    exec?: { command?: { shell?: string; argv?: string[] } };
    image?: { kind?: string; id?: string };
    endpoints?: Array<{ name: string; containerPort?: number; hostPort?: number; protocol?: string[] }>;
    healthCheck?: Record<string, unknown>;
  }>;
  executorResources?: { cpus?: number; mem?: number; disk?: number };
  [field: string]: unknown;
}

export interface PodContainerStatus {
  name: string;
  status?: string;
  statusSince?: string;
  message?: string;
  endpoints?: Array<{ name: string; allocatedHostPort?: number; healthy?: boolean }>;
  conditions?: Array<{ name?: string; value?: string; reason?: string }>;
}

export interface PodInstanceStatus {
  id: string;
  /** PENDING, STAGING, STABLE, DEGRADED, TERMINAL */
  status?: string;
  statusSince?: string;
  agentHostname?: string;
  agentId?: string;
  containers?: PodContainerStatus[];
  specReference?: string;
}

/** RAML `PodStatus` (`/v2/pods/::status`, `/v2/pods/{id}::status`). */
export interface PodStatus {
  id: string;
  spec?: Pod;
  /** DEGRADED, STABLE, TERMINAL */
  status?: string;
  statusSince?: string;
  message?: string;
  instances?: PodInstanceStatus[];
}

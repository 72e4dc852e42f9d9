/**
 * The parts of Marathon's JSON the client reads. Servers differ (Marathon versions, Pacer), so
 * every field is optional and renderers fall back to '-'; only the envelope is checked.
 */

export interface AppJson {
  id: string;
  cmd?: string | null;
  args?: string[] | null;
  instances?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  version?: string;
  container?: { type?: string; docker?: { image?: string } } | null;
  healthChecks?: unknown[];
  tasksStaged?: number;
  tasksRunning?: number;
  tasksHealthy?: number;
  tasksUnhealthy?: number;
  deployments?: Array<{ id: string }>;
  tasks?: TaskJson[];
  lastTaskFailure?: { taskId?: string; state?: string; message?: string; timestamp?: string; host?: string };
}

export interface TaskJson {
  id: string;
  appId?: string;
  host?: string;
  state?: string;
  ports?: number[];
  stagedAt?: string;
  startedAt?: string;
  version?: string;
  healthCheckResults?: Array<{ alive?: boolean }>;
}

export interface DeploymentActionJson {
  action: string;
  app?: string;
  pod?: string;
  readinessCheckResults?: Array<{ name?: string; taskId?: string; ready?: boolean }>;
}

export interface DeploymentJson {
  id: string;
  version?: string;
  affectedApps?: string[];
  affectedPods?: string[];
  steps?: Array<{ actions: DeploymentActionJson[] }>;
  currentActions?: DeploymentActionJson[];
  currentStep?: number;
  totalSteps?: number;
}

export interface RejectSummaryJson {
  reason: string;
  declined: number;
  processed: number;
}

export interface QueueItemJson {
  app?: { id: string; instances?: number };
  pod?: { id: string };
  count?: number;
  role?: string;
  delay?: { timeLeftSeconds?: number; overdue?: boolean };
  since?: string;
  processedOffersSummary?: {
    processedOffersCount?: number;
    unusedOffersCount?: number;
    lastUnusedOfferAt?: string;
    lastUsedOfferAt?: string;
    rejectSummaryLastOffers?: RejectSummaryJson[];
    rejectSummaryLaunchAttempt?: RejectSummaryJson[];
  };
}

export interface DeploymentResultJson {
  deploymentId: string;
  version?: string;
}

/** One event of `/v2/events`: `eventType`, `timestamp` and type-specific fields. */
export interface EventJson {
  eventType?: string;
  timestamp?: string;
  [field: string]: unknown;
}

/** RAML `Pod`, the fields the client shows. */
export interface PodJson {
  id: string;
  version?: string;
  scaling?: { kind?: string; instances?: number };
  containers?: Array<{
    name: string;
    resources?: { cpus?: number; mem?: number; disk?: number };
    exec?: { command?: { shell?: string; argv?: string[] } };
    image?: { id?: string };
    endpoints?: Array<{ name: string; containerPort?: number; hostPort?: number }>;
  }>;
  executorResources?: { cpus?: number; mem?: number; disk?: number };
  [field: string]: unknown;
}

export interface ContainerStatusJson {
  name: string;
  status?: string;
  statusSince?: string;
  message?: string;
  containerId?: string;
  endpoints?: Array<{ name: string; allocatedHostPort?: number; healthy?: boolean }>;
  conditions?: Array<{ name?: string; value?: string; reason?: string }>;
  termination?: { exitCode?: number; message?: string };
}

export interface PodInstanceStatusJson {
  id: string;
  status?: string;
  statusSince?: string;
  message?: string;
  agentHostname?: string;
  agentId?: string;
  containers?: ContainerStatusJson[];
  conditions?: Array<{ name?: string; value?: string; reason?: string }>;
  specReference?: string;
}

/** RAML `PodStatus` (`GET /v2/pods/{id}::status`). */
export interface PodStatusJson {
  id: string;
  spec?: PodJson;
  status?: string;
  statusSince?: string;
  message?: string;
  instances?: PodInstanceStatusJson[];
}

/** RAML `Instance`, as `DELETE /v2/pods/{id}::instances` answers for each killed instance. */
export interface InstanceJson {
  instanceId?: string;
  agentInfo?: { host?: string; agentId?: string };
  state?: { condition?: string; goal?: string };
}

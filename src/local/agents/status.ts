import type { ContainerStatus, TaskState, TaskStatus, TaskStatusReason, TaskStatusSource } from '../../mesos/types.js';

/** What every status update of one task carries, whoever sends it. */
export interface StatusOrigin {
  readonly agentId: string;
  readonly executorId: string;
  readonly containerStatus?: ContainerStatus;
}

export interface StatusDetails {
  readonly source?: TaskStatusSource;
  readonly reason?: TaskStatusReason;
  readonly message?: string;
  readonly healthy?: boolean;
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}

/**
 * A status update as the command executor writes one: source EXECUTOR unless told otherwise,
 * the executor id, a timestamp in fractional seconds. No uuid: the master stamps it.
 */
export function makeTaskStatus(origin: StatusOrigin, taskId: string, state: TaskState, details: StatusDetails = {}): TaskStatus {
  const status: TaskStatus = {
    task_id: { value: taskId },
    state,
    source: details.source ?? 'SOURCE_EXECUTOR',
    agent_id: { value: origin.agentId },
    executor_id: { value: origin.executorId },
    timestamp: nowSeconds(),
  };
  if (details.reason !== undefined) status.reason = details.reason;
  if (details.message !== undefined) status.message = details.message;
  if (details.healthy !== undefined) status.healthy = details.healthy;
  if (origin.containerStatus !== undefined) status.container_status = origin.containerStatus;
  return status;
}

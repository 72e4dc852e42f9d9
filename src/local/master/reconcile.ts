import type { CallReconcileTask, TaskState, TaskStatus } from '../../mesos/types.js';
import type { FrameworkRecord, TaskRecord } from './frameworks.js';

/**
 * Task reconciliation answers, as upstream's `Master::reconcile` builds them: master-sourced,
 * REASON_RECONCILIATION, no uuid (never acknowledged), carrying only the latest state and the
 * health, check and container status of the task.
 */

export interface AgentDirectory {
  isRegistered(agentId: string): boolean;
  /** Removed by the operator (or by `removeAgent`). */
  isGone(agentId: string): boolean;
}

function latestStateOf(task: TaskRecord): TaskState {
  return task.statusUpdateState ?? task.state;
}

export function statusOfKnownTask(task: TaskRecord, timestamp: number): TaskStatus {
  const latest = task.statuses[task.statuses.length - 1];
  const status: TaskStatus = {
    task_id: { value: task.info.task_id.value },
    state: latestStateOf(task),
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: Latest task state',
    agent_id: { value: task.agentId },
    timestamp,
  };
  if (task.executorId !== undefined) status.executor_id = { value: task.executorId };
  if (latest?.healthy !== undefined) status.healthy = latest.healthy;
  if (latest?.check_status !== undefined) status.check_status = latest.check_status;
  if (latest?.container_status !== undefined) status.container_status = latest.container_status;
  return status;
}

/** Implicit reconciliation: the latest state of every task the master knows for the framework. */
export function implicitReconciliation(framework: FrameworkRecord, timestamp: number): TaskStatus[] {
  return [...framework.tasks.values()].map((t) => statusOfKnownTask(t, timestamp));
}

/** Explicit reconciliation of the listed tasks; unknown ones are answered per the agent's fate. */
export function explicitReconciliation(
  framework: FrameworkRecord,
  tasks: readonly CallReconcileTask[],
  agents: AgentDirectory,
  timestamp: number,
): TaskStatus[] {
  const pa = framework.partitionAware;
  return tasks.map((t) => {
    const known = framework.tasks.get(t.task_id.value);
    if (known !== undefined) return statusOfKnownTask(known, timestamp);
    const agentId = t.agent_id?.value;
    let state: TaskState;
    let message: string;
    if (agentId !== undefined && agents.isRegistered(agentId)) {
      state = pa ? 'TASK_GONE' : 'TASK_LOST';
      message = 'Reconciliation: Task is unknown to the agent';
    } else if (agentId !== undefined && agents.isGone(agentId)) {
      state = pa ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST';
      message = 'Reconciliation: Task is gone';
    } else {
      state = pa ? 'TASK_UNKNOWN' : 'TASK_LOST';
      message = 'Reconciliation: Task is unknown';
    }
    const status: TaskStatus = {
      task_id: { value: t.task_id.value },
      state,
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message,
      timestamp,
    };
    if (agentId !== undefined) status.agent_id = { value: agentId };
    return status;
  });
}

/**
 * Mesos task states to Marathon instance conditions (marathon.md §5). TASK_LOST is split by its
 * reason, as Marathon does: reasons after which the task may come back count as Unreachable,
 * REASON_TASK_UNKNOWN as Unknown, everything else (and no reason) as Gone.
 */
import type { TaskState, TaskStatusReason } from '../../mesos/types.js';
import { ACTIVE_CONDITIONS, TERMINAL_CONDITIONS, type Condition, type Instance } from '../contracts.js';

const LOST_BUT_MAY_RETURN: ReadonlySet<TaskStatusReason> = new Set<TaskStatusReason>([
  // A reconciliation answer hides the original reason, so assume the task may come back.
  'REASON_RECONCILIATION',
  'REASON_AGENT_DISCONNECTED',
  'REASON_AGENT_REMOVED',
]);

const BY_STATE: Readonly<Record<Exclude<TaskState, 'TASK_LOST'>, Condition>> = {
  TASK_STAGING: 'Staging',
  TASK_STARTING: 'Starting',
  TASK_RUNNING: 'Running',
  TASK_KILLING: 'Killing',
  TASK_FINISHED: 'Finished',
  TASK_FAILED: 'Failed',
  TASK_KILLED: 'Killed',
  TASK_ERROR: 'Error',
  TASK_DROPPED: 'Dropped',
  TASK_UNREACHABLE: 'Unreachable',
  TASK_GONE: 'Gone',
  TASK_GONE_BY_OPERATOR: 'Gone',
  TASK_UNKNOWN: 'Unknown',
};

export function conditionOf(state: TaskState, reason?: TaskStatusReason): Condition {
  if (state === 'TASK_LOST') {
    if (reason !== undefined && LOST_BUT_MAY_RETURN.has(reason)) return 'Unreachable';
    if (reason === 'REASON_TASK_UNKNOWN') return 'Unknown';
    return 'Gone';
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a state newer than this table may arrive from the master
  return BY_STATE[state] ?? 'Unknown';
}

export function isTerminalCondition(condition: Condition): boolean {
  return TERMINAL_CONDITIONS.has(condition);
}

export function isActiveCondition(condition: Condition): boolean {
  return ACTIVE_CONDITIONS.has(condition);
}

/** Conditions in which a launched task is expected to exist on an agent (reconciled, killable). */
export function hasLiveTask(condition: Condition): boolean {
  return condition !== 'Scheduled' && !TERMINAL_CONDITIONS.has(condition);
}

/** The Mesos state name Marathon shows for a condition (`/v2/tasks`, events). */
export function mesosStateName(condition: Condition): TaskState {
  switch (condition) {
    case 'Scheduled':
    case 'Provisioned':
      return 'TASK_STAGING';
    case 'UnreachableInactive':
      return 'TASK_UNREACHABLE';
    case 'Gone':
      return 'TASK_GONE';
    default:
      return `TASK_${condition.toUpperCase()}` as TaskState;
  }
}

/** Waiting for an offer: nothing launched yet and meant to run. */
export function isWaitingForLaunch(instance: Instance): boolean {
  return instance.condition === 'Scheduled' && instance.goal === 'Running';
}

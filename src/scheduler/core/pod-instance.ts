/**
 * Pod instances: one Instance with one task per container (Marathon's Instance.tasksMap). The
 * instance's condition is derived from its tasks as Marathon's `InstanceState.conditionFromTasks`
 * does: the task condition highest in a fixed hierarchy wins, so one failed container makes the
 * whole instance Failed, while Running and Finished tasks together leave it Running.
 */
import type { Condition, Instance, PodTask } from '../contracts.js';
import { hasLiveTask } from './conditions.js';
import { parseInstanceId } from './ids.js';
import { CoreError } from './errors.js';

/** Marathon's condition hierarchy for instances with several tasks (first = strongest). */
const HIERARCHY: readonly Condition[] = [
  'Error',
  'Failed',
  'Gone',
  'Dropped',
  'Unreachable',
  'Killing',
  'Starting',
  'Staging',
  'Unknown',
  // From here on every task is in one of these:
  'Scheduled',
  'Provisioned',
  'Running',
  'Finished',
  'Killed',
];

function rank(condition: Condition): number {
  const index = HIERARCHY.indexOf(condition);
  // UnreachableInactive is decided per instance, never reported per task; rank it as Unreachable.
  return index >= 0 ? index : HIERARCHY.indexOf('Unreachable');
}

export function podInstanceCondition(tasks: readonly PodTask[]): Condition {
  let best: Condition = 'Unknown';
  let bestRank = Number.POSITIVE_INFINITY;
  for (const task of tasks) {
    const r = rank(task.condition);
    if (r < bestRank) {
      best = task.condition;
      bestRank = r;
    }
  }
  return best;
}

/**
 * Health of a pod instance: the health of its containers' checks. Any checked container running
 * and unhealthy makes it unhealthy; it is healthy once every checked container reported healthy
 * while running (and no other task is still on its way up); otherwise there is no verdict yet.
 * Undefined too when no container has a check (then "healthy" means running, as for apps).
 */
export function podInstanceHealth(tasks: readonly PodTask[]): boolean | undefined {
  if (!tasks.some((t) => t.healthChecked)) return undefined;
  let pending = false;
  for (const task of tasks) {
    if (task.condition === 'Running' && task.status?.healthy === false) return false;
    if (task.condition !== 'Running' && task.condition !== 'Finished') pending = true;
    else if (task.healthChecked && task.condition === 'Running' && task.status?.healthy !== true) pending = true;
  }
  return pending ? undefined : true;
}

export function isPodInstance(instance: Instance): boolean {
  return instance.podTasks !== undefined;
}

/** `<instanceId>.<containerName>.<incarnation>`, Marathon's task id of a pod container. */
export function podTaskIdOf(instanceId: string, containerName: string, incarnation: number): string {
  return `${instanceId}.${containerName}.${incarnation}`;
}

/** Marathon's `Instance.Id.executorIdString`: `<prefix><safePath>.<uuid>`, e.g. `instance-prod_db.<uuid>`. */
export function executorIdOf(instanceId: string): string {
  const parsed = parseInstanceId(instanceId);
  if (parsed === undefined) throw new CoreError('PACER_CORE_BAD_ID', `cannot derive an executor id from instance id '${instanceId}'`);
  const safe = instanceId.slice(0, instanceId.length - parsed.prefix.length - parsed.uuid.length - 1);
  return `${parsed.prefix}${safe}.${parsed.uuid}`;
}

/** Every task id of the instance's current incarnation (one for apps, one per container for pods). */
export function taskIdsOf(instance: Instance): string[] {
  if (instance.podTasks !== undefined) return instance.podTasks.map((t) => t.taskId);
  return instance.taskId !== undefined ? [instance.taskId] : [];
}

/** Task ids of the instance that may still exist on an agent, with their agent. */
export function liveTaskIdsOf(instance: Instance): string[] {
  if (instance.podTasks !== undefined) return instance.podTasks.filter((t) => hasLiveTask(t.condition)).map((t) => t.taskId);
  return instance.taskId !== undefined && hasLiveTask(instance.condition) ? [instance.taskId] : [];
}

export function podTaskOf(instance: Instance, taskId: string): PodTask | undefined {
  return instance.podTasks?.find((t) => t.taskId === taskId);
}

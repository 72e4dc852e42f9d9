import type { ExecutorInfo, OfferID, TaskGroupInfo, TaskInfo } from '../../mesos/types.js';
import { validateId } from './framework-validation.js';
import { InvalidResourceError } from './errors.js';
import { ResourceBag, toMilli } from './resources.js';

/**
 * ACCEPT validation after upstream's `validation::offer` and `validation::task` (and `::group`),
 * with the same checks in the same order and the same messages, so that a framework sees the
 * errors a real master would give it.
 */

export interface OfferView {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
}

export function validateOfferIds(offerIds: readonly OfferID[], frameworkId: string, lookup: (offerId: string) => OfferView | undefined): string | undefined {
  if (offerIds.length === 0) return 'No offers specified';
  const seen = new Set<string>();
  for (const { value } of offerIds) {
    if (seen.has(value)) return `Duplicate offer ${value} in offer list`;
    seen.add(value);
  }
  for (const { value } of offerIds) {
    if (lookup(value) === undefined) return `Offer ${value} is no longer valid`;
  }
  for (const { value } of offerIds) {
    const offer = lookup(value)!;
    if (offer.frameworkId !== frameworkId) {
      return `Offer ${value} has invalid framework ${offer.frameworkId} while framework ${frameworkId} is expected`;
    }
  }
  let role: string | undefined;
  for (const { value } of offerIds) {
    const offer = lookup(value)!;
    if (role === undefined) role = offer.role;
    else if (offer.role !== role) {
      return `Aggregated offers must be allocated to the same role. Offer ${value} uses role '${offer.role} but another is using role '${role}`;
    }
  }
  let agentId: string | undefined;
  for (const { value } of offerIds) {
    const offer = lookup(value)!;
    if (agentId === undefined) agentId = offer.agentId;
    else if (offer.agentId !== agentId) {
      return `Aggregated offers must belong to one single agent. Offer ${value} uses agent ${offer.agentId} and agent ${agentId}`;
    }
  }
  return undefined;
}

export interface TaskContext {
  readonly frameworkId: string;
  readonly agentId: string;
  /** Resources still unused in the accepted offers (allocated to the offers' role). */
  readonly available: ResourceBag;
  /** Task ids the framework already has (live tasks). */
  hasTask(taskId: string): boolean;
  /** The executor already known on this agent for this framework, if any. */
  existingExecutor(executorId: string): ExecutorInfo | undefined;
  /** Live tasks of that executor on this agent (for `share_cgroups`). */
  tasksOfExecutor?(executorId: string): readonly Pick<TaskInfo, 'container'>[];
}

function validateResourceList(resources: TaskInfo['resources'], what: 'Task' | 'Executor'): string | undefined {
  // Parsed once: validating and then parsing again cost a second parse of every launched task.
  let bag: ResourceBag;
  try {
    bag = ResourceBag.fromResources(resources);
  } catch (err) {
    if (err instanceof InvalidResourceError) return `${what} uses invalid resources: ${err.message}`;
    throw err;
  }
  const roles = bag.allocationRoles();
  if (roles.has(undefined)) return `Invalid ${what.toLowerCase()} resources: The resources are not allocated to a role`;
  if (roles.size > 1) {
    return `Invalid ${what.toLowerCase()} resources: The resources have multiple allocation roles (${[...roles].join(', ')}) but only one allocation role is allowed`;
  }
  if (bag.hasRevocable() && bag.hasNonRevocable()) {
    return `${what} mixes revocable and non-revocable resources: ${bag.toString()}`;
  }
  return undefined;
}

function nonNegativeDuration(ns: number | undefined): boolean {
  return ns === undefined || ns >= 0;
}

/** Checks on the task itself, shared by LAUNCH and LAUNCH_GROUP (upstream `validateTask`). */
function validateTaskFields(task: TaskInfo, ctx: TaskContext): string | undefined {
  const idError = validateId(task.task_id.value);
  if (idError !== undefined) return idError;
  if (ctx.hasTask(task.task_id.value)) return `Task has duplicate ID: ${task.task_id.value}`;
  if (task.agent_id.value !== ctx.agentId) {
    return `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`;
  }
  if (!nonNegativeDuration(task.kill_policy?.grace_period?.nanoseconds)) {
    return "Task's 'kill_policy.grace_period' must be non-negative";
  }
  if (!nonNegativeDuration(task.max_completion_time?.nanoseconds)) {
    return "Task's `max_completion_time` must be non-negative";
  }
  if ((task.resources ?? []).length === 0) return 'Task uses no resources';
  const resourceError = validateResourceList(task.resources, 'Task');
  if (resourceError !== undefined) return resourceError;
  if (task.limits !== undefined) {
    for (const name of Object.keys(task.limits)) {
      if (name !== 'cpus' && name !== 'mem') return "Only cpus and mem may be included in a task's resource limits";
    }
  }
  return undefined;
}

function validateExecutorCommon(executor: ExecutorInfo, ctx: TaskContext): string | undefined {
  const idError = validateId(executor.executor_id.value);
  if (idError !== undefined) return idError;
  switch (executor.type) {
    case 'DEFAULT':
      if (executor.command !== undefined) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
      if (executor.container !== undefined && executor.container.type !== 'MESOS') {
        return "'ExecutorInfo.container.type' must be 'MESOS' for 'DEFAULT' executor";
      }
      if (executor.container?.mesos?.image !== undefined) return "'ExecutorInfo.container.mesos.image' must not be set for 'DEFAULT' executor";
      break;
    case 'CUSTOM':
      if (executor.command === undefined) return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
      break;
    default:
      break;
  }
  if (!nonNegativeDuration(executor.shutdown_grace_period?.nanoseconds)) {
    return "ExecutorInfo's 'shutdown_grace_period' must be non-negative";
  }
  if (executor.framework_id === undefined) return "'ExecutorInfo.framework_id' must be set";
  if (executor.framework_id.value !== ctx.frameworkId) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.framework_id.value} vs Expected: ${ctx.frameworkId})`;
  }
  const resourceError = validateResourceList(executor.resources, 'Executor');
  if (resourceError !== undefined) return resourceError;
  const existing = ctx.existingExecutor(executor.executor_id.value);
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(executor)) {
    return 'ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.';
  }
  return undefined;
}

/** Validates one task of a LAUNCH operation against the remaining offered resources. */
export function validateLaunchTask(task: TaskInfo, ctx: TaskContext): string | undefined {
  const fieldError = validateTaskFields(task, ctx);
  if (fieldError !== undefined) return fieldError;

  if ((task.executor !== undefined) === (task.command !== undefined)) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  const total = ResourceBag.fromResources(task.resources);
  if (task.executor !== undefined) {
    const executor = task.executor;
    const executorError = validateExecutorCommon(executor, ctx);
    if (executorError !== undefined) return executorError;
    if (executor.type !== undefined && executor.type !== 'CUSTOM') return "'ExecutorInfo.type' must be 'CUSTOM'";
    if (executor.command === undefined) return "'ExecutorInfo.command' must be set";
    if (ctx.existingExecutor(executor.executor_id.value) === undefined) {
      total.add(ResourceBag.fromResources(executor.resources));
    }
  }
  if (task.container?.linux_info?.share_cgroups === false) {
    return "Only tasks in a task group may have 'share_cgroups' set to 'false'";
  }
  if (!ctx.available.contains(total)) {
    return `Total resources ${total.toString()} required by task and its executor is more than available ${ctx.available.toString()}`;
  }
  return undefined;
}

/** What upstream's `validation::task::group::internal::validateTask` adds for a task of a group. */
function validateGroupTask(task: TaskInfo): string | undefined {
  if (task.executor === undefined) return "'TaskInfo.executor' must be set";
  const container = task.container;
  if (container !== undefined) {
    const type = task.health_check?.type;
    if ((container.network_infos ?? []).length > 0 && (type === 'HTTP' || type === 'TCP')) {
      return "HTTP and TCP health checks are not supported for nested containers not joining parent's network";
    }
    if (container.type === 'DOCKER') return 'Docker ContainerInfo is not supported on the task';
  }
  if (task.limits !== undefined && Object.keys(task.limits).length > 0 && container?.linux_info?.share_cgroups !== false) {
    return "Resource limits may only be set for tasks within a task group when the 'share_cgroups' field is set to 'false'.";
  }
  return undefined;
}

/** Upstream `validateShareCgroups`: one value of `share_cgroups` per group and executor. */
function validateShareCgroups(executor: ExecutorInfo, tasks: readonly TaskInfo[], ctx: TaskContext): string | undefined {
  if (executor.container?.linux_info?.share_cgroups === true) {
    return "The 'share_cgroups' field cannot be set to 'true' on executor containers";
  }
  const values = new Set(tasks.map((t) => t.container?.linux_info?.share_cgroups ?? true));
  for (const other of ctx.tasksOfExecutor?.(executor.executor_id.value) ?? []) values.add(other.container?.linux_info?.share_cgroups ?? true);
  if (values.size > 1) return "If set, the value of 'share_cgroups' must be the same for all tasks in each task group and under a single executor";
  return undefined;
}

/** Upstream's `stringify(vector<Resources>)`: `[ a, b ]`. */
function resourceListText(bags: readonly ResourceBag[]): string {
  return `[ ${bags.map((b) => b.toString()).join(', ')} ]`;
}

const MIN_CPUS_MILLI = toMilli(0.01);
const MIN_MEM_MILLI = toMilli(32);

/**
 * Validates a LAUNCH_GROUP operation (task group plus its default executor) as upstream's
 * `validation::task::group::validate`: every task (general checks, then the group's), the
 * executor (general checks, type, minimum cpus/mem, some disk, overlaps, offered resources),
 * then `share_cgroups`. The tasks arrive with the group's executor copied in, as the master does.
 */
export function validateTaskGroup(executor: ExecutorInfo, group: TaskGroupInfo, ctx: TaskContext): string | undefined {
  const tasks = group.tasks ?? [];
  const seen = new Set<string>();
  for (const task of tasks) {
    let err = validateTaskFields(task, ctx) ?? validateGroupTask(task);
    // Upstream does not look for duplicates inside one group (its master would abort on one).
    if (err === undefined && seen.has(task.task_id.value)) err = `Task has duplicate ID: ${task.task_id.value}`;
    if (err !== undefined) return `Task '${task.task_id.value}' is invalid: ${err}`;
    seen.add(task.task_id.value);
  }

  const executorError = validateExecutorCommon(executor, ctx);
  if (executorError !== undefined) return executorError;
  if (executor.type === undefined) return "'ExecutorInfo.type' must be set";
  if (executor.type === 'UNKNOWN') return 'Unknown executor type';
  if (executor.container?.type === 'DOCKER') return 'Docker ContainerInfo is not supported on the executor';
  const executorJson = JSON.stringify(executor);
  for (const task of tasks) {
    if (task.executor !== undefined && JSON.stringify(task.executor) !== executorJson) {
      return `The \`ExecutorInfo\` of task '${task.task_id.value}' is different from executor '${executor.executor_id.value}'`;
    }
  }
  const executorResources = ResourceBag.fromResources(executor.resources);
  const cpus = executorResources.scalarMilli('cpus');
  const id = executor.executor_id.value;
  if (!executorResources.hasName('cpus') || cpus < MIN_CPUS_MILLI) {
    return `Executor '${id}' uses less CPUs (${executorResources.hasName('cpus') ? cpus / 1000 : 'None'}) than the minimum required (0.01)`;
  }
  const mem = executorResources.scalarMilli('mem');
  if (!executorResources.hasName('mem') || mem < MIN_MEM_MILLI) {
    return `Executor '${id}' uses less memory (${executorResources.hasName('mem') ? `${mem / 1000}MB` : 'None'}) than the minimum required (32MB)`;
  }
  if (!executorResources.hasName('disk')) return `Executor '${id}' uses no disk`;

  const total = new ResourceBag();
  const taskBags: ResourceBag[] = [];
  for (const task of tasks) {
    const bag = ResourceBag.fromResources(task.resources);
    taskBags.push(bag);
    total.add(bag);
  }
  const parts = [...taskBags, executorResources];
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      if (parts[i]!.overlapsNonScalar(parts[j]!)) {
        return `There are overlapping resources in the task group's task resources ${resourceListText(taskBags)} and/or executor resources ${executorResources.toString()}`;
      }
    }
  }
  if (ctx.existingExecutor(id) === undefined) total.add(executorResources);
  if (!ctx.available.contains(total)) {
    return `Total resources ${total.toString()} required by task group and its executor are more than available ${ctx.available.toString()}`;
  }
  return validateShareCgroups(executor, tasks, ctx);
}

import type { ExecutorInfo, FrameworkInfo, FrameworkInfoCapabilityType, TaskID, TaskInfo, TaskState, TaskStatus } from '../../mesos/types.js';
import type { FrameworkConnection } from './connection.js';
import type { ResourceBag } from './resources.js';

/**
 * What the master keeps of a launched TaskInfo: the fields its answers (`/master/state`, the
 * operator API, reconciliation) and kills read. Not the command (its environment alone is a
 * dozen objects per Marathon task), nor `resources` (kept as a ResourceBag), nor the executor
 * (an ExecutorRecord) nor `data`: at 100,000 tasks the whole TaskInfo was most of the master's heap.
 * Every field is always present (possibly undefined), so that all records share one V8 shape.
 */
export interface KeptTaskInfo {
  readonly name: string;
  readonly task_id: TaskID;
  /** Upstream's `Task.user`: the user of the task's command, else of its executor's command. */
  readonly user: string | undefined;
  readonly labels: TaskInfo['labels'];
  readonly discovery: TaskInfo['discovery'];
  readonly container: TaskInfo['container'];
  readonly health_check: TaskInfo['health_check'];
  readonly kill_policy: TaskInfo['kill_policy'];
}

export function keptTaskInfo(task: TaskInfo): KeptTaskInfo {
  return {
    name: task.name,
    task_id: task.task_id,
    user: task.command?.user ?? task.executor?.command?.user,
    labels: task.labels,
    discovery: task.discovery,
    container: task.container,
    health_check: task.health_check,
    kill_policy: task.kill_policy,
  };
}

/** What the master knows of one task (upstream's `Task`). */
export interface TaskRecord {
  readonly info: KeptTaskInfo;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** The task's own resources, allocated to `role`. */
  readonly resources: ResourceBag;
  readonly executorId?: string;
  /** Latest state reported by the agent. */
  state: TaskState;
  /** State of the update currently being delivered to the scheduler (upstream's
   * `status_update_state`); reconciliation answers with it when set. */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
  /**
   * The statuses seen, without `data`; as upstream, a status of the same state as the last one
   * replaces it. Replaced (not grown in place) on each update, so the array holds no spare slots.
   */
  statuses: readonly TaskStatus[];
}

export interface ExecutorRecord {
  readonly info: ExecutorInfo;
  readonly agentId: string;
  readonly role: string;
  readonly resources: ResourceBag;
  readonly taskIds: Set<string>;
}

const COMPLETED_TASKS_KEPT = 1000;

export class FrameworkRecord {
  connection: FrameworkConnection | undefined;
  readonly tasks = new Map<string, TaskRecord>();
  readonly completedTasks: TaskRecord[] = [];
  readonly offers = new Set<string>();
  /** Executors by `agentId\0executorId`. */
  readonly executors = new Map<string, ExecutorRecord>();
  reregisteredTime: number | undefined;
  unregisteredTime: number | undefined;
  /** When a disconnected framework is removed (failover_timeout after the disconnect). */
  failoverDeadline: number | undefined;

  constructor(
    readonly id: string,
    public info: FrameworkInfo,
    readonly registeredTime: number,
  ) {}

  get connected(): boolean {
    return this.connection !== undefined;
  }

  hasCapability(type: FrameworkInfoCapabilityType): boolean {
    return (this.info.capabilities ?? []).some((c) => c.type === type);
  }

  get partitionAware(): boolean {
    return this.hasCapability('PARTITION_AWARE');
  }

  get roles(): string[] {
    return frameworkRoles(this.info);
  }

  addCompletedTask(task: TaskRecord): void {
    this.completedTasks.push(task);
    if (this.completedTasks.length > COMPLETED_TASKS_KEPT) this.completedTasks.shift();
  }
}

export function frameworkRoles(info: FrameworkInfo): string[] {
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  return multiRole ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

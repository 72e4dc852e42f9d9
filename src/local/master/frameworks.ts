import type { ExecutorInfo, FrameworkInfo, FrameworkInfoCapabilityType, TaskInfo, TaskState, TaskStatus } from '../../mesos/types.js';
import type { FrameworkConnection } from './connection.js';
import type { ResourceBag } from './resources.js';

/** What the master knows of one task (upstream's `Task`). */
export interface TaskRecord {
  /** The TaskInfo as launched, without `data` (upstream does not keep it in memory either). */
  readonly info: TaskInfo;
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
  /** Every status seen, without `data`. */
  readonly statuses: TaskStatus[];
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

import type { Attribute, DomainInfo, ExecutorInfo, KillPolicy, Resource, TaskGroupInfo, TaskInfo, TaskStatus } from '../../mesos/types.js';

/**
 * The seam between the embedded master and the agents it runs in-process.
 * Agents report status updates without a uuid; the master stamps the uuid and owns
 * reliable delivery (retry until acknowledged), exactly as a Mesos agent's status
 * update manager would.
 */
export interface AgentStatusSink {
  statusUpdate(frameworkId: string, status: TaskStatus): void;
}

export interface AgentDescription {
  readonly id: string;
  readonly hostname: string;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly domain?: DomainInfo;
}

export interface LocalAgent extends AgentDescription {
  /** Starts a task; every state change (STARTING, RUNNING, terminal) goes to the sink. */
  launchTask(frameworkId: string, task: TaskInfo, executor?: ExecutorInfo): void;
  /** Starts every task of a group under one executor (LAUNCH_GROUP). */
  launchGroup(frameworkId: string, executor: ExecutorInfo, group: TaskGroupInfo): void;
  /** Kills a task: SIGTERM, then SIGKILL after the grace period (KillPolicy or the agent default). */
  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void;
  /** Absolute sandbox directory of a task, when the agent has one. */
  sandboxOf(taskId: string): string | undefined;
  /** Kills every task and releases all resources held by the agent. */
  close(): Promise<void>;
}

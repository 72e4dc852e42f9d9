/**
 * The part of the scheduler driver the core uses. `SchedulerDriver` satisfies it as it is;
 * unit tests pass an object that records calls.
 */
import type { DriverEvent } from '../../mesos/driver-types.js';
import type { AgentID, Base64, CallReconcileTask, Filters, KillPolicy, OfferID, OfferOperation, TaskID } from '../../mesos/types.js';

export interface DriverPort {
  readonly frameworkId: string | undefined;
  readonly master: string | undefined;
  readonly state: 'idle' | 'connecting' | 'subscribed' | 'stopped';
  start(): void;
  close(): Promise<void>;
  events(): AsyncIterable<DriverEvent>;
  accept(offerIds: readonly OfferID[], operations: readonly OfferOperation[], filters?: Filters): Promise<void>;
  decline(offerIds: readonly OfferID[], filters?: Filters): Promise<void>;
  suppress(roles?: readonly string[]): Promise<void>;
  revive(roles?: readonly string[]): Promise<void>;
  kill(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): Promise<void>;
  acknowledge(agentId: AgentID, taskId: TaskID, uuid: Base64): Promise<void>;
  reconcile(tasks?: readonly CallReconcileTask[]): Promise<void>;
}

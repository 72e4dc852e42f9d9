/** Marathon event payloads (marathon.md §5), built from Pacer's instances and Mesos statuses. */
import type { TaskStatus } from '../../mesos/types.js';
import { timestamp, type Condition, type Instance, type MarathonEvent, type Timestamp } from '../contracts.js';

export function statusUpdateEvent(instance: Instance, status: TaskStatus, now: number): MarathonEvent {
  return {
    eventType: 'status_update_event',
    timestamp: timestamp(now),
    slaveId: status.agent_id?.value ?? instance.agentId ?? '',
    taskId: status.task_id.value,
    taskStatus: status.state,
    message: status.message ?? '',
    appId: instance.appId,
    host: instance.hostname ?? '',
    ipAddresses: instance.ipAddresses,
    ports: instance.hostPorts,
    version: instance.runSpecVersion,
  };
}

export function instanceChangedEvent(instance: Instance, now: number): MarathonEvent {
  return {
    eventType: 'instance_changed_event',
    timestamp: timestamp(now),
    instanceId: instance.instanceId,
    condition: instance.condition,
    runSpecId: instance.appId,
    agentId: instance.agentId ?? '',
    host: instance.hostname ?? '',
    runSpecVersion: instance.runSpecVersion,
  };
}

export function instanceHealthChangedEvent(instance: Instance, healthy: boolean | undefined, now: number): MarathonEvent {
  return {
    eventType: 'instance_health_changed_event',
    timestamp: timestamp(now),
    instanceId: instance.instanceId,
    runSpecId: instance.appId,
    healthy: healthy ?? null,
    runSpecVersion: instance.runSpecVersion,
  };
}

/** Marathon's `health_status_changed_event`, published whoever ran the check (Mesos or Pacer). */
export function healthStatusChangedEvent(appId: string, instanceId: string, version: Timestamp, alive: boolean, now: number): MarathonEvent {
  return { eventType: 'health_status_changed_event', timestamp: timestamp(now), appId, instanceId, version, alive };
}

export function unknownInstanceTerminatedEvent(instanceId: string, appId: string, condition: Condition, now: number): MarathonEvent {
  return { eventType: 'unknown_instance_terminated_event', timestamp: timestamp(now), instanceId, runSpecId: appId, condition };
}

export function schedulerRegisteredEvent(frameworkId: string, master: string, now: number): MarathonEvent {
  return { eventType: 'scheduler_registered_event', timestamp: timestamp(now), frameworkId, master };
}

export function schedulerReregisteredEvent(master: string, now: number): MarathonEvent {
  return { eventType: 'scheduler_reregistered_event', timestamp: timestamp(now), master };
}

export function schedulerDisconnectedEvent(now: number): MarathonEvent {
  return { eventType: 'scheduler_disconnected_event', timestamp: timestamp(now) };
}

/** Marathon writes the message bytes as a JSON array of (signed) byte values. */
export function frameworkMessageEvent(executorId: string, agentId: string, data: string, now: number): MarathonEvent {
  const bytes = [...Buffer.from(data, 'base64')].map((b) => (b > 127 ? b - 256 : b));
  return { eventType: 'framework_message_event', timestamp: timestamp(now), executorId, slaveId: agentId, message: bytes };
}

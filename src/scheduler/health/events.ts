/** Marathon's health check events (marathon.md §5), with Marathon's field names. */
import { renderHealthCheck } from '../../model/apps/render.js';
import type { HealthCheck } from '../../model/apps/types.js';
import { timestamp, type Instance, type MarathonEvent, type Timestamp } from '../contracts.js';

/** The check as the API writes it (RAML AppHealthCheck). */
export const healthCheckJson = renderHealthCheck;

export function addHealthCheckEvent(appId: string, version: Timestamp, check: HealthCheck, now: number): MarathonEvent {
  return { eventType: 'add_health_check_event', timestamp: timestamp(now), appId, healthCheck: healthCheckJson(check), version };
}

export function removeHealthCheckEvent(appId: string, now: number): MarathonEvent {
  return { eventType: 'remove_health_check_event', timestamp: timestamp(now), appId };
}

/** Marathon names the instance id `taskId` in this event. */
export function failedHealthCheckEvent(appId: string, instanceId: string, check: HealthCheck, now: number): MarathonEvent {
  return { eventType: 'failed_health_check_event', timestamp: timestamp(now), appId, healthCheck: healthCheckJson(check), taskId: instanceId };
}

export { healthStatusChangedEvent } from '../core/events.js';

/** Timestamped with the failure that sealed the instance's fate, as Marathon does. */
export function unhealthyInstanceKillEvent(instance: Instance, taskId: string, reason: string, failedAt: number): MarathonEvent {
  return {
    eventType: 'unhealthy_instance_kill_event',
    timestamp: timestamp(failedAt),
    appId: instance.appId,
    taskId,
    instanceId: instance.instanceId,
    version: instance.runSpecVersion,
    reason,
    host: instance.hostname ?? 'unknown',
    slaveId: instance.agentId ?? null,
  };
}

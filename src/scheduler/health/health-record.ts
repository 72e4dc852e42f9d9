/**
 * The outcome history of one health check on one instance, and how a probe result moves it
 * (Marathon's `Health`). Alive means the latest success is newer than the latest failure.
 * The last failure's cause stays after a success: it is history, not current state.
 */
import { timestamp, type HealthCheckResult } from '../contracts.js';

export interface HealthRecord {
  /** Epoch ms of each event, null before the first. */
  readonly firstSuccess: number | null;
  readonly lastSuccess: number | null;
  readonly lastFailure: number | null;
  readonly lastFailureCause: string | null;
  readonly consecutiveFailures: number;
}

export const NO_HEALTH_YET: HealthRecord = {
  firstSuccess: null,
  lastSuccess: null,
  lastFailure: null,
  lastFailureCause: null,
  consecutiveFailures: 0,
};

export function isAlive(record: HealthRecord): boolean {
  return record.lastSuccess !== null && (record.lastFailure === null || record.lastSuccess > record.lastFailure);
}

export function afterSuccess(record: HealthRecord, at: number): HealthRecord {
  return { ...record, firstSuccess: record.firstSuccess ?? at, lastSuccess: at, consecutiveFailures: 0 };
}

export function afterFailure(record: HealthRecord, at: number, cause: string): HealthRecord {
  return { ...record, lastFailure: at, lastFailureCause: cause, consecutiveFailures: record.consecutiveFailures + 1 };
}

const iso = (at: number | null): string | null => (at === null ? null : timestamp(at));

export function toHealthCheckResult(instanceId: string, record: HealthRecord): HealthCheckResult {
  return {
    instanceId,
    alive: isAlive(record),
    consecutiveFailures: record.consecutiveFailures,
    firstSuccess: iso(record.firstSuccess),
    lastSuccess: iso(record.lastSuccess),
    lastFailure: iso(record.lastFailure),
    lastFailureCause: record.lastFailureCause,
  };
}

/**
 * One verdict per instance over all of its app's health checks, whoever runs them: Mesos-native
 * checks (MESOS_HTTP/HTTPS/TCP, COMMAND) report through TaskStatus.healthy, legacy ones
 * (HTTP/HTTPS/TCP) through Pacer's own probes. Marathon's rule: healthy when every check is
 * alive; otherwise unknown (null) while some check has no result yet; otherwise unhealthy.
 */
import type { HealthCheck, HealthCheckProtocol } from '../../model/apps/types.js';
import type { Instance } from '../contracts.js';
import { isAlive, type HealthRecord } from './health-record.js';

const PACER_RUN: ReadonlySet<HealthCheckProtocol> = new Set<HealthCheckProtocol>(['HTTP', 'HTTPS', 'TCP']);

/** Legacy checks, run by the scheduler itself. */
export function isPacerRun(check: HealthCheck): boolean {
  return PACER_RUN.has(check.protocol);
}

/** @param legacyRecord the record of the app's check at `index` (Pacer-run checks only). */
export function combinedHealth(checks: readonly HealthCheck[], instance: Instance, legacyRecord: (index: number) => HealthRecord | undefined): boolean | null {
  let unknown = false;
  let failing = false;
  for (let index = 0; index < checks.length; index++) {
    let alive: boolean | undefined;
    if (isPacerRun(checks[index]!)) {
      const record = legacyRecord(index);
      alive = record === undefined ? undefined : isAlive(record);
    } else {
      alive = instance.status?.healthy;
    }
    if (alive === undefined) unknown = true;
    else if (!alive) failing = true;
  }
  // A failed check makes the instance unhealthy even while another has no result yet.
  if (failing) return false;
  return unknown ? null : true;
}

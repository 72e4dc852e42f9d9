import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../src/model/apps/types.js';
import { combinedHealth } from '../../../src/scheduler/health/index.js';
import { afterFailure, afterSuccess, NO_HEALTH_YET, type HealthRecord } from '../../../src/scheduler/health/health-record.js';
import { appWith, runningInstance } from './fixtures.js';

const legacy = { protocol: 'HTTP' } as HealthCheck;
const mesos = { protocol: 'MESOS_HTTP' } as HealthCheck;
const alive = afterSuccess(NO_HEALTH_YET, 1);
const dead = afterFailure(alive, 2, '500 Internal Server Error');

describe('combinedHealth', () => {
  const instance = runningInstance(appWith(), 1);
  const records =
    (...list: Array<HealthRecord | undefined>) =>
    (index: number) =>
      list[index];

  it('is healthy only when every check is alive, unhealthy once any has failed, else unknown', () => {
    expect(combinedHealth([legacy, legacy], instance, records(alive, alive))).toBe(true);
    expect(combinedHealth([legacy, legacy], instance, records(alive, dead))).toBe(false);
    expect(combinedHealth([legacy, legacy], instance, records(dead, undefined))).toBe(false);
    expect(combinedHealth([legacy, legacy], instance, records(alive, undefined))).toBeNull();
    // A result that only saw ignored failures is known, and not alive.
    expect(combinedHealth([legacy], instance, records(NO_HEALTH_YET))).toBe(false);
  });

  it('takes Mesos-native checks from TaskStatus.healthy', () => {
    expect(combinedHealth([legacy, mesos], { ...instance, status: { state: 'TASK_RUNNING', timestamp: 1, healthy: true } }, records(alive))).toBe(true);
    expect(combinedHealth([legacy, mesos], { ...instance, status: { state: 'TASK_RUNNING', timestamp: 1, healthy: false } }, records(alive))).toBe(false);
    expect(combinedHealth([legacy, mesos], { ...instance, status: { state: 'TASK_RUNNING', timestamp: 1 } }, records(alive))).toBeNull();
  });

  it('keeps the last failure cause after a success, and alive follows the newest outcome', () => {
    const recovered = afterSuccess(dead, 3);
    expect(recovered).toMatchObject({ consecutiveFailures: 0, lastFailureCause: '500 Internal Server Error', firstSuccess: 1, lastSuccess: 3 });
    expect(combinedHealth([legacy], instance, records(recovered))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../src/api/apps/types.js';
import { combinedHealth, ConcurrencyLimiter, HealthCheckError } from '../../../src/scheduler/health/index.js';
import { afterFailure, afterSuccess, NO_HEALTH_YET, type HealthRecord } from '../../../src/scheduler/health/health-record.js';
import { appWith, runningInstance } from './fixtures.js';

const legacy = { protocol: 'HTTP' } as HealthCheck;
const mesos = { protocol: 'MESOS_HTTP' } as HealthCheck;
const alive = afterSuccess(NO_HEALTH_YET, 1);
const dead = afterFailure(alive, 2, '500 Internal Server Error');

describe('combinedHealth', () => {
  const instance = runningInstance(appWith(), 1);
  const records = (...list: Array<HealthRecord | undefined>) => (index: number) => list[index];

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

describe('ConcurrencyLimiter', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const runs = [0, 1, 2, 3].map((n) =>
      limiter.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => releases.push(resolve));
        return n;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(2);
    releases[0]!();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(2);
    releases[1]!();
    releases[2]!();
    await new Promise((r) => setImmediate(r));
    releases[3]!();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects a limit that is not a positive integer with a typed error', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(HealthCheckError);
    let caught: unknown;
    try {
      new ConcurrencyLimiter(1.5);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HealthCheckError);
    expect((caught as HealthCheckError).code).toBe('PACER_HEALTH_BAD_OPTION');
  });
});

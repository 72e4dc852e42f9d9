import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/scheduler/core/rate-limiter.js';
import { appOf } from './fixtures.js';

const app = appOf({ id: '/backoff', cmd: 'false' }); // Marathon defaults: 1 s, factor 1.15, max 300 s

describe('RateLimiter (Marathon backoff)', () => {
  it('starts at backoffSeconds and multiplies by backoffFactor per failure', () => {
    const limiter = new RateLimiter();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      limiter.onCondition(app, 'Failed', undefined, 1000 * i);
      seen.push(limiter.get(app)!.delaySeconds);
    }
    expect(seen[0]).toBe(1);
    expect(seen[1]).toBeCloseTo(1.15, 10);
    expect(seen[2]).toBeCloseTo(1.3225, 10);
    expect(seen[3]).toBeCloseTo(1.520875, 10);
  });

  it('caps the delay at maxLaunchDelaySeconds', () => {
    const limiter = new RateLimiter();
    const capped = { ...app, backoffSeconds: 10, backoffFactor: 10, maxLaunchDelaySeconds: 50 };
    for (let i = 0; i < 5; i++) limiter.increase(capped, 0);
    expect(limiter.get(capped)!.delaySeconds).toBe(50);
    expect(new RateLimiter().increase({ ...capped, backoffSeconds: 500 }, 0)[0]).toMatchObject({ value: { delaySeconds: 50 } });
  });

  it('holds launches until the deadline, measured from the last failure', () => {
    const limiter = new RateLimiter();
    limiter.onCondition(app, 'Error', undefined, 10_000);
    expect(limiter.isDelayed(app, 10_999)).toBe(true);
    expect(limiter.delayOf(app, 10_500)).toEqual({ timeLeftSeconds: 0.5, overdue: false });
    expect(limiter.isDelayed(app, 11_000)).toBe(false);
    expect(limiter.delayOf(app, 12_000)).toEqual({ timeLeftSeconds: 0, overdue: true });
  });

  it('does not grow on TASK_KILLED and resets on a draining kill', () => {
    const limiter = new RateLimiter();
    limiter.onCondition(app, 'Failed', undefined, 0);
    expect(limiter.onCondition(app, 'Killed', 'REASON_TASK_KILLED_DURING_LAUNCH', 100)).toEqual([]);
    expect(limiter.get(app)!.delaySeconds).toBe(1);
    expect(limiter.onCondition(app, 'Killed', 'REASON_AGENT_DRAINING', 200)).toEqual([{ op: 'delete', collection: 'launchDelays', key: '/backoff' }]);
    expect(limiter.get(app)).toBeUndefined();
  });

  it('advances the reference on progress without changing the delay', () => {
    const limiter = new RateLimiter();
    limiter.onCondition(app, 'Failed', undefined, 0);
    limiter.onCondition(app, 'Failed', undefined, 0);
    const writes = limiter.onCondition(app, 'Running', undefined, 5000);
    expect(writes).toHaveLength(1);
    expect(limiter.get(app)).toMatchObject({ referenceMs: 5000 });
    expect(limiter.get(app)!.delaySeconds).toBeCloseTo(1.15, 10);
  });

  it('keys delays by config version and drops overdue ones', () => {
    const limiter = new RateLimiter();
    limiter.onCondition(app, 'Failed', undefined, 0);
    const changed = { ...app, versionInfo: { lastScalingAt: 'x', lastConfigChangeAt: '2025-01-01T00:00:00.000Z' } };
    expect(limiter.get(changed)).toBeUndefined();
    expect(limiter.cleanUpOverdue(300_000)).toEqual([]);
    expect(limiter.cleanUpOverdue(300_001)).toEqual([{ op: 'delete', collection: 'launchDelays', key: '/backoff' }]);
  });

  it('writes every change as a launchDelays entry so a restart keeps it', () => {
    const limiter = new RateLimiter();
    const [write] = limiter.increase(app, 42);
    const restored = new RateLimiter();
    restored.load([(write as { value: import('../../../src/scheduler/core/rate-limiter.js').LaunchDelay }).value]);
    expect(restored.get(app)).toEqual(limiter.get(app));
  });
});

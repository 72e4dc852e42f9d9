/** The one limiter of async work in flight, shared by health probes and ACKNOWLEDGE calls. */
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/scheduler/concurrency-limiter.js';

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

  it('keeps arrival order and its count across thousands of queued tasks', async () => {
    const limiter = new ConcurrencyLimiter(3);
    const started: number[] = [];
    const total = 5_000;
    const runs = Array.from({ length: total }, (_, n) =>
      limiter.run(async () => {
        started.push(n);
        await Promise.resolve();
        return n;
      }),
    );
    expect(limiter.queued).toBe(total - 3);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(started).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(limiter.queued).toBe(0);
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter(1.5)).toThrow('concurrency limit must be a positive integer, got 1.5');
  });
});

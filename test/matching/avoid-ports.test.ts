/** `LaunchRequest.avoidPorts` and `MatchOptions.seed` (issue #14 item 1). */
import { describe, expect, it } from 'vitest';
import { match, type LaunchRequest } from '../../src/matching/index.js';
import { offer } from './fixtures.js';

const request = (extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
  key: '/web@v1',
  count: 1,
  cpus: 0.1,
  mem: 32,
  ports: [{ port: 0 }, { port: 0 }],
  ...extra,
});

function portsPicked(seed: number, extra: Partial<LaunchRequest> = {}, ranges: [number, number][] = [[31000, 31009]]): number[] {
  const result = match({ offers: [offer({ agent: 'a1', ports: ranges })], requests: [request(extra)], options: { now: 0, seed } });
  return result.launches[0]!.tasks[0]!.hostPorts;
}

describe('dynamic host ports in the matcher', () => {
  it('depend on the seed the caller draws', () => {
    const seen = new Set([1, 2, 3, 4, 5, 6].map((seed) => portsPicked(seed).join(',')));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('steer clear of ports to avoid when the offer has others', () => {
    for (let seed = 0; seed < 50; seed++) {
      const plain = portsPicked(seed);
      const avoided = portsPicked(seed, { avoidPorts: plain });
      expect(
        avoided.some((p) => plain.includes(p)),
        `seed ${seed}: ${plain.join(',')} then ${avoided.join(',')}`,
      ).toBe(false);
    }
  });

  it('still launch when only the avoided ports are free', () => {
    expect(portsPicked(3, { avoidPorts: [31000, 31001] }, [[31000, 31001]]).sort()).toEqual([31000, 31001]);
  });

  it('refuse a malformed avoidPorts as an invalid request', () => {
    const result = match({ offers: [offer()], requests: [request({ avoidPorts: ['x' as unknown as number] })], options: { now: 0 } });
    expect(result.invalidRequests[0]?.error.message).toMatch(/avoidPorts/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Condition, Instance } from '../../../src/scheduler/contracts.js';
import { computeRestartStrategy, RestartStrategyError } from '../../../src/scheduler/deployments/restart-strategy.js';
import { proposeScaling } from '../../../src/scheduler/deployments/scaling.js';

describe('computeRestartStrategy', () => {
  const run = (n: number, mhc: number, moc: number, healthy: number, current = healthy, resident = false) =>
    computeRestartStrategy({
      instances: n,
      upgradeStrategy: { minimumHealthCapacity: mhc, maximumOverCapacity: moc },
      resident,
      consideredHealthy: healthy,
      currentInstances: current,
    });

  it('(1, 1): nothing killed at first, room for N new instances beside the old', () => {
    expect(run(3, 1, 1, 3)).toEqual({ minHealthy: 3, maxCapacity: 6, killNow: 0 });
  });

  it('(0.5, 0) with N = 4: kill 2 at once, capacity 4', () => {
    expect(run(4, 0.5, 0, 4)).toEqual({ minHealthy: 2, maxCapacity: 4, killNow: 2 });
  });

  it('(1, 0): one instance of temporary over-capacity, or one below for resident apps', () => {
    expect(run(3, 1, 0, 3)).toEqual({ minHealthy: 3, maxCapacity: 4, killNow: 0 });
    expect(run(3, 1, 0, 3, 3, true)).toEqual({ minHealthy: 3, maxCapacity: 3, killNow: 1 });
  });

  it('kills the surplus when there are more instances than the target', () => {
    expect(run(2, 1, 1, 2, 5).killNow).toBe(3);
  });

  it('rounds like Marathon: ceil for minHealthy, floor for maxCapacity', () => {
    expect(run(3, 0.7, 0.5, 3)).toEqual({ minHealthy: 3, maxCapacity: 4, killNow: 0 });
    expect(run(10, 0.3, 0.15, 10)).toEqual({ minHealthy: 3, maxCapacity: 11, killNow: 7 });
  });

  it('refuses zero instances', () => {
    expect(() => run(0, 1, 1, 0)).toThrow(RestartStrategyError);
  });
});

describe('proposeScaling', () => {
  let seq = 0;
  const inst = (condition: Condition, startedAtSec: number, goal: Instance['goal'] = 'Running'): Instance => ({
    instanceId: `i${++seq}`,
    appId: '/a',
    runSpecVersion: '2024-01-01T00:00:00.000Z',
    goal,
    condition,
    since: startedAtSec * 1000,
    incarnation: 1,
    hostPorts: [],
    ipAddresses: [],
    stagedAt: new Date(startedAtSec * 1000).toISOString(),
    startedAt: condition === 'Running' ? new Date(startedAtSec * 1000).toISOString() : undefined,
  });

  it('kills sentenced first, then by condition, then youngest (or oldest) first', () => {
    const old = inst('Running', 10);
    const young = inst('Running', 50);
    const middle = inst('Running', 30);
    const staging = inst('Staging', 60);
    const unreachable = inst('Unreachable', 5);
    const all = [old, young, middle, staging, unreachable];
    const ids = (xs: Instance[]) => xs.map((i) => i.instanceId);

    expect(ids(proposeScaling(all, [], 1, 'YOUNGEST_FIRST', 0).toDecommission)).toEqual(ids([unreachable, staging, young, middle]));
    expect(ids(proposeScaling(all, [], 2, 'OLDEST_FIRST', 0).toDecommission)).toEqual(ids([unreachable, staging, old]));
    expect(ids(proposeScaling(all, [old.instanceId], 4, 'YOUNGEST_FIRST', 0).toDecommission)).toEqual(ids([old]));
  });

  it('starts what is missing and ignores instances not meant to run', () => {
    const all = [inst('Running', 1), inst('Killing', 2, 'Decommissioned'), inst('UnreachableInactive', 3)];
    expect(proposeScaling(all, [], 3, 'YOUNGEST_FIRST', 0)).toEqual({ toDecommission: [], toStart: 2 });
  });

  it('replaces sentenced instances when the target does not drop', () => {
    const a = inst('Running', 1);
    const b = inst('Running', 2);
    const proposal = proposeScaling([a, b], [a.instanceId], 2, 'YOUNGEST_FIRST', 0);
    expect(proposal.toDecommission.map((i) => i.instanceId)).toEqual([a.instanceId]);
    expect(proposal.toStart).toBe(1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_CONDITIONS } from '../../../src/scheduler/contracts.js';
import { app, HTTP_HEALTH_CHECK } from '../fakes/apps.js';
import { settle } from '../fakes/fake-cluster.js';
import { startHarness, type Harness } from '../fakes/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.stop();
  h = undefined;
});

interface Observation {
  healthy: number;
  alive: number;
}

describe('rolling restart', () => {
  it.each([
    { n: 3, minimumHealthCapacity: 1, maximumOverCapacity: 1, minHealthy: 3, maxCapacity: 6 },
    { n: 4, minimumHealthCapacity: 0.5, maximumOverCapacity: 0, minHealthy: 2, maxCapacity: 4 },
    { n: 3, minimumHealthCapacity: 1, maximumOverCapacity: 0, minHealthy: 3, maxCapacity: 4 },
    { n: 5, minimumHealthCapacity: 0.6, maximumOverCapacity: 0.2, minHealthy: 3, maxCapacity: 6 },
  ])(
    'upgradeStrategy ($minimumHealthCapacity, $maximumOverCapacity) with N=$n keeps >= $minHealthy healthy and <= $maxCapacity alive',
    async ({ n, minimumHealthCapacity, maximumOverCapacity, minHealthy, maxCapacity }) => {
      h = await startHarness();
      const harness = h;
      const spec = app('/svc', {
        instances: n,
        healthChecks: [HTTP_HEALTH_CHECK],
        upgradeStrategy: { minimumHealthCapacity, maximumOverCapacity },
      });
      await harness.finish(await harness.deploy(spec));
      const v1 = harness.service.app('/svc')!;
      const oldIds = new Set(harness.cluster.tracker.ofApp('/svc').map((i) => i.instanceId));
      expect(oldIds.size).toBe(n);

      const plan = await harness.deploy({ ...v1, cmd: 'sleep 2000' });
      expect(plan.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/svc' }] }]);
      const observations: Observation[] = [];
      const check = (): void => {
        const instances = harness.cluster.tracker.ofApp('/svc');
        const healthy = instances.filter(
          (i) => i.goal === 'Running' && i.condition === 'Running' && harness.cluster.health.known(i.instanceId) === true,
        ).length;
        const alive = instances.filter((i) => !TERMINAL_CONDITIONS.has(i.condition)).length;
        observations.push({ healthy, alive });
        expect(healthy).toBeGreaterThanOrEqual(minHealthy);
        expect(alive).toBeLessThanOrEqual(maxCapacity);
      };
      const ticks = await harness.finish(plan, check);
      expect(ticks).toBeGreaterThan(0);
      expect(observations.length).toBeGreaterThan(2);

      const final = harness.cluster.tracker.ofApp('/svc').filter((i) => i.goal === 'Running');
      expect(final).toHaveLength(n);
      expect(final.every((i) => i.runSpecVersion === plan.version && !oldIds.has(i.instanceId))).toBe(true);
      expect(harness.cluster.queue.resets).toContain('/svc');
      // Capacity was actually used: at some point old and new ran side by side (or, at 0 over-
      // capacity, old were killed first).
      expect(Math.max(...observations.map((o) => o.alive))).toBeGreaterThan(minHealthy);
    },
  );

  it('(0.5, 0) with N=4 kills exactly two old instances at once and starts two new ones', async () => {
    h = await startHarness();
    const spec = app('/half', { instances: 4, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } });
    await h.finish(await h.deploy(spec));
    const before = h.cluster.tracker.goalChanges.length;
    const plan = await h.deploy({ ...h.service.app('/half')!, cmd: 'new' });
    await settle();
    const kills = h.cluster.tracker.goalChanges.slice(before).filter((c) => c.goal === 'Decommissioned');
    expect(kills.flatMap((k) => k.ids)).toHaveLength(2);
    h.cluster.tick(); // the two old ones die
    await settle();
    expect(h.cluster.queue.added.at(-1)).toEqual({ appId: '/half', version: plan.version, count: 2 });
    await h.finish(plan);
  });

  it('waits for a failed new instance to be relaunched, then completes', async () => {
    h = await startHarness();
    const harness = h;
    await harness.finish(await harness.deploy(app('/flaky', { instances: 2, healthChecks: [HTTP_HEALTH_CHECK] })));
    const plan = await harness.deploy({ ...harness.service.app('/flaky')!, cmd: 'v2' });
    await settle();
    harness.cluster.tick(); // new instances staging
    await settle();
    const fresh = harness.cluster.tracker.ofApp('/flaky').filter((i) => i.runSpecVersion === plan.version);
    expect(fresh).toHaveLength(2);
    harness.cluster.fail(fresh[0]!.instanceId);
    await harness.finish(plan, () => {
      const healthy = harness.cluster.tracker
        .ofApp('/flaky')
        .filter((i) => i.goal === 'Running' && i.condition === 'Running' && harness.cluster.health.known(i.instanceId) === true);
      expect(healthy.length).toBeGreaterThanOrEqual(2);
    });
    expect(harness.cluster.tracker.get(fresh[0]!.instanceId)).toMatchObject({ condition: 'Running', goal: 'Running' });
  });

  it('a new instance that never gets healthy holds the deployment, with old capacity intact', async () => {
    h = await startHarness();
    await h.finish(await h.deploy(app('/stuck', { instances: 2, healthChecks: [HTTP_HEALTH_CHECK] })));
    const plan = await h.deploy({ ...h.service.app('/stuck')!, cmd: 'broken' });
    h.cluster.blockHealth = (i) => i.runSpecVersion === plan.version;
    await expect(h.finish(plan, undefined, 15)).rejects.toThrow('condition not reached');
    const old = h.cluster.tracker.ofApp('/stuck').filter((i) => i.runSpecVersion !== plan.version);
    expect(old.filter((i) => i.goal === 'Running' && i.condition === 'Running')).toHaveLength(2);
    expect(h.service.deployments()[0]).toMatchObject({
      id: plan.id,
      currentStep: 1,
      currentActions: [{ action: 'RestartApplication', app: '/stuck', readinessCheckResults: [] }],
    });
  });
});

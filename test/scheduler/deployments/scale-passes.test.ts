/**
 * A scaling deployment must not rescan every instance of its app on every instance change:
 * pokes coalesce into at most one pass per event-loop turn, and passes count only what changed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app, HTTP_HEALTH_CHECK } from '../fakes/apps.js';
import { settle } from '../fakes/fake-cluster.js';
import { startHarness, type Harness } from '../fakes/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.stop();
  h = undefined;
});

describe('scale deployment passes', () => {
  it('finishes on incremental counts, reading the whole app only for its first pass', async () => {
    h = await startHarness();
    const harness = h;
    let changes = 0;
    harness.cluster.tracker.onChange(() => changes++);
    const ofApp = vi.spyOn(harness.cluster.tracker, 'ofApp');
    const plan = await harness.deploy(app('/wide', { instances: 60, healthChecks: [HTTP_HEALTH_CHECK] }));
    const readsBefore = ofApp.mock.calls.length;
    await harness.finish(plan);
    const runReads = ofApp.mock.calls.length - readsBefore;

    expect(harness.eventTypes()).toContain('deployment_success');
    const instances = harness.cluster.tracker.ofApp('/wide');
    expect(instances).toHaveLength(60);
    expect(instances.every((i) => i.condition === 'Running' && harness.cluster.health.known(i.instanceId) === true)).toBe(true);
    // 60 instances x (scheduled, staging, running) changes plus 60 health flips ...
    expect(changes).toBeGreaterThanOrEqual(180);
    // ... yet the run read the whole app only to plan (init) and for its first full pass.
    expect(runReads).toBeLessThanOrEqual(2);
  });

  it('does not finish while a counted instance turns unhealthy again before the pass', async () => {
    h = await startHarness({ service: { recheckIntervalMs: 0 } });
    const harness = h;
    const plan = await harness.deploy(app('/flaky', { instances: 3, healthChecks: [HTTP_HEALTH_CHECK] }));
    // Every instance but one becomes healthy; the last one's check keeps failing.
    let blocked: string | undefined;
    harness.cluster.blockHealth = (instance) => {
      blocked ??= instance.instanceId;
      return instance.instanceId === blocked;
    };
    for (let i = 0; i < 6; i++) {
      harness.cluster.tick();
      await settle();
    }
    expect(harness.service.deployments().map((p) => p.id)).toContain(plan.id);
    // One healthy instance flips to unhealthy and the blocked one to healthy: still 2 of 3.
    const healthyOnes = harness.cluster.tracker.ofApp('/flaky').filter((i) => i.instanceId !== blocked);
    harness.cluster.health.set(healthyOnes[0]!.instanceId, false);
    harness.cluster.health.set(blocked!, true);
    await settle();
    expect(harness.service.deployments().map((p) => p.id)).toContain(plan.id);
    // The last one recovers: 3 of 3, and the deployment ends.
    harness.cluster.health.set(healthyOnes[0]!.instanceId, true);
    await settle();
    expect(harness.service.deployments().map((p) => p.id)).not.toContain(plan.id);
  });
});

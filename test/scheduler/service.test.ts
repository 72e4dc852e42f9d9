import { afterEach, describe, expect, it } from 'vitest';
import { putApp, removeApp } from '../../src/model/groups/root-group.js';
import { app } from './fakes/apps.js';
import { settle } from './fakes/fake-cluster.js';
import { startHarness, type Harness } from './fakes/harness.js';
import type { MemoryStore } from './fakes/memory-store.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.stop();
  h = undefined;
});

function running(harness: Harness, appId: string) {
  return harness.cluster.tracker.ofApp(appId).filter((i) => i.goal === 'Running' && i.condition === 'Running');
}

async function scaleTo(harness: Harness, appId: string, instances: number): Promise<void> {
  const current = harness.service.app(appId)!;
  const plan = await harness.deploy({ ...current, instances });
  await harness.finish(plan);
}

describe('PacerServiceImpl: deployments end to end on the fake cluster', () => {
  it('creates an app: persists, starts N instances, emits Marathon events in order', async () => {
    h = await startHarness();
    const plan = await h.deploy(app('/web', { instances: 3 }));
    expect(plan.currentStep).toBe(0);
    expect(plan.steps.map((s) => s.actions[0]!.action)).toEqual(['StartApplication', 'ScaleApplication']);
    // Persisted before it ran: root, app, app version and the plan itself.
    const store = h.store as MemoryStore;
    expect(store.keys('apps')).toEqual(['/web']);
    expect(store.keys('deployments')).toEqual([plan.id]);
    expect(h.service.deployments().map((p) => p.id)).toEqual([plan.id]);

    await h.finish(plan);
    expect(running(h, '/web')).toHaveLength(3);
    expect(running(h, '/web').every((i) => i.runSpecVersion === plan.version)).toBe(true);
    expect(store.keys('deployments')).toEqual([]);
    expect(h.eventTypes()).toEqual([
      'group_change_success',
      'deployment_info',
      'deployment_step_success',
      'deployment_info',
      'deployment_step_success',
      'deployment_success',
    ]);
    const [change, info, , , , success] = h.events;
    expect(change).toMatchObject({ groupId: '/', version: plan.version });
    expect(info).toMatchObject({
      plan: { id: plan.id, version: plan.version, steps: plan.steps },
      currentStep: { actions: [{ action: 'StartApplication', app: '/web' }] },
    });
    expect(success).toMatchObject({ id: plan.id, plan: { id: plan.id } });
    expect(typeof success!.timestamp).toBe('string');
    expect(h.service.appVersions('/web')).toEqual([plan.version]);
    expect(await h.service.appVersion('/web', plan.version)).toMatchObject({ id: '/web', instances: 3 });
  });

  it.each([
    ['YOUNGEST_FIRST', [2, 1]],
    ['OLDEST_FIRST', [0, 1]],
  ] as const)('scales down honouring killSelection %s', async (killSelection, killedOrder) => {
    h = await startHarness();
    await h.finish(await h.deploy(app('/api', { instances: 1, killSelection })));
    await scaleTo(h, '/api', 2);
    await scaleTo(h, '/api', 3);
    const byAge = [...running(h, '/api')].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
    expect(new Set(byAge.map((i) => i.startedAt)).size).toBe(3);

    const plan = await h.deploy({ ...h.service.app('/api')!, instances: 1 });
    expect(plan.steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: '/api' }] }]);
    await settle();
    const decommissioned = h.cluster.tracker.goalChanges.at(-1)!;
    expect(decommissioned.goal).toBe('Decommissioned');
    expect(decommissioned.ids).toEqual(killedOrder.map((i) => byAge[i]!.instanceId));
    await h.finish(plan);
    expect(running(h, '/api').map((i) => i.instanceId)).toEqual([byAge[killedOrder[0] === 2 ? 0 : 2]!.instanceId]);
  });

  it('stops a removed app: decommissions everything, purges the queue, app_terminated_event, versions dropped but for those a kept root refers to', async () => {
    h = await startHarness();
    const created = await h.deploy(app('/gone', { instances: 2 }));
    await h.finish(created);
    const plan = await h.change((root) => removeApp(root, '/gone'));
    expect(plan.steps).toEqual([{ actions: [{ action: 'StopApplication', app: '/gone' }] }]);
    await h.finish(plan);
    expect(h.cluster.tracker.ofApp('/gone')).toEqual([]);
    expect(h.cluster.queue.purges).toContain('/gone');
    expect(h.cluster.queue.resets).toContain('/gone');
    const terminated = h.events.filter((e) => e.eventType === 'app_terminated_event');
    expect(terminated).toEqual([{ eventType: 'app_terminated_event', timestamp: expect.any(String), appId: '/gone' }]);
    expect(h.events.indexOf(terminated[0]!)).toBeLessThan(h.eventTypes().lastIndexOf('deployment_success'));
    await settle();
    // The root version that had /gone is kept (group history), so its version stays for a revert.
    expect((h.store as MemoryStore).keys('appVersions')).toEqual([`/gone#${created.version}`]);
    expect(h.service.app('/gone')).toBeUndefined();
  });

  it('kill with scale lowers instances and kills exactly the named instance', async () => {
    h = await startHarness();
    await h.finish(await h.deploy(app('/k', { instances: 3 })));
    const victim = running(h, '/k')[1]!;
    const plan = await h.service.killInstances([victim.instanceId], { scale: true, wipe: false, force: false });
    expect(plan?.steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: '/k' }] }]);
    expect(h.service.app('/k')?.instances).toBe(2);
    await h.finish(plan!);
    // Like Marathon, the scale step is done once the killed task is terminal (expunge follows).
    expect(h.cluster.tracker.get(victim.instanceId)).toMatchObject({ goal: 'Decommissioned', condition: 'Killed' });
    expect(running(h, '/k')).toHaveLength(2);
    expect(running(h, '/k').map((i) => i.instanceId)).not.toContain(victim.instanceId);
  });

  it('kill without scale kills tasks and keeps the goal; wipe decommissions and replaces', async () => {
    h = await startHarness();
    await h.finish(await h.deploy(app('/w', { instances: 2 })));
    const [first, second] = running(h, '/w');
    expect(await h.service.killInstances([first!.instanceId], { scale: false, wipe: false, force: false })).toBeUndefined();
    expect(h.killedTasks).toEqual([[first!.instanceId]]);
    expect(h.cluster.tracker.get(first!.instanceId)?.goal).toBe('Running');

    await h.service.killInstances([second!.instanceId], { scale: false, wipe: true, force: false });
    expect(h.cluster.tracker.get(second!.instanceId)?.goal).toBe('Decommissioned');
    expect(h.cluster.tracker.ofApp('/w').filter((i) => i.goal === 'Running')).toHaveLength(2);
    await expect(h.service.killInstances([first!.instanceId], { scale: true, wipe: true, force: false })).rejects.toMatchObject({
      status: 400,
      message: 'You cannot use scale and wipe at the same time.',
    });
  });

  it('dry run returns the plan without persisting or starting anything', async () => {
    h = await startHarness();
    const store = h.store as MemoryStore;
    const before = store.batches;
    const plan = await h.service.updateRoot((root) => root, { force: false, dryRun: true });
    const dry = await h.service.updateRoot((root) => removeApp(root, '/x'), { force: false, dryRun: true });
    expect(plan.steps).toEqual([]);
    expect(dry.steps).toEqual([]);
    const created = await h.service.updateRoot((root) => putApp(root, app('/d')), { force: false, dryRun: true });
    expect(created.steps.map((s) => s.actions[0]!.action)).toEqual(['StartApplication', 'ScaleApplication']);
    expect(store.batches).toBe(before);
    expect(h.service.deployments()).toEqual([]);
    expect(h.eventTypes()).toEqual([]);
  });

  it('restartApp on a missing app is a 404; restart deploys a RestartApplication with a new version', async () => {
    h = await startHarness();
    await expect(h.service.restartApp('/nope', { force: false })).rejects.toMatchObject({ status: 404, message: "App '/nope' does not exist" });
    const created = await h.deploy(app('/r', { instances: 2 }));
    await h.finish(created);
    const plan = await h.service.restartApp('/r', { force: false });
    expect(plan.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/r' }] }]);
    expect(h.service.app('/r')?.versionInfo).toEqual({ lastScalingAt: created.version, lastConfigChangeAt: plan.version });
    await h.finish(plan);
    expect(running(h, '/r').map((i) => i.runSpecVersion)).toEqual([plan.version, plan.version]);
    expect(h.events.find((e) => e.eventType === 'group_change_success' && e.version === plan.version)).toMatchObject({ groupId: '/' });
  });

  it('keeps at most maxVersions versions per app and of the root', async () => {
    h = await startHarness({ service: { maxVersions: 3 } });
    await h.finish(await h.deploy(app('/v', { instances: 1 })));
    const versions: string[] = [];
    for (const instances of [2, 3, 4, 5]) {
      const plan = await h.deploy({ ...h.service.app('/v')!, instances });
      versions.push(plan.version);
      await h.finish(plan);
    }
    expect(h.service.appVersions('/v')).toEqual(versions.slice(-3).reverse());
    const store = h.store as MemoryStore;
    expect(store.keys('appVersions')).toEqual(versions.slice(-3).map((v) => `/v#${v}`));
    expect(store.keys('groupVersions')).toEqual(versions.slice(-3));
    expect(await h.service.appVersion('/v', versions[0]!)).toBeUndefined();
    expect(await h.service.appVersion('/v', versions[3]!)).toMatchObject({ instances: 5 });
    expect(h.service.appVersions('/unknown')).toEqual([]);
    expect(h.service.resetDelay('/v')).toBe(false);
  });
});

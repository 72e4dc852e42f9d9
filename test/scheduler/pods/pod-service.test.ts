/**
 * Pods through the orchestrator's service: stored in the root group with their versions,
 * deployed by StartPod/ScalePod/RestartPod/StopPod plans (the deployment actions run on the
 * simulated cluster), reloaded after a restart, and killed as instances.
 */
import { describe, expect, it } from 'vitest';
import { ServiceError, type Instance } from '../../../src/scheduler/contracts.js';
import { renderDeployment } from '../../../src/scheduler/deployments/plan.js';
import type { PacerServiceImpl } from '../../../src/scheduler/service.js';
import { FakeCluster, settle } from '../fakes/fake-cluster.js';
import { startHarness } from '../fakes/harness.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { podOf, WEB_AND_SIDECAR } from './fixtures.js';

async function harness(store = new MemoryStore(), cluster?: FakeCluster) {
  let service: PacerServiceImpl | undefined;
  const c = cluster ?? new FakeCluster({ appOf: (id) => service?.runSpec(id) });
  const h = await startHarness({ store, cluster: c });
  service = h.service;
  return h;
}

const running = (instances: readonly Instance[]) => instances.filter((i) => i.goal === 'Running' && i.condition === 'Running');

describe('pods in the service', () => {
  it('creates a pod: stored in its group with a version, deployed by StartPod then ScalePod', async () => {
    const h = await harness();
    const pod = podOf(WEB_AND_SIDECAR);
    const plan = await h.service.createPod({ ...pod, version: undefined }, { force: false });
    expect(plan.affectedApps).toEqual([]);
    expect(plan.affectedPods).toEqual(['/web/pod']);
    expect(renderDeployment(plan).steps).toEqual([
      { actions: [{ action: 'StartPod', pod: '/web/pod' }] },
      { actions: [{ action: 'ScalePod', pod: '/web/pod' }] },
    ]);
    expect(h.service.pod('/web/pod')!.version).toBe(plan.version);
    expect(h.service.root().root.groups.find((g) => g.id === '/web')!.pods).toEqual(['/web/pod']);
    expect(h.service.deploymentsOfPod('/web/pod').map((p) => p.id)).toEqual([plan.id]);
    await h.finish(plan);
    expect(running(h.service.podInstances('/web/pod'))).toHaveLength(2);
    expect(h.service.podVersions('/web/pod')).toEqual([plan.version]);
    await expect(h.service.createPod(pod, { force: false })).rejects.toMatchObject({ status: 409 });
    expect(h.eventTypes()).toContain('deployment_success');
  });

  it('scales, upgrades with a rolling restart, keeps versions across a restart, and deletes', async () => {
    const store = new MemoryStore();
    const h = await harness(store);
    const pod = podOf(WEB_AND_SIDECAR);
    await h.finish(await h.service.createPod(pod, { force: false }));

    const scale = await h.service.updatePod({ ...pod, scaling: { kind: 'fixed', instances: 3 } }, { force: false });
    expect(scale.steps).toEqual([{ actions: [{ action: 'ScalePod', app: '/web/pod' }] }]);
    await h.finish(scale);
    expect(running(h.service.podInstances('/web/pod'))).toHaveLength(3);

    const scaled = h.service.pod('/web/pod')!;
    const changed = { ...scaled, containers: scaled.containers.map((c) => (c.name === 'sidecar' ? { ...c, environment: { V: '2' } } : c)) };
    const upgrade = await h.service.updatePod(changed, { force: false });
    expect(upgrade.steps).toEqual([{ actions: [{ action: 'RestartPod', app: '/web/pod' }] }]);
    // minimumHealthCapacity 1 (the default): never fewer than 3 running while replacing them.
    await h.finish(upgrade, () => expect(running(h.service.podInstances('/web/pod')).length).toBeGreaterThanOrEqual(3));
    const after = h.service.podInstances('/web/pod').filter((i) => i.goal === 'Running');
    expect(after.every((i) => i.runSpecVersion === upgrade.version)).toBe(true);
    expect(after).toHaveLength(3);
    expect(h.service.podVersions('/web/pod')).toHaveLength(3);
    expect((await h.service.podVersion('/web/pod', h.service.podVersions('/web/pod')[2]!))!.scaling.instances).toBe(2);

    // A second service on the same store sees the pod and its versions.
    await h.service.stop();
    const again = await harness(store, h.cluster);
    expect(again.service.pod('/web/pod')).toEqual(h.service.pod('/web/pod'));
    expect(again.service.podVersions('/web/pod')).toEqual(h.service.podVersions('/web/pod'));
    expect(again.service.pods().map((p) => p.id)).toEqual(['/web/pod']);

    const removal = await again.service.deletePod('/web/pod', { force: false });
    expect(renderDeployment(removal).steps).toEqual([{ actions: [{ action: 'StopPod', pod: '/web/pod' }] }]);
    await again.finish(removal);
    expect(again.service.podInstances('/web/pod')).toEqual([]);
    expect(again.service.pod('/web/pod')).toBeUndefined();
    expect(again.service.root().root.groups.find((g) => g.id === '/web')!.pods).toEqual([]);
    await expect(again.service.deletePod('/web/pod', { force: false })).rejects.toBeInstanceOf(ServiceError);
    expect(await store.list('pods')).toEqual([]);
    await again.service.stop();
  });

  it('locks a pod held by a running deployment unless forced', async () => {
    const h = await harness();
    const pod = podOf(WEB_AND_SIDECAR);
    const first = await h.service.createPod(pod, { force: false });
    await expect(h.service.updatePod({ ...pod, scaling: { kind: 'fixed', instances: 1 } }, { force: false })).rejects.toMatchObject({
      status: 409,
      extra: { deployments: [{ id: first.id }] },
    });
    const forced = await h.service.updatePod({ ...pod, scaling: { kind: 'fixed', instances: 1 } }, { force: true });
    await h.finish(forced);
    expect(running(h.service.podInstances('/web/pod'))).toHaveLength(1);
  });

  it('kills pod instances: without wipe they are relaunched in place, with wipe replaced by new ones', async () => {
    const h = await harness();
    await h.finish(await h.service.createPod(podOf(WEB_AND_SIDECAR), { force: false }));
    const [a, b] = h.service.podInstances('/web/pod');
    expect(await h.service.killPodInstances('/web/pod', [a!.instanceId], { wipe: false })).toEqual([a]);
    expect(h.killedTasks).toEqual([[a!.instanceId]]);

    await h.service.killPodInstances('/web/pod', [b!.instanceId], { wipe: true });
    await settle();
    const ids = h.service
      .podInstances('/web/pod')
      .filter((i) => i.goal === 'Running')
      .map((i) => i.instanceId);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(b!.instanceId);
    await expect(h.service.killPodInstances('/nope', [], { wipe: false })).rejects.toMatchObject({ status: 404 });
  });
});

describe('pod ids in the root group', () => {
  it('refuses a pod with the id of an app, as Marathon’s group validation does', async () => {
    const h = await harness();
    const { app } = await import('../fakes/apps.js');
    await h.finish(await h.deploy(app('/web/pod')));
    await expect(h.service.createPod(podOf(WEB_AND_SIDECAR), { force: false })).rejects.toMatchObject({
      status: 422,
      extra: {
        details: [
          { path: '/', errors: ['Applications and Pods may not share the same id'] },
          { path: '/groups(0)', errors: ['Applications and Pods may not share the same id'] },
        ],
      },
    });
    expect(h.service.pod('/web/pod')).toBeUndefined();
  });
});

describe('cancelling a pod deployment', () => {
  it('without force reverts the pod to its definition before the deployment', async () => {
    const h = await harness();
    const pod = podOf(WEB_AND_SIDECAR);
    await h.finish(await h.service.createPod(pod, { force: false }));
    const before = h.service.pod('/web/pod')!;
    h.cluster.blockHealth = () => true;
    const upgrade = await h.service.updatePod({ ...before, labels: { v: '2' } }, { force: false });
    const revert = await h.service.cancelDeployment(upgrade.id, { force: false });
    expect(revert!.affectedPods).toEqual(['/web/pod']);
    expect(h.service.pod('/web/pod')!.labels).toEqual(before.labels);
    await h.finish(revert!);
    expect(h.service.deployments()).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/scheduler/contracts.js';
import { app, HTTP_HEALTH_CHECK } from './fakes/apps.js';
import { settle } from './fakes/fake-cluster.js';
import { startHarness, type Harness } from './fakes/harness.js';
import type { MemoryStore } from './fakes/memory-store.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.stop();
  h = undefined;
});

const LOCKED = "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.";

/** An app whose next version never gets healthy, so its deployment stays running. */
async function stuckDeployment(harness: Harness, appId: string) {
  await harness.finish(await harness.deploy(app(appId, { instances: 2, healthChecks: [HTTP_HEALTH_CHECK] })));
  const v1 = harness.service.app(appId)!;
  const plan = await harness.deploy({ ...v1, cmd: 'never healthy' });
  const blocked = harness.cluster.blockHealth;
  harness.cluster.blockHealth = (i) => blocked(i) || (i.appId === appId && i.runSpecVersion === plan.version);
  for (let i = 0; i < 4; i++) {
    harness.cluster.tick();
    await settle();
  }
  expect(harness.service.deployments().map((p) => p.id)).toContain(plan.id);
  return { v1, plan };
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('deployment locks', () => {
  it('refuses a change to a locked app with 409 and the blocking deployment ids, committing nothing', async () => {
    h = await startHarness();
    const { plan } = await stuckDeployment(h, '/locked');
    const rootBefore = h.service.root();
    const err = await rejection(h.deploy({ ...h.service.app('/locked')!, instances: 5 }));
    expect(err.status).toBe(409);
    expect(err.message).toBe(LOCKED);
    expect(err.extra).toEqual({ deployments: [{ id: plan.id }] });
    expect(h.service.root()).toBe(rootBefore);
    expect(h.events.at(-1)).toMatchObject({ eventType: 'group_change_failed', groupId: '/', reason: LOCKED });
    // Other apps are not locked.
    const other = await h.deploy(app('/free'));
    await h.finish(other);
  });

  it('force cancels the conflicting deployment (deployment_failed) and runs the new one', async () => {
    h = await startHarness();
    const { v1, plan } = await stuckDeployment(h, '/forced');
    const forced = await h.deploy({ ...v1, cmd: 'fixed' }, { force: true });
    expect(h.service.deployments().map((p) => p.id)).toEqual([forced.id]);
    expect((h.store as MemoryStore).keys('deployments')).toEqual([forced.id]);
    const failed = h.events.find((e) => e.eventType === 'deployment_failed');
    expect(failed).toMatchObject({ id: plan.id, plan: { id: plan.id }, reason: 'The upgrade has been cancelled' });
    await h.finish(forced);
    const running = h.cluster.tracker.ofApp('/forced').filter((i) => i.goal === 'Running');
    expect(running).toHaveLength(2);
    expect(running.every((i) => i.runSpecVersion === forced.version)).toBe(true);
  });

  it('DELETE without force reverts: the app goes back to its previous definition through a new deployment', async () => {
    h = await startHarness();
    const { v1, plan } = await stuckDeployment(h, '/rev');
    const revert = await h.service.cancelDeployment(plan.id, { force: false });
    expect(revert).toBeDefined();
    expect(revert!.id).not.toBe(plan.id);
    expect(revert!.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/rev' }] }]);
    const reverted = h.service.app('/rev')!;
    expect(reverted.cmd).toBe(v1.cmd);
    expect(reverted.version).toBe(revert!.version);
    expect(h.events.find((e) => e.eventType === 'deployment_failed')).toMatchObject({ id: plan.id });
    await h.finish(revert!);
    const running = h.cluster.tracker.ofApp('/rev').filter((i) => i.goal === 'Running');
    expect(running.every((i) => i.runSpecVersion === revert!.version)).toBe(true);
  });

  it('DELETE with force only stops the deployment; unknown ids are 404', async () => {
    h = await startHarness();
    const { plan } = await stuckDeployment(h, '/halt');
    const appBefore = h.service.app('/halt');
    expect(await h.service.cancelDeployment(plan.id, { force: true })).toBeUndefined();
    expect(h.service.deployments()).toEqual([]);
    expect((h.store as MemoryStore).keys('deployments')).toEqual([]);
    expect(h.service.app('/halt')).toBe(appBefore);
    const err = await rejection(h.service.cancelDeployment(plan.id, { force: false }));
    expect(err.status).toBe(404);
    expect(err.message).toBe(`DeploymentPlan ${plan.id} does not exist`);
  });

  it('answers 403 once --max_running_deployments are running, force or not', async () => {
    h = await startHarness({ service: { maxRunningDeployments: 1 } });
    await stuckDeployment(h, '/one');
    for (const force of [false, true]) {
      const err = await rejection(h.deploy(app('/two'), { force }));
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/^Max number \(1\) of running deployments is achieved\./);
    }
    expect(h.service.app('/two')).toBeUndefined();
    // A dry run is not a deployment.
    const dry = await h.service.updateRoot((r) => r, { force: false, dryRun: true });
    expect(dry.steps).toEqual([]);
  });

  it('a failed store write commits nothing and starts nothing', async () => {
    h = await startHarness();
    (h.store as MemoryStore).failNext = new Error('disk full');
    await expect(h.deploy(app('/nope'))).rejects.toThrow('disk full');
    expect(h.service.app('/nope')).toBeUndefined();
    expect(h.service.deployments()).toEqual([]);
    expect(h.cluster.queue.added).toEqual([]);
    expect(h.events.map((e) => e.eventType)).toEqual(['group_change_failed']);
  });

  it('validation failures are 422 with details and publish group_change_failed', async () => {
    h = await startHarness();
    const err = await rejection(
      h.change((root) => {
        const a = { ...app('/cyc/a'), dependencies: ['/cyc/b'] };
        const b = { ...app('/cyc/b'), dependencies: ['/cyc/a'] };
        return {
          ...root,
          apps: new Map([
            ['/cyc/a', a],
            ['/cyc/b', b],
          ]),
          root: { ...root.root, groups: [{ id: '/cyc', apps: ['/cyc/a', '/cyc/b'], groups: [], dependencies: [], version: root.version }] },
        };
      }),
    );
    expect(err.status).toBe(422);
    expect(err.extra).toEqual({ details: [{ path: '/', errors: ['Dependency graph has cyclic dependencies.'] }] });
    expect(h.events.at(-1)?.eventType).toBe('group_change_failed');
  });
});

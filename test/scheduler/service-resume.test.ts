import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PacerServiceImpl } from '../../src/scheduler/service.js';
import { openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';
import { app, HTTP_HEALTH_CHECK } from './fakes/apps.js';
import { FakeCluster, settle } from './fakes/fake-cluster.js';
import { startHarness, type Harness } from './fakes/harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(dir: string): Promise<SqliteStore> {
  const store = await openSqliteStore({ dataDir: dir, logger: pino({ level: 'silent' }) });
  return store;
}

/**
 * Runs a first Pacer until its restart deployment is stuck, then stops it and closes the store,
 * as a crash would leave things (instances live on in the core, which persists them itself).
 */
async function crashMidDeployment() {
  const dir = mkdtempSync(join(tmpdir(), 'pacer-resume-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let current: PacerServiceImpl | undefined;
  const cluster = new FakeCluster({ appOf: (id) => current?.app(id) });

  const store1 = await openStore(dir);
  const first: Harness = await startHarness({ store: store1, cluster });
  current = first.service;
  await first.finish(await first.deploy(app('/db', { instances: 3, healthChecks: [HTTP_HEALTH_CHECK] })));
  const v1 = first.service.app('/db')!;
  const plan = await first.deploy({ ...v1, cmd: 'v2' });
  cluster.blockHealth = (i) => i.runSpecVersion === plan.version;
  for (let i = 0; i < 5; i++) {
    cluster.tick();
    await settle();
  }
  expect(first.service.deployments().map((p) => p.id)).toEqual([plan.id]);
  await first.service.stop();
  await store1.close();

  const store2 = await openStore(dir);
  cleanups.push(() => store2.close());
  const second = await startHarness({ store: store2, cluster });
  current = second.service;
  cleanups.push(() => second.service.stop());
  return { cluster, plan, v1, second, store2 };
}

describe('resuming deployments after a restart (SQLite store)', () => {
  it('loads the root and versions and finishes the persisted plan', async () => {
    const { cluster, plan, second, store2 } = await crashMidDeployment();
    expect(second.service.app('/db')).toMatchObject({ cmd: 'v2', version: plan.version });
    expect(second.service.appVersions('/db')).toHaveLength(2);
    expect(second.service.appVersions('/db')[0]).toBe(plan.version);
    const resumed = second.service.deployments();
    expect(resumed.map((p) => ({ id: p.id, steps: p.steps, affectedApps: p.affectedApps }))).toEqual([
      { id: plan.id, steps: plan.steps, affectedApps: ['/db'] },
    ]);
    await settle();
    expect(second.service.deployments()[0]!.currentStep).toBe(1);

    cluster.blockHealth = () => false;
    await second.finish(plan, () => {
      const healthy = cluster.tracker
        .ofApp('/db')
        .filter((i) => i.goal === 'Running' && i.condition === 'Running' && cluster.health.known(i.instanceId) === true);
      expect(healthy.length).toBeGreaterThanOrEqual(3);
    });
    const running = cluster.tracker.ofApp('/db').filter((i) => i.goal === 'Running');
    expect(running).toHaveLength(3);
    expect(running.every((i) => i.runSpecVersion === plan.version)).toBe(true);
    expect(await store2.list('deployments')).toEqual([]);
    expect(second.events.map((e) => e.eventType)).toContain('deployment_success');
  });

  it('can revert a resumed plan: the original root comes back from the stored root versions', async () => {
    const { plan, v1, second } = await crashMidDeployment();
    const revert = await second.service.cancelDeployment(plan.id, { force: false });
    expect(revert?.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/db' }] }]);
    expect(second.service.app('/db')?.cmd).toBe(v1.cmd);
    await second.finish(revert!);
    expect(second.service.deployments()).toEqual([]);
  });
});

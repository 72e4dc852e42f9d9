/**
 * Groups end to end: a real `pacer --master local` child with 200 simulated agents (tasks walk
 * STARTING -> RUNNING without processes), driven over HTTP.
 *
 * The large case posts the conformance group /work/shared/conformance/marathon/groups/155_100.json
 * (read at test time): 100 apps under /cudcos, each 0.1 cpus, 10 MB, one host port, a DOCKER
 * container (simulated agents accept containers: they run nothing) and two CLUSTER constraints on
 * agent attributes `platform:foo` and `rack:bax-bar`, which every agent here carries. All 100
 * apps in that file have `instances: 0`, so "deployed" means: posted as is, every app present
 * with its definition and zero tasks; then the same group PUT back with 3 instances per app,
 * and all 300 tasks running.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteJson, getJson, httpJson, postJson, putJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { EventRecorder } from './event-recorder.js';

const CONFORMANCE_GROUP = '/work/shared/conformance/marathon/groups/155_100.json';
const TEST_MS = 45_000;

interface AppJson {
  id: string;
  instances: number;
  cmd?: string;
  constraints?: string[][];
  container?: { type: string; docker?: { image: string } };
  dependencies?: string[];
  tasksRunning?: number;
  tasksStaged?: number;
}
interface GroupJson {
  id: string;
  apps: AppJson[];
  groups: GroupJson[];
  pods: unknown[];
  dependencies: string[];
  version: string;
}
interface DeploymentResult {
  deploymentId: string;
  version: string;
}
interface StepJson {
  actions: Array<{ action: string; app: string }>;
}

let pacer: PacerProcess;

beforeAll(async () => {
  pacer = await startPacerProcess({
    name: 'groups-e2e',
    agents: 0,
    simulatedAgents: 200,
    extraArgs: ['--agent_attributes', 'platform:foo;rack:bax-bar'],
  });
});

afterAll(async () => {
  await pacer?.stop();
});

async function waitDeploymentDone(deploymentId: string, timeoutMs = 25_000): Promise<void> {
  await waitFor(
    async () => {
      const res = await getJson<Array<{ id: string }>>(`${pacer.url}/v2/deployments`);
      expect(res.status).toBe(200);
      return !res.body.some((d) => d.id === deploymentId);
    },
    { timeoutMs, intervalMs: 200, what: `deployment ${deploymentId} to finish` },
  );
}

async function getGroup(id: string): Promise<GroupJson> {
  const res = await getJson<GroupJson>(`${pacer.url}/v2/groups${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function getApp(id: string): Promise<AppJson> {
  const res = await getJson<{ app: AppJson }>(`${pacer.url}/v2/apps${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.app;
}

/** Index of the first plan step that has `action` for `app`. */
const stepOf = (steps: StepJson[], action: string, app: string): number => steps.findIndex((s) => s.actions.some((a) => a.action === action && a.app === app));

function sleeper(id: string, instances: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, cmd: 'sleep 600', cpus: 0.1, mem: 16, instances, ...extra };
}

const SHOP = {
  id: '/shop',
  groups: [
    { id: '/shop/db', apps: [sleeper('/shop/db/pg', 1)] },
    { id: '/shop/web', dependencies: ['/shop/db'], apps: [sleeper('/shop/web/front', 2, { dependencies: ['/shop/db/pg'] })] },
  ],
};

describe('groups', () => {
  it('group tree, dependencies in deployment order, apps posted under a group, scaleBy, dryRun and delete', { timeout: TEST_MS }, async () => {
    const root = await getGroup('/');
    expect(root).toMatchObject({ id: '/', apps: [], pods: [], dependencies: [] });
    expect(root.groups.map((g) => g.id)).not.toContain('/shop');

    // A dry run of the creation plans it and changes nothing.
    const dry = await httpJson<{ steps: StepJson[] }>('PUT', `${pacer.url}/v2/groups/shop?dryRun=true`, SHOP);
    expect(dry.status, dry.text).toBe(200);
    expect(Object.keys(dry.body)).toEqual(['steps']);
    expect(stepOf(dry.body.steps, 'ScaleApplication', '/shop/db/pg')).toBeGreaterThanOrEqual(0);
    expect(stepOf(dry.body.steps, 'ScaleApplication', '/shop/db/pg')).toBeLessThan(stepOf(dry.body.steps, 'ScaleApplication', '/shop/web/front'));
    expect((await getJson(`${pacer.url}/v2/groups/shop`)).status).toBe(404);

    const events = await EventRecorder.open(pacer.url, '?event_type=deployment_success&event_type=status_update_event');
    try {
      const created = await postJson<DeploymentResult>(`${pacer.url}/v2/groups`, SHOP);
      expect(created.status, created.text).toBe(201);
      expect(String(created.headers.location)).toMatch(/\/shop$/);
      expect(created.headers['marathon-deployment-id']).toBe(created.body.deploymentId);
      const done = await events.waitFor('deployment_success', (d) => d.id === created.body.deploymentId, 25_000);
      const steps = (done.data.plan as { steps: StepJson[] }).steps;
      // The dependency is scaled up in an earlier step than its dependent, and ran first.
      expect(stepOf(steps, 'ScaleApplication', '/shop/db/pg')).toBeLessThan(stepOf(steps, 'ScaleApplication', '/shop/web/front'));
      const firstRunning = (appId: string): number =>
        Math.min(
          ...events.of('status_update_event', (d) => d.appId === appId && d.taskStatus === 'TASK_RUNNING').map((e) => Date.parse(String(e.data.timestamp))),
        );
      const firstStarted = (appId: string): number =>
        Math.min(...events.of('status_update_event', (d) => d.appId === appId).map((e) => Date.parse(String(e.data.timestamp))));
      expect(firstRunning('/shop/db/pg')).toBeLessThanOrEqual(firstStarted('/shop/web/front'));
    } finally {
      events.close();
    }

    const again = await postJson<{ message: string }>(`${pacer.url}/v2/groups`, SHOP);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Group /shop is already created. Use PUT to change this group.');

    // The tree as a client sees it.
    const shop = await getGroup('/shop');
    expect(shop.groups.map((g) => g.id).sort()).toEqual(['/shop/db', '/shop/web']);
    const web = await getGroup('/shop/web');
    expect(web.dependencies).toEqual(['/shop/db']);
    expect(web.apps.map((a) => a.id)).toEqual(['/shop/web/front']);
    expect((await getGroup('/')).groups.map((g) => g.id)).toContain('/shop');
    const missing = await getJson<{ message: string }>(`${pacer.url}/v2/groups/shop/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe("Group '/shop/nope' does not exist");

    // An app posted with an id under the group appears in it.
    const extra = await postJson(`${pacer.url}/v2/apps`, sleeper('/shop/web/extra', 1));
    expect(extra.status, extra.text).toBe(201);
    await waitDeploymentDone(String(extra.headers['marathon-deployment-id']));
    expect((await getGroup('/shop/web')).apps.map((a) => a.id).sort()).toEqual(['/shop/web/extra', '/shop/web/front']);

    // scaleBy: a dry run shows the plan and changes nothing; the real one multiplies every app.
    const dryScale = await httpJson<{ steps: StepJson[] }>('PUT', `${pacer.url}/v2/groups/shop?dryRun=true`, { scaleBy: 2 });
    expect(dryScale.status, dryScale.text).toBe(200);
    const dryApps = dryScale.body.steps.flatMap((s) => s.actions.map((a) => `${a.action} ${a.app}`)).sort();
    expect(dryApps).toEqual(['ScaleApplication /shop/db/pg', 'ScaleApplication /shop/web/extra', 'ScaleApplication /shop/web/front']);
    expect((await getApp('/shop/web/front')).instances).toBe(2);

    const scaled = await putJson<DeploymentResult>(`${pacer.url}/v2/groups/shop`, { scaleBy: 1.5 });
    expect(scaled.status, scaled.text).toBe(200);
    await waitDeploymentDone(scaled.body.deploymentId);
    // ceil(instances × scaleBy): 1 -> 2, 2 -> 3, 1 -> 2.
    const expected: Record<string, number> = { '/shop/db/pg': 2, '/shop/web/front': 3, '/shop/web/extra': 2 };
    for (const [id, instances] of Object.entries(expected)) {
      const app = await waitFor(
        async () => {
          const a = await getApp(id);
          return a.tasksRunning === instances ? a : undefined;
        },
        { timeoutMs: 15_000, what: `${id} to run ${instances} tasks` },
      );
      expect(app.instances).toBe(instances);
    }

    // Deleting the group removes the whole subtree and its tasks.
    const removed = await deleteJson<DeploymentResult>(`${pacer.url}/v2/groups/shop`);
    expect(removed.status, removed.text).toBe(200);
    await waitDeploymentDone(removed.body.deploymentId);
    expect((await getJson(`${pacer.url}/v2/groups/shop`)).status).toBe(404);
    for (const id of Object.keys(expected)) expect((await getJson(`${pacer.url}/v2/apps${id}`)).status).toBe(404);
    const tasks = await getJson<{ tasks: Array<{ appId: string }> }>(`${pacer.url}/v2/tasks`);
    expect(tasks.body.tasks.filter((t) => t.appId.startsWith('/shop/'))).toEqual([]);
  });

  it('deploys the 100-app conformance group 155_100 and runs every app at its instance count', { timeout: TEST_MS }, async () => {
    const group = JSON.parse(readFileSync(CONFORMANCE_GROUP, 'utf8')) as { id: string; apps: AppJson[] };
    expect(group.apps).toHaveLength(100);
    const ids = group.apps.map((a) => a.id).sort();

    // As posted: every app is accepted with its definition; the file asks for zero instances.
    const created = await postJson<DeploymentResult>(`${pacer.url}/v2/groups`, group);
    expect(created.status, created.text).toBe(201);
    await waitDeploymentDone(created.body.deploymentId);
    const posted = await getGroup(group.id);
    expect(posted.apps.map((a) => a.id).sort()).toEqual(ids);
    const source = new Map(group.apps.map((a) => [a.id, a]));
    for (const app of posted.apps) {
      const original = source.get(app.id)!;
      expect(app.instances).toBe(original.instances);
      expect(app.constraints).toEqual(original.constraints);
      expect(app.container?.type).toBe('DOCKER');
      expect(app.container?.docker?.image).toBe(original.container?.docker?.image);
    }

    // Three instances of every app: 300 tasks on the simulated agents.
    const perApp = 3;
    const scaledUp = { ...group, apps: group.apps.map((a) => ({ ...a, instances: perApp })) };
    const updated = await putJson<DeploymentResult>(`${pacer.url}/v2/groups${group.id}`, scaledUp);
    expect(updated.status, updated.text).toBe(200);
    await waitDeploymentDone(updated.body.deploymentId, 35_000);

    const listed = await getJson<{ apps: AppJson[] }>(`${pacer.url}/v2/apps?id=${encodeURIComponent(group.id)}/`);
    expect(listed.status).toBe(200);
    const mine = listed.body.apps.filter((a) => a.id.startsWith(`${group.id}/`));
    expect(mine.map((a) => a.id).sort()).toEqual(ids);
    for (const app of mine) {
      expect(app.instances, app.id).toBe(perApp);
      expect(app.tasksRunning, app.id).toBe(perApp);
    }
    const tasks = await getJson<{ tasks: Array<{ appId: string; state: string }> }>(`${pacer.url}/v2/tasks`);
    const groupTasks = tasks.body.tasks.filter((t) => t.appId.startsWith(`${group.id}/`));
    expect(groupTasks).toHaveLength(100 * perApp);
    expect(groupTasks.every((t) => t.state === 'TASK_RUNNING')).toBe(true);
  });
});

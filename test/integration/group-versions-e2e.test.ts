/**
 * Group version history end to end: a real `pacer --master local` child with simulated agents
 * (tasks walk STARTING -> RUNNING without processes) on its embedded SQLite store, driven over
 * HTTP. A group is changed twice, reverted to its first version (the revert is a deployment that
 * ends with the old tree running), and the version list survives a restart on the same data dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, postJson, putJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

const TEST_MS = 60_000;

interface AppJson {
  id: string;
  instances: number;
  cmd: string;
  version: string;
  tasksRunning: number;
}
interface GroupJson {
  id: string;
  apps: AppJson[];
  version: string;
}
interface TaskJson {
  appId: string;
  version: string;
  state: string;
}

const started: PacerProcess[] = [];
/** Outlives each process (the helper deletes its own data dir on stop); a later `--data_dir` wins. */
let dataDir: string | undefined;

afterAll(async () => {
  for (const p of started) await p.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<PacerProcess> {
  dataDir ??= await mkdtemp(path.join(os.tmpdir(), 'pacer-group-versions-'));
  const p = await startPacerProcess({ name: 'group-versions-e2e', agents: 0, simulatedAgents: 5, extraArgs: ['--data_dir', dataDir] });
  started.push(p);
  return p;
}

async function finished(pacer: PacerProcess, deploymentId: string): Promise<void> {
  await waitFor(
    async () => {
      const res = await getJson<Array<{ id: string }>>(`${pacer.url}/v2/deployments`);
      expect(res.status).toBe(200);
      return !res.body.some((d) => d.id === deploymentId);
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `deployment ${deploymentId} to finish` },
  );
}

async function runningTasks(pacer: PacerProcess, appId: string): Promise<TaskJson[]> {
  const res = await getJson<{ tasks: TaskJson[] }>(`${pacer.url}/v2/apps${appId}/tasks`);
  expect(res.status, res.text).toBe(200);
  return res.body.tasks.filter((t) => t.state === 'TASK_RUNNING');
}

const sleeper = (id: string, instances: number, cmd = 'sleep 600') => ({ id, cmd, cpus: 0.1, mem: 16, instances });

describe('group versions', () => {
  it('lists versions, shows an old tree, reverts to it as a deployment, and keeps the list across a restart', { timeout: TEST_MS }, async () => {
    let pacer = await start();
    const created = await postJson<{ version: string; deploymentId: string }>(`${pacer.url}/v2/groups`, {
      id: '/shop',
      apps: [sleeper('/shop/web', 2)],
    });
    expect(created.status, created.text).toBe(201);
    await finished(pacer, created.body.deploymentId);
    const v1 = created.body.version;

    const changed = await putJson<{ version: string; deploymentId: string }>(`${pacer.url}/v2/groups/shop`, {
      apps: [sleeper('/shop/web', 1, 'sleep 700'), sleeper('/shop/cache', 1)],
    });
    expect(changed.status, changed.text).toBe(200);
    await finished(pacer, changed.body.deploymentId);
    const v2 = changed.body.version;

    const versions = await getJson<string[]>(`${pacer.url}/v2/groups/shop/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body).toEqual([v2, v1]);
    const rootVersions = await getJson<string[]>(`${pacer.url}/v2/groups/versions`);
    expect(rootVersions.body.slice(0, 2)).toEqual([v2, v1]);
    const old = await getJson<GroupJson>(`${pacer.url}/v2/groups/shop/versions/${v1}`);
    expect(old.status, old.text).toBe(200);
    expect(old.body.apps.map((a) => [a.id, a.instances, a.cmd])).toEqual([['/shop/web', 2, 'sleep 600']]);
    const missing = await getJson<{ message: string }>(`${pacer.url}/v2/groups/nope/versions`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "Group '/nope' does not exist" });

    const reverted = await putJson<{ version: string; deploymentId: string }>(`${pacer.url}/v2/groups/shop`, { version: v1 });
    expect(reverted.status, reverted.text).toBe(200);
    expect(reverted.headers['marathon-deployment-id']).toBe(reverted.body.deploymentId);
    await finished(pacer, reverted.body.deploymentId);
    const v3 = reverted.body.version;

    const now = await getJson<GroupJson>(`${pacer.url}/v2/groups/shop`);
    expect(now.body.apps.map((a) => [a.id, a.instances, a.cmd])).toEqual([['/shop/web', 2, 'sleep 600']]);
    const tasks = await runningTasks(pacer, '/shop/web');
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.version === v3)).toBe(true);
    expect((await getJson(`${pacer.url}/v2/apps/shop/cache`)).status).toBe(404);

    // Same data dir, new process: the history is read back from the store.
    await pacer.stop();
    pacer = await start();
    const after = await getJson<string[]>(`${pacer.url}/v2/groups/shop/versions`);
    expect(after.status, after.text).toBe(200);
    expect(after.body).toEqual([v3, v2, v1]);
    const oldAgain = await getJson<GroupJson>(`${pacer.url}/v2/groups/shop/versions/${v2}`);
    expect(oldAgain.body.apps.map((a) => a.id).sort()).toEqual(['/shop/cache', '/shop/web']);
  });
});

/**
 * A real Pacer process scheduling on a real Mesos (cluster.ts), and the two views the tier
 * compares: what Pacer says (/v2/apps, /v2/tasks) and what the master says (/master/state).
 */
import { expect } from 'vitest';
import { httpJson, type JsonResponse, type Method } from '../helpers/http.js';
import {
  compareTasks,
  masterFrameworks,
  pacerFrameworkId,
  pacerTasks,
  spawnPacer,
  tempDir,
  waitFor,
  type ManagedProcess,
  type MasterTask,
} from '../helpers/processes.js';

export interface PacerOnMesos {
  process: ManagedProcess;
  dataDir: string;
  url: string;
}

/** `pacer --master <spec>` on a fresh (or given) data dir; waits until Pacer has its framework id. */
export async function startPacerOn(
  masterSpec: string,
  name: string,
  options: { dataDir?: string; extraArgs?: readonly string[]; waitForFrameworkId?: boolean } = {},
): Promise<PacerOnMesos> {
  const dataDir = options.dataDir ?? tempDir(`pacer-${name}`);
  const process = await spawnPacer(
    [
      '--master',
      masterSpec,
      '--data_dir',
      dataDir,
      '--hostname',
      '127.0.0.1',
      '--framework_name',
      `pacer-${name}`,
      '--reconciliation_interval',
      '10000',
      '--log_level',
      'debug',
      ...(options.extraArgs ?? []),
    ],
    { name: `mesos-real-${name}`, startTimeoutMs: 60_000 },
  );
  if (options.waitForFrameworkId !== false) {
    await waitFor('Pacer to subscribe', () => pacerFrameworkId(process.url), { timeoutMs: 60_000, intervalMs: 250, describe: () => process.logTail(2000) });
  }
  return { process, dataDir, url: process.url };
}

export async function api<T = any>(pacer: PacerOnMesos, method: Method, path: string, body?: unknown): Promise<JsonResponse<T>> {
  return httpJson<T>(method, `${pacer.url}${path}`, body);
}

export interface TaskJson {
  id: string;
  appId: string;
  state: string;
  host: string;
  slaveId: string;
  ports: number[];
  healthCheckResults?: Array<{ alive: boolean }>;
}

export interface AppJson {
  id: string;
  instances: number;
  tasksRunning: number;
  tasksStaged: number;
  tasksHealthy: number;
  tasks?: TaskJson[];
  deployments: Array<{ id: string }>;
}

export async function getApp(pacer: PacerOnMesos, id: string): Promise<AppJson> {
  const res = await api<{ app: AppJson }>(pacer, 'GET', `/v2/apps${id}`);
  if (res.status !== 200) throw new Error(`GET /v2/apps${id} answered ${res.status}: ${res.text}`);
  return res.body.app;
}

export async function createApp(pacer: PacerOnMesos, app: Record<string, unknown>): Promise<void> {
  const res = await api(pacer, 'POST', '/v2/apps', app);
  expect(res.status, res.text).toBe(201);
}

/** Waits until the app has `count` RUNNING tasks and no deployment (and `extra` holds). */
export async function waitAppSettled(
  pacer: PacerOnMesos,
  id: string,
  count: number,
  timeoutMs = 180_000,
  extra: (app: AppJson) => boolean = () => true,
): Promise<AppJson> {
  let last: AppJson | undefined;
  return waitFor(
    `${id} to settle at ${count} running`,
    async () => {
      last = await getApp(pacer, id);
      const running = (last.tasks ?? []).filter((t) => t.state === 'TASK_RUNNING').length;
      return running === count && (last.tasks ?? []).length === count && last.deployments.length === 0 && extra(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 500, describe: () => JSON.stringify(last) },
  );
}

/** The master's live tasks of Pacer's framework. */
export async function masterTasksOf(masterUrl: string, frameworkId: string): Promise<MasterTask[]> {
  const frameworks = await masterFrameworks(masterUrl);
  return frameworks.find((f) => f.id === frameworkId)?.tasks ?? [];
}

/**
 * Nothing lost or doubled: Pacer's tasks and the master's live tasks of the framework are the
 * same set (waits a bounded time for the two views to agree, as status updates are in flight).
 */
export async function expectViewsAgree(pacer: PacerOnMesos, masterUrl: string, timeoutMs = 60_000): Promise<string[]> {
  const frameworkId = (await pacerFrameworkId(pacer.url))!;
  let detail = '';
  return waitFor(
    'Pacer and the master to agree on the tasks',
    async () => {
      const [ours, theirs] = await Promise.all([pacerTasks(pacer.url), masterTasksOf(masterUrl, frameworkId)]);
      const diff = compareTasks(ours, theirs);
      detail = JSON.stringify({ diff, ours: ours.map((t) => [t.id, t.state]), theirs: theirs.map((t) => [t.id, t.state]) });
      return diff.orphaned.length === 0 && diff.unknownToMaster.length === 0 ? ours.map((t) => t.id).sort() : undefined;
    },
    { timeoutMs, intervalMs: 500, describe: () => detail },
  );
}

/** Deletes an app (force) and waits until the master has no live task of it. */
export async function deleteAppAndWait(pacer: PacerOnMesos, masterUrl: string, id: string): Promise<void> {
  const res = await api(pacer, 'DELETE', `/v2/apps${id}?force=true`);
  expect([200, 404], res.text).toContain(res.status);
  const frameworkId = (await pacerFrameworkId(pacer.url))!;
  const prefix = `${id.slice(1).replaceAll('/', '_')}.`;
  await waitFor(
    `the master to have no task of ${id}`,
    async () => ((await masterTasksOf(masterUrl, frameworkId)).some((t) => t.id.startsWith(prefix)) ? undefined : true),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** A small HTTP server on $PORT0 serving its sandbox (python3 -m http.server). */
export const HTTP_SERVER = 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1';

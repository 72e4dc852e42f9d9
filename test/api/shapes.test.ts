/**
 * Key sets of Pacer's answers against Marathon's published response examples
 * (shared/conformance/marathon/examples) and python-marathon 0.13's model fields (marathon.md §9):
 * every key of an example is produced, and nothing is produced that Marathon 1.11 would not write.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_QUEUE_OFFER_STATS } from '../../src/matching/index.js';
import { createApp, harness, instancesOf, json, SLEEP_APP, type Harness, type Json } from './harness.js';

const examples = fileURLToPath(new URL('../../../shared/conformance/marathon/examples/', import.meta.url));
const example = (file: string): any => JSON.parse(readFileSync(examples + file, 'utf8'));
const keys = (o: object): string[] => Object.keys(o).sort();

const PYTHON_TASK_KEYS = [
  'appId',
  'healthCheckResults',
  'host',
  'id',
  'ports',
  'servicePorts',
  'slaveId',
  'stagedAt',
  'startedAt',
  'version',
  'ipAddresses',
  'state',
  'localVolumes',
  'region',
  'zone',
  'role',
];
const APP_INFO_EXTRAS = ['tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments'];

let h: Harness;
beforeAll(async () => {
  h = await harness({ cluster: { hosts: ['srv7'] } });
  await createApp(h, { ...SLEEP_APP, id: '/tools/registry' });
  // The agent has a fault domain; the cluster reports it with the task.
  for (const i of instancesOf(h, '/tools/registry')) h.cluster.tracker.put({ ...i, region: 'primary', zone: 'a' });
});
afterAll(async () => {
  await h.app.close();
});

const get = async (url: string): Promise<Json> => json(await h.app.inject({ method: 'GET', url }));

describe('response shapes', () => {
  it('task (app_task.json, app_tasks.json, tasks.json)', async () => {
    const [appTask] = (await get('/v2/apps/tools/registry/tasks')).tasks;
    for (const k of keys(example('app_task.json').task)) expect(appTask).toHaveProperty(k);
    for (const k of keys(example('app_tasks.json').tasks[0])) expect(appTask).toHaveProperty(k);
    const [task] = (await get('/v2/tasks')).tasks;
    for (const k of keys(example('tasks.json').tasks[0])) expect(task).toHaveProperty(k);
    for (const k of keys(task)) expect(PYTHON_TASK_KEYS).toContain(k);
  });

  it('app list (app_list.json) carries the AppInfo extras', async () => {
    const { apps } = await get('/v2/apps');
    const exampleExtras = keys(example('app_list.json').apps[0]).filter((k) => APP_INFO_EXTRAS.includes(k));
    expect(exampleExtras.sort()).toEqual([...APP_INFO_EXTRAS].sort());
    for (const k of APP_INFO_EXTRAS) expect(apps[0]).toHaveProperty(k);
  });

  it('deployments (deployments.json) and deployment result (deployments_result.json)', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v2/apps/tools/registry', payload: { instances: 3 } });
    expect(keys(json(res))).toEqual(keys(example('deployments_result.json')));
    const [deployment] = (await h.app.inject({ method: 'GET', url: '/v2/deployments' }).then(json)) as unknown as Json[];
    expect(keys(deployment!)).toEqual(keys(example('deployments.json')[0]));
  });

  it('queue (queue.json)', async () => {
    h.queueEntries = [
      {
        app: h.service.app('/tools/registry')!,
        count: 1,
        delay: { timeLeftSeconds: 0, overdue: true },
        since: '2024-05-01T11:00:00.000Z',
        processedOffersSummary: EMPTY_QUEUE_OFFER_STATS,
        lastUnusedOffers: [],
      },
    ];
    const [item] = (await get('/v2/queue?embed=lastUnusedOffers')).queue;
    expect(keys(item)).toEqual(keys(example('queue.json').queue[1]));
    const summary = example('queue.json').queue[1].processedOffersSummary;
    for (const k of ['processedOffersCount', 'unusedOffersCount', 'rejectSummaryLastOffers', 'rejectSummaryLaunchAttempt']) {
      expect(item.processedOffersSummary).toHaveProperty(k);
      expect(summary).toHaveProperty(k);
    }
  });

  it('info (info.json): every key of the example, plus only the 1.11 additions', async () => {
    const info = await get('/v2/info');
    const sample = example('info.json');
    expect(keys(info)).toEqual(keys(sample));
    const extra = keys(info.marathon_config).filter((k) => !(k in sample.marathon_config));
    expect(extra).toEqual(['maintenance_mode', 'new_group_enforce_role']);
    for (const k of keys(sample.marathon_config)) expect(info.marathon_config).toHaveProperty(k);
    expect(keys(info.zookeeper_config)).toEqual(keys(sample.zookeeper_config));
    expect(keys(info.http_config)).toEqual(keys(sample.http_config));
  });

  it('group (group.json)', async () => {
    const root = await get('/v2/groups');
    const sample = example('group.json');
    for (const k of keys(sample)) expect(root).toHaveProperty(k);
    expect(keys(root)).toEqual([...keys(sample), 'pods'].sort());
    const tools = root.groups[0];
    for (const k of keys(sample.groups[0])) expect(tools).toHaveProperty(k);
  });

  it('timestamps are always yyyy-MM-ddTHH:mm:ss.SSSZ', async () => {
    const text = JSON.stringify(await get('/v2/apps?embed=apps.tasks'));
    const stamps = text.match(/"\d{4}-\d\d-\d\dT[^"]*"/g) ?? [];
    expect(stamps.length).toBeGreaterThan(3);
    for (const s of stamps) expect(s).toMatch(/^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK_CHARS } from '../../src/api/http/json-stream.js';
import type { Instance } from '../../src/scheduler/contracts.js';
import { settle } from '../scheduler/fakes/fake-cluster.js';
import { createApp, harness, instancesOf, json, type Harness } from './harness.js';

let h: Harness;
/** The three running instances of /web, on host-a, host-b and host-c in that order. */
let a: Instance;
let b: Instance;
let c: Instance;
beforeEach(async () => {
  h = await harness({ cluster: { hosts: ['host-a', 'host-b', 'host-c'] } });
  await createApp(h, { id: '/web', cmd: 'python3 -m http.server $PORT0', instances: 3, portDefinitions: [{ port: 0 }, { port: 0 }] });
  [a, b, c] = instancesOf(h, '/web') as [Instance, Instance, Instance];
  expect([a, b, c].map((i) => [i.hostname, i.condition])).toEqual([
    ['host-a', 'Running'],
    ['host-b', 'Running'],
    ['host-c', 'Running'],
  ]);
});
afterEach(async () => {
  await h.app.close();
});

/** The cluster reports a change of an instance (a status update). */
function report(instance: Instance, patch: Partial<Instance>): void {
  h.cluster.tracker.put({ ...instance, ...patch });
}

describe('GET /v2/apps/{id}/tasks', () => {
  it('renders Marathon task JSON; scheduled instances are not tasks', async () => {
    h.cluster.health.results.set(a.instanceId, [
      {
        instanceId: a.instanceId,
        alive: true,
        consecutiveFailures: 0,
        firstSuccess: '2024-05-01T11:59:30.000Z',
        lastSuccess: '2024-05-01T11:59:50.000Z',
        lastFailure: null,
        lastFailureCause: null,
      },
    ]);
    report(a, { hostPorts: [31001, 31002], ipAddresses: [{ ipAddress: '10.0.0.1', protocol: 'IPv4' }], role: '*' });
    // A scale-up whose new instance is not launched yet: it waits in the queue, it is no task.
    const scaled = await h.app.inject({ method: 'PUT', url: '/v2/apps/web', payload: { instances: 4 } });
    expect(scaled.statusCode).toBe(200);
    await settle();
    expect(instancesOf(h, '/web').filter((i) => i.condition === 'Scheduled')).toHaveLength(1);

    const res = await h.app.inject({ method: 'GET', url: '/v2/apps/web/tasks' });
    expect(res.statusCode).toBe(200);
    const { tasks } = json(res);
    expect(tasks.map((t: { id: string }) => t.id)).toEqual([a.taskId, b.taskId, c.taskId]);
    expect(tasks[0]).toEqual({
      appId: '/web',
      healthCheckResults: [
        { alive: true, consecutiveFailures: 0, firstSuccess: '2024-05-01T11:59:30.000Z', instanceId: a.instanceId, lastSuccess: '2024-05-01T11:59:50.000Z' },
      ],
      host: 'host-a',
      id: `${a.instanceId}._app.1`,
      ipAddresses: [{ ipAddress: '10.0.0.1', protocol: 'IPv4' }],
      ports: [31001, 31002],
      servicePorts: [],
      slaveId: 'host-a-S0',
      state: 'TASK_RUNNING',
      stagedAt: a.stagedAt,
      startedAt: a.startedAt,
      version: a.runSpecVersion,
      localVolumes: [],
      role: '*',
    });
  });

  it('shows inactive tasks without ports, timestamps or version, and Provisioned as TASK_STAGING', async () => {
    report(a, { condition: 'Killed', status: { state: 'TASK_KILLED', timestamp: h.cluster.now() } });
    report(b, { condition: 'Provisioned', status: undefined });
    const tasks = json(await h.app.inject({ method: 'GET', url: '/v2/apps/web/tasks' })).tasks;
    expect(tasks[0]).not.toHaveProperty('stagedAt');
    expect(tasks[0]).not.toHaveProperty('version');
    expect(tasks[0]).toMatchObject({ id: a.taskId, state: 'TASK_KILLED', ports: [] });
    expect(tasks[1]).toMatchObject({ id: b.taskId, state: 'TASK_STAGING' });
  });

  it('404 for an unknown app; `group/*` lists a group', async () => {
    expect(json(await h.app.inject({ method: 'GET', url: '/v2/apps/nope/tasks' }))).toEqual({ message: "App '/nope' does not exist" });
    const all = await h.app.inject({ method: 'GET', url: '/v2/apps/*/tasks' });
    expect(json(all).tasks).toHaveLength(3);
  });
});

describe('DELETE /v2/apps/{id}/tasks', () => {
  it('refuses scale together with wipe', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?scale=true&wipe=TRUE' });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toEqual({ message: 'You cannot use scale and wipe at the same time.' });
  });

  it('kills the tasks on one host and answers with them; the instance is relaunched', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?host=host-b' });
    expect(res.statusCode).toBe(200);
    expect(json(res).tasks.map((t: { id: string }) => t.id)).toEqual([b.taskId]);
    expect(h.killedTasks).toEqual([[b.instanceId]]);
    expect(h.service.app('/web')!.instances).toBe(3);
    h.cluster.tick();
    h.cluster.tick();
    expect(h.cluster.tracker.get(b.instanceId)).toMatchObject({ condition: 'Staging', incarnation: 2, taskId: `${b.instanceId}._app.2` });
  });

  it('with scale=true answers a deployment and lowers the instance count', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?host=*&scale=True' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['deploymentId', 'version']);
    expect(res.headers['marathon-deployment-id']).toBe(json(res).deploymentId);
    expect(h.service.app('/web')!.instances).toBe(0);
    await h.finish(json(res).deploymentId);
    expect(instancesOf(h, '/web').map((i) => [i.goal, i.condition])).toEqual([
      ['Decommissioned', 'Killed'],
      ['Decommissioned', 'Killed'],
      ['Decommissioned', 'Killed'],
    ]);
  });

  it('kills one task by id with wipe: the instance is gone and replaced; 404 for an unknown task', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: `/v2/apps/web/tasks/${a.taskId}?wipe=true` });
    expect(res.statusCode).toBe(200);
    expect(json(res).task.id).toBe(a.taskId);
    expect(h.cluster.tracker.get(a.instanceId)?.goal).toBe('Decommissioned');
    h.cluster.tick();
    h.cluster.tick();
    expect(h.cluster.tracker.get(a.instanceId)).toBeUndefined();
    // Wiped instances are gone for good; the app still wants three, so one more is launched.
    expect(instancesOf(h, '/web').filter((i) => i.goal === 'Running')).toHaveLength(3);
    const missing = await h.app.inject({ method: 'DELETE', url: `/v2/apps/web/tasks/${a.taskId}` });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: `Task '${a.taskId}' does not exist` });
  });
});

describe('/v2/tasks', () => {
  it('lists every task with the app service ports and filters by status', async () => {
    report(b, { condition: 'Staging', status: { state: 'TASK_STAGING', timestamp: h.cluster.now() } });
    const all = json(await h.app.inject({ method: 'GET', url: '/v2/tasks' })).tasks;
    expect(all).toHaveLength(3);
    expect(all[0].servicePorts).toEqual(h.service.app('/web')!.portDefinitions.map((p) => p.port));
    expect(all[0].servicePorts).toEqual([10000, 10001]);
    const running = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status=RUNNING' })).tasks;
    expect(running.map((t: { id: string }) => t.id)).toEqual([a.taskId, c.taskId]);
    const both = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status[]=running&status[]=staging' })).tasks;
    expect(both).toHaveLength(3);
    const ignored = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status=killed' })).tasks;
    expect(ignored).toHaveLength(3);
  });

  it('streams a list several chunks long whole: the same tasks as each app renders them', async () => {
    await createApp(h, { id: '/many', cmd: 'sleep 1000', instances: 3_200, cpus: 0.001, mem: 0.1, disk: 0 });
    expect(instancesOf(h, '/many').filter((i) => i.condition === 'Running')).toHaveLength(3_200);
    const res = await h.app.inject({ method: 'GET', url: '/v2/tasks' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.length).toBeGreaterThan(2 * CHUNK_CHARS);
    const perApp = [
      ...json(await h.app.inject({ method: 'GET', url: '/v2/apps/web/tasks' })).tasks,
      ...json(await h.app.inject({ method: 'GET', url: '/v2/apps/many/tasks' })).tasks,
    ];
    // Only /v2/tasks carries the app's service ports (Marathon's TasksResource); the rest is the same task JSON.
    const servicePorts = new Map(['/web', '/many'].map((id) => [id, h.service.app(id)!.portDefinitions.map((p) => p.port)]));
    const expected = perApp.map((t: { id: string; appId: string }) => ({ ...t, servicePorts: servicePorts.get(t.appId) }));
    const sortById = (tasks: Array<{ id: string }>): Array<{ id: string }> => [...tasks].sort((x, y) => x.id.localeCompare(y.id));
    const listed = json(res).tasks as Array<{ id: string }>;
    expect(listed).toHaveLength(3_203);
    expect(sortById(listed)).toEqual(sortById(expected));
  });

  it('POST /v2/tasks/delete kills known tasks, skips unknown well-formed ids, refuses malformed ones', async () => {
    const unknown = 'web.instance-deadbeef-1111-11ef-8000-000000000000._app.1';
    const res = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: { ids: [a.taskId, unknown] } });
    expect(res.statusCode).toBe(200);
    expect(json(res).tasks.map((t: { id: string }) => t.id)).toEqual([a.taskId]);
    expect(h.killedTasks.at(-1)).toEqual([a.instanceId]);

    const bad = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: { ids: ['garbage'] } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).message).toMatch(/^Invalid task id 'garbage'\. \[/);

    const noIds = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: {} });
    expect(noIds.statusCode).toBe(422);
    expect(json(noIds).details).toEqual([{ path: '/ids', errors: ['error.path.missing'] }]);
  });

  it('POST /v2/tasks/delete?scale=true answers a deployment', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete?scale=true', payload: { ids: [a.taskId] } });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toHaveProperty('deploymentId');
    expect(h.service.app('/web')!.instances).toBe(2);
    await h.finish(json(res).deploymentId);
    expect(h.cluster.tracker.get(a.instanceId)).toMatchObject({ goal: 'Decommissioned', condition: 'Killed' });
    expect(
      instancesOf(h, '/web')
        .filter((i) => i.goal === 'Running')
        .map((i) => i.instanceId),
    ).toEqual([b.instanceId, c.instanceId]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, harness, json, runningInstance, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
  await createApp(h, { id: '/web', cmd: 'python3 -m http.server $PORT0', instances: 3, portDefinitions: [{ port: 0 }, { port: 0 }] });
});
afterEach(async () => {
  await h.app.close();
});

describe('GET /v2/apps/{id}/tasks', () => {
  it('renders Marathon task JSON; scheduled instances are not tasks', async () => {
    const running = runningInstance('/web', 'agent-1');
    h.service.instances.put(running);
    h.service.instances.put({ ...runningInstance('/web'), condition: 'Scheduled', taskId: undefined, agentId: undefined, hostname: undefined });
    h.service.health.results.set(running.instanceId, [
      {
        instanceId: running.instanceId,
        alive: true,
        consecutiveFailures: 0,
        firstSuccess: '2024-05-01T11:59:30.000Z',
        lastSuccess: '2024-05-01T11:59:50.000Z',
        lastFailure: null,
        lastFailureCause: null,
      },
    ]);
    const res = await h.app.inject({ method: 'GET', url: '/v2/apps/web/tasks' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      tasks: [
        {
          appId: '/web',
          healthCheckResults: [
            { alive: true, consecutiveFailures: 0, firstSuccess: '2024-05-01T11:59:30.000Z', instanceId: running.instanceId, lastSuccess: '2024-05-01T11:59:50.000Z' },
          ],
          host: 'agent-1',
          id: running.taskId,
          ipAddresses: [{ ipAddress: '10.0.0.1', protocol: 'IPv4' }],
          ports: running.hostPorts,
          servicePorts: [],
          slaveId: 'agent-1-S0',
          state: 'TASK_RUNNING',
          stagedAt: '2024-05-01T11:58:00.000Z',
          startedAt: '2024-05-01T11:59:00.000Z',
          version: '2024-05-01T11:00:00.000Z',
          localVolumes: [],
          role: '*',
        },
      ],
    });
  });

  it('shows inactive tasks without ports, timestamps or version, and Provisioned as TASK_STAGING', async () => {
    h.service.instances.put(runningInstance('/web', 'a', { condition: 'Killed', status: { state: 'TASK_KILLED', timestamp: 0 } }));
    h.service.instances.put(runningInstance('/web', 'b', { condition: 'Provisioned', status: undefined }));
    const tasks = json(await h.app.inject({ method: 'GET', url: '/v2/apps/web/tasks' })).tasks;
    expect(tasks[0]).not.toHaveProperty('stagedAt');
    expect(tasks[0]).not.toHaveProperty('version');
    expect(tasks[0]).toMatchObject({ state: 'TASK_KILLED', ports: [] });
    expect(tasks[1]).toMatchObject({ state: 'TASK_STAGING' });
  });

  it('404 for an unknown app; `group/*` lists a group', async () => {
    expect(json(await h.app.inject({ method: 'GET', url: '/v2/apps/nope/tasks' }))).toEqual({ message: "App '/nope' does not exist" });
    h.service.instances.put(runningInstance('/web'));
    const all = await h.app.inject({ method: 'GET', url: '/v2/apps/*/tasks' });
    expect(json(all).tasks).toHaveLength(1);
  });
});

describe('DELETE /v2/apps/{id}/tasks', () => {
  it('refuses scale together with wipe', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?scale=true&wipe=TRUE' });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toEqual({ message: 'You cannot use scale and wipe at the same time.' });
  });

  it('kills the tasks on one host and answers with them', async () => {
    const a = runningInstance('/web', 'host-a');
    const b = runningInstance('/web', 'host-b');
    h.service.instances.put(a);
    h.service.instances.put(b);
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?host=host-b' });
    expect(res.statusCode).toBe(200);
    expect(json(res).tasks.map((t: { id: string }) => t.id)).toEqual([b.taskId]);
    expect(h.service.kills).toEqual([{ instanceIds: [b.instanceId], scale: false, wipe: false, force: false }]);
  });

  it('with scale=true answers a deployment and lowers the instance count', async () => {
    h.service.instances.put(runningInstance('/web', 'host-a'));
    h.service.instances.put(runningInstance('/web', 'host-b'));
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/web/tasks?host=*&scale=True' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['deploymentId', 'version']);
    expect(res.headers['marathon-deployment-id']).toBe(json(res).deploymentId);
    expect(h.service.app('/web')!.instances).toBe(1);
  });

  it('kills one task by id; 404 for an unknown task', async () => {
    const a = runningInstance('/web');
    h.service.instances.put(a);
    const res = await h.app.inject({ method: 'DELETE', url: `/v2/apps/web/tasks/${a.taskId}?wipe=true` });
    expect(res.statusCode).toBe(200);
    expect(json(res).task.id).toBe(a.taskId);
    expect(h.service.instances.get(a.instanceId)).toBeUndefined();
    const missing = await h.app.inject({ method: 'DELETE', url: `/v2/apps/web/tasks/${a.taskId}` });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: `Task '${a.taskId}' does not exist` });
  });
});

describe('/v2/tasks', () => {
  it('lists every task with the app service ports and filters by status', async () => {
    const run = runningInstance('/web', 'a');
    const staging = runningInstance('/web', 'b', { condition: 'Staging', status: { state: 'TASK_STAGING', timestamp: 0 } });
    h.service.instances.put(run);
    h.service.instances.put(staging);
    const all = json(await h.app.inject({ method: 'GET', url: '/v2/tasks' })).tasks;
    expect(all).toHaveLength(2);
    expect(all[0].servicePorts).toEqual(h.service.app('/web')!.portDefinitions.map((p) => p.port));
    expect(all[0].servicePorts).toHaveLength(2);
    const running = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status=RUNNING' })).tasks;
    expect(running.map((t: { id: string }) => t.id)).toEqual([run.taskId]);
    const both = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status[]=running&status[]=staging' })).tasks;
    expect(both).toHaveLength(2);
    const ignored = json(await h.app.inject({ method: 'GET', url: '/v2/tasks?status=killed' })).tasks;
    expect(ignored).toHaveLength(2);
  });

  it('POST /v2/tasks/delete kills known tasks, skips unknown well-formed ids, refuses malformed ones', async () => {
    const a = runningInstance('/web');
    h.service.instances.put(a);
    const unknown = 'web.instance-deadbeef-1111-11ef-8000-000000000000._app.1';
    const res = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: { ids: [a.taskId, unknown] } });
    expect(res.statusCode).toBe(200);
    expect(json(res).tasks.map((t: { id: string }) => t.id)).toEqual([a.taskId]);
    expect(h.service.kills.at(-1)!.instanceIds).toEqual([a.instanceId]);

    const bad = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: { ids: ['garbage'] } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).message).toMatch(/^Invalid task id 'garbage'\. \[/);

    const noIds = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete', payload: {} });
    expect(noIds.statusCode).toBe(422);
    expect(json(noIds).details).toEqual([{ path: '/ids', errors: ['error.path.missing'] }]);
  });

  it('POST /v2/tasks/delete?scale=true answers a deployment', async () => {
    const a = runningInstance('/web');
    h.service.instances.put(a);
    const res = await h.app.inject({ method: 'POST', url: '/v2/tasks/delete?scale=true', payload: { ids: [a.taskId] } });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toHaveProperty('deploymentId');
    expect(h.service.app('/web')!.instances).toBe(2);
  });
});

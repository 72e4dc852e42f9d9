import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarathonEvent } from '../../src/scheduler/contracts.js';
import { APP_LOCKED_MESSAGE } from '../../src/scheduler/service.js';
import { createApp, harness, instancesOf, json, SLEEP_APP, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.app.close();
});

describe('POST /v2/apps', () => {
  it('creates an app: 201, AppInfo body with zero counts, Location and deployment headers, api_post_event', async () => {
    const events: MarathonEvent[] = [];
    h.service.events.subscribe((e) => events.push(e));
    const res = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP });
    expect(res.statusCode).toBe(201);
    const body = json(res);
    expect(body).toMatchObject({ id: '/sleep', cmd: 'sleep 1000', instances: 2, tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0 });
    expect(body.deployments).toHaveLength(1);
    expect(res.headers['marathon-deployment-id']).toBe(body.deployments[0].id);
    expect(res.headers.location).toMatch(/^http:\/\/[^/]+\/sleep$/);
    expect(body.version).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.portDefinitions[0].port).toBe(10000);
    // As in Marathon: the group change and the deployment's start are announced while the
    // request is served, the API event once the app is stored.
    expect(events.map((e) => e.eventType)).toEqual(['group_change_success', 'deployment_info', 'api_post_event']);
    expect(events[0]).toMatchObject({ groupId: '/', version: body.version });
    expect(events[1]).toMatchObject({ plan: { id: body.deployments[0].id } });
    expect(events[2]).toMatchObject({ eventType: 'api_post_event', uri: '/v2/apps', clientIp: '127.0.0.1' });
    expect((events[2]!.appDefinition as { id: string }).id).toBe('/sleep');
  });

  it('absolutises a relative id', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: { ...SLEEP_APP, id: 'prod/web' } });
    expect(res.statusCode).toBe(201);
    expect(json(res).id).toBe('/prod/web');
    expect(h.service.root().root.groups.map((g) => g.id)).toEqual(['/prod']);
  });

  it('answers 409 when the app exists', async () => {
    await createApp(h);
    const res = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP });
    expect(res.statusCode).toBe(409);
    expect(json(res)).toEqual({ message: 'An app with id [/sleep] already exists.' });
  });

  it('passes 400 for unparsable JSON with a string detail', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v2/apps',
      headers: { 'content-type': 'application/json' },
      payload: '{"id":"/test',
    });
    expect(res.statusCode).toBe(400);
    const body = json(res);
    expect(body.message).toBe('Invalid JSON');
    expect(typeof body.details).toBe('string');
  });

  it('answers 400 "Please specify data in JSON format" for an empty body', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/apps', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(400);
    expect(json(res).message).toBe('Please specify data in JSON format');
  });

  it('passes 422 validation bodies through', async () => {
    const typed = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: { id: 123 } });
    expect(typed.statusCode).toBe(422);
    expect(json(typed)).toEqual({ message: 'Invalid JSON', details: [{ path: '/id', errors: ['error.expected.jsstring'] }] });
    const semantic = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: { id: '/nothing' } });
    expect(semantic.statusCode).toBe(422);
    expect(json(semantic)).toEqual({
      message: 'Object is not valid',
      details: [{ path: '/', errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."] }],
    });
  });

  it('refuses a body sent without a JSON content type (415, a forged form cannot create apps)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v2/apps',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify(SLEEP_APP),
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('GET /v2/apps and /v2/apps/{id}', () => {
  it('lists apps with counts and deployments always embedded', async () => {
    await createApp(h);
    const res = await h.app.inject({ method: 'GET', url: '/v2/apps' });
    expect(res.statusCode).toBe(200);
    const [app] = json(res).apps;
    expect(app).toMatchObject({ id: '/sleep', tasksRunning: 2, tasksStaged: 0, tasksHealthy: 0, tasksUnhealthy: 0, deployments: [] });
    expect(app).not.toHaveProperty('tasks');
  });

  it('filters by cmd and id (case-insensitive substrings)', async () => {
    await createApp(h);
    await createApp(h, { id: '/web', cmd: 'python3 -m http.server' });
    const byCmd = json(await h.app.inject({ method: 'GET', url: '/v2/apps?cmd=SLEEP' }));
    expect(byCmd.apps.map((a: { id: string }) => a.id)).toEqual(['/sleep']);
    const byId = json(await h.app.inject({ method: 'GET', url: '/v2/apps?id=WE' }));
    expect(byId.apps.map((a: { id: string }) => a.id)).toEqual(['/web']);
  });

  it('filters by label selector and refuses a bad selector with 422', async () => {
    await createApp(h, { ...SLEEP_APP, id: '/a', labels: { tier: 'frontend', env: 'prod' } });
    await createApp(h, { ...SLEEP_APP, id: '/b', labels: { tier: 'backend' } });
    await createApp(h, { ...SLEEP_APP, id: '/c' });
    const ids = async (selector: string): Promise<string[]> =>
      json(await h.app.inject({ method: 'GET', url: `/v2/apps?label=${encodeURIComponent(selector)}` })).apps.map((a: { id: string }) => a.id);
    expect(await ids('tier')).toEqual(['/a', '/b']);
    expect(await ids('tier==backend')).toEqual(['/b']);
    expect(await ids('tier!=backend')).toEqual(['/a']);
    expect(await ids('tier in (frontend, x), env')).toEqual(['/a']);
    expect(await ids('tier notin (frontend)')).toEqual(['/b']);
    const bad = await h.app.inject({ method: 'GET', url: `/v2/apps?label=${encodeURIComponent('tier in (a')}` });
    expect(bad.statusCode).toBe(422);
    expect(json(bad).message).toMatch(/^Can not parse label selector tier in \(a\. Reason: /);
  });

  it('honours embed with any accepted prefix', async () => {
    await createApp(h);
    h.cluster.nowMs += 60_000;
    const lifeTimes = instancesOf(h, '/sleep').map((i) => (h.cluster.now() - Date.parse(i.startedAt!)) / 1000);
    expect(lifeTimes).toHaveLength(2);
    const res = json(await h.app.inject({ method: 'GET', url: '/v2/apps?embed=apps.tasks&embed=app.taskStats&embed=readiness' }));
    const [app] = res.apps;
    expect(app.tasks).toHaveLength(2);
    expect(app.readinessCheckResults).toEqual([]);
    expect(app.tasksStats.totalSummary.stats.counts).toEqual({ staged: 0, running: 2, healthy: 0, unhealthy: 0 });
    const average = (lifeTimes[0]! + lifeTimes[1]!) / 2;
    expect(average).toBeGreaterThanOrEqual(60);
    expect(app.tasksStats.totalSummary.stats.lifeTime).toEqual({ averageSeconds: average, medianSeconds: Math.max(...lifeTimes) });
  });

  it('shows one app with tasks, counts and deployments; 404 otherwise', async () => {
    const created = json(await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP }));
    const deploying = json(await h.app.inject({ method: 'GET', url: '/v2/apps/sleep' })).app;
    expect(deploying).toMatchObject({ id: '/sleep', tasks: [], tasksRunning: 0, deployments: [{ id: created.deployments[0].id }] });
    await h.finish(created.deployments[0].id);
    const res = await h.app.inject({ method: 'GET', url: '/v2/apps/sleep' });
    expect(res.statusCode).toBe(200);
    const app = json(res).app;
    expect(app).toMatchObject({ id: '/sleep', tasksRunning: 2, deployments: [] });
    expect(app.tasks.map((t: { id: string }) => t.id).sort()).toEqual(instancesOf(h, '/sleep').map((i) => i.taskId));
    const missing = await h.app.inject({ method: 'GET', url: '/v2/apps/nope' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "App '/nope' does not exist" });
  });

  it('embeds the last task failure when a failure source is wired', async () => {
    const failure = {
      appId: '/sleep',
      host: 'agent-1',
      message: 'Command exited with status 1',
      state: 'TASK_FAILED',
      taskId: 'sleep.instance-00000001-1111-11ef-8000-000000000000._app.1',
      timestamp: '2024-05-01T11:30:00.000Z',
      version: '2024-05-01T11:00:00.000Z',
    };
    const wired = await harness({ taskFailures: { lastTaskFailure: (id) => (id === '/sleep' ? failure : undefined) } });
    try {
      await createApp(wired);
      const app = json(await wired.app.inject({ method: 'GET', url: '/v2/apps/sleep' })).app;
      expect(app.lastTaskFailure).toEqual(failure);
      const listed = json(await wired.app.inject({ method: 'GET', url: '/v2/apps' })).apps[0];
      expect(listed).not.toHaveProperty('lastTaskFailure');
    } finally {
      await wired.app.close();
    }
  });

  it('accepts doubled slashes as python-marathon sends them', async () => {
    await createApp(h, { ...SLEEP_APP, id: '/prod/foo' });
    const res = await h.app.inject({ method: 'GET', url: '//v2/apps//prod//foo?embed=apps.counts' });
    expect(res.statusCode).toBe(200);
    expect(json(res).app.id).toBe('/prod/foo');
  });

  it('lists a group with `/*`, 404 for an unknown group', async () => {
    await createApp(h, { ...SLEEP_APP, id: '/prod/a' });
    await createApp(h, { ...SLEEP_APP, id: '/prod/db/b' });
    await createApp(h, { ...SLEEP_APP, id: '/other' });
    const res = await h.app.inject({ method: 'GET', url: '/v2/apps/prod/*' });
    expect(res.statusCode).toBe(200);
    expect(json(res)['*'].map((a: { id: string }) => a.id)).toEqual(['/prod/a', '/prod/db/b']);
    const missing = await h.app.inject({ method: 'GET', url: '/v2/apps/nope/*' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "Group '/nope' does not exist" });
  });
});

describe('PUT and PATCH /v2/apps/{id}', () => {
  it('creates a missing app with 201 + Location, then updates it partially with 200', async () => {
    const created = await h.app.inject({ method: 'PUT', url: '/v2/apps/put-me', payload: { cmd: 'sleep 1', instances: 1 } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toMatch(/\/put-me$/);
    const result = json(created);
    expect(Object.keys(result).sort()).toEqual(['deploymentId', 'version']);
    expect(created.headers['marathon-deployment-id']).toBe(result.deploymentId);
    await h.finish(result.deploymentId);

    const updated = await h.app.inject({ method: 'PUT', url: '/v2/apps/put-me', payload: { instances: 3 } });
    expect(updated.statusCode).toBe(200);
    expect(h.service.app('/put-me')).toMatchObject({ cmd: 'sleep 1', instances: 3 });
  });

  it('replaces the whole app with partialUpdate=false (any case)', async () => {
    await createApp(h, { ...SLEEP_APP, labels: { keep: 'me' } });
    const res = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep?partialUpdate=FALSE', payload: { cmd: 'sleep 5' } });
    expect(res.statusCode).toBe(200);
    expect(h.service.app('/sleep')).toMatchObject({ cmd: 'sleep 5', instances: 1, labels: {} });
  });

  it('answers 409 with the blocking deployments unless forced (force=True accepted)', async () => {
    const created = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP });
    const deploymentId = json(created).deployments[0].id;
    const locked = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep', payload: { instances: 5 } });
    expect(locked.statusCode).toBe(409);
    expect(json(locked)).toEqual({ message: APP_LOCKED_MESSAGE, deployments: [{ id: deploymentId }] });
    expect(h.service.app('/sleep')!.instances).toBe(2);
    const forced = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep?force=True', payload: { instances: 5 } });
    expect(forced.statusCode).toBe(200);
    expect(h.service.app('/sleep')!.instances).toBe(5);
  });

  it('rolls back to a stored version', async () => {
    const first = await createApp(h);
    const v1 = first.version as string;
    const upd = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep', payload: { cmd: 'sleep 2000' } });
    await h.finish(json(upd).deploymentId);
    expect(h.service.app('/sleep')!.cmd).toBe('sleep 2000');

    const rollback = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep', payload: { version: v1 } });
    expect(rollback.statusCode).toBe(200);
    expect(h.service.app('/sleep')!.cmd).toBe('sleep 1000');

    const unknown = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep?force=true', payload: { version: '2001-01-01T00:00:00.000Z' } });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ message: "App '/sleep' does not exist" });

    const mixed = await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep?force=true', payload: { version: v1, cmd: 'x y' } });
    expect(mixed.statusCode).toBe(422);
    expect(json(mixed).details[0].errors).toEqual(["The 'version' field may only be combined with the 'id' field."]);
  });

  it('publishes api_post_event on PUT and PATCH', async () => {
    await createApp(h);
    const events: MarathonEvent[] = [];
    h.service.events.subscribe((e) => events.push(e));
    await h.app.inject({ method: 'PATCH', url: '/v2/apps/sleep?force=true', payload: { instances: 4 } });
    await h.app.inject({ method: 'PUT', url: '/v2/apps/sleep?force=true', payload: { instances: 5 } });
    const posted = events.filter((e) => e.eventType === 'api_post_event');
    expect(posted.map((e) => e.uri)).toEqual(['/v2/apps/sleep', '/v2/apps/sleep']);
    expect(posted.map((e) => (e.appDefinition as { instances: number }).instances)).toEqual([4, 5]);
  });

  it('PATCH of a missing app is 404', async () => {
    const res = await h.app.inject({ method: 'PATCH', url: '/v2/apps/ghost', payload: { instances: 1 } });
    expect(res.statusCode).toBe(404);
    expect(json(res)).toEqual({ message: "App '/ghost' does not exist" });
  });

  it('refuses an invalid id in the URL with 422', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v2/apps/Bad_Id', payload: { cmd: 'sleep 1' } });
    expect(res.statusCode).toBe(422);
    expect(json(res).details[0].path).toBe('/id');
  });
});

describe('batch PUT and PATCH /v2/apps', () => {
  it('updates and creates several apps in one deployment (partialUpdate by default)', async () => {
    await createApp(h);
    const res = await h.app.inject({
      method: 'PUT',
      url: '/v2/apps',
      payload: [
        { id: '/sleep', instances: 7 },
        { id: 'fresh', cmd: 'sleep 3' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['deploymentId', 'version']);
    expect(h.service.app('/sleep')!.instances).toBe(7);
    expect(h.service.app('/fresh')!.cmd).toBe('sleep 3');
    expect(h.service.deployments()).toHaveLength(1);
  });

  it('requires an id on every element in partial mode', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v2/apps', payload: [{ cmd: 'sleep 1' }] });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toEqual({ message: 'requirement failed: App Update must have app id set' });
  });

  it('prefixes type errors with the element index', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/v2/apps',
      payload: [
        { id: '/a', cmd: 'sleep 1' },
        { id: '/b', instances: 'two' },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(json(res).details).toEqual([{ path: '(1)/instances', errors: ['error.expected.jsnumber'] }]);
  });

  it('PATCH never creates apps', async () => {
    const res = await h.app.inject({ method: 'PATCH', url: '/v2/apps', payload: [{ id: '/ghost', instances: 1 }] });
    expect(res.statusCode).toBe(404);
    expect(json(res)).toEqual({ message: "App '/ghost' does not exist" });
  });
});

describe('DELETE, restart and versions', () => {
  it('deletes with force by default (a running deployment does not block)', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP });
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/sleep' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['marathon-deployment-id']).toBe(json(res).deploymentId);
    expect(h.service.app('/sleep')).toBeUndefined();
    const again = await h.app.inject({ method: 'DELETE', url: '/v2/apps/sleep' });
    expect(again.statusCode).toBe(404);
  });

  it('DELETE with force=false is blocked by a running deployment', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP });
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/apps/sleep?force=false' });
    expect(res.statusCode).toBe(409);
  });

  it('restarts an app and reports 404 for unknown ones', async () => {
    await createApp(h);
    const res = await h.app.inject({ method: 'POST', url: '/v2/apps/sleep/restart' });
    expect(res.statusCode).toBe(200);
    const plan = h.service.deployments().find((d) => d.id === json(res).deploymentId);
    expect(plan?.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/sleep' }] }]);
    const missing = await h.app.inject({ method: 'POST', url: '/v2/apps/nope/restart' });
    expect(missing.statusCode).toBe(404);
  });

  it('lists versions and shows one version as a bare app', async () => {
    const created = await createApp(h);
    const versions = json(await h.app.inject({ method: 'GET', url: '/v2/apps/sleep/versions' }));
    expect(versions).toEqual({ versions: [created.version] });
    const one = await h.app.inject({ method: 'GET', url: `/v2/apps/sleep/versions/${created.version}` });
    expect(one.statusCode).toBe(200);
    expect(json(one)).toMatchObject({ id: '/sleep', cmd: 'sleep 1000' });
    expect(json(one)).not.toHaveProperty('tasksRunning');
    const missing = await h.app.inject({ method: 'GET', url: '/v2/apps/sleep/versions/2001-01-01T00:00:00.000Z' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "App '/sleep' does not exist in version 2001-01-01T00:00:00.000Z" });
    expect((await h.app.inject({ method: 'GET', url: '/v2/apps/nope/versions' })).statusCode).toBe(404);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, harness, json, SLEEP_APP, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.app.close();
});

const GROUP = {
  id: '/shop',
  apps: [{ id: 'web', cmd: 'sleep 100', instances: 2 }],
  groups: [{ id: 'db', apps: [{ id: '/shop/db/pg', cmd: 'sleep 100' }] }],
  dependencies: [],
};

describe('/v2/groups', () => {
  it('the empty root is always there', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v2/groups' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ id: '/', apps: [], pods: [], groups: [], dependencies: [] });
  });

  it('POST creates a tree: 201, Location, deployment; relative ids resolve against the group', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/groups', payload: GROUP });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toMatch(/\/shop$/);
    expect(res.headers['marathon-deployment-id']).toBe(json(res).deploymentId);
    expect([...h.service.root().apps.keys()].sort()).toEqual(['/shop/db/pg', '/shop/web']);
    const shown = json(await h.app.inject({ method: 'GET', url: '/v2/groups/shop' }));
    expect(shown.apps.map((a: { id: string }) => a.id)).toEqual(['/shop/web']);
    expect(shown.groups[0].id).toBe('/shop/db');
    expect(shown.groups[0].apps[0].id).toBe('/shop/db/pg');

    const again = await h.app.inject({ method: 'POST', url: '/v2/groups?force=true', payload: GROUP });
    expect(again.statusCode).toBe(409);
    expect(json(again)).toEqual({ message: 'Group /shop is already created. Use PUT to change this group.' });
  });

  it('embed limits what is written', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/groups', payload: GROUP });
    const onlyGroups = json(await h.app.inject({ method: 'GET', url: '/v2/groups/shop?embed=group.groups' }));
    expect(onlyGroups.apps).toEqual([]);
    expect(onlyGroups.groups).toHaveLength(1);
    const withCounts = json(await h.app.inject({ method: 'GET', url: '/v2/groups/shop?embed=group.apps&embed=group.apps.counts' }));
    expect(withCounts.apps[0]).toHaveProperty('tasksRunning', 0);
  });

  it('PUT scaleBy scales every app below the group (ceil)', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/groups', payload: GROUP });
    const res = await h.app.inject({ method: 'PUT', url: '/v2/groups/shop?force=true', payload: { scaleBy: 1.5 } });
    expect(res.statusCode).toBe(200);
    expect(h.service.app('/shop/web')!.instances).toBe(3);
    expect(h.service.app('/shop/db/pg')!.instances).toBe(2);
  });

  it('PUT dryRun answers the steps and changes nothing', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v2/groups/shop?dryRun=true', payload: GROUP });
    expect(res.statusCode).toBe(200);
    expect(json(res).steps[0].actions[0]).toMatchObject({ action: 'StartApplication' });
    expect(h.service.root().apps.size).toBe(0);
  });

  it('PUT with apps replaces the group apps; omitted lists are kept', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/groups', payload: GROUP });
    const res = await h.app.inject({ method: 'PUT', url: '/v2/groups/shop?force=true', payload: { apps: [{ id: 'api', cmd: 'sleep 5' }] } });
    expect(res.statusCode).toBe(200);
    expect([...h.service.root().apps.keys()].sort()).toEqual(['/shop/api', '/shop/db/pg']);
  });

  it('lists group apps and versions', async () => {
    await createApp(h, { ...SLEEP_APP, id: '/g/a' });
    const apps = json(await h.app.inject({ method: 'GET', url: '/v2/groups/g/apps' })) as unknown as Array<{ id: string }>;
    expect(apps.map((a) => a.id)).toEqual(['/g/a']);
    const versions = json(await h.app.inject({ method: 'GET', url: '/v2/groups/g/versions' })) as unknown as string[];
    expect(versions).toHaveLength(1);
    const atVersion = await h.app.inject({ method: 'GET', url: `/v2/groups/g/versions/${versions[0]}` });
    expect(json(atVersion).id).toBe('/g');
  });

  it('DELETE removes a subtree; 404 for an unknown group', async () => {
    await h.app.inject({ method: 'POST', url: '/v2/groups', payload: GROUP });
    const res = await h.app.inject({ method: 'DELETE', url: '/v2/groups/shop/db?force=true' });
    expect(res.statusCode).toBe(200);
    expect([...h.service.root().apps.keys()]).toEqual(['/shop/web']);
    const missing = await h.app.inject({ method: 'DELETE', url: '/v2/groups/nope' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "Group '/nope' does not exist" });
  });

  it('refuses bad group bodies with Marathon shapes', async () => {
    const typed = await h.app.inject({ method: 'POST', url: '/v2/groups', payload: { id: '/x', apps: {} } });
    expect(typed.statusCode).toBe(422);
    expect(json(typed).details).toEqual([{ path: '/apps', errors: ['error.expected.jsarray'] }]);
    const badApp = await h.app.inject({ method: 'POST', url: '/v2/groups', payload: { id: '/x', apps: [{ id: 'a' }] } });
    expect(badApp.statusCode).toBe(422);
    expect(json(badApp).message).toBe('Object is not valid');
  });

  // Issue #14 item 5: AppValidation.validNestedApp and the JSON reader's paths inside a group body.
  it('refuses an app whose id is not a direct child of its group, at the path of that id', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v2/groups',
      payload: {
        id: '/prod',
        apps: [{ id: 'web', cmd: 'sleep 100' }],
        groups: [{ id: '/prod/back', apps: [{ id: '/prod/other/db', cmd: 'sleep 100' }] }],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toEqual({
      message: 'Object is not valid',
      details: [{ path: '/groups(0)/apps(0)/id', errors: ["Identifier is not child of '/prod/back'"] }],
    });
    expect(json(await h.app.inject({ method: 'GET', url: '/v2/groups/prod' })).message).toMatch(/does not exist/);
  });

  it('names the app element of the body when a required field inside it is missing', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v2/groups',
      payload: {
        id: '/prod',
        apps: [
          { id: 'ok', cmd: 'sleep 100' },
          { id: 'web', cmd: 'sleep 100', container: { type: 'MESOS', volumes: [{ containerPath: '/x', mode: 'RW' }] } },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toEqual({ message: 'Invalid JSON', details: [{ path: '/apps(1)/container/volumes(0)/hostPath', errors: ['error.path.missing'] }] });
  });
});

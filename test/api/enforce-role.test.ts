/**
 * Top-level group `enforceRole` through the REST facade over the real PacerServiceImpl (fake
 * cluster, in-memory store): app role defaults and validation (RoleSettings, GroupNormalization)
 * and `PATCH /v2/groups/{id}`.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, json, type Harness, type Json } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await harness({ appParse: { mesosRole: 'marathon' } });
});

afterEach(async () => {
  await h.app.close();
});

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

function request(method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return h.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Json }) });
}

/** Sends a change and runs its deployment to the end. */
async function deployed(method: Method, url: string, payload?: unknown): Promise<Json> {
  const res = await request(method, url, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  const result = json(res);
  const deploymentId = (result.deploymentId ?? result.deployments[0].id) as string;
  await h.finish(deploymentId);
  return result;
}

function roleViolation(res: LightMyRequestResponse, role: string, valid: string): void {
  expect(res.statusCode, res.body).toBe(422);
  expect(json(res)).toEqual({
    message: 'Object is not valid',
    details: [{ path: '/role', errors: [`got ${role}, expected one of: [${valid}]`] }],
  });
}

const sleeper = (id: string, extra: Json = {}): Json => ({ id, cmd: 'sleep 100', instances: 0, ...extra });

describe('apps below a top-level group with enforceRole', () => {
  beforeEach(async () => {
    await deployed('POST', '/v2/groups', { id: '/dev', enforceRole: true });
  });

  it('an app without a role gets the group name as its role, also in nested groups', async () => {
    const created = await request('POST', '/v2/apps', sleeper('/dev/web'));
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created).role).toBe('dev');
    await request('POST', '/v2/apps', sleeper('/dev/back/db'));
    expect(h.service.app('/dev/back/db')?.role).toBe('dev');
    const shown = json(await request('GET', '/v2/apps/dev/web'));
    expect(shown.app.role).toBe('dev');
  });

  it('another role is refused with Marathon 422 answer (--mesos_role is not valid either)', async () => {
    roleViolation(await request('POST', '/v2/apps', sleeper('/dev/web', { role: 'marathon' })), 'marathon', 'dev');
    roleViolation(await request('PUT', '/v2/apps/dev/web', { cmd: 'sleep 1', role: 'ops' }), 'ops', 'dev');
    expect(h.service.app('/dev/web')).toBeUndefined();
  });

  it('an app made before the group enforced its role keeps that role valid', async () => {
    const patched = await request('PATCH', '/v2/groups/dev', { enforceRole: false });
    expect(patched.statusCode).toBe(200);
    await deployed('POST', '/v2/apps', sleeper('/dev/legacy'));
    expect(h.service.app('/dev/legacy')?.role).toBe('marathon');
    expect((await request('PATCH', '/v2/groups/dev', { enforceRole: true })).statusCode).toBe(200);

    // A partial update keeps the stored role; stating it again is allowed too.
    await deployed('PUT', '/v2/apps/dev/legacy', { cmd: 'sleep 200' });
    expect(h.service.app('/dev/legacy')?.role).toBe('marathon');
    await deployed('PUT', '/v2/apps/dev/legacy', { cmd: 'sleep 300', role: 'marathon' });
    // A full replacement without a role takes the group's role; the old role stays valid.
    await deployed('PUT', '/v2/apps/dev/legacy?partialUpdate=false', sleeper('/dev/legacy'));
    expect(h.service.app('/dev/legacy')?.role).toBe('dev');
    roleViolation(await request('PUT', '/v2/apps/dev/legacy', { role: 'ops' }), 'ops', 'dev');
  });

  it('apps posted inside a group update get the same default and check', async () => {
    await deployed('PUT', '/v2/groups/dev', { enforceRole: true, apps: [sleeper('api')] });
    expect(h.service.app('/dev/api')?.role).toBe('dev');
    const refused = await request('PUT', '/v2/groups/dev', { enforceRole: true, apps: [sleeper('api', { role: 'marathon' })] });
    roleViolation(refused, 'marathon', 'dev');
    const created = await request('POST', '/v2/groups', { id: '/qa', enforceRole: true, apps: [sleeper('web')] });
    expect(created.statusCode, created.body).toBe(201);
    expect(h.service.app('/qa/web')?.role).toBe('qa');

    // GroupNormalization reads a nested group's own (absent) flag: the default is still the group
    // role, but --mesos_role is accepted there too, as in Marathon.
    const nested = { enforceRole: true, groups: [{ id: 'sub', apps: [sleeper('a'), sleeper('b', { role: 'marathon' })] }] };
    await deployed('PUT', '/v2/groups/dev', nested);
    expect(h.service.app('/dev/sub/a')?.role).toBe('dev');
    expect(h.service.app('/dev/sub/b')?.role).toBe('marathon');
  });

  it('a request that changes services may not also change an existing group flag', async () => {
    const res = await request('PUT', '/v2/groups', { groups: [{ id: '/dev', apps: [sleeper('api')] }] });
    expect(res.statusCode, res.body).toBe(422);
    expect(json(res)).toEqual({
      message: 'Object is not valid',
      details: [
        {
          path: '/groups(0)/enforceRole',
          errors: ['enforceRole cannot be modified in a request that adds, removes or modifies services; please make these changes in separate requests.'],
        },
      ],
    });
  });
});

describe('apps without role enforcement', () => {
  it('default to --mesos_role and may use it, the group name or their current role', async () => {
    await deployed('POST', '/v2/groups', { id: '/dev' });
    const created = await request('POST', '/v2/apps', sleeper('/dev/web'));
    expect(json(created).role).toBe('marathon');
    expect((await request('POST', '/v2/apps', sleeper('/dev/own', { role: 'dev' }))).statusCode).toBe(201);
    roleViolation(await request('POST', '/v2/apps', sleeper('/dev/ops', { role: 'ops' })), 'ops', 'marathon, dev');
    // A top-level group created implicitly by an app does not enforce either.
    expect(json(await request('POST', '/v2/apps', sleeper('/other/web'))).role).toBe('marathon');
  });

  it('apps directly under / may only use --mesos_role', async () => {
    roleViolation(await request('POST', '/v2/apps', sleeper('/web', { role: 'web' })), 'web', 'marathon');
    expect(json(await request('POST', '/v2/apps', sleeper('/web'))).role).toBe('marathon');
  });

  it('enforceRole on a group that is not top-level is refused', async () => {
    const res = await request('POST', '/v2/groups', { id: '/dev/sub', enforceRole: true });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toEqual({
      message: 'Object is not valid',
      details: [{ path: '/enforceRole', errors: ['enforceRole can only be set for top-level groups, and /dev/sub is not top-level'] }],
    });
    // Marathon normalises the flag of `/` to false, so asking for it there is silently ignored.
    expect((await request('PUT', '/v2/groups', { enforceRole: true })).statusCode).toBe(200);
    expect(json(await request('GET', '/v2/groups')).enforceRole).toBeUndefined();
  });

  it('a group update that leaves the flag out turns it off (no services changed)', async () => {
    await deployed('POST', '/v2/groups', { id: '/dev', enforceRole: true });
    await deployed('PUT', '/v2/groups/dev', { dependencies: [] });
    expect(json(await request('GET', '/v2/groups/dev')).enforceRole).toBe(false);
  });
});

describe('PATCH /v2/groups/{id}', () => {
  it('sets the flag: 200 with an empty body, a new root version, no task restarted', async () => {
    await deployed('POST', '/v2/groups', { id: '/dev', apps: [sleeper('web', { instances: 1 })] });
    const before = h.service.root().version;
    const task = h.cluster.tracker.ofApp('/dev/web').map((i) => i.instanceId);
    expect(task).toHaveLength(1);

    const res = await request('PATCH', '/v2/groups/dev', { enforceRole: true, apps: [] });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(h.service.root().version).not.toBe(before);
    expect(json(await request('GET', '/v2/groups/dev')).enforceRole).toBe(true);
    // `apps` in the body is not part of GroupPartialUpdate: the app is still there, on the same instance.
    expect(h.service.app('/dev/web')?.role).toBe('marathon');
    for (const d of h.service.deployments()) await h.finish(d.id);
    expect(h.cluster.tracker.ofApp('/dev/web').map((i) => i.instanceId)).toEqual(task);

    // The flag now applies to new apps; a body without it turns it off again.
    expect(json(await request('POST', '/v2/apps', sleeper('/dev/api'))).role).toBe('dev');
    expect((await request('PATCH', '/v2/groups/dev', {})).statusCode).toBe(200);
    expect(json(await request('GET', '/v2/groups/dev')).enforceRole).toBe(false);
  });

  it('404 for a missing group, 422 for a group that is not top-level', async () => {
    const missing = await request('PATCH', '/v2/groups/nope', { enforceRole: true });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "Group '/nope' does not exist" });

    await deployed('POST', '/v2/groups', { id: '/dev', groups: [{ id: 'sub' }] });
    const nested = await request('PATCH', '/v2/groups/dev/sub', { enforceRole: true });
    expect(nested.statusCode).toBe(422);
    expect(json(nested)).toEqual({ message: 'Object is not valid', details: [{ path: '/', errors: ['Path needs to be top-level'] }] });
    expect(json(await request('GET', '/v2/groups/dev/sub')).enforceRole).toBeUndefined();
  });

  it('PATCH on /v2/groups itself is not allowed', async () => {
    expect((await request('PATCH', '/v2/groups', { enforceRole: true })).statusCode).toBe(405);
  });

  it('type errors in the body are Invalid JSON', async () => {
    await deployed('POST', '/v2/groups', { id: '/dev' });
    const res = await request('PATCH', '/v2/groups/dev', { enforceRole: 'yes' });
    expect(res.statusCode).toBe(422);
    expect(json(res)).toEqual({ message: 'Invalid JSON', details: [{ path: '/enforceRole', errors: ['error.expected.jsboolean'] }] });
  });
});

describe('--new_group_enforce_role top', () => {
  let top: Harness;
  beforeEach(async () => {
    top = await harness({ appParse: { mesosRole: 'marathon', newGroupEnforceRole: true } });
  });
  afterEach(async () => {
    await top.app.close();
  });
  const send = (method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
    top.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Json }) });

  it('a top-level group created implicitly by an app enforces its role, and the app gets the group name as role', async () => {
    const created = await send('POST', '/v2/apps', sleeper('/team/web'));
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created).role).toBe('team');
    const group = json(await send('GET', '/v2/groups/team'));
    expect(group.enforceRole).toBe(true);
    // Only the group's role is valid below it now.
    roleViolation(await send('POST', '/v2/apps', sleeper('/team/other', { role: 'marathon' })), 'marathon', 'team');
  });

  it('a top-level group created by POST /v2/groups without enforceRole enforces it; one that says false does not', async () => {
    const made = await send('POST', '/v2/groups', { id: '/ops' });
    expect(made.statusCode, made.body).toBe(201);
    expect(json(await send('GET', '/v2/groups/ops')).enforceRole).toBe(true);
    const off = await send('POST', '/v2/groups', { id: '/lab', enforceRole: false });
    expect(off.statusCode, off.body).toBe(201);
    expect(json(await send('GET', '/v2/groups/lab')).enforceRole).toBe(false);
  });

  it('a group created by PUT below a missing top-level group makes that top-level group enforce its role', async () => {
    const put = await send('PUT', '/v2/groups/area/sub', { apps: [sleeper('/area/sub/app')] });
    expect(put.statusCode, put.body).toBeLessThan(300);
    expect(json(await send('GET', '/v2/groups/area')).enforceRole).toBe(true);
    expect(top.service.app('/area/sub/app')?.role).toBe('area');
  });

  it('apps at the root are not in any group and keep --mesos_role', async () => {
    const created = await send('POST', '/v2/apps', sleeper('/solo'));
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created).role).toBe('marathon');
  });
});

/**
 * Group version history through the REST facade over the real PacerServiceImpl (fake cluster,
 * in-memory store with the Store contract's semantics): listing, reading and reverting.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../scheduler/fakes/memory-store.js';
import { harness, json, type Harness, type Json } from './harness.js';

let h: Harness | undefined;

afterEach(async () => {
  await h?.app.close();
  h = undefined;
});

async function start(opts: { store?: MemoryStore; maxVersions?: number } = {}): Promise<void> {
  h = await harness({ store: opts.store, serviceOptions: { maxVersions: opts.maxVersions } });
}

async function request(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return h!.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Json }) });
}

/** Sends a change and runs its deployment to the end; answers the new root version. */
async function deployed(method: 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<string> {
  const res = await request(method, url, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  const result = json(res);
  // Group and app updates answer a DeploymentResult; POST /v2/apps answers the app.
  const deploymentId = (result.deploymentId ?? result.deployments[0].id) as string;
  await h!.finish(deploymentId);
  expect(h!.service.deployments()).toEqual([]);
  return result.version as string;
}

function running(appId: string): Array<{ runSpecVersion: string }> {
  return h!.cluster.tracker.ofApp(appId).filter((i) => i.goal === 'Running' && i.condition === 'Running');
}

const SHOP = {
  id: '/shop',
  apps: [{ id: 'web', cmd: 'sleep 100', instances: 2 }],
  groups: [{ id: 'db', apps: [{ id: '/shop/db/pg', cmd: 'sleep 100', instances: 1 }] }],
};

/** v1: /shop with web (2) and db/pg; v2: web changed to 3 instances + new cmd; v3: /shop/cache added. */
async function threeVersions(): Promise<[string, string, string]> {
  const v1 = await deployed('POST', '/v2/groups', SHOP);
  const v2 = await deployed('PUT', '/v2/apps/shop/web', { cmd: 'sleep 200', instances: 3 });
  const v3 = await deployed('POST', '/v2/apps', { id: '/shop/cache', cmd: 'sleep 100', instances: 1 });
  return [v1, v2, v3];
}

describe('group versions over the real service', () => {
  it('lists the root versions in which a group existed, newest first; 404 for a group that is gone', async () => {
    await start();
    const initial = json(await request('GET', '/v2/groups')).version as string;
    const [v1, v2, v3] = await threeVersions();
    const other = await deployed('POST', '/v2/groups', { id: '/other', apps: [] });

    const rootList = await request('GET', '/v2/groups/versions');
    expect(rootList.statusCode).toBe(200);
    expect(json(rootList)).toEqual([other, v3, v2, v1, initial]);
    expect(json(await request('GET', '/v2/groups/shop/versions'))).toEqual([other, v3, v2, v1]);
    expect(json(await request('GET', '/v2/groups/other/versions'))).toEqual([other]);
    expect(json(await request('GET', '/v2/groups/shop/db/versions'))).toEqual([other, v3, v2, v1]);

    const missing = await request('GET', '/v2/groups/nope/versions');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: "Group '/nope' does not exist" });
  });

  it('shows a group as it was in a version; 404 for an unknown version or a group not in it', async () => {
    await start();
    const [v1] = await threeVersions();
    const then = await request('GET', `/v2/groups/shop/versions/${v1}`);
    expect(then.statusCode, then.body).toBe(200);
    const body = json(then);
    expect(body.id).toBe('/shop');
    expect(body.apps.map((a: Json) => [a.id, a.instances, a.cmd])).toEqual([['/shop/web', 2, 'sleep 100']]);
    expect(body.groups.map((g: Json) => g.id)).toEqual(['/shop/db']);
    expect(body.groups[0].apps[0].id).toBe('/shop/db/pg');

    // The same instant written with an offset names the same version.
    const withOffset = encodeURIComponent(v1.replace(/Z$/, '+00:00'));
    expect((await request('GET', `/v2/groups/shop/versions/${withOffset}`)).statusCode).toBe(200);

    const rootThen = json(await request('GET', `/v2/groups/versions/${v1}`));
    expect(rootThen.groups.map((g: Json) => g.id)).toEqual(['/shop']);

    const unknown = await request('GET', '/v2/groups/shop/versions/2001-01-01T00:00:00.000Z');
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ message: "Group '/shop' does not exist" });
    const notThere = await request('GET', `/v2/groups/shop/cache/versions/${v1}`);
    expect(notThere.statusCode).toBe(404);
    const garbage = await request('GET', '/v2/groups/shop/versions/yesterday');
    expect(garbage.statusCode).toBe(404);
  });

  it('PUT {version} reverts: an app added later is removed, a changed app gets its old definition back', async () => {
    await start();
    const [v1] = await threeVersions();
    const res = await request('PUT', '/v2/groups/shop', { version: v1 });
    expect(res.statusCode, res.body).toBe(200);
    const result = json(res);
    expect(Object.keys(result).sort()).toEqual(['deploymentId', 'version']);
    expect(res.headers['marathon-deployment-id']).toBe(result.deploymentId);

    const plan = json(await request('GET', '/v2/deployments')).find((d: Json) => d.id === result.deploymentId);
    expect(plan.affectedApps.sort()).toEqual(['/shop/cache', '/shop/web']);
    await h!.finish(result.deploymentId);

    const shop = json(await request('GET', '/v2/groups/shop'));
    expect(shop.apps.map((a: Json) => [a.id, a.instances, a.cmd])).toEqual([['/shop/web', 2, 'sleep 100']]);
    expect(h!.service.app('/shop/cache')).toBeUndefined();
    expect(h!.service.app('/shop/web')!.version).toBe(result.version);
    expect(running('/shop/web')).toHaveLength(2);
    expect(running('/shop/web').every((i) => i.runSpecVersion === result.version)).toBe(true);
    expect(running('/shop/cache')).toHaveLength(0);
    expect(running('/shop/db/pg')).toHaveLength(1);
    // The revert is a version of its own.
    expect(json(await request('GET', '/v2/groups/shop/versions'))[0]).toBe(result.version);
  });

  it('reverting the root brings back a deleted group with its apps', async () => {
    await start();
    const v1 = await deployed('POST', '/v2/groups', SHOP);
    await deployed('DELETE', '/v2/groups/shop');
    expect(h!.service.app('/shop/web')).toBeUndefined();

    const version = await deployed('PUT', '/v2/groups', { version: v1 });
    expect([...h!.service.root().apps.keys()].sort()).toEqual(['/shop/db/pg', '/shop/web']);
    expect(h!.service.app('/shop/web')).toMatchObject({ instances: 2, cmd: 'sleep 100', version });
    expect(running('/shop/web')).toHaveLength(2);
    expect(running('/shop/db/pg')).toHaveLength(1);
  });

  it('a revert locked by a running deployment is refused with 409 unless forced', async () => {
    await start();
    const [v1] = await threeVersions();
    const pending = json(await request('PUT', '/v2/apps/shop/web', { instances: 5 }));
    const locked = await request('PUT', '/v2/groups/shop', { version: v1 });
    expect(locked.statusCode).toBe(409);
    expect(json(locked).deployments).toEqual([{ id: pending.deploymentId }]);
    expect(h!.service.app('/shop/web')!.instances).toBe(5);

    const forced = await request('PUT', '/v2/groups/shop?force=true', { version: v1 });
    expect(forced.statusCode, forced.body).toBe(200);
    await h!.finish(json(forced).deploymentId);
    expect(h!.service.app('/shop/web')).toMatchObject({ instances: 2, cmd: 'sleep 100' });
    expect(running('/shop/web')).toHaveLength(2);
  });

  it('a version the group was not in is 422; dryRun answers the revert steps and changes nothing', async () => {
    await start();
    const [v1, , v3] = await threeVersions();
    const unknown = await request('PUT', '/v2/groups/shop', { version: '2001-01-01T00:00:00.000Z' });
    expect(unknown.statusCode).toBe(422);
    expect(json(unknown).message).toBe('Group /shop not available in version 2001-01-01T00:00:00.000Z');
    const notYet = await request('PUT', '/v2/groups/shop/cache', { version: v1 });
    expect(notYet.statusCode).toBe(422);

    const dry = await request('PUT', '/v2/groups/shop?dryRun=true', { version: v1 });
    expect(dry.statusCode, dry.body).toBe(200);
    const actions = json(dry).steps.flatMap((s: Json) => s.actions.map((a: Json) => `${a.action} ${a.app}`));
    expect(actions.sort()).toEqual(['RestartApplication /shop/web', 'StopApplication /shop/cache']);
    expect(h!.service.root().version).toBe(v3);
  });

  it('keeps at most maxVersions root versions, dropping the oldest', async () => {
    await start({ maxVersions: 3 });
    const versions: string[] = [await deployed('POST', '/v2/apps', { id: '/a', cmd: 'sleep 1', instances: 0 })];
    for (const instances of [1, 2, 3]) versions.push(await deployed('PUT', '/v2/apps/a', { instances }));
    expect(json(await request('GET', '/v2/groups/versions'))).toEqual(versions.slice(-3).reverse());
    expect((await request('GET', `/v2/groups/versions/${versions[0]}`)).statusCode).toBe(404);
    expect((await request('PUT', '/v2/groups', { version: versions[0] })).statusCode).toBe(422);
  });

  it('the history survives a restart on the same store', async () => {
    const store = new MemoryStore();
    await start({ store });
    const [v1, v2, v3] = await threeVersions();
    await h!.app.close();

    await start({ store });
    expect(json(await request('GET', '/v2/groups/shop/versions'))).toEqual([v3, v2, v1]);
    const then = json(await request('GET', `/v2/groups/shop/versions/${v1}`));
    expect(then.apps.map((a: Json) => a.cmd)).toEqual(['sleep 100']);
  });
});

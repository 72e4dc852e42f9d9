import { afterEach, describe, expect, it } from 'vitest';
import { putApp, removeApp } from '../../../src/model/groups/root-group.js';
import { app } from '../fakes/apps.js';
import { settle } from '../fakes/fake-cluster.js';
import { startHarness, type Harness } from '../fakes/harness.js';
import type { MemoryStore } from '../fakes/memory-store.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.stop();
  h = undefined;
});

describe('root history of the service', () => {
  it('a fresh service knows only its current root version', async () => {
    h = await startHarness();
    const history = h.service.rootHistory;
    const current = h.service.root();
    expect(history.versions()).toEqual([current.version]);
    expect(await history.tree(current.version)).toBe(current.root);
    expect(await history.root('2001-01-01T00:00:00.000Z')).toBeUndefined();
    expect(await history.tree('2001-01-01T00:00:00.000Z')).toBeUndefined();
  });

  it('a removed app keeps the versions stored roots refer to, and loses the others', async () => {
    h = await startHarness({ service: { maxVersions: 2 } });
    const v1 = await h.deploy(app('/gone', { instances: 1 }));
    await h.finish(v1);
    const v2 = await h.deploy({ ...h.service.app('/gone')!, instances: 2 });
    await h.finish(v2);
    const v3 = await h.change((root) => putApp(root, app('/other', { instances: 0 })));
    await h.finish(v3);
    const v4 = await h.change((root) => removeApp(root, '/gone'));
    await h.finish(v4);
    await settle();

    expect(h.service.rootHistory.versions()).toEqual([v4.version, v3.version]);
    const store = h.store as MemoryStore;
    // v1's root was pruned, so /gone's first version went with the purge; v3 still refers to v2's.
    expect(store.keys('appVersions').filter((k) => k.startsWith('/gone#'))).toEqual([`/gone#${v2.version}`]);
    const then = await h.service.rootHistory.root(v3.version);
    expect(then?.apps.get('/gone')).toMatchObject({ instances: 2 });
    expect(then?.root.apps.sort()).toEqual(['/gone', '/other']);
  });

  it('an app version that is gone is left out of the old root, tree included', async () => {
    h = await startHarness();
    const v1 = await h.deploy(app('/a', { instances: 0 }));
    await h.finish(v1);
    await h.finish(await h.deploy({ ...h.service.app('/a')!, instances: 1 }));
    await h.store.apply([{ op: 'delete', collection: 'appVersions', key: `/a#${v1.version}` }]);
    const then = await h.service.rootHistory.root(v1.version);
    expect(then?.apps.has('/a')).toBe(false);
    expect(then?.root.apps).toEqual([]);
  });
});

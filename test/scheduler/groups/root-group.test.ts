import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src/scheduler/contracts.js';
import {
  allGroups,
  dependencyLayers,
  emptyRootGroup,
  findGroup,
  groupViolations,
  putApp,
  putGroup,
  removeApp,
  removeGroup,
  setGroupDependencies,
  transitiveAppIds,
  updateTransitiveApps,
  validateRootGroup,
  withGroupVersions,
} from '../../../src/scheduler/groups/index.js';
import { app } from '../fakes/apps.js';

describe('root group operations', () => {
  it('creates intermediate groups when an app is put, and leaves the old root untouched', () => {
    const before = emptyRootGroup();
    const after = putApp(before, app('/prod/web/frontend'));
    expect(before.apps.size).toBe(0);
    expect(before.root.groups).toEqual([]);
    expect(allGroups(after).map((g) => g.id)).toEqual(['/', '/prod', '/prod/web']);
    expect(findGroup(after, '/prod/web')?.apps).toEqual(['/prod/web/frontend']);
    // Top-level groups carry enforceRole (false by default), deeper ones do not.
    expect(findGroup(after, '/prod')?.enforceRole).toBe(false);
    expect(findGroup(after, '/prod/web')?.enforceRole).toBeUndefined();
  });

  it('replaces an empty group with an app of the same id but keeps a non-empty one', () => {
    let root = setGroupDependencies(emptyRootGroup(), '/a/b', []);
    root = putApp(root, app('/a/b'));
    expect(findGroup(root, '/a')?.groups.map((g) => g.id)).toEqual([]);
    expect(findGroup(root, '/a')?.apps).toEqual(['/a/b']);

    let busy = putApp(emptyRootGroup(), app('/x/y/z'));
    busy = putApp(busy, app('/x/y'));
    expect(findGroup(busy, '/x/y')?.apps).toEqual(['/x/y/z']);
    expect(groupViolations(busy)).toEqual([{ path: '/groups(0)', errors: ['Groups and Applications may not have the same identifier.'] }]);
  });

  it('removes apps and whole subtrees', () => {
    let root = putApp(putApp(putApp(emptyRootGroup(), app('/a/one')), app('/a/b/two')), app('/c'));
    expect(transitiveAppIds(root, '/a').sort()).toEqual(['/a/b/two', '/a/one']);
    root = removeApp(root, '/a/one');
    expect(root.apps.has('/a/one')).toBe(false);
    expect(findGroup(root, '/a')?.apps).toEqual([]);
    root = removeGroup(root, '/a');
    expect([...root.apps.keys()]).toEqual(['/c']);
    expect(findGroup(root, '/a')).toBeUndefined();
    expect(removeGroup(root, '/').apps.size).toBe(0);
  });

  it('puts a group subtree, dropping apps of the old subtree that are not in the new one', () => {
    let root = putApp(putApp(emptyRootGroup(), app('/g/old')), app('/other'));
    root = putGroup(root, { id: '/g', apps: ['/g/new'], groups: [], dependencies: [], version: root.version }, [app('/g/new')]);
    expect([...root.apps.keys()].sort()).toEqual(['/g/new', '/other']);
    expect(findGroup(root, '/g')?.enforceRole).toBe(false);
  });

  it('scales every app under a group and stamps every group with the new version', () => {
    let root = putApp(putApp(emptyRootGroup(), app('/g/a', { instances: 2 })), app('/h', { instances: 3 }));
    root = updateTransitiveApps(root, '/g', (a) => ({ ...a, instances: Math.ceil(a.instances * 1.5) }));
    expect(root.apps.get('/g/a')?.instances).toBe(3);
    expect(root.apps.get('/h')?.instances).toBe(3);
    const stamped = withGroupVersions(root, '2024-05-01T00:00:00.000Z');
    expect(new Set(allGroups(stamped).map((g) => g.version))).toEqual(new Set(['2024-05-01T00:00:00.000Z']));
    expect(stamped.version).toBe('2024-05-01T00:00:00.000Z');
  });
});

describe('dependencies', () => {
  it('orders apps by longest dependency path, resolving app and group dependencies', () => {
    let root = emptyRootGroup();
    root = putApp(root, app('/shop/db'));
    root = putApp(root, app('/shop/cache'));
    root = putApp(root, app('/shop/api', { dependencies: ['/shop/db'] }));
    root = putApp(root, app('/shop/web', { dependencies: ['/shop/api', '/shop/cache'] }));
    root = putApp(root, app('/tools/report'));
    root = setGroupDependencies(root, '/tools', ['/shop']);
    const layers = dependencyLayers(root, root.apps.keys());
    expect(layers).toEqual([['/shop/cache', '/shop/db'], ['/shop/api'], ['/shop/web'], ['/tools/report']]);
  });

  it('ignores dependencies that name nothing', () => {
    const root = putApp(emptyRootGroup(), app('/a', { dependencies: ['/does/not/exist'] }));
    expect(() => validateRootGroup(root)).not.toThrow();
    expect(dependencyLayers(root, ['/a'])).toEqual([['/a']]);
  });

  it("rejects cyclic dependencies with Marathon's message", () => {
    let root = emptyRootGroup();
    root = putApp(root, app('/x/a', { dependencies: ['/x/b'] }));
    root = putApp(root, app('/x/b', { dependencies: ['/y'] }));
    root = putApp(root, app('/y/c', { dependencies: ['/x/a'] }));
    let caught: unknown;
    try {
      validateRootGroup(root);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ServiceError);
    const error = caught as ServiceError;
    expect(error.status).toBe(422);
    expect(error.message).toBe('Object is not valid');
    expect(error.extra).toEqual({ details: [{ path: '/', errors: ['Dependency graph has cyclic dependencies.'] }] });
  });

  it('reports an app and a group sharing an id at the root level', () => {
    let root = putApp(emptyRootGroup(), app('/clash/inner'));
    root = { ...root, root: { ...root.root, apps: ['/clash'] }, apps: new Map([...root.apps, ['/clash', app('/clash')]]) };
    expect(groupViolations(root)).toEqual([{ path: '/', errors: ['Groups and Applications may not have the same identifier.'] }]);
  });
});

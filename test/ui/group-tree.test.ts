import { describe, expect, it } from 'vitest';
import { instancesAfterScale } from '../../src/ui/app/group-actions.js';
import { breadcrumbOf, groupHref, groupIdsOf, groupLevel, parentGroupOf, relativeName } from '../../src/ui/app/group-tree.js';
import type { AppInfo } from '../../src/ui/app/marathon-types.js';
import { parseRoute } from '../../src/ui/app/router.js';
import type { AppStatus } from '../../src/ui/app/status.js';
import type { AppRow } from '../../src/ui/app/store.js';

const row = (id: string, fields: Partial<AppInfo> = {}, status: AppStatus = 'Running'): AppRow => ({
  app: { id, instances: 1, tasksRunning: 1, cpus: 0.5, mem: 64, ...fields },
  status,
  progress: undefined,
  queued: undefined,
});

const ROWS = [
  row('/shop/backend/cache', { instances: 0, tasksRunning: 0 }, 'Suspended'),
  row('/shop/backend/db', { instances: 2, tasksRunning: 1, tasksHealthy: 1 }, 'Deploying'),
  row('/shop/web', { instances: 3, tasksRunning: 3, cpus: 0.1, mem: 32 }),
  row('/solo'),
  row('/tools/cli', {}, 'Delayed'),
];

describe('groupLevel: folders derived from app ids', () => {
  it('lists the root: top-level groups as folders with totals of every app below, then root apps', () => {
    const level = groupLevel(ROWS, '/');
    expect(level.apps.map((r) => r.app.id)).toEqual(['/solo']);
    expect(level.below).toHaveLength(5);
    expect(level.folders.map((f) => f.id)).toEqual(['/shop', '/tools']);
    const shop = level.folders[0]!;
    expect(shop).toMatchObject({ name: 'shop', apps: 3, tasksRunning: 4, instances: 5, status: 'Deploying' });
    // Σ cpus × instances and Σ mem × instances, as Marathon's UI totals a group.
    expect(shop.totalCpus).toBeCloseTo(0.5 * 0 + 0.5 * 2 + 0.1 * 3);
    expect(shop.totalMem).toBe(64 * 2 + 32 * 3);
    expect(shop.health).toEqual({ healthy: 1, unhealthy: 0, unknown: 3, staged: 0 });
    expect(level.folders[1]).toMatchObject({ name: 'tools', apps: 1, status: 'Delayed' });
  });

  it('lists a nested group: its sub-groups and its own apps only', () => {
    const level = groupLevel(ROWS, '/shop');
    expect(level.folders.map((f) => [f.id, f.apps])).toEqual([['/shop/backend', 2]]);
    expect(level.apps.map((r) => r.app.id)).toEqual(['/shop/web']);
    expect(level.below.map((r) => r.app.id)).toEqual(['/shop/backend/cache', '/shop/backend/db', '/shop/web']);
    const leaf = groupLevel(ROWS, '/shop/backend');
    expect(leaf.folders).toEqual([]);
    expect(leaf.apps.map((r) => r.app.id)).toEqual(['/shop/backend/cache', '/shop/backend/db']);
  });

  it('adds the groups the server knows that have no app below them, as empty folders', () => {
    const known = groupIdsOf({
      id: '/',
      groups: [
        { id: '/empty', groups: [{ id: '/empty/deeper' }] },
        { id: '/shop', groups: [{ id: '/shop/backend' }] },
      ],
    });
    expect(known).toEqual(['/empty', '/empty/deeper', '/shop', '/shop/backend']);
    const root = groupLevel(ROWS, '/', known);
    expect(root.folders.map((f) => [f.id, f.apps])).toEqual([
      ['/empty', 0],
      ['/shop', 3],
      ['/tools', 1],
    ]);
    expect(groupLevel(ROWS, '/empty', known).folders.map((f) => f.id)).toEqual(['/empty/deeper']);
    expect(groupLevel(ROWS, '/shop', known).folders.map((f) => [f.id, f.apps])).toEqual([['/shop/backend', 2]]);
  });

  it('does not take an app whose id only starts with the group name for a member', () => {
    const level = groupLevel([row('/shop'), row('/shopping/cart'), row('/shop-2')], '/shop');
    expect(level.below).toEqual([]);
  });
});

describe('group paths', () => {
  it('names parents, relative names, breadcrumbs and hrefs', () => {
    expect(parentGroupOf('/shop/backend/db')).toBe('/shop/backend');
    expect(parentGroupOf('/shop')).toBe('/');
    expect(relativeName('/shop/backend/db', '/shop')).toBe('backend/db');
    expect(relativeName('/solo', '/')).toBe('solo');
    expect(breadcrumbOf('/shop/backend')).toEqual([
      { id: '/', label: 'Applications' },
      { id: '/shop', label: 'shop' },
      { id: '/shop/backend', label: 'backend' },
    ]);
    expect(groupHref('/')).toBe('#/apps');
    expect(groupHref('/a b/c')).toBe('#/groups/a%20b/c');
  });

  it('routes #/groups/<path> to the group page and a bare #/groups to the overview', () => {
    expect(parseRoute('#/groups/shop/backend')).toEqual({ view: 'group', groupId: '/shop/backend' });
    expect(parseRoute('#/groups/a%20b/')).toEqual({ view: 'group', groupId: '/a b' });
    expect(parseRoute(groupHref('/a b/c'))).toEqual({ view: 'group', groupId: '/a b/c' });
    expect(parseRoute('#/groups')).toEqual({ view: 'apps' });
  });

  it("previews Marathon's scaleBy: each app rounds up on its own", () => {
    expect(instancesAfterScale([2, 1, 1, 0], 2)).toBe(8);
    expect(instancesAfterScale([3, 1], 0.5)).toBe(3);
  });
});

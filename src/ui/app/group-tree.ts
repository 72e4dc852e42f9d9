/**
 * Groups as folders. Their apps and totals are derived from the app list the store already has
 * (GET /v2/apps, refreshed on every event): a group `/a/b` holds every app whose id starts with
 * `/a/b/`, so folders and app rows come from one snapshot and no app is fetched twice. Groups
 * with no app below them (created empty, or holding only pods) are known from the group tree
 * without its apps (GET /v2/groups?embed=group.groups: ids only, a few bytes per group).
 * Pure functions, no DOM.
 */
import type { AppStatus, HealthCounts } from './status.js';
import { healthCounts } from './status.js';
import type { AppRow } from './store.js';

export const ROOT_GROUP = '/';

/** One folder of a listing: the totals of every app below it, at any depth. */
export interface FolderSummary {
  /** The group's absolute id, e.g. `/shop/backend`. */
  id: string;
  /** Its last segment, e.g. `backend`. */
  name: string;
  apps: number;
  tasksRunning: number;
  instances: number;
  /** Σ cpus × instances, as Marathon's UI totals a group. */
  totalCpus: number;
  /** Σ mem × instances (MiB). */
  totalMem: number;
  health: HealthCounts;
  status: AppStatus;
}

/** The group tree as GET /v2/groups?embed=group.groups answers it (apps and pods left empty). */
export interface GroupNode {
  id: string;
  groups?: GroupNode[];
}

/** Every group id below the root of `tree`, sorted (the root itself is left out). */
export function groupIdsOf(tree: GroupNode): string[] {
  const ids: string[] = [];
  const walk = (node: GroupNode): void => {
    for (const child of node.groups ?? []) {
      ids.push(child.id);
      walk(child);
    }
  };
  walk(tree);
  return ids.sort();
}

export interface GroupLevel {
  /** Sub-groups of the group, by name. */
  folders: FolderSummary[];
  /** Apps directly in the group, by id. */
  apps: AppRow[];
  /** Every app at any depth below the group (for counts and the flat filter). */
  below: AppRow[];
}

/** `shop/backend`, `/shop/backend/` and `/shop//backend` all name `/shop/backend`; empty is the root. */
export function normaliseGroupId(raw: string): string {
  const segments = raw.split('/').filter((s) => s.length > 0);
  return segments.length === 0 ? ROOT_GROUP : `/${segments.join('/')}`;
}

/** The prefix every id below `groupId` starts with. */
function prefixOf(groupId: string): string {
  return groupId === ROOT_GROUP ? '/' : `${groupId}/`;
}

/** The group an app or group belongs to: `/a/b/c` -> `/a/b`, `/a` -> `/`. */
export function parentGroupOf(id: string): string {
  const cut = id.lastIndexOf('/');
  return cut <= 0 ? ROOT_GROUP : id.slice(0, cut);
}

/** `/shop/web` seen from `/shop` is `web`; from the root it stays `/shop/web`'s relative `shop/web`. */
export function relativeName(id: string, groupId: string): string {
  const prefix = prefixOf(groupId);
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

/** Where a folder's status comes from: the most pressing status of its apps. */
const STATUS_WEIGHT: Record<AppStatus, number> = { Delayed: 4, Waiting: 3, Deploying: 2, Running: 1, Suspended: 0 };

/**
 * What `groupId` shows: its sub-groups as folders (with totals) and the apps directly in it.
 * `rows` is in id order (the store keeps it sorted), so apps come out sorted too. `knownGroups`
 * (every group id the server has) adds the sub-groups that have no app below them.
 */
export function groupLevel(rows: Iterable<AppRow>, groupId: string, knownGroups: readonly string[] = []): GroupLevel {
  const prefix = prefixOf(groupId);
  const folders = new Map<string, FolderSummary>();
  const folderNamed = (name: string): FolderSummary => {
    let folder = folders.get(name);
    if (folder === undefined) {
      folder = {
        id: `${prefix}${name}`,
        name,
        apps: 0,
        tasksRunning: 0,
        instances: 0,
        totalCpus: 0,
        totalMem: 0,
        health: { healthy: 0, unhealthy: 0, unknown: 0, staged: 0 },
        status: 'Suspended',
      };
      folders.set(name, folder);
    }
    return folder;
  };
  const apps: AppRow[] = [];
  const below: AppRow[] = [];
  for (const row of rows) {
    const id = row.app.id;
    if (!id.startsWith(prefix)) continue;
    below.push(row);
    const rest = id.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) apps.push(row);
    else addApp(folderNamed(rest.slice(0, slash)), row);
  }
  for (const id of knownGroups) {
    if (id.startsWith(prefix) && parentGroupOf(id) === groupId) folderNamed(id.slice(prefix.length));
  }
  return { folders: [...folders.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), apps, below };
}

function addApp(folder: FolderSummary, row: AppRow): void {
  const { app } = row;
  const instances = app.instances ?? 0;
  folder.apps++;
  folder.tasksRunning += app.tasksRunning ?? 0;
  folder.instances += instances;
  folder.totalCpus += (app.cpus ?? 0) * instances;
  folder.totalMem += (app.mem ?? 0) * instances;
  const h = healthCounts(app);
  folder.health.healthy += h.healthy;
  folder.health.unhealthy += h.unhealthy;
  folder.health.unknown += h.unknown;
  folder.health.staged += h.staged;
  if (STATUS_WEIGHT[row.status] > STATUS_WEIGHT[folder.status]) folder.status = row.status;
}

export interface Crumb {
  id: string;
  label: string;
}

/** `/shop/backend` -> Applications › shop › backend, each with the group id it leads to. */
export function breadcrumbOf(groupId: string): Crumb[] {
  const crumbs: Crumb[] = [{ id: ROOT_GROUP, label: 'Applications' }];
  let id = '';
  for (const segment of groupId.split('/').filter((s) => s.length > 0)) {
    id = `${id}/${segment}`;
    crumbs.push({ id, label: segment });
  }
  return crumbs;
}

/** Href of a group's page; the root group is the apps overview. */
export function groupHref(groupId: string): string {
  if (groupId === ROOT_GROUP) return '#/apps';
  return `#/groups${groupId.split('/').map(encodeURIComponent).join('/')}`;
}

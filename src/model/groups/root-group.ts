/**
 * Immutable operations on the root group. Every operation returns a new RootGroup and shares
 * untouched subtrees with the old one. Apps live in one flat map keyed by absolute id; groups hold
 * app ids. Missing intermediate groups are created on the way down (Marathon's `mkdir -p`), and
 * top-level groups carry `enforceRole` (false unless set), as Marathon's Group.apply does.
 */
import { canonicalPathId, pathSegments } from '../apps/path-id.js';
import type { AppDefinition } from '../apps/types.js';
import type { PodDefinition } from '../pods/types.js';
import { timestamp, type Timestamp } from '../timestamp.js';
import type { Group, RootGroup } from './types.js';

export const ROOT_ID = '/';

export function emptyRootGroup(version: Timestamp = timestamp(0)): RootGroup {
  return { apps: new Map(), pods: new Map(), root: emptyGroup(ROOT_ID, version), version };
}

export function emptyGroup(id: string, version: Timestamp): Group {
  const group: Group = { id, apps: [], groups: [], dependencies: [], version };
  if (isTopLevel(id)) group.enforceRole = false;
  return group;
}

export function isTopLevel(id: string): boolean {
  return pathSegments(id).length === 1;
}

/** `/a/b/c` -> `/a/b`; `/a` -> `/`. */
export function parentId(id: string): string {
  const segments = pathSegments(id);
  return `/${segments.slice(0, -1).join('/')}`;
}

/** Ancestors of `id` from the root down, excluding `id` itself: `/a/b/c` -> [`/`, `/a`, `/a/b`]. */
export function ancestorIds(id: string): string[] {
  const segments = pathSegments(id);
  const out = [ROOT_ID];
  for (let i = 1; i < segments.length; i++) out.push(`/${segments.slice(0, i).join('/')}`);
  return out;
}

/** True when `id` equals `groupId` or lies below it. */
export function isUnder(id: string, groupId: string): boolean {
  if (groupId === ROOT_ID) return true;
  return id === groupId || id.startsWith(`${groupId}/`);
}

export function findGroup(root: RootGroup, id: string): Group | undefined {
  const target = canonicalPathId(id);
  let current: Group | undefined = root.root;
  if (target === ROOT_ID) return current;
  for (const step of [...ancestorIds(target).slice(1), target]) {
    current = current.groups.find((g) => g.id === step);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Every group of the tree, depth first, the root first. */
export function allGroups(root: RootGroup): Group[] {
  const out: Group[] = [];
  const visit = (group: Group): void => {
    out.push(group);
    group.groups.forEach(visit);
  };
  visit(root.root);
  return out;
}

/** Ids of the apps in `groupId` and all its subgroups (empty when the group does not exist). */
export function transitiveAppIds(root: RootGroup, groupId: string = ROOT_ID): string[] {
  const group = findGroup(root, groupId);
  if (group === undefined) return [];
  const out: string[] = [];
  const visit = (g: Group): void => {
    out.push(...g.apps);
    g.groups.forEach(visit);
  };
  visit(group);
  return out;
}

/** Ids of the pods in `groupId` and all its subgroups (empty when the group does not exist). */
export function transitivePodIds(root: RootGroup, groupId: string = ROOT_ID): string[] {
  const group = findGroup(root, groupId);
  if (group === undefined) return [];
  const out: string[] = [];
  const visit = (g: Group): void => {
    out.push(...(g.pods ?? []));
    g.groups.forEach(visit);
  };
  visit(group);
  return out;
}

export function transitiveApps(root: RootGroup, groupId: string = ROOT_ID): AppDefinition[] {
  return transitiveAppIds(root, groupId).flatMap((id) => {
    const app = root.apps.get(id);
    return app === undefined ? [] : [app];
  });
}

/**
 * Rebuilds the path from the root to `groupId` (creating missing groups with `version`), and
 * replaces the group at `groupId` by `edit(existing or new empty group)`.
 */
function editGroup(root: RootGroup, groupId: string, edit: (group: Group) => Group): Group {
  const rebuild = (group: Group, path: readonly string[]): Group => {
    if (path.length === 0) return edit(group);
    const [nextId, ...rest] = path as [string, ...string[]];
    const index = group.groups.findIndex((g) => g.id === nextId);
    const child = index >= 0 ? group.groups[index]! : emptyGroup(nextId, root.version);
    const rebuilt = rebuild(child, rest);
    const groups = index >= 0 ? group.groups.map((g, i) => (i === index ? rebuilt : g)) : [...group.groups, rebuilt];
    return { ...group, groups };
  };
  const path = groupId === ROOT_ID ? [] : [...ancestorIds(groupId).slice(1), groupId];
  return rebuild(root.root, path);
}

/**
 * Adds or replaces an app. Its parent groups are created when missing. An empty group with the
 * app's id is replaced by the app; a non-empty one is kept, and validation then reports the clash.
 */
export function putApp(root: RootGroup, app: AppDefinition): RootGroup {
  const id = app.id;
  const tree = editGroup(root, parentId(id), (group) => ({
    ...group,
    apps: group.apps.includes(id) ? group.apps : [...group.apps, id],
    groups: group.groups.filter((g) => g.id !== id || containsApps(g)),
  }));
  const apps = new Map(root.apps);
  apps.set(id, app);
  return { ...root, apps, root: tree };
}

/** Removes an app; a no-op when it does not exist. Its (possibly now empty) group stays. */
export function removeApp(root: RootGroup, appId: string): RootGroup {
  if (!root.apps.has(appId)) return root;
  const tree = editGroup(root, parentId(appId), (group) => ({ ...group, apps: group.apps.filter((a) => a !== appId) }));
  const apps = new Map(root.apps);
  apps.delete(appId);
  return { ...root, apps, root: tree };
}

/** Adds or replaces a pod; its parent groups are created when missing, as for apps. */
export function putPod(root: RootGroup, pod: PodDefinition): RootGroup {
  const id = pod.id;
  const tree = editGroup(root, parentId(id), (group) => {
    const pods = group.pods ?? [];
    return { ...group, pods: pods.includes(id) ? pods : [...pods, id], groups: group.groups.filter((g) => g.id !== id || containsApps(g)) };
  });
  const pods = new Map(root.pods);
  pods.set(id, pod);
  return { ...root, pods, root: tree };
}

/** Removes a pod; a no-op when it does not exist. Its (possibly now empty) group stays. */
export function removePod(root: RootGroup, podId: string): RootGroup {
  if (!root.pods.has(podId)) return root;
  const tree = editGroup(root, parentId(podId), (group) => ({ ...group, pods: (group.pods ?? []).filter((p) => p !== podId) }));
  const pods = new Map(root.pods);
  pods.delete(podId);
  return { ...root, pods, root: tree };
}

/**
 * Replaces the subtree at `group.id` with `group` and the given apps (add-or-replace, like
 * Marathon's putGroup). Apps that were under the old subtree and are not in `apps` are removed.
 * `group.apps` and the apps of subgroups must name exactly the ids in `apps`.
 */
export function putGroup(root: RootGroup, group: Group, apps: readonly AppDefinition[], pods?: readonly PodDefinition[]): RootGroup {
  const nextApps = new Map(root.apps);
  for (const id of transitiveAppIds(root, group.id)) nextApps.delete(id);
  for (const app of apps) nextApps.set(app.id, app);
  let result: RootGroup;
  if (group.id === ROOT_ID) {
    result = { ...root, apps: nextApps, root: { ...group } };
  } else {
    const normalised = isTopLevel(group.id) && group.enforceRole === undefined ? { ...group, enforceRole: false } : group;
    const parentTree = editGroup(root, parentId(group.id), (parent) => {
      const index = parent.groups.findIndex((g) => g.id === group.id);
      const groups = index >= 0 ? parent.groups.map((g, i) => (i === index ? normalised : g)) : [...parent.groups, normalised];
      return { ...parent, groups };
    });
    result = { ...root, apps: nextApps, root: parentTree };
  }
  // Pods: replaced like apps when given; otherwise those of the old subtree are kept in place.
  const oldPods = transitivePodIds(root, group.id);
  const nextPods = new Map(root.pods);
  for (const id of oldPods) nextPods.delete(id);
  result = { ...result, pods: nextPods };
  const kept = pods ?? oldPods.flatMap((id) => (root.pods.get(id) !== undefined ? [root.pods.get(id)!] : []));
  for (const pod of kept) result = putPod(result, pod);
  return result;
}

/** Removes a group and every app under it. Removing the root empties the tree. */
export function removeGroup(root: RootGroup, groupId: string): RootGroup {
  const id = canonicalPathId(groupId);
  const apps = new Map(root.apps);
  for (const appId of transitiveAppIds(root, id)) apps.delete(appId);
  const pods = new Map(root.pods);
  for (const podId of transitivePodIds(root, id)) pods.delete(podId);
  if (id === ROOT_ID) return { ...root, apps, pods, root: { ...root.root, apps: [], pods: [], groups: [] } };
  if (findGroup(root, id) === undefined) return root;
  const tree = editGroup(root, parentId(id), (parent) => ({ ...parent, groups: parent.groups.filter((g) => g.id !== id) }));
  return { ...root, apps, pods, root: tree };
}

/** Applies `fn` to every app under `groupId` (Marathon's updateTransitiveApps, used by scaleBy). */
export function updateTransitiveApps(root: RootGroup, groupId: string, fn: (app: AppDefinition) => AppDefinition): RootGroup {
  const apps = new Map(root.apps);
  for (const id of transitiveAppIds(root, groupId)) {
    const app = apps.get(id);
    if (app !== undefined) apps.set(id, fn(app));
  }
  return { ...root, apps };
}

/** Sets a group's dependencies (absolute ids), creating the group when missing. */
export function setGroupDependencies(root: RootGroup, groupId: string, dependencies: readonly string[]): RootGroup {
  const tree = editGroup(root, canonicalPathId(groupId), (group) => ({ ...group, dependencies: [...dependencies] }));
  return { ...root, root: tree };
}

/** Marathon gives every group of the new root the version of the change. */
export function withGroupVersions(root: RootGroup, version: Timestamp): RootGroup {
  const stamp = (group: Group): Group => ({ ...group, version, groups: group.groups.map(stamp) });
  return { ...root, root: stamp(root.root), version };
}

export function containsApps(group: Group): boolean {
  return group.apps.length > 0 || (group.pods?.length ?? 0) > 0 || group.groups.some(containsApps);
}

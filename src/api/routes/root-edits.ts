/**
 * Pure edits of the root group that the routes hand to `PacerService.updateRoot`. Each returns
 * a new RootGroup; the input is never mutated. Groups on the path of a change take the change's
 * version, and missing groups are created, as Marathon's `RootGroup.updateApp` does.
 */
import type { AppDefinition, Group, RootGroup, Timestamp } from '../../scheduler/contracts.js';
import { ancestorIds, parentId } from '../http/paths.js';

export function findGroup(root: Group, id: string): Group | undefined {
  if (root.id === id) return root;
  for (const child of root.groups) {
    if (id === child.id || id.startsWith(`${child.id}/`)) return findGroup(child, id);
  }
  return undefined;
}

/** Every app id in the group and its subgroups. */
export function transitiveAppIds(group: Group): string[] {
  return [...group.apps, ...group.groups.flatMap(transitiveAppIds)];
}

/**
 * A group created on the way to a change. A top-level one enforces its role when
 * `--new_group_enforce_role top` says so (Marathon's RootGroup.NewGroupStrategy).
 */
function emptyGroup(id: string, version: Timestamp, newGroupEnforceRole = false): Group {
  const group: Group = { id, apps: [], groups: [], dependencies: [], version };
  if (newGroupEnforceRole && id !== '/' && parentId(id) === '/') group.enforceRole = true;
  return group;
}

/** Applies `edit` to the group `targetId`, creating it (and its parents) when missing. */
function editGroup(group: Group, targetId: string, version: Timestamp, edit: (g: Group) => Group, newGroupEnforceRole = false): Group {
  if (group.id === targetId) return edit({ ...group, version });
  const path = ancestorIds(targetId);
  const nextId = path[path.indexOf(group.id) + 1] ?? targetId;
  const existing = group.groups.find((g) => g.id === nextId);
  const child = editGroup(existing ?? emptyGroup(nextId, version, newGroupEnforceRole), targetId, version, edit, newGroupEnforceRole);
  const groups = existing === undefined ? [...group.groups, child] : group.groups.map((g) => (g.id === nextId ? child : g));
  return { ...group, groups, version };
}

/** Adds or replaces an app; missing groups on its path are created (`newGroupEnforceRole`: `--new_group_enforce_role top`). */
export function putApp(root: RootGroup, app: AppDefinition, version: Timestamp, newGroupEnforceRole = false): RootGroup {
  const apps = new Map(root.apps);
  apps.set(app.id, app);
  const tree = editGroup(
    root.root,
    parentId(app.id),
    version,
    (g) => ({
      ...g,
      apps: g.apps.includes(app.id) ? [...g.apps] : [...g.apps, app.id],
    }),
    newGroupEnforceRole,
  );
  return { apps, pods: root.pods, root: tree, version };
}

export function removeApp(root: RootGroup, appId: string, version: Timestamp): RootGroup {
  const apps = new Map(root.apps);
  apps.delete(appId);
  const tree = editGroup(root.root, parentId(appId), version, (g) => ({ ...g, apps: g.apps.filter((id) => id !== appId) }));
  return { apps, pods: root.pods, root: tree, version };
}

/** Removes a group and everything under it; removing `/` empties the root. */
export function removeGroup(root: RootGroup, groupId: string, version: Timestamp): RootGroup {
  const doomed = findGroup(root.root, groupId);
  if (doomed === undefined) return root;
  const apps = new Map(root.apps);
  for (const id of transitiveAppIds(doomed)) apps.delete(id);
  // Pods go with their group.
  const pods = new Map([...root.pods].filter(([id]) => groupId !== '/' && !id.startsWith(`${groupId}/`)));
  if (groupId === '/') return { apps, pods, root: { ...emptyGroup('/', version), dependencies: [] }, version };
  const tree = editGroup(root.root, parentId(groupId), version, (g) => ({ ...g, groups: g.groups.filter((c) => c.id !== groupId) }));
  return { apps, pods, root: tree, version };
}

/** Replaces (or adds) the subtree at `group.id`, with its apps; apps no longer in it are removed. */
export function putGroup(
  root: RootGroup,
  group: Group,
  groupApps: ReadonlyMap<string, AppDefinition>,
  version: Timestamp,
  newGroupEnforceRole = false,
): RootGroup {
  const previous = findGroup(root.root, group.id);
  const apps = new Map(root.apps);
  if (previous !== undefined) for (const id of transitiveAppIds(previous)) apps.delete(id);
  for (const [id, app] of groupApps) apps.set(id, app);
  if (group.id === '/') return { apps, pods: root.pods, root: { ...group, version }, version };
  const tree = editGroup(
    root.root,
    parentId(group.id),
    version,
    (g) => ({
      ...g,
      groups: g.groups.some((c) => c.id === group.id) ? g.groups.map((c) => (c.id === group.id ? group : c)) : [...g.groups, group],
    }),
    newGroupEnforceRole,
  );
  return { apps, pods: root.pods, root: tree, version };
}

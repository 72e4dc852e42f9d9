/**
 * Pure edits of the root group that the routes hand to `PacerService.updateRoot`. Each returns
 * a new RootGroup; the input is never mutated. Groups on the path of a change take the change's
 * version, and missing groups are created, as Marathon's `RootGroup.updateApp` does.
 */
import type { AppDefinition, Group, PodDefinition, RootGroup, Timestamp } from '../../scheduler/contracts.js';
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

/** Every pod id in the group and its subgroups. */
export function transitivePodIds(group: Group): string[] {
  return [...(group.pods ?? []), ...group.groups.flatMap(transitivePodIds)];
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
  return { ...root, apps, root: tree, version };
}

export function removeApp(root: RootGroup, appId: string, version: Timestamp): RootGroup {
  const apps = new Map(root.apps);
  apps.delete(appId);
  const tree = editGroup(root.root, parentId(appId), version, (g) => ({ ...g, apps: g.apps.filter((id) => id !== appId) }));
  return { ...root, apps, root: tree, version };
}

/** Removes a group and everything under it, apps and pods; removing `/` empties the root. */
export function removeGroup(root: RootGroup, groupId: string, version: Timestamp): RootGroup {
  const doomed = findGroup(root.root, groupId);
  if (doomed === undefined) return root;
  const apps = new Map(root.apps);
  for (const id of transitiveAppIds(doomed)) apps.delete(id);
  const pods = new Map(root.pods);
  for (const id of transitivePodIds(doomed)) pods.delete(id);
  if (groupId === '/') return { ...root, apps, pods, root: { ...emptyGroup('/', version), dependencies: [] }, version };
  const tree = editGroup(root.root, parentId(groupId), version, (g) => ({ ...g, groups: g.groups.filter((c) => c.id !== groupId) }));
  return { ...root, apps, pods, root: tree, version };
}

/**
 * Replaces (or adds) the subtree at `group.id`, with its apps; apps no longer in it are removed. Group
 * bodies carry no pods (RAML GroupUpdate): pods stay with the groups of `group` that name them and are
 * removed with the groups that are gone.
 */
export function putGroup(
  root: RootGroup,
  group: Group,
  groupApps: ReadonlyMap<string, AppDefinition>,
  version: Timestamp,
  newGroupEnforceRole = false,
  /** Where the definitions of the pods `group` names come from: the current root, or an old one for a revert. */
  groupPods: ReadonlyMap<string, PodDefinition> = root.pods,
): RootGroup {
  const previous = findGroup(root.root, group.id);
  const apps = new Map(root.apps);
  const pods = new Map(root.pods);
  if (previous !== undefined) {
    for (const id of transitiveAppIds(previous)) apps.delete(id);
    for (const id of transitivePodIds(previous)) pods.delete(id);
  }
  for (const [id, app] of groupApps) apps.set(id, app);
  for (const id of transitivePodIds(group)) {
    const pod = groupPods.get(id);
    if (pod !== undefined) pods.set(id, pod);
  }
  if (group.id === '/') return { ...root, apps, pods, root: { ...group, version }, version };
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
  return { ...root, apps, pods, root: tree, version };
}

/**
 * Reverting a deployment (Marathon's DeploymentPlanReverter): the inverse of the change from
 * `original` to `target` is applied to the *current* root, so changes made by other deployments
 * since then survive. Apps first (they are locked by the deployment, so restoring the old
 * definition or removing an added app is safe), pods likewise, then groups, innermost first: removed groups get
 * their dependencies back, changed dependencies are undone, and added groups are removed when
 * they are still empty and unchanged.
 */
import { stableStringify } from '../../model/apps/read.js';
import type { Group, RootGroup } from '../contracts.js';
import { pathSegments } from '../../model/apps/path-id.js';
import { allGroups, containsApps, findGroup, putApp, putPod, removeApp, removeGroup, removePod, setGroupDependencies } from '../../model/groups/root-group.js';

function groupsById(root: RootGroup): Map<string, Group> {
  return new Map(allGroups(root).map((g) => [g.id, g]));
}

function revertApps(original: RootGroup, target: RootGroup, current: RootGroup): RootGroup {
  const ids = new Set([...original.apps.keys(), ...target.apps.keys()]);
  let result = current;
  for (const id of [...ids].sort()) {
    const before = original.apps.get(id);
    const after = target.apps.get(id);
    if (before !== undefined && after !== undefined && stableStringify(before) === stableStringify(after)) continue;
    result = before !== undefined ? putApp(result, before) : removeApp(result, id);
  }
  return result;
}

/** Pods as apps: the definition before the deployment comes back, a pod it added goes. */
function revertPods(original: RootGroup, target: RootGroup, current: RootGroup): RootGroup {
  const ids = new Set([...original.pods.keys(), ...target.pods.keys()]);
  let result = current;
  for (const id of [...ids].sort()) {
    const before = original.pods.get(id);
    const after = target.pods.get(id);
    if (before !== undefined && after !== undefined && stableStringify(before) === stableStringify(after)) continue;
    result = before !== undefined ? putPod(result, before) : removePod(result, id);
  }
  return result;
}

function without(values: readonly string[], removed: ReadonlySet<string>): string[] {
  return values.filter((v) => !removed.has(v));
}

function revertGroups(original: RootGroup, target: RootGroup, current: RootGroup): RootGroup {
  const before = groupsById(original);
  const after = groupsById(target);
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => {
    const depth = pathSegments(b).length - pathSegments(a).length;
    return depth !== 0 ? depth : b.localeCompare(a);
  });
  let result = current;
  for (const id of ids) {
    const old = before.get(id);
    const added = after.get(id);
    const present = findGroup(result, id)?.dependencies ?? [];
    if (old !== undefined && added === undefined) {
      const restored = [...new Set([...present, ...old.dependencies])];
      result = setGroupDependencies(result, id, restored);
    } else if (old !== undefined && added !== undefined) {
      const removedDeps = old.dependencies.filter((d) => !added.dependencies.includes(d));
      const addedDeps = new Set(added.dependencies.filter((d) => !old.dependencies.includes(d)));
      if (removedDeps.length === 0 && addedDeps.size === 0) continue;
      result = setGroupDependencies(result, id, [...new Set([...without(present, addedDeps), ...removedDeps])]);
    } else if (added !== undefined) {
      const now = findGroup(result, id);
      if (now === undefined) continue;
      const unchanged =
        !containsApps(now) && now.groups.length === 0 && stableStringify([...now.dependencies].sort()) === stableStringify([...added.dependencies].sort());
      if (unchanged) result = removeGroup(result, id);
      else if (added.dependencies.length > 0) result = setGroupDependencies(result, id, without(now.dependencies, new Set(added.dependencies)));
    }
  }
  return result;
}

export function revertDeployment(original: RootGroup, target: RootGroup): (current: RootGroup) => RootGroup {
  return (current) => revertGroups(original, target, revertPods(original, target, revertApps(original, target, current)));
}

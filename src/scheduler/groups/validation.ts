/**
 * Group-level rules Marathon checks on every new root (RootGroup.validRootGroup, Group.validGroup),
 * answered like Marathon's other semantic failures: 422 `Object is not valid` with path details.
 * Dependencies naming nothing are allowed (Marathon ignores them when ordering).
 */
import { ServiceError, type RootGroup } from '../contracts.js';
import { dependencyGraph, hasCycle } from '../../model/groups/dependencies.js';
import { allGroups, transitiveAppIds, transitivePodIds } from '../../model/groups/root-group.js';

export const MESSAGES = {
  cyclic: 'Dependency graph has cyclic dependencies.',
  appGroupClash: 'Groups and Applications may not have the same identifier.',
  appPodClash: 'Applications and Pods may not share the same id',
  podGroupClash: 'Groups and Pods may not have the same identifier.',
} as const;

export interface GroupViolation {
  path: string;
  errors: string[];
}

export function groupViolations(root: RootGroup): GroupViolation[] {
  const violations: GroupViolation[] = [];
  const add = (path: string, error: string): void => {
    const existing = violations.find((v) => v.path === path);
    if (existing === undefined) violations.push({ path, errors: [error] });
    else if (!existing.errors.includes(error)) existing.errors.push(error);
  };
  if (hasCycle(dependencyGraph(root))) add('/', MESSAGES.cyclic);
  // Marathon checks the root itself, then every transitive group under the path `groups(i)`.
  allGroups(root).forEach((group, index) => {
    const path = index === 0 ? '/' : `/groups(${index - 1})`;
    const podIds = transitivePodIds(root, group.id);
    if (podIds.length > 0) {
      const appIds = new Set(transitiveAppIds(root, group.id));
      if (podIds.some((id) => appIds.has(id))) add(path, MESSAGES.appPodClash);
    }
    if (group.groups.some((child) => group.apps.includes(child.id))) add(path, MESSAGES.appGroupClash);
    if (group.groups.some((child) => (group.pods ?? []).includes(child.id))) add(path, MESSAGES.podGroupClash);
  });
  return violations;
}

export function validateRootGroup(root: RootGroup): void {
  const details = groupViolations(root);
  if (details.length > 0) throw new ServiceError(422, 'Object is not valid', { details });
}

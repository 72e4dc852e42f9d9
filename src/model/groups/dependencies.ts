/**
 * The app dependency graph of a root group (Marathon's RootGroup.applicationDependencies): an edge
 * app -> dependency for every app dependency naming an app, every app dependency naming a group
 * (to each app under it), and every group dependency (each app under the dependent group to each
 * app under the named group). Dependencies naming nothing are ignored, as Marathon ignores them.
 */
import { canonicalPathId } from '../apps/path-id.js';
import type { RootGroup } from './types.js';
import { allGroups, findGroup, parentId, transitiveAppIds } from './root-group.js';

/** app id -> ids of the apps it depends on. */
export type DependencyGraph = ReadonlyMap<string, ReadonlySet<string>>;

export function dependencyGraph(root: RootGroup): DependencyGraph {
  const edges = new Map<string, Set<string>>();
  for (const id of root.apps.keys()) edges.set(id, new Set());
  const link = (from: string, to: string): void => {
    edges.get(from)?.add(to);
  };
  const appsNamedBy = (target: string): string[] => {
    if (root.apps.has(target)) return [target];
    return findGroup(root, target) === undefined ? [] : transitiveAppIds(root, target);
  };

  for (const group of allGroups(root)) {
    if (group.dependencies.length === 0) continue;
    const dependents = transitiveAppIds(root, group.id);
    for (const dep of group.dependencies) {
      const target = canonicalPathId(dep, group.id);
      if (findGroup(root, target) === undefined) continue;
      const targets = transitiveAppIds(root, target);
      for (const from of dependents) for (const to of targets) link(from, to);
    }
  }
  for (const app of root.apps.values()) {
    for (const dep of app.dependencies) {
      for (const to of appsNamedBy(canonicalPathId(dep, parentId(app.id)))) link(app.id, to);
    }
  }
  return edges;
}

export function hasCycle(graph: DependencyGraph): boolean {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string): boolean => {
    const seen = state.get(node);
    if (seen === 'visiting') return true;
    if (seen === 'done') return false;
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) if (visit(next)) return true;
    state.set(node, 'done');
    return false;
  };
  for (const node of graph.keys()) if (visit(node)) return true;
  return false;
}

/**
 * Number of apps on the longest dependency path starting at each app (1 for an app without
 * dependencies). Marathon deploys apps grouped by this number, smallest first, so an app starts
 * only after everything it depends on. Cycles are cut (validation refuses them anyway).
 */
export function longestPathLengths(graph: DependencyGraph): Map<string, number> {
  const lengths = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (node: string): number => {
    const known = lengths.get(node);
    if (known !== undefined) return known;
    if (onPath.has(node)) return 0;
    onPath.add(node);
    let longest = 0;
    for (const next of graph.get(node) ?? []) longest = Math.max(longest, visit(next));
    onPath.delete(node);
    lengths.set(node, longest + 1);
    return longest + 1;
  };
  for (const node of graph.keys()) visit(node);
  return lengths;
}

/** `ids` split into layers by longest dependency path, in deployment order. */
export function dependencyLayers(root: RootGroup, ids: Iterable<string>): string[][] {
  const lengths = longestPathLengths(dependencyGraph(root));
  const byLength = new Map<number, string[]>();
  for (const id of ids) {
    const length = lengths.get(id);
    if (length === undefined) continue;
    const layer = byLength.get(length) ?? [];
    layer.push(id);
    byLength.set(length, layer);
  }
  return [...byLength.entries()].sort(([a], [b]) => a - b).map(([, layer]) => layer.sort());
}

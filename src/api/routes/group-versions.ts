/**
 * Group version history over HTTP (GroupsResource `versions`, `group(id, version)` and the
 * `version` field of a GroupUpdate). A group's versions are the root versions in which it
 * existed, newest first; a revert puts the group as it was in that root back in place.
 */
import type { AppDefinition, Group, PacerService, RootGroup, Timestamp } from '../../scheduler/contracts.js';
import { unknownGroup, unprocessable } from '../http/errors.js';
import { findGroup, putGroup, transitiveAppIds } from './root-edits.js';

/**
 * Versions are ISO-8601 instants; any spelling of the same instant (`…Z` without millis, an
 * offset) names the same version, as Marathon's Timestamp parsing does.
 */
export function canonicalVersion(raw: string): Timestamp | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `GET /v2/groups/{id}/versions`: 404 when the group does not exist now. */
export async function groupVersions(service: PacerService, id: string): Promise<Timestamp[]> {
  const current = service.root();
  const group = findGroup(current.root, id);
  if (group === undefined) throw unknownGroup(id);
  const history = service.rootHistory;
  if (history === undefined) return [current.version];
  const versions = history.versions();
  if (id === '/') return versions;
  const trees = await Promise.all(versions.map((v) => history.tree(v)));
  return versions.filter((_, i) => trees[i] !== undefined && findGroup(trees[i], id) !== undefined);
}

/** `GET /v2/groups/{id}/versions/{version}`: the group and the root it lived in, or 404. */
export async function groupAtVersion(service: PacerService, id: string, raw: string): Promise<{ group: Group; root: RootGroup }> {
  const version = canonicalVersion(raw);
  const root = version === undefined ? undefined : await rootAt(service, version);
  const group = root === undefined ? undefined : findGroup(root.root, id);
  if (root === undefined || group === undefined) throw unknownGroup(id);
  return { group, root };
}

async function rootAt(service: PacerService, version: Timestamp): Promise<RootGroup | undefined> {
  const current = service.root();
  if (version === current.version) return current;
  return service.rootHistory?.root(version);
}

/**
 * The change that reverts group `id` to its state in root version `raw`: its subtree, apps, pods and
 * dependencies as they were; apps and pods added below it since are removed. 422 when the group did not
 * exist in that version (Marathon's IllegalArgumentException).
 */
export async function revertChange(service: PacerService, id: string, raw: string): Promise<(root: RootGroup, version: Timestamp) => RootGroup> {
  const version = canonicalVersion(raw);
  const old = version === undefined ? undefined : await rootAt(service, version);
  const group = old === undefined ? undefined : findGroup(old.root, id);
  if (old === undefined || group === undefined) throw unprocessable(`Group ${id} not available in version ${raw}`);
  const apps = new Map<string, AppDefinition>();
  for (const appId of transitiveAppIds(group)) {
    const app = old.apps.get(appId);
    if (app !== undefined) apps.set(appId, app);
  }
  // The group's pods come back as they were then, like its apps.
  return (root, next) => putGroup(root, group, apps, next, false, old.pods);
}

/**
 * Marathon's GroupUpdate body (RAML types/group.raml `GroupUpdate`): read and type-checked into
 * a tree whose apps are already canonical AppDefinitions, then applied to a root group the way
 * `UpdateGroupStructureOp` does: lists that are given replace, lists left out are kept.
 */
import { AppValidationError, canonicalPathId, normalizeAndValidateApp, parsePathId, type AppDefinition, type AppParseOptions } from '../apps/index.js';
import type { Group, RootGroup, Timestamp } from '../../scheduler/contracts.js';
import { findGroup, transitiveAppIds } from './root-edits.js';

export interface GroupUpdateTree {
  id: string;
  apps?: AppDefinition[];
  groups?: GroupUpdateTree[];
  dependencies?: string[];
  scaleBy?: number;
  version?: string;
  enforceRole?: boolean;
}

type Json = Record<string, unknown>;

function typeError(path: string, error: string): AppValidationError {
  return new AppValidationError(422, { message: 'Invalid JSON', details: [{ path, errors: [error] }] });
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayAt(body: Json, key: string, path: string): unknown[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw typeError(`${path}/${key}`, 'error.expected.jsarray');
  return v;
}

/** Reads a GroupUpdate whose id resolves against `base` (`fallbackId` when it has none). */
export function readGroupUpdate(value: unknown, base: string, fallbackId: string, opts: AppParseOptions, path = ''): GroupUpdateTree {
  if (!isObject(value)) throw typeError(path === '' ? '/' : path, 'error.expected.jsobject');
  const rawId = value.id;
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string') throw typeError(`${path}/id`, 'error.expected.jsstring');
  const id = typeof rawId === 'string' ? canonicalPathId(rawId, base) : fallbackId;
  if (id !== '/') parsePathId(id);
  const tree: GroupUpdateTree = { id };
  const apps = arrayAt(value, 'apps', path);
  if (apps !== undefined) {
    tree.apps = apps.map((app, i) => {
      if (!isObject(app)) throw typeError(`${path}/apps(${i})`, 'error.expected.jsobject');
      const appId = typeof app.id === 'string' ? canonicalPathId(app.id, id) : app.id;
      const deps = Array.isArray(app.dependencies)
        ? app.dependencies.map((d) => (typeof d === 'string' ? canonicalPathId(d, id) : d))
        : app.dependencies;
      return normalizeAndValidateApp({ ...app, id: appId, ...(deps !== undefined ? { dependencies: deps } : {}) }, opts);
    });
  }
  const groups = arrayAt(value, 'groups', path);
  if (groups !== undefined) {
    tree.groups = groups.map((g, i) => {
      if (!isObject(g) || typeof g.id !== 'string') throw typeError(`${path}/groups(${i})/id`, 'error.path.missing');
      return readGroupUpdate(g, id, id, opts, `${path}/groups(${i})`);
    });
  }
  const deps = arrayAt(value, 'dependencies', path);
  if (deps !== undefined) {
    tree.dependencies = deps.map((d, i) => {
      if (typeof d !== 'string') throw typeError(`${path}/dependencies(${i})`, 'error.expected.jsstring');
      return canonicalPathId(d, id);
    });
  }
  if (value.scaleBy !== undefined && value.scaleBy !== null) {
    if (typeof value.scaleBy !== 'number') throw typeError(`${path}/scaleBy`, 'error.expected.jsnumber');
    if (value.scaleBy < 0) throw typeError(`${path}/scaleBy`, 'error.min');
    tree.scaleBy = value.scaleBy;
  }
  if (value.version !== undefined && value.version !== null) {
    if (typeof value.version !== 'string') throw typeError(`${path}/version`, 'error.expected.jsstring');
    tree.version = value.version;
  }
  if (value.enforceRole !== undefined && value.enforceRole !== null) {
    if (typeof value.enforceRole !== 'boolean') throw typeError(`${path}/enforceRole`, 'error.expected.jsboolean');
    tree.enforceRole = value.enforceRole;
  }
  return tree;
}

/** The group `update` describes, merged onto `current`, with every app of the resulting subtree. */
function buildGroup(
  update: GroupUpdateTree,
  current: Group | undefined,
  root: RootGroup,
  version: Timestamp,
  apps: Map<string, AppDefinition>,
): Group {
  let appIds: string[];
  if (update.apps !== undefined) {
    appIds = update.apps.map((a) => a.id);
    for (const a of update.apps) apps.set(a.id, a);
  } else {
    appIds = [...(current?.apps ?? [])];
    for (const id of appIds) {
      const a = root.apps.get(id);
      if (a !== undefined) apps.set(id, a);
    }
  }
  let groups: Group[];
  if (update.groups !== undefined) {
    groups = update.groups.map((g) => buildGroup(g, current?.groups.find((c) => c.id === g.id), root, version, apps));
  } else {
    groups = [...(current?.groups ?? [])];
    for (const g of groups) {
      for (const id of transitiveAppIds(g)) {
        const a = root.apps.get(id);
        if (a !== undefined) apps.set(id, a);
      }
    }
  }
  const group: Group = {
    id: update.id,
    apps: appIds,
    groups,
    dependencies: update.dependencies ?? [...(current?.dependencies ?? [])],
    version,
  };
  const enforceRole = update.enforceRole ?? current?.enforceRole;
  if (enforceRole !== undefined) group.enforceRole = enforceRole;
  return group;
}

export function groupFromUpdate(update: GroupUpdateTree, root: RootGroup, version: Timestamp): { group: Group; apps: Map<string, AppDefinition> } {
  const apps = new Map<string, AppDefinition>();
  const group = buildGroup(update, findGroup(root.root, update.id), root, version, apps);
  return { group, apps };
}

/** `scaleBy`: every app below the group gets ceil(instances × factor). */
export function scaledApps(root: RootGroup, groupId: string, factor: number): AppDefinition[] {
  const group = findGroup(root.root, groupId);
  if (group === undefined) return [];
  return transitiveAppIds(group).flatMap((id) => {
    const app = root.apps.get(id);
    return app === undefined ? [] : [{ ...app, instances: Math.ceil(app.instances * factor) }];
  });
}

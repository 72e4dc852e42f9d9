/**
 * Marathon's GroupUpdate body (RAML types/group.raml `GroupUpdate`): read and type-checked into
 * a tree whose apps are already canonical AppDefinitions, then applied to a root group the way
 * `UpdateGroupStructureOp` does: lists that are given replace, lists left out are kept.
 * App roles follow GroupNormalization: the defaults and valid roles depend on where the group sits
 * and on its top-level group's `enforceRole`.
 */
import { AppValidationError, canonicalPathId, normalizeAndValidateApp, parsePathId, type AppDefinition, type AppParseOptions } from '../../model/apps/index.js';
import { semanticError } from '../../model/apps/errors.js';
import { parentPathId, pathSegments } from '../../model/apps/path-id.js';
import { roleSettingsFor, type RoleSettings } from '../../model/apps/validate.js';
import type { Group, RootGroup, Timestamp } from '../../scheduler/contracts.js';
import { isTopLevel } from '../../model/groups/root-group.js';
import { findGroup, transitiveAppIds } from './root-edits.js';

export interface GroupReadOptions extends AppParseOptions {
  /** The root before the change: top-level groups' `enforceRole` and the stored apps' roles. */
  root: RootGroup;
}

/**
 * How a group of the body is visited (GroupNormalization): the update's own target is classified by
 * its id; groups inside a root update are top-level; groups below those inherit the default role.
 */
type Visit = { kind: 'target' } | { kind: 'topLevel' } | { kind: 'nested'; defaultRole: string };

/** Default role of the apps of one group of the body, and whether only that role (or an app's current one) is valid. */
interface RoleScope {
  defaultRole: string;
  enforceRole: boolean;
}

const topLevelId = (id: string): string => `/${pathSegments(id)[0] ?? ''}`;

/** The top-level group above (or at) `id` in `root`, if it exists. */
export function topLevelGroupOf(root: RootGroup, id: string): Group | undefined {
  return id === '/' ? undefined : findGroup(root.root, topLevelId(id));
}

/** RoleSettings.forService against the current root: the role rules of the `/v2/apps` routes. */
export function serviceRoleSettings(root: RootGroup, mesosRole: string, newGroupEnforceRole = false): (appId: string) => RoleSettings {
  return (appId) =>
    roleSettingsFor(appId, mesosRole, {
      // A top-level group that does not exist yet is created by this change, with the flag's default.
      enforceRole: appId.lastIndexOf('/') === 0 ? false : (topLevelGroupOf(root, appId)?.enforceRole ?? newGroupEnforceRole) === true,
      existingRole: root.apps.get(appId)?.role,
    });
}

export interface GroupUpdateTree {
  id: string;
  apps?: AppDefinition[];
  groups?: GroupUpdateTree[];
  dependencies?: string[];
  scaleBy?: number;
  version?: string;
  /** Top-level groups: the normalised flag (false when the body has none); others: as given. */
  enforceRole?: boolean;
  /** The body named the group's id (Marathon only compares `enforceRole` then). */
  explicitId?: boolean;
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
  return v as unknown[];
}

const ENFORCE_ROLE_CHANGE =
  'enforceRole cannot be modified in a request that adds, removes or modifies services; please make these changes in separate requests.';

/**
 * Reads a GroupUpdate whose id resolves against `base` (`fallbackId` when it has none). Top-level
 * groups get `enforceRole` false when the body leaves it out, as Marathon's normalisation does
 * (with `--new_group_enforce_role` off).
 */
export function readGroupUpdate(value: unknown, base: string, fallbackId: string, opts: GroupReadOptions): GroupUpdateTree {
  const tree = readLevel(value, base, fallbackId, opts, '', { kind: 'target' });
  const violations = groupRoleViolations(tree, opts.root, '', modifiesServices(tree));
  if (violations.length > 0) throw semanticError(violations);
  return tree;
}

function readLevel(value: unknown, base: string, fallbackId: string, opts: GroupReadOptions, path: string, visit: Visit): GroupUpdateTree {
  if (!isObject(value)) throw typeError(path === '' ? '/' : path, 'error.expected.jsobject');
  const rawId = value.id;
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string') throw typeError(`${path}/id`, 'error.expected.jsstring');
  const id = typeof rawId === 'string' ? canonicalPathId(rawId, base) : fallbackId;
  if (id !== '/') parsePathId(id);
  const tree: GroupUpdateTree = { id };
  if (typeof rawId === 'string') tree.explicitId = true;
  if (value.enforceRole !== undefined && value.enforceRole !== null) {
    if (typeof value.enforceRole !== 'boolean') throw typeError(`${path}/enforceRole`, 'error.expected.jsboolean');
    tree.enforceRole = value.enforceRole;
  }
  const kind = visit.kind === 'target' ? targetKind(id, opts) : visit;
  // A top-level group the body leaves the flag out of gets `--new_group_enforce_role`'s default.
  const enforceDefault = kind.kind === 'topLevel' && tree.enforceRole === undefined && opts.newGroupEnforceRole === true ? true : tree.enforceRole;
  const scope = roleScope(kind, id, enforceDefault, opts.mesosRole);
  // Marathon's normalisation writes the flag of `/` as false whatever the body says.
  if (kind.kind === 'topLevel' || kind.kind === 'root') tree.enforceRole = scope.enforceRole;
  const childVisit: Visit = kind.kind === 'root' ? { kind: 'topLevel' } : { kind: 'nested', defaultRole: scope.defaultRole };

  const apps = arrayAt(value, 'apps', path);
  if (apps !== undefined) {
    tree.apps = apps.map((app, i) => {
      if (!isObject(app)) throw typeError(`${path}/apps(${i})`, 'error.expected.jsobject');
      const appId = typeof app.id === 'string' ? canonicalPathId(app.id, id) : app.id;
      const deps = Array.isArray(app.dependencies)
        ? (app.dependencies as unknown[]).map((d) => (typeof d === 'string' ? canonicalPathId(d, id) : d))
        : app.dependencies;
      const roleSettings = (appIdToCheck: string): RoleSettings => groupAppRoles(appIdToCheck, scope, opts);
      // AppValidation.validNestedApp: an app's id names a direct child of the group that holds it.
      if (typeof appId === 'string' && appId !== '/' && parentPathId(appId) !== id) {
        throw semanticError([{ path: `${path}/apps(${i})/id`, error: `Identifier is not child of '${id}'` }]);
      }
      try {
        return normalizeAndValidateApp({ ...app, id: appId, ...(deps !== undefined ? { dependencies: deps } : {}) }, { ...opts, roleSettings });
      } catch (err) {
        // The JSON reader names the element of the body it read: /apps(0)/container/volumes(0)/hostPath.
        if (err instanceof AppValidationError && err.body.message === 'Invalid JSON' && Array.isArray(err.body.details)) {
          throw new AppValidationError(err.status, {
            ...err.body,
            details: err.body.details.map((d) => ({ ...d, path: `${path}/apps(${i})${d.path === '/' ? '' : d.path}` })),
          });
        }
        throw err;
      }
    });
  }
  const groups = arrayAt(value, 'groups', path);
  if (groups !== undefined) {
    tree.groups = groups.map((g, i) => {
      if (!isObject(g) || typeof g.id !== 'string') throw typeError(`${path}/groups(${i})/id`, 'error.path.missing');
      return readLevel(g, id, id, opts, `${path}/groups(${i})`, childVisit);
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
  return tree;
}

type Kind = { kind: 'root' } | { kind: 'topLevel' } | { kind: 'nested'; defaultRole: string };

/**
 * The update's target: `/`, a top-level group, or a deeper group whose default role comes from its
 * existing top-level group (the group's name when that group enforces its role).
 */
function targetKind(id: string, opts: GroupReadOptions): Kind {
  if (id === '/') return { kind: 'root' };
  if (isTopLevel(id)) return { kind: 'topLevel' };
  const enforced = (topLevelGroupOf(opts.root, id)?.enforceRole ?? opts.newGroupEnforceRole) === true;
  return { kind: 'nested', defaultRole: enforced ? (pathSegments(id)[0] ?? opts.mesosRole) : opts.mesosRole };
}

/**
 * GroupNormalization's visitors. Below a top-level group Marathon reads `enforceRole` of the nested
 * group's own body (false when absent) rather than the top-level flag, so nested groups keep the
 * inherited default role but also accept `--mesos_role`; this follows upstream as it is.
 */
function roleScope(kind: Kind, id: string, enforceRole: boolean | undefined, mesosRole: string): RoleScope {
  switch (kind.kind) {
    case 'root':
      return { defaultRole: mesosRole, enforceRole: false };
    case 'topLevel': {
      const enforce = enforceRole ?? false;
      return { defaultRole: enforce ? (pathSegments(id)[0] ?? mesosRole) : mesosRole, enforceRole: enforce };
    }
    case 'nested':
      return { defaultRole: kind.defaultRole, enforceRole: enforceRole ?? false };
  }
}

/** GroupNormalization.validRolesFor: the app's current role stays valid. */
function groupAppRoles(appId: string, scope: RoleScope, opts: GroupReadOptions): RoleSettings {
  const existing = opts.root.apps.get(appId)?.role;
  const roles = scope.enforceRole ? [scope.defaultRole] : [scope.defaultRole, opts.mesosRole];
  if (existing !== undefined) roles.push(existing);
  return { defaultRole: scope.defaultRole, validRoles: [...new Set(roles)] };
}

/** Group.updateModifiesServices. */
function modifiesServices(tree: GroupUpdateTree): boolean {
  return tree.version !== undefined || tree.scaleBy !== undefined || tree.apps !== undefined || (tree.groups ?? []).some(modifiesServices);
}

/**
 * Group.validNestedGroupUpdateWithBase's role rules: only top-level groups may enforce their role,
 * and a request that changes services may not also change an existing top-level group's flag.
 */
function groupRoleViolations(tree: GroupUpdateTree, root: RootGroup, path: string, servicesChanged: boolean): Array<{ path: string; error: string }> {
  const out: Array<{ path: string; error: string }> = [];
  if (!isTopLevel(tree.id) && tree.enforceRole === true) {
    out.push({ path: `${path}/enforceRole`, error: `enforceRole can only be set for top-level groups, and ${tree.id} is not top-level` });
  }
  if (servicesChanged && tree.explicitId === true && isTopLevel(tree.id)) {
    const current = findGroup(root.root, tree.id);
    if (current !== undefined && (current.enforceRole ?? false) !== (tree.enforceRole ?? false)) {
      out.push({ path: `${path}/enforceRole`, error: ENFORCE_ROLE_CHANGE });
    }
  }
  (tree.groups ?? []).forEach((g, i) => out.push(...groupRoleViolations(g, root, `${path}/groups(${i})`, servicesChanged)));
  return out;
}

/** GroupPartialUpdate (the PATCH body): only `enforceRole` is read, as Play's generated reader does. */
export function readGroupPatch(value: unknown): { enforceRole?: boolean } {
  if (!isObject(value)) throw typeError('/', 'error.expected.jsobject');
  const flag = value.enforceRole;
  if (flag === undefined || flag === null) return {};
  if (typeof flag !== 'boolean') throw typeError('/enforceRole', 'error.expected.jsboolean');
  return { enforceRole: flag };
}

/** The group `update` describes, merged onto `current`, with every app of the resulting subtree. */
function buildGroup(update: GroupUpdateTree, current: Group | undefined, root: RootGroup, version: Timestamp, apps: Map<string, AppDefinition>): Group {
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
    groups = update.groups.map((g) =>
      buildGroup(
        g,
        current?.groups.find((c) => c.id === g.id),
        root,
        version,
        apps,
      ),
    );
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
  // GroupUpdate has no pods: an existing group keeps its own, a new one has none.
  if (current?.pods !== undefined && current.pods.length > 0) group.pods = [...current.pods];
  // Marathon keeps the flag on top-level groups only; an update that leaves it out resets it.
  if (isTopLevel(update.id)) group.enforceRole = update.enforceRole ?? false;
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

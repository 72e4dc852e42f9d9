import type { FrameworkInfo } from '../../mesos/types.js';
import { frameworkRoles } from './frameworks.js';

/** Upstream's `validation::framework` rules for a FrameworkInfo on SUBSCRIBE/UPDATE_FRAMEWORK. */

// eslint-disable-next-line no-control-regex -- upstream rejects these control characters in roles
const INVALID_ROLE_CHARACTERS = /[\x08\f\n\r\t\v ]/;

export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  const components = role.split('/').filter((c) => c !== '');
  if (components.length === 0) return 'Role names cannot be the empty string';
  for (const c of components) {
    if (c === '.') return `Role '${role}' cannot include '.' as a component`;
    if (c === '..') return `Role '${role}' cannot include '..' as a component`;
    if (c === '*') return `Role '${role}' cannot include '*' as a component`;
    if (c.startsWith('-')) return `Role component '${c}' is invalid because it starts with a dash`;
    if (INVALID_ROLE_CHARACTERS.test(c)) return `Role component '${c}' is invalid because it contains backspace or whitespace`;
  }
  return undefined;
}

/** Common ID rules (framework, task, executor ids). */
export function validateId(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // Control characters and path separators are rejected: ids become directory names.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\x00-\x1f\x7f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

export function validateFrameworkInfo(info: FrameworkInfo): string | undefined {
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles ?? []).length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const r of info.roles ?? []) (seen.has(r) ? duplicates : seen).add(r);
    if (duplicates.size > 0) {
      return `'FrameworkInfo.roles' contains duplicate items: { ${[...duplicates].join(', ')} }`;
    }
    for (const r of info.roles ?? []) {
      const err = validateRole(r);
      if (err !== undefined) return `'FrameworkInfo.roles' contains invalid role: ${err}`;
    }
  } else {
    const err = validateRole(info.role ?? '*');
    if (err !== undefined) return `'FrameworkInfo.role' is not a valid role: ${err}`;
  }
  if (info.id !== undefined && info.id.value !== '') {
    const err = validateId(info.id.value);
    if (err !== undefined) return err;
  }
  const timeout = info.failover_timeout;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0 || timeout * 1e9 > Number.MAX_SAFE_INTEGER * 1024)) {
    return `The framework failover_timeout (${timeout}) is invalid`;
  }
  return undefined;
}

/** Fields a re-SUBSCRIBE or UPDATE_FRAMEWORK may not change. */
export function validateFrameworkUpdate(oldInfo: FrameworkInfo, newInfo: FrameworkInfo): string | undefined {
  if ((oldInfo.principal ?? undefined) !== (newInfo.principal ?? undefined)) {
    return "Changing framework's principal is not allowed.";
  }
  if (newInfo.user !== oldInfo.user) {
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${oldInfo.user}' to '${newInfo.user}'`;
  }
  if ((newInfo.checkpoint ?? false) !== (oldInfo.checkpoint ?? false)) {
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${oldInfo.checkpoint ?? false}' to '${newInfo.checkpoint ?? false}'`;
  }
  return undefined;
}

export function validateSuppressedRoles(info: FrameworkInfo, suppressed: readonly string[]): string | undefined {
  const roles = new Set(frameworkRoles(info));
  const invalid = [...new Set(suppressed)].filter((r) => !roles.has(r));
  if (invalid.length > 0) return `Suppressed roles { ${invalid.join(', ')} } are not contained in the set of roles`;
  return undefined;
}

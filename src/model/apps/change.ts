/**
 * Scale versus configuration change (Marathon's `AppDefinition.isUpgrade`): any difference outside
 * `instances` (and the bookkeeping fields `version`, `versionInfo`, `residency`) needs new tasks.
 * Marathon compares constraints, health checks, dependencies and accepted roles as sets.
 */
import { stableStringify } from './read.js';
import type { AppDefinition } from './types.js';

const SET_FIELDS = ['constraints', 'healthChecks', 'dependencies', 'acceptedResourceRoles'] as const;
const IGNORED_FIELDS = new Set<string>(['instances', 'version', 'versionInfo', 'residency', ...SET_FIELDS]);

function asSet(values: readonly unknown[] | undefined): string {
  return stableStringify([...(values ?? []).map(stableStringify)].sort());
}

function comparable(app: AppDefinition): string {
  const rest = Object.fromEntries(Object.entries(app).filter(([key]) => !IGNORED_FIELDS.has(key)));
  return stableStringify(rest);
}

/** True when going from `a` to `b` must replace running tasks; false for a pure scale (or no) change. */
export function isConfigChange(a: AppDefinition, b: AppDefinition): boolean {
  if (comparable(a) !== comparable(b)) return true;
  return SET_FIELDS.some((field) => asSet(a[field]) !== asSet(b[field]));
}

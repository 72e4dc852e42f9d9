/**
 * Version bookkeeping for a new root (Marathon's GroupVersioningUtil):
 *  - new app: version = lastScalingAt = lastConfigChangeAt = now
 *  - configuration change: all three = now
 *  - scale only: version and lastScalingAt = now
 *  - restart (requested explicitly): version and lastConfigChangeAt = now
 *  - otherwise the app keeps its old version and versionInfo.
 * Marathon marks a restart by clearing the app's versionInfo; Pacer passes the restarted ids
 * instead, so an app sent back unchanged without versionInfo is simply unchanged.
 * Every group of the result gets `version`.
 */
import { isConfigChange } from '../apps/change.js';
import { stableStringify } from '../apps/read.js';
import type { AppDefinition } from '../apps/types.js';
import type { PodDefinition } from '../pods/types.js';
import type { Timestamp } from '../timestamp.js';
import type { RootGroup } from './types.js';
import { withGroupVersions } from './root-group.js';

export type VersionChange = 'new' | 'config' | 'scale' | 'restart' | 'none';

export function classifyChange(old: AppDefinition | undefined, next: AppDefinition, restart: boolean): VersionChange {
  if (old === undefined) return 'new';
  if (isConfigChange(old, next)) return 'config';
  if (old.instances !== next.instances) return 'scale';
  if (restart) return 'restart';
  return 'none';
}

function versionOf(app: AppDefinition): { version: Timestamp; lastScalingAt: Timestamp; lastConfigChangeAt: Timestamp } {
  const version = app.version ?? app.versionInfo?.lastConfigChangeAt ?? new Date(0).toISOString();
  return {
    version,
    lastScalingAt: app.versionInfo?.lastScalingAt ?? version,
    lastConfigChangeAt: app.versionInfo?.lastConfigChangeAt ?? version,
  };
}

export function versionApp(old: AppDefinition | undefined, next: AppDefinition, now: Timestamp, restart: boolean): AppDefinition {
  const change = classifyChange(old, next, restart);
  if (change === 'new' || change === 'config') {
    return { ...next, version: now, versionInfo: { lastScalingAt: now, lastConfigChangeAt: now } };
  }
  const previous = versionOf(old!);
  switch (change) {
    case 'scale':
      return { ...next, version: now, versionInfo: { lastScalingAt: now, lastConfigChangeAt: previous.lastConfigChangeAt } };
    case 'restart':
      return { ...next, version: now, versionInfo: { lastScalingAt: previous.lastScalingAt, lastConfigChangeAt: now } };
    case 'none':
      return {
        ...next,
        version: previous.version,
        versionInfo: { lastScalingAt: previous.lastScalingAt, lastConfigChangeAt: previous.lastConfigChangeAt },
      };
  }
}

/** Everything but the instance count and the version differs: a change that needs new instances. */
export function isPodConfigChange(from: PodDefinition, to: PodDefinition): boolean {
  const strip = (p: PodDefinition): unknown => ({ ...p, version: undefined, scaling: { ...p.scaling, instances: 0 } });
  return stableStringify(strip(from)) !== stableStringify(strip(to));
}

export function samePod(a: PodDefinition, b: PodDefinition): boolean {
  return stableStringify(a) === stableStringify(b);
}

/**
 * A new pod, a configuration change, a scale change or a restart takes the root's version; an
 * unchanged pod keeps its own.
 */
export function versionPod(old: PodDefinition | undefined, next: PodDefinition, now: Timestamp, restart: boolean): PodDefinition {
  if (old === undefined || restart || isPodConfigChange(old, next) || old.scaling.instances !== next.scaling.instances) return { ...next, version: now };
  return { ...next, version: old.version ?? now };
}

export function assignVersions(from: RootGroup, to: RootGroup, version: Timestamp, restarts: ReadonlySet<string> = new Set()): RootGroup {
  const apps = new Map<string, AppDefinition>();
  for (const [id, app] of to.apps) apps.set(id, versionApp(from.apps.get(id), app, version, restarts.has(id)));
  const pods = new Map<string, PodDefinition>();
  for (const [id, pod] of to.pods) pods.set(id, versionPod(from.pods.get(id), pod, version, restarts.has(id)));
  return withGroupVersions({ ...to, apps, pods }, version);
}

/**
 * How groups and apps sit in the Store (compare Marathon's StoredGroup: a group version refers to
 * app versions instead of copying them):
 *  - groups/root            StoredRoot of the current root
 *  - groupVersions/<ts>     StoredRoot of every root version a running deployment may need
 *  - meta/groupVersions     index of groupVersions keys, newest first
 *  - apps/<id>              StoredApp: current definition and its version index, newest first
 *  - appVersions/<id>#<ts>  AppDefinition at that version (`#` cannot occur in an app id)
 *  - pods/<id>, podVersions/<id>#<ts>  the same for pods (StoredPod, PodDefinition)
 * Pacer keeps at most `maxVersions` (Marathon's zk_max_versions, 50) versions per app and of the
 * root, but never drops a root version a running deployment refers to.
 */
import { stableStringify } from '../../model/apps/read.js';
import type { Store, StoreWrite } from '../../state/store.js';
import type { AppDefinition, Group, PodDefinition, RootGroup, Timestamp } from '../contracts.js';
import { emptyRootGroup } from '../../model/groups/root-group.js';

export const DEFAULT_MAX_VERSIONS = 50;
const ROOT_KEY = 'root';
const GROUP_VERSION_INDEX_KEY = 'groupVersions';

export interface StoredRoot {
  version: Timestamp;
  root: Group;
  /** app id -> the app version this root holds. */
  apps: Record<string, Timestamp>;
  /** pod id -> the pod version this root holds (absent in roots stored before pods). */
  pods?: Record<string, Timestamp>;
}

export interface StoredPod {
  pod: PodDefinition;
  /** Stored versions, newest first. */
  versions: Timestamp[];
}

export interface StoredApp {
  app: AppDefinition;
  /** Stored versions, newest first. */
  versions: Timestamp[];
}

export function appVersionKey(appId: string, version: Timestamp): string {
  return `${appId}#${version}`;
}

export function appVersionPrefix(appId: string): string {
  return `${appId}#`;
}

export function toStoredRoot(root: RootGroup): StoredRoot {
  const apps: Record<string, Timestamp> = {};
  for (const [id, app] of root.apps) apps[id] = app.version ?? root.version;
  const pods: Record<string, Timestamp> = {};
  for (const [id, pod] of root.pods) pods[id] = pod.version ?? root.version;
  return { version: root.version, root: root.root, apps, pods };
}

export interface VersionIndexes {
  /** app id -> stored versions, newest first. */
  appVersions: Map<string, Timestamp[]>;
  /** pod id -> stored versions, newest first. */
  podVersions: Map<string, Timestamp[]>;
  /** stored root versions, newest first. */
  groupVersions: Timestamp[];
}

export interface RootChangeWrites {
  writes: StoreWrite[];
  /** The indexes as they are once `writes` are applied. */
  indexes: VersionIndexes;
}

/**
 * Everything to write for the change `from` -> `to`. `keepGroupVersions` are root versions that
 * must survive pruning (those of running deployments).
 */
export function rootChangeWrites(
  from: RootGroup,
  to: RootGroup,
  indexes: VersionIndexes,
  keepGroupVersions: ReadonlySet<Timestamp>,
  maxVersions = DEFAULT_MAX_VERSIONS,
): RootChangeWrites {
  const writes: StoreWrite[] = [];
  const appVersions = new Map(indexes.appVersions);
  for (const [id, app] of to.apps) {
    const old = from.apps.get(id);
    if (old !== undefined && stableStringify(old) === stableStringify(app)) continue;
    const version = app.version ?? to.version;
    const known = appVersions.get(id) ?? [];
    const versions = [version, ...known.filter((v) => v !== version)];
    for (const dropped of versions.splice(maxVersions)) writes.push({ op: 'delete', collection: 'appVersions', key: appVersionKey(id, dropped) });
    appVersions.set(id, versions);
    writes.push({ op: 'put', collection: 'appVersions', key: appVersionKey(id, version), value: app });
    writes.push({ op: 'put', collection: 'apps', key: id, value: { app, versions } satisfies StoredApp });
  }
  for (const id of from.apps.keys()) {
    if (to.apps.has(id)) continue;
    // Old versions stay until no running deployment can need them (see `purgeAppVersions`).
    writes.push({ op: 'delete', collection: 'apps', key: id });
  }
  const podVersions = new Map(indexes.podVersions);
  for (const [id, pod] of to.pods) {
    const old = from.pods.get(id);
    if (old !== undefined && stableStringify(old) === stableStringify(pod)) continue;
    const version = pod.version ?? to.version;
    const known = podVersions.get(id) ?? [];
    const versions = [version, ...known.filter((v) => v !== version)];
    for (const dropped of versions.splice(maxVersions)) writes.push({ op: 'delete', collection: 'podVersions', key: appVersionKey(id, dropped) });
    podVersions.set(id, versions);
    writes.push({ op: 'put', collection: 'podVersions', key: appVersionKey(id, version), value: pod });
    writes.push({ op: 'put', collection: 'pods', key: id, value: { pod, versions } satisfies StoredPod });
  }
  for (const id of from.pods.keys()) {
    if (to.pods.has(id)) continue;
    writes.push({ op: 'delete', collection: 'pods', key: id });
  }

  const stored = toStoredRoot(to);
  writes.push({ op: 'put', collection: 'groups', key: ROOT_KEY, value: stored });
  writes.push({ op: 'put', collection: 'groupVersions', key: to.version, value: stored });
  let groupVersions = [to.version, ...indexes.groupVersions.filter((v) => v !== to.version)];
  if (!groupVersions.includes(from.version)) {
    // The very first root (never stored) is still needed to revert the first deployment.
    writes.push({ op: 'put', collection: 'groupVersions', key: from.version, value: toStoredRoot(from) });
    groupVersions.push(from.version);
  }
  const kept: Timestamp[] = [];
  for (const version of groupVersions) {
    if (kept.length < maxVersions || keepGroupVersions.has(version)) kept.push(version);
    else writes.push({ op: 'delete', collection: 'groupVersions', key: version });
  }
  groupVersions = kept;
  writes.push({ op: 'put', collection: 'meta', key: GROUP_VERSION_INDEX_KEY, value: groupVersions });
  return { writes, indexes: { appVersions, podVersions, groupVersions } };
}

export interface LoadedGroups {
  root: RootGroup;
  indexes: VersionIndexes;
}

export async function loadGroups(store: Store): Promise<LoadedGroups> {
  const stored = await store.get<StoredRoot>('groups', ROOT_KEY);
  const appEntries = await store.list<StoredApp>('apps');
  const podEntries = await store.list<StoredPod>('pods');
  const groupVersions = (await store.get<Timestamp[]>('meta', GROUP_VERSION_INDEX_KEY)) ?? [];
  const appVersions = new Map(appEntries.map((e) => [e.key, e.value.versions]));
  const podVersions = new Map(podEntries.map((e) => [e.key, e.value.versions]));
  if (stored === undefined) return { root: emptyRootGroup(), indexes: { appVersions, podVersions, groupVersions } };
  const apps = new Map<string, AppDefinition>();
  for (const { key, value } of appEntries) if (key in stored.apps) apps.set(key, value.app);
  const pods = new Map<string, PodDefinition>();
  for (const { key, value } of podEntries) if (key in (stored.pods ?? {})) pods.set(key, value.pod);
  return { root: { apps, pods, root: stored.root, version: stored.version }, indexes: { appVersions, podVersions, groupVersions } };
}

/**
 * The root as it was at `version`, app and pod definitions read from their versions. A version
 * that is gone falls back to `current`'s definition, or is left out.
 */
export async function loadRootVersion(store: Store, version: Timestamp, current: RootGroup): Promise<RootGroup | undefined> {
  if (version === current.version) return current;
  const stored = await store.get<StoredRoot>('groupVersions', version);
  if (stored === undefined) return undefined;
  const apps = new Map<string, AppDefinition>();
  for (const [id, appVersion] of Object.entries(stored.apps)) {
    const app = (await store.get<AppDefinition>('appVersions', appVersionKey(id, appVersion))) ?? current.apps.get(id);
    if (app !== undefined) apps.set(id, app);
  }
  return { apps, pods: await loadPods(store, stored, current), root: stored.root, version: stored.version };
}

/** The pods a stored root refers to, read from their versions (falling back to `current`'s, when given). */
export async function loadPods(store: Store, stored: StoredRoot, current?: RootGroup): Promise<Map<string, PodDefinition>> {
  const pods = new Map<string, PodDefinition>();
  for (const [id, podVersion] of Object.entries(stored.pods ?? {})) {
    const pod = (await store.get<PodDefinition>('podVersions', appVersionKey(id, podVersion))) ?? current?.pods.get(id);
    if (pod !== undefined) pods.set(id, pod);
  }
  return pods;
}

/**
 * Deletes the stored versions of apps that no longer exist, except those a stored root version
 * still refers to: reverting a group to such a root brings the app back (Marathon keeps them the
 * same way until its garbage collection finds them unreferenced).
 */
export async function purgeAppVersions(
  store: Store,
  appIds: readonly string[],
  rootVersions: readonly Timestamp[] = [],
  kind: 'apps' | 'pods' = 'apps',
): Promise<void> {
  if (appIds.length === 0) return;
  const roots = await Promise.all(rootVersions.map((v) => store.get<StoredRoot>('groupVersions', v)));
  const referenced = new Set<string>();
  for (const root of roots) {
    if (root === undefined) continue;
    for (const [id, version] of Object.entries((kind === 'apps' ? root.apps : root.pods) ?? {})) referenced.add(appVersionKey(id, version));
  }
  const collection = kind === 'apps' ? 'appVersions' : 'podVersions';
  const writes: StoreWrite[] = [];
  for (const appId of appIds) {
    for (const entry of await store.list<unknown>(collection, appVersionPrefix(appId))) {
      if (!referenced.has(entry.key)) writes.push({ op: 'delete', collection, key: entry.key });
    }
  }
  if (writes.length > 0) await store.apply(writes);
}

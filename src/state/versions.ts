/**
 * Bounded version history on top of any Store, as Marathon keeps for apps and groups
 * (`--zk_max_versions`, default 50). A version lives under key `<id>@<version>` in a history
 * collection such as `appVersions`, so `list(collection, id + '@')` yields one entity's history.
 * Versions must sort as strings in age order; ISO-8601 UTC timestamps of fixed width
 * (`2017-08-01T12:00:00.000Z`, Marathon's format) do.
 *
 * The caller owns the bound: it passes `keep` when it writes a version, typically by adding the
 * result of `versionPruneWrites` to the batch that stores the new version, so the put and the
 * pruning commit atomically. History is never pruned behind the caller's back.
 */
import { StoreError } from './errors.js';
import { compareKeys, type Collection, type Store, type StoreWrite } from './store.js';

export const DEFAULT_MAX_VERSIONS = 50;
const SEPARATOR = '@';

export function versionKey(id: string, version: string): string {
  if (id.length === 0 || id.includes(SEPARATOR)) {
    throw new StoreError('PACER_STORE_INVALID_KEY', `versioned id '${id}' must be non-empty and must not contain '${SEPARATOR}'`);
  }
  if (version.length === 0) throw new StoreError('PACER_STORE_INVALID_KEY', `version of '${id}' must not be empty`);
  return `${id}${SEPARATOR}${version}`;
}

export function parseVersionKey(key: string): { id: string; version: string } | undefined {
  const at = key.indexOf(SEPARATOR);
  if (at <= 0 || at === key.length - 1) return undefined;
  return { id: key.slice(0, at), version: key.slice(at + 1) };
}

/** The stored versions of `id`, oldest first. */
export async function listVersions(store: Store, collection: Collection, id: string): Promise<string[]> {
  const prefix = versionKey(id, 'x').slice(0, -1);
  const entries = await store.list<unknown>(collection, prefix);
  return entries.map((entry) => entry.key.slice(prefix.length));
}

/**
 * Deletes that leave at most `keep` versions of `id`, counting `adding` (a version the same batch
 * is about to put) as present. The oldest go first; `adding` itself is never deleted.
 */
export async function versionPruneWrites(store: Store, collection: Collection, id: string, keep: number, adding?: string): Promise<StoreWrite[]> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new StoreError('PACER_STORE_INVALID_VALUE', `versions to keep must be a positive integer, got ${keep}`);
  }
  const versions = new Set(await listVersions(store, collection, id));
  if (adding !== undefined) versions.add(adding);
  const deletable = [...versions].filter((v) => v !== adding).sort(compareKeys);
  const excess = deletable.slice(0, Math.max(0, versions.size - keep));
  return excess.map((version) => ({ op: 'delete', collection, key: versionKey(id, version) }));
}

/** Deletes all but the newest `keep` versions of `id`; returns the versions it deleted. */
export async function pruneVersions(store: Store, collection: Collection, id: string, keep: number): Promise<string[]> {
  const deletes = await versionPruneWrites(store, collection, id, keep);
  if (deletes.length > 0) await store.apply(deletes);
  return deletes.map((write) => parseVersionKey(write.key)!.version);
}

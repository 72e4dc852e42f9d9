/**
 * Reads of the stored root versions (Marathon's `GroupManager.versions` / `group(id, version)`).
 * The service writes them with every root change (see persistence.ts); nothing here is read at
 * start-up: the version index comes from the service's memory and the roots are read only when
 * a versions endpoint asks for them.
 */
import type { Store } from '../../state/store.js';
import type { AppDefinition, Group, RootGroup, RootHistory, Timestamp } from '../contracts.js';
import { appVersionKey, loadPods, type StoredRoot } from './persistence.js';

export interface RootHistorySource {
  current(): RootGroup;
  /** Stored root versions, newest first. */
  storedVersions(): readonly Timestamp[];
}

/** Drops app ids whose definitions are gone, so the tree and the app map agree. */
function keepKnownApps(group: Group, apps: ReadonlyMap<string, AppDefinition>): Group {
  return {
    ...group,
    apps: group.apps.filter((id) => apps.has(id)),
    groups: group.groups.map((g) => keepKnownApps(g, apps)),
  };
}

export class StoredRootHistory implements RootHistory {
  readonly #store: Store;
  readonly #source: RootHistorySource;

  constructor(store: Store, source: RootHistorySource) {
    this.#store = store;
    this.#source = source;
  }

  versions(): Timestamp[] {
    const current = this.#source.current().version;
    const stored = this.#source.storedVersions();
    // The first root of a fresh store is not written until something changes it.
    return stored.includes(current) ? [...stored] : [current, ...stored];
  }

  async tree(version: Timestamp): Promise<Group | undefined> {
    const current = this.#source.current();
    if (version === current.version) return current.root;
    return (await this.#stored(version))?.root;
  }

  /**
   * App definitions come from their stored versions. An app version pruned since (an app keeps
   * at most `maxVersions`) is left out of the result rather than guessed.
   */
  async root(version: Timestamp): Promise<RootGroup | undefined> {
    const current = this.#source.current();
    if (version === current.version) return current;
    const stored = await this.#stored(version);
    if (stored === undefined) return undefined;
    const loaded = await Promise.all(
      Object.entries(stored.apps).map(async ([id, appVersion]) => {
        const app = await this.#store.get<AppDefinition>('appVersions', appVersionKey(id, appVersion));
        return app === undefined ? undefined : ([id, app] as const);
      }),
    );
    const apps = new Map<string, AppDefinition>();
    for (const entry of loaded) if (entry !== undefined) apps.set(entry[0], entry[1]);
    return { apps, pods: await loadPods(this.#store, stored), root: keepKnownApps(stored.root, apps), version: stored.version };
  }

  async #stored(version: Timestamp): Promise<StoredRoot | undefined> {
    if (!this.#source.storedVersions().includes(version)) return undefined;
    return this.#store.get<StoredRoot>('groupVersions', version);
  }
}

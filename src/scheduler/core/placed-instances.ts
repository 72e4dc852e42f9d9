/**
 * Where each app's active instances are, as the matcher's constraint counters read them
 * (UNIQUE, MAX_PER, GROUP_BY, CLUSTER without a value). Kept up to date from the tracker's
 * changes, and only for apps someone asked about: an app whose constraints do not depend on
 * placement never gets an entry, and an offer round does not rebuild any app's list from all of
 * its instances.
 */
import type { PlacedInstance } from '../../matching/index.js';
import type { Instance, InstanceChange } from '../contracts.js';
import { isActiveCondition } from './conditions.js';
import type { StoredInstanceTracker } from './instance-tracker.js';

interface AppPlacements {
  readonly byInstance: Map<string, PlacedInstance>;
  /** Built on demand from `byInstance`; dropped when it changes. */
  list: readonly PlacedInstance[] | undefined;
}

export class PlacedInstances {
  readonly #tracker: StoredInstanceTracker;
  readonly #apps = new Map<string, AppPlacements>();

  constructor(tracker: StoredInstanceTracker) {
    this.#tracker = tracker;
    tracker.onChange((change) => this.#onChange(change));
  }

  /** The app's placed instances; the first call for an app reads its instances once. */
  of(appId: string): readonly PlacedInstance[] {
    let app = this.#apps.get(appId);
    if (app === undefined) {
      app = { byInstance: new Map(), list: undefined };
      for (const instance of this.#tracker.ofApp(appId)) {
        if (isPlaced(instance)) app.byInstance.set(instance.instanceId, placedOf(instance));
      }
      this.#apps.set(appId, app);
    }
    app.list ??= [...app.byInstance.values()];
    return app.list;
  }

  /** Forgets everything (after the tracker was loaded anew). */
  clear(): void {
    this.#apps.clear();
  }

  /** Apps with an entry (for tests: apps without placement constraints must have none). */
  get trackedApps(): number {
    return this.#apps.size;
  }

  #onChange({ instance, previous, expunged }: InstanceChange): void {
    const app = this.#apps.get(instance.appId);
    if (app === undefined) return;
    const id = instance.instanceId;
    if (expunged || !isPlaced(instance)) {
      if (app.byInstance.delete(id)) app.list = undefined;
      // A removed app leaves nothing behind; a later ask reads its instances again.
      if (expunged && app.byInstance.size === 0) this.#apps.delete(instance.appId);
      return;
    }
    // A status update (Staging → Running) keeps the placement: no need to rebuild the list.
    if (previous !== undefined && app.byInstance.has(id) && samePlace(previous, instance)) return;
    app.byInstance.set(id, placedOf(instance));
    app.list = undefined;
  }
}

function isPlaced(instance: Instance): boolean {
  return isActiveCondition(instance.condition) && instance.hostname !== undefined;
}

function samePlace(a: Instance, b: Instance): boolean {
  return a.hostname === b.hostname && a.region === b.region && a.zone === b.zone && a.agentAttributes === b.agentAttributes;
}

function placedOf(instance: Instance): PlacedInstance {
  return {
    hostname: instance.hostname!,
    ...(instance.region !== undefined ? { region: instance.region } : {}),
    ...(instance.zone !== undefined ? { zone: instance.zone } : {}),
    attributes: (instance.agentAttributes ?? []).map((a) => ({ name: a.name, type: 'TEXT' as const, text: { value: a.value } })),
  };
}

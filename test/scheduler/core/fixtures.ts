import { normalizeAndValidateApp } from '../../../src/model/apps/index.js';
import type { AppDefinition, AppLookup, Timestamp } from '../../../src/scheduler/contracts.js';

/** A canonical app as the group manager would hand it to the core (version assigned). */
export function appOf(json: Record<string, unknown>, version = '2024-01-01T00:00:00.000Z'): AppDefinition {
  const app = normalizeAndValidateApp(json, { mesosRole: '*' });
  return { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
}

/** AppLookup over a plain map; `set` replaces the current version and keeps the old ones. */
export class MapAppLookup implements AppLookup {
  readonly #current = new Map<string, AppDefinition>();
  readonly #versions = new Map<string, AppDefinition>();

  constructor(apps: AppDefinition[] = []) {
    for (const app of apps) this.set(app);
  }

  set(app: AppDefinition): void {
    this.#current.set(app.id, app);
    this.#versions.set(`${app.id}@${app.version}`, app);
  }

  app(id: string): AppDefinition | undefined {
    return this.#current.get(id);
  }

  appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    return Promise.resolve(this.#versions.get(`${id}@${version}`));
  }
}

/** Marathon's group tree: groups hold app and pod ids and subgroups; the root group also holds every app and pod. */
import type { AppDefinition } from '../apps/types.js';
import type { PodDefinition } from '../pods/types.js';
import type { Timestamp } from '../timestamp.js';

export interface Group {
  /** Absolute path, `/` for the root. */
  id: string;
  /** App ids directly in this group. */
  apps: string[];
  /** Pod ids directly in this group (absent = none). */
  pods?: string[];
  groups: Group[];
  dependencies: string[];
  version: Timestamp;
  enforceRole?: boolean;
}

export interface RootGroup {
  /** Every app by absolute id. */
  apps: ReadonlyMap<string, AppDefinition>;
  /** Every pod by absolute id; groups hold their ids as they do apps'. */
  pods: ReadonlyMap<string, PodDefinition>;
  /** Group tree; apps are referenced by id. */
  root: Group;
  version: Timestamp;
}

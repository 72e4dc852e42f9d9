/** Marathon's group tree: groups hold app ids and subgroups; the root group also holds every app. */
import type { AppDefinition } from '../apps/types.js';
import type { Timestamp } from '../timestamp.js';

export interface Group {
  /** Absolute path, `/` for the root. */
  id: string;
  /** App ids directly in this group. */
  apps: string[];
  groups: Group[];
  dependencies: string[];
  version: Timestamp;
  enforceRole?: boolean;
}

export interface RootGroup {
  /** Every app by absolute id. */
  apps: ReadonlyMap<string, AppDefinition>;
  /** Group tree; apps are referenced by id. */
  root: Group;
  version: Timestamp;
}

/**
 * An app's declared ports as one list, whichever way it declares them: `portDefinitions` with
 * host networking, `container.portMappings` otherwise. The matcher only sees the entries that
 * need a host port, so these helpers translate between its `hostPorts` and per-declaration slots.
 */
import type { NetworkProtocol } from '../../model/apps/types.js';
import type { PortRequest } from '../../matching/index.js';
import type { AppDefinition } from '../contracts.js';

export interface PortSlot {
  /** portDefinitions[i].port, or portMappings[i].containerPort. */
  declared: number;
  name: string | undefined;
  protocol: NetworkProtocol;
  labels: Record<string, string>;
  /** Whether Mesos must give this slot a host port. */
  wantsHostPort: boolean;
  /** A host port the app insists on. */
  fixedHostPort: number | undefined;
  /** Container networks this mapping applies to (empty = all). */
  networkNames: string[];
}

export function hasNonHostNetworking(app: AppDefinition): boolean {
  return app.networks.some((n) => n.mode !== 'host');
}

export function portSlots(app: AppDefinition): PortSlot[] {
  const mappings = app.container?.portMappings;
  if (hasNonHostNetworking(app) || (mappings && mappings.length > 0)) {
    return (mappings ?? []).map((m) => ({
      declared: m.containerPort,
      name: m.name,
      protocol: m.protocol,
      labels: m.labels,
      wantsHostPort: m.hostPort !== undefined,
      fixedHostPort: m.hostPort !== undefined && m.hostPort !== 0 ? m.hostPort : undefined,
      networkNames: m.networkNames,
    }));
  }
  return app.portDefinitions.map((d) => ({
    declared: d.port,
    name: d.name,
    protocol: d.protocol,
    labels: d.labels,
    wantsHostPort: true,
    fixedHostPort: app.requirePorts && d.port !== 0 ? d.port : undefined,
    networkNames: [],
  }));
}

/** What the matcher is asked for, in slot order (slots without a host port left out). */
export function portRequests(app: AppDefinition): { ports: PortRequest[]; requirePorts: boolean } {
  const slots = portSlots(app).filter((s) => s.wantsHostPort);
  return {
    ports: slots.map((s) => ({ port: s.fixedHostPort ?? 0, ...(s.name !== undefined ? { name: s.name } : {}) })),
    requirePorts: slots.some((s) => s.fixedHostPort !== undefined),
  };
}

/** The matcher's host ports spread back over the slots; undefined where a slot has none. */
export function hostPortsBySlot(app: AppDefinition, hostPorts: readonly number[]): Array<number | undefined> {
  let next = 0;
  return portSlots(app).map((s) => (s.wantsHostPort ? hostPorts[next++] : undefined));
}

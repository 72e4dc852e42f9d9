/**
 * Service port assignment (Marathon's AssignDynamicServiceLogic). Only new apps and apps with a
 * configuration change are touched. A service port of 0 gets, in order: a port the app held
 * before and no longer names (unless another app now names it), then the lowest port of the range used by no app of either the old
 * or the new root. Explicit ports are kept as given.
 */
import { isConfigChange } from '../../model/apps/change.js';
import { ServiceError, type AppDefinition, type RootGroup } from '../contracts.js';

export interface PortRange {
  min: number;
  max: number;
}

export const DEFAULT_LOCAL_PORT_RANGE: PortRange = { min: 10000, max: 20000 };

function usesHostNetworking(app: AppDefinition): boolean {
  return !app.networks.some((n) => n.mode !== 'host');
}

/** The app's service ports: portDefinitions with host networking, portMappings otherwise. */
export function servicePorts(app: AppDefinition): number[] {
  if (usesHostNetworking(app)) return app.portDefinitions.map((p) => p.port);
  return (app.container?.portMappings ?? []).map((m) => m.servicePort);
}

function withServicePorts(app: AppDefinition, ports: readonly number[]): AppDefinition {
  if (usesHostNetworking(app)) {
    return { ...app, portDefinitions: app.portDefinitions.map((p, i) => ({ ...p, port: ports[i]! })) };
  }
  const container = app.container;
  if (container?.portMappings === undefined) return app;
  return {
    ...app,
    container: { ...container, portMappings: container.portMappings.map((m, i) => ({ ...m, servicePort: ports[i]! })) },
  };
}

export class PortRangeExhaustedError extends ServiceError {
  constructor(range: PortRange) {
    // Marathon answers this with a 500; the contract has no 500, and the client can fix it by
    // naming ports, so it is reported as unprocessable.
    super(422, `All ports in the range [${range.min}-${range.max}) are already in use`);
  }
}

export function assignServicePorts(from: RootGroup, to: RootGroup, range: PortRange = DEFAULT_LOCAL_PORT_RANGE): RootGroup {
  const used = new Set<number>();
  for (const app of [...from.apps.values(), ...to.apps.values()]) for (const port of servicePorts(app)) used.add(port);
  // Ports named by apps of the new root, so a port an app held before is not handed back to it
  // after another app has claimed it explicitly.
  const claimedBy = new Map<number, string>();
  for (const app of to.apps.values()) for (const port of servicePorts(app)) if (port !== 0) claimedBy.set(port, app.id);
  let next = range.min;
  const takeFree = (): number => {
    while (next <= range.max && used.has(next)) next++;
    if (next > range.max) throw new PortRangeExhaustedError(range);
    used.add(next);
    return next++;
  };

  let apps: Map<string, AppDefinition> | undefined;
  for (const app of to.apps.values()) {
    const old = from.apps.get(app.id);
    const ports = servicePorts(app);
    if (!ports.includes(0)) continue;
    if (old !== undefined && !isConfigChange(old, app)) continue;
    const reusable = (old === undefined ? [] : servicePorts(old)).filter(
      (p) => p >= range.min && p <= range.max && !ports.includes(p) && (claimedBy.get(p) ?? app.id) === app.id,
    );
    const assigned = ports.map((port) => (port !== 0 ? port : (reusable.shift() ?? takeFree())));
    apps ??= new Map(to.apps);
    apps.set(app.id, withServicePorts(app, assigned));
  }
  return apps === undefined ? to : { ...to, apps };
}

/**
 * Where a check of an instance goes. A declared port with a host port is reached on the
 * agent's hostname; a container-network port without one on the task's own IP address and
 * container port (Marathon's effective IP address and port assignment rules).
 */
import type { HealthCheck, IpProtocol, ReadinessCheck } from '../../model/apps/types.js';
import type { AppDefinition, Instance } from '../contracts.js';
import { hostPortsBySlot, portSlots } from '../core/ports.js';
import { HealthCheckError } from './errors.js';

export interface ProbeEndpoint {
  host: string;
  port: number;
}

function usesContainerNetwork(app: AppDefinition): boolean {
  return app.networks.some((n) => n.mode === 'container');
}

function agentHost(instance: Instance): string {
  if (!instance.hostname) throw new HealthCheckError('PACER_HEALTH_NO_HOST', `instance ${instance.instanceId} has no agent hostname yet`);
  return instance.hostname;
}

function taskAddress(instance: Instance, ipProtocol: IpProtocol): string {
  const address = instance.ipAddresses.find((a) => a.protocol === ipProtocol) ?? instance.ipAddresses[0];
  if (!address) throw new HealthCheckError('PACER_HEALTH_NO_HOST', `instance ${instance.instanceId} has no IP address yet`);
  return address.ipAddress;
}

function slotEndpoint(app: AppDefinition, instance: Instance, index: number, ipProtocol: IpProtocol, what: string): ProbeEndpoint {
  const slots = portSlots(app);
  const slot = slots[index];
  if (slot === undefined) {
    throw new HealthCheckError('PACER_HEALTH_NO_PORT', `${what}: port index ${index} is out of range (${slots.length} ports declared)`);
  }
  const hostPort = hostPortsBySlot(app, instance.hostPorts)[index];
  if (hostPort !== undefined && hostPort > 0) return { host: agentHost(instance), port: hostPort };
  if (usesContainerNetwork(app) && slot.declared > 0) return { host: taskAddress(instance, ipProtocol), port: slot.declared };
  throw new HealthCheckError('PACER_HEALTH_NO_PORT', `${what}: port index ${index} has no port assigned for instance ${instance.instanceId}`);
}

/** Target of a legacy HTTP/HTTPS/TCP health check: `port` if given, else the port at `portIndex` (0). */
export function healthCheckEndpoint(check: HealthCheck, app: AppDefinition, instance: Instance): ProbeEndpoint {
  if (check.port !== undefined) {
    const host = usesContainerNetwork(app) ? taskAddress(instance, check.ipProtocol) : agentHost(instance);
    return { host, port: check.port };
  }
  return slotEndpoint(app, instance, check.portIndex ?? 0, check.ipProtocol, 'health check');
}

/** Target of a readiness check: the declared port named `portName`. */
export function readinessEndpoint(check: ReadinessCheck, app: AppDefinition, instance: Instance): ProbeEndpoint {
  const index = portSlots(app).findIndex((s) => s.name === check.portName);
  if (index < 0) throw new HealthCheckError('PACER_HEALTH_NO_PORT', `no port definition for port name '${check.portName}' was found`);
  return slotEndpoint(app, instance, index, 'IPv4', `readiness check '${check.name}'`);
}

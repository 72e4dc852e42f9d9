/**
 * Builds the agents of `pacer mesos-local` from its options: process agents first, then
 * simulated ones. Every agent gets derived `zone` and `rack` attributes (unless the operator
 * set those names) and a fault domain, so placement constraints have something to work on
 * even on one machine.
 */
import type { Logger } from 'pino';
import type { Attribute, DomainInfo, Resource } from '../mesos/types.js';
import type { AgentStatusSink, LocalAgent } from './agents/agent.js';
import { agentHostnameFor, agentIdFor, completeAgentResources, parseAgentAttributes, parseAgentResources, portRangeSlice } from './agents/agent-spec.js';
import { ProcessAgent } from './agents/process-agent.js';
import { SimulatedAgent } from './agents/simulated-agent.js';

/** Derived zones cycle through this many values, so spreading over zones is testable. */
export const LOCAL_ZONE_COUNT = 3;
export const LOCAL_REGION = 'local';

export interface AgentFleetOptions {
  readonly masterId: string;
  readonly processAgents: number;
  readonly simulatedAgents: number;
  readonly agentResources: string;
  readonly agentAttributes?: string;
  readonly workDir: string;
  readonly machineHostname: string;
  readonly ip: string;
  readonly sink: AgentStatusSink;
  readonly logger: Logger;
  readonly supportsTaskKillingState?: (frameworkId: string) => boolean;
  /** `--switch_user` of the process agents (default true). */
  readonly switchUser?: boolean;
  /** FrameworkInfo.user by framework id. */
  readonly frameworkUser?: (frameworkId: string) => string | undefined;
  /** Grace the process agents give their tasks between SIGTERM and SIGKILL when they close. */
  readonly closeGracePeriodMs?: number;
}

function textAttribute(name: string, value: string): Attribute {
  return { name, type: 'TEXT', text: { value } };
}

/** Zone and rack of the agent at `index` across the whole fleet. */
export function placementOf(index: number): { zone: string; rack: string } {
  return { zone: `zone-${index % LOCAL_ZONE_COUNT}`, rack: `rack-${index}` };
}

function attributesFor(index: number, configured: readonly Attribute[]): Attribute[] {
  const names = new Set(configured.map((a) => a.name));
  const { zone, rack } = placementOf(index);
  const derived: Attribute[] = [];
  if (!names.has('zone')) derived.push(textAttribute('zone', zone));
  if (!names.has('rack')) derived.push(textAttribute('rack', rack));
  return [...configured, ...derived];
}

function domainFor(index: number): DomainInfo {
  return { fault_domain: { region: { name: LOCAL_REGION }, zone: { name: placementOf(index).zone } } };
}

/**
 * Process agents share this machine's ports, so each gets its own slice of a single ports
 * range; two tasks on different agents can then never be offered the same port.
 */
function processAgentResources(base: readonly Resource[], index: number, count: number): Resource[] {
  return base.map((resource) => {
    const ranges = resource.ranges?.range;
    if (resource.name !== 'ports' || ranges?.length !== 1 || count < 2) return resource;
    const range = ranges[0]!;
    if (range.end - range.begin + 1 < count) return resource;
    return { ...resource, ranges: { range: [portRangeSlice(index, count, range)] } };
  });
}

/** Throws AgentSpecError when the resource or attribute text is malformed. */
export function buildAgentFleet(opts: AgentFleetOptions): LocalAgent[] {
  const resources = completeAgentResources(parseAgentResources(opts.agentResources));
  const configured = opts.agentAttributes === undefined ? [] : parseAgentAttributes(opts.agentAttributes);
  const agents: LocalAgent[] = [];
  for (let i = 0; i < opts.processAgents; i++) {
    const index = agents.length;
    agents.push(
      new ProcessAgent({
        id: agentIdFor(opts.masterId, index),
        hostname: agentHostnameFor('process', index, opts.machineHostname),
        resources: processAgentResources(resources, i, opts.processAgents),
        attributes: attributesFor(index, configured),
        domain: domainFor(index),
        workDir: opts.workDir,
        sink: opts.sink,
        logger: opts.logger,
        ipAddress: opts.ip,
        ...(opts.supportsTaskKillingState ? { supportsTaskKillingState: opts.supportsTaskKillingState } : {}),
        ...(opts.switchUser !== undefined ? { switchUser: opts.switchUser } : {}),
        ...(opts.frameworkUser ? { frameworkUser: opts.frameworkUser } : {}),
        ...(opts.closeGracePeriodMs !== undefined ? { closeGracePeriodMs: opts.closeGracePeriodMs } : {}),
      }),
    );
  }
  for (let i = 0; i < opts.simulatedAgents; i++) {
    const index = agents.length;
    agents.push(
      new SimulatedAgent({
        id: agentIdFor(opts.masterId, index),
        hostname: agentHostnameFor('simulated', index),
        resources,
        attributes: attributesFor(index, configured),
        domain: domainFor(index),
        sink: opts.sink,
        logger: opts.logger,
        ...(opts.supportsTaskKillingState ? { supportsTaskKillingState: opts.supportsTaskKillingState } : {}),
      }),
    );
  }
  return agents;
}

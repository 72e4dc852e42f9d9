import type { Logger } from 'pino';

import type { AgentStatusSink, LocalAgent } from './agent.js';
import { agentHostnameFor, agentIdFor, completeAgentResources, parseAgentAttributes, parseAgentResources, portRangeSlice } from './agent-spec.js';
import { ProcessAgent, type ProcessAgentOptions } from './process-agent.js';
import { SimulatedAgent, type SimulatedAgentOptions } from './simulated-agent.js';

export interface LocalAgentsConfig {
  readonly masterId: string;
  /** `--agents`: agents that run tasks as processes. */
  readonly processAgents: number;
  /** `--simulated-agents`: agents without processes. */
  readonly simulatedAgents: number;
  /** `--agent-resources`; cpus/mem/disk/ports left out are filled in as a Mesos agent would. */
  readonly resources?: string;
  /** `--agent-attributes`. */
  readonly attributes?: string;
  /** `--work_dir`. */
  readonly workDir: string;
  readonly sink: AgentStatusSink;
  readonly logger: Logger;
  /** Hostname of process agents (the machine's reachable name); default localhost. */
  readonly hostname?: string;
  readonly process?: Partial<Omit<ProcessAgentOptions, 'id' | 'hostname' | 'resources' | 'attributes' | 'workDir' | 'sink' | 'logger'>>;
  readonly simulated?: Partial<Omit<SimulatedAgentOptions, 'id' | 'hostname' | 'resources' | 'attributes' | 'sink' | 'logger'>>;
}

/**
 * Builds the agents of `pacer mesos-local` from its flags. Ids run `<masterId>-S0`, `-S1`, ...:
 * process agents first, then simulated ones. Throws AgentSpecError on bad resource or attribute
 * text. When the flags give no ports, process agents get disjoint slices of [31000-32000]
 * because they share this machine's ports.
 */
export function createLocalAgents(config: LocalAgentsConfig): LocalAgent[] {
  const declared = parseAgentResources(config.resources ?? '');
  const attributes = parseAgentAttributes(config.attributes ?? '');
  const declaresPorts = declared.some((r) => r.name === 'ports');
  const agents: LocalAgent[] = [];
  for (let i = 0; i < config.processAgents; i += 1) {
    const ports = declaresPorts ? undefined : [portRangeSlice(i, config.processAgents)];
    agents.push(
      new ProcessAgent({
        ...config.process,
        id: agentIdFor(config.masterId, i),
        hostname: agentHostnameFor('process', i, config.hostname),
        resources: completeAgentResources(declared, ports === undefined ? {} : { ports }),
        attributes,
        workDir: config.workDir,
        sink: config.sink,
        logger: config.logger,
      }),
    );
  }
  const simulatedResources = completeAgentResources(declared);
  for (let j = 0; j < config.simulatedAgents; j += 1) {
    const sequence = config.processAgents + j;
    agents.push(
      new SimulatedAgent({
        ...config.simulated,
        id: agentIdFor(config.masterId, sequence),
        hostname: agentHostnameFor('simulated', sequence),
        resources: simulatedResources,
        attributes,
        sink: config.sink,
        logger: config.logger,
      }),
    );
  }
  return agents;
}

import type { Attribute, DomainInfo, Offer, Resource } from '../../mesos/types.js';
import type { Allocation } from './allocator.js';
import type { ResourceBag } from './resources.js';

/** An outstanding offer: what the allocator set aside and what the framework was sent. */
export interface OfferRecord {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** Allocated to `role`. */
  readonly resources: ResourceBag;
  readonly createdAt: number;
  readonly wire: Offer;
}

export interface OfferAgentView {
  readonly id: string;
  readonly hostname: string;
  readonly attributes: readonly Attribute[];
  readonly domain?: DomainInfo;
}

export interface OfferEndpoint {
  readonly ip: string;
  readonly port: number;
}

/** Builds the wire Offer for an allocation (one agent, one role). */
export function buildOffer(
  id: string,
  allocation: Allocation,
  agent: OfferAgentView,
  endpoint: OfferEndpoint,
  options: { executorIds: readonly string[]; resources: Resource[] },
): Offer {
  const offer: Offer = {
    id: { value: id },
    framework_id: { value: allocation.frameworkId },
    agent_id: { value: agent.id },
    hostname: agent.hostname,
    // In-process agents have no endpoint of their own; they are reached through the master.
    url: {
      scheme: 'http',
      address: { hostname: agent.hostname, ip: endpoint.ip, port: endpoint.port },
      path: '/slave(1)',
    },
    resources: options.resources,
    attributes: [...agent.attributes],
    allocation_info: { role: allocation.role },
  };
  if (agent.domain !== undefined) offer.domain = agent.domain;
  if (options.executorIds.length > 0) offer.executor_ids = options.executorIds.map((value) => ({ value }));
  return offer;
}

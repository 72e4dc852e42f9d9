import type { AgentID, Attribute, DomainInfo, FrameworkID, Offer, Resource, ResourceAllocationInfo, URL } from '../../mesos/types.js';
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

export interface OfferContents {
  readonly role: string;
  /** Whether the framework is MULTI_ROLE capable (then offers carry `allocation_info`). */
  readonly multiRole: boolean;
  /** Wire resources; may be a frozen array shared with other offers. */
  readonly resources: readonly Resource[];
  readonly executorIds: readonly string[];
}

/** What every offer of one agent has in common; built once per agent (`OfferBuilder.agentParts`). */
export interface AgentOfferParts {
  readonly agentId: Readonly<AgentID>;
  readonly hostname: string;
  readonly url: Readonly<URL>;
  readonly attributes: readonly Attribute[];
  readonly domain: DomainInfo | undefined;
}

/**
 * Builds wire Offers. A full allocation pass over a large cluster builds one offer per agent and
 * every one outlives the pass, so the parts that are the same for every offer of an agent, a
 * framework or a role are built once, frozen and shared: only the offer and its id are new.
 * Frozen, so that no holder of one offer can change another's.
 */
export class OfferBuilder {
  private readonly frameworkIds = new WeakMap<{ readonly id: string }, Readonly<FrameworkID>>();
  private readonly allocationInfos = new Map<string, Readonly<ResourceAllocationInfo>>();

  constructor(private readonly endpoint: OfferEndpoint) {}

  /**
   * `framework` is the master's record of the framework: its identity keys the shared id.
   * `agent` comes from `agentParts`, which the caller keeps with the agent.
   */
  build(id: string, framework: { readonly id: string }, agent: AgentOfferParts, contents: OfferContents): Offer {
    const offer: Offer = {
      id: { value: id },
      framework_id: this.frameworkId(framework),
      agent_id: agent.agentId,
      hostname: agent.hostname,
      url: agent.url,
      resources: contents.resources as Resource[],
      attributes: agent.attributes as Attribute[],
    };
    // Upstream strips it for frameworks that are not MULTI_ROLE capable (MESOS-8237).
    if (contents.multiRole) offer.allocation_info = this.allocationInfo(contents.role);
    if (agent.domain !== undefined) offer.domain = agent.domain;
    if (contents.executorIds.length > 0) offer.executor_ids = contents.executorIds.map((value) => ({ value }));
    return offer;
  }

  /** The frozen parts shared by every offer of the agent. */
  agentParts(agent: OfferAgentView): AgentOfferParts {
    return Object.freeze({
      agentId: Object.freeze({ value: agent.id }),
      hostname: agent.hostname,
      // In-process agents have no endpoint of their own; they are reached through the master.
      url: Object.freeze({
        scheme: 'http',
        address: Object.freeze({ hostname: agent.hostname, ip: this.endpoint.ip, port: this.endpoint.port }),
        path: '/slave(1)',
      }),
      attributes: Object.freeze([...agent.attributes]),
      domain: agent.domain,
    });
  }

  private frameworkId(framework: { readonly id: string }): Readonly<FrameworkID> {
    let value = this.frameworkIds.get(framework);
    if (value === undefined) {
      value = Object.freeze({ value: framework.id });
      this.frameworkIds.set(framework, value);
    }
    return value;
  }

  private allocationInfo(role: string): Readonly<ResourceAllocationInfo> {
    let info = this.allocationInfos.get(role);
    if (info === undefined) {
      info = Object.freeze({ role });
      this.allocationInfos.set(role, info);
    }
    return info;
  }
}

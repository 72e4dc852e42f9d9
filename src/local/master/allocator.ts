import { DrfShares } from './drf.js';
import { ResourceBag } from './resources.js';

/**
 * The embedded master's allocator, after upstream's hierarchical DRF allocator: every pass
 * offers each agent's available resources, per role, to the (role, framework) pair with the
 * lowest dominant share, honouring suppression, refusal filters and at most one outstanding
 * offer per agent and framework.
 *
 * Availability is kept per agent incrementally, and a pass only visits agents that have
 * allocatable resources, so an idle pass costs nothing however large the cluster is.
 */

/** Upstream's default `--min_allocatable_resources=cpus:0.01|mem:32`, in thousandths. */
const MIN_CPUS_MILLI = 10;
const MIN_MEM_MILLI = 32_000;
/** Upstream caps `refuse_seconds` at 365 days and defaults it to 5 s. */
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
export const DEFAULT_REFUSE_SECONDS = 5;

export interface Allocation {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  /** Allocated to `role` (each resource carries `allocation_info.role`). */
  readonly resources: ResourceBag;
  /** The offer holds the agent's entire (unreserved) total: its wire form can be cached. */
  readonly wholeAgent: boolean;
}

export interface AllocatorFrameworkOptions {
  readonly roles: readonly string[];
  readonly suppressedRoles?: readonly string[];
  /** GPU_RESOURCES capability: without it, agents with GPUs are never offered. */
  readonly gpuAware: boolean;
  readonly active: boolean;
}

interface RefusalFilter {
  readonly role: string;
  /** Unallocated resources refused; an offer they contain is filtered. */
  readonly resources: ResourceBag;
  readonly expiresAt: number;
}

interface AgentSlot {
  readonly id: string;
  readonly total: ResourceBag;
  /** Unallocated resources neither offered nor used by tasks/executors. */
  available: ResourceBag;
  readonly hasReservations: boolean;
  readonly hasGpus: boolean;
  /** Frameworks holding an outstanding offer on this agent. */
  readonly offeredTo: Set<string>;
  /** Offered plus used resources, by `role\0frameworkId`. */
  readonly allocations: Map<string, ResourceBag>;
}

interface FrameworkSlot {
  readonly id: string;
  roles: Set<string>;
  suppressed: Set<string>;
  gpuAware: boolean;
  active: boolean;
  /** Refusal filters by agent id. */
  readonly filters: Map<string, RefusalFilter[]>;
}

interface Candidate {
  readonly framework: FrameworkSlot;
  readonly role: string;
  readonly client: string;
}

function isAllocatable(bag: ResourceBag): boolean {
  return bag.meetsMinimumAllocatable(MIN_CPUS_MILLI, MIN_MEM_MILLI);
}

function clientKey(role: string, frameworkId: string): string {
  return `${role}\u0000${frameworkId}`;
}

/** Refusal timeout in ms as upstream derives it from `Filters.refuse_seconds`. */
export function refusalTimeoutMs(refuseSeconds: number | undefined, allocationIntervalMs: number): number {
  let seconds = refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
  if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
  if (seconds > MAX_REFUSE_SECONDS) seconds = MAX_REFUSE_SECONDS;
  if (seconds === 0) return 0;
  // A filter never expires before the next periodic pass could see it (MESOS-4302).
  return Math.max(allocationIntervalMs, seconds * 1000);
}

export class Allocator {
  private readonly agents = new Map<string, AgentSlot>();
  private readonly frameworks = new Map<string, FrameworkSlot>();
  /** Agents whose available resources are allocatable: the only ones a pass visits. */
  private readonly freeAgents = new Set<string>();
  private readonly totals = new Map<string, number>();
  private readonly roleShares = new DrfShares(this.totals);
  private readonly frameworkShares = new DrfShares(this.totals);
  private candidatesCache: Candidate[] | undefined;

  constructor(
    private readonly now: () => number,
    private readonly allocationIntervalMs: number,
  ) {}

  // ---- agents ---------------------------------------------------------------------------------

  addAgent(agentId: string, total: ResourceBag): void {
    if (this.agents.has(agentId)) return;
    const slot: AgentSlot = {
      id: agentId,
      total: total.clone(),
      available: total.clone(),
      hasReservations: total.hasReservations(),
      hasGpus: total.scalarMilli('gpus') > 0,
      offeredTo: new Set(),
      allocations: new Map(),
    };
    this.agents.set(agentId, slot);
    total.accumulateScalars(this.totals, 1);
    this.roleShares.invalidate();
    this.frameworkShares.invalidate();
    if (isAllocatable(slot.available)) this.freeAgents.add(agentId);
  }

  /** Forgets the agent and everything allocated on it (the master rescinds/loses the rest). */
  removeAgent(agentId: string): void {
    const slot = this.agents.get(agentId);
    if (slot === undefined) return;
    for (const [client, bag] of slot.allocations) this.untrack(client, bag);
    slot.total.accumulateScalars(this.totals, -1);
    for (const [name, milli] of this.totals) if (milli <= 0) this.totals.delete(name);
    this.agents.delete(agentId);
    this.freeAgents.delete(agentId);
    for (const fw of this.frameworks.values()) fw.filters.delete(agentId);
    this.roleShares.invalidate();
    this.frameworkShares.invalidate();
  }

  hasAgent(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  agentCount(): number {
    return this.agents.size;
  }

  /** Unallocated resources on the agent that are neither offered nor in use. */
  available(agentId: string): ResourceBag | undefined {
    return this.agents.get(agentId)?.available;
  }

  /** Resources offered or in use on the agent, all roles and frameworks together. */
  allocated(agentId: string): ResourceBag {
    const bag = new ResourceBag();
    for (const b of this.agents.get(agentId)?.allocations.values() ?? []) bag.add(b);
    return bag;
  }

  // ---- frameworks -----------------------------------------------------------------------------

  addFramework(frameworkId: string, options: AllocatorFrameworkOptions): void {
    this.frameworks.set(frameworkId, {
      id: frameworkId,
      roles: new Set(options.roles),
      suppressed: new Set(options.suppressedRoles ?? []),
      gpuAware: options.gpuAware,
      active: options.active,
      filters: new Map(),
    });
    this.candidatesCache = undefined;
  }

  /** Applies new roles / suppressed roles / capabilities; roles leaving the suppressed set get
   * their filters cleared as upstream does. */
  updateFramework(frameworkId: string, options: AllocatorFrameworkOptions): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined) {
      this.addFramework(frameworkId, options);
      return;
    }
    const suppressed = new Set(options.suppressedRoles ?? []);
    const unsuppressed = [...fw.suppressed].filter((r) => !suppressed.has(r));
    fw.roles = new Set(options.roles);
    fw.suppressed = suppressed;
    fw.gpuAware = options.gpuAware;
    fw.active = options.active;
    this.clearFilters(fw, unsuppressed);
    this.candidatesCache = undefined;
  }

  setActive(frameworkId: string, active: boolean): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined || fw.active === active) return;
    fw.active = active;
    this.candidatesCache = undefined;
  }

  /** Drops the framework; the master has already recovered its offers and tasks. */
  removeFramework(frameworkId: string): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined) return;
    for (const agent of this.agents.values()) {
      for (const role of fw.roles) {
        const client = clientKey(role, frameworkId);
        const bag = agent.allocations.get(client);
        if (bag !== undefined) {
          this.untrack(client, bag);
          agent.available.add(bag.allocatedTo(undefined));
          agent.allocations.delete(client);
          if (isAllocatable(agent.available)) this.freeAgents.add(agent.id);
        }
      }
      agent.offeredTo.delete(frameworkId);
    }
    this.frameworks.delete(frameworkId);
    for (const role of fw.roles) this.frameworkShares.forget(clientKey(role, frameworkId));
    this.candidatesCache = undefined;
  }

  /** SUPPRESS: no more offers for these roles (all of the framework's roles when empty). */
  suppress(frameworkId: string, roles: readonly string[]): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined) return;
    for (const role of roles.length > 0 ? roles : fw.roles) if (fw.roles.has(role)) fw.suppressed.add(role);
    this.candidatesCache = undefined;
  }

  /** REVIVE: unsuppress and clear every refusal filter of these roles (all when empty). */
  revive(frameworkId: string, roles: readonly string[]): void {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined) return;
    const target = roles.length > 0 ? roles.filter((r) => fw.roles.has(r)) : [...fw.roles];
    for (const role of target) fw.suppressed.delete(role);
    this.clearFilters(fw, target);
    this.candidatesCache = undefined;
  }

  suppressedRoles(frameworkId: string): string[] {
    return [...(this.frameworks.get(frameworkId)?.suppressed ?? [])];
  }

  private clearFilters(fw: FrameworkSlot, roles: readonly string[]): void {
    if (roles.length === 0) return;
    const clear = new Set(roles);
    for (const [agentId, list] of fw.filters) {
      const kept = list.filter((f) => !clear.has(f.role));
      if (kept.length === 0) fw.filters.delete(agentId);
      else fw.filters.set(agentId, kept);
    }
  }

  // ---- resource flow --------------------------------------------------------------------------

  /** An offer was accepted, declined or rescinded: the framework may be offered the agent again. */
  offerClosed(frameworkId: string, agentId: string): void {
    this.agents.get(agentId)?.offeredTo.delete(frameworkId);
  }

  /**
   * Returns resources allocated to the framework (unused offer parts, finished tasks) to the
   * agent's pool. With `refuseSeconds`, also installs upstream's refusal filter for them.
   */
  recover(frameworkId: string, agentId: string, resources: ResourceBag, filter?: { refuseSeconds: number | undefined }): void {
    const agent = this.agents.get(agentId);
    if (agent === undefined || resources.isEmpty()) return;
    const single = resources.singleAllocationRole();
    const parts: Iterable<[string | undefined, ResourceBag]> =
      single === null ? resources.byAllocationRole() : [[single, resources]];
    for (const [role, part] of parts) {
      if (role === undefined) continue;
      const client = clientKey(role, frameworkId);
      const held = agent.allocations.get(client);
      if (held === undefined) continue;
      // Never return more than the framework holds: tolerate double recovery without drift.
      const returned = held.contains(part) ? part : this.intersectHeld(held, part);
      held.subtract(returned);
      if (held.isEmpty()) agent.allocations.delete(client);
      this.untrack(client, returned);
      agent.available.add(returned.allocatedTo(undefined));
      if (isAllocatable(agent.available)) this.freeAgents.add(agentId);

      const fw = this.frameworks.get(frameworkId);
      if (fw === undefined || filter === undefined) continue;
      const timeout = refusalTimeoutMs(filter.refuseSeconds, this.allocationIntervalMs);
      if (timeout === 0) continue;
      const list = fw.filters.get(agentId) ?? [];
      list.push({ role, resources: returned.allocatedTo(undefined), expiresAt: this.now() + timeout });
      fw.filters.set(agentId, list);
    }
  }

  private intersectHeld(held: ResourceBag, part: ResourceBag): ResourceBag {
    // part minus (part minus held) = the overlap of both.
    const excess = part.clone().subtract(held);
    return part.clone().subtract(excess);
  }

  /** Resources the framework holds on the agent (offered or used) for DRF and the state view. */
  held(frameworkId: string, agentId: string, role: string): ResourceBag | undefined {
    return this.agents.get(agentId)?.allocations.get(clientKey(role, frameworkId));
  }

  dominantShare(frameworkId: string, role: string): number {
    return this.frameworkShares.share(clientKey(role, frameworkId));
  }

  private track(client: string, role: string, bag: ResourceBag): void {
    this.frameworkShares.track(client, bag, 1);
    this.roleShares.track(role, bag, 1);
  }

  private untrack(client: string, bag: ResourceBag): void {
    const role = client.slice(0, client.indexOf('\u0000'));
    this.frameworkShares.track(client, bag, -1);
    this.roleShares.track(role, bag, -1);
  }

  /** Moves `unallocated` (a part of the agent's available pool, or the whole pool itself) to the
   * framework in `role`; returns it allocated to the role. */
  private allocateOnAgent(agent: AgentSlot, frameworkId: string, role: string, unallocated: ResourceBag): ResourceBag {
    if (unallocated === agent.available) agent.available = new ResourceBag();
    else agent.available.subtract(unallocated);
    const allocated = unallocated.allocatedTo(role);
    const client = clientKey(role, frameworkId);
    const held = agent.allocations.get(client);
    if (held === undefined) agent.allocations.set(client, allocated.clone());
    else held.add(allocated);
    this.track(client, role, allocated);
    return allocated;
  }

  // ---- the pass -------------------------------------------------------------------------------

  private candidates(): Candidate[] {
    if (this.candidatesCache !== undefined) return this.candidatesCache;
    const list: Candidate[] = [];
    for (const fw of this.frameworks.values()) {
      if (!fw.active) continue;
      for (const role of fw.roles) {
        if (!fw.suppressed.has(role)) list.push({ framework: fw, role, client: clientKey(role, fw.id) });
      }
    }
    this.candidatesCache = list;
    return list;
  }

  private isFiltered(fw: FrameworkSlot, role: string, agentId: string, offerable: ResourceBag, now: number): boolean {
    const list = fw.filters.get(agentId);
    if (list === undefined) return false;
    let filtered = false;
    let expired = false;
    for (const f of list) {
      if (f.expiresAt <= now) expired = true;
      else if (f.role === role && f.resources.contains(offerable)) filtered = true;
    }
    if (expired) {
      const live = list.filter((f) => f.expiresAt > now);
      if (live.length === 0) fw.filters.delete(agentId);
      else fw.filters.set(agentId, live);
    }
    return filtered;
  }

  /** One allocation pass: returns the new offers' contents, at most one per agent+framework. */
  allocate(): Allocation[] {
    const out: Allocation[] = [];
    if (this.freeAgents.size === 0) return out;
    const candidates = this.candidates();
    if (candidates.length === 0) return out;
    const now = this.now();

    for (const agentId of this.freeAgents) {
      const agent = this.agents.get(agentId)!;
      this.allocateAgent(agent, candidates, now, out);
      if (!isAllocatable(agent.available)) this.freeAgents.delete(agentId);
    }
    return out;
  }

  private allocateAgent(agent: AgentSlot, candidates: readonly Candidate[], now: number, out: Allocation[]): void {
    for (;;) {
      const usableByRole = agent.hasReservations ? new Map<string, ResourceBag | null>() : undefined;
      const wholePool = usableByRole === undefined && isAllocatable(agent.available) ? agent.available : null;
      const wholeAgent = usableByRole === undefined && agent.allocations.size === 0;
      let best: Candidate | undefined;
      let bestBag: ResourceBag | undefined;
      let bestRoleShare = 0;
      let bestShare = 0;
      for (const c of candidates) {
        if (agent.offeredTo.has(c.framework.id)) continue;
        if (agent.hasGpus && !c.framework.gpuAware) continue;
        let usable = usableByRole === undefined ? wholePool : usableByRole.get(c.role);
        if (usable === undefined) {
          const bag = agent.available.usableBy(c.role);
          usable = isAllocatable(bag) ? bag : null;
          usableByRole!.set(c.role, usable);
        }
        if (usable === null) continue;
        if (this.isFiltered(c.framework, c.role, agent.id, usable, now)) continue;
        const roleShare = this.roleShares.share(c.role);
        const share = this.frameworkShares.share(c.client);
        if (
          best === undefined ||
          roleShare < bestRoleShare ||
          (roleShare === bestRoleShare && (share < bestShare || (share === bestShare && c.client < best.client)))
        ) {
          best = c;
          bestBag = usable;
          bestRoleShare = roleShare;
          bestShare = share;
        }
      }
      if (best === undefined || bestBag === undefined) return;
      const resources = this.allocateOnAgent(agent, best.framework.id, best.role, bestBag);
      agent.offeredTo.add(best.framework.id);
      out.push({ frameworkId: best.framework.id, agentId: agent.id, role: best.role, resources, wholeAgent });
      if (!agent.hasReservations) return;
    }
  }
}

import { DrfShares, ScalarTotals, type ShareCell } from './drf.js';
import { ResourceBag } from './resources.js';

/**
 * The embedded master's allocator, after upstream's hierarchical DRF allocator: every pass
 * offers each agent's available resources, per role, to the (role, framework) pair with the
 * lowest dominant share, honouring suppression, refusal filters and at most one outstanding
 * offer per agent and framework.
 *
 * Availability is kept per agent incrementally, and a pass only visits agents that have
 * allocatable resources, so an idle pass costs nothing however large the cluster is.
 *
 * A full pass over a large idle cluster makes one offer per agent, and every object it builds
 * outlives the pass (the offers are outstanding), so each one costs garbage-collector copying
 * later, and each object the pass reads costs a cache miss. Whole-agent offers therefore share
 * one frozen bag per agent and role, which is at once the offer's resources and the framework's
 * holding; an agent's available pool is likewise the frozen total or the shared empty bag until
 * something changes it. Frozen bags are cloned before any change (`mutableAvailable`,
 * `mutableHeld`); `test/local/master/allocator.test.ts` checks that available + holdings = total
 * and that offers never change under any sequence of calls.
 */

const EMPTY = new ResourceBag().freeze();

/** Upstream's default `--min_allocatable_resources=cpus:0.01|mem:32`, in thousandths. */
const MIN_CPUS_MILLI = 10;
const MIN_MEM_MILLI = 32_000;
/** Upstream caps `refuse_seconds` at 365 days and defaults it to 5 s. */
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
export const DEFAULT_REFUSE_SECONDS = 5;

export interface Allocation<AgentTag = unknown> {
  readonly frameworkId: string;
  readonly agentId: string;
  /** What the caller attached to the agent in `addAgent`, so it need not look the agent up. */
  readonly agentTag: AgentTag;
  readonly role: string;
  /** Allocated to `role` (each resource carries `allocation_info.role`). Frozen and shared with
   * the agent's other whole-agent offers to the role when it is the agent's entire total. */
  readonly resources: ResourceBag;
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

interface AgentSlot<AgentTag> {
  readonly id: string;
  /** Position in `Allocator.slots`, in registration order (freed positions are reused). */
  readonly index: number;
  readonly tag: AgentTag;
  /** Frozen. */
  readonly total: ResourceBag;
  /** Whether `total` meets the minimum allocatable, known up front. */
  readonly totalAllocatable: boolean;
  /** Unallocated resources neither offered nor used by tasks/executors. Equals `total` minus
   * every allocation; may be frozen (`total` itself or `EMPTY`). */
  available: ResourceBag;
  readonly hasReservations: boolean;
  readonly hasGpus: boolean;
  /** Frameworks holding an outstanding offer on this agent. */
  readonly offeredTo: Set<string>;
  /** Offered plus used resources, by `role\0frameworkId`; a value may be frozen (shared with a
   * whole-agent offer). */
  readonly allocations: Map<string, ResourceBag>;
  /** `total` allocated to a role, frozen: the resources of every whole-agent offer. Nearly
   * always one role per agent, kept in place; any further roles in `wholeByOtherRole`. */
  wholeRole: string | undefined;
  wholeBag: ResourceBag | undefined;
  wholeByOtherRole: Map<string, ResourceBag> | undefined;
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
  readonly roleShare: ShareCell;
  readonly clientShare: ShareCell;
  /** Position of `client` in string order: the DRF tie-break, compared as a number because equal
   * shares are common (every framework that got one agent) and clients share long prefixes. */
  rank: number;
}

function isAllocatable(bag: ResourceBag): boolean {
  return bag.meetsMinimumAllocatable(MIN_CPUS_MILLI, MIN_MEM_MILLI);
}

/** `isAllocatable(agent.available)` without touching the bag in the common shared states: a
 * full pass over a large cluster is bound by memory latency, one miss per object visited. */
function hasAllocatable(agent: AgentSlot<unknown>): boolean {
  if (agent.available === agent.total) return agent.totalAllocatable;
  if (agent.available === EMPTY) return false;
  return isAllocatable(agent.available);
}

function clientKey(role: string, frameworkId: string): string {
  return `${role}\u0000${frameworkId}`;
}

function mutableAvailable(agent: AgentSlot<unknown>): ResourceBag {
  if (agent.available.isFrozen) agent.available = agent.available.clone();
  return agent.available;
}

function mutableHeld(agent: AgentSlot<unknown>, client: string, held: ResourceBag): ResourceBag {
  if (!held.isFrozen) return held;
  const copy = held.clone();
  agent.allocations.set(client, copy);
  return copy;
}

/** Puts resources a framework held (allocated to a role) back into the agent's pool. */
function returnToPool(agent: AgentSlot<unknown>, allocated: ResourceBag): void {
  // Nothing left allocated means available is the total again (available + allocations = total
  // always holds): share the frozen total instead of rebuilding it.
  if (agent.allocations.size === 0) agent.available = agent.total;
  else mutableAvailable(agent).add(allocated.allocatedTo(undefined));
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

export class Allocator<AgentTag = undefined> {
  private readonly agents = new Map<string, AgentSlot<AgentTag>>();
  private readonly frameworks = new Map<string, FrameworkSlot>();
  /**
   * Agents by index, and a flag for each whose available resources are allocatable: the only
   * ones a pass visits. A pass walks them in index (registration) order rather than in the order
   * their resources came back: on a large cluster the pass is bound by memory latency, and
   * agents' objects visited in the order they were created are far kinder to the CPU caches.
   */
  private readonly slots: (AgentSlot<AgentTag> | undefined)[] = [];
  private readonly unusedIndexes: number[] = [];
  private freeFlags = new Uint8Array(64);
  private freeCount = 0;
  private readonly totals = new ScalarTotals();
  private readonly roleShares = new DrfShares(this.totals);
  private readonly frameworkShares = new DrfShares(this.totals);
  private candidatesCache: Candidate[] | undefined;

  constructor(
    private readonly now: () => number,
    private readonly allocationIntervalMs: number,
  ) {}

  // ---- agents ---------------------------------------------------------------------------------

  addAgent(agentId: string, total: ResourceBag, tag: AgentTag): void {
    if (this.agents.has(agentId)) return;
    const frozenTotal = total.clone().freeze();
    const slot: AgentSlot<AgentTag> = {
      id: agentId,
      index: this.unusedIndexes.pop() ?? this.slots.length,
      tag,
      total: frozenTotal,
      totalAllocatable: isAllocatable(frozenTotal),
      available: frozenTotal,
      hasReservations: total.hasReservations(),
      hasGpus: total.scalarMilli('gpus') > 0,
      offeredTo: new Set(),
      allocations: new Map(),
      wholeRole: undefined,
      wholeBag: undefined,
      wholeByOtherRole: undefined,
    };
    this.agents.set(agentId, slot);
    this.slots[slot.index] = slot;
    if (slot.index >= this.freeFlags.length) {
      const grown = new Uint8Array(this.freeFlags.length * 2);
      grown.set(this.freeFlags);
      this.freeFlags = grown;
    }
    this.totals.add(frozenTotal, 1);
    if (hasAllocatable(slot)) this.markFree(slot);
  }

  /** Forgets the agent and everything allocated on it (the master rescinds/loses the rest). */
  removeAgent(agentId: string): void {
    const slot = this.agents.get(agentId);
    if (slot === undefined) return;
    for (const [client, bag] of slot.allocations) this.untrack(client, bag);
    this.totals.add(slot.total, -1);
    this.agents.delete(agentId);
    this.markBusy(slot);
    this.slots[slot.index] = undefined;
    this.unusedIndexes.push(slot.index);
    for (const fw of this.frameworks.values()) fw.filters.delete(agentId);
  }

  hasAgent(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  private markFree(slot: AgentSlot<AgentTag>): void {
    if (this.freeFlags[slot.index] === 1) return;
    this.freeFlags[slot.index] = 1;
    this.freeCount++;
  }

  private markBusy(slot: AgentSlot<AgentTag>): void {
    if (this.freeFlags[slot.index] === 0) return;
    this.freeFlags[slot.index] = 0;
    this.freeCount--;
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
          agent.allocations.delete(client);
          returnToPool(agent, bag);
          if (hasAllocatable(agent)) this.markFree(agent);
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
    const parts: Iterable<[string | undefined, ResourceBag]> = single === null ? resources.byAllocationRole() : [[single, resources]];
    for (const [role, part] of parts) {
      if (role === undefined) continue;
      const client = clientKey(role, frameworkId);
      const held = agent.allocations.get(client);
      if (held === undefined) continue;
      // Never return more than the framework holds: tolerate double recovery without drift.
      const returned = held === part || held.contains(part) ? part : this.intersectHeld(held, part);
      if (returned === held) agent.allocations.delete(client);
      else {
        const mine = mutableHeld(agent, client, held);
        mine.subtract(returned);
        if (mine.isEmpty()) agent.allocations.delete(client);
      }
      this.untrack(client, returned);
      returnToPool(agent, returned);
      if (hasAllocatable(agent)) this.markFree(agent);

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

  private untrack(client: string, bag: ResourceBag): void {
    const role = client.slice(0, client.indexOf('\u0000'));
    this.frameworkShares.track(client, bag, -1);
    this.roleShares.track(role, bag, -1);
  }

  /** Moves `unallocated` (a part of the agent's available pool, or the whole pool itself) to the
   * candidate; returns it allocated to the candidate's role. */
  private allocateOnAgent(agent: AgentSlot<unknown>, c: Candidate, unallocated: ResourceBag): ResourceBag {
    let allocated: ResourceBag;
    if (unallocated === agent.available && agent.allocations.size === 0 && !agent.hasReservations) {
      // The whole agent: available is the total, so its frozen per-role copy serves as the
      // offer's resources and the framework's holding alike.
      allocated = this.wholeAgent(agent, c.role);
      agent.allocations.set(c.client, allocated);
      agent.available = EMPTY;
    } else {
      if (unallocated === agent.available) agent.available = EMPTY;
      else mutableAvailable(agent).subtract(unallocated);
      allocated = unallocated.allocatedTo(c.role);
      const held = agent.allocations.get(c.client);
      if (held === undefined) agent.allocations.set(c.client, allocated.clone());
      else mutableHeld(agent, c.client, held).add(allocated);
    }
    this.frameworkShares.track(c.clientShare, allocated, 1);
    this.roleShares.track(c.roleShare, allocated, 1);
    return allocated;
  }

  private wholeAgent(agent: AgentSlot<unknown>, role: string): ResourceBag {
    if (agent.wholeRole === role) return agent.wholeBag!;
    if (agent.wholeRole === undefined) {
      agent.wholeRole = role;
      agent.wholeBag = agent.total.allocatedTo(role).freeze();
      return agent.wholeBag;
    }
    agent.wholeByOtherRole ??= new Map();
    let bag = agent.wholeByOtherRole.get(role);
    if (bag === undefined) {
      bag = agent.total.allocatedTo(role).freeze();
      agent.wholeByOtherRole.set(role, bag);
    }
    return bag;
  }

  // ---- the pass -------------------------------------------------------------------------------

  private candidates(): Candidate[] {
    if (this.candidatesCache !== undefined) return this.candidatesCache;
    const list: Candidate[] = [];
    for (const fw of this.frameworks.values()) {
      if (!fw.active) continue;
      for (const role of fw.roles) {
        if (fw.suppressed.has(role)) continue;
        const client = clientKey(role, fw.id);
        list.push({
          framework: fw,
          role,
          client,
          roleShare: this.roleShares.cell(role),
          clientShare: this.frameworkShares.cell(client),
          rank: 0,
        });
      }
    }
    const byClient = [...list].sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0));
    byClient.forEach((c, rank) => (c.rank = rank));
    this.candidatesCache = list;
    return list;
  }

  private isFiltered(fw: FrameworkSlot, role: string, agentId: string, offerable: ResourceBag, now: number): boolean {
    if (fw.filters.size === 0) return false;
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
  allocate(): Allocation<AgentTag>[] {
    const out: Allocation<AgentTag>[] = [];
    if (this.freeCount === 0) return out;
    const candidates = this.candidates();
    if (candidates.length === 0) return out;
    const now = this.now();
    const flags = this.freeFlags;
    for (let i = 0; i < this.slots.length; i++) {
      if (flags[i] === 0) continue;
      const agent = this.slots[i]!;
      this.allocateAgent(agent, candidates, now, out);
      if (!hasAllocatable(agent)) this.markBusy(agent);
    }
    return out;
  }

  private allocateAgent(agent: AgentSlot<AgentTag>, candidates: readonly Candidate[], now: number, out: Allocation<AgentTag>[]): void {
    for (;;) {
      const usableByRole = agent.hasReservations ? new Map<string, ResourceBag | null>() : undefined;
      const wholePool = usableByRole === undefined && hasAllocatable(agent) ? agent.available : null;
      let best: Candidate | undefined;
      let bestBag: ResourceBag | undefined;
      let bestRoleShare = 0;
      let bestShare = 0;
      for (const c of candidates) {
        if (agent.offeredTo.size !== 0 && agent.offeredTo.has(c.framework.id)) continue;
        if (agent.hasGpus && !c.framework.gpuAware) continue;
        let usable = usableByRole === undefined ? wholePool : usableByRole.get(c.role);
        if (usable === undefined) {
          const bag = agent.available.usableBy(c.role);
          usable = isAllocatable(bag) ? bag : null;
          usableByRole!.set(c.role, usable);
        }
        if (usable === null) continue;
        if (this.isFiltered(c.framework, c.role, agent.id, usable, now)) continue;
        const roleShare = this.roleShares.shareOf(c.roleShare);
        const share = this.frameworkShares.shareOf(c.clientShare);
        if (
          best === undefined ||
          roleShare < bestRoleShare ||
          (roleShare === bestRoleShare && (share < bestShare || (share === bestShare && c.rank < best.rank)))
        ) {
          best = c;
          bestBag = usable;
          bestRoleShare = roleShare;
          bestShare = share;
        }
      }
      if (best === undefined || bestBag === undefined) return;
      const resources = this.allocateOnAgent(agent, best, bestBag);
      agent.offeredTo.add(best.framework.id);
      out.push({ frameworkId: best.framework.id, agentId: agent.id, agentTag: agent.tag, role: best.role, resources });
      if (!agent.hasReservations) return;
    }
  }
}

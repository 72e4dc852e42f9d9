/**
 * Bodies of the read-only `mesos.v1.master.Response`s in Mesos's JSON mapping (proto field
 * names, enums by name, TimeInfo as nanoseconds), shaped as upstream's master writes them
 * (src/master/readonly_handler.cpp, src/master/http.cpp): list fields of GET_AGENTS,
 * GET_FRAMEWORKS, GET_EXECUTORS and GET_TASKS are always present, even when empty; other
 * messages carry only what is set, plus proto2 defaults stout prints.
 */
import type { AgentInfo, AgentInfoCapability, Flag, FrameworkInfo, Offer, Resource, Role, Task, TimeInfo } from '../../mesos/types.js';
import type * as master from '../../mesos/wire/master.js';
import type { FrameworkRecord, TaskRecord } from '../master/frameworks.js';
import type { OfferRecord } from '../master/offers.js';
import { ResourceBag } from '../master/resources.js';
import type { MasterStateView } from '../master/state-json.js';

/** Upstream's `mesos.v1.VersionInfo`, as GET_VERSION answers it. */
export type VersionInfo = Readonly<master.ResponseGetVersion['version_info']>;

/** Every agent of this master has these (upstream master capabilities of 1.11 agents). */
const AGENT_CAPABILITIES = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'] as const;
/** Upstream's `DEFAULT_WEIGHT`; this master has no `--weights`. */
const DEFAULT_ROLE_WEIGHT = 1;
/** The scalars GET_ROLES reports per role, as upstream. */
const ROLE_SCALARS = new Set(['cpus', 'mem', 'disk', 'gpus']);

function timeInfo(epochMs: number): TimeInfo {
  return { nanoseconds: Math.round(epochMs * 1e6) };
}

function sumOf(bags: Iterable<ResourceBag>): ResourceBag {
  const total = new ResourceBag();
  for (const bag of bags) total.add(bag);
  return total;
}

// ---- GET_FLAGS, GET_VERSION, GET_MASTER -------------------------------------------------------

/** The flags this master has, sorted by name as upstream's flag map is. */
export function flagsResponse(view: MasterStateView): master.Response {
  const flags: Record<string, string> = {
    allocation_interval: `${view.allocationIntervalMs / 1000}secs`,
    hostname: view.info.hostname ?? '',
    ip: view.info.address?.ip ?? '',
    port: String(view.info.port),
  };
  return {
    type: 'GET_FLAGS',
    get_flags: {
      flags: Object.keys(flags)
        .sort()
        .map((name): Flag => ({ name, value: flags[name]! })),
    },
  };
}

export function versionResponse(version: VersionInfo): master.Response {
  return { type: 'GET_VERSION', get_version: { version_info: version } };
}

export function masterResponse(view: MasterStateView): master.Response {
  // This master is elected the moment it starts (alone, or when it won ZooKeeper before serving).
  const seconds = view.startTime / 1000;
  return { type: 'GET_MASTER', get_master: { master_info: view.info, start_time: seconds, elected_time: seconds } };
}

// ---- GET_AGENTS ---------------------------------------------------------------------------------

function agentsBody(view: MasterStateView): master.ResponseGetAgents {
  return {
    agents: view.agents.map(({ agent, registeredTime, total, allocated, offered }): master.ResponseGetAgentsAgent => {
      const offeredBag = sumOf(offered);
      const info: AgentInfo = {
        hostname: agent.hostname,
        port: view.info.port,
        resources: [...agent.resources],
        attributes: [...agent.attributes],
        id: { value: agent.id },
      };
      if (agent.domain !== undefined) info.domain = agent.domain;
      return {
        agent_info: info,
        active: true,
        deactivated: false,
        version: view.info.version ?? '',
        pid: `slave(1)@${view.info.address?.ip ?? '127.0.0.1'}:${view.info.port}`,
        registered_time: timeInfo(registeredTime),
        total_resources: total.toResources(),
        allocated_resources: allocated.clone().subtract(offeredBag).toResources(),
        offered_resources: offeredBag.toResources(),
        capabilities: AGENT_CAPABILITIES.map((type): AgentInfoCapability => ({ type })),
      };
    }),
    recovered_agents: [],
  };
}

export function agentsResponse(view: MasterStateView): master.Response {
  return { type: 'GET_AGENTS', get_agents: agentsBody(view) };
}

// ---- GET_FRAMEWORKS -----------------------------------------------------------------------------

function frameworkInfo(fw: FrameworkRecord): FrameworkInfo {
  // failover_timeout and checkpoint have proto2 defaults, which stout prints when unset.
  return { failover_timeout: 0, checkpoint: false, ...fw.info, id: { value: fw.id } };
}

function usedBy(fw: FrameworkRecord): ResourceBag {
  const used = sumOf([...fw.tasks.values()].map((t) => t.resources));
  for (const executor of fw.executors.values()) used.add(executor.resources);
  return used;
}

function frameworkModel(fw: FrameworkRecord, offers: ReadonlyMap<string, OfferRecord>): master.ResponseGetFrameworksFramework {
  const held = [...fw.offers].map((id) => offers.get(id)).filter((o): o is OfferRecord => o !== undefined);
  const out: master.ResponseGetFrameworksFramework = {
    framework_info: frameworkInfo(fw),
    active: fw.connected,
    connected: fw.connected,
    recovered: false,
  };
  if (fw.registeredTime !== 0) out.registered_time = timeInfo(fw.registeredTime);
  if (fw.reregisteredTime !== undefined) out.reregistered_time = timeInfo(fw.reregisteredTime);
  if (fw.unregisteredTime !== undefined) out.unregistered_time = timeInfo(fw.unregisteredTime);
  const wireOffers: Offer[] = held.map((o) => o.wire);
  if (wireOffers.length > 0) out.offers = wireOffers;
  const allocated = usedBy(fw).toResources();
  if (allocated.length > 0) out.allocated_resources = allocated;
  const offered = sumOf(held.map((o) => o.resources)).toResources();
  if (offered.length > 0) out.offered_resources = offered;
  // Upstream always sets it; a framework without constraints has an empty one.
  out.offer_constraints = {};
  return out;
}

function frameworksBody(view: MasterStateView): master.ResponseGetFrameworks {
  return {
    frameworks: view.frameworks.map((fw) => frameworkModel(fw, view.offers)),
    completed_frameworks: view.completedFrameworks.map((fw) => frameworkModel(fw, view.offers)),
  };
}

export function frameworksResponse(view: MasterStateView): master.Response {
  return { type: 'GET_FRAMEWORKS', get_frameworks: frameworksBody(view) };
}

// ---- GET_EXECUTORS ------------------------------------------------------------------------------

function executorsBody(view: MasterStateView): master.ResponseGetExecutors {
  const executors: master.ResponseGetExecutorsExecutor[] = [];
  for (const fw of [...view.frameworks, ...view.completedFrameworks]) {
    for (const executor of fw.executors.values()) {
      executors.push({ executor_info: executor.info, agent_id: { value: executor.agentId } });
    }
  }
  return { executors };
}

export function executorsResponse(view: MasterStateView): master.Response {
  return { type: 'GET_EXECUTORS', get_executors: executorsBody(view) };
}

// ---- GET_TASKS ----------------------------------------------------------------------------------

/** Upstream's `Task` message for a task the master knows. */
export function taskModel(task: TaskRecord): Task {
  const { info } = task;
  const out: Task = {
    name: info.name,
    task_id: info.task_id,
    framework_id: { value: task.frameworkId },
    agent_id: { value: task.agentId },
    state: task.state,
    resources: task.resources.toResources(),
    statuses: [...task.statuses],
  };
  if (task.executorId !== undefined) out.executor_id = { value: task.executorId };
  if (task.statusUpdateState !== undefined) out.status_update_state = task.statusUpdateState;
  if (task.statusUpdateUuid !== undefined) out.status_update_uuid = task.statusUpdateUuid;
  if (info.labels !== undefined) out.labels = info.labels;
  if (info.discovery !== undefined) out.discovery = info.discovery;
  if (info.container !== undefined) out.container = info.container;
  if (info.health_check !== undefined) out.health_check = info.health_check;
  if (info.kill_policy !== undefined) out.kill_policy = info.kill_policy;
  if (info.user !== undefined) out.user = info.user;
  return out;
}

function tasksBody(view: MasterStateView): master.ResponseGetTasks {
  const frameworks = [...view.frameworks, ...view.completedFrameworks];
  return {
    tasks: frameworks.flatMap((fw) => [...fw.tasks.values()].map(taskModel)),
    // This master has no partitioned agents: a task is never unreachable.
    unreachable_tasks: [],
    completed_tasks: frameworks.flatMap((fw) => fw.completedTasks.map(taskModel)),
  };
}

export function tasksResponse(view: MasterStateView): master.Response {
  return { type: 'GET_TASKS', get_tasks: tasksBody(view) };
}

// ---- GET_STATE ----------------------------------------------------------------------------------

export function stateResponse(view: MasterStateView): master.Response {
  return {
    type: 'GET_STATE',
    get_state: {
      get_tasks: tasksBody(view),
      get_executors: executorsBody(view),
      get_frameworks: frameworksBody(view),
      get_agents: agentsBody(view),
    },
  };
}

// ---- GET_ROLES ----------------------------------------------------------------------------------

/**
 * Roles of subscribed frameworks (this master has no weights, quotas or reservations, the
 * other sources of upstream's known roles), each with what is allocated and offered to it.
 */
export function rolesResponse(view: MasterStateView): master.Response {
  const frameworksByRole = new Map<string, string[]>();
  for (const fw of view.frameworks) {
    for (const role of fw.roles) frameworksByRole.set(role, [...(frameworksByRole.get(role) ?? []), fw.id]);
  }
  const milliByRole = new Map<string, Map<string, number>>();
  const account = (role: string, bag: ResourceBag): void => {
    let scalars = milliByRole.get(role);
    if (scalars === undefined) milliByRole.set(role, (scalars = new Map<string, number>()));
    bag.accumulateScalars(scalars, 1);
  };
  for (const fw of view.frameworks) {
    for (const task of fw.tasks.values()) account(task.role, task.resources);
    for (const executor of fw.executors.values()) account(executor.role, executor.resources);
  }
  for (const offer of view.offers.values()) account(offer.role, offer.resources);

  const names = [...new Set([...frameworksByRole.keys(), ...milliByRole.keys()])].sort();
  const roles = names.map((name): Role => {
    const resources: Resource[] = [];
    for (const [resource, milli] of milliByRole.get(name) ?? []) {
      if (ROLE_SCALARS.has(resource)) resources.push({ name: resource, type: 'SCALAR', scalar: { value: milli / 1000 } });
    }
    const role: Role = { name, weight: DEFAULT_ROLE_WEIGHT };
    const frameworks = frameworksByRole.get(name) ?? [];
    if (frameworks.length > 0) role.frameworks = frameworks.map((value) => ({ value }));
    if (resources.length > 0) role.resources = resources;
    return role;
  });
  return { type: 'GET_ROLES', get_roles: roles.length > 0 ? { roles } : {} };
}

export function healthResponse(): master.Response {
  return { type: 'GET_HEALTH', get_health: { healthy: true } };
}

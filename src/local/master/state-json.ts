import type { Attribute, ContainerStatus, MasterInfo, Resource, TaskStatus } from '../../mesos/types.js';
import type { AgentDescription } from '../agents/agent.js';
import type { ExecutorRecord, FrameworkRecord, TaskRecord } from './frameworks.js';
import type { OfferRecord } from './offers.js';
import { ResourceBag } from './resources.js';

/**
 * The `/master/state` (and `/state.json`) body in upstream's JSON model (src/master/
 * readonly_handler.cpp and src/common/http.cpp): resources as `{cpus, mem, disk, gpus, ports:
 * "[a-b]"}` objects, times in seconds, agents under `slaves`, capabilities as type names. The
 * same keys as upstream, no more: the `*_full` resource arrays belong to `/master/slaves` and the
 * per-state task counts to `/master/state-summary`, not here.
 */

export interface MasterStateView {
  readonly info: MasterInfo;
  readonly startTime: number;
  readonly allocationIntervalMs: number;
  readonly agents: readonly {
    readonly agent: AgentDescription;
    readonly registeredTime: number;
    readonly total: ResourceBag;
    readonly allocated: ResourceBag;
    readonly offered: readonly ResourceBag[];
  }[];
  readonly frameworks: readonly FrameworkRecord[];
  readonly completedFrameworks: readonly FrameworkRecord[];
  readonly offers: ReadonlyMap<string, OfferRecord>;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function rangesText(r: Resource): string {
  return `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(', ')}]`;
}

/** Upstream's `model(Resources)`: scalar sums, ranges and sets as text; cpus/mem/disk/gpus always. */
export function resourcesModel(resources: readonly Resource[]): Record<string, Json> {
  return modelOf(ResourceBag.fromResources(resources), resources);
}

/** `resourcesModel(bag.toResources())` without parsing the list back into a bag (a task's, per render). */
export function bagModel(bag: ResourceBag): Record<string, Json> {
  return modelOf(bag, bag.toResources());
}

/** The model of `resources`, whose bag is `bag`. */
function modelOf(bag: ResourceBag, resources: readonly Resource[]): Record<string, Json> {
  const out: Record<string, Json> = { disk: 0, mem: 0, gpus: 0, cpus: 0 };
  const scalars = new Map<string, number>();
  bag.accumulateScalars(scalars, 1);
  for (const [name, milli] of scalars) out[name] = milli / 1000;
  const ranges = new Map<string, Resource[]>();
  for (const r of resources) {
    if (r.type === 'RANGES') ranges.set(r.name, [...(ranges.get(r.name) ?? []), r]);
    if (r.type === 'SET') out[r.name] = `{${(r.set?.item ?? []).join(', ')}}`;
  }
  for (const [name, list] of ranges) out[name] = list.map(rangesText).join(', ');
  return out;
}

function attributesModel(attributes: readonly Attribute[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const a of attributes) {
    if (a.type === 'SCALAR') out[a.name] = a.scalar?.value ?? 0;
    else if (a.type === 'RANGES') out[a.name] = rangesText({ name: a.name, type: 'RANGES', ...(a.ranges ? { ranges: a.ranges } : {}) });
    else if (a.type === 'SET') out[a.name] = `{${(a.set?.item ?? []).join(', ')}}`;
    else out[a.name] = a.text?.value ?? '';
  }
  return out;
}

/** Upstream's json(ContainerStatus): the container id, network infos and cgroup info only (no `executor_pid`). */
function containerStatusModel(c: ContainerStatus): Json {
  const out: Record<string, Json> = {};
  if (c.container_id !== undefined) out.container_id = c.container_id as unknown as Json;
  if ((c.network_infos ?? []).length > 0) out.network_infos = c.network_infos as unknown as Json;
  if (c.cgroup_info !== undefined) out.cgroup_info = c.cgroup_info as unknown as Json;
  return out;
}

function statusModel(s: TaskStatus): Json {
  const out: Record<string, Json> = { state: s.state, timestamp: s.timestamp ?? 0 };
  if (s.labels?.labels !== undefined) out.labels = s.labels.labels as unknown as Json;
  if (s.healthy !== undefined) out.healthy = s.healthy;
  if (s.container_status !== undefined) out.container_status = containerStatusModel(s.container_status);
  return out;
}

/** How many tasks have been turned into JSON; tests count it to see when a render does it. */
export const stateRenderCounters = { tasksModelled: 0 };

/** The models of frozen (interned, shared) bags: a few thousand serve 100,000 tasks. Frozen too. */
const frozenBagModels = new WeakMap<ResourceBag, Record<string, Json>>();

function taskBagModel(bag: ResourceBag): Record<string, Json> {
  if (!bag.isFrozen) return bagModel(bag);
  let model = frozenBagModels.get(bag);
  if (model === undefined) {
    model = Object.freeze(bagModel(bag));
    frozenBagModels.set(bag, model);
  }
  return model;
}

function taskModel(task: TaskRecord): Json {
  stateRenderCounters.tasksModelled++;
  const out: Record<string, Json> = {
    id: task.info.task_id.value,
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId ?? '',
    slave_id: task.agentId,
    state: task.state,
    resources: taskBagModel(task.resources),
    role: task.role,
    statuses: task.statuses.map(statusModel),
  };
  // Upstream's Task carries the user of the task's command, else of its executor's command.
  if (task.info.user !== undefined) out.user = task.info.user;
  if (task.info.labels?.labels !== undefined) out.labels = task.info.labels.labels as unknown as Json;
  if (task.info.discovery !== undefined) out.discovery = task.info.discovery as unknown as Json;
  if (task.info.container !== undefined) out.container = task.info.container as unknown as Json;
  if (task.info.health_check !== undefined) out.health_check = task.info.health_check as unknown as Json;
  return out;
}

/** Upstream's json(ExecutorInfo) plus `slave_id`, as /master/state lists a framework's executors. */
function executorModel(e: ExecutorRecord): Json {
  const command = e.info.command;
  const out: Record<string, Json> = {
    executor_id: e.info.executor_id.value,
    name: e.info.name ?? '',
    framework_id: e.info.framework_id?.value ?? '',
    command: {
      ...(command?.shell !== undefined ? { shell: command.shell } : {}),
      ...(command?.value !== undefined ? { value: command.value } : {}),
      argv: command?.arguments ?? [],
      ...(command?.environment !== undefined ? { environment: command.environment as unknown as Json } : {}),
      uris: (command?.uris ?? []).map((u) => ({ value: u.value, executable: u.executable ?? false })),
    },
    resources: resourcesModel(e.resources.toResources()),
    slave_id: e.agentId,
  };
  if ((e.info.resources ?? []).length > 0) out.role = e.role;
  if (e.info.labels?.labels !== undefined) out.labels = e.info.labels.labels as unknown as Json;
  if (e.info.type !== undefined) out.type = e.info.type;
  return out;
}

function sumOf(bags: Iterable<ResourceBag>): ResourceBag {
  const total = new ResourceBag();
  for (const b of bags) total.add(b);
  return total;
}

/** How a framework's live tasks go into the body: as models, or as a placeholder for their text. */
type TasksSlot = (fw: FrameworkRecord) => Json;

function frameworkModel(
  fw: FrameworkRecord,
  offers: ReadonlyMap<string, OfferRecord>,
  tasksSlot: TasksSlot = (f) => [...f.tasks.values()].map(taskModel),
): Json {
  const offered = [...fw.offers].map((id) => offers.get(id)).filter((o): o is OfferRecord => o !== undefined);
  const used = sumOf([...fw.tasks.values()].map((t) => t.resources));
  for (const e of fw.executors.values()) used.add(e.resources);
  const offeredBag = sumOf(offered.map((o) => o.resources));
  const allocated = used.clone().add(offeredBag);
  const multiRole = fw.hasCapability('MULTI_ROLE');
  const out: Record<string, Json> = {
    id: fw.id,
    name: fw.info.name,
    user: fw.info.user,
    failover_timeout: fw.info.failover_timeout ?? 0,
    checkpoint: fw.info.checkpoint ?? false,
    hostname: fw.info.hostname ?? '',
    webui_url: fw.info.webui_url ?? '',
    capabilities: (fw.info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'),
    active: fw.connected,
    connected: fw.connected,
    recovered: false,
    registered_time: fw.registeredTime / 1000,
    unregistered_time: (fw.unregisteredTime ?? 0) / 1000,
    resources: resourcesModel(allocated.toResources()),
    used_resources: resourcesModel(used.toResources()),
    offered_resources: resourcesModel(offeredBag.toResources()),
    tasks: tasksSlot(fw),
    unreachable_tasks: [],
    completed_tasks: fw.completedTasks.map(taskModel),
    offers: offered.map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      slave_id: o.agentId,
      resources: resourcesModel(o.wire.resources ?? []),
      allocation_info: { role: o.role },
    })),
    executors: [...fw.executors.values()].map(executorModel),
  };
  if (multiRole) out.roles = fw.roles;
  else out.role = fw.info.role ?? '*';
  if (fw.reregisteredTime !== undefined) out.reregistered_time = fw.reregisteredTime / 1000;
  if (fw.info.principal !== undefined) out.principal = fw.info.principal;
  if (fw.info.labels?.labels !== undefined) out.labels = fw.info.labels.labels as unknown as Json;
  // Upstream writes the framework's offer constraints always; mesos-local applies none, so empty.
  out.offer_constraints = {};
  return out;
}

/** What of an agent's model never changes (its resources and attributes), made once per agent. */
const fixedAgentModels = new WeakMap<AgentDescription, { readonly resources: Json; readonly attributes: Json }>();

function agentModels(agent: AgentDescription, total: ResourceBag): { readonly resources: Json; readonly attributes: Json } {
  let models = fixedAgentModels.get(agent);
  if (models === undefined) {
    models = { resources: Object.freeze(resourcesModel(total.toResources())), attributes: Object.freeze(attributesModel(agent.attributes)) };
    fixedAgentModels.set(agent, models);
  }
  return models;
}

type AgentView = MasterStateView['agents'][number];

function agentModel(info: MasterInfo, { agent, registeredTime, total, allocated, offered }: AgentView): Json {
  const offeredBag = sumOf(offered);
  const used = allocated.clone().subtract(offeredBag).allocatedTo(undefined);
  const fixed = agentModels(agent, total);
  const out: Record<string, Json> = {
    id: agent.id,
    pid: `slave(1)@${info.address?.ip ?? '127.0.0.1'}:${info.port}`,
    hostname: agent.hostname,
    port: info.port,
    registered_time: registeredTime / 1000,
    resources: fixed.resources,
    used_resources: resourcesModel(used.toResources()),
    offered_resources: resourcesModel(offeredBag.allocatedTo(undefined).toResources()),
    reserved_resources: {},
    unreserved_resources: fixed.resources,
    attributes: fixed.attributes,
    active: true,
    deactivated: false,
    version: info.version ?? '',
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
  };
  if (agent.domain !== undefined) out.domain = agent.domain as unknown as Json;
  return out;
}

/** How the agents go into the body: as models, or as a placeholder for their text. */
type AgentsSlot = (agents: readonly AgentView[]) => Json;

export function buildStateJson(view: MasterStateView, tasksSlot?: TasksSlot, agentsSlot?: AgentsSlot): object {
  const { info } = view;
  const slaves = agentsSlot === undefined ? view.agents.map((a) => agentModel(info, a)) : agentsSlot(view.agents);
  return {
    version: info.version ?? '',
    build_date: '',
    build_time: 0,
    build_user: '',
    start_time: view.startTime / 1000,
    elected_time: view.startTime / 1000,
    id: info.id,
    pid: info.pid ?? '',
    hostname: info.hostname ?? '',
    // Upstream writes capabilities (master, framework, agent) as their type names.
    capabilities: (info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'),
    activated_slaves: view.agents.length,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    ...(info.domain !== undefined ? { domain: info.domain as unknown as Json } : {}),
    leader: info.pid ?? '',
    // Upstream's json(MasterInfo): these fields only (not the whole protobuf).
    leader_info: {
      id: info.id,
      pid: info.pid ?? '',
      port: info.port,
      hostname: info.hostname ?? '',
      ...(info.domain !== undefined ? { domain: info.domain as unknown as Json } : {}),
    },
    flags: {
      allocation_interval: `${view.allocationIntervalMs / 1000}secs`,
      port: String(info.port),
      hostname: info.hostname ?? '',
    },
    slaves,
    recovered_slaves: [],
    frameworks: view.frameworks.map((fw) => frameworkModel(fw, view.offers, tasksSlot)),
    completed_frameworks: view.completedFrameworks.map((fw) => frameworkModel(fw, view.offers)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** Upstream's `/master/frameworks`: the state's framework objects, optionally one `framework_id`. */
export function buildFrameworksJson(view: MasterStateView, frameworkId?: string): object {
  const selected = (fw: FrameworkRecord): boolean => frameworkId === undefined || fw.id === frameworkId;
  return {
    frameworks: view.frameworks.filter(selected).map((fw) => frameworkModel(fw, view.offers)),
    completed_frameworks: view.completedFrameworks.filter(selected).map((fw) => frameworkModel(fw, view.offers)),
    // Upstream keeps the key for old clients; no framework can be unregistered any more.
    unregistered_frameworks: [],
  };
}

export interface TasksQuery {
  /** Upstream's TASK_LIMIT (100) when absent. */
  readonly limit?: number;
  readonly offset?: number;
  /** Newest first (`des`) unless `asc`. */
  readonly order?: 'asc' | 'des';
  readonly frameworkId?: string;
  readonly taskId?: string;
}

export const DEFAULT_TASK_LIMIT = 100;

/**
 * Upstream's `/master/tasks`: active and completed tasks of running and completed frameworks,
 * ordered by the time of their first status (tasks without one sort last when newest come
 * first, first otherwise), then a page of `limit` from `offset`.
 */
export function buildTasksJson(view: MasterStateView, query: TasksQuery = {}): object {
  const tasks: TaskRecord[] = [];
  for (const fw of [...view.frameworks, ...view.completedFrameworks]) {
    if (query.frameworkId !== undefined && fw.id !== query.frameworkId) continue;
    for (const task of [...fw.tasks.values(), ...fw.completedTasks]) {
      if (query.taskId === undefined || task.info.task_id.value === query.taskId) tasks.push(task);
    }
  }
  const firstStatusTime = (t: TaskRecord): number | undefined => t.statuses[0]?.timestamp ?? (t.statuses.length > 0 ? 0 : undefined);
  const ascending = query.order === 'asc';
  tasks.sort((a, b) => {
    const ta = firstStatusTime(a);
    const tb = firstStatusTime(b);
    if (ta === undefined || tb === undefined) {
      if (ta === tb) return 0;
      return (ta === undefined) === ascending ? -1 : 1;
    }
    return ascending ? ta - tb : tb - ta;
  });
  const offset = query.offset ?? 0;
  return { tasks: tasks.slice(offset, offset + (query.limit ?? DEFAULT_TASK_LIMIT)).map(taskModel) };
}

/**
 * Tasks (and agents) per chunk of the streamed `/master/state`: ~110 KiB of text at Marathon's
 * task size, under V8's largest young-generation object (128 KiB). A larger chunk's text goes to
 * the large-object space, which only a full collection frees: 54 MiB of it per render at 100,000
 * tasks grew the master's heap by hundreds of MiB over a few GETs.
 */
export const TASKS_PER_CHUNK = 200;
export const AGENTS_PER_CHUNK = 200;

/** A list of the document rendered later, a chunk at a time. */
interface DeferredList {
  readonly length: number;
  readonly perChunk: number;
  models(from: number, to: number): Json[];
}

/**
 * `/master/state` as a sequence of text chunks whose concatenation is exactly
 * `JSON.stringify(buildStateJson(view))`. Nearly all of the body is tasks and agents (54 MiB at
 * 100,000 tasks on 5,000 agents): the rest of the document is rendered at once, the agents and
 * each framework's tasks lazily, a chunk at a time, so that a writer that waits for the socket
 * between chunks never holds the whole document. The lists are taken when the document is
 * rendered; a task whose status changes while the chunks are written shows its newer status.
 */
export function* stateTextChunks(view: MasterStateView): Generator<string, void, undefined> {
  // Each deferred list becomes a unique placeholder string, replaced by its chunks.
  // JSON.stringify escapes NUL, so no string of the state can look like one.
  const nonce = Math.random().toString(36).slice(2);
  const lists: DeferredList[] = [];
  const defer = (list: DeferredList): Json => {
    lists.push(list);
    return `\u0000pacer-list-${nonce}-${lists.length - 1}`;
  };
  const body = JSON.stringify(
    buildStateJson(
      view,
      (fw) => {
        const tasks = [...fw.tasks.values()];
        return defer({ length: tasks.length, perChunk: TASKS_PER_CHUNK, models: (from, to) => tasks.slice(from, to).map(taskModel) });
      },
      (agents) =>
        defer({ length: agents.length, perChunk: AGENTS_PER_CHUNK, models: (from, to) => agents.slice(from, to).map((a) => agentModel(view.info, a)) }),
    ),
  );
  const placeholder = new RegExp(`"\\\\u0000pacer-list-${nonce}-(\\d+)"`, 'g');
  let at = 0;
  for (const match of body.matchAll(placeholder)) {
    yield `${body.slice(at, match.index)}[`;
    const list = lists[Number(match[1])]!;
    for (let i = 0; i < list.length; i += list.perChunk) {
      // One stringify of the chunk's models, less its brackets: V8 writes an array of same-shaped
      // objects faster than it writes each alone.
      const text = JSON.stringify(list.models(i, i + list.perChunk));
      yield i === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`;
    }
    yield ']';
    at = match.index + match[0].length;
  }
  yield body.slice(at);
}

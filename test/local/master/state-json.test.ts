/**
 * The keys of mesos-local's /master/state are upstream's (src/master/readonly_handler.cpp and
 * src/common/http.cpp at the 1.12 snapshot), no fewer and no more, for the document, a framework,
 * an agent and leader_info; capabilities are type names. The real-Mesos differential test
 * (test/mesos-real/differential.test.ts) compares the same against a live master.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../../src/local/index.js';
import { rawRequest, subscribeJson } from '../wire-client.js';
import { ResourceBag } from '../../../src/local/master/resources.js';
import { bagModel, resourcesModel, stateRenderCounters, TASKS_PER_CHUNK } from '../../../src/local/master/state-json.js';
import type { Resource, TaskInfo } from '../../../src/mesos/types.js';
import { launch, makeMaster, subscribe, task } from './fakes.js';

let local: MesosLocalHandle;

beforeAll(async () => {
  local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 1, allocationIntervalMs: 100 }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await local?.close();
});

const sorted = (o: object) => Object.keys(o).sort();

it('has the keys upstream writes for the document, a framework, an agent and leader_info', async () => {
  const { stream, frameworkId } = await subscribeJson(local.url, 'state-keys');
  try {
    const state = JSON.parse((await rawRequest(local.url, { method: 'GET', path: '/master/state' })).text) as Record<string, any>;
    // Upstream omits git_* without git data, cluster/log_dir/external_log_file without those flags.
    expect(sorted(state)).toEqual(
      [
        'version',
        'build_date',
        'build_time',
        'build_user',
        'start_time',
        'elected_time',
        'id',
        'pid',
        'hostname',
        'capabilities',
        'activated_slaves',
        'deactivated_slaves',
        'unreachable_slaves',
        'domain',
        'leader',
        'leader_info',
        'flags',
        'slaves',
        'recovered_slaves',
        'frameworks',
        'completed_frameworks',
        'orphan_tasks',
        'unregistered_frameworks',
      ].sort(),
    );
    expect(state.capabilities).toEqual(local.masterInfo.capabilities!.map((c) => c.type));
    expect(sorted(state.leader_info)).toEqual(['domain', 'hostname', 'id', 'pid', 'port']);

    const framework = (state.frameworks as Array<Record<string, any>>).find((f) => f.id === frameworkId)!;
    // An HTTP framework has no pid; without principal, labels or re-registration those are absent too.
    expect(sorted(framework)).toEqual(
      [
        'id',
        'name',
        'used_resources',
        'offered_resources',
        'capabilities',
        'hostname',
        'webui_url',
        'active',
        'connected',
        'recovered',
        'user',
        'failover_timeout',
        'checkpoint',
        'registered_time',
        'unregistered_time',
        'resources',
        'role',
        'tasks',
        'unreachable_tasks',
        'completed_tasks',
        'offers',
        'executors',
        'offer_constraints',
      ].sort(),
    );
    expect(framework.offer_constraints).toEqual({});

    const agent = (state.slaves as Array<Record<string, any>>)[0]!;
    expect(sorted(agent)).toEqual(
      [
        'id',
        'hostname',
        'port',
        'attributes',
        'domain',
        'pid',
        'registered_time',
        'resources',
        'used_resources',
        'offered_resources',
        'reserved_resources',
        'unreserved_resources',
        'active',
        'deactivated',
        'version',
        'capabilities',
      ].sort(),
    );
  } finally {
    stream.close();
  }
});

it("writes a task status's container_status as upstream's json(ContainerStatus): no executor_pid", () => {
  const { master, agents } = makeMaster(1);
  const fw = subscribe(master);
  master.allocate();
  launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
  const containerStatus = {
    container_id: { value: 'c1' },
    executor_pid: 4242,
    network_infos: [{ ip_addresses: [{ protocol: 'IPv4' as const, ip_address: '127.0.0.1' }] }],
  };
  agents[0]!.report(fw.id, 't1', 'TASK_RUNNING', { container_status: containerStatus });
  const state = master.stateJson() as Record<string, any>;
  expect(state.frameworks[0].tasks[0].statuses[0].container_status).toEqual({
    container_id: { value: 'c1' },
    network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] }],
  });
});

/** A task with the optional parts /master/state writes: user, labels, discovery, health check, a port. */
function richer(j: number): Partial<TaskInfo> {
  return {
    command: { value: 'sleep 100', user: 'nobody', environment: { variables: [{ name: 'A', value: 'b' }] } },
    labels: { labels: [{ key: 'k', value: `v"${j}` }] },
    discovery: { visibility: 'FRAMEWORK', name: 'svc', ports: { ports: [{ number: 31000 + j, name: 'http', protocol: 'tcp' }] } },
    health_check: { type: 'TCP', tcp: { port: 31000 + j } },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000 + j, end: 31000 + j }] } },
    ],
  };
}

it('streams /master/state in chunks of TASKS_PER_CHUNK tasks, rendered as they are taken, that join to the state model byte for byte', () => {
  const { master, agents } = makeMaster(3);
  const fw = subscribe(master);
  master.allocate();
  const offers = fw.connection.offers();
  // 3 agents x 400 tasks of 0.01 cpus: more than two chunks' worth.
  for (const [i, offer] of offers.entries()) {
    launch(
      master,
      fw,
      [offer],
      Array.from({ length: 400 }, (_, j) => task(`t-${i}-${j}`, offer.agent_id.value, 0.01, 1, j % 2 === 0 ? richer(j) : {})),
    );
  }
  for (const [i, agent] of agents.entries())
    for (let j = 0; j < 400; j += 3)
      agent.report(fw.id, `t-${i}-${j}`, 'TASK_RUNNING', j % 2 === 0 ? { healthy: true, labels: { labels: [{ key: 'probe', value: 'ok' }] } } : {});
  const total = 3 * 400;
  expect(total).toBeGreaterThan(2 * TASKS_PER_CHUNK);

  const modelled = (): number => stateRenderCounters.tasksModelled;
  const iterator = master.stateTextChunks()[Symbol.iterator]();
  const taken: string[] = [];
  const modelledPerChunk: number[] = [];
  for (let before = modelled(), next = iterator.next(); next.done !== true; before = modelled(), next = iterator.next()) {
    taken.push(next.value);
    modelledPerChunk.push(modelled() - before);
  }
  // The first chunk (everything before the tasks) models no task; then at most TASKS_PER_CHUNK each.
  expect(modelledPerChunk[0]).toBe(0);
  expect(Math.max(...modelledPerChunk)).toBe(TASKS_PER_CHUNK);
  expect(modelledPerChunk.reduce((a, b) => a + b, 0)).toBe(total);
  expect(taken.join('')).toBe(JSON.stringify(master.stateJson()));
  expect(master.stateText()).toBe(taken.join(''));
  const tasks = (JSON.parse(taken.join('')) as { frameworks: { tasks: { id: string; state: string }[] }[] }).frameworks[0]!.tasks;
  expect(tasks).toHaveLength(total);
  expect(tasks.filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(3 * 134);
});

it("models a task's resource bag as upstream's model of its resource list", () => {
  const resources: Resource[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, allocation_info: { role: 'a' } },
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'b' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 64 }, allocation_info: { role: 'a' } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: {
        range: [
          { begin: 31000, end: 31001 },
          { begin: 31005, end: 31005 },
        ],
      },
      allocation_info: { role: 'a' },
    },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 32000, end: 32000 }] }, allocation_info: { role: 'b' } },
    { name: 'zones', type: 'SET', set: { item: ['x', 'y'] }, allocation_info: { role: 'a' } },
    { name: 'foo', type: 'SCALAR', scalar: { value: 3 }, allocation_info: { role: 'a' } },
  ];
  const bag = ResourceBag.fromResources(resources);
  expect(JSON.stringify(bagModel(bag))).toBe(JSON.stringify(resourcesModel(bag.toResources())));
  expect(bagModel(bag)).toEqual({ disk: 0, mem: 64, gpus: 0, cpus: 2, foo: 3, ports: '[31000-31001, 31005-31005], [32000-32000]', zones: '{x, y}' });
});

it('answers /master/state?jsonp= with the same document wrapped in the callback, as text/javascript', async () => {
  const plain = await rawRequest(local.url, { method: 'GET', path: '/master/state' });
  const wrapped = await rawRequest(local.url, { method: 'GET', path: '/master/state?jsonp=angular.callbacks._0' });
  expect(wrapped.status).toBe(200);
  expect(wrapped.headers['content-type']).toBe('text/javascript');
  expect(plain.headers['content-type']).toBe('application/json');
  expect(wrapped.text.startsWith('angular.callbacks._0(')).toBe(true);
  expect(wrapped.text.endsWith(')')).toBe(true);
  const inner = JSON.parse(wrapped.text.slice('angular.callbacks._0('.length, -1)) as { id: string; slaves: unknown[] };
  const direct = JSON.parse(plain.text) as { id: string; slaves: unknown[] };
  expect(inner.id).toBe(direct.id);
  expect(inner.slaves).toEqual(direct.slaves);
});

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
import { stateRenderCounters } from '../../../src/local/master/state-json.js';
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

it('renders /master/state text identical to the state model, and models again only the tasks whose status changed', () => {
  const { master, agents } = makeMaster(2);
  const fw = subscribe(master);
  master.allocate();
  const offers = fw.connection.offers();
  launch(master, fw, offers.slice(0, 1), [task('t1', 'agent-0'), task('t2', 'agent-0')]);
  launch(master, fw, offers.slice(1, 2), [task('t3', 'agent-1')]);
  agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
  agents[1]!.report(fw.id, 't3', 'TASK_RUNNING');

  const counted = (render: () => string): { text: string; modelled: number } => {
    const before = stateRenderCounters.tasksModelled;
    const text = render();
    return { text, modelled: stateRenderCounters.tasksModelled - before };
  };
  const first = counted(() => master.stateText());
  expect(JSON.parse(first.text)).toEqual(JSON.parse(JSON.stringify(master.stateJson())));
  expect(first.modelled).toBe(3);

  // Nothing changed: every task's text is reused.
  expect(counted(() => master.stateText())).toEqual({ text: first.text, modelled: 0 });

  // One new status: that task alone is modelled again, and the text shows it.
  agents[0]!.report(fw.id, 't2', 'TASK_RUNNING');
  const third = counted(() => master.stateText());
  expect(third.modelled).toBe(1);
  expect(third.text).toBe(JSON.stringify(master.stateJson()));
  const tasks = (JSON.parse(third.text) as { frameworks: { tasks: { id: string; state: string }[] }[] }).frameworks[0]!.tasks;
  expect(tasks.map((t) => [t.id, t.state])).toEqual([
    ['t1', 'TASK_RUNNING'],
    ['t2', 'TASK_RUNNING'],
    ['t3', 'TASK_RUNNING'],
  ]);
});

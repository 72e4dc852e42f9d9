/**
 * Task groups on `pacer mesos-local` as a framework sees them over real HTTP: a raw v1 framework
 * (test/mesos-real/framework-view.ts over test/local/wire-client.ts, no code of src/mesos) sends
 * LAUNCH_GROUP with a DEFAULT executor to an in-process master with one process agent, and checks
 * what Mesos 1.12 does (src/master/validation.cpp, src/launcher/default_executor.cpp): both tasks
 * run under one executor with a shared volume, per-task health checks on endpoint ports, a bad
 * group is refused with upstream's message, a failing task or a KILL ends the whole group, the
 * executor and its resources are freed, and reconciliation answers for tasks of a group.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { RawFramework, scalarResources } from '../mesos-real/framework-view.js';
import { getJson } from '../helpers/processes.js';

type Json = Record<string, any>;

const logger = pino({ level: 'silent' });
const AGENT_CPUS = 2;
/** Bound of every wait for an update: below the test timeout, so a failure lists the updates seen. */
const WAIT_MS = 20_000;
const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_LOST', 'TASK_GONE']);

let local: MesosLocalHandle;
let fw: RawFramework;

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 1,
      simulatedAgents: 0,
      agentResources: `cpus:${AGENT_CPUS};mem:2048;disk:2000;ports:[25100-25199]`,
      allocationIntervalMs: 50,
      heartbeatIntervalSeconds: 5,
    },
    logger,
  );
});

afterEach(async () => {
  await fw?.teardown();
});

afterAll(async () => {
  await local?.close();
});

function executor(id: string, extra: Json = {}): Json {
  return { type: 'DEFAULT', executor_id: { value: id }, framework_id: { value: fw.frameworkId }, resources: scalarResources(0.1, 32, 10), ...extra };
}

function groupTask(id: string, offer: Json, command: string, extra: Json = {}): Json {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: scalarResources(0.2, 64),
    command: { value: command, shell: true },
    ...extra,
  };
}

/**
 * A task container as Marathon's TaskGroupBuilder writes one: `share_cgroups: false` (its default
 * for pods) and an ephemeral pod volume, SANDBOX_PATH of type PARENT under `volumes/`.
 */
function sharedVolume(name: string, mountPath: string): Json {
  return {
    type: 'MESOS',
    linux_info: { share_cgroups: false },
    volumes: [{ mode: 'RW', container_path: mountPath, source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: `volumes/${name}` } } }],
  };
}

async function launchGroup(offer: Json, exec: Json, tasks: Json[]): Promise<void> {
  const answer = await fw.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor: exec, task_group: { tasks } } }],
      filters: { refuse_seconds: 0 },
    },
  });
  expect(answer.status).toBe(202);
}

const states = (taskId: string) => fw.updatesOf(taskId).map((u) => u.state as string);
const reached = (taskId: string, state: string) => () => fw.updatesOf(taskId).find((u) => u.state === state);
const terminal = (taskId: string) => () => fw.updatesOf(taskId).find((u) => TERMINAL.has(u.state));

/** Polls `read` (bounded, 10 s) until `done` holds for its value; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if ((value !== undefined && done(value)) || Date.now() > deadline) return value as T;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function masterState(): Promise<Json> {
  return getJson<Json>(`${local.url}/master/state`);
}

function cpusOf(offer: Json): number {
  return (offer.resources as Json[]).reduce((sum, r) => sum + (r.name === 'cpus' ? r.scalar.value : 0), 0);
}

/**
 * Waits (bounded) until the agent's whole capacity comes in one offer: every task and executor is
 * gone and its resources are back. Smaller offers are declined so the allocator can merge them
 * (it holds at most one outstanding offer per framework and agent).
 */
async function allResourcesOffered(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!fw.offers.some((o) => Math.abs(cpusOf(o) - AGENT_CPUS) < 1e-9)) {
    if (Date.now() > deadline) throw new Error(`the agent's ${AGENT_CPUS} cpus never came back in one offer: ${JSON.stringify(fw.offers.map(cpusOf))}`);
    const partial = fw.offers.splice(0);
    if (partial.length > 0) await fw.call({ type: 'DECLINE', decline: { offer_ids: partial.map((o) => o.id), filters: { refuse_seconds: 0 } } });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('LAUNCH_GROUP on mesos-local over the wire', () => {
  it('runs a group of two command tasks under one DEFAULT executor with a shared volume, health checks on endpoint ports, and KILL ends the group', async () => {
    fw = await RawFramework.subscribe(local.url, 'group-wire');
    const [offer] = await fw.takeOffers(1);
    const port = 25150;
    // Marathon puts an endpoint's host port in the task's environment (ENDPOINT_<NAME>) and resources.
    const web = groupTask('pod.web', offer!, '', {
      resources: [...scalarResources(0.2, 64), { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] } }],
      command: {
        value: 'echo "$ENDPOINT_WEB" > shared/port; exec python3 -m http.server "$ENDPOINT_WEB" --bind 127.0.0.1',
        shell: true,
        environment: { variables: [{ name: 'ENDPOINT_WEB', value: String(port) }] },
      },
      container: sharedVolume('v1', 'shared'),
      health_check: { type: 'HTTP', http: { port, path: '/' }, delay_seconds: 0, interval_seconds: 0.3, grace_period_seconds: 20 },
    });
    const sidecar = groupTask('pod.sidecar', offer!, 'while [ ! -f data/port ]; do sleep 0.1; done; cat data/port; exec sleep 600', {
      container: sharedVolume('v1', 'data'),
    });
    // The executor as Marathon writes it too: a MESOS container with `share_cgroups: false`, labels.
    const podExecutor = executor('pod.executor', { container: { type: 'MESOS', linux_info: { share_cgroups: false } }, labels: { labels: [] } });
    await launchGroup(offer!, podExecutor, [web, sidecar]);

    await fw.until('pod.web healthy', () => fw.updatesOf('pod.web').find((u) => u.healthy === true), WAIT_MS);
    await fw.until('pod.sidecar running', reached('pod.sidecar', 'TASK_RUNNING'), WAIT_MS);
    for (const id of ['pod.web', 'pod.sidecar']) {
      expect(states(id).slice(0, 2)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
      for (const u of fw.updatesOf(id)) {
        expect(u.source).toBe('SOURCE_EXECUTOR');
        expect(u.executor_id).toEqual({ value: 'pod.executor' });
      }
    }
    const healthUpdate = fw.updatesOf('pod.web').find((u) => u.healthy === true)!;
    expect(healthUpdate).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });

    // One executor sandbox, one nested sandbox per task linked from tasks/<taskId>, one shared volume.
    const executorRuns = path.join(local.workDir, 'slaves', offer!.agent_id.value, 'frameworks', fw.frameworkId, 'executors', 'pod.executor', 'runs');
    const runs = (await readdir(executorRuns)).filter((name) => name !== 'latest');
    expect(runs).toHaveLength(1);
    const executorSandbox = path.join(executorRuns, runs[0]!);
    expect((await readdir(path.join(executorSandbox, 'tasks'))).sort()).toEqual(['pod.sidecar', 'pod.web']);
    const sidecarSandbox = await readlink(path.join(executorSandbox, 'tasks', 'pod.sidecar'));
    expect(path.dirname(sidecarSandbox)).toBe(path.join(executorSandbox, 'containers'));
    expect(await readFile(path.join(executorSandbox, 'volumes', 'v1', 'port'), 'utf8')).toBe(`${port}\n`);
    expect(
      await eventually(
        () => readFile(path.join(sidecarSandbox, 'stdout'), 'utf8'),
        (text) => text === `${port}\n`,
      ),
    ).toBe(`${port}\n`);

    const state = await masterState();
    const framework = (state.frameworks as Json[]).find((f) => f.id === fw.frameworkId)!;
    expect(framework.executors).toEqual([
      expect.objectContaining({ executor_id: 'pod.executor', type: 'DEFAULT', role: '*', slave_id: offer!.agent_id.value }),
    ]);
    expect((framework.tasks as Json[]).map((t) => [t.id, t.executor_id, t.state]).sort()).toEqual([
      ['pod.sidecar', 'pod.executor', 'TASK_RUNNING'],
      ['pod.web', 'pod.executor', 'TASK_RUNNING'],
    ]);

    // Reconciliation of a task of the group answers its latest state, from the master.
    const before = fw.updates.length;
    await fw.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'pod.sidecar' }, agent_id: offer!.agent_id }] } });
    const answer = await fw.until('reconciliation', () => fw.updates.slice(before).find((u) => u.task_id.value === 'pod.sidecar'), WAIT_MS);
    expect(answer).toMatchObject({ state: 'TASK_RUNNING', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });

    // KILL of one task kills the group: both go through TASK_KILLING (the framework asked for it) to TASK_KILLED.
    const killed = await fw.call({ type: 'KILL', kill: { task_id: { value: 'pod.sidecar' }, agent_id: offer!.agent_id } });
    expect(killed.status).toBe(202);
    await fw.until('pod.sidecar terminal', terminal('pod.sidecar'), WAIT_MS);
    await fw.until('pod.web terminal', terminal('pod.web'), WAIT_MS);
    for (const id of ['pod.web', 'pod.sidecar']) {
      expect(states(id).filter((s) => s !== 'TASK_RUNNING')).toEqual(['TASK_STARTING', 'TASK_KILLING', 'TASK_KILLED']);
      expect(fw.updatesOf(id).at(-1)).toMatchObject({ source: 'SOURCE_EXECUTOR', message: 'Command terminated with signal Terminated' });
    }

    // The executor ends with its last task; its resources come back in offers and /master/state.
    await allResourcesOffered();
    const after = (await masterState()).frameworks.find((f: Json) => f.id === fw.frameworkId);
    expect(after.executors).toEqual([]);
    expect(after.tasks).toEqual([]);
  });

  it('kills the other task when one task of the group fails, and not when one finishes', async () => {
    fw = await RawFramework.subscribe(local.url, 'group-wire-fail');
    const [offer] = await fw.takeOffers(1);
    await launchGroup(offer!, executor('fail.executor'), [
      groupTask('fail.quick', offer!, 'sleep 0.5; exit 7'),
      groupTask('fail.long', offer!, 'exec sleep 600'),
      groupTask('fail.done', offer!, 'true'),
    ]);
    await fw.until('fail.long terminal', terminal('fail.long'), WAIT_MS);
    expect(states('fail.done')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(states('fail.quick')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(fw.updatesOf('fail.quick').at(-1)).toMatchObject({ source: 'SOURCE_EXECUTOR', message: 'Command exited with status 7' });
    expect(states('fail.long')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    await allResourcesOffered();
  });

  const badGroups: Array<{ name: string; build: (offer: Json) => { exec: Json; tasks: Json[] }; message: string }> = [
    {
      name: 'an executor without framework_id',
      build: (offer) => {
        const { framework_id: _omitted, ...exec } = executor('bad.executor');
        return { exec, tasks: [groupTask('bad.c0', offer, 'true'), groupTask('bad.c1', offer, 'true')] };
      },
      message: "'ExecutorInfo.framework_id' must be set",
    },
    {
      name: 'an executor without disk',
      build: (offer) => ({
        exec: executor('bad.executor', { resources: scalarResources(0.1, 32) }),
        tasks: [groupTask('bad.c0', offer, 'true'), groupTask('bad.c1', offer, 'true')],
      }),
      message: "Executor 'bad.executor' uses no disk",
    },
    {
      name: 'a task with a different executor',
      build: (offer) => ({
        exec: executor('bad.executor'),
        tasks: [groupTask('bad.c0', offer, 'true'), groupTask('bad.c1', offer, 'true', { executor: executor('other.executor') })],
      }),
      message: "The `ExecutorInfo` of task 'bad.c1' is different from executor 'bad.executor'",
    },
    {
      name: 'a task in a Docker container',
      build: (offer) => ({
        exec: executor('bad.executor'),
        tasks: [groupTask('bad.c0', offer, 'true', { container: { type: 'DOCKER', docker: { image: 'busybox' } } }), groupTask('bad.c1', offer, 'true')],
      }),
      message: "Task 'bad.c0' is invalid: Docker ContainerInfo is not supported on the task",
    },
  ];
  for (const bad of badGroups) {
    it(`refuses a group with ${bad.name} with TASK_ERROR and upstream's message`, async () => {
      fw = await RawFramework.subscribe(local.url, 'group-wire-bad');
      const [offer] = await fw.takeOffers(1);
      const { exec, tasks } = bad.build(offer!);
      await launchGroup(offer!, exec, tasks);
      for (const id of ['bad.c0', 'bad.c1']) {
        const update = await fw.until(`${id} refused`, terminal(id), WAIT_MS);
        expect(update).toMatchObject({ state: 'TASK_ERROR', source: 'SOURCE_MASTER', reason: 'REASON_TASK_GROUP_INVALID', message: bad.message });
        expect(fw.updatesOf(id)).toHaveLength(1);
      }
      await allResourcesOffered();
    });
  }

  it('fails a group whose task needs a container image, with a clear message', async () => {
    fw = await RawFramework.subscribe(local.url, 'group-wire-image');
    const [offer] = await fw.takeOffers(1);
    await launchGroup(offer!, executor('img.executor'), [
      groupTask('img.c0', offer!, 'true', { container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'nginx:1.25' } } } } }),
      groupTask('img.c1', offer!, 'exec sleep 600'),
    ]);
    for (const id of ['img.c0', 'img.c1']) {
      const update = await fw.until(`${id} terminal`, terminal(id), WAIT_MS);
      expect(update).toMatchObject({ state: 'TASK_FAILED', source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
      expect(update.message).toMatch(/^Failed to launch container: container images \('nginx:1\.25'\) are not supported by pacer mesos-local agents/);
    }
    await allResourcesOffered();
  });
});

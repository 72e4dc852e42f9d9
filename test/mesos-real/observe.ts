/**
 * The differential scenario: one raw v1 framework drives a master through subscribe, offers,
 * task lifecycles, invalid launches, reconciliation and bad calls, and everything it sees is
 * recorded as normalised facets (see framework-view.ts). Run against `pacer mesos-local` and a
 * real Mesos master, the facets must agree except for the differences listed in
 * differential.test.ts.
 */
import { getJson } from '../helpers/processes.js';
import { RawFramework, answerView, commandTask, keysOf, launchCall, rawCall, scalarResources, shapeOf, statusView } from './framework-view.js';

type Json = Record<string, any>;

/** The names of the master's flags in /master/state (compared as a subset, not facet by facet). */
export async function flagNames(base: string): Promise<string[]> {
  return keysOf((await getJson<Json>(`${base}/master/state`)).flags);
}

export interface Facets {
  subscribe: Json;
  offers: Json;
  lifecycle: Json;
  invalid: Json;
  reconcile: Json;
  badCalls: Json;
  state: Json;
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_LOST', 'TASK_GONE']);

const terminalOf = (fw: RawFramework, taskId: string) => () => fw.updatesOf(taskId).find((u) => TERMINAL.has(u.state));
const stateOf = (fw: RawFramework, taskId: string, state: string) => () => fw.updatesOf(taskId).find((u) => u.state === state);

export async function observe(base: string, agents: number, log: (step: string) => void = () => undefined): Promise<Facets> {
  const fw = await RawFramework.subscribe(base, 'differential');
  log('subscribed');
  try {
    const heartbeat = await fw.until('the first event after SUBSCRIBED', () => fw.events[0]);
    const subscribe = {
      status: 200,
      contentType: fw.headers['content-type'],
      hasStreamId: typeof fw.headers['mesos-stream-id'] === 'string',
      subscribed: shapeOf(fw.subscribed.subscribed),
      masterInfoKeys: keysOf(fw.subscribed.subscribed.master_info),
      heartbeatIntervalSeconds: fw.subscribed.subscribed.heartbeat_interval_seconds,
      secondEvent: heartbeat.type,
    };

    const offers = await fw.takeOffers(agents);
    log('offers');
    const offerFacet = {
      offerKeys: keysOf(offers[0]),
      shape: shapeOf(offers.map((o) => ({ ...o, resources: undefined, attributes: undefined }))),
      // By name: the order of an offer's resources is not part of the API.
      resources: offers[0]!.resources
        .map((r: Json) => ({ name: r.name, type: r.type, keys: keysOf(r), shape: shapeOf(r) }))
        .sort((a: Json, b: Json) => String(a.name).localeCompare(String(b.name))),
      attributes: shapeOf(offers[0]!.attributes ?? []),
    };

    // Three command tasks, one per agent: one finishes, one fails, one runs until killed.
    const tasks = [
      commandTask('t-finish', offers[0]!, 'exit 0'),
      commandTask('t-fail', offers[1 % agents]!, 'exit 3'),
      commandTask('t-kill', offers[2 % agents]!, 'sleep 600'),
    ];
    // One ACCEPT per agent: offers of different agents cannot be combined.
    const accepts = await Promise.all(tasks.map((task, i) => fw.call(launchCall([offers[i % agents]!], [task]))));
    log(`accepts ${accepts.map((a) => a.status).join(',')}`);
    await fw.until('t-kill RUNNING', stateOf(fw, 't-kill', 'TASK_RUNNING'));
    const runningState = await getJson<Json>(`${base}/master/state`);
    log('t-kill running');
    const killed = await fw.call({ type: 'KILL', kill: { task_id: { value: 't-kill' }, agent_id: tasks[2]!.agent_id } });
    for (const id of ['t-finish', 't-fail', 't-kill']) await fw.until(`${id} terminal`, terminalOf(fw, id));
    const lifecycle = {
      acceptStatus: accepts.map((a) => a.status),
      killStatus: killed.status,
      ...Object.fromEntries(['t-finish', 't-fail', 't-kill'].map((id) => [id, fw.updatesOf(id).map(statusView)])),
    };

    log('lifecycle done');
    // Invalid launches: more cpus than offered, an offer already used, and no command or executor.
    const [offer] = await fw.takeOffers(1);
    await fw.call(launchCall([offer!], [commandTask('t-too-big', offer!, 'sleep 1', scalarResources(1000, 32))]));
    await fw.call(launchCall([offer!], [commandTask('t-stale-offer', offer!, 'sleep 1')]));
    const [offer2] = await fw.takeOffers(1);
    const noCommand = commandTask('t-no-command', offer2!, 'sleep 1');
    delete noCommand.command;
    await fw.call(launchCall([offer2!], [noCommand]));
    for (const id of ['t-too-big', 't-stale-offer', 't-no-command']) await fw.until(`${id} terminal`, terminalOf(fw, id));
    const invalid = Object.fromEntries(['t-too-big', 't-stale-offer', 't-no-command'].map((id) => [id, fw.updatesOf(id).map(statusView)]));

    log('invalid done');
    // Reconciliation: a finished task, a task never launched (with and without its agent).
    const before = fw.updates.length;
    await fw.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: [
          { task_id: { value: 't-finish' }, agent_id: tasks[0]!.agent_id },
          { task_id: { value: 'never-launched' }, agent_id: tasks[0]!.agent_id },
          { task_id: { value: 'never-launched-no-agent' } },
        ],
      },
    });
    await fw.until('three reconciliation answers', () => (fw.updates.length - before >= 3 ? true : undefined), 30_000);
    const reconcile = Object.fromEntries(fw.updates.slice(before).map((u) => [u.task_id.value, statusView(u)]));

    log('reconcile done');
    const badCalls = await observeBadCalls(base, fw);

    const state = stateFacet(runningState, fw.frameworkId);
    return { subscribe, offers: offerFacet, lifecycle, invalid, reconcile, badCalls, state };
  } finally {
    await fw.teardown();
  }
}

async function observeBadCalls(base: string, fw: RawFramework): Promise<Json> {
  const json = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const revive = JSON.stringify({ framework_id: { value: fw.frameworkId }, type: 'REVIVE' });
  const subscribeBody = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'bad' } } });
  const cases: Record<string, () => ReturnType<typeof rawCall>> = {
    missingStreamId: () => rawCall(base, revive, json),
    wrongStreamId: () => rawCall(base, revive, { ...json, 'Mesos-Stream-Id': '00000000-0000-0000-0000-000000000000' }),
    unknownFramework: () =>
      rawCall(base, JSON.stringify({ framework_id: { value: 'no-such-framework' }, type: 'REVIVE' }), {
        ...json,
        'Mesos-Stream-Id': fw.streamId,
      }),
    malformedJson: () => rawCall(base, '{"type": "REVIVE",', { ...json, 'Mesos-Stream-Id': fw.streamId }),
    unknownCallType: () =>
      rawCall(base, JSON.stringify({ framework_id: { value: fw.frameworkId }, type: 'NO_SUCH_CALL' }), { ...json, 'Mesos-Stream-Id': fw.streamId }),
    missingContentType: () => rawCall(base, revive, { Accept: 'application/json', 'Mesos-Stream-Id': fw.streamId }),
    unsupportedContentType: () => rawCall(base, revive, { 'Content-Type': 'text/plain', 'Mesos-Stream-Id': fw.streamId }),
    getMethod: () => rawCall(base, undefined, { Accept: 'application/json' }, 'GET'),
    declineWithoutDecline: () =>
      rawCall(base, JSON.stringify({ framework_id: { value: fw.frameworkId }, type: 'DECLINE' }), { ...json, 'Mesos-Stream-Id': fw.streamId }),
    subscribeWithStreamId: () => rawCall(base, subscribeBody, { ...json, 'Mesos-Stream-Id': fw.streamId }),
    subscribeUnacceptable: () => rawCall(base, subscribeBody, { 'Content-Type': 'application/json', Accept: 'text/html' }),
    missingFrameworkId: () => rawCall(base, JSON.stringify({ type: 'REVIVE' }), { ...json, 'Mesos-Stream-Id': fw.streamId }),
  };
  const out: Json = {};
  for (const [name, send] of Object.entries(cases)) out[name] = answerView(await send());
  // Listed difference: after "Failed to parse body into JSON: " each master quotes its own JSON
  // parser (picojson's "syntax error at line 1 near: …" upstream, V8's in mesos-local); only the
  // status and the prefix are compared.
  out.malformedJson.body = String(out.malformedJson.body).replace(/^(Failed to parse body into JSON:).*$/, '$1 …');
  return out;
}

/**
 * The /master/state a UI or tool reads: the shape (keys and value types, nested) of the document,
 * of a framework, an agent and a running task. The flags are compared apart (flagNames).
 */
function stateFacet(state: Json, frameworkId: string): Json {
  const framework = (state.frameworks as Json[]).find((f) => f.id === frameworkId) ?? {};
  const task = (framework.tasks as Json[] | undefined)?.find((t) => t.id === 't-kill') ?? {};
  const { frameworks: _f, completed_frameworks: _c, slaves, flags: _flags, ...top } = state;
  const { tasks: _t, completed_tasks: _ct, unreachable_tasks: _u, offers: _o, executors: _e, ...frameworkRest } = framework;
  return {
    top: shapeOf(top),
    capabilities: state.capabilities,
    framework: shapeOf(frameworkRest),
    frameworkCapabilities: framework.capabilities,
    agent: shapeOf((slaves as Json[])[0]),
    task: shapeOf(task),
    taskState: task.state,
  };
}

/** The first ports of an offer's `ports` ranges. */
function offeredPorts(offer: Json, count = 2): number[] {
  const ports: number[] = [];
  for (const r of offer.resources as Json[]) {
    if (r.name !== 'ports') continue;
    for (const range of r.ranges.range as Array<{ begin: number; end: number }>) {
      for (let p = range.begin; p <= range.end && ports.length < count; p++) ports.push(p);
    }
  }
  return ports;
}

/** A Marathon ephemeral pod volume (TaskGroupBuilder): SANDBOX_PATH of type PARENT under `volumes/`. */
function podVolume(name: string, mountPath: string): Json {
  return {
    type: 'MESOS',
    volumes: [{ mode: 'RW', container_path: mountPath, source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: `volumes/${name}` } } }],
  };
}

/**
 * Task groups (LAUNCH_GROUP with the DEFAULT executor), each on a fresh offer:
 * - `pod`: two servers become healthy (TCP checks); /master/state lists the executor and the
 *   tasks; KILL of one ends both;
 * - `vol`: a writer and a reader sharing an ephemeral volume both finish (FINISHED kills nobody);
 * - `fail`: a task that exits 3 gets its long-running sibling killed;
 * - `bad`: groups the master refuses (no framework_id, no disk, a task with another executor, a
 *   Docker task, no executor type), one update per task.
 * What is recorded: the ACCEPT status and every task's updates (statusView), the executor's shape.
 */
export async function observeTaskGroup(base: string): Promise<Json> {
  const fw = await RawFramework.subscribe(base, 'differential-group');
  try {
    const executor = (id: string, extra: Json = {}): Json => ({
      type: 'DEFAULT',
      executor_id: { value: id },
      framework_id: { value: fw.frameworkId },
      resources: scalarResources(0.1, 32, 10),
      ...extra,
    });
    const task = (id: string, offer: Json, command: string, extra: Json = {}): Json => ({
      ...commandTask(id, offer, command, scalarResources(0.1, 32)),
      ...extra,
    });
    const launch = async (exec: Json, tasks: (offer: Json) => Json[]): Promise<{ status: number; ids: string[] }> => {
      const [offer] = await fw.takeOffers(1);
      const infos = tasks(offer!);
      const answer = await fw.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer!.id],
          operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor: exec, task_group: { tasks: infos } } }],
          filters: { refuse_seconds: 1 },
        },
      });
      return { status: answer.status, ids: infos.map((t) => t.task_id.value as string) };
    };
    const view = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, fw.updatesOf(id).map(statusView)]));
    const allTerminal = async (ids: string[]) => {
      for (const id of ids) await fw.until(`${id} terminal`, terminalOf(fw, id));
    };

    // Two servers with a TCP health check each; the KILL waits until both are healthy. (Killed
    // right after TASK_RUNNING, a real nested container may not take SIGTERM yet and ends by the
    // SIGKILL of the 3 s escalation: a race of the real agent, not a behaviour to compare.)
    const server = (id: string, offer: Json, port: number): Json =>
      task(id, offer, `exec python3 -m http.server ${port} --bind 127.0.0.1`, {
        resources: [...scalarResources(0.1, 32), { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] } }],
        health_check: { type: 'TCP', tcp: { port }, delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 60 },
      });
    const pod = await launch(executor('pod.executor'), (offer) => {
      const [first, second] = offeredPorts(offer);
      return [server('pod.c0', offer, first!), server('pod.c1', offer, second!)];
    });
    for (const id of pod.ids) await fw.until(`${id} healthy`, () => fw.updatesOf(id).find((u) => u.healthy === true));
    const state = await getJson<Json>(`${base}/master/state`);
    const framework = (state.frameworks as Json[]).find((f) => f.id === fw.frameworkId) ?? {};
    const executors = (framework.executors as Json[] | undefined) ?? [];
    const stateFacet = {
      executors: executors.length,
      executor: shapeOf(executors[0]),
      executorType: executors[0]?.type,
      taskExecutors: ((framework.tasks as Json[] | undefined) ?? []).map((t) => [t.id, t.executor_id]).sort(),
    };
    const killed = await fw.call({ type: 'KILL', kill: { task_id: { value: 'pod.c0' }, agent_id: fw.updatesOf('pod.c0')[0]!.agent_id } });
    await allTerminal(pod.ids);

    const vol = await launch(executor('vol.executor'), (offer) => [
      task('vol.writer', offer, 'echo shared > data/file', { container: podVolume('v1', 'data') }),
      task('vol.reader', offer, 'while [ ! -f in/file ]; do sleep 0.1; done; cat in/file', { container: podVolume('v1', 'in') }),
    ]);
    await allTerminal(vol.ids);

    const fail = await launch(executor('fail.executor'), (offer) => [task('fail.quick', offer, 'sleep 1; exit 3'), task('fail.long', offer, 'sleep 600')]);
    await allTerminal(fail.ids);

    const bad: Json = {};
    const badCases: Array<[string, Json, (offer: Json) => Json[]]> = [
      ['noFrameworkId', { ...executor('bad1.executor'), framework_id: undefined }, (o) => [task('bad1.c0', o, 'true'), task('bad1.c1', o, 'true')]],
      ['noDisk', executor('bad2.executor', { resources: scalarResources(0.1, 32) }), (o) => [task('bad2.c0', o, 'true'), task('bad2.c1', o, 'true')]],
      ['otherExecutor', executor('bad3.executor'), (o) => [task('bad3.c0', o, 'true'), task('bad3.c1', o, 'true', { executor: executor('bad3.other') })]],
      [
        'dockerTask',
        executor('bad4.executor'),
        (o) => [task('bad4.c0', o, 'true', { container: { type: 'DOCKER', docker: { image: 'busybox' } } }), task('bad4.c1', o, 'true')],
      ],
      ['noType', { ...executor('bad5.executor'), type: undefined }, (o) => [task('bad5.c0', o, 'true'), task('bad5.c1', o, 'true')]],
    ];
    for (const [name, exec, tasks] of badCases) {
      const launched = await launch(exec, tasks);
      await allTerminal(launched.ids);
      bad[name] = { acceptStatus: launched.status, ...view(launched.ids) };
    }

    return {
      pod: { acceptStatus: pod.status, killStatus: killed.status, ...view(pod.ids) },
      state: stateFacet,
      vol: { acceptStatus: vol.status, ...view(vol.ids) },
      fail: { acceptStatus: fail.status, ...view(fail.ids) },
      bad,
    };
  } finally {
    await fw.teardown();
  }
}

/**
 * Launch on a real Apache Mesos (needs MESOS_HOME, a build made with ../shared/tools/mesos/):
 * a master and three agents on loopback, then, alternating in the same run,
 *   - Pacer: POST one app of N instances to a real `pacer --master 127.0.0.1:<port>` and time
 *     until every instance is TASK_RUNNING;
 *   - the floor: a raw v1 framework holding one offer per agent sends one ACCEPT per agent
 *     launching the same N tasks (same command and resources) and times until every task is
 *     TASK_RUNNING.
 * Prints the medians and Pacer's ratio to the floor (target ≤ 1.1×). Absolute times mean little
 * on the unoptimised (-O0) build, where the agents start executors slowly; the ratio is measured
 * on the same build in the same run.
 *
 *   MESOS_HOME=~/mesos npm run bench -- mesos [--tasks 500] [--runs 3]
 */
import { request } from 'undici';
import { startPacerProcess, type PacerProcess } from '../test/helpers/pacer-process.js';
import { mesosHome, startCluster, type MesosCluster } from '../test/mesos-real/cluster.js';
import { RawFramework, commandTask, launchCall, scalarResources } from '../test/mesos-real/framework-view.js';

const APP_ID = '/bench/mesos';
const COMMAND = 'sleep 100000';
const CPUS = 0.01;
const MEM = 4;
const POLL_MS = 200;

export class MesosBenchError extends Error {
  readonly code = 'ERR_MESOS_BENCH';
}

interface Args {
  tasks: number;
  runs: number;
  timeoutSeconds: number;
}

function parseArgs(args: string[]): Args {
  const out: Args = { tasks: 500, runs: 3, timeoutSeconds: 900 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n <= 0) throw new MesosBenchError(`${flag} needs a positive integer`);
    switch (flag) {
      case '--tasks':
        out.tasks = n;
        break;
      case '--runs':
        out.runs = n;
        break;
      case '--timeout':
        out.timeoutSeconds = n;
        break;
      default:
        throw new MesosBenchError(`unknown argument ${flag}; known: --tasks N --runs N --timeout S`);
    }
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await request(url, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/**
 * Whether the cluster is idle: no live task on the master and no resources in use on any agent
 * (executors gone too), so that one measurement does not pay for the previous one's teardown.
 */
async function idle(masterUrl: string): Promise<boolean> {
  const state = await json<{ frameworks: Array<{ tasks: unknown[] }>; slaves: Array<{ used_resources: { cpus: number } }> }>(
    'GET',
    `${masterUrl}/master/state`,
  );
  return state.body.frameworks.every((f) => f.tasks.length === 0) && state.body.slaves.every((s) => s.used_resources.cpus === 0);
}

async function until(what: string, deadline: number, probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) {
    if (Date.now() > deadline) throw new MesosBenchError(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function pacerRun(cluster: MesosCluster, pacer: PacerProcess, args: Args): Promise<number> {
  const masterUrl = cluster.masters[0]!.url;
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  const started = performance.now();
  const posted = await json('POST', `${pacer.url}/v2/apps`, {
    id: APP_ID,
    cmd: COMMAND,
    cpus: CPUS,
    mem: MEM,
    instances: args.tasks,
    portDefinitions: [],
  });
  if (posted.status !== 201) throw new MesosBenchError(`POST /v2/apps answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  await until(`${args.tasks} running in Pacer`, deadline, async () => {
    const apps = await json<{ apps: Array<{ id: string; tasksRunning: number }> }>('GET', `${pacer.url}/v2/apps?id=${encodeURIComponent(APP_ID)}`);
    return (apps.body.apps.find((a) => a.id === APP_ID)?.tasksRunning ?? 0) >= args.tasks;
  });
  const elapsed = performance.now() - started;
  const deleted = await json('DELETE', `${pacer.url}/v2/apps${APP_ID}?force=true`);
  if (deleted.status !== 200) throw new MesosBenchError(`DELETE answered ${deleted.status}`);
  await until('the cluster to be idle', Date.now() + args.timeoutSeconds * 1000, () => idle(masterUrl));
  return elapsed;
}

async function floorRun(cluster: MesosCluster, args: Args, run: number): Promise<number> {
  const masterUrl = cluster.masters[0]!.url;
  const framework = await RawFramework.subscribe(masterUrl, `bench-floor-${run}`, { capabilities: ['PARTITION_AWARE'] });
  try {
    const offers = await framework.takeOffers(cluster.agents.length);
    const perAgent = offers.map((offer, i) => {
      const count = Math.floor(args.tasks / offers.length) + (i < args.tasks % offers.length ? 1 : 0);
      return Array.from({ length: count }, (_, k) => commandTask(`floor-${run}-${i}-${k}`, offer, COMMAND, scalarResources(CPUS, MEM)));
    });
    const running = new Set<string>();
    const started = performance.now();
    const answers = await Promise.all(offers.map((offer, i) => framework.call(launchCall([offer], perAgent[i]!), {}, 120_000)));
    for (const answer of answers) if (answer.status !== 202) throw new MesosBenchError(`ACCEPT answered ${answer.status}: ${answer.text}`);
    await framework.until(
      `${args.tasks} floor tasks running`,
      () => {
        for (const update of framework.updates) {
          const taskId = String((update.task_id as { value?: unknown } | undefined)?.value);
          if (update.state === 'TASK_RUNNING') running.add(taskId);
          else if (update.state !== 'TASK_STARTING' && update.state !== 'TASK_STAGING') {
            throw new MesosBenchError(`floor task ${taskId} ${update.state}: ${update.message ?? ''}`);
          }
        }
        framework.updates.length = 0;
        return running.size >= args.tasks ? true : undefined;
      },
      args.timeoutSeconds * 1000,
    );
    return performance.now() - started;
  } finally {
    await framework.teardown();
    await until('the cluster to be idle', Date.now() + args.timeoutSeconds * 1000, () => idle(masterUrl));
  }
}

export async function run(argv: string[]): Promise<void> {
  if (mesosHome() === undefined) {
    process.stdout.write('Mesos absent (MESOS_HOME is unset or has no sbin/mesos-master): see README "Real Mesos" to build it; nothing measured.\n');
    return;
  }
  const args = parseArgs(argv);
  const perAgent = Math.ceil(args.tasks / 3);
  const cluster = await startCluster({
    name: 'bench',
    agentResources: `cpus:${Math.ceil(perAgent * CPUS) + 2};mem:${perAgent * MEM + 1024};disk:10000`,
    // Upstream's defaults (15 s × 5), not the tier's quick 2 s × 3: an unoptimised agent starting
    // hundreds of executors on a busy machine misses short pings and would be marked unreachable.
    master: { agentPingTimeoutSeconds: 15, maxAgentPingTimeouts: 5 },
  });
  let pacer: PacerProcess | undefined;
  try {
    // startPacerProcess starts `--master local`; a later --master takes its place (the last
    // occurrence of a flag wins), and the local-agent flags are then unused.
    pacer = await startPacerProcess({
      name: 'bench-mesos',
      logLevel: 'info',
      startTimeoutMs: 60_000,
      extraArgs: ['--master', cluster.masterSpec, '--hostname', '127.0.0.1'],
    });
    const pacerMs: number[] = [];
    const floorMs: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      floorMs.push(await floorRun(cluster, args, i));
      process.stdout.write(`  run ${i + 1}: floor ${(floorMs.at(-1)! / 1000).toFixed(2)} s\n`);
      pacerMs.push(await pacerRun(cluster, pacer, args));
      process.stdout.write(`  run ${i + 1}: pacer ${(pacerMs.at(-1)! / 1000).toFixed(2)} s\n`);
    }
    const pacerMedian = median(pacerMs);
    const floorMedian = median(floorMs);
    process.stdout.write(
      `mesos launch, ${args.tasks} tasks over ${cluster.agents.length} agents, ${args.runs} runs:\n` +
        `  pacer (POST → all RUNNING)            median ${(pacerMedian / 1000).toFixed(2)} s\n` +
        `  floor (one ACCEPT per agent → RUNNING) median ${(floorMedian / 1000).toFixed(2)} s\n` +
        `  ratio ${(pacerMedian / floorMedian).toFixed(2)}× (target ≤ 1.1×)\n`,
    );
  } finally {
    await pacer?.stop();
    await cluster.stop();
  }
}

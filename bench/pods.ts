/**
 * Pod launch throughput of the orchestrator: Pacer's core, service and SQLite store in this
 * process, the embedded master with simulated agents in its own thread, over real HTTP. One pod of
 * many instances of three containers is created through the service, and the time until every
 * instance is Running (all its container tasks TASK_RUNNING) is measured, from a subscribed and
 * reconciled framework to the end of the deployment. The baseline, measured
 * in the same run and alternated with it, is one app with as many instances as the pods have
 * container tasks (3,000 for 1,000 pod instances): same number of Mesos tasks, one task per ACCEPT
 * entry instead of one task group. Reported: medians of the runs and the ratio pod / app.
 *
 *   npm run bench -- pods [--instances 1000] [--containers 3] [--agents 200] [--runs 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os, { userInfo } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startEmbeddedMaster } from '../src/local/embedded-master.js';
import { StaticMasterDetector } from '../src/mesos/detector.js';
import { buildFrameworkInfo } from '../src/mesos/framework-info.js';
import { normalizeAndValidateApp } from '../src/model/apps/index.js';
import { putApp } from '../src/model/groups/root-group.js';
import { parsePodOrThrow } from '../src/model/pods/index.js';
import type { AppLookup, DeploymentPlan } from '../src/scheduler/contracts.js';
import { SchedulerCore } from '../src/scheduler/core/index.js';
import { LocalEventBus } from '../src/scheduler/event-bus.js';
import { PacerServiceImpl } from '../src/scheduler/service.js';
import { openSqliteStore } from '../src/state/sqlite-store.js';

const AGENT_RESOURCES = 'cpus:64;mem:262144;disk:1000000;ports:[31000-32000]';
const TIMEOUT_MS = 300_000;

export class PodsBenchError extends Error {
  readonly code = 'PACER_BENCH_PODS';
}

interface PodsArgs {
  instances: number;
  containers: number;
  agents: number;
  runs: number;
}

function parseArgs(args: string[]): PodsArgs {
  const out: PodsArgs = { instances: 1000, containers: 3, agents: 200, runs: 3 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n <= 0) throw new PodsBenchError(`${flag} needs a positive integer`);
    switch (flag) {
      case '--instances':
        out.instances = n;
        break;
      case '--containers':
        out.containers = n;
        break;
      case '--agents':
        out.agents = n;
        break;
      case '--runs':
        out.runs = n;
        break;
      default:
        throw new PodsBenchError(`unknown argument ${flag}; known: --instances N --containers N --agents N --runs N`);
    }
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** One fresh orchestrator, master and store; launches `kind` and returns seconds until all running. */
async function once(kind: 'pod' | 'app', args: PodsArgs): Promise<number> {
  const logger = pino({ level: process.env.PODS_BENCH_LOG ?? 'silent' });
  // In its own thread, as `pacer --master local` runs it.
  const local = await startEmbeddedMaster(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 0,
      simulatedAgents: args.agents,
      agentResources: AGENT_RESOURCES,
      allocationIntervalMs: 100,
      heartbeatIntervalSeconds: 5,
    },
    logger,
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-pods-bench-'));
  const store = await openSqliteStore({ dataDir, logger });
  const events = new LocalEventBus();
  let service: PacerServiceImpl | undefined;
  const lookup: AppLookup = {
    app: (id) => service?.runSpec(id),
    appVersion: async (id, version) => service?.runSpecVersion(id, version),
    pod: (id) => service?.pod(id),
    podVersion: async (id, version) => service?.podVersion(id, version),
  };
  const core = new SchedulerCore({
    store,
    apps: lookup,
    events,
    logger,
    driver: {
      detector: new StaticMasterDetector(local.url),
      frameworkInfo: buildFrameworkInfo({ name: 'pacer-pods-bench', hostname: '127.0.0.1', user: userInfo().username, failoverTimeoutSeconds: 300 }),
      mediaType: 'application/x-protobuf',
    },
    matchOptions: { localRegion: 'local' },
  });
  service = new PacerServiceImpl({ store, core, events, logger });
  try {
    await core.load();
    await service.start();
    await core.start();
    // The clock starts on a subscribed, reconciled framework: start-up is not what is measured.
    for (let i = 0; i < 600 && !core.framework().subscribed; i++) await new Promise((r) => setTimeout(r, 50));
    if (!core.framework().subscribed) throw new PodsBenchError(`${kind}: never subscribed to the embedded master`);
    await core.reconciled();
    const id = kind === 'pod' ? '/bench/pod' : '/bench/app';
    const wanted = kind === 'pod' ? args.instances : args.instances * args.containers;
    const started = performance.now();
    let plan: DeploymentPlan;
    if (kind === 'pod') {
      const pod = parsePodOrThrow(
        {
          id,
          scaling: { kind: 'fixed', instances: args.instances },
          containers: Array.from({ length: args.containers }, (_, c) => ({
            name: `c${c}`,
            exec: { command: { shell: 'sleep 1000' } },
            resources: { cpus: 0.01, mem: 8 },
          })),
        },
        { mesosRole: '*' },
      );
      plan = await service.createPod(pod, { force: false });
    } else {
      const app = normalizeAndValidateApp({ id, cmd: 'sleep 1000', instances: wanted, cpus: 0.01, mem: 8 }, { mesosRole: '*' });
      plan = await service.updateRoot((root) => putApp(root, app), { force: false });
    }
    const outcome = await Promise.race([
      service.whenDeploymentFinished(plan.id),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref()),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const running = core.instances.ofApp(id).filter((i) => i.condition === 'Running').length;
    if (outcome !== 'success' || running !== wanted) {
      throw new PodsBenchError(`${kind}: deployment ${outcome} with ${running} of ${wanted} instances running after ${seconds.toFixed(1)} s`);
    }
    return seconds;
  } finally {
    await service.stop();
    await core.stop();
    await store.close();
    await local.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const tasks = args.instances * args.containers;
  process.stdout.write(
    `${args.instances} pod instances x ${args.containers} containers (${tasks} tasks) vs one app of ${tasks} instances; ` +
      `${args.agents} simulated agents (${AGENT_RESOURCES}), ${args.runs} runs each, alternated\n`,
  );
  const podSeconds: number[] = [];
  const appSeconds: number[] = [];
  for (let r = 0; r < args.runs; r++) {
    appSeconds.push(await once('app', args));
    podSeconds.push(await once('pod', args));
    process.stdout.write(`run ${r + 1}: app ${appSeconds[r]!.toFixed(2)} s, pod ${podSeconds[r]!.toFixed(2)} s\n`);
  }
  const pod = median(podSeconds);
  const app = median(appSeconds);
  process.stdout.write(
    [
      `pod instances running     median ${pod.toFixed(2)} s (${((args.instances * args.containers) / pod).toFixed(0)} tasks/s)`,
      `baseline app              median ${app.toFixed(2)} s (${(tasks / app).toFixed(0)} tasks/s)`,
      `ratio pod / app           ${(pod / app).toFixed(2)}`,
      '',
    ].join('\n'),
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'pods',
      podInstances: args.instances,
      containers: args.containers,
      agents: args.agents,
      runs: args.runs,
      podSecondsMedian: round(pod, 3),
      baselineAppInstances: tasks,
      baselineSecondsMedian: round(app, 3),
      ratio: round(pod / app, 3),
    })}\n`,
  );
}

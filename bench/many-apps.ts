/**
 * Whether the cost of a launch depends on how tasks are spread over apps. Each run starts two
 * fresh `pacer --master local` processes on the same simulated agents:
 *  1. one app of apps × instances instances, POSTed, timed until every task runs (the baseline);
 *  2. a group of `apps` apps at 0 instances, POSTed, then one `PUT /v2/apps` scaling each to
 *     `instances`, timed until every task runs, with `GET /v2/apps` timed throughout.
 * Every app has two CLUSTER constraints on agent attributes and one port, as the real-world
 * Marathon group this copies (Marathon's benchmark mocks, `155_*.json`).
 *
 *   npm run bench -- many-apps [--apps 1000] [--instances 10] [--agents 200] [--runs 3] [--timeout 300] [--profile]
 *
 * Target: the many-apps time ≤ 1.5 × the one-app time of the same run; GET /v2/apps < 100 ms
 * while the deployment runs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPacerProcess, type PacerProcess } from '../test/helpers/pacer-process.js';
import { getText, median, peakRssMiB, round, sendJson } from './figures.js';

const AGENT_RESOURCES = 'cpus:16;mem:65536;disk:100000;ports:[31000-32000]';
const AGENT_ATTRIBUTES = 'platform:foo;rack:bax-bar';
const POLL_MS = 250;

interface Args {
  apps: number;
  instances: number;
  agents: number;
  runs: number;
  timeoutSeconds: number;
  profile: boolean;
}

interface AppCounts {
  id: string;
  tasksRunning: number;
}

export class ManyAppsBenchError extends Error {
  readonly code = 'PACER_BENCH_MANY_APPS';
}

function parseArgs(argv: string[]): Args {
  const out: Args = { apps: 1_000, instances: 10, agents: 200, runs: 3, timeoutSeconds: 300, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--profile') {
      out.profile = true;
      continue;
    }
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n <= 0) throw new ManyAppsBenchError(`${flag} needs a positive integer`);
    if (flag === '--apps') out.apps = n;
    else if (flag === '--instances') out.instances = n;
    else if (flag === '--agents') out.agents = n;
    else if (flag === '--runs') out.runs = n;
    else if (flag === '--timeout') out.timeoutSeconds = n;
    else throw new ManyAppsBenchError(`unknown argument ${flag}; known: --apps N --instances N --agents N --runs N --timeout S --profile`);
  }
  return out;
}

function appJson(id: string, instances: number): Record<string, unknown> {
  return {
    id,
    cmd: 'sleep 1000',
    instances,
    cpus: 0.1,
    mem: 10,
    constraints: [
      ['platform', 'CLUSTER', 'foo'],
      ['rack', 'CLUSTER', 'bax-bar'],
    ],
    portDefinitions: [{ port: 0, name: 'default', protocol: 'tcp' }],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  };
}

async function startPacer(name: string, args: Args): Promise<PacerProcess> {
  const profiles = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'profiles');
  return startPacerProcess({
    name,
    agents: 0,
    simulatedAgents: args.agents,
    agentResources: AGENT_RESOURCES,
    extraArgs: ['--agent_attributes', AGENT_ATTRIBUTES],
    logLevel: 'info',
    startTimeoutMs: 60_000,
    stopTimeoutMs: 60_000,
    nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [],
  });
}

async function appsList(pacer: PacerProcess, query = ''): Promise<{ apps: AppCounts[]; ms: number }> {
  const started = performance.now();
  const { status, text } = await getText(`${pacer.url}/v2/apps${query}`);
  const ms = performance.now() - started;
  if (status !== 200) throw new ManyAppsBenchError(`GET /v2/apps answered ${status}: ${text.slice(0, 200)}`);
  return { apps: (JSON.parse(text) as { apps: AppCounts[] }).apps, ms };
}

/** Polls /v2/apps until `total` tasks run; every poll's latency is a sample of /v2/apps under load. */
async function untilRunning(pacer: PacerProcess, total: number, started: number, args: Args, query = ''): Promise<{ seconds: number; appsMs: number[] }> {
  const deadline = started + args.timeoutSeconds * 1000;
  const appsMs: number[] = [];
  let lastReport = started;
  for (;;) {
    const { apps, ms } = await appsList(pacer, query);
    appsMs.push(ms);
    const running = apps.reduce((sum, a) => sum + a.tasksRunning, 0);
    const now = performance.now();
    if (running >= total) return { seconds: (now - started) / 1000, appsMs };
    if (pacer.exited()) throw new ManyAppsBenchError(`pacer exited during the launch\n${pacer.logTail()}`);
    if (now > deadline) throw new ManyAppsBenchError(`${running} of ${total} running after ${args.timeoutSeconds} s\n${pacer.logTail()}`);
    if (now - lastReport > 5_000) {
      lastReport = now;
      process.stdout.write(`    … ${((now - started) / 1000).toFixed(1)} s: ${running} of ${total} running\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function untilNoDeployments(pacer: PacerProcess, deadline: number): Promise<void> {
  for (;;) {
    const { status, text } = await getText(`${pacer.url}/v2/deployments`);
    if (status === 200 && (JSON.parse(text) as unknown[]).length === 0) return;
    if (performance.now() > deadline) throw new ManyAppsBenchError(`deployments still running: ${text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function oneApp(args: Args, run: number): Promise<{ seconds: number }> {
  const pacer = await startPacer(`bench-one-app-${run}`, args);
  try {
    const total = args.apps * args.instances;
    const started = performance.now();
    const posted = await sendJson('POST', `${pacer.url}/v2/apps`, appJson('/bench/one', total));
    if (posted.status !== 201) throw new ManyAppsBenchError(`POST /v2/apps answered ${posted.status}: ${posted.text.slice(0, 300)}`);
    return { seconds: (await untilRunning(pacer, total, started, args, '?id=/bench/one')).seconds };
  } finally {
    await pacer.stop();
  }
}

interface ManyOutcome {
  seconds: number;
  firstAppsGetMs: number;
  appsMsDuring: number;
  peakRssMiB: number;
}

async function manyApps(args: Args, run: number): Promise<ManyOutcome> {
  const pacer = await startPacer(`bench-many-apps-${run}`, args);
  try {
    const ids = Array.from({ length: args.apps }, (_, i) => `/bench/many/app-${String(i).padStart(4, '0')}`);
    const group = { id: '/bench/many', apps: ids.map((id) => appJson(id, 0)) };
    const posted = await sendJson('POST', `${pacer.url}/v2/groups`, group);
    if (posted.status !== 201) throw new ManyAppsBenchError(`POST /v2/groups answered ${posted.status}: ${posted.text.slice(0, 300)}`);
    await untilNoDeployments(pacer, performance.now() + args.timeoutSeconds * 1000);
    const first = await appsList(pacer);
    if (first.apps.length < args.apps) throw new ManyAppsBenchError(`GET /v2/apps lists ${first.apps.length} apps, not ${args.apps}`);

    const started = performance.now();
    const scaled = await sendJson(
      'PUT',
      `${pacer.url}/v2/apps`,
      ids.map((id) => ({ id, instances: args.instances })),
    );
    if (scaled.status !== 200) throw new ManyAppsBenchError(`PUT /v2/apps answered ${scaled.status}: ${scaled.text.slice(0, 300)}`);
    const outcome = await untilRunning(pacer, args.apps * args.instances, started, args);
    return { seconds: outcome.seconds, firstAppsGetMs: first.ms, appsMsDuring: median(outcome.appsMs), peakRssMiB: await peakRssMiB(pacer.pid) };
  } finally {
    await pacer.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const total = args.apps * args.instances;
  process.stdout.write(`${args.apps} apps × ${args.instances} instances vs one app of ${total}, on ${args.agents} simulated agents, ${args.runs} runs\n`);
  const ones: number[] = [];
  const manys: ManyOutcome[] = [];
  const ratios: number[] = [];
  for (let run = 1; run <= args.runs; run++) {
    const one = await oneApp(args, run);
    const many = await manyApps(args, run);
    ones.push(one.seconds);
    manys.push(many);
    ratios.push(many.seconds / one.seconds);
    process.stdout.write(
      `  run ${run}: one app ${one.seconds.toFixed(2)} s, many apps ${many.seconds.toFixed(2)} s (× ${(many.seconds / one.seconds).toFixed(2)}), ` +
        `first GET /v2/apps ${many.firstAppsGetMs.toFixed(0)} ms, GET /v2/apps during ${many.appsMsDuring.toFixed(0)} ms (median), peak RSS ${many.peakRssMiB.toFixed(0)} MiB\n`,
    );
  }
  const figures = {
    bench: 'many-apps',
    apps: args.apps,
    instancesPerApp: args.instances,
    agents: args.agents,
    runs: args.runs,
    oneAppSeconds: round(median(ones), 3),
    manyAppsSeconds: round(median(manys.map((m) => m.seconds)), 3),
    ratioToOneApp: round(median(ratios), 2),
    firstAppsGetMs: round(median(manys.map((m) => m.firstAppsGetMs)), 1),
    appsLatencyDuringMs: round(median(manys.map((m) => m.appsMsDuring)), 1),
    peakRssMiB: round(median(manys.map((m) => m.peakRssMiB)), 1),
  };
  process.stdout.write(
    `median of ${args.runs}: one app ${figures.oneAppSeconds} s, many apps ${figures.manyAppsSeconds} s, ratio ${figures.ratioToOneApp} (target ≤ 1.5); ` +
      `GET /v2/apps during the deployment ${figures.appsLatencyDuringMs} ms (target < 100 ms)\n${JSON.stringify(figures)}\n`,
  );
}

/**
 * Launch throughput of the whole system, as a user sees it: a real `pacer --master local` child
 * process with simulated agents, one app of many small instances POSTed over HTTP, and the time
 * until every instance is TASK_RUNNING. Then the size and latency of /v2/apps and /v2/tasks at
 * that scale, and the peak RSS of the Pacer process.
 *
 *   npm run bench -- launch [--instances 10000] [--agents 1000] [--log_level info] [--profile]
 *
 * --profile runs the Pacer child under `node --cpu-prof`; the .cpuprofile lands in
 * test-artifacts/profiles/ when Pacer exits (open it in Chrome DevTools).
 * Targets: 10,000 instances running in under 5 s; /v2/tasks at that size in under 300 ms.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startPacerProcess, type PacerProcess } from '../test/helpers/pacer-process.js';
import { getText, latency as timedGets, peakRssMiB, round } from './figures.js';

const APP_ID = '/bench/launch';
const AGENT_RESOURCES = 'cpus:16;mem:65536;disk:100000;ports:[31000-32000]';
const LATENCY_SAMPLES = 10;
// Coarse enough that the counts query (O(instances) per request) barely loads the process measured.
const POLL_MS = 250;

interface LaunchArgs {
  instances: number;
  agents: number;
  logLevel: string;
  profile: boolean;
  timeoutSeconds: number;
}

interface AppCounts {
  id: string;
  tasksStaged: number;
  tasksRunning: number;
}

export class LaunchBenchError extends Error {
  readonly code = 'PACER_BENCH_LAUNCH';
}

function parseArgs(args: string[]): LaunchArgs {
  const out: LaunchArgs = { instances: 10_000, agents: 1_000, logLevel: 'info', profile: false, timeoutSeconds: 120 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new LaunchBenchError(`${flag} needs a value`);
      return v;
    };
    const count = (): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new LaunchBenchError(`${flag} needs a positive integer`);
      return n;
    };
    switch (flag) {
      case '--instances':
        out.instances = count();
        break;
      case '--agents':
        out.agents = count();
        break;
      case '--timeout':
        out.timeoutSeconds = count();
        break;
      case '--log_level':
        out.logLevel = value();
        break;
      case '--profile':
        out.profile = true;
        break;
      default:
        throw new LaunchBenchError(`unknown argument ${flag}; known: --instances N --agents N --timeout S --log_level L --profile`);
    }
  }
  return out;
}

async function postApp(url: string, app: unknown): Promise<void> {
  const res = await request(`${url}/v2/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(app),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new LaunchBenchError(`POST /v2/apps answered ${res.statusCode}: ${text}`);
}

/** Counts only: the list endpoint embeds counts, whereas GET /v2/apps/{id} would render every task each poll. */
async function appCounts(url: string): Promise<AppCounts> {
  const { status, text } = await getText(`${url}/v2/apps?id=${encodeURIComponent(APP_ID)}`);
  if (status !== 200) throw new LaunchBenchError(`GET /v2/apps answered ${status}`);
  const app = (JSON.parse(text) as { apps: AppCounts[] }).apps.find((a) => a.id === APP_ID);
  if (app === undefined) throw new LaunchBenchError(`${APP_ID} is missing from /v2/apps`);
  return app;
}

interface LaunchOutcome {
  /** Milliseconds from POST until every instance was TASK_RUNNING; undefined when the timeout came first. */
  runningMs: number | undefined;
  /** Milliseconds until every instance was at least staged (launched on an agent). */
  launchedMs: number | undefined;
  /** Running instances at the end (all of them, unless the timeout came first). */
  running: number;
  elapsedMs: number;
}

async function waitAllRunning(pacer: PacerProcess, args: LaunchArgs, started: number): Promise<LaunchOutcome> {
  const deadline = started + args.timeoutSeconds * 1000;
  let launchedMs: number | undefined;
  let lastReport = started;
  for (;;) {
    const counts = await appCounts(pacer.url);
    const now = performance.now();
    if (launchedMs === undefined && counts.tasksStaged + counts.tasksRunning >= args.instances) launchedMs = now - started;
    if (counts.tasksRunning >= args.instances) {
      return { runningMs: now - started, launchedMs: launchedMs ?? now - started, running: counts.tasksRunning, elapsedMs: now - started };
    }
    if (now - lastReport > 5_000) {
      lastReport = now;
      process.stdout.write(`  … ${((now - started) / 1000).toFixed(1)} s: ${counts.tasksRunning} running, ${counts.tasksStaged} staged\n`);
    }
    if (pacer.exited()) throw new LaunchBenchError(`pacer exited during the launch\n${pacer.logTail()}`);
    // Past the timeout the figures are still taken, from a system that has not caught up.
    if (now > deadline) return { runningMs: undefined, launchedMs, running: counts.tasksRunning, elapsedMs: now - started };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const profileDir = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'profiles');

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const profiles = profileDir();
  const pacer = await startPacerProcess({
    name: 'bench-launch',
    agents: 0,
    simulatedAgents: args.agents,
    agentResources: AGENT_RESOURCES,
    logLevel: args.logLevel,
    startTimeoutMs: 60_000,
    stopTimeoutMs: 60_000,
    nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [],
  });
  try {
    process.stdout.write(`pacer pid ${pacer.pid}, ${args.agents} simulated agents (${AGENT_RESOURCES}), log ${pacer.logPath}\n`);
    const app = { id: APP_ID, cmd: 'sleep 1000', instances: args.instances, cpus: 0.1, mem: 32 };
    const postedAt = Date.now();
    const started = performance.now();
    await postApp(pacer.url, app);
    const outcome = await waitAllRunning(pacer, args, started);
    const apps = await timedGets(`${pacer.url}/v2/apps`, LATENCY_SAMPLES);
    const tasks = await timedGets(`${pacer.url}/v2/tasks`, LATENCY_SAMPLES);
    // Polling sees the last TASK_RUNNING up to one poll late; each task's startedAt is the
    // moment Pacer recorded it running, on the same clock as postedAt.
    const lastStartedMs = lastStartedAt(tasks.text) - postedAt;
    // VmHWM only grows: read last, it covers the launch and the serving of the big lists.
    const peakRss = await peakRssMiB(pacer.pid);

    const secondsToRunning = outcome.runningMs === undefined ? undefined : outcome.runningMs / 1000;
    const tasksPerSec = (outcome.running * 1000) / outcome.elapsedMs;
    const seconds = (ms: number | undefined): string => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(2)} s after POST`);
    const unfinished =
      secondsToRunning === undefined
        ? ` (timeout: ${outcome.running} of ${args.instances} running after ${(outcome.elapsedMs / 1000).toFixed(0)} s; latencies below are under that load)`
        : '';
    process.stdout.write(
      [
        `instances                 ${args.instances} on ${args.agents} agents${unfinished}`,
        `all staged or running     ${seconds(outcome.launchedMs)}`,
        `all TASK_RUNNING          ${seconds(outcome.runningMs)}, seen by polling every ${POLL_MS} ms`,
        `last task startedAt       ${seconds(outcome.runningMs === undefined ? undefined : lastStartedMs)} (target < 5 s)`,
        `throughput                ${tasksPerSec.toFixed(0)} tasks/s reaching TASK_RUNNING`,
        `peak RSS (VmHWM)          ${peakRss.toFixed(0)} MiB`,
        `GET /v2/apps              median ${apps.medianMs.toFixed(1)} ms of ${LATENCY_SAMPLES}, ${(apps.bytes / 1024).toFixed(1)} KiB`,
        `GET /v2/tasks             median ${tasks.medianMs.toFixed(1)} ms of ${LATENCY_SAMPLES}, ${(tasks.bytes / 1024 / 1024).toFixed(2)} MiB (target < 300 ms)`,
        '',
      ].join('\n'),
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'launch',
        instances: args.instances,
        agents: args.agents,
        secondsToRunning: secondsToRunning === undefined ? null : round(secondsToRunning, 3),
        secondsToLastStartedAt: secondsToRunning === undefined ? null : round(lastStartedMs / 1000, 3),
        tasksPerSec: round(tasksPerSec, 0),
        peakRssMiB: round(peakRss, 1),
        appsLatencyMs: round(apps.medianMs, 1),
        tasksLatencyMs: round(tasks.medianMs, 1),
        ...(secondsToRunning === undefined ? { runningAtTimeout: outcome.running, timeoutSeconds: args.timeoutSeconds } : {}),
      })}\n`,
    );
  } finally {
    await pacer.stop();
    if (args.profile) {
      const written = (await readdir(profiles).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
      process.stdout.write(`cpu profiles in ${profiles}: ${written.join(', ')}\n`);
    }
  }
}

function lastStartedAt(tasksJson: string): number {
  const { tasks } = JSON.parse(tasksJson) as { tasks: Array<{ startedAt?: string }> };
  let last = Number.NEGATIVE_INFINITY;
  for (const task of tasks) if (task.startedAt !== undefined) last = Math.max(last, Date.parse(task.startedAt));
  if (!Number.isFinite(last)) throw new LaunchBenchError('no task in /v2/tasks has a startedAt');
  return last;
}

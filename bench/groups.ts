/**
 * Deploying a large group (`npm run bench -- groups [--runs N] [--instances N] [--agents N]`):
 * the 100-app conformance group 155_100 (read from /work/shared/conformance/marathon/groups/,
 * or the file given with --group) is POSTed to a fresh `pacer --master local` with simulated
 * agents, and two times are taken from the start of the POST:
 * - post: until the 201 answer (validation, normalisation, persistence, plan);
 * - all running: until the deployment is gone from /v2/deployments, i.e. every task runs
 *   (checked once more against the apps' tasksRunning).
 * Every app in 155_100 asks for 0 instances, which would make the second figure meaningless, so
 * each app is given --instances (default 3: 300 tasks). Medians of --runs (default 3) runs, each
 * on a fresh Pacer; a table, then one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DEFAULT_GROUP = '/work/shared/conformance/marathon/groups/155_100.json';
// This file runs compiled, as dist/bench/groups.js.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACER_BIN = path.join(REPO_ROOT, 'bin', 'pacer.js');
const START_TIMEOUT_MS = 30_000;
const DEPLOY_TIMEOUT_MS = 120_000;
const POLL_MS = 25;

class BenchError extends Error {
  readonly code = 'PACER_BENCH_GROUPS';
}

interface Options {
  runs: number;
  instances: number;
  agents: number;
  groupFile: string;
}

interface AppJson {
  id: string;
  instances?: number;
  tasksRunning?: number;
}

interface RunResult {
  postMs: number;
  allRunningMs: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { runs: 3, instances: 3, agents: 200, groupFile: DEFAULT_GROUP };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new BenchError(`${flag} needs a value`);
    if (flag === '--group') {
      options.groupFile = value;
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new BenchError(`${flag} must be a non-negative integer, got '${value}'`);
    if (flag === '--runs' && n > 0) options.runs = n;
    else if (flag === '--instances') options.instances = n;
    else if (flag === '--agents' && n > 0) options.agents = n;
    else throw new BenchError(`unknown or invalid flag ${flag} ${value}`);
  }
  return options;
}

/** A fresh Pacer child in its own process group; resolves with its URL and a stop function. */
async function startPacer(agents: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-groups-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      PACER_BIN,
      '--master',
      'local',
      '--http_port',
      '0',
      '--data_dir',
      path.join(root, 'data'),
      '--work_dir',
      path.join(root, 'work'),
      '--agents',
      '0',
      '--simulated_agents',
      String(agents),
      // 155_100's apps are constrained to CLUSTER platform:foo and rack:bax-bar.
      '--agent_attributes',
      'platform:foo;rack:bax-bar',
      // Info, because the listening line is an info line; the rest is read and dropped.
      '--log_level',
      'info',
    ],
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError('pacer did not start listening in time')), START_TIMEOUT_MS);
      void exited.then(() => reject(new BenchError(`pacer exited before listening (code ${child.exitCode})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        try {
          const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
          if (parsed.msg === 'Pacer API listening' && typeof parsed.url === 'string') {
            clearTimeout(timer);
            resolve(parsed.url.replace(/\/$/, ''));
          }
        } catch {
          // not a log line
        }
      });
    });
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new BenchError(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function runOnce(group: { id: string; apps: AppJson[] }, options: Options): Promise<RunResult> {
  const pacer = await startPacer(options.agents);
  try {
    const body = JSON.stringify({ ...group, apps: group.apps.map((a) => ({ ...a, instances: options.instances })) });
    const started = performance.now();
    const res = await fetch(`${pacer.url}/v2/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = await res.text();
    const postMs = performance.now() - started;
    if (res.status !== 201) throw new BenchError(`POST /v2/groups answered ${res.status}: ${answer}`);
    const { deploymentId } = JSON.parse(answer) as { deploymentId: string };

    for (;;) {
      const deployments = await getJson<Array<{ id: string }>>(`${pacer.url}/v2/deployments`);
      if (!deployments.some((d) => d.id === deploymentId)) break;
      if (performance.now() - started > DEPLOY_TIMEOUT_MS) throw new BenchError(`deployment not done within ${DEPLOY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const allRunningMs = performance.now() - started;

    const { apps } = await getJson<{ apps: AppJson[] }>(`${pacer.url}/v2/apps?id=${encodeURIComponent(group.id)}/`);
    const running = apps.filter((a) => a.id.startsWith(`${group.id}/`)).reduce((sum, a) => sum + (a.tasksRunning ?? 0), 0);
    const expected = group.apps.length * options.instances;
    if (running !== expected) throw new BenchError(`deployment done but ${running} of ${expected} tasks running`);
    return { postMs, allRunningMs };
  } finally {
    await pacer.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

export async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const group = JSON.parse(readFileSync(options.groupFile, 'utf8')) as { id: string; apps: AppJson[] };
  const results: RunResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const result = await runOnce(group, options);
    results.push(result);
    process.stdout.write(`run ${i + 1}/${options.runs}: post ${result.postMs.toFixed(1)} ms, all running ${result.allRunningMs.toFixed(1)} ms\n`);
  }
  const postMedianMs = median(results.map((r) => r.postMs));
  const allRunningMedianMs = median(results.map((r) => r.allRunningMs));
  const tasks = group.apps.length * options.instances;
  process.stdout.write(
    `${path.basename(options.groupFile)}: ${group.apps.length} apps x ${options.instances} = ${tasks} tasks on ${options.agents} simulated agents\n` +
      `  post (median of ${options.runs}):        ${postMedianMs.toFixed(1)} ms\n` +
      `  all running (median of ${options.runs}): ${allRunningMedianMs.toFixed(1)} ms\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'groups',
      group: path.basename(options.groupFile, '.json'),
      apps: group.apps.length,
      instancesPerApp: options.instances,
      tasks,
      simulatedAgents: options.agents,
      runs: options.runs,
      postMedianMs: round(postMedianMs),
      allRunningMedianMs: round(allRunningMedianMs),
      postMs: results.map((r) => round(r.postMs)),
      allRunningMs: results.map((r) => round(r.allRunningMs)),
    })}\n`,
  );
}

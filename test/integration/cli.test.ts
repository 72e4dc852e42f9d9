/**
 * The real `pacer` binary both ways round: `pacer --master local` (scheduler, embedded master
 * with process agents, API on a free port) as the server, and `pacer app|task|queue|events …`
 * run as child processes against it. Needs `npm run build` first (the pretest script does it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/pacer.js');
const START_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 60_000;

let server: ChildProcess | undefined;
let serverLog = '';
let url: string;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pacer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, PACER_URL: url, ...env }, timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `pacer --master local` and resolves with the URL from its "Pacer API listening" log line. */
function startServer(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--master', 'local', '--http_port', '0', '--data_dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    const timer = setTimeout(() => reject(new Error(`pacer did not start:\n${serverLog}`)), START_TIMEOUT_MS);
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      serverLog += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        let entry: { msg?: string; url?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === 'Pacer API listening' && entry.url !== undefined) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      serverLog += chunk;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pacer exited with ${code}:\n${serverLog}`));
    });
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function json<T>(run: Run): T {
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pacer-cli-it-'));
  url = await startServer(path.join(dir, 'data'));
}, START_TIMEOUT_MS + 5_000);

afterAll(async () => {
  await stopServer();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('pacer client commands against pacer --master local', () => {
  it('adds, lists, scales, kills with --scale, streams events, shows the queue and removes an app', async () => {
    const file = path.join(dir, 'sleep.json');
    await writeFile(file, JSON.stringify({ id: '/cli-sleep', cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 1 }));

    const add = await pacer(['app', 'add', file, '--timeout', '45s']);
    // Not a terminal: plain progress lines while it runs (how many depends on the timing), then the outcome.
    const progress = add.stderr.trimEnd().split('\n');
    expect(progress.at(-1)).toMatch(/^deployment [0-9a-f-]{36} finished \(\d+s\)$/);
    for (const line of progress.slice(0, -1))
      expect(line).toMatch(/^deployment [0-9a-f-]{36} step \d\/2( \w+Application \/cli-sleep)?(: \/cli-sleep \d\/1 running)?$/);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^Created app \/cli-sleep \(deployment [0-9a-f-]{36}\)\n$/);

    const list = await pacer(['app', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\/cli-sleep\s+1\/1\s+-\s+-\s+0\.1\s+16$/m);

    const scale = await pacer(['app', 'scale', '/cli-sleep', '3', '--timeout', '45s']);
    expect(scale.code).toBe(0);
    expect(scale.stderr).toMatch(/ScaleApplication \/cli-sleep: \/cli-sleep \d\/3 running/);

    const tasks = json<{ tasks: Array<{ id: string; state: string }> }>(await pacer(['task', 'list', '/cli-sleep', '--json'])).tasks;
    expect(tasks.map((t) => t.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING']);
    const table = await pacer(['task', 'list']);
    expect(table.stdout.split('\n').filter((l) => l.includes('TASK_RUNNING') && l.includes('/cli-sleep'))).toHaveLength(3);

    // The stream's first event is its own attach: from then on it sees the kill. It runs until
    // interrupted, as a user would run it.
    const events = spawn(process.execPath, [BIN, 'events', '--json', '--type', 'event_stream_attached', '--type', 'status_update_event'], {
      env: { ...process.env, PACER_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const eventsExit = new Promise<number | null>((resolve) => events.once('exit', (code) => resolve(code)));
    const guard = setTimeout(() => events.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    const received: Array<{ eventType: string; appId?: string; taskStatus?: string }> = [];
    let partial = '';
    let onLine: () => void = () => {};
    events.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) received.push(JSON.parse(line) as (typeof received)[number]);
      onLine();
    });
    const seen = (test: () => boolean): Promise<void> =>
      Promise.race([
        new Promise<void>((resolve) => {
          onLine = () => test() && resolve();
          onLine();
        }),
        eventsExit.then(() => undefined),
      ]);
    await seen(() => received.length > 0);
    expect(received[0]!.eventType).toBe('event_stream_attached');

    const kill = await pacer(['task', 'kill', tasks[0]!.id, '--scale', '--timeout', '45s']);
    expect(kill.code).toBe(0);
    expect(kill.stdout).toMatch(/^Killing 1 task\(s\) and scaling down \(deployment [0-9a-f-]{36}\)\n$/);
    expect(json<{ app: { instances: number } }>(await pacer(['app', 'show', '/cli-sleep', '--json'])).app.instances).toBe(2);

    const killed = (): boolean => received.some((e) => e.eventType === 'status_update_event' && e.taskStatus === 'TASK_KILLED');
    await seen(killed);
    events.kill('SIGINT');
    expect(await eventsExit).toBe(0);
    clearTimeout(guard);
    expect(received.find((e) => e.eventType === 'status_update_event' && e.taskStatus === 'TASK_KILLED')).toMatchObject({ appId: '/cli-sleep' });

    const queue = await pacer(['queue']);
    expect(queue.code).toBe(0);
    expect(queue.stdout).toBe('The launch queue is empty.\n');

    const remove = await pacer(['app', 'remove', '/cli-sleep', '--timeout', '45s']);
    expect(remove.code).toBe(0);
    expect(remove.stdout).toMatch(/^Removing app \/cli-sleep \(deployment [0-9a-f-]{36}\)\n$/);
    expect((await pacer(['app', 'list'])).stdout).toBe('No apps.\n');
    expect((await pacer(['app', 'show', '/cli-sleep'])).code).toBe(5);
  }, 240_000);

  it("exits 1 with Marathon's details for an invalid app, and 3 when no server listens", async () => {
    const file = path.join(dir, 'invalid.json');
    await writeFile(file, JSON.stringify({ id: '/cli-invalid', instances: 1 }));
    const invalid = await pacer(['app', 'add', file]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^pacer: POST \/v2\/apps: HTTP 422: .+\n {2}\/\S*: .+/);

    const unreachable = await pacer(['app', 'list'], { PACER_URL: 'http://127.0.0.1:1' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^pacer: cannot reach http:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
  }, 60_000);
});

/**
 * A failed task's stderr, end to end over real HTTP: a real `pacer --master local` runs an app
 * whose command writes to stderr and exits 1. Its stderr is readable through Pacer's route
 * (`/pacer/tasks/{id}/files/…`, which finds the agent and sandbox in the master's state) and
 * through `pacer task logs`, and again after Pacer restarts, because sandboxes live in the data
 * directory and outlive tasks and restarts. A restart with a short `--gc_delay` removes them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLine } from '../helpers/log-lines.js';
import { http, killAll, REPO_ROOT, removeDir, spawnPacer, tempDir, waitFor, type ManagedProcess } from '../helpers/processes.js';

const APP = {
  id: '/logs/failing',
  cmd: 'echo "hello from stdout"; echo "OSError: [Errno 98] Address already in use" >&2; exit 1',
  cpus: 0.1,
  mem: 16,
  instances: 1,
  // One failure is enough: the next launch waits an hour.
  backoffSeconds: 3600,
  maxLaunchDelaySeconds: 3600,
};

let dir: string | undefined;
let pacer: ManagedProcess | undefined;
let taskId: string;

function start(name: string, extra: string[] = []): Promise<ManagedProcess> {
  return spawnPacer(['--master', 'local', '--agents', '1', '--data_dir', path.join(dir!, 'data'), ...extra], { name });
}

/** `pacer task logs …` as a user runs it. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'pacer.js'), 'task', 'logs', ...args, '--url', pacer!.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function readThroughPacer(file: string, query = 'offset=0'): Promise<{ status: number; body: unknown }> {
  const answer = await http('GET', `${pacer!.url}/pacer/tasks/${encodeURIComponent(taskId)}/files/read?path=${file}&${query}`);
  return { status: answer.status, body: answer.body };
}

beforeAll(async () => {
  dir = tempDir('pacer-task-logs-');
  pacer = await start('task-logs');
}, 60_000);

afterAll(async () => {
  await killAll([pacer]);
  removeDir(dir);
});

describe('task logs through Pacer', () => {
  it('serves the stderr of a task that failed, through the route and `pacer task logs`', async () => {
    expect((await http('POST', `${pacer!.url}/v2/apps`, APP)).status).toBe(201);
    const failure = await waitFor(
      'the task failed',
      async () => {
        const answer = await http<{ app: { lastTaskFailure?: { taskId: string; state: string; message: string; slaveId: string } } }>(
          'GET',
          `${pacer!.url}/v2/apps/logs/failing?embed=app.lastTaskFailure`,
        );
        return answer.body.app.lastTaskFailure;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(failure.state).toBe('TASK_FAILED');
    taskId = failure.taskId;

    const stderr = await readThroughPacer('stderr');
    expect(stderr.status).toBe(200);
    expect(stderr.body).toMatchObject({ offset: 0, data: expect.stringContaining('OSError: [Errno 98] Address already in use') });
    // Found through the master's state: the agent that ran it is named.
    const located = await fetch(`${pacer!.url}/pacer/tasks/${encodeURIComponent(taskId)}/files/read?path=stderr&offset=0`);
    expect(located.headers.get('x-pacer-agent-id')).toBe(failure.slaveId);
    expect(located.headers.get('x-pacer-sandbox')).toMatch(new RegExp(`^/frameworks/[^/]+/executors/${taskId.replace(/\./g, '\\.')}/runs/latest$`));
    const size = await readThroughPacer('stderr', 'offset=-1');
    expect(size.body).toEqual({ data: '', offset: expect.any(Number) });
    expect((size.body as { offset: number }).offset).toBeGreaterThan(0);

    const download = await fetch(`${pacer!.url}/pacer/tasks/${encodeURIComponent(taskId)}/files/download?path=stdout`);
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('hello from stdout');

    // As upstream's tools find it: the executor's `directory` in the agent's state, read through
    // the files API at the agent's address from /master/state.
    const master = logLine(pacer!.logFile, 'embedded Mesos-compatible master started')!.master as string;
    const masterState = (await (await fetch(`${master}/master/state`)).json()) as { slaves: Array<{ id: string; pid: string }> };
    const agentAddress = masterState.slaves.find((s) => s.id === failure.slaveId)!.pid.split('@')[1]!;
    const [agentPid] = masterState.slaves.find((s) => s.id === failure.slaveId)!.pid.split('@');
    const agentState = (await (await fetch(`http://${agentAddress}/${agentPid}/state`)).json()) as {
      frameworks: Array<{ completed_executors: Array<{ id: string; slave_id: string; directory: string; completed_tasks: Array<{ id: string }> }> }>;
    };
    const executor = agentState.frameworks.flatMap((f) => f.completed_executors).find((e) => e.id === taskId)!;
    expect(executor).toMatchObject({ slave_id: failure.slaveId, completed_tasks: [expect.objectContaining({ id: taskId })] });
    expect(executor.directory.startsWith(path.join(dir!, 'data', 'work', 'slaves', failure.slaveId))).toBe(true);
    const direct = await fetch(`http://${agentAddress}/files/read?path=${encodeURIComponent(`${executor.directory}/stderr`)}&offset=0`);
    expect(((await direct.json()) as { data: string }).data).toContain('OSError: [Errno 98] Address already in use');

    // DC/OS's agent proxy: the agent's files API through Pacer, query unchanged.
    const sandbox = located.headers.get('x-pacer-sandbox')!;
    const proxied = await http('GET', `${pacer!.url}/agent/${failure.slaveId}/files/read?path=${encodeURIComponent(`${sandbox}/stderr`)}&offset=0`);
    expect(proxied.status).toBe(200);
    expect(proxied.body).toMatchObject({ data: expect.stringContaining('Address already in use') });
    expect((await http('GET', `${pacer!.url}/agent/no-such-agent/files/read?path=x`)).status).toBe(404);

    const unknown = await http('GET', `${pacer!.url}/pacer/tasks/no-such-task/files/read?path=stderr&offset=0`);
    expect(unknown.status).toBe(404);

    const logs = await cli([taskId, '--stderr']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('OSError: [Errno 98] Address already in use');
    expect(logs.stdout).not.toContain('hello from stdout');
    const out = await cli([taskId]);
    expect(out.stdout).toContain('hello from stdout');
  }, 120_000);

  it('follows the output of a running task with `pacer task logs --follow`', async () => {
    const ticker = { id: '/logs/ticker', cmd: 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done', cpus: 0.1, mem: 16, instances: 1 };
    expect((await http('POST', `${pacer!.url}/v2/apps`, ticker)).status).toBe(201);
    const tickerTask = await waitFor(
      'the ticker runs',
      async () => {
        const answer = await http<{ tasks: Array<{ id: string; state: string }> }>('GET', `${pacer!.url}/v2/apps/logs/ticker/tasks`);
        return answer.body.tasks.find((t) => t.state === 'TASK_RUNNING')?.id;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'pacer.js'), 'task', 'logs', tickerTask, '--follow', '--url', pacer!.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let first = 0;
    try {
      // The first read sees a few ticks; only following can show ten more than that.
      first = await waitFor('a first tick', async () => (/tick (\d+)/.exec(stdout) ? Number(/tick (\d+)/.exec(stdout)![1]) : undefined), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
      await waitFor('ten more ticks', async () => (stdout.includes(`tick ${first + 10}\n`) ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
      const ticks = stdout.split('\n').filter((l) => l.startsWith('tick '));
      // Every line once, in order: the follow loop neither skips nor repeats.
      expect(ticks).toEqual(ticks.map((_, i) => `tick ${i}`));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);

    // --lines 3: the last three lines first (and whatever the task wrote while they were read).
    const tail = await cli([tickerTask, '--lines', '3']);
    expect(tail.code, tail.stderr).toBe(0);
    const tailTicks = tail.stdout.split('\n').filter((l) => l !== '');
    expect(tailTicks.length).toBeGreaterThanOrEqual(3);
    const start = Number(/^tick (\d+)$/.exec(tailTicks[0]!)![1]);
    expect(start).toBeGreaterThan(first);
    expect(tailTicks).toEqual(tailTicks.map((_, i) => `tick ${start + i}`));
    expect((await http('DELETE', `${pacer!.url}/v2/apps/logs/ticker`)).status).toBe(200);
  }, 90_000);

  it('still serves it after Pacer restarts, from the sandbox kept in the data directory', async () => {
    await pacer!.kill('SIGTERM');
    expect(existsSync(path.join(dir!, 'data', 'work', 'slaves'))).toBe(true);
    pacer = await start('task-logs');
    const stderr = await waitFor(
      'the stderr is readable after the restart',
      async () => {
        const answer = await readThroughPacer('stderr');
        return answer.status === 200 ? answer.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(stderr).toMatchObject({ data: expect.stringContaining('OSError: [Errno 98] Address already in use') });
    const logs = await cli([taskId, '--stderr']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('OSError: [Errno 98] Address already in use');
  }, 90_000);

  it('removes sandboxes older than --gc_delay', async () => {
    await pacer!.kill('SIGTERM');
    pacer = await start('task-logs', ['--gc_delay', '1secs']);
    await waitFor('the old sandbox is gone', async () => ((await readThroughPacer('stderr')).status === 404 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const logs = await cli([taskId, '--stderr']);
    expect(logs.code).not.toBe(0);
  }, 90_000);
});

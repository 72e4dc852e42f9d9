import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ProcessAgent } from '../../../src/local/agents/process-agent.js';
import type { CommandInfo, TaskInfo } from '../../../src/mesos/types.js';
import { CollectingSink, isAlive } from './collecting-sink.js';

const FRAMEWORK = 'fw-1';
const logger = pino({ level: 'silent' });

let workDir: string;
let sink: CollectingSink;
let agent: ProcessAgent;
let killingSupported = false;

function task(id: string, command: CommandInfo, extra: Partial<TaskInfo> = {}): TaskInfo {
  return { name: id, task_id: { value: id }, agent_id: { value: 'master-S0' }, command, ...extra };
}

function graceMs(ms: number): TaskInfo['kill_policy'] {
  return { grace_period: { nanoseconds: ms * 1e6 } };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-agent-'));
  sink = new CollectingSink();
  killingSupported = false;
  agent = new ProcessAgent({
    id: 'master-S0',
    hostname: 'localhost',
    resources: [],
    workDir,
    sink,
    logger,
    defaultKillGracePeriodMs: 300,
    closeGracePeriodMs: 200,
    supportsTaskKillingState: () => killingSupported,
  });
});

afterEach(async () => {
  await agent.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('ProcessAgent command tasks', () => {
  it('runs a shell command to TASK_FINISHED with its output and environment in the sandbox', async () => {
    agent.launchTask(
      FRAMEWORK,
      task('hello', {
        value: 'echo hello; echo "$FOO $MESOS_TASK_ID $MESOS_FRAMEWORK_ID"; echo "$MESOS_SANDBOX" >&2; sleep 0.2',
        environment: { variables: [{ name: 'FOO', value: 'bar' }] },
      }),
    );
    const finished = await sink.waitForState('hello', 'TASK_FINISHED');
    expect(sink.states('hello')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(finished.message).toBe('Command exited with status 0');
    expect(finished.source).toBe('SOURCE_EXECUTOR');
    expect(finished.executor_id).toEqual({ value: 'hello' });
    expect(finished.agent_id).toEqual({ value: 'master-S0' });
    expect(typeof finished.timestamp).toBe('number');

    const running = sink.of('hello')[1]!;
    expect(running.container_status?.executor_pid).toBeGreaterThan(0);
    expect(running.container_status?.network_infos?.[0]?.ip_addresses?.[0]?.ip_address).toBe('127.0.0.1');

    const sandbox = agent.sandboxOf('hello')!;
    expect(sandbox).toMatch(new RegExp(`${workDir}/slaves/master-S0/frameworks/fw-1/executors/hello/runs/[0-9a-f-]{36}$`));
    expect(await readFile(path.join(sandbox, 'stdout'), 'utf8')).toBe('hello\nbar hello fw-1\n');
    expect((await readFile(path.join(sandbox, 'stderr'), 'utf8')).trim()).toBe(sandbox);
  });

  it('runs the argv form with arguments[0] as argv[0]', async () => {
    agent.launchTask(
      FRAMEWORK,
      task('argv', { shell: false, value: '/bin/sh', arguments: ['my-name', '-c', 'echo "$0"; tr "\\0" "\\n" < /proc/$$/cmdline | head -n1', 'zero'] }),
    );
    await sink.waitForState('argv', 'TASK_FINISHED');
    expect(await readFile(path.join(agent.sandboxOf('argv')!, 'stdout'), 'utf8')).toBe('zero\nmy-name\n');
  });

  it('reports a non-zero exit as TASK_FAILED with the exit status', async () => {
    agent.launchTask(FRAMEWORK, task('fails', { value: 'exit 3' }));
    const failed = await sink.waitForState('fails', 'TASK_FAILED');
    expect(failed.message).toBe('Command exited with status 3');
    expect(sink.states('fails')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
  });

  it('fails an argv task whose executable does not exist', async () => {
    agent.launchTask(FRAMEWORK, task('missing', { shell: false, value: '/nonexistent/binary', arguments: ['binary'] }));
    const failed = await sink.waitForState('missing', 'TASK_FAILED');
    expect(failed.message).toMatch(/ENOENT/);
  });

  it('kills with SIGTERM and reports TASK_KILLING then TASK_KILLED when the framework can take KILLING', async () => {
    killingSupported = true;
    agent.launchTask(FRAMEWORK, task('victim', { value: 'sleep 30' }));
    await sink.waitForState('victim', 'TASK_RUNNING');
    agent.killTask(FRAMEWORK, 'victim');
    const killed = await sink.waitForState('victim', 'TASK_KILLED');
    expect(sink.states('victim')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(killed.message).toBe('Command terminated with signal Terminated');
  });

  it('SIGKILLs a task that ignores SIGTERM after the grace period, children included', async () => {
    agent.launchTask(FRAMEWORK, task('stubborn', { value: 'trap "" TERM; sleep 30 & echo $! > child.pid; wait; wait' }, { kill_policy: graceMs(300) }));
    await sink.waitForState('stubborn', 'TASK_RUNNING');
    const pidFile = path.join(agent.sandboxOf('stubborn')!, 'child.pid');
    await sink.waitFor(
      () => {
        try {
          return readFileSync(pidFile, 'utf8').trim().length > 0;
        } catch {
          return false;
        }
      },
      5000,
      'child pid file',
    );
    const childPid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(isAlive(childPid)).toBe(true);

    agent.killTask(FRAMEWORK, 'stubborn');
    const killed = await sink.waitForState('stubborn', 'TASK_KILLED');
    expect(killed.message).toBe('Command terminated with signal Killed');
    expect(sink.states('stubborn')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    await sink.waitFor(() => !isAlive(childPid), 2000, 'child process to die');
  });

  it('kills the children a finished shell left behind', async () => {
    agent.launchTask(FRAMEWORK, task('orphans', { value: 'sleep 30 & echo $! > child.pid' }));
    await sink.waitForState('orphans', 'TASK_FINISHED');
    const childPid = Number((await readFile(path.join(agent.sandboxOf('orphans')!, 'child.pid'), 'utf8')).trim());
    await sink.waitFor(() => !isAlive(childPid), 2000, 'orphaned child to die');
  });

  it('reports a kill that arrives during the launch as killed during launch', async () => {
    agent.launchTask(FRAMEWORK, task('early', { value: 'sleep 30' }));
    agent.killTask(FRAMEWORK, 'early');
    const killed = await sink.waitForState('early', 'TASK_KILLED');
    expect(sink.states('early')).toEqual(['TASK_KILLED']);
    expect(killed.reason).toBe('REASON_TASK_KILLED_DURING_LAUNCH');
  });

  it('fails a task that outlives max_completion_time', async () => {
    agent.launchTask(FRAMEWORK, task('deadline', { value: 'sleep 30' }, { max_completion_time: { nanoseconds: 200e6 } }));
    const failed = await sink.waitForState('deadline', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_MAX_COMPLETION_TIME_REACHED');
    expect(failed.message).toMatch(/^Command terminated with signal (Terminated|Killed)$/);
  });

  it('refuses DOCKER containers with TASK_FAILED and a clear message', async () => {
    agent.launchTask(FRAMEWORK, task('docker', { value: 'true' }, { container: { type: 'DOCKER', docker: { image: 'nginx:1.25' } } }));
    const failed = await sink.waitForState('docker', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(failed.source).toBe('SOURCE_AGENT');
    expect(failed.message).toMatch(/DOCKER containers \(image 'nginx:1\.25'\) are not supported/);
    expect(sink.states('docker')).toEqual(['TASK_FAILED']);
  });

  it('reports TASK_LOST for a kill of a task it does not run', async () => {
    agent.killTask(FRAMEWORK, 'ghost');
    const lost = await sink.waitForState('ghost', 'TASK_LOST');
    expect(lost.message).toBe('Cannot find executor');
  });

  it('close() kills running tasks and waits for them', async () => {
    agent.launchTask(FRAMEWORK, task('long', { value: 'trap "" TERM; sleep 30' }));
    await sink.waitForState('long', 'TASK_RUNNING');
    const pid = sink.of('long')[1]!.container_status!.executor_pid!;
    await agent.close();
    expect(sink.states('long').at(-1)).toBe('TASK_KILLED');
    expect(isAlive(pid)).toBe(false);
  });
});

describe('ProcessAgent health checks', () => {
  const fast = { delay_seconds: 0, interval_seconds: 0.1, timeout_seconds: 2, grace_period_seconds: 0 };

  it('reports healthy once for a passing COMMAND check', async () => {
    agent.launchTask(
      FRAMEWORK,
      task('cmd-ok', { value: 'sleep 30' }, { health_check: { ...fast, type: 'COMMAND', command: { value: 'test -n "$MESOS_TASK_ID"' } } }),
    );
    await sink.waitFor(() => sink.of('cmd-ok').some((s) => s.healthy === true), 5000, 'healthy');
    const healthy = sink.of('cmd-ok').find((s) => s.healthy === true)!;
    expect(healthy.state).toBe('TASK_RUNNING');
    expect(healthy.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    // Later passing probes are not reported again.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(sink.of('cmd-ok').filter((s) => s.healthy !== undefined)).toHaveLength(1);
  });

  it('kills the task after consecutive COMMAND failures, reporting each failure', async () => {
    agent.launchTask(
      FRAMEWORK,
      task(
        'cmd-bad',
        { value: 'sleep 30' },
        {
          kill_policy: graceMs(200),
          health_check: { ...fast, consecutive_failures: 2, type: 'COMMAND', command: { value: 'exit 1' } },
        },
      ),
    );
    const killed = await sink.waitForState('cmd-bad', 'TASK_KILLED');
    expect(killed.healthy).toBe(false);
    const unhealthy = sink.of('cmd-bad').filter((s) => s.state === 'TASK_RUNNING' && s.healthy === false);
    expect(unhealthy).toHaveLength(2);
    expect(sink.states('cmd-bad')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLED']);
  });

  it('ignores failures during the grace period until the first success', async () => {
    agent.launchTask(
      FRAMEWORK,
      task(
        'slow-start',
        { value: 'sleep 0.4; touch ready; sleep 30' },
        {
          health_check: { ...fast, grace_period_seconds: 5, consecutive_failures: 1, type: 'COMMAND', command: { value: 'test -f ready' } },
        },
      ),
    );
    await sink.waitFor(() => sink.of('slow-start').some((s) => s.healthy === true), 5000, 'healthy');
    expect(sink.of('slow-start').some((s) => s.healthy === false)).toBe(false);
    expect(sink.states('slow-start')).not.toContain('TASK_KILLED');
  });

  it('becomes healthy via HTTP against a server the task runs', async () => {
    const port = await freePort();
    agent.launchTask(
      FRAMEWORK,
      task(
        'web',
        {
          value: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1',
          environment: { variables: [{ name: 'PORT0', value: String(port) }] },
        },
        {
          kill_policy: graceMs(300),
          health_check: { ...fast, grace_period_seconds: 10, type: 'HTTP', http: { port, path: '/' } },
        },
      ),
    );
    await sink.waitFor(() => sink.of('web').some((s) => s.healthy === true), 10_000, 'HTTP healthy');
    agent.killTask(FRAMEWORK, 'web');
    await sink.waitForState('web', 'TASK_KILLED');
  });

  it('checks TCP: healthy while the port listens, unhealthy when nothing does', async () => {
    const port = await freePort();
    const closedPort = await freePort();
    const serve = { value: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1', environment: { variables: [{ name: 'PORT0', value: String(port) }] } };
    agent.launchTask(
      FRAMEWORK,
      task('tcp-ok', serve, { kill_policy: graceMs(300), health_check: { ...fast, grace_period_seconds: 10, type: 'TCP', tcp: { port } } }),
    );
    agent.launchTask(
      FRAMEWORK,
      task(
        'tcp-bad',
        { value: 'sleep 30' },
        { kill_policy: graceMs(200), health_check: { ...fast, consecutive_failures: 1, type: 'TCP', tcp: { port: closedPort } } },
      ),
    );
    await sink.waitFor(() => sink.of('tcp-ok').some((s) => s.healthy === true), 10_000, 'TCP healthy');
    const killed = await sink.waitForState('tcp-bad', 'TASK_KILLED');
    expect(killed.healthy).toBe(false);
  });
});

describe('ProcessAgent task groups', () => {
  it('runs each task in its own sandbox and kills the group when one task fails', async () => {
    agent.launchGroup(
      FRAMEWORK,
      { executor_id: { value: 'group-exec' }, type: 'DEFAULT' },
      { tasks: [task('g-fail', { value: 'sleep 0.3; exit 2' }), task('g-long', { value: 'echo "$MESOS_SANDBOX"; sleep 30' })] },
    );
    await sink.waitForState('g-fail', 'TASK_FAILED');
    const killed = await sink.waitForState('g-long', 'TASK_KILLED');
    expect(killed.executor_id).toEqual({ value: 'group-exec' });
    const sandbox = agent.sandboxOf('g-long')!;
    expect(sandbox).toMatch(/\/executors\/group-exec\/runs\/[0-9a-f-]{36}\/containers\/[0-9a-f-]{36}$/);
    expect((await readFile(path.join(sandbox, 'stdout'), 'utf8')).trim()).toBe(sandbox);
  });
});

describe('ProcessAgent URIs', () => {
  it('copies local files, sets the executable bit and extracts archives before the command runs', async () => {
    const source = await mkdtemp(path.join(os.tmpdir(), 'pacer-uris-'));
    try {
      await writeFile(path.join(source, 'run.sh'), '#!/bin/sh\necho "script ran"\n');
      await mkdir(path.join(source, 'bundle'));
      await writeFile(path.join(source, 'bundle', 'data.txt'), 'from the archive\n');
      execFileSync('tar', ['-C', source, '-czf', path.join(source, 'bundle.tar.gz'), 'bundle']);
      agent.launchTask(
        FRAMEWORK,
        task('fetch', {
          value: './run.sh && cat bundle/data.txt && test -f bundle.tar.gz && cat plain.txt',
          uris: [
            { value: pathToFileURL(path.join(source, 'run.sh')).href, executable: true },
            { value: path.join(source, 'bundle.tar.gz') },
            { value: path.join(source, 'bundle', 'data.txt'), output_file: 'plain.txt' },
          ],
        }),
      );
      await sink.waitForState('fetch', 'TASK_FINISHED');
      expect(await readFile(path.join(agent.sandboxOf('fetch')!, 'stdout'), 'utf8')).toBe('script ran\nfrom the archive\nfrom the archive\n');
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('fails tasks whose URIs need the network, before TASK_STARTING', async () => {
    agent.launchTask(FRAMEWORK, task('remote', { value: 'true', uris: [{ value: 'https://example.com/app.tgz' }] }));
    const failed = await sink.waitForState('remote', 'TASK_FAILED');
    expect(sink.states('remote')).toEqual(['TASK_FAILED']);
    expect(failed.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(failed.message).toMatch(/^Failed to launch container: Failed to fetch 'https:\/\/example.com\/app.tgz': https:\/\/ URIs need the network/);
  });

  it('fails tasks whose local URI does not exist', async () => {
    agent.launchTask(FRAMEWORK, task('nofile', { value: 'true', uris: [{ value: '/nonexistent/file.txt' }] }));
    const failed = await sink.waitForState('nofile', 'TASK_FAILED');
    expect(failed.message).toMatch(/Failed to fetch '\/nonexistent\/file.txt'/);
  });
});

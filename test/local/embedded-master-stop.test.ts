// The stop of the embedded master's thread, seen from outside as `npm start` sees it: a real
// process runs the master from dist/ on its worker thread, a framework has a task running that
// ignores SIGTERM, and the process is told to stop. The master's log lines are read from the
// process's stdout, where the thread writes them.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, removeDir, REPO_ROOT, requireBuild, tempDir, waitFor } from '../helpers/processes.js';
import { commandTask, launchCall, RawFramework, scalarResources } from '../mesos-real/framework-view.js';

// Starts the embedded master, prints its URL on stderr, stops it at the first line on stdin.
const HOST_SCRIPT = `
import { pathToFileURL } from 'node:url';
const [dist, workDir] = process.argv.slice(2);
const { startEmbeddedMaster } = await import(pathToFileURL(dist + '/src/local/embedded-master.js').href);
const { createLogger } = await import(pathToFileURL(dist + '/src/log.js').href);
const master = await startEmbeddedMaster({ ip: '127.0.0.1', port: 0, agents: 1, simulatedAgents: 0, workDir }, createLogger('debug', 'pacer', 'json'));
process.stderr.write('READY ' + master.url + '\\n');
process.stdin.once('data', async () => {
  await master.close();
  process.stderr.write('CLOSED\\n');
  process.stdin.destroy();
});
`;

let host: ChildProcess | undefined;
let framework: RawFramework | undefined;
let dir: string | undefined;
let taskPid: number | undefined;

afterEach(() => {
  framework?.close();
  framework = undefined;
  host?.kill('SIGKILL');
  host = undefined;
  if (taskPid !== undefined && isAlive(taskPid)) process.kill(-taskPid, 'SIGKILL');
  taskPid = undefined;
  removeDir(dir);
  dir = undefined;
});

interface LogLine {
  msg?: string;
  step?: string;
}

function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('stopping the embedded master thread', () => {
  it('kills a task that ignores SIGTERM, names every step in its log and writes "mesos-local master stopped" before the thread ends', async () => {
    requireBuild();
    dir = tempDir('pacer-master-stop');
    let stdout = '';
    let stderr = '';
    const script = path.join(dir, 'host.mjs');
    writeFileSync(script, HOST_SCRIPT);
    const workDir = path.join(dir, 'work');
    host = spawn(process.execPath, [script, path.join(REPO_ROOT, 'dist'), workDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    host.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    host.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => host!.once('exit', (code) => resolve(code)));
    const url = await waitFor('the embedded master to start', () => Promise.resolve(/READY (\S+)/.exec(stderr)?.[1]), {
      timeoutMs: 30_000,
      describe: () => stderr,
    });

    framework = await RawFramework.subscribe(url, 'stop-test');
    const [offer] = await framework.takeOffers(1);
    // The shell ignores SIGTERM and so does what it execs: only SIGKILL ends this task.
    const task = commandTask('stubborn', offer!, `trap '' TERM; echo $$ > "$MESOS_SANDBOX/pid"; exec sleep 600`, scalarResources(0.1, 32));
    expect((await framework.call(launchCall([offer!], [task]))).status).toBe(202);
    await framework.until('TASK_RUNNING', () => framework!.updatesOf('stubborn').find((u) => u.state === 'TASK_RUNNING'), 30_000);
    taskPid = await waitFor(
      'the task to write its pid',
      () => {
        const pidFile = readdirSync(workDir, { recursive: true, encoding: 'utf8' }).find(
          (entry) => entry.endsWith(`${path.sep}pid`) && !entry.includes('latest'),
        );
        const text = pidFile === undefined ? '' : readFileSync(path.join(workDir, pidFile), 'utf8').trim();
        return Promise.resolve(text === '' ? undefined : Number(text));
      },
      { timeoutMs: 30_000 },
    );
    expect(isAlive(taskPid)).toBe(true);

    // The framework stays subscribed and reading: its stream is in flight when the stop begins.
    host.stdin!.write('close\n');
    expect(await exited, `the host did not exit cleanly; stderr:\n${stderr}`).toBe(0);
    expect(stderr).toContain('CLOSED');
    expect(isAlive(taskPid), 'the task outlived the master').toBe(false);

    const lines = logLines(stdout);
    // The agents' step outlasts the 1 s grace of the task that ignores SIGTERM: its line is a warning.
    const steps = lines
      .filter((line) => line.msg === 'mesos-local shutdown step done' || line.msg === 'mesos-local shutdown step took long')
      .map((line) => line.step);
    expect(lines.filter((line) => line.msg === 'mesos-local shutdown step is slow').map((line) => line.step)).toEqual(['close agents']);
    expect(steps).toEqual(['stop master', 'stop sandbox gc', 'close agents', 'close http server']);
    expect(lines.at(-1)?.msg).toBe('mesos-local master stopped');
  }, 60_000);
});

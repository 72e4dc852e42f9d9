// SIGTERM to `pacer serve` at the moment it subscribes to the embedded master, in a real process:
// the SUBSCRIBED event is then still queued when the orchestrator stops. The process must still end
// (it once stayed up for the 10 minutes of a reconciliation timer armed after the stop: the npm start
// test failed that way in CI), with the embedded master's stop in its log.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { within } from '../helpers/pacer-process.js';
import { freePort, removeDir, REPO_ROOT, requireBuild, tempDir } from '../helpers/processes.js';

// Runs the CLI as bin/pacer.js does, and signals itself as soon as the driver's "subscribed to
// Mesos" line is written (pino writes with fs.write; the signal is handled on the next turn of the loop).
const SCRIPT = `
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
const [dist, ...args] = process.argv.slice(2);
const write = fs.write;
let signalled = false;
fs.write = function (fd, data, ...rest) {
  if (!signalled && fd === 1 && String(data).includes('"subscribed to Mesos"')) {
    signalled = true;
    process.kill(process.pid, 'SIGTERM');
  }
  return write.call(this, fd, data, ...rest);
};
const { main } = await import(pathToFileURL(dist + '/src/main.js').href);
process.exitCode = (await main(args)) ?? 0;
`;

let dir: string | undefined;
let pid: number | undefined;
afterEach(() => {
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  pid = undefined;
  removeDir(dir);
  dir = undefined;
});

describe('SIGTERM as Pacer subscribes to its embedded master', () => {
  it('ends the process, after the embedded master has stopped', async () => {
    requireBuild();
    dir = tempDir('pacer-sigterm-subscribe');
    const script = path.join(dir, 'serve.mjs');
    writeFileSync(script, SCRIPT);
    const port = await freePort();
    const args = ['serve', '--http_port', String(port), '--data_dir', path.join(dir, 'data'), '--work_dir', path.join(dir, 'work'), '--agents', '1'];
    const child = spawn(process.execPath, [script, path.join(REPO_ROOT, 'dist'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    pid = child.pid;
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

    expect(
      await within(
        exited.then(() => undefined),
        40_000,
      ),
      `Pacer did not end within 40 s of its SIGTERM; its output:\n${log.slice(-6_000)}`,
    ).toBe(true);
    expect(await exited).toBe(0);
    const messages = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('subscribed to Mesos');
    expect(messages).toContain('shutting down');
    expect(messages).toContain('mesos-local master stopped');
  }, 60_000);
});

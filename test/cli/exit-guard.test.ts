// `pacer serve` after its orderly stop, in a real process: a handle left open (here a timer, as the
// reconciler's 10-minute one was) must not keep the process alive, and the process says what it was.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, REPO_ROOT, requireBuild, tempDir } from '../helpers/processes.js';

const SCRIPT = `
import { pathToFileURL } from 'node:url';
const [dist, leak] = process.argv.slice(2);
const { exitIfStillRunning } = await import(pathToFileURL(dist + '/src/cli/exit-guard.js').href);
const { createLogger } = await import(pathToFileURL(dist + '/src/log.js').href);
if (leak === 'leak') setInterval(() => undefined, 600_000);
exitIfStillRunning(createLogger('info', 'pacer', 'json'), 3, 300);
`;

let dir: string | undefined;
afterEach(() => {
  removeDir(dir);
  dir = undefined;
});

function run(leak: 'leak' | 'clean'): Promise<{ code: number | null; stdout: string }> {
  requireBuild();
  dir ??= tempDir('pacer-exit-guard');
  const script = path.join(dir, 'stopped.mjs');
  writeFileSync(script, SCRIPT);
  const child = spawn(process.execPath, [script, path.join(REPO_ROOT, 'dist'), leak], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })));
}

describe('exitIfStillRunning', () => {
  it('ends a stopped process that something still holds, with its exit code, naming what held it', async () => {
    const { code, stdout } = await run('leak');
    expect(code).toBe(3);
    const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as { level: number; msg: string; resources: string[] };
    expect(line).toMatchObject({ level: 40, msg: 'still running after shutdown; exiting: something started was not stopped' });
    expect(line.resources).toContain('Timeout');
  }, 30_000);

  it('lets a process that holds nothing end by itself, with its own code and no warning', async () => {
    const { code, stdout } = await run('clean');
    expect(code).toBe(0);
    expect(stdout).toBe('');
  }, 30_000);
});

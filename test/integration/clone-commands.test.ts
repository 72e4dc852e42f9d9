/**
 * The README's commands for a clone, run as real processes. `npm start` must stop when its pid is
 * signalled: npm forwards SIGTERM to the script's process, so that process must be Pacer and not a
 * shell that dies and leaves Pacer running. The CLI runs straight from `bin/` with nothing for npm
 * to build or fetch (`npx pacer` inside the clone installs the clone into npm's cache, rebuilding
 * it, and breaks for good when interrupted), so an interrupted first call changes nothing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signalGroup, within } from '../helpers/pacer-process.js';
import { isAlive, freePort, removeDir, REPO_ROOT, requireBuild, tempDir, waitFor } from '../helpers/processes.js';

const BIN = path.join(REPO_ROOT, 'bin', 'pacer.js');

let npm: ChildProcess | undefined;
let started: number[] = [];
let dir: string | undefined;

afterEach(() => {
  if (npm?.pid !== undefined) signalGroup(npm.pid, 'SIGKILL');
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  npm = undefined;
  started = [];
  removeDir(dir);
  dir = undefined;
});

/** Every live process below `root` (Linux /proc), with its command line. */
function descendants(root: number): Array<{ pid: number; cmdline: string }> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may contain spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // Exited while we read.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  return [...parentOf.keys()].filter(below).map((pid) => {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      // Exited while we read.
    }
    return { pid, cmdline };
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  it('stops Pacer when the npm process is sent SIGTERM', async () => {
    requireBuild();
    dir = tempDir('pacer-npm-start');
    const port = await freePort();
    const args = ['start', '--', '--http_port', String(port), '--data_dir', path.join(dir, 'data'), '--work_dir', path.join(dir, 'work'), '--agents', '1'];
    let log = '';
    npm = spawn('npm', args, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = new Promise<void>((resolve) => npm!.once('exit', () => resolve()));
    await waitFor('Pacer answering /ping', async () => ((await fetch(`http://127.0.0.1:${port}/ping`)).ok ? true : undefined), {
      timeoutMs: 60_000,
      describe: () => log,
    });
    const below = descendants(npm.pid!);
    started = below.map((p) => p.pid);
    expect(below.some((p) => p.cmdline.includes(BIN) || p.cmdline.includes('bin/pacer.js'))).toBe(true);

    process.kill(npm.pid!, 'SIGTERM');
    expect(await within(exited, 30_000), `npm start did not stop within 30 s; its output:\n${log.slice(-6_000)}`).toBe(true);
    // npm exits after its child; that child must have been Pacer, so nothing of it is left.
    expect(below.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(await accepts(port)).toBe(false);
    // Its own deadlines (60 s to answer, 30 s to stop) govern, not the suite's default: a loaded CI machine starts slowly.
  }, 120_000);
});

describe('the CLI in a clone', () => {
  it('the README runs it from bin/, never through npx or npm exec', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const lines = blocks.flatMap((b) => b.split('\n')).map((l) => l.trim());
    expect(lines.filter((l) => /^(?:npx|npm exec)\s+(?:--\S+\s+)*pacer\b/.test(l))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('bin/pacer.js ')).length).toBeGreaterThan(5);
    expect(readme.match(/`npx pacer[^`]*`/g) ?? []).toEqual(['`npx pacer`']);
  });

  it('runs at once from bin/ without npm, and an interrupted first call changes nothing', async () => {
    requireBuild();
    dir = tempDir('pacer-clone-cli');
    const npmCache = path.join(dir, 'npm-cache');
    mkdirSync(npmCache);
    const env = { ...process.env, npm_config_cache: npmCache };
    const run = (): Promise<{ code: number; stdout: string }> =>
      new Promise((resolve) => {
        // The script itself, by its shebang, as the README has it.
        execFile(BIN, ['--help'], { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout) => {
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout });
        });
      });

    const interrupted = spawn(BIN, ['--help'], { cwd: REPO_ROOT, env, stdio: 'ignore' });
    started.push(interrupted.pid!);
    interrupted.kill('SIGKILL');
    await new Promise((resolve) => interrupted.once('exit', resolve));

    const first = await run();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('pacer mesos-local');
    expect(readdirSync(npmCache)).toEqual([]);
  });
});

/**
 * A real `node bin/pacer.js` as a child process, for black-box tests and benches: a free API port,
 * a temporary data and work directory, the full log kept under test-artifacts/ for debugging, and
 * a stop that always ends the process group and any task processes it left behind. Every wait is
 * bounded. Needs a compiled tree (`npm run build`), because bin/pacer.js runs dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './processes.js';

const PACER_BIN = path.join(REPO_ROOT, 'bin', 'pacer.js');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'pacer');
const LISTENING_MSG = 'Pacer API listening';
const TAIL_LINES = 40;

export interface PacerProcessOptions {
  /** Names the log file under test-artifacts/pacer/. */
  name: string;
  /** Process agents (tasks are real child processes). Default 3. */
  agents?: number;
  simulatedAgents?: number;
  agentResources?: string;
  logLevel?: string;
  /** Further command-line flags, e.g. ['--reconciliation_interval', '5000']. */
  extraArgs?: readonly string[];
  /** Extra environment for the child. */
  env?: Readonly<Record<string, string>>;
  /** Flags for node itself, before the script, e.g. ['--cpu-prof', '--cpu-prof-dir=…'] (not allowed in NODE_OPTIONS). */
  nodeArgs?: readonly string[];
  /** How long to wait for the "Pacer API listening" line. Default 20 s. */
  startTimeoutMs?: number;
  /** How long SIGTERM may take before the group is SIGKILLed. Default 10 s. */
  stopTimeoutMs?: number;
  /** An existing --data_dir to run on (a restart on the state of an earlier run); kept on stop(). */
  dataDir?: string;
}

export interface PacerProcess {
  /** API base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  /** The embedded master's URL, as logged on start. */
  readonly masterUrl: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly workDir: string;
  readonly logPath: string;
  /** The last log lines, for failure messages. */
  logTail(): string;
  /** Whether the process has exited (on its own or by stop()). */
  exited(): boolean;
  /** SIGTERM to the process group, SIGKILL after the stop timeout, then reap stray task processes. */
  stop(): Promise<void>;
}

export class PacerStartError extends Error {
  readonly code = 'PACER_TEST_START';
}

interface ListeningLine {
  msg?: unknown;
  url?: unknown;
  master?: unknown;
}

export async function startPacerProcess(options: PacerProcessOptions): Promise<PacerProcess> {
  const root = await mkdtemp(path.join(os.tmpdir(), `pacer-${options.name}-`));
  const dataDir = options.dataDir ?? path.join(root, 'data');
  const workDir = path.join(root, 'work');
  if (options.dataDir === undefined) await mkdir(dataDir);
  await mkdir(workDir);
  await mkdir(ARTIFACTS, { recursive: true });
  const logPath = path.join(ARTIFACTS, `${options.name}-${Date.now()}.log`);
  const log = createWriteStream(logPath);

  const args = [
    ...(options.nodeArgs ?? []),
    PACER_BIN,
    '--master',
    'local',
    '--http_port',
    '0',
    '--data_dir',
    dataDir,
    '--work_dir',
    workDir,
    '--agents',
    String(options.agents ?? 3),
    '--simulated_agents',
    String(options.simulatedAgents ?? 0),
    '--log_level',
    options.logLevel ?? 'info',
    ...(options.agentResources === undefined ? [] : ['--agent_resources', options.agentResources]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    // Its own process group, so stop() reaches everything it started that shares the group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const tail: string[] = [];
  const remember = (line: string): void => {
    log.write(`${line}\n`);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  let exitedFlag = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    });
  });
  createInterface({ input: child.stderr }).on('line', remember);
  const stdoutLines = createInterface({ input: child.stdout });

  const listening = new Promise<{ url: string; master: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new PacerStartError(`pacer did not log "${LISTENING_MSG}" within ${options.startTimeoutMs ?? 20_000} ms\n${tail.join('\n')}`)),
      options.startTimeoutMs ?? 20_000,
    );
    void exitedPromise.then(() => {
      clearTimeout(timer);
      reject(new PacerStartError(`pacer exited before listening (code ${child.exitCode}, signal ${child.signalCode})\n${tail.join('\n')}`));
    });
    stdoutLines.on('line', (line) => {
      remember(line);
      const parsed = parseLogLine(line);
      if (parsed?.msg === LISTENING_MSG && typeof parsed.url === 'string') {
        clearTimeout(timer);
        resolve({ url: parsed.url.replace(/\/$/, ''), master: typeof parsed.master === 'string' ? parsed.master : '' });
      }
    });
  });

  const handle = new ChildHandle(child, exitedPromise, () => exitedFlag, log, root, workDir, options.stopTimeoutMs ?? 10_000);
  let started: { url: string; master: string };
  try {
    started = await listening;
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return {
    url: started.url,
    masterUrl: started.master,
    pid: child.pid!,
    dataDir,
    workDir,
    logPath,
    logTail: () => tail.join('\n'),
    exited: () => exitedFlag,
    stop: () => handle.stop(),
  };
}

class ChildHandle {
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly exitedPromise: Promise<void>,
    private readonly hasExited: () => boolean,
    private readonly log: WriteStream,
    private readonly root: string,
    private readonly workDir: string,
    private readonly stopTimeoutMs: number,
  ) {}

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && !this.hasExited()) {
      signalGroup(pid, 'SIGTERM');
      if (!(await within(this.exitedPromise, this.stopTimeoutMs))) {
        signalGroup(pid, 'SIGKILL');
        await within(this.exitedPromise, 5_000);
      }
    }
    // Task processes lead their own process groups (the agents spawn them detached), so a
    // Pacer that died hard can leave them behind; they are found by their sandbox directory.
    await killProcessesUnder(this.workDir);
    await new Promise<void>((resolve) => this.log.end(resolve));
    await rm(this.root, { recursive: true, force: true });
  }
}

function parseLogLine(line: string): ListeningLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as ListeningLine;
  } catch {
    return undefined;
  }
}

/** Signals a detached child's whole process group; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Whether `promise` settles within `ms`. */
export async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every process whose working directory lies under `dir` (Linux /proc). */
async function killProcessesUnder(dir: string): Promise<void> {
  if (!existsSync('/proc')) return;
  const prefix = `${path.resolve(dir)}${path.sep}`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cwd: string;
    try {
      cwd = await readlink(`/proc/${entry}/cwd`);
    } catch {
      continue;
    }
    if (`${cwd}${path.sep}`.startsWith(prefix)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // Raced with its exit.
      }
    }
  }
}

/**
 * Real `pacer` and `pacer mesos-local` child processes for black-box system tests (crash, HA,
 * master failover). Each process runs the compiled binary (bin/pacer.js -> dist/, so run
 * `npm run build` first) in its own process group, with stdout and stderr appended to a log file
 * under test-artifacts/system/ that survives the test for debugging. A process is "up" once its
 * pino listening line appears in that log. kill() sends the signal to the whole group; every
 * process started here is also SIGKILLed when the test process exits, so nothing outlives a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout, from test/helpers/ or from its compiled copy under dist/ (benches import this). */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
const PACER_BIN = path.join(REPO_ROOT, 'bin', 'pacer.js');
const COMPILED_MAIN = path.join(REPO_ROOT, 'dist', 'src', 'main.js');
export const SYSTEM_ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'system');

const DEFAULT_START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

const live = new Set<ChildProcess>();
/** Log names used by this test process: the first start truncates what an earlier run left, restarts append. */
const logsInUse = new Set<string>();
process.once('exit', () => {
  for (const child of live) signalGroup(child, 'SIGKILL');
});

export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
  readonly code = 'PROCESS_START';
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'WAIT_TIMEOUT';
}

export interface ManagedProcess {
  /** Label used in the log file name and in messages. */
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Base URL parsed from the listening line. */
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Signals the whole process group and waits (bounded) for the exit. Idempotent. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The log so far, for failure messages. */
  logTail(chars?: number): string;
}

export interface SpawnOptions {
  /** Label for the log file (test-artifacts/system/<name>.log; appended to across restarts). */
  name: string;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: readonly string[];
}

/** Fails with a clear message when the compiled binary is missing (tests run against dist/). */
export function requireBuild(): void {
  if (!existsSync(COMPILED_MAIN)) {
    throw new ProcessStartError(`${COMPILED_MAIN} is missing: run \`npm run build\` before the system tests`);
  }
}

/** `pacer [serve] <args>`; up when the "Pacer API listening" line names its URL. */
export function spawnPacer(args: readonly string[], opts: SpawnOptions): Promise<ManagedProcess> {
  return spawnListening(['serve', '--http_port', '0', ...args], opts, (line) =>
    line.msg === 'Pacer API listening' && typeof line.url === 'string' ? line.url : undefined,
  );
}

/** `pacer mesos-local <args>` on a free port; up when "mesos-local master listening on <url>" appears. */
export function spawnMesosLocal(args: readonly string[], opts: SpawnOptions): Promise<ManagedProcess> {
  return spawnListening(['mesos-local', '--port', '0', ...args], opts, (line) =>
    typeof line.msg === 'string' && line.msg.startsWith('mesos-local master listening on ') && typeof line.url === 'string' ? line.url : undefined,
  );
}

/**
 * test/helpers/pod-deployer.ts: `pacer serve <args>` that creates the pod `podJson` through its
 * service once it leads (logs `pod deployment started`); up when its API listens.
 */
export function spawnPodDeployer(podJson: string, args: readonly string[], opts: SpawnOptions): Promise<ManagedProcess> {
  return spawnListening(
    [podJson, '--http_port', '0', ...args],
    opts,
    (line) => (line.msg === 'Pacer API listening' && typeof line.url === 'string' ? line.url : undefined),
    path.join(REPO_ROOT, 'dist', 'test', 'helpers', 'pod-deployer.js'),
  );
}

async function spawnListening(
  args: readonly string[],
  opts: SpawnOptions,
  listeningUrl: (line: Record<string, unknown>) => string | undefined,
  entry: string = PACER_BIN,
): Promise<ManagedProcess> {
  requireBuild();
  mkdirSync(SYSTEM_ARTIFACTS, { recursive: true });
  // The runner's pid keeps two test runs on one checkout from reading each other's logs.
  const logFile = path.join(SYSTEM_ARTIFACTS, `${opts.name}-${process.pid}.log`);
  const fd = openSync(logFile, logsInUse.has(logFile) ? 'a' : 'w');
  logsInUse.add(logFile);
  const startOffset = fileSize(logFile);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), entry, ...args], {
    cwd: REPO_ROOT,
    detached: true, // its own process group, so kill() reaches anything it spawned
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...opts.env },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new ProcessStartError(`${opts.name}: spawn failed`);
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const logTail = (chars = 4000): string => {
    const text = readFrom(logFile, startOffset);
    return text.slice(Math.max(0, text.length - chars));
  };

  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (url === undefined) {
    url = findListeningUrl(logFile, startOffset, listeningUrl);
    if (url !== undefined) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ProcessStartError(`${opts.name} exited (${child.exitCode ?? child.signalCode}) before listening:\n${logTail()}`);
    }
    if (Date.now() > deadline) {
      signalGroup(child, 'SIGKILL');
      throw new ProcessStartError(`${opts.name} did not report listening within ${timeoutMs} ms:\n${logTail()}`);
    }
    await sleep(25);
  }

  const managed: ManagedProcess = {
    name: opts.name,
    pid: child.pid,
    logFile,
    url,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!managed.isRunning()) return;
      signalGroup(child, signal);
      const outcome = await Promise.race([exited.then(() => 'exited' as const), sleep(EXIT_TIMEOUT_MS).then(() => 'timeout' as const)]);
      if (outcome === 'timeout') {
        signalGroup(child, 'SIGKILL');
        await Promise.race([exited, sleep(EXIT_TIMEOUT_MS)]);
      }
    },
    logTail,
  };
  return managed;
}

function findListeningUrl(logFile: string, fromOffset: number, listeningUrl: (line: Record<string, unknown>) => string | undefined): string | undefined {
  const text = readFrom(logFile, fromOffset);
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      continue; // a line still being written
    }
    if (typeof line === 'object' && line !== null) {
      const url = listeningUrl(line as Record<string, unknown>);
      if (url !== undefined) return url;
    }
  }
  return undefined;
}

/** Kills every given process that still runs (SIGKILL to its group); never throws. */
export async function killAll(processes: Iterable<ManagedProcess | undefined>): Promise<void> {
  const running = [...processes].filter((p) => p !== undefined);
  await Promise.all(running.map((p) => p.kill('SIGKILL').catch(() => undefined)));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The file's text from a byte offset (the log is appended to across restarts). */
function readFrom(file: string, byteOffset: number): string {
  return existsSync(file) ? readFileSync(file).subarray(byteOffset).toString('utf8') : '';
}

/** A fresh temporary directory; remove it with removeDir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a value other than undefined, at most `timeoutMs`. Errors thrown
 * by the probe count as "not yet" (a restarting server refuses connections). On timeout, throws
 * WaitTimeoutError naming `what` and the last state `describe` reports.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = opts.describe?.() ?? (lastError instanceof Error ? lastError.message : lastError === undefined ? '' : JSON.stringify(lastError));
      throw new WaitTimeoutError(`timed out after ${opts.timeoutMs} ms waiting for ${what}${detail ? `: ${detail}` : ''}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * One bounded HTTP exchange with JSON in and out. Redirects are not followed (tests look at
 * them). A body that is not JSON comes back as its text.
 */
export async function http<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  opts: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** GET that must answer 200; the JSON body. */
export async function getJson<T = unknown>(url: string, timeoutMs = 10_000): Promise<T> {
  const answer = await http<T>('GET', url, undefined, { timeoutMs });
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

// ---- What Pacer and the master each say is running (the two views the system tests compare) ----

const TERMINAL_STATES = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE']);

export interface MasterTask {
  id: string;
  state: string;
  agentId: string;
}

export interface MasterFramework {
  id: string;
  active: boolean;
  /** When the framework last subscribed again with its id (epoch ms), if it did. */
  reregisteredAtMs: number | undefined;
  /** Tasks the master holds in a non-terminal state. */
  tasks: MasterTask[];
}

/** The frameworks in the master's /master/state (not the completed ones). */
export async function masterFrameworks(masterUrl: string): Promise<MasterFramework[]> {
  interface RawTask {
    id: string;
    state: string;
    slave_id: string;
  }
  interface RawFramework {
    id: string;
    active: boolean;
    reregistered_time?: number;
    tasks: RawTask[];
  }
  const state = await getJson<{ frameworks: RawFramework[] }>(`${masterUrl}/master/state`);
  return state.frameworks.map((f) => ({
    id: f.id,
    active: f.active,
    reregisteredAtMs: f.reregistered_time === undefined ? undefined : f.reregistered_time * 1000,
    tasks: f.tasks.filter((t) => !TERMINAL_STATES.has(t.state)).map((t) => ({ id: t.id, state: t.state, agentId: t.slave_id })),
  }));
}

export interface PacerTask {
  id: string;
  appId: string;
  state: string;
  version: string;
}

/** GET /v2/tasks. */
export async function pacerTasks(pacerUrl: string): Promise<PacerTask[]> {
  const answer = await getJson<{ tasks: PacerTask[] }>(`${pacerUrl}/v2/tasks`);
  return answer.tasks;
}

/** `frameworkId` of GET /v2/info, undefined until Pacer has one. */
export async function pacerFrameworkId(pacerUrl: string): Promise<string | undefined> {
  const info = await getJson<{ frameworkId?: string | null }>(`${pacerUrl}/v2/info`);
  return info.frameworkId ?? undefined;
}

export interface TaskComparison {
  /** Live on the master, unknown to Pacer. */
  orphaned: string[];
  /** Known to Pacer, not live on the master. */
  unknownToMaster: string[];
}

export function compareTasks(pacer: readonly PacerTask[], master: readonly MasterTask[]): TaskComparison {
  const pacerIds = new Set(pacer.map((t) => t.id));
  const masterIds = new Set(master.map((t) => t.id));
  return {
    orphaned: [...masterIds].filter((id) => !pacerIds.has(id)),
    unknownToMaster: [...pacerIds].filter((id) => !masterIds.has(id)),
  };
}

/** A small deterministic PRNG (mulberry32) for replayable randomized system tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'bin', 'pacer.js')) && existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  // A plain Error: this runs while the module initialises, before its classes exist.
  throw new Error(`cannot find the repository root above ${start}`);
}

/** True while the pid names a live (non-zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

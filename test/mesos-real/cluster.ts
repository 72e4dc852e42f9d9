/**
 * A real Apache Mesos on loopback for the real-Mesos tier (`npm run test:mesos`): masters and
 * agents from `$MESOS_HOME` (a build made with ../shared/tools/mesos/build.sh), each a child
 * process in its own process group with its log under test-artifacts/mesos-real/, fresh work
 * directories under one temporary directory, and a stop that leaves nothing behind.
 *
 * Agents run in a private mount namespace without /sys/fs/cgroup/unified (this machine mounts
 * cgroup2 where the agent refuses it), with the POSIX launcher and isolators, so their executors
 * are ordinary processes. The POSIX launcher puts every executor in a session of its own, so
 * killing an agent's group leaves its executors running (that is what lets a restarted agent
 * recover them); they are found and ended by their sandbox directory instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, getJson, sleep, waitFor } from '../helpers/processes.js';

/** The checkout: the nearest directory above with a package.json (this file also runs from dist/ in the bench). */
const REPO_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
export const MESOS_ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'mesos-real');

/** One line: what is missing and where to get it. */
export const MESOS_ABSENT =
  'Mesos absent (MESOS_HOME is unset or has no sbin/mesos-master): build it with ../shared/tools/mesos/README.md ' +
  '(fetch github:apache/mesos, then build.sh into ~/mesos) and run `MESOS_HOME=~/mesos npm run test:mesos`; see README "Real Mesos".';

/** `$MESOS_HOME` when it holds a Mesos build, else undefined. */
export function mesosHome(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = env.MESOS_HOME;
  if (home === undefined || home === '') return undefined;
  return existsSync(path.join(home, 'sbin', 'mesos-master')) ? home : undefined;
}

/** `$MESOS_HOME`, or an error saying how to get Mesos (the tier's tests fail loudly without it). */
export function requireMesosHome(): string {
  const home = mesosHome();
  if (home === undefined) throw new Error(MESOS_ABSENT);
  return home;
}

const live = new Set<ChildProcess>();
/** Cluster directories not yet stopped: their executors and tasks are ended on exit too. */
const liveRoots = new Set<string>();
process.once('exit', () => {
  for (const child of live) signalGroup(child.pid, 'SIGKILL');
  for (const root of liveRoots) killProcessesUnder(root);
});

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A Mesos daemon as a child process; restartable with the same flags (and work dir). */
export class MesosDaemon {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<void> = Promise.resolve();
  readonly logFile: string;

  constructor(
    readonly name: string,
    private readonly command: readonly string[],
  ) {
    mkdirSync(MESOS_ARTIFACTS, { recursive: true });
    this.logFile = path.join(MESOS_ARTIFACTS, `${name}-${process.pid}.log`);
    writeFileSync(this.logFile, '');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.isRunning()) throw new Error(`${this.name} is already running`);
    const home = requireMesosHome();
    const fd = openSync(this.logFile, 'a');
    const [file, ...args] = this.command;
    const child = spawn(file!, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LD_LIBRARY_PATH: path.join(home, 'lib') },
    });
    closeSync(fd);
    live.add(child);
    this.child = child;
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        resolve();
      });
    });
  }

  /** Signals the process group and waits (bounded) for the exit; SIGKILL if SIGTERM is not enough. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.isRunning()) return;
    signalGroup(this.child!.pid, signal);
    const exited = await Promise.race([this.exitedPromise.then(() => true), sleep(10_000).then(() => false)]);
    if (!exited) {
      signalGroup(this.child!.pid, 'SIGKILL');
      await Promise.race([this.exitedPromise, sleep(5_000)]);
    }
  }

  /** Sends a signal to the process group without waiting (SIGSTOP/SIGCONT for a partition). */
  signal(signal: NodeJS.Signals): void {
    if (this.isRunning()) signalGroup(this.child!.pid, signal);
  }

  logTail(chars = 3000): string {
    const text = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    return text.slice(Math.max(0, text.length - chars));
  }
}

export interface MasterOptions {
  /** Default in_memory; replicated_log survives a restart (quorum 1 unless zk gives more). */
  registry?: 'in_memory' | 'replicated_log';
  quorum?: number;
  /** zk://host:port/path: leader election among several masters. */
  zk?: string;
  /** Master-to-agent ping: an agent silent for timeout × max is unreachable. Default 2 s × 3. */
  agentPingTimeoutSeconds?: number;
  maxAgentPingTimeouts?: number;
  /** Further flags, e.g. ['--authenticate_http_frameworks']. */
  extraFlags?: readonly string[];
}

export class MesosMaster extends MesosDaemon {
  constructor(
    name: string,
    readonly port: number,
    readonly workDir: string,
    readonly options: MasterOptions,
  ) {
    const registry = options.registry ?? 'in_memory';
    super(name, [
      path.join(requireMesosHome(), 'sbin', 'mesos-master'),
      '--ip=127.0.0.1',
      '--hostname=127.0.0.1',
      `--port=${port}`,
      `--work_dir=${workDir}`,
      `--registry=${registry}`,
      ...(registry === 'replicated_log' || options.zk !== undefined ? [`--quorum=${options.quorum ?? 1}`] : []),
      ...(options.zk === undefined ? [] : [`--zk=${options.zk}`, '--zk_session_timeout=5secs']),
      // An agent gone for good is noticed in seconds rather than the default 75 s.
      `--agent_ping_timeout=${options.agentPingTimeoutSeconds ?? 2}secs`,
      `--max_agent_ping_timeouts=${options.maxAgentPingTimeouts ?? 3}`,
      '--allocation_interval=500ms',
      // The fault domain `pacer mesos-local` gives its master (region local, zone zone-0).
      `--domain=${JSON.stringify(faultDomain(0))}`,
      ...(options.extraFlags ?? []),
    ]);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.address}`;
  }

  /** Waits until this master answers /master/state (as leader: 200; a follower redirects). */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.name} to answer /master/health`,
      async () => {
        if (!this.isRunning()) throw new Error(`${this.name} exited:\n${this.logTail()}`);
        const res = await fetch(`${this.url}/master/health`, { signal: AbortSignal.timeout(2_000) });
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, describe: () => this.logTail(1500) },
    );
  }
}

export interface AgentOptions {
  resources: string;
  attributes: string;
  /** Zone index of the agent's fault domain (region `local`). */
  zone: number;
}

/** Region `local`, zone `zone-<n>`: the domains mesos-local gives its master and agents. */
export function faultDomain(zone: number): object {
  return { fault_domain: { region: { name: 'local' }, zone: { name: `zone-${zone}` } } };
}

export class MesosAgent extends MesosDaemon {
  constructor(
    name: string,
    readonly port: number,
    readonly workDir: string,
    masterSpec: string,
    readonly options: AgentOptions,
  ) {
    const home = requireMesosHome();
    mkdirSync(path.join(workDir, 'runtime'), { recursive: true });
    mkdirSync(path.join(workDir, 'fetch-cache'), { recursive: true });
    super(name, [
      'unshare',
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"',
      path.join(home, 'sbin', 'mesos-agent'),
      `--master=${masterSpec}`,
      '--ip=127.0.0.1',
      '--hostname=127.0.0.1',
      `--port=${port}`,
      `--work_dir=${path.join(workDir, 'work')}`,
      // Distinct per agent: the default /var/run/mesos would be shared by every agent here.
      `--runtime_dir=${path.join(workDir, 'runtime')}`,
      `--fetcher_cache_dir=${path.join(workDir, 'fetch-cache')}`,
      '--launcher=posix',
      // volume/sandbox_path: pods' ephemeral volumes (SANDBOX_PATH, PARENT) as links, as mesos-local makes them.
      '--isolation=posix/cpu,posix/mem,volume/sandbox_path',
      '--no-systemd_enable_support',
      `--resources=${options.resources}`,
      `--attributes=${options.attributes}`,
      `--domain=${JSON.stringify(faultDomain(options.zone))}`,
      // The -O0 build starts executors slowly: 500 tasks of the launch bench on a busy 2-core
      // machine outlasted 5 minutes.
      '--executor_registration_timeout=20mins',
      '--registration_backoff_factor=100ms',
    ]);
  }

  /** SIGKILLs every executor and task this agent started (they outlive the agent by design). */
  killExecutors(): void {
    killProcessesUnder(this.workDir);
  }
}

export interface ClusterOptions {
  name: string;
  agents?: number;
  master?: MasterOptions;
  /** Resources of every agent; port ranges are added per agent. */
  agentResources?: string;
  /** Ports per agent, in distinct ranges. Default 100. */
  portsPerAgent?: number;
}

/** Agent i (0-based) offers ports [base + i*width, base + (i+1)*width - 1]. Below Linux's ephemeral range. */
export const AGENT_PORT_BASE = 23_000;

export interface MesosCluster {
  readonly root: string;
  readonly masters: MesosMaster[];
  readonly agents: MesosAgent[];
  /** What Pacer's and the agents' --master take. */
  readonly masterSpec: string;
  /** The one master, or the current leader. */
  leaderUrl(): Promise<string>;
  /** Waits until the leading master lists `count` active agents (default: all). */
  waitAgents(count?: number, timeoutMs?: number): Promise<AgentState[]>;
  stop(): Promise<void>;
}

export interface AgentState {
  id: string;
  hostname: string;
  port: number;
  active: boolean;
  attributes: Record<string, unknown>;
}

/** A master (or several, with `zkUrl`) and N agents with attributes rack:r1…rN; up and registered. */
export async function startCluster(options: ClusterOptions & { masters?: number; zkUrl?: string }): Promise<MesosCluster> {
  requireMesosHome();
  const root = mkdtempSync(path.join(tmpdir(), `pacer-mesos-${options.name}-`));
  liveRoots.add(root);
  const masters: MesosMaster[] = [];
  const agents: MesosAgent[] = [];
  const masterCount = options.masters ?? 1;
  try {
    for (let i = 0; i < masterCount; i++) {
      const port = await freePort();
      const workDir = path.join(root, `master${i + 1}`);
      mkdirSync(workDir);
      const masterOptions: MasterOptions = { ...options.master, ...(options.zkUrl === undefined ? {} : { zk: options.zkUrl }) };
      masters.push(new MesosMaster(`${options.name}-master${i + 1}`, port, workDir, masterOptions));
    }
    for (const master of masters) master.start();
    await Promise.all(masters.map((m) => m.waitUp()));
    const masterSpec = options.zkUrl ?? masters[0]!.address;
    const width = options.portsPerAgent ?? 100;
    for (let i = 0; i < (options.agents ?? 3); i++) {
      const port = await freePort();
      const workDir = path.join(root, `agent${i + 1}`);
      mkdirSync(workDir);
      const low = AGENT_PORT_BASE + i * width;
      const resources = `${options.agentResources ?? 'cpus:4;mem:4096;disk:10000'};ports:[${low}-${low + width - 1}]`;
      agents.push(
        new MesosAgent(`${options.name}-agent${i + 1}`, port, workDir, masterSpec, { resources, attributes: `rack:r${i + 1};zone:zone-${i % 3}`, zone: i % 3 }),
      );
    }
    for (const agent of agents) agent.start();
    const cluster = new Cluster(root, masters, agents, masterSpec);
    await cluster.waitAgents();
    return cluster;
  } catch (err) {
    await new Cluster(root, masters, agents, '').stop();
    throw err;
  }
}

class Cluster implements MesosCluster {
  constructor(
    readonly root: string,
    readonly masters: MesosMaster[],
    readonly agents: MesosAgent[],
    readonly masterSpec: string,
  ) {}

  async leaderUrl(): Promise<string> {
    if (this.masters.length === 1) return this.masters[0]!.url;
    return waitFor(
      'a leading master',
      async () => {
        for (const master of this.masters) {
          if (!master.isRunning()) continue;
          const state = await getJson<{ leader?: string; pid?: string }>(`${master.url}/master/state`, 5_000).catch(() => undefined);
          if (state?.leader !== undefined && state.leader === state.pid) return master.url;
        }
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  async waitAgents(count = this.agents.length, timeoutMs = 120_000): Promise<AgentState[]> {
    return waitFor(
      `${count} active agents`,
      async () => {
        for (const agent of this.agents) {
          if (!agent.isRunning() && this.agents.filter((a) => a.isRunning()).length < count) {
            throw new Error(`${agent.name} exited:\n${agent.logTail()}`);
          }
        }
        const state = await getJson<{ slaves: AgentState[] }>(`${await this.leaderUrl()}/master/state`, 5_000);
        const active = state.slaves.filter((s) => s.active);
        return active.length >= count ? active : undefined;
      },
      { timeoutMs, intervalMs: 250, describe: () => this.agents.map((a) => `${a.name}: ${a.logTail(600)}`).join('\n') },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.kill('SIGKILL')));
    for (const agent of this.agents) agent.killExecutors();
    await Promise.all(this.masters.map((m) => m.kill('SIGKILL')));
    // Executors that were still starting may appear a moment after their agent died.
    await sleep(200);
    for (const agent of this.agents) agent.killExecutors();
    rmSync(this.root, { recursive: true, force: true });
    liveRoots.delete(this.root);
  }
}

/** SIGKILLs every process whose working directory (or command line) lies under `dir`. */
export function killProcessesUnder(dir: string): void {
  const prefix = `${path.resolve(dir)}${path.sep}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cwd = '';
    let cmdline = '';
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (`${cwd}${path.sep}`.startsWith(prefix) || cmdline.includes(prefix)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // Raced with its exit.
      }
    }
  }
}

/** Writes a Mesos credentials file (JSON form) and a secret file for Pacer; returns their paths. */
export function writeCredentials(dir: string, principal: string, secret: string): { credentialsFile: string; secretFile: string } {
  const credentialsFile = path.join(dir, 'credentials.json');
  const secretFile = path.join(dir, 'secret');
  writeFileSync(credentialsFile, JSON.stringify({ credentials: [{ principal, secret }] }));
  writeFileSync(secretFile, secret, { mode: 0o600 });
  return { credentialsFile, secretFile };
}

/** Whether a path exists and is a directory (for assertions on agent work dirs). */
export function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

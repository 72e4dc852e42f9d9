/**
 * Options of `pacer mesos-local` (and of the embedded master behind `pacer --master local`).
 * Names follow the Mesos flags they come from; `resolveMesosLocalOptions` fills defaults and
 * rejects values a real master would refuse to start with.
 */

export interface MesosLocalOptions {
  /** Address the master listens on and advertises (`--ip`). */
  ip: string;
  /** Listening port (`--port`); 0 picks a free one, reported in the handle's `url`. */
  port: number;
  /** Hostname advertised in MasterInfo and redirects (`--hostname`); defaults to `ip`. */
  hostname?: string;
  /** Agents that run command tasks as child processes (`--agents`). */
  agents: number;
  /** Agents whose tasks only pretend to run (`--simulated_agents`), for scale tests. */
  simulatedAgents: number;
  /** Resources of every agent in Mesos syntax (`--agent_resources`). */
  agentResources: string;
  /** Attributes added to every agent in Mesos syntax (`--agent_attributes`). */
  agentAttributes?: string;
  /**
   * Root of agent sandboxes (`--work_dir`). When absent, a fresh temporary directory removed at
   * shutdown (`pacer mesos-local`); `pacer --master local` passes one inside its data directory.
   */
  workDir?: string;
  /** `--gc_delay`: sandboxes of ended tasks are removed this long after they ended; default one week. */
  gcDelayMs?: number;
  /** Publish the master in ZooKeeper (`--zk`), e.g. zk://127.0.0.1:2181/mesos. */
  zk?: string;
  /** Session timeout of the ZooKeeper announcement (`--zk_session_timeout`); default 10 s, as Mesos. */
  zkSessionTimeoutMs?: number;
  /** Time between allocation passes (`--allocation_interval`). */
  allocationIntervalMs: number;
  /** Time between HEARTBEAT events on each subscription (`--heartbeat_interval`). */
  heartbeatIntervalSeconds: number;
  /** Run tasks as CommandInfo.user / FrameworkInfo.user when the agent is root (`--switch_user`, default true). */
  switchUser?: boolean;
  /** `--credentials` and the `--authenticate_*` switches. */
  authentication?: {
    credentialsFile?: string | undefined;
    frameworks: boolean;
    httpFrameworks: boolean;
    httpReadonly: boolean;
    httpReadwrite: boolean;
  };
  /** MasterInfo.id; a fresh UUID when absent. */
  masterId?: string;
}

export const DEFAULT_AGENT_RESOURCES = 'cpus:4;mem:8192;disk:20000;ports:[31000-32000]';

export const MESOS_LOCAL_DEFAULTS = {
  ip: '127.0.0.1',
  port: 5050,
  agents: 3,
  simulatedAgents: 0,
  agentResources: DEFAULT_AGENT_RESOURCES,
  // Upstream master defaults: --allocation_interval=1secs, heartbeat every 15 secs.
  allocationIntervalMs: 1000,
  heartbeatIntervalSeconds: 15,
} as const satisfies Partial<MesosLocalOptions>;

export class MesosLocalOptionsError extends Error {
  readonly code = 'PACER_MESOS_LOCAL_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'MesosLocalOptionsError';
  }
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MesosLocalOptionsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new MesosLocalOptionsError(`${name} must be a positive number, got ${value}`);
  }
}

/** Applies defaults and validates; throws MesosLocalOptionsError on a bad value. */
export function resolveMesosLocalOptions(partial: Partial<MesosLocalOptions> = {}): MesosLocalOptions {
  const defined = Object.fromEntries(
    Object.entries(partial as Record<string, unknown>).filter(([, value]) => value !== undefined),
  ) as Partial<MesosLocalOptions>;
  const opts: MesosLocalOptions = { ...MESOS_LOCAL_DEFAULTS, ...defined };
  if (opts.ip.trim() === '') throw new MesosLocalOptionsError('ip must not be empty');
  requireInteger('port', opts.port, 0, 65535);
  requireInteger('agents', opts.agents, 0, 10_000);
  requireInteger('simulatedAgents', opts.simulatedAgents, 0, 1_000_000);
  requirePositive('allocationIntervalMs', opts.allocationIntervalMs);
  requirePositive('heartbeatIntervalSeconds', opts.heartbeatIntervalSeconds);
  if (opts.zkSessionTimeoutMs !== undefined) requirePositive('zkSessionTimeoutMs', opts.zkSessionTimeoutMs);
  if (opts.zk !== undefined && !opts.zk.startsWith('zk://')) {
    throw new MesosLocalOptionsError(`zk must be a zk://host:port[,host:port]/path URL, got '${opts.zk}'`);
  }
  return opts;
}

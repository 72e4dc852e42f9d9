/**
 * `pacer mesos-local`: an embedded Mesos-compatible master with in-process agents, serving the
 * v1 scheduler API over real HTTP so that any framework, in any language, can run against it.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MasterInfo } from '../mesos/types.js';
import type { LocalAgent } from './agents/agent.js';
import { buildAgentFleet } from './agent-fleet.js';
import { LocalMaster } from './master/master.js';
import { MesosLocalOptionsError, resolveMesosLocalOptions, type MesosLocalOptions } from './options.js';
import { loadCredentials, type MasterAuthentication } from './http-auth.js';
import { buildAgentStateJson } from './agent-state.js';
import { SandboxFiles } from './files.js';
import { DEFAULT_GC_DELAY_MS, SandboxGc } from './agents/sandbox-gc.js';
import { MesosLocalServer } from './server.js';
import { announceMaster } from './zk-announce.js';
import { runShutdownSteps, type ShutdownStep } from './shutdown-steps.js';

export { resolveMesosLocalOptions, MESOS_LOCAL_DEFAULTS, MesosLocalOptionsError } from './options.js';
export type { MesosLocalOptions } from './options.js';

/** The Mesos release whose wire behaviour this master follows. */
export const MESOS_COMPATIBLE_VERSION = '1.11.0';

export interface MesosLocalHandle {
  /** Base URL of the master, e.g. http://127.0.0.1:5050. */
  readonly url: string;
  readonly masterInfo: MasterInfo;
  readonly master: LocalMaster;
  readonly agents: readonly LocalAgent[];
  /** Root of the agent sandboxes. */
  readonly workDir: string;
  /** Removes the ZooKeeper node, stops the master (ending every stream), kills every task, closes the server. */
  close(): Promise<void>;
}

/** Agents give their tasks this long between SIGTERM and SIGKILL when the master stops. */
const AGENTS_CLOSE_GRACE_MS = 1000;
/**
 * Leaves time for the killed processes to be reaped after the grace. The steps before it are bounded
 * at 2.5 s (ZooKeeper) and 1.5 s (master, sandbox gc) each, so the agents have sent every SIGKILL
 * within 9.5 s even if all of those hang: before embedded-master.ts ends the thread, at 10 s.
 */
const AGENTS_STEP_BOUND_MS = AGENTS_CLOSE_GRACE_MS + 3000;

export async function startMesosLocal(options: Partial<MesosLocalOptions>, logger: Logger): Promise<MesosLocalHandle> {
  const opts = resolveMesosLocalOptions(options);
  const masterId = opts.masterId ?? randomUUID();
  const log = logger.child({ component: 'mesos-local', masterId });
  // Run in order of shutdown reversed: each step registers how to undo itself.
  const cleanups: ShutdownStep[] = [];
  try {
    let workDir = opts.workDir;
    if (workDir === undefined) {
      const created = await mkdtemp(path.join(os.tmpdir(), 'pacer-mesos-local-'));
      // Tasks switched to another user (--switch_user) must reach their sandboxes below it.
      await chmod(created, 0o755);
      workDir = created;
      cleanups.push({ step: 'remove work dir', run: () => rm(created, { recursive: true, force: true }), boundMs: 2000 });
    }
    const sandboxRoot = path.resolve(workDir);

    const authentication = await masterAuthentication(opts);
    if (!isLoopback(opts.ip) && (authentication === undefined || !authentication.frameworks || !authentication.readwrite)) {
      log.warn(
        { ip: opts.ip },
        'mesos-local listens beyond loopback without authentication: anyone who reaches it can run commands on this machine; ' +
          'use --credentials with --authenticate_http_frameworks and --authenticate_http_readwrite (and --authenticate_http_readonly)',
      );
    }
    const server = new MesosLocalServer({
      ...(authentication !== undefined ? { authentication } : {}),
      ip: opts.ip,
      port: opts.port,
      logger: log,
      heartbeatIntervalMs: opts.heartbeatIntervalSeconds * 1000,
      build: { version: MESOS_COMPATIBLE_VERSION, buildTime: Math.floor(Date.now() / 1000), buildUser: 'pacer' },
      files: new SandboxFiles(workDir),
      // Called only once the master is attached, after `master` and `agents` below exist.
      agentState: (): object =>
        buildAgentStateJson({
          masterState: master.stateJson() as Record<string, unknown>,
          agents,
          flags: { work_dir: sandboxRoot, gc_delay: `${(opts.gcDelayMs ?? DEFAULT_GC_DELAY_MS) / 1000}secs` },
        }),
    });
    const port = await server.listen();
    cleanups.push({ step: 'close http server', run: () => server.close() });

    const hostname = opts.hostname ?? opts.ip;
    const master = new LocalMaster(
      {
        masterId,
        hostname,
        ip: opts.ip,
        port,
        version: MESOS_COMPATIBLE_VERSION,
        allocationIntervalMs: opts.allocationIntervalMs,
        heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds,
      },
      log,
    );
    const agents = buildAgentFleet({
      masterId,
      processAgents: opts.agents,
      simulatedAgents: opts.simulatedAgents,
      agentResources: opts.agentResources,
      ...(opts.agentAttributes !== undefined ? { agentAttributes: opts.agentAttributes } : {}),
      workDir,
      machineHostname: hostname,
      ip: opts.ip,
      sink: master.statusSink,
      logger: log,
      switchUser: opts.switchUser ?? true,
      closeGracePeriodMs: AGENTS_CLOSE_GRACE_MS,
      frameworkUser: (frameworkId) => master.frameworkUser(frameworkId),
      // As upstream's executors: TASK_KILLING only to frameworks that declared TASK_KILLING_STATE.
      supportsTaskKillingState: (frameworkId) => master.frameworkHasCapability(frameworkId, 'TASK_KILLING_STATE'),
    });
    cleanups.push({
      step: 'close agents',
      run: () => Promise.all(agents.map((agent) => agent.close())).then(() => undefined),
      boundMs: AGENTS_STEP_BOUND_MS,
    });
    const gc = new SandboxGc({
      workDir,
      gcDelayMs: opts.gcDelayMs ?? DEFAULT_GC_DELAY_MS,
      inUse: () => agents.flatMap((agent) => ('runningSandboxes' in agent ? (agent as { runningSandboxes: string[] }).runningSandboxes : [])),
      logger: log,
    });
    gc.start();
    cleanups.push({ step: 'stop sandbox gc', run: () => gc.stop() });
    cleanups.push({ step: 'stop master', run: () => master.stop() });
    for (const agent of agents) master.addAgent(agent);
    master.start();
    if (opts.zk !== undefined) {
      const announcement = await announceMaster(opts.zk, master.info, log, { sessionTimeoutMs: opts.zkSessionTimeoutMs });
      // Removing the znode, then up to 2 s for ZooKeeper to end the session.
      cleanups.push({ step: 'withdraw zookeeper announcement', run: () => announcement.close(), boundMs: 2500 });
      // Before attach: from the first request on, only the elected master serves.
      server.followLeadership(announcement);
    }
    server.attach(master);

    const url = `http://${opts.ip.includes(':') ? `[${opts.ip}]` : opts.ip}:${port}`;
    log.info({ url, agents: opts.agents, simulatedAgents: opts.simulatedAgents, workDir }, 'mesos-local master started');
    let closing: Promise<void> | undefined;
    return {
      url,
      masterInfo: master.info,
      master,
      agents,
      workDir,
      close: () => {
        if (closing === undefined) {
          log.debug({ steps: cleanups.length }, 'mesos-local master stopping');
          closing = runShutdownSteps(cleanups, log).then(() => log.info('mesos-local master stopped'));
        }
        return closing;
      },
    };
  } catch (err) {
    await runShutdownSteps(cleanups, log);
    throw err;
  }
}

function isLoopback(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || ip.startsWith('127.');
}

/** Upstream refuses to start when a realm needs authentication and no credentials are given. */
async function masterAuthentication(opts: MesosLocalOptions): Promise<MasterAuthentication | undefined> {
  const flags = opts.authentication;
  if (flags === undefined) return undefined;
  const frameworks = flags.frameworks || flags.httpFrameworks;
  const any = frameworks || flags.httpReadonly || flags.httpReadwrite;
  if (!any) return undefined;
  if (flags.credentialsFile === undefined) {
    throw new MesosLocalOptionsError('--authenticate_* needs --credentials: no credentials means no one could authenticate');
  }
  const credentials = await loadCredentials(flags.credentialsFile);
  return { credentials, frameworks, readonly: flags.httpReadonly, readwrite: flags.httpReadwrite };
}

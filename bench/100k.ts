/**
 * Pacer at the size its largest users reach, in the HA shape they run it: a real ZooKeeper, a
 * `pacer mesos-local` master with simulated agents in its own process, a leader and a standby.
 *  1. one group of `apps` apps × `instances` instances POSTed to the leader, timed until every
 *     task runs;
 *  2. GET /v2/tasks, GET /v2/apps (leader) and GET /master/state (master) latencies at that size;
 *  3. peak RSS of the leader and of the master process;
 *  4. the leader killed -9: time until the standby leads, and until it has reconciled every task
 *     (its "explicit reconciliation done: every task answered" log line) with all of them running in its /v2/tasks.
 *
 *   npm run bench -- 100k [--apps 100] [--instances 1000] [--agents 5000] [--timeout 900] [--profile]
 *
 * --profile runs the master and both Pacers under `node --cpu-prof`; the .cpuprofile files of the
 * processes that exit normally (the master, the standby) land in test-artifacts/profiles/100k.
 *
 * Targets: peak RSS of Pacer and the master together < 1.5 GiB; failover with reconciliation
 * < 10 s; /master/state < 1 s. Needs ZooKeeper (Debian's `zookeeper` package).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, http, killAll, REPO_ROOT, spawnMesosLocal, spawnPacer, waitFor, type ManagedProcess } from '../test/helpers/processes.js';
import { startZooKeeper, zookeeperAvailable, type ZooKeeperServer } from '../test/helpers/zookeeper.js';
import { latency, peakRssMiB, round, sendJson } from './figures.js';

const AGENT_RESOURCES = 'cpus:8;mem:16384;disk:10000;ports:[31000-32000]';
const ZK_SESSION_TIMEOUT_MS = 5_000;
const LATENCY_SAMPLES = 5;
const RECONCILED_MSG = 'explicit reconciliation done: every task answered';

interface Args {
  apps: number;
  instances: number;
  agents: number;
  timeoutSeconds: number;
  profile: boolean;
}

export class HundredKBenchError extends Error {
  readonly code = 'PACER_BENCH_100K';
}

function parseArgs(argv: string[]): Args {
  const out: Args = { apps: 100, instances: 1_000, agents: 5_000, timeoutSeconds: 900, profile: false };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (flag === '--profile') {
      out.profile = true;
      i--;
      continue;
    }
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new HundredKBenchError(`${flag} needs a positive integer`);
    if (flag === '--apps') out.apps = n;
    else if (flag === '--instances') out.instances = n;
    else if (flag === '--agents') out.agents = n;
    else if (flag === '--timeout') out.timeoutSeconds = n;
    else throw new HundredKBenchError(`unknown argument ${flag}; known: --apps N --instances N --agents N --timeout S --profile`);
  }
  return out;
}

const hostPort = (p: ManagedProcess): string => new URL(p.url).host;

async function leaderOf(pacers: readonly ManagedProcess[]): Promise<ManagedProcess | undefined> {
  for (const p of pacers) {
    if (!p.isRunning()) continue;
    const answer = await http<{ leader?: string }>('GET', `${p.url}/v2/leader`, undefined, { timeoutMs: 3_000 }).catch(() => undefined);
    if (answer?.status === 200 && answer.body.leader === hostPort(p)) return p;
  }
  return undefined;
}

async function runningTasks(url: string): Promise<number> {
  const { apps } = await getJson<{ apps: Array<{ tasksRunning: number }> }>(`${url}/v2/apps`, 60_000);
  return apps.reduce((sum, a) => sum + a.tasksRunning, 0);
}

/** Epoch ms of the first log line with `msg` written at or after `since`, if any. */
function loggedAt(logFile: string, msg: string, since: number): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes(msg)) continue;
    try {
      const parsed = JSON.parse(line) as { time?: number; msg?: string };
      if (parsed.msg === msg && typeof parsed.time === 'number' && parsed.time >= since) return parsed.time;
    } catch {
      // Not a pino line.
    }
  }
  return undefined;
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (!zookeeperAvailable()) throw new HundredKBenchError('ZooKeeper is not installed: apt-get install zookeeper (or run .ci/install-zookeeper.sh)');
  const total = args.apps * args.instances;
  const deadline = (): number => args.timeoutSeconds * 1000;
  let zk: ZooKeeperServer | undefined;
  let master: ManagedProcess | undefined;
  const pacers: ManagedProcess[] = [];
  const nodeArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(REPO_ROOT, 'test-artifacts', 'profiles', '100k')}`] : [];
  try {
    // 100,000 instance nodes of about 1 KiB each do not fit the tests' 128 MiB heap.
    zk = await startZooKeeper({ heapMiB: 1024, productionJvm: true });
    master = await spawnMesosLocal(['--agents', '0', '--simulated_agents', String(args.agents), '--agent_resources', AGENT_RESOURCES], {
      name: 'bench-100k-master',
      startTimeoutMs: 120_000,
      nodeArgs,
    });
    const zkUrl = `zk://${zk.connectString}/pacer-bench-100k`;
    for (let i = 0; i < 2; i++) {
      pacers.push(
        await spawnPacer(['--zk', zkUrl, '--master', master.url, '--zk_session_timeout', String(ZK_SESSION_TIMEOUT_MS)], {
          name: `bench-100k-pacer-${i}`,
          startTimeoutMs: 60_000,
          nodeArgs,
        }),
      );
    }
    const leader = await waitFor('a leader', () => leaderOf(pacers), { timeoutMs: 30_000 });
    const standby = pacers.find((p) => p !== leader)!;
    process.stdout.write(`${total} instances (${args.apps} apps × ${args.instances}) on ${args.agents} simulated agents; leader ${leader.name}\n`);

    const group = {
      id: '/bench/100k',
      apps: Array.from({ length: args.apps }, (_, i) => ({
        id: `/bench/100k/app-${String(i).padStart(3, '0')}`,
        cmd: 'sleep 1000',
        instances: args.instances,
        cpus: 0.1,
        mem: 16,
      })),
    };
    const started = performance.now();
    const posted = await sendJson('POST', `${leader.url}/v2/groups`, group);
    if (posted.status !== 201) throw new HundredKBenchError(`POST /v2/groups answered ${posted.status}: ${posted.text.slice(0, 300)}`);
    let lastReport = started;
    await waitFor(
      `${total} tasks running`,
      async () => {
        const running = await runningTasks(leader.url);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          process.stdout.write(`  … ${((lastReport - started) / 1000).toFixed(0)} s: ${running} running\n`);
        }
        return running >= total ? true : undefined;
      },
      { timeoutMs: deadline(), intervalMs: 1_000, describe: () => leader.logTail(2_000) },
    );
    const secondsToRunning = (performance.now() - started) / 1000;

    const tasks = await latency(`${leader.url}/v2/tasks`, LATENCY_SAMPLES);
    const apps = await latency(`${leader.url}/v2/apps`, LATENCY_SAMPLES);
    const state = await latency(`${master.url}/master/state`, LATENCY_SAMPLES);
    const pacerRss = await peakRssMiB(leader.pid);
    const masterRss = await peakRssMiB(master.pid);

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    await waitFor('the standby to lead', async () => ((await leaderOf([standby])) === standby ? true : undefined), { timeoutMs: 60_000, intervalMs: 50 });
    const ledMs = Date.now() - killedAt;
    const reconciledAt = await waitFor('the standby to reconcile', async () => loggedAt(standby.logFile, RECONCILED_MSG, killedAt), {
      timeoutMs: deadline(),
      intervalMs: 100,
      describe: () => standby.logTail(2_000),
    });
    const runningAfter = await runningTasks(standby.url);
    if (runningAfter !== total) throw new HundredKBenchError(`after failover the new leader shows ${runningAfter} of ${total} tasks running`);
    const reconciledMs = reconciledAt - killedAt;

    const figures = {
      bench: '100k',
      instances: total,
      apps: args.apps,
      agents: args.agents,
      secondsToRunning: round(secondsToRunning, 2),
      tasksLatencyMs: round(tasks.medianMs, 0),
      tasksMiB: round(tasks.bytes / 1024 / 1024, 1),
      appsLatencyMs: round(apps.medianMs, 0),
      masterStateLatencyMs: round(state.medianMs, 0),
      peakRssPacerMiB: round(pacerRss, 0),
      peakRssMasterMiB: round(masterRss, 0),
      peakRssTotalMiB: round(pacerRss + masterRss, 0),
      failoverLeadSeconds: round(ledMs / 1000, 2),
      failoverReconciledSeconds: round(reconciledMs / 1000, 2),
    };
    process.stdout.write(
      [
        `all ${total} running          ${figures.secondsToRunning} s after POST`,
        `GET /v2/tasks            median ${figures.tasksLatencyMs} ms of ${LATENCY_SAMPLES} (${figures.tasksMiB} MiB)`,
        `GET /v2/apps             median ${figures.appsLatencyMs} ms of ${LATENCY_SAMPLES}`,
        `GET /master/state        median ${figures.masterStateLatencyMs} ms of ${LATENCY_SAMPLES} (target < 1 s)`,
        `peak RSS                 Pacer ${figures.peakRssPacerMiB} MiB + master ${figures.peakRssMasterMiB} MiB = ${figures.peakRssTotalMiB} MiB (target < 1536)`,
        `failover after kill -9   leading in ${figures.failoverLeadSeconds} s, all ${total} reconciled in ${figures.failoverReconciledSeconds} s (target < 10 s)`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    // Only a process that exits on its own writes its --cpu-prof file: stop them in order first.
    if (args.profile) for (const p of [...pacers, master]) await p?.kill('SIGTERM');
    await killAll([...pacers, master]);
    await zk?.stop();
  }
}

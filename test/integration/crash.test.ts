/**
 * Crash recovery, black box: a real `pacer` process on the embedded store (`--data_dir`) schedules
 * on a separate, long-lived `pacer mesos-local` master with simulated agents. While deployments
 * are under way, Pacer is killed with SIGKILL at random moments (after a write to the API, or
 * shortly after a restart, i.e. in the middle of recovery) and restarted on the same data dir.
 *
 * After every restart:
 *   - every app and version the API acknowledged (2xx) is still there; a write whose answer was
 *     lost to the kill may have happened or not, but nothing else may;
 *   - each app converges to its instance count, all tasks RUNNING on the current version, no
 *     deployment left;
 *   - Pacer's /v2/tasks and the master's live tasks of the framework are the same set: nothing
 *     orphaned (live on the master, unknown to Pacer) and nothing duplicated;
 *   - the master knows exactly one framework, always the same id.
 *
 * Randomness is seeded: each trial prints its seed; PACER_CRASH_SEED=<base seed> replays the
 * same sequence of actions and delays (timing on the machine still varies), PACER_CRASH_TRIALS
 * changes the number of trials (default 20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareTasks,
  getJson,
  http,
  killAll,
  masterFrameworks,
  pacerFrameworkId,
  pacerTasks,
  removeDir,
  seededRandom,
  sleep,
  spawnMesosLocal,
  spawnPacer,
  tempDir,
  waitFor,
  type ManagedProcess,
  type PacerTask,
} from '../helpers/processes.js';

const TRIALS = Number(process.env.PACER_CRASH_TRIALS ?? 20);
const BASE_SEED = process.env.PACER_CRASH_SEED !== undefined ? Number(process.env.PACER_CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);
const MAIN_APP = '/crash';
const MAIN_INSTANCES = 200;
/** Bound on one convergence; generous, because it only matters when something is wrong. */
const CONVERGE_TIMEOUT_MS = 60_000;

/** One write sent to the API, and what became of it. */
interface Write {
  appId: string;
  /** Written into the app's env as GEN: tells which write the stored app reflects. */
  gen: number;
  instances: number;
  /** The version the API acknowledged; undefined when the answer was lost to the kill. */
  ackedVersion?: string;
}

interface AppRecord {
  id: string;
  /** Writes in the order they were sent. */
  writes: Write[];
}

interface ObservedApp {
  id: string;
  instances: number;
  version: string;
  env: Record<string, string>;
  tasksRunning: number;
  tasksStaged: number;
}

function appBody(id: string, gen: number, instances: number): Record<string, unknown> {
  return {
    id,
    cmd: 'sleep 100000',
    cpus: 0.01,
    mem: 1,
    instances,
    portDefinitions: [],
    env: { GEN: String(gen) },
    // Marathon's defaults, stated: replace all tasks, never below the wanted count.
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  };
}

describe('Pacer killed with SIGKILL while deploying, restarted on the same data dir', () => {
  let master: ManagedProcess | undefined;
  let pacer: ManagedProcess | undefined;
  let dataDir: string | undefined;
  let restarts = 0;

  beforeAll(async () => {
    dataDir = tempDir('pacer-crash-data');
    master = await spawnMesosLocal(['--agents', '0', '--simulated_agents', '4', '--allocation_interval', '100ms'], {
      name: 'crash-mesos-local',
    });
  });

  afterAll(async () => {
    await killAll([pacer, master]);
    removeDir(dataDir);
  });

  async function startPacer(): Promise<ManagedProcess> {
    restarts++;
    return spawnPacer(['--master', master!.url, '--data_dir', dataDir!, '--reconciliation_interval', '2000', '--task_launch_timeout', '20000'], {
      name: 'crash-pacer',
    });
  }

  async function killPacer(): Promise<void> {
    await pacer!.kill('SIGKILL');
    const outcome = await pacer!.exited;
    expect(outcome.signal).toBe('SIGKILL');
  }

  /** Sends a write; resolves with the acknowledged version, or undefined if the answer never came. */
  function send(method: 'POST' | 'PUT', write: Write): Promise<string | undefined> {
    const url = method === 'POST' ? `${pacer!.url}/v2/apps` : `${pacer!.url}/v2/apps${write.appId}`;
    return http<{ version?: string }>(method, url, appBody(write.appId, write.gen, write.instances), { timeoutMs: 15_000 }).then(
      (answer) => {
        if (answer.status < 200 || answer.status > 299) {
          throw new Error(`${method} ${write.appId} (gen ${write.gen}) answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        }
        expect(typeof answer.body.version).toBe('string');
        return answer.body.version;
      },
      () => undefined, // connection reset by the kill: outcome unknown
    );
  }

  /**
   * Which write each app reflects now, checked against what was acknowledged: the stored app is
   * the last acknowledged write or a later unacknowledged one, and every acknowledged version is
   * still listed. Returns the expected instance count per existing app.
   */
  async function checkDurability(apps: Map<string, AppRecord>): Promise<Map<string, number>> {
    const expected = new Map<string, number>();
    for (const record of apps.values()) {
      const answer = await http<{ app: ObservedApp }>('GET', `${pacer!.url}/v2/apps${record.id}`);
      const lastAcked = record.writes.reduce((last, w, i) => (w.ackedVersion !== undefined ? i : last), -1);
      if (answer.status === 404) {
        expect(lastAcked, `app ${record.id} was acknowledged but is gone`).toBe(-1);
        continue;
      }
      expect(answer.status).toBe(200);
      const gen = Number(answer.body.app.env.GEN);
      const index = record.writes.findIndex((w) => w.gen === gen);
      expect(index, `app ${record.id} holds GEN ${gen}, which no write sent`).toBeGreaterThanOrEqual(0);
      expect(index, `app ${record.id} holds GEN ${gen}, older than the acknowledged write ${lastAcked}`).toBeGreaterThanOrEqual(lastAcked);
      for (const later of record.writes.slice(lastAcked + 1, index + 1)) {
        expect(later.ackedVersion, 'only unacknowledged writes can be in doubt').toBeUndefined();
      }
      const write = record.writes[index]!;
      expect(answer.body.app.instances).toBe(write.instances);
      if (write.ackedVersion !== undefined) expect(answer.body.app.version).toBe(write.ackedVersion);

      const versions = await getJson<{ versions: string[] }>(`${pacer!.url}/v2/apps${record.id}/versions`);
      for (const w of record.writes) {
        if (w.ackedVersion === undefined) continue;
        expect(versions.versions, `acknowledged version ${w.ackedVersion} of ${record.id}`).toContain(w.ackedVersion);
        const stored = await getJson<ObservedApp>(`${pacer!.url}/v2/apps${record.id}/versions/${w.ackedVersion}`);
        expect(stored.env.GEN).toBe(String(w.gen));
        expect(stored.instances).toBe(w.instances);
      }
      expect(new Set(versions.versions).size, 'versions listed once each').toBe(versions.versions.length);
      expect(versions.versions).toContain(answer.body.app.version);
      expect(answer.body.app.env.GEN).toBe(String(write.gen));
      expected.set(record.id, write.instances);
    }
    return expected;
  }

  /** Waits until Pacer and the master agree on exactly the expected running tasks; describes the last mismatch on timeout. */
  async function waitForConvergence(expected: Map<string, number>, frameworkId: string): Promise<void> {
    let last = 'nothing observed yet';
    await waitFor(
      'convergence',
      async () => {
        const problems: string[] = [];
        const deployments = await getJson<unknown[]>(`${pacer!.url}/v2/deployments`);
        if (deployments.length > 0) problems.push(`${deployments.length} deployment(s) running`);
        const { apps } = await getJson<{ apps: ObservedApp[] }>(`${pacer!.url}/v2/apps`);
        const tasks = await pacerTasks(pacer!.url);
        const frameworks = await masterFrameworks(master!.url);
        for (const [id, instances] of expected) {
          const app = apps.find((a) => a.id === id);
          if (app === undefined) {
            problems.push(`${id} missing from /v2/apps`);
            continue;
          }
          const own = tasks.filter((t) => t.appId === id);
          const running = own.filter((t) => t.state === 'TASK_RUNNING' && t.version === app.version);
          if (own.length !== instances || running.length !== instances) {
            problems.push(`${id}: ${own.length} tasks, ${running.length} running on ${app.version}, want ${instances}`);
          }
          if (app.tasksRunning !== instances || app.tasksStaged !== 0) {
            problems.push(`${id}: tasksRunning ${app.tasksRunning}, tasksStaged ${app.tasksStaged}`);
          }
        }
        const unexpected = apps.filter((a) => !expected.has(a.id)).map((a) => a.id);
        if (unexpected.length > 0) problems.push(`apps nobody wrote: ${unexpected.join(', ')}`);
        const strays = tasks.filter((t: PacerTask) => !expected.has(t.appId));
        if (strays.length > 0) problems.push(`${strays.length} tasks of unknown apps`);
        if (frameworks.length !== 1 || frameworks[0]!.id !== frameworkId) {
          problems.push(`master frameworks ${JSON.stringify(frameworks.map((f) => f.id))}, want [${frameworkId}]`);
        } else {
          const masterTasks = frameworks[0]!.tasks;
          const { orphaned, unknownToMaster } = compareTasks(tasks, masterTasks);
          if (orphaned.length > 0) problems.push(`${orphaned.length} orphaned on the master, e.g. ${orphaned[0]}`);
          if (unknownToMaster.length > 0) problems.push(`${unknownToMaster.length} Pacer tasks not live on the master, e.g. ${unknownToMaster[0]}`);
          const want = [...expected.values()].reduce((a, b) => a + b, 0);
          const masterRunning = masterTasks.filter((t) => t.state === 'TASK_RUNNING').length;
          if (masterTasks.length !== want || masterRunning !== want) {
            problems.push(`master: ${masterTasks.length} live, ${masterRunning} running, want ${want}`);
          }
        }
        last = problems.join('; ');
        return problems.length === 0 ? true : undefined;
      },
      { timeoutMs: CONVERGE_TIMEOUT_MS, intervalMs: 200, describe: () => last },
    );
  }

  it(`converges to the acknowledged apps after each of ${TRIALS} SIGKILLs, with no task orphaned or duplicated`, async () => {
    console.log(`crash test: base seed ${BASE_SEED} (replay with PACER_CRASH_SEED=${BASE_SEED}), ${TRIALS} trials`);
    const started = Date.now();
    const apps = new Map<string, AppRecord>([[MAIN_APP, { id: MAIN_APP, writes: [] }]]);
    let gen = 0;
    let frameworkId: string | undefined;
    let inDoubt = 0;
    let extraApps = 0;

    pacer = await startPacer();
    const convergeTimes: number[] = [];

    for (let trial = 0; trial < TRIALS; trial++) {
      const seed = (BASE_SEED + trial * 0x9e3779b1) >>> 0;
      const random = seededRandom(seed);
      const roll = random();
      const action = trial === 0 ? 'post' : roll < 0.45 ? 'new-version' : roll < 0.7 ? 'scale' : roll < 0.85 ? 'post-extra' : 'none';
      // A quarter of the kills land within a few ms of the write, most likely before its answer.
      const delayMs = random() < 0.25 ? Math.floor(random() * 15) : Math.floor(random() * 1500);
      const killDuringRecovery = random() < 0.4;
      const recoveryDelayMs = Math.floor(random() * 1000);
      console.log(
        `crash trial ${trial + 1}/${TRIALS} seed=${seed} action=${action} killAfter=${delayMs}ms` +
          (killDuringRecovery ? ` then kill ${recoveryDelayMs}ms after restart` : ''),
      );

      let pending: Promise<string | undefined> | undefined;
      let write: Write | undefined;
      if (action === 'post' || action === 'new-version' || action === 'scale') {
        const record = apps.get(MAIN_APP)!;
        const current = record.writes.at(-1)?.instances ?? MAIN_INSTANCES;
        const instances = action === 'scale' ? MAIN_INSTANCES - 20 + Math.floor(random() * 41) : action === 'post' ? MAIN_INSTANCES : current;
        write = { appId: MAIN_APP, gen: ++gen, instances };
        record.writes.push(write);
        pending = send(action === 'post' ? 'POST' : 'PUT', write);
      } else if (action === 'post-extra') {
        const id = `/crash-extra-${++extraApps}`;
        write = { appId: id, gen: ++gen, instances: 1 + Math.floor(random() * 5) };
        apps.set(id, { id, writes: [write] });
        pending = send('POST', write);
      }
      if (trial === 0) {
        // The app must exist for the trials to be about recovering it.
        write!.ackedVersion = await pending;
        expect(write!.ackedVersion).toBeDefined();
        pending = undefined;
      }

      await sleep(delayMs);
      await killPacer();
      if (pending !== undefined) {
        write!.ackedVersion = await pending;
        if (write!.ackedVersion === undefined) inDoubt++;
      }
      pacer = await startPacer();
      if (killDuringRecovery) {
        await sleep(recoveryDelayMs);
        await killPacer();
        pacer = await startPacer();
      }

      const restartedAt = Date.now();
      const expected = await checkDurability(apps);
      frameworkId ??= await waitFor('a framework id', () => pacerFrameworkId(pacer!.url), { timeoutMs: 20_000 });
      await waitForConvergence(expected, frameworkId);
      expect(await pacerFrameworkId(pacer.url)).toBe(frameworkId);
      convergeTimes.push(Date.now() - restartedAt);
      console.log(`crash trial ${trial + 1}/${TRIALS}: converged ${convergeTimes.at(-1)} ms after the last restart`);
      // Pin down what is in doubt: from now on the app's state is known, as if acknowledged.
      for (const record of apps.values()) {
        const answer = await http<{ app: ObservedApp }>('GET', `${pacer.url}/v2/apps${record.id}`);
        if (answer.status !== 200) continue;
        const w = record.writes.find((x) => String(x.gen) === answer.body.app.env.GEN)!;
        w.ackedVersion ??= answer.body.app.version;
      }
      for (const [id, record] of apps) {
        if (record.writes.every((w) => w.ackedVersion === undefined)) apps.delete(id); // never created
      }
    }

    // A last look, one reconciliation interval later: still nothing orphaned or duplicated.
    await sleep(2_500);
    await waitForConvergence(await checkDurability(apps), frameworkId!);
    const sorted = [...convergeTimes].sort((a, b) => a - b);
    console.log(
      `crash test: ${TRIALS} trials, ${restarts} Pacer starts, ${inDoubt} writes in doubt at the kill, ` +
        `convergence after restart median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms, total ${Date.now() - started} ms`,
    );
  }, 600_000);
});

/**
 * High availability, black box: three real `pacer` processes share state in a real ZooKeeper
 * (`--zk`) and elect one leader; they schedule on a separate `pacer mesos-local` master with
 * simulated agents.
 *
 *   - all three name the same leader on /v2/leader, and only the leader answers /v2/info itself
 *     (standbys proxy it, marking the hop with X-Marathon-Via);
 *   - a write sent to a standby is proxied to the leader, and the app is there;
 *   - /v2/events on a standby is a 302 to the leader;
 *   - after SIGKILL of the leader another instance takes over with the same framework id, the
 *     master still knows one framework, and the running tasks are the same ones: none lost,
 *     none duplicated. The time from the kill to the new leader being subscribed is printed.
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
  waitFor,
  spawnMesosLocal,
  spawnPacer,
  type ManagedProcess,
  type PacerTask,
} from '../helpers/processes.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

const ZK_SESSION_TIMEOUT_MS = 2_000;
const INSTANCES = 40;
const APP_ID = '/ha-web';

interface AppsWatcher {
  stop(): Promise<{ total: number; outcomes: Record<string, number>; withoutApp: string[] }>;
}

describe.runIf(zookeeperTestsEnabled())('three Pacer instances with leader election in ZooKeeper', () => {
  let zk: ZooKeeperServer | undefined;
  let master: ManagedProcess | undefined;
  const pacers: ManagedProcess[] = [];
  let watcher: AppsWatcher | undefined;

  beforeAll(async () => {
    zk = await startZooKeeper();
    master = await spawnMesosLocal(['--agents', '0', '--simulated_agents', '3', '--allocation_interval', '100ms'], { name: 'ha-mesos-local' });
    const zkUrl = `zk://${zk.connectString}/pacer-ha`;
    for (let i = 0; i < 3; i++) {
      pacers.push(
        await spawnPacer(['--zk', zkUrl, '--master', master.url, '--zk_session_timeout', String(ZK_SESSION_TIMEOUT_MS), '--reconciliation_interval', '2000'], {
          name: `ha-pacer-${i}`,
        }),
      );
    }
  }, 90_000);

  afterAll(async () => {
    await watcher?.stop();
    await killAll([...pacers, master]);
    await zk?.stop();
  });

  const hostPort = (p: ManagedProcess): string => new URL(p.url).host;
  const byHostPort = (leader: string): ManagedProcess | undefined => pacers.find((p) => hostPort(p) === leader);

  /** The leader all given instances agree on, if it is one of them; undefined otherwise. */
  async function agreedLeader(among: readonly ManagedProcess[]): Promise<ManagedProcess | undefined> {
    const answers = await Promise.all(among.map((p) => http<{ leader?: string }>('GET', `${p.url}/v2/leader`, undefined, { timeoutMs: 3_000 })));
    const leaders = new Set(answers.map((a) => (a.status === 200 ? a.body.leader : undefined)));
    if (leaders.size !== 1) return undefined;
    const [leader] = leaders;
    const process = leader === undefined ? undefined : byHostPort(leader);
    // Until the dead leader's session expires, the survivors still name it.
    return process !== undefined && among.includes(process) ? process : undefined;
  }

  /** Waits until the leader and the master agree on `count` running tasks of APP_ID, nothing else. */
  async function waitForTasks(leader: ManagedProcess, frameworkId: string, count: number): Promise<PacerTask[]> {
    let last = '';
    return waitFor(
      `${count} running tasks seen alike by ${leader.name} and the master`,
      async () => {
        const tasks = await pacerTasks(leader.url);
        const frameworks = await masterFrameworks(master!.url);
        const deployments = await getJson<unknown[]>(`${leader.url}/v2/deployments`);
        const running = tasks.filter((t) => t.appId === APP_ID && t.state === 'TASK_RUNNING');
        const ours = frameworks.find((f) => f.id === frameworkId);
        const { orphaned, unknownToMaster } = compareTasks(tasks, ours?.tasks ?? []);
        last =
          `pacer ${tasks.length} tasks (${running.length} running), deployments ${deployments.length}, ` +
          `master frameworks ${frameworks.map((f) => `${f.id}:${f.active ? 'active' : 'inactive'}:${f.tasks.length}`).join(',')}, ` +
          `orphaned ${orphaned.length}, unknown to master ${unknownToMaster.length}`;
        const done =
          tasks.length === count &&
          running.length === count &&
          deployments.length === 0 &&
          frameworks.length === 1 &&
          ours !== undefined &&
          ours.tasks.length === count &&
          orphaned.length === 0 &&
          unknownToMaster.length === 0;
        return done ? tasks : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, describe: () => last },
    );
  }

  /** Reads /v2/apps from the given instances in a loop until stopped; collects the answers. */
  function watchApps(among: readonly ManagedProcess[]): AppsWatcher {
    const startedAt = Date.now();
    let stopped = false;
    let total = 0;
    const outcomes: Record<string, number> = {};
    const withoutApp: string[] = [];
    const loop = (async () => {
      while (!stopped) {
        for (const p of among) {
          let key: string;
          try {
            const answer = await http<{ apps?: Array<{ id: string }> }>('GET', `${p.url}/v2/apps`, undefined, { timeoutMs: 5_000 });
            key = String(answer.status);
            if (answer.status === 200 && !(answer.body.apps ?? []).some((a) => a.id === APP_ID)) {
              withoutApp.push(`${p.name} at +${Date.now() - startedAt} ms: ${JSON.stringify(answer.body).slice(0, 200)}`);
            }
          } catch (error) {
            key = (error as Error).name;
          }
          total++;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    return {
      async stop() {
        stopped = true;
        await loop;
        return { total, outcomes, withoutApp };
      },
    };
  }

  it('elects one leader, proxies standbys to it, and fails over on SIGKILL with the same framework and tasks', async () => {
    // One leader, named alike by all three.
    const leader = await waitFor('all three to name one leader', () => agreedLeader(pacers), { timeoutMs: 20_000 });
    const standbys = pacers.filter((p) => p !== leader);
    expect(standbys).toHaveLength(2);
    const leaderInfo = await http<{ elected: boolean; leader: string }>('GET', `${leader.url}/v2/info`);
    expect(leaderInfo.status).toBe(200);
    expect(leaderInfo.body.elected).toBe(true);
    expect(leaderInfo.headers.get('x-marathon-via')).toBeNull();
    expect(leaderInfo.headers.get('x-marathon-leader')).toBe(`http://${hostPort(leader)}`);
    for (const standby of standbys) {
      const info = await http<{ elected: boolean; leader: string }>('GET', `${standby.url}/v2/info`);
      expect(info.status).toBe(200);
      // Answered by the leader through the standby.
      expect(info.headers.get('x-marathon-via')).toBe(`1.1 ${hostPort(standby)}`);
      expect(info.body.leader).toBe(hostPort(leader));
    }

    // A write through a standby lands on the leader.
    const created = await http<{ id: string; version: string }>('POST', `${standbys[0]!.url}/v2/apps`, {
      id: APP_ID,
      cmd: 'sleep 100000',
      cpus: 0.01,
      mem: 1,
      instances: INSTANCES,
      portDefinitions: [],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-marathon-via')).toBe(`1.1 ${hostPort(standbys[0]!)}`);
    const onLeader = await http<{ app: { id: string; version: string } }>('GET', `${leader.url}/v2/apps${APP_ID}`);
    expect(onLeader.status).toBe(200);
    expect(onLeader.body.app.version).toBe(created.body.version);

    // The event stream is not relayed: a standby redirects it to the leader.
    const events = await http('GET', `${standbys[1]!.url}/v2/events`, undefined, { headers: { accept: 'text/event-stream' }, timeoutMs: 5_000 });
    expect(events.status).toBe(302);
    expect(events.headers.get('location')).toBe(`http://${hostPort(leader)}/v2/events`);

    const frameworkId = await waitFor('a framework id', () => pacerFrameworkId(leader.url), { timeoutMs: 20_000 });
    const before = await waitForTasks(leader, frameworkId, INSTANCES);
    const taskIdsBefore = before.map((t) => t.id).sort();

    // Kill the leader; one of the others must take over the same framework. Meanwhile a client
    // keeps reading /v2/apps from the survivors: an answer may be an error while no leader is
    // known, but a 200 must never leave out the acknowledged app.
    const survivors = standbys;
    watcher = watchApps(survivors);
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const successor = await waitFor('a new leader named by both survivors', () => agreedLeader(survivors), {
      timeoutMs: ZK_SESSION_TIMEOUT_MS + 20_000,
    });
    const electedAfterMs = Date.now() - killedAt;
    // Subscribed: the successor reports the framework id and the tasks, and the master saw the framework subscribe again after the kill.
    await waitFor(
      'the successor to be subscribed',
      async () => {
        const id = await pacerFrameworkId(successor.url);
        const tasks = await pacerTasks(successor.url);
        const frameworks = await masterFrameworks(master!.url);
        const framework = frameworks.find((f) => f.id === id);
        const resubscribed = framework?.active === true && (framework.reregisteredAtMs ?? 0) >= killedAt;
        return id === frameworkId && tasks.length === INSTANCES && resubscribed ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const subscribedAfterMs = Date.now() - killedAt;
    console.log(
      `HA failover: new leader ${hostPort(successor)} named after ${electedAfterMs} ms, subscribed with framework ${frameworkId} ` +
        `after ${subscribedAfterMs} ms (zk_session_timeout ${ZK_SESSION_TIMEOUT_MS} ms, target ${ZK_SESSION_TIMEOUT_MS + 2_000} ms)`,
    );

    const reads = await watcher.stop();
    console.log(`HA failover: /v2/apps read ${reads.total} times on the survivors during the takeover: ${JSON.stringify(reads.outcomes)}`);
    expect(reads.withoutApp, 'a 200 from /v2/apps without the acknowledged app').toEqual([]);

    expect(await pacerFrameworkId(successor.url)).toBe(frameworkId);
    const after = await waitForTasks(successor, frameworkId, INSTANCES);
    expect(after.map((t) => t.id).sort(), 'the same tasks, none lost or relaunched').toEqual(taskIdsBefore);
    const frameworks = await masterFrameworks(master!.url);
    expect(frameworks.map((f) => f.id)).toEqual([frameworkId]);

    // The remaining standby now proxies to the new leader.
    const remaining = survivors.find((p) => p !== successor)!;
    const scaled = await http<{ version: string }>('PUT', `${remaining.url}/v2/apps${APP_ID}`, { instances: INSTANCES + 5 });
    expect(scaled.status).toBe(200);
    expect(scaled.headers.get('x-marathon-via')).toBe(`1.1 ${hostPort(remaining)}`);
    const grown = await waitForTasks(successor, frameworkId, INSTANCES + 5);
    expect(
      grown
        .map((t) => t.id)
        .filter((id) => taskIdsBefore.includes(id))
        .sort(),
    ).toEqual(taskIdsBefore);
  }, 180_000);
});
